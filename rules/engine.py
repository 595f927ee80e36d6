"""One site's rules in memory: each device's recent readings, the newest reading of every
device, and each (rule, subject) series. Fed readings and presence, it returns the
transitions to write; it does no I/O."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from rules.context import DeviceState, Sample, SiteContext
from rules.judge import Action, Series, closed_by_person, step
from rules.model import Rule
from rules.observe import Observation, history_needed, observe, observe_presence
from rules.regimes import Period, regime_on

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (rule id, subject)
# Other devices' newest readings older than this are not context any more.
_LATEST_KEPT = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    rule: Rule
    obs: Observation
    breaches: int = 1
    worst: float | None = None
    # raise: when the condition began to hold; clear: when the clear condition began
    since: datetime | None = None


class SiteEngine:
    def __init__(
        self, ctx: SiteContext, rules: Mapping[str, Rule], open_keys: Iterable[Key]
    ) -> None:
        self.ctx = ctx
        self.windows: dict[str, deque[Sample]] = {}
        self.latest: dict[str, Sample] = {}
        self.series: dict[Key, Series] = {key: Series(open=True) for key in open_keys}
        self.set_rules(rules)

    def set_rules(self, rules: Mapping[str, Rule]) -> None:
        enabled = [r for r in rules.values() if r.enabled]
        self.rules = {r.id: r for r in enabled}
        self.presence_rules = [
            r for r in enabled if r.predicate and r.predicate.name == "device_offline"
        ]
        self.regime_rules = [r for r in enabled if r.predicate and r.predicate.name == "regime"]
        self.by_kind: dict[str, list[Rule]] = {}
        # rules that suppress others are judged first, so that one reading crossing both
        # the pre-alarm and the alarm raises the alarm only
        suppressors = {s for r in enabled for s in r.suppressed_by}
        for rule in sorted(enabled, key=lambda r: r.id not in suppressors):
            if rule not in self.presence_rules and rule not in self.regime_rules:
                self.by_kind.setdefault(rule.judges, []).append(rule)
        self.history = {
            kind: max((history_needed(r) for r in kind_rules), default=timedelta(0))
            for kind, kind_rules in self.by_kind.items()
        }
        # a rule switched off or removed leaves its open alerts to people; forget its series
        self.series = {k: s for k, s in self.series.items() if k[0] in self.rules}

    def remember(self, samples: Iterable[Sample]) -> None:
        """Take readings as history only (at start-up): no judgement, no alerts."""
        for sample in sorted(samples, key=lambda s: s.ts):
            self._keep(sample)

    def feed(self, samples: Sequence[Sample]) -> list[Transition]:
        """Judge new readings in time order; a reading not newer than its device's newest
        is skipped (it was seen already, or it is too late to judge live)."""
        out: list[Transition] = []
        for sample in sorted(samples, key=lambda s: s.ts):
            newest = self.latest.get(sample.device_id)
            if newest is not None and sample.ts <= newest.ts:
                continue
            window = self._keep(sample)
            for rule in self.by_kind.get(sample.kind, ()):
                try:
                    found = observe(rule, window, self.ctx, self.latest)
                except Exception:
                    # one faulty rule (a site's odd override, an odd reading) must not
                    # stop the others from judging this reading
                    log.exception(
                        "rule %s failed on %s at %s", rule.id, sample.device_id, sample.ts
                    )
                    continue
                for obs in found:
                    self._step(rule, obs, out)
        self._forget_stale()
        return out

    def presence(self, states: Sequence[DeviceState], now: datetime) -> list[Transition]:
        out: list[Transition] = []
        for rule in self.presence_rules:
            for obs in observe_presence(rule, states, self.ctx, now):
                self._step(rule, obs, out)
        return out

    def regimes(self, periods: Sequence[Period], today: date, now: datetime) -> list[Transition]:
        """The site is in a concreting regime today, or not."""
        out: list[Transition] = []
        for rule in self.regime_rules:
            assert rule.predicate is not None
            kind = str(rule.predicate.param("regime"))
            current = regime_on([p for p in periods if p.regime == kind], today)
            detail = f"{kind} regime since {current.start.isoformat()}" if current else ""
            obs = Observation(self.ctx.site_id, now, current is not None, current is None,
                              detail=detail)  # fmt: skip
            self._step(rule, obs, out)
        return out

    def finish_tasks(self, now: datetime) -> list[Transition]:
        """A quality alert outlives nothing: once its task is no longer under way, the
        excursion ends with it."""
        active = {t.id for t in self.ctx.tasks if t.active_at(now)}
        out = []
        for (rule_id, subject), series in list(self.series.items()):
            rule = self.rules.get(rule_id)
            if rule is None or not rule.scope.task_types or not series.open:
                continue
            task = subject.split("/", 1)[0]
            if task in active:
                continue
            self.series[(rule_id, subject)] = Series()
            obs = Observation(
                subject, now, False, True, task=task, detail="task no longer under way"
            )
            out.append(Transition("clear", rule, obs, 1, None, now))
        return out

    def sync_open(self, open_keys: set[Key]) -> None:
        """Align with the database: alerts resolved by a person close their series (the
        condition's clock starts again); alerts open there are open here."""
        for key, series in list(self.series.items()):
            if series.open and key not in open_keys:
                self.series[key] = closed_by_person(series)
        for key in open_keys:
            if key[0] in self.rules and not self.series.get(key, Series()).open:
                self.series[key] = Series(open=True)

    def _step(self, rule: Rule, obs: Observation, out: list[Transition]) -> None:
        key = (rule.id, obs.subject)
        before = self.series.get(key, Series())
        state, action = step(rule, before, obs)
        if action == "raise" and any(
            self.series.get((other, obs.subject), Series()).open for other in rule.suppressed_by
        ):
            state, action = replace(state, open=False), None
        self.series[key] = state
        if action is None:
            return
        if action == "repeat" and out:
            # one update per alert per pass: merge into this pass's last repeat of it
            for i in range(len(out) - 1, -1, -1):
                prior = out[i]
                if (prior.rule.id, prior.obs.subject) != key:
                    continue
                if prior.action == "repeat":
                    out[i] = Transition(
                        "repeat",
                        rule,
                        obs,
                        prior.breaches + 1,
                        _worse(rule, prior.worst, obs.value),
                    )
                    return
                break
        since = state.breach_since if action == "raise" else before.clear_since or obs.ts
        out.append(Transition(action, rule, obs, 1, obs.value, since))

    def _keep(self, sample: Sample) -> deque[Sample]:
        window = self.windows.get(sample.device_id)
        if window is None:
            window = self.windows[sample.device_id] = deque()
        window.append(sample)
        keep_from = sample.ts - self.history.get(sample.kind, timedelta(0))
        while len(window) > 1 and window[0].ts < keep_from:
            window.popleft()
        self.latest[sample.device_id] = sample
        return window

    def _forget_stale(self) -> None:
        if len(self.latest) < 2:
            return
        newest = max(s.ts for s in self.latest.values())
        for device, sample in list(self.latest.items()):
            if sample.ts < newest - max(_LATEST_KEPT, self.history.get(sample.kind, _LATEST_KEPT)):
                del self.latest[device]
                self.windows.pop(device, None)


def _worse(rule: Rule, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return a if b is None else b
    return max(a, b) if rule.rising else min(a, b)
