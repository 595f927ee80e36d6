"""One site's rules in memory: each device's recent readings, the newest reading of every
device, and each (rule, subject) series. Fed readings and presence, it returns the
transitions to write; it does no I/O.

Clocks. A device's ts may run up to 5 minutes ahead of its arrival (CONTRACT §1) or behind
it, so the engine orders readings by `at = min(ts, received_at)` (Sample.at): a reading
stamped ahead of its arrival counts at its arrival, a late or buffered one at its own ts.
Readings are judged in `at` order, each device's window is ordered and trimmed by `at`, and
the rules see each reading stamped at its `at`, so durations (`for:`), the freshness of
other devices' readings and the times of observations and alerts are all on that one clock.
A reading is judged once: per device, the identities (ts) of the readings judged within the
kind's span are remembered, so a reading read again is skipped while one that merely
arrived out of order is judged; a reading older than its device's newest judged `at` by
more than the span is not judged live (it is stored). Other devices' newest readings stay
as context until they have not been heard from, by the wall clock, for the span."""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import assert_never

from concrete.model import TaskConcrete
from rules.context import DeviceState, Sample, SiteContext
from rules.judge import Action, Series, closed_by_person, step
from rules.model import Rule
from rules.observation import Observation
from rules.observe import (
    history_needed,
    observe,
    observe_concrete,
    observe_presence,
    observe_regime,
)
from rules.predicates import OnConcrete, OnPresence, OnReading, OnRegime
from rules.regimes import Period

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (rule id, subject)
# A kind's span is its rules' history, at least this: a device not heard from for its span
# is no context for others any more, and a reading that much older than its device's newest
# is too late to judge live.
_SPAN_AT_LEAST = timedelta(minutes=2)


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
        # readings as judged (stamped at their `at`), oldest first
        self.windows: dict[str, deque[Sample]] = {}
        self.latest: dict[str, Sample] = {}
        self.judged: dict[str, JudgedReadings] = {}
        self.series: dict[Key, Series] = {key: Series(open=True) for key in open_keys}
        self.set_rules(rules)

    def set_rules(self, rules: Mapping[str, Rule]) -> None:
        enabled = [r for r in rules.values() if r.enabled]
        self.rules = {r.id: r for r in enabled}
        self.by_kind: dict[str, list[Rule]] = {}
        self.presence_rules: list[Rule] = []
        self.regime_rules: list[Rule] = []
        self.concrete_rules: list[Rule] = []
        # rules that suppress others are judged first, so that one reading crossing both
        # the pre-alarm and the alarm raises the alarm only
        suppressors = {s for r in enabled for s in r.suppressed_by}
        for rule in sorted(enabled, key=lambda r: r.id not in suppressors):
            match rule.predicate.declared if rule.predicate is not None else None:
                case None | OnReading():
                    self.by_kind.setdefault(rule.judges, []).append(rule)
                case OnPresence():
                    self.presence_rules.append(rule)
                case OnRegime():
                    self.regime_rules.append(rule)
                case OnConcrete():
                    self.concrete_rules.append(rule)
                case unknown:
                    assert_never(unknown)
        self.history = {
            kind: max((history_needed(r) for r in kind_rules), default=timedelta(0))
            for kind, kind_rules in self.by_kind.items()
        }
        # a rule switched off or removed leaves its open alerts to people; forget its series
        self.series = {k: s for k, s in self.series.items() if k[0] in self.rules}

    def remember(self, samples: Iterable[Sample]) -> None:
        """Take readings as history only (at start-up): no judgement, no alerts."""
        for sample in sorted(samples, key=_at):
            if self._admit(sample):
                self._keep(sample.as_judged())

    def feed(self, samples: Sequence[Sample], now: datetime | None = None) -> list[Transition]:
        """Judge new readings in `at` order, each once (see the module's note on clocks).
        `now`, the wall clock (default: the system's), tells which devices went quiet."""
        out: list[Transition] = []
        for sample in sorted(samples, key=_at):
            if not self._admit(sample):
                continue
            window = self._keep(sample.as_judged())
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
        self._forget_stale(datetime.now(UTC) if now is None else now)
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
            for obs in observe_regime(rule, periods, self.ctx, today, now):
                self._step(rule, obs, out)
        return out

    def concrete(self, pours: Sequence[TaskConcrete], now: datetime) -> list[Transition]:
        """The concrete of the site's pours, as it stands now."""
        out: list[Transition] = []
        for rule in self.concrete_rules:
            for obs in observe_concrete(rule, pours, self.ctx, now):
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

    def _span(self, kind: str) -> timedelta:
        return max(_SPAN_AT_LEAST, self.history.get(kind, _SPAN_AT_LEAST))

    def _admit(self, sample: Sample) -> bool:
        """Whether the reading is to be judged now (and if so, it counts as judged)."""
        judged = self.judged.get(sample.device_id)
        if judged is None:
            judged = self.judged[sample.device_id] = JudgedReadings()
        elif not judged.admits(sample):
            return False
        judged.add(sample, self._span(sample.kind))
        return True

    def _keep(self, sample: Sample) -> Sequence[Sample]:
        """Place a reading (as judged) in its device's window and return the window up to
        it; the window keeps the kind's history back from its newest reading."""
        window = self.windows.get(sample.device_id)
        if window is None:
            window = self.windows[sample.device_id] = deque()
        upto: Sequence[Sample] = window
        if not window or window[-1].ts <= sample.ts:
            window.append(sample)
        else:  # out of order: judged against the readings before it
            i = bisect_right(window, sample.ts, key=_ts)
            window.insert(i, sample)
            upto = list(islice(window, i + 1))
        keep_from = window[-1].ts - self.history.get(sample.kind, timedelta(0))
        while len(window) > 1 and window[0].ts < keep_from:
            window.popleft()
        newest = self.latest.get(sample.device_id)
        if newest is None or newest.ts <= sample.ts:
            self.latest[sample.device_id] = sample
        return upto

    def _forget_stale(self, now: datetime) -> None:
        """Devices not heard from for their kind's span are no context any more."""
        for device, sample in list(self.latest.items()):
            heard = sample.received_at or sample.ts
            if heard < now - self._span(sample.kind):
                del self.latest[device]
                self.windows.pop(device, None)
                self.judged[device].seal()


