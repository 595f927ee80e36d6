"""core.topics: parsing `site/{site}/{kind}/{device}/telemetry|status`."""

from __future__ import annotations

import pytest

from core.kinds import DEVICE_KINDS, DeviceKind
from core.topics import BadTopic, Channel, Topic, site_of, status_topic, telemetry_topic


@pytest.mark.parametrize("kind", DEVICE_KINDS)
@pytest.mark.parametrize("channel", ["telemetry", "status"])
def test_parse_every_kind_and_channel(kind: DeviceKind, channel: Channel) -> None:
    text = f"site/tower-a/{kind}/dev_01/{channel}"
    topic = Topic.parse(text)
    assert topic == Topic("tower-a", kind, "dev_01", channel)
    assert str(topic) == text


def test_ids_of_64_characters_are_accepted() -> None:
    site, device = "S" * 64, "d" * 64
    topic = Topic.parse(f"site/{site}/env/{device}/telemetry")
    assert (topic.site, topic.device) == (site, device)


def test_builders_match_parse() -> None:
    assert telemetry_topic("tower-a", "crane", "tc-1") == "site/tower-a/crane/tc-1/telemetry"
    assert status_topic("tower-a", "tag", "tag-0412") == "site/tower-a/tag/tag-0412/status"
    assert Topic.parse(telemetry_topic("A_b-9", "gateway", "gw-01")).kind == "gateway"


@pytest.mark.parametrize(
    "text",
    [
        "site/tower-a/crane/tc-1",
        "site/tower-a/crane/tc-1/telemetry/extra",
        "sites/tower-a/crane/tc-1/telemetry",
        "/site/tower-a/crane/tc-1/telemetry",
        "site/tower-a/crane/tc-1/telemetry/",
        "",
        "site",
        "tower-a/crane/tc-1/telemetry",
    ],
)
def test_wrong_shape(text: str) -> None:
    with pytest.raises(BadTopic, match="is not site/"):
        Topic.parse(text)


@pytest.mark.parametrize("kind", ["drone", "Crane", "gateways", "", "+"])
def test_unknown_kind(kind: str) -> None:
    with pytest.raises(BadTopic) as caught:
        Topic.parse(f"site/tower-a/{kind}/tc-1/telemetry")
    assert str(caught.value) == (
        f"unknown kind {kind!r} in the topic (expected one of crane, tag, env, gateway)"
    )


@pytest.mark.parametrize(
    ("site", "device", "label", "bad"),
    [
        ("", "tc-1", "site", ""),
        ("tower a", "tc-1", "site", "tower a"),
        ("+", "tc-1", "site", "+"),
        ("t" * 65, "tc-1", "site", "t" * 65),
        ("tower-a", "", "device", ""),
        ("tower-a", "#", "device", "#"),
        ("tower-a", "tc.1", "device", "tc.1"),
        ("tower-a", "塔吊1", "device", "塔吊1"),
        ("tower-a", "d" * 65, "device", "d" * 65),
    ],
)
def test_bad_ids(site: str, device: str, label: str, bad: str) -> None:
    with pytest.raises(BadTopic) as caught:
        Topic.parse(f"site/{site}/crane/{device}/telemetry")
    assert str(caught.value) == f"{label} id {bad!r} in the topic is not 1-64 of A-Z a-z 0-9 _ -"


@pytest.mark.parametrize(
    "text",
    ["site/tower-a\n/crane/tc-1/telemetry", "site/tower-a/crane/tc-1\n/telemetry"],
)
def test_trailing_newline_in_an_id_is_refused(text: str) -> None:
    # Regression (core/topics.py ID_PATTERN used with .match): `$` also matches before a final
    # newline, so "tc-1\n" passes as a valid id; use fullmatch or \Z.
    with pytest.raises(BadTopic):
        Topic.parse(text)


@pytest.mark.parametrize("channel", ["config", "Telemetry", "", "state"])
def test_unknown_channel(channel: str) -> None:
    with pytest.raises(BadTopic) as caught:
        Topic.parse(f"site/tower-a/crane/tc-1/{channel}")
    assert str(caught.value) == (
        f"unknown channel {channel!r} in the topic (expected telemetry or status)"
    )


def test_bad_topic_is_a_value_error() -> None:
    assert issubclass(BadTopic, ValueError)


def test_topic_is_frozen() -> None:
    topic = Topic.parse("site/tower-a/env/env-1/status")
    with pytest.raises(AttributeError):
        topic.site = "other"  # type: ignore[misc]
    assert topic.site == "tower-a"


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("site/tower-a/crane/tc-1/telemetry", "tower-a"),
        ("site/tower-a/drone/tc-1/telemetry", "tower-a"),
        ("site/tower-a", "tower-a"),
        ("site/tower-a/a/b/c/d/e", "tower-a"),
        ("site/tower a/crane/tc-1/telemetry", None),
        ("site//crane/tc-1/telemetry", None),
        ("sites/tower-a/crane/tc-1/telemetry", None),
        ("site", None),
        ("", None),
    ],
)
def test_site_of(text: str, site: str | None) -> None:
    assert site_of(text) == site
