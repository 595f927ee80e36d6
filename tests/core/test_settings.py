from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from core.settings import Settings
from ingest.consumer import stale_subscriptions, subscriptions


def test_secrets_never_appear_in_the_settings_text() -> None:
    settings = Settings(
        database_url=SecretStr("postgresql://u:db-pass-123@h:5432/d"),
        mqtt_url=SecretStr("mqtt://ingest:mq-pass-456@broker:1883"),
        device_secret=SecretStr("dev-secret-789"),
    )
    text = f"{settings!r} {settings} {settings.model_dump()} {settings.mqtt!r}"
    for secret in ("db-pass-123", "mq-pass-456", "dev-secret-789"):
        assert secret not in text
    assert settings.mqtt.password is not None
    assert settings.mqtt.password.get_secret_value() == "mq-pass-456"
    assert (settings.mqtt.host, settings.mqtt.port, settings.mqtt.username) == (
        "broker",
        1883,
        "ingest",
    )


def test_environment_variables_with_the_prefix_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEPULSE_INGEST_BATCH_READINGS", "1234")
    monkeypatch.setenv("SITEPULSE_OFFLINE_TIMEOUT_S", '{"env": 60, "tag": 120}')
    settings = Settings()
    assert settings.ingest_batch_readings == 1234
    assert settings.offline_timeout_s == {"env": 60, "tag": 120}


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("database_url", "mysql://x", "postgresql://"),
        ("mqtt_url", "http://broker", "mqtt://user:password@host:port"),
        ("ingest_site_filter", "site/#", "ingest_site_filter"),
    ],
)
def test_bad_settings_are_refused_naming_what_is_right(field: str, value: str, named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**{field: value})  # type: ignore[arg-type]


def test_a_one_site_ingest_drops_the_all_sites_subscriptions_of_its_old_session() -> None:
    every = Settings(ingest_group="g")
    assert stale_subscriptions(every) == ["site/+/+/+/telemetry"]  # the unshared form
    one = Settings(ingest_group="g", ingest_site_filter="tower-a")
    assert stale_subscriptions(one) == [
        "$share/g/site/+/+/+/telemetry",
        "site/+/+/+/status",
        "site/+/+/+/telemetry",
        "site/tower-a/+/+/telemetry",
    ]
    assert [t for t, _ in subscriptions(one)] == [
        "$share/g/site/tower-a/+/+/telemetry",
        "site/tower-a/+/+/status",
    ]


def test_an_unshared_ingest_subscribes_plainly_and_drops_its_old_shared_subscription() -> None:
    plain = Settings(ingest_group="g", ingest_shared_subscription=False)
    assert [t for t, _ in subscriptions(plain)] == ["site/+/+/+/telemetry", "site/+/+/+/status"]
    assert stale_subscriptions(plain) == ["$share/g/site/+/+/+/telemetry"]
