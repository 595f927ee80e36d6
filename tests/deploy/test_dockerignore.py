"""deploy/Dockerfile.dockerignore keeps secrets out of the image. Docker is not available
where the tests run, so the file is read here with BuildKit's matching rules
(moby/patternmatcher): patterns anchored at the context root, `*` within one path
segment, `**` across segments, a match on a directory excludes what is under it, the last
matching line wins and `!` re-includes."""

from __future__ import annotations

import re

import pytest

from tests.helpers import REPO

IGNORE_FILE = REPO / "deploy/Dockerfile.dockerignore"


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(f"^{out}$")


def _rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in IGNORE_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = line.removeprefix("!").strip().strip("/")
        rules.append((keep, _regex(pattern)))
    return rules


def excluded(path: str) -> bool:
    """Whether BuildKit leaves `path` (relative to the repository root) out of the context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for keep, regex in _rules():
        if any(regex.match(p) for p in prefixes):
            verdict = not keep
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.local",
        ".env.production",
        "deploy/.env",
        "deploy/compose.env",
        "deploy/.env.local",
        "deploy/prod.env",
        "deploy/mosquitto/certs/server.key",
        "deploy/mosquitto/certs/ca.pem",
        "deploy/notify.yaml",
        "deploy/notify.prod.yaml",
        "var/mosquitto/passwd",
        "var/mosquitto/acl",
        "client_secret.json",
        "deploy/secrets/db.txt",
        "grafana.secret",
        ".ssh/id_ed25519",
        "id_rsa",
        ".netrc",
        ".pypirc",
        ".docker/config.json",
        ".git/config",
        ".venv/bin/python",
    ],
)
def test_secrets_are_left_out_of_the_image(path: str) -> None:
    assert excluded(path), f"{path} would be copied into the image"


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "core/settings.py",
        "core/migrations/0001_registry.sql",
        "api/board.html",
        "rules/packs/cranes.yaml",
        "deploy/sites/demo-tower.yaml",
        "deploy/compose.env.example",
        "deploy/notify.example.yaml",
        "sitepulse/cli.py",
        "sites/broker_auth.py",
    ],
)
def test_what_the_image_runs_is_kept(path: str) -> None:
    assert (REPO / path).exists(), path
    assert not excluded(path), f"{path} is needed in the image"


def test_the_matcher_reads_patterns_as_buildkit_does() -> None:
    assert _regex("**/.env").match(".env")
    assert _regex("**/.env").match("a/b/.env")
    assert not _regex(".env*").match("deploy/.env")  # anchored at the root
    assert _regex("*.egg-info").match("x.egg-info")
    assert not _regex("*.egg-info").match("a/x.egg-info")
