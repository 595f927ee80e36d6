"""The concrete predicates, judged by the engine on pours' concrete as the report gives it:
when frost before the critical strength and a late stripping raise, and when they clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from concrete.model import MilestoneOut, NextTask, ProbeConcrete, TaskConcrete
from rules.context import SiteContext
from rules.engine import SiteEngine
from rules.messages import alert_message
from rules.packs import load_rules, pack_files

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
CTX = SiteContext(site_id="s", tz=ZoneInfo("Asia/Shanghai"), floor_names={2: "2F"})
RULES = {k: r for k, r in load_rules(pack_files()).items() if k.startswith("concrete.")}


def milestone(status: str, at: datetime | None, mpa: float) -> MilestoneOut:
    return MilestoneOut.model_validate(
        {"at": at, "status": status, "target_mpa": mpa, "target_pct": mpa / 0.3, "source": "s"}
    )


def pour(**changes: Any) -> TaskConcrete:
    probe = ProbeConcrete(
        device="p1",
        floor=2,
        zone=None,
        readings=10,
        last_ts=NOW,
        last_temp_c=8.0,
        maturity_degc_h=108.0,
        equivalent_age_h=3.6,
        strength_mpa=0.0,
        strength_pct=0.0,
        gaps=[],
    )
    base: dict[str, Any] = {
        "task": "POUR-2",
        "floors": [2],
        "since": NOW - 6 * H,
        "since_source": "actual",
        "datum_c": -10.0,
        "gap_limit_h": 2.0,
        "probe": "p1",
        "maturity_degc_h": 108.0,
        "equivalent_age_h": 3.6,
        "strength_mpa": 0.0,
        "strength_pct": 0.0,
        "grade": "C30",
        "grade_source": "site default",
        "calibrated": False,
        "stripping_at": milestone("forecast", NOW + 170 * H, 22.5),
        "frost_safe_at": milestone("forecast", NOW + 44 * H, 9.0),
        "air_frost_at": NOW + 4 * H,
        "next_task": None,
        "stripping_late_days": None,
        "probes": [probe],
        "strength_history": [],
        "computed_at": NOW,
    }
    return TaskConcrete.model_validate(base | changes)


def judged(*pours: TaskConcrete) -> dict[str, list[str]]:
    engine = SiteEngine(CTX, RULES, [])
    out: dict[str, list[str]] = {}
    for t in engine.concrete(list(pours), NOW):
        out.setdefault(t.rule.id, []).append(f"{t.action} {alert_message(t.rule, t.obs, CTX)}")
    return out


def test_frost_forecast_before_the_critical_strength_raises_naming_both_times() -> None:
    found = judged(pour())
    assert found == {
        "concrete.frost_before_strength": [
            "raise POUR-2 on 2F: air forecast at 12-02 14:00 frost; 0.0 MPa now, critical "
            "9.0 MPa forecast 12-04 06:00: cover and heat it"
        ]
    }


def test_no_frost_alert_once_safe_or_when_the_strength_comes_first_or_no_frost_comes() -> None:
    assert judged(pour(frost_safe_at=milestone("reached", NOW - H, 9.0))) == {}
    assert judged(pour(frost_safe_at=milestone("forecast", NOW + 3 * H, 9.0))) == {}
    assert judged(pour(air_frost_at=None)) == {}
    assert judged(pour(probes=[])) == {}  # no probe: no evidence either way


def test_frost_with_no_strength_forecast_at_all_raises() -> None:
    cold = pour(frost_safe_at=milestone("not_forecast", None, 9.0))
    assert "not forecast within 28 days" in judged(cold)["concrete.frost_before_strength"][0]


def test_the_alert_clears_when_the_concrete_reaches_its_critical_strength() -> None:
    engine = SiteEngine(CTX, RULES, [])
    assert [t.action for t in engine.concrete([pour()], NOW)] == ["raise"]
    safe = pour(frost_safe_at=milestone("reached", NOW + H, 9.0))
    assert [t.action for t in engine.concrete([safe], NOW + H)] == ["clear"]


def test_a_stripping_forecast_after_the_next_tasks_start_is_a_risk_naming_the_days() -> None:
    nxt = NextTask(id="FORM-3", name="3F formwork", type="formwork", floors=[3],
                   planned_start=NOW + 48 * H)  # fmt: skip
    late = pour(air_frost_at=None, next_task=nxt, stripping_late_days=5.08)
    assert judged(late) == {
        "concrete.stripping_late": [
            "raise POUR-2 on 2F: schedule risk: stripping strength 22.5 MPa forecast 12-09 "
            "12:00, 5.1 days after 3F formwork (FORM-3) is planned to start 12-04 10:00"
        ]
    }
    early = pour(air_frost_at=None, next_task=nxt, stripping_late_days=-0.5)
    assert judged(early) == {}
    reached = pour(
        air_frost_at=None,
        next_task=nxt,
        stripping_at=milestone("reached", NOW - H, 22.5),
        stripping_late_days=None,
    )
    assert judged(reached) == {}
    never = pour(
        air_frost_at=None,
        next_task=nxt,
        stripping_at=milestone("not_forecast", None, 22.5),
        stripping_late_days=None,
    )
    assert "not within 28 days of 3F formwork" in judged(never)["concrete.stripping_late"][0]
