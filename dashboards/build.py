"""`sitepulse dashboards build`: the dashboards as JSON, the provisioning files and the
playlist, as text by relative path, written under one directory (by default this one)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from dashboards.catalog import dashboards
from dashboards.provisioning import datasource_file, provider_file, wall_playlist


def to_json(value: object) -> str:
    return JSONEncoder(sort_keys=True, indent=2, ensure_ascii=False).encode(value) + "\n"


def build_files() -> dict[str, str]:
    files = {f"json/{board.uid}.json": to_json(board) for board in dashboards()}
    files["provisioning/datasources/sitepulse.yaml"] = _yaml(datasource_file())
    files["provisioning/dashboards/sitepulse.yaml"] = _yaml(provider_file())
    files["playlists/sitepulse-wall.json"] = to_json(wall_playlist())
    return files


def write_all(out: Path) -> list[Path]:
    written = []
    for relative, text in build_files().items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def load_json(text: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(text)
    return loaded


def _yaml(value: object) -> str:
    header = "# Written by `sitepulse dashboards build`; edit dashboards/*.py, not this file.\n"
    return header + yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
