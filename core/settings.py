"""The one settings object: environment variables with the SITEPULSE_ prefix, or `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import SitePulseError
from core.kinds import DeviceKind

DEVELOPMENT_DEVICE_SECRET = "sitepulse-dev-device-secret"  # noqa: S105 - public on purpose
# Secrets anyone can read in this repository: the default and deploy/compose.env.example's.
_PUBLISHED_DEVICE_SECRETS = frozenset({DEVELOPMENT_DEVICE_SECRET, "change-me-device-secret"})


class MqttEndpoint(BaseModel):
    host: str
    port: int
    username: str | None
    password: SecretStr | None
    tls: bool


def _default_offline_timeouts() -> dict[DeviceKind, int]:
    # 0: no no-data timeout. An idle gateway (no tags near it) is not a dead one; its
    # retained status and Last Will say when it is gone.
    return {"crane": 300, "tag": 300, "env": 300, "gateway": 0}


def _default_retention_days() -> dict[Literal["crane", "tag", "env"], int]:
    return {"crane": 90, "tag": 90, "env": 365}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SITEPULSE_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: SecretStr = SecretStr(
        "postgresql://sitepulse:sitepulse@127.0.0.1:55432/sitepulse"
    )
    mqtt_url: SecretStr = SecretStr("mqtt://sitepulse-ingest:sitepulse-ingest@127.0.0.1:18830")
    # Where `sitepulse mqtt credentials` writes Mosquitto's password and ACL files.
    mqtt_dir: Path = Path("/var/lib/sitepulse/mosquitto")
    # Device passwords are derived from this secret (HMAC of the device id), so that
    # provisioning and the simulator need no shared password list.
    device_secret: SecretStr = SecretStr(DEVELOPMENT_DEVICE_SECRET)
    # Anything but `development` (deploy/compose.yaml sets `production`) refuses to run a
    # service with a published device secret, and to provision the simulator's account.
    env: Literal["development", "production"] = "development"

    ingest_client_id: str = "sitepulse-ingest-1"
    ingest_group: str = "sitepulse-ingest"
    # MQTT 5 shared subscription, so that processes in one group split the load (CONTRACT
    # §1). false: a plain subscription, one process per site filter; Mosquitto 2.0 does not
    # restore shared subscriptions from its persistence file after a restart, so messages
    # published before ingest re-subscribes are dropped, where a plain persistent
    # subscription has them queued.
    ingest_shared_subscription: bool = True
    # `+` takes every site; a site id restricts this process to one (partitioning by site).
    ingest_site_filter: str = Field(default="+", pattern=r"^(\+|[A-Za-z0-9_-]{1,64})$")
    # A batch is written at this many readings (or messages: ingest_receive_maximum / 4),
    # or ingest_batch_age_ms after its first message when the inbox runs dry. 20,000
    # against 5,000: gateway readings 0.82-0.86 of PostgreSQL's INSERT ... SELECT against
    # 0.66-0.68, quiet machine, 2026-12-02 (each device's state is written once a batch).
    ingest_batch_readings: int = Field(default=20_000, ge=1, le=100_000)
    ingest_batch_age_ms: int = Field(default=50, ge=1, le=60_000)
    # MQTT 5 Receive Maximum: QoS 1 messages the broker may have in flight to us; it is
    # what bounds ingest's memory while the database is away.
    ingest_receive_maximum: int = Field(default=10_000, ge=10, le=65_535)
    ingest_session_expiry_s: int = Field(default=7 * 24 * 3600, ge=0)
    # A larger message is refused (its first 64 KiB, size and hash kept as a dead letter).
    # 10,000 readings (CONTRACT's largest batch) of ~200 bytes each fit with room to spare.
    ingest_max_payload_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=256 * 1024**2)
    # Messages received and not yet decoded. QoS 1 messages are bounded by the Receive
    # Maximum; QoS 0 messages (at most once) are dropped, and counted, past this many bytes.
    ingest_inbox_max_bytes: int = Field(default=256 * 1024**2, ge=1024**2)
    offline_timeout_s: dict[DeviceKind, int] = Field(default_factory=_default_offline_timeouts)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # `+` judges every site; a site id restricts this rules process to one.
    rules_site_filter: str = Field(default="+", pattern=r"^(\+|[A-Za-z0-9_-]{1,64})$")
    # Rule packs beside the shipped ones (rules/packs); reloaded when a file changes.
    rules_dir: Path | None = None
    # Readings older than this when they arrive are stored but not judged live.
    rules_horizon_s: int = Field(default=600, ge=10, le=86_400)
    # A re-trigger this soon after an alert resolved reopens the same alert.
    rules_flap_window_s: int = Field(default=600, ge=0)
    # Channels, routes and escalation delays (see deploy/notify.example.yaml); reloaded
    # when the file changes. Without it, alerts are recorded and shown but not sent.
    notify_file: Path | None = None
    notify_max_attempts: int = Field(default=40, ge=1)

    # Storage jobs (storage/): rollups, raw-data retention, compression where licensed.
    rollup_interval_s: int = Field(default=60, ge=5)
    # Rows received up to this long before the last refresh are looked at again, for
    # readings whose commit lagged their receive time (ingest retrying a database outage).
    rollup_overlap_s: int = Field(default=600, ge=0)
    # A backfill (a source's first refresh) rolls its ranges on this many connections at
    # once, the database's cores being its bound; 1 rolls them one after another.
    rollup_backfill_connections: int = Field(default=2, ge=1, le=32)
    retention_interval_s: int = Field(default=3600, ge=60)
    # Raw readings older than this are dropped a whole chunk at a time; 0 keeps them.
    retention_days: dict[Literal["crane", "tag", "env"], int] = Field(
        default_factory=_default_retention_days
    )
    retention_rollup_1m_days: int = Field(default=400, ge=0)
    # Compress raw chunks older than this where `timescaledb.license` is `timescale`.
    compress_after_days: int = Field(default=7, ge=1)
    # Crane work cycles (records/lifts.py): a lift begins when the hook load reaches
    # lift_start_share of the crane's rated load and ends when it falls below
    # lift_end_share (the hysteresis); one shorter than lift_min_s is a snatch, not a lift.
    lift_start_share: float = Field(default=0.05, gt=0, lt=1)
    lift_end_share: float = Field(default=0.02, gt=0, lt=1)
    lift_min_s: int = Field(default=10, ge=0, le=3600)
    lifts_interval_s: int = Field(default=60, ge=5)
    # The password `sitepulse dashboards publish` gives Grafana for the read-only role.
    grafana_db_password: SecretStr = SecretStr("")

    @field_validator("database_url")
    @classmethod
    def _libpq_url(cls, value: SecretStr) -> SecretStr:
        scheme = urlsplit(value.get_secret_value()).scheme
        if scheme not in ("postgresql", "postgres"):
            msg = f"SITEPULSE_DATABASE_URL must be a postgresql:// URL, not {scheme or 'empty'}://"
            raise ValueError(msg)
        return value

    @field_validator("mqtt_url")
    @classmethod
    def _mqtt_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            msg = "SITEPULSE_MQTT_URL must look like mqtt://user:password@host:port"
            raise ValueError(msg)
        return value

    @property
    def mqtt(self) -> MqttEndpoint:
        parts = urlsplit(self.mqtt_url.get_secret_value())
        tls = parts.scheme == "mqtts"
        return MqttEndpoint(
            host=parts.hostname or "localhost",
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=SecretStr(unquote(parts.password)) if parts.password else None,
            tls=tls,
        )

    def refuse_published_secrets(self) -> None:
        """Outside development, a device secret anyone can read would let anyone derive
        every device's broker password: refuse to start with it."""
        if self.env != "development" and (
            self.device_secret.get_secret_value() in _PUBLISHED_DEVICE_SECRETS
        ):
            msg = (
                "SITEPULSE_DEVICE_SECRET is unset or a value published with SitePulse (the "
                "development default or the example's placeholder) and SITEPULSE_ENV is "
                f"{self.env}: anyone could derive every device's broker password. Set "
                "SITEPULSE_DEVICE_SECRET to a long random value (e.g. `openssl rand -base64 "
                "32`), or SITEPULSE_ENV=development on a development machine"
            )
            raise SitePulseError(msg)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
