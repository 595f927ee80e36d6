"""The few panel shapes the dashboards use, with one look: wall-readable, status colours
that mean the same everywhere, the read-only data source, the site and floor variables."""

from __future__ import annotations

from typing import TypeVar

from grafana_foundation_sdk.builders import bargauge, stat, statetimeline, table, text, timeseries
from grafana_foundation_sdk.builders.common import (
    GraphThresholdsStyleConfig,
    ReduceDataOptions,
    VizLegendOptions,
)
from grafana_foundation_sdk.builders.dashboard import Dashboard, QueryVariable, ThresholdsConfig
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.variants import Dataquery
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DynamicConfigValue,
    Threshold,
    ThresholdsMode,
    ValueMap,
    ValueMapping,
    ValueMappingResult,
    VariableRefresh,
    VariableSort,
)
from grafana_foundation_sdk.models.text import TextMode

from dashboards.sql_query import DATASOURCE, PANEL_SQL, Sql

GREEN, AMBER, RED, GREY = "green", "orange", "red", "#8e8e8e"
# A floor's status, worst last, with its colour; panels show it by name or by its code
# (the index), the same colours everywhere.
STATUSES = (("ok", GREEN), ("warning", AMBER), ("alarm", RED), ("offline", GREY))
SEVERITIES = (("critical", RED), ("major", RED), ("minor", AMBER), ("warning", AMBER))


def value_map(named: tuple[tuple[str, str], ...], *, by_code: bool = False) -> ValueMap:
    """Colour each name (or its index, `by_code`), in the order given."""
    return ValueMap(
        options={
            str(i) if by_code else name: ValueMappingResult(text=name, color=colour, index=i)
            for i, (name, colour) in enumerate(named)
        }
    )


STATUS_CODES = value_map(STATUSES, by_code=True)
STATUS_NAMES = value_map(STATUSES)
SEVERITY_NAMES = value_map(SEVERITIES)


def levels(*steps: tuple[float, str], base: str = GREEN) -> ThresholdsConfig:
    """Colour by value: `base` below the first step, then each step's colour from its value."""
    return (
        ThresholdsConfig()
        .mode(ThresholdsMode.ABSOLUTE)
        .steps(
            [Threshold(value=None, color=base)] + [Threshold(value=v, color=c) for v, c in steps]
        )
    )


def new_dashboard(uid: str, title: str, description: str, *, floor: bool = False) -> Dashboard:
    board = (
        Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["sitepulse"])
        .timezone("browser")
        .refresh("30s")
        .time("now-6h", "now")
        .readonly()
        .with_variable(
            QueryVariable("site")
            .label("Site")
            .datasource(DATASOURCE)
            .query(PANEL_SQL["var_sites"])
            .refresh(VariableRefresh.ON_DASHBOARD_LOAD)
        )
    )
    if floor:
        board = board.with_variable(
            QueryVariable("floor")
            .label("Floor")
            .datasource(DATASOURCE)
            .query(PANEL_SQL["var_floors"])
            .refresh(VariableRefresh.ON_DASHBOARD_LOAD)
            .sort(VariableSort.DISABLED)
        )
    return board


AnyPanel = TypeVar(
    "AnyPanel", timeseries.Panel, statetimeline.Panel, stat.Panel, bargauge.Panel, table.Panel
)


def placed(panel: AnyPanel, title: str, targets: list[Sql], width: int, height: int) -> AnyPanel:
    """A panel with its title, its queries on the read-only data source, and its size."""
    return (
        panel.title(title)
        .datasource(DATASOURCE)
        .targets(list[Builder[Dataquery]](targets))
        .span(width)
        .height(height)
    )


def series(
    title: str,
    *targets: Sql,
    unit: str,
    width: int = 12,
    height: int = 8,
    thresholds: ThresholdsConfig | None = None,
    bars: bool = False,
) -> timeseries.Panel:
    panel = (
        placed(timeseries.Panel(), title, list(targets), width, height)
        .unit(unit)
        .interval("1m")  # the finest rollup
        .legend(VizLegendOptions().display_mode(common.LegendDisplayMode.LIST).show_legend(True))
    )
    if thresholds is not None:
        panel = panel.thresholds(thresholds).thresholds_style(
            GraphThresholdsStyleConfig().mode(common.GraphTresholdsStyleMode.DASHED)
        )
    if bars:
        panel = panel.draw_style(common.GraphDrawStyle.BARS).fill_opacity(80)
    return panel


def status_history(
    title: str, target: Sql, *, width: int = 24, height: int = 14
) -> statetimeline.Panel:
    return (
        placed(statetimeline.Panel(), title, [target], width, height)
        .interval("1m")
        .mappings([STATUS_CODES])
        .show_value(common.VisibilityMode.NEVER)
        .merge_values(True)
        .row_height(0.9)
        .legend(VizLegendOptions().show_legend(False))
    )


def big_number(
    title: str,
    target: Sql,
    *,
    unit: str = "none",
    width: int = 4,
    height: int = 5,
    thresholds: ThresholdsConfig | None = None,
    mappings: list[ValueMapping] | None = None,
) -> stat.Panel:
    panel = (
        placed(stat.Panel(), title, [target], width, height)
        .unit(unit)
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .graph_mode(common.BigValueGraphMode.NONE)
        .reduce_options(ReduceDataOptions().values(True).calcs(["lastNotNull"]))
        .thresholds(thresholds or levels(base=GREEN))
    )
    if mappings:
        panel = panel.mappings(mappings)
    return panel


def gauge_bars(
    title: str,
    target: Sql,
    *,
    unit: str,
    thresholds: ThresholdsConfig,
    maximum: float,
    width: int = 6,
    height: int = 7,
) -> bargauge.Panel:
    return (
        placed(bargauge.Panel(), title, [target], width, height)
        .unit(unit)
        .min(0)
        .max(maximum)
        .thresholds(thresholds)
        .display_mode(common.BarGaugeDisplayMode.BASIC)
        .orientation(common.VizOrientation.HORIZONTAL)
        .reduce_options(ReduceDataOptions().values(True).calcs(["lastNotNull"]))
    )


def grid(
    title: str,
    target: Sql,
    *,
    width: int = 12,
    height: int = 10,
    coloured: dict[str, ValueMap] | None = None,
) -> table.Panel:
    """A table; the columns named in `coloured` get their cells coloured by the mapping."""
    panel = placed(table.Panel(), title, [target], width, height)
    for column, mapping in (coloured or {}).items():
        panel = panel.override_by_name(
            column,
            [
                DynamicConfigValue(id_val="mappings", value=[mapping]),
                DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-background"}),
            ],
        )
    return panel


def note(title: str, markdown: str, *, width: int = 24, height: int = 4) -> text.Panel:
    return (
        text.Panel()
        .title(title)
        .mode(TextMode.MARKDOWN)
        .content(markdown)
        .span(width)
        .height(height)
    )
