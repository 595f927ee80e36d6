"""The dashboards, the wall playlist, and every panel query with what it must return."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.models import dashboard as model

from dashboards.alerts import alerts
from dashboards.cranes import cranes
from dashboards.environment import environment
from dashboards.floor import floor_detail
from dashboards.sql_query import SqlQuery
from dashboards.tasks import task_quality
from dashboards.wall import site_overview

BUILDERS: tuple[Callable[[], Dashboard], ...] = (
    site_overview,
    floor_detail,
    cranes,
    environment,
    alerts,
    task_quality,
)
# The wall cycles through these; the floor detail needs a floor, so it is not on the wall.
WALL = ("sitepulse-wall", "sitepulse-cranes", "sitepulse-environment", "sitepulse-alerts")


@dataclass(frozen=True)
class PanelQuery:
    dashboard: str
    panel: str
    query: SqlQuery
    time_from: str | None  # the panel's own relative range, e.g. "24h"


def dashboards() -> list[model.Dashboard]:
    built = []
    for build in BUILDERS:
        board = build().build()
        for number, panel in enumerate(board.panels or [], start=1):
            panel.id_val = number
        built.append(board)
    return built


def panel_queries(boards: list[model.Dashboard] | None = None) -> Iterator[PanelQuery]:
    for board in boards or dashboards():
        for panel in board.panels or []:
            if isinstance(panel, model.Panel):
                for target in panel.targets or []:
                    assert isinstance(target, SqlQuery), f"{panel.title}: not an SQL target"
                    yield PanelQuery(board.uid or "", panel.title or "", target, panel.time_from)
