"""A target for Grafana's PostgreSQL data source. grafana-foundation-sdk has no builder
for it, so this is one in the SDK's own shape: a Dataquery variant and its builder. The
SQL comes from panels.sql by name; the columns the panel expects travel with it (not in
the JSON) so that the tests can check what each query returns."""

from __future__ import annotations

from typing import Literal, Self

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models.dashboard import DataSourceRef

from core.sql import load_queries

Format = Literal["time_series", "table"]
DATASOURCE_TYPE = "grafana-postgresql-datasource"
DATASOURCE_UID = "sitepulse-db"
DATASOURCE = DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)
PANEL_SQL = load_queries("dashboards", "panels.sql")
# the columns of every time-series query: one series per metric
TS = ("time", "metric", "value")


class SqlQuery(cogvariants.Dataquery):
    def __init__(
        self, name: str, raw_sql: str, fmt: Format, columns: tuple[str, ...], ref_id: str
    ) -> None:
        self.name = name
        self.raw_sql = raw_sql
        self.format = fmt
        self.columns = columns
        self.ref_id = ref_id

    def to_json(self) -> dict[str, object]:
        return {
            "datasource": DATASOURCE,
            "editorMode": "code",
            "format": self.format,
            "rawQuery": True,
            "rawSql": self.raw_sql,
            "refId": self.ref_id,
        }


class Sql(cogbuilder.Builder[SqlQuery]):
    """`Sql("floor_series", ("time", "metric", "value"), metric="temp_c", ...)`: the named
    query of panels.sql with its @token@s filled in."""

    def __init__(
        self, name: str, columns: tuple[str, ...], fmt: Format = "table", **tokens: str
    ) -> None:
        text = PANEL_SQL[name]
        for token, value in tokens.items():
            text = text.replace(f"@{token}@", value)
        text = text.rstrip().removesuffix(";")
        if "@" in text:
            msg = f"panel query {name} still has a @token@ to fill in: {text}"
            raise ValueError(msg)
        self._query = SqlQuery(name, text, fmt, columns, "A")

    def ref_id(self, ref_id: str) -> Self:
        self._query.ref_id = ref_id
        return self

    def build(self) -> SqlQuery:
        return self._query