class JudgedReadings:
    """One device's readings judged lately, by identity (ts), and the floor at or below
    which (by `at`) none is judged any more. Bounded: identities at or below the floor,
    which follows the newest judged `at` a span behind, are forgotten."""

    __slots__ = ("_order", "_seen", "floor", "newest")

    def __init__(self) -> None:
        self.newest: datetime | None = None
        self.floor: datetime | None = None
        self._seen: set[datetime] = set()
        self._order: deque[tuple[datetime, datetime]] = deque()  # (at, ts), as judged

    def __len__(self) -> int:
        return len(self._seen)

    def admits(self, sample: Sample) -> bool:
        return (self.floor is None or sample.at > self.floor) and sample.ts not in self._seen

    def add(self, sample: Sample, span: timedelta) -> None:
        at = sample.at
        self._seen.add(sample.ts)
        self._order.append((at, sample.ts))
        if self.newest is None or at > self.newest:
            self.newest = at
            self._raise_floor(at - span)

    def seal(self) -> None:
        """The device went quiet: nothing up to its newest reading is judged again."""
        if self.newest is not None:
            self._raise_floor(self.newest)

    def _raise_floor(self, floor: datetime) -> None:
        if self.floor is not None and floor <= self.floor:
            return
        self.floor = floor
        # what arrived out of order may wait behind a newer entry; it is below the floor
        # meanwhile, and the floor alone keeps it from being judged
        while self._order and self._order[0][0] <= floor:
            self._seen.discard(self._order.popleft()[1])


def _at(sample: Sample) -> datetime:
    return sample.at


def _ts(sample: Sample) -> datetime:
    return sample.ts


def _worse(rule: Rule, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return a if b is None else b
    return max(a, b) if rule.rising else min(a, b)
