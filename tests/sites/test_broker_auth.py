"""sites.broker_auth: Mosquitto `$7$` password hashes, device passwords and the ACL file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest

from sites.broker_auth import (
    INGEST_ACL,
    SIMULATOR_USER,
    DeviceAccount,
    device_acl,
    device_password,
    hash_password,
    render_files,
)

HASH = re.compile(r"^\$7\$101\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")
SECRET = "s3cret-for-tests"
DEVICES = [
    DeviceAccount("tc-1", "tower-a", "crane"),
    DeviceAccount("env-2f-01", "tower-a", "env"),
    DeviceAccount("gw-01", "tower-a", "gateway"),
    DeviceAccount("tag-0412", "tower-b", "tag"),
]


def verify(password: str, encoded: str) -> bool:
    """Check a password against a `$7$` hash the way Mosquitto does, with hashlib."""
    match = HASH.match(encoded)
    assert match, encoded
    salt = base64.b64decode(match.group(1), validate=True)
    expected = base64.b64decode(match.group(2), validate=True)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    return hmac.compare_digest(key, expected)


def acl_rules(acl: str) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    user: str | None = None
    for line in acl.splitlines():
        if not line or line.startswith("#"):
            continue
        word, rest = line.split(" ", 1)
        if word == "user":
            assert rest not in rules, f"user {rest} appears twice"
            user = rest
            rules[user] = []
        else:
            assert word == "topic", line
            assert user is not None, "a topic rule before any user applies to everyone"
            rules[user].append(rest)
    return rules


def passwd_entries(passwd: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in passwd.splitlines():
        user, encoded = line.split(":", 1)
        assert user not in entries
        entries[user] = encoded
    return entries


@pytest.fixture
def files() -> tuple[str, str]:
    return render_files(
        secret=SECRET,
        ingest_user="sitepulse-ingest",
        ingest_password="ingest-pw",
        devices=DEVICES,
        with_simulator=True,
    )


# --- hash_password --------------------------------------------------------------------------


def test_hash_format_with_a_given_salt() -> None:
    salt = bytes(range(12))
    encoded = hash_password("hunter2", salt)
    key = hashlib.pbkdf2_hmac("sha512", b"hunter2", salt, 101)
    expected = f"$7$101${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    assert encoded == expected


def test_hash_verifies_and_rejects() -> None:
    encoded = hash_password("correct horse")
    assert HASH.match(encoded)
    assert verify("correct horse", encoded)
    assert not verify("correct horsE", encoded)


def test_hash_uses_a_fresh_12_byte_salt_and_a_64_byte_key() -> None:
    first, second = hash_password("same"), hash_password("same")
    assert first != second
    for encoded in (first, second):
        match = HASH.match(encoded)
        assert match
        assert len(base64.b64decode(match.group(1))) == 12
        assert len(base64.b64decode(match.group(2))) == 64
        assert verify("same", encoded)


def test_hash_of_non_ascii_password() -> None:
    assert verify("密码-ü", hash_password("密码-ü"))


# --- device_password ------------------------------------------------------------------------


def test_device_password_is_deterministic() -> None:
    assert device_password(SECRET, "tc-1") == device_password(SECRET, "tc-1")


def test_device_password_recomputed() -> None:
    digest = hmac.new(SECRET.encode(), b"mqtt:tc-1", hashlib.sha256).digest()
    assert device_password(SECRET, "tc-1") == base64.urlsafe_b64encode(digest)[:24].decode()


def test_device_password_differs_per_device_and_secret() -> None:
    passwords = {device_password(SECRET, d.id) for d in DEVICES}
    assert len(passwords) == len(DEVICES)
    assert device_password(SECRET, "tc-1") != device_password(SECRET + "x", "tc-1")


def test_device_password_is_url_safe() -> None:
    for device in DEVICES:
        password = device_password(SECRET, device.id)
        assert len(password) == 24
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", password)
        assert len(base64.urlsafe_b64decode(password)) == 18


# --- ACL and password file ------------------------------------------------------------------


def test_device_acl() -> None:
    account = DeviceAccount("gw-01", "tower-a", "gateway")
    assert device_acl(account) == [
        "write site/tower-a/gateway/gw-01/telemetry",
        "write site/tower-a/gateway/gw-01/status",
    ]


def test_acl_gives_each_device_only_its_own_topics(files: tuple[str, str]) -> None:
    rules = acl_rules(files[1])
    for device in DEVICES:
        base = f"site/{device.site_id}/{device.kind}/{device.id}"
        assert rules[device.id] == [f"write {base}/telemetry", f"write {base}/status"]


def test_acl_ingest_user_reads_every_site(files: tuple[str, str]) -> None:
    rules = acl_rules(files[1])
    assert rules["sitepulse-ingest"] == ["read site/#"]
    assert list(INGEST_ACL) == ["read site/#"]


def test_acl_users_are_exactly_ingest_simulator_and_devices(files: tuple[str, str]) -> None:
    rules = acl_rules(files[1])
    assert set(rules) == {"sitepulse-ingest", SIMULATOR_USER, *(d.id for d in DEVICES)}
    assert rules[SIMULATOR_USER] == ["write site/#"]
    no_reads = [
        rule for user, lines in rules.items() if user != "sitepulse-ingest" for rule in lines
    ]
    assert all(rule.startswith("write ") for rule in no_reads)


def test_acl_devices_in_id_order(files: tuple[str, str]) -> None:
    users = [line.split(" ", 1)[1] for line in files[1].splitlines() if line.startswith("user ")]
    device_users = users[2:]
    assert device_users == sorted(d.id for d in DEVICES)


def test_acl_has_no_rule_before_the_first_user(files: tuple[str, str]) -> None:
    acl = files[1]
    first_user = acl.index("user ")
    assert "topic " not in acl[:first_user]
    assert acl.endswith("\n")


def test_password_file_verifies_every_user(files: tuple[str, str]) -> None:
    entries = passwd_entries(files[0])
    assert set(entries) == {"sitepulse-ingest", SIMULATOR_USER, *(d.id for d in DEVICES)}
    assert verify("ingest-pw", entries["sitepulse-ingest"])
    assert verify(device_password(SECRET, SIMULATOR_USER), entries[SIMULATOR_USER])
    for device in DEVICES:
        assert verify(device_password(SECRET, device.id), entries[device.id])
        assert not verify(device_password("other", device.id), entries[device.id])
    assert files[0].endswith("\n")


def test_render_without_devices() -> None:
    passwd, acl = render_files(
        secret=SECRET, ingest_user="in", ingest_password="pw", devices=[], with_simulator=True
    )
    assert set(passwd_entries(passwd)) == {"in", SIMULATOR_USER}
    assert acl_rules(acl) == {"in": ["read site/#"], SIMULATOR_USER: ["write site/#"]}


def test_the_simulator_account_is_written_only_when_asked() -> None:
    passwd, acl = render_files(
        secret=SECRET, ingest_user="in", ingest_password="pw", devices=DEVICES
    )
    assert set(passwd_entries(passwd)) == {"in", *(d.id for d in DEVICES)}
    assert set(acl_rules(acl)) == {"in", *(d.id for d in DEVICES)}
    assert SIMULATOR_USER not in passwd + acl
    assert "site/#" not in acl.replace("read site/#", "")
