"""Hypothesis strategies for event streams, built from a plan: random, meeting, missing, at the threshold.

`events_for(plan)` draws streams of any of the plan's event types with valid values for every
field kind. `meeting(plan, indicator)` and `missing(plan, indicator)` draw streams constructed
so that the indicator is met, or not met, in every period of the evaluation window; nothing is
filtered. `around_threshold(plan, indicator)` draws the streams just below, exactly at and just
above the indicator's threshold.

How a stream is constructed. The periods of the window are built in order (a trend's baseline
years first), each cut into segments that every measure sees alike (the periods of every
calendar involved, either side of each deadline); a period that reads earlier ones (a trend, a
year to date) is solved with their events fixed. A reference to an indicator judged over
longer periods makes the stretch built at once that longer period. Periods the window cuts
are not asked a verdict (the evaluator does not judge them). The boolean expression is broken into goals: atoms (a comparison, a `between`, an
`existe`), each in the period and with the deadline it is measured in, that must be true or
false; `ou`/`et`/`non` choose which. A reference is followed as the evaluator follows it: a
monitored indicator is measured again on the referring periods; any other indicator is a
verdict on its own periods and deadline, all of which must hold within the referring period.
The events of each type are split into regions, one per combination of the type's `où`
conditions holding or not; a region is a box of field values solved from the conditions (=,
!=, <, <=, >, >=, dans, pas dans, entre, et, ou, non, boolean fields). The unknowns are, per
segment, the number of events per region, the values of the fields that are summed, averaged,
compared by min/max or read as the latest (a duration is such a value: its two dates are then
written from it, in days or Belgian working days), how many repeat a value counted distinct,
how many leave an optional field blank, and for a share of units how many units reach the
count and how many fall short. Each goal is solved on one unknown at a time (two when one will not do)
by probing the values its threshold suggests and bisecting to the exact value where the
comparison flips. A small model of the evaluator (written apart from it: the property tests
compare the two) checks every candidate. Exotic conditions (a field compared with another
field) are satisfied by generate-and-check within the box, with a clear error when no value is
found. Monitored indicators, milestones and targets to be defined have no threshold: ValueError.

Streams are meant for `indicateurs.evaluate(plan, events, period=<same period>, as_of=<any date
on or after the end of the window>)`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any, Literal, TypeVar

import attrs
from hypothesis import strategies as st

from .. import measures, trends
from .. import model as m
from .. import units as units_rules
from ..calendars import PeriodSpec, spec_of, value_in
from ..durations import END_NAMES, ROW_DATE, days_between, is_working_day
from ..precision import settle
from ..refvalues import value_over
from ..results import Status

T = TypeVar("T")
Record = dict[str, Any]
Value = float | bool | None
VarKey = tuple[
    Any, ...
]  # ("n", type, region, s) | ("w"|"v", type, region, field, s) | ("um"|"uf", share, key) …

__all__ = [
    "Threshold",
    "ThresholdCase",
    "UnsatisfiableError",
    "around_threshold",
    "buildable_indicators",
    "evaluation_window",
    "events_for",
    "field_values",
    "matching_event",
    "meeting",
    "missing",
]

N_CAP = 20_000  # most events of one region in one period
MIN_DATE = dt.date(1970, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_DAYS = 3650  # the longest duration a construction asks for
_MAX_ALTERNATIVES = 64
_MAX_TERMS = 256
_GENERATE_TRIES = 300
_PROBE_BUDGET = 3000  # candidate constructions tried per period before giving up (a few hundred suffice)


class UnsatisfiableError(ValueError):
    """No stream can give the indicator the asked verdict (or the construction cannot find one)."""


# ---------------------------------------------------------------------------- windows


def evaluation_window(
    plan: m.Plan, period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None
) -> m.PlanPeriod:
    """The evaluation window, by the rules of `indicateurs.evaluate`'s `period` argument."""
    if isinstance(period, m.PlanPeriod):
        return period
    if isinstance(period, int):
        return m.PlanPeriod(dt.date(period, 1, 1), dt.date(period, 12, 31))
    if period is not None:
        start, end = period
        return m.PlanPeriod(start, end)
    if plan.period is not None:
        return plan.period
    today = dt.date.today()
    return m.PlanPeriod(today.replace(month=1, day=1), today.replace(month=12, day=31))


@attrs.frozen
class _Ctx:
    """Where an expression is measured: its periods (unit and calendar) and its deadline."""

    spec: PeriodSpec
    deadline: dt.date | None

    @property
    def unit(self) -> m.PeriodUnit:
        return self.spec.unit


@attrs.frozen
class _Segment:
    """Days of one period of the indicator that every measure sees alike: the same period of
    every calendar involved, the same side of every deadline."""

    start: dt.date
    end: dt.date

    def key(self, spec: PeriodSpec) -> int:
        return spec.key_of(self.start)

    def counted(self, ctx: _Ctx, key: int) -> bool:
        return ctx.spec.contains(key, self.start) and (ctx.deadline is None or self.end <= ctx.deadline)


@attrs.frozen
class _Bucket:
    """A stretch of the window built at once: one period of the indicator (or of the longest
    period it refers to), its days not in an earlier bucket (a year to date adds one quarter to
    the earlier ones), cut into segments."""

    label: str
    key: int
    keys: tuple[int, ...]  # the indicator's own periods judged within it
    segments: tuple[_Segment, ...]
    shape: tuple[Any, ...]  # buckets of the same shape take the same construction
    cut: frozenset[int] = frozenset()  # own periods cut by the window (a school year begun before it)
    free: frozenset[int] = frozenset()  # own periods not judged: a trend's baseline years, its first period


def _own_buckets(p: _Problem, window: m.PlanPeriod) -> list[int]:
    return [b.key for b in p.own.spec.buckets(window)]


def _buckets(p: _Problem, window: m.PlanPeriod) -> list[_Bucket]:
    own, outer = p.own.spec, p.outer
    specs = sorted({s for s in p.specs if s.unit is not m.PeriodUnit.WHOLE}, key=repr)
    deadlines = sorted(p.deadlines)
    own_keys = set(_own_buckets(p, window))
    partial = {b.key for b in own.buckets(window) if b.partial and own.unit is not m.PeriodUnit.WHOLE}
    free = p.free_keys(window)
    out = []
    covered: dt.date | None = None
    for b in outer.buckets(window):
        start = b.start if covered is None else max(b.start, covered + dt.timedelta(days=1))
        end = b.end
        if start > end:
            continue
        covered = end
        cuts = {start}
        for spec in specs:
            plain = PeriodSpec(spec.unit, spec.start_month)
            for k in plain.keys_between(start, end):
                first, _ = plain.key_range(k, window)
                if start < first <= end:
                    cuts.add(first)
        for d in deadlines:
            after = d + dt.timedelta(days=1)
            if start < after <= end:
                cuts.add(after)
        ordered = sorted(cuts)
        segments = tuple(
            _Segment(a, ordered[i + 1] - dt.timedelta(days=1) if i + 1 < len(ordered) else end)
            for i, a in enumerate(ordered)
        )
        if outer == own:
            keys: tuple[int, ...] = (b.key,)
        else:
            keys = tuple(k for k in own.keys_between(b.start, b.end) if k in own_keys)
        cut = frozenset(k for k in keys if k in partial)
        shape = (
            tuple(
                (
                    tuple(sorted({s.key(sp) for s in segments}).index(seg.key(sp)) for sp in specs),
                    tuple(seg.end <= d for d in deadlines),
                )
                for seg in segments
            ),
            tuple((k in cut, k in free) for k in keys),
        )
        out.append(
            _Bucket(b.label, b.key, keys, segments, shape, cut, frozenset(k for k in keys if k in free))
        )
    early = p.baseline_keys
    return [b for b in out if b.key in early] + [b for b in out if b.key not in early]


# ---------------------------------------------------------------------------- references


def _reference_ctx(plan: m.Plan, ref: m.Indicator, ctx: _Ctx) -> _Ctx:
    """Where the evaluator measures a referenced indicator: a monitored one again on the
    referring periods (with its own deadline, if any); any other on its own periods and deadline."""
    if ref.kind is m.IndicatorKind.MONITORED:
        return _Ctx(ctx.spec, ref.deadline or ctx.deadline)
    return _Ctx(spec_of(ref, plan), ref.deadline)


def _keys_within(inner: PeriodSpec, outer: PeriodSpec, key: int, window: m.PlanPeriod) -> tuple[int, ...]:
    """The periods of `inner` that a period `key` of `outer` reads (the same key when alike)."""
    if inner == outer:
        return (key,)
    return inner.keys_between(*outer.key_range(key, window))


def _verdict_keys(inner: PeriodSpec, outer: PeriodSpec, key: int, window: m.PlanPeriod) -> tuple[int, ...]:
    """The periods of a referenced verdict that a period reads: those within it, not cut by the
    window (a partial period is not judged, so it says nothing here either)."""
    partial = {b.key for b in inner.buckets(window) if b.partial}
    return tuple(k for k in _keys_within(inner, outer, key, window) if k not in partial)


def _reads(plan: m.Plan, expr: m.Expr, ctx: _Ctx) -> list[tuple[m.Aggregate | m.UnitShare, _Ctx]]:
    """The aggregates a value reads, through every reference, where each is measured (as the
    evaluators list them to know whether a baseline year counted any event)."""
    out: list[tuple[m.Aggregate | m.UnitShare, _Ctx]] = []
    stack = [(expr, ctx, 0)]
    while stack:
        node_expr, c, depth = stack.pop()
        for node in m.walk(node_expr):
            if isinstance(node, m.Aggregate | m.UnitShare):
                out.append((node, c))
            elif isinstance(node, m.IndicatorRef) and depth < 64:
                ref = plan.indicator(node.name)
                if ref.expr is not None:
                    stack.append((ref.expr, _reference_ctx(plan, ref, c), depth + 1))
    return out


def _reachable(plan: m.Plan, ind: m.Indicator) -> list[tuple[m.Expr, _Ctx]]:
    """Every expression the indicator evaluates, through its references, with where it is measured."""
    assert ind.expr is not None
    out: list[tuple[m.Expr, _Ctx]] = []
    stack: list[tuple[m.Expr, _Ctx, int]] = [(ind.expr, _Ctx(spec_of(ind, plan), ind.deadline), 0)]
    while stack:
        expr, ctx, depth = stack.pop()
        if depth > 64:
            raise ValueError(f"« {ind.id} » : références d'indicateurs trop profondes (cycle ?)")
        out.append((expr, ctx))
        for node in m.walk(expr):
            if not isinstance(node, m.IndicatorRef):
                continue
            ref = plan.indicator(node.name)
            if ref.expr is None:
                raise ValueError(f"« {ind.id} » : l'indicateur référencé « {ref.id} » n'a pas d'expression")
            inner = _reference_ctx(plan, ref, ctx)
            if inner.spec != ctx.spec and not (inner.spec.standard and ctx.spec.standard):
                raise ValueError(
                    f"« {ind.id} » : « {ref.id} » est jugé sur d'autres périodes (année scolaire, "
                    "exercice ou cumul) que celles qui y font référence ; ces stratégies ne construisent "
                    "pas de tels flux"
                )
            stack.append((ref.expr, inner, depth + 1))
    return out


# ---------------------------------------------------------------------------- choices


class _Chooser:
    """The choices a construction makes; this one always takes the first, simplest option."""

    deterministic = True

    def index(self, n: int) -> int:
        return 0

    def integer(self, lo: int, hi: int) -> int:
        return lo

    def flag(self) -> bool:
        return False

    def draw(self, strategy: st.SearchStrategy[T], default: T) -> T:
        return default

    def pooled(self, strategy: st.SearchStrategy[T]) -> T | None:
        return None

    def cheap(self) -> _Chooser:
        """The chooser for the many cosmetic choices of a stream (dates, free fields, blanks)."""
        return self


@functools.lru_cache(maxsize=512)
def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


_BOOLEANS = st.booleans()


class _Drawing(_Chooser):
    """Choices drawn by Hypothesis, so that they vary and shrink towards the simplest option.

    Free field values (those the indicator does not read) come from a small pool per field,
    drawn once per stream: drawing a text per event would make long streams slow.
    """

    deterministic = False

    def __init__(self, draw: st.DrawFn):
        self._draw = draw
        self._pools: dict[int, list[Any]] = {}
        self._cheap: _Seeded | None = None

    def index(self, n: int) -> int:
        return self._draw(_integers(0, n - 1)) if n > 1 else 0

    def integer(self, lo: int, hi: int) -> int:
        return self._draw(_integers(lo, hi)) if hi > lo else lo

    def flag(self) -> bool:
        return self._draw(_BOOLEANS)

    def draw(self, strategy: st.SearchStrategy[T], default: T) -> T:
        return self._draw(strategy)

    def pooled(self, strategy: st.SearchStrategy[T]) -> T:
        pool = self._pools.setdefault(id(strategy), [])
        i = self.index(len(pool) + 1) if len(pool) < 4 else self.index(len(pool))
        if i == len(pool):
            pool.append(self._draw(strategy))
        return pool[i]  # type: ignore[no-any-return]

    def cheap(self) -> _Chooser:
        if self._cheap is None:
            self._cheap = _Seeded(self, self._draw(_integers(0, 2**32)))
        return self._cheap


class _Seeded(_Chooser):
    """Cosmetic choices from a seeded generator: one draw for a whole stream; pools still drawn."""

    deterministic = False

    def __init__(self, parent: _Drawing, seed: int):
        self._parent = parent
        self._rng = random.Random(seed)
        self._pools: dict[int, list[Any]] = {}

    def index(self, n: int) -> int:
        return self._rng.randrange(n) if n > 1 else 0

    def integer(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi) if hi > lo else lo

    def flag(self) -> bool:
        return self._rng.random() < 0.5

    def draw(self, strategy: st.SearchStrategy[T], default: T) -> T:
        return self._parent.draw(strategy, default)

    def pooled(self, strategy: st.SearchStrategy[T]) -> T:
        pool = self._pools.setdefault(id(strategy), [])
        if len(pool) < 3:
            pool.append(self._parent.draw(strategy, None))
        return pool[self._rng.randrange(len(pool))]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- domains


@attrs.frozen
class _Num:
    """Numbers a field may take: integers (and dates as day numbers) or decimals."""

    integer: bool
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    excluded: frozenset[float] = frozenset()

    @staticmethod
    def make(
        integer: bool,
        lo: float = -math.inf,
        hi: float = math.inf,
        lo_open: bool = False,
        hi_open: bool = False,
        excluded: frozenset[float] = frozenset(),
    ) -> _Num:
        if integer:
            if math.isfinite(lo):
                lo = math.floor(lo) + 1 if lo_open else math.ceil(lo)
            if math.isfinite(hi):
                hi = math.ceil(hi) - 1 if hi_open else math.floor(hi)
            lo_open = hi_open = False
            excluded = frozenset(x for x in excluded if float(x).is_integer())
        return _Num(integer, lo, hi, lo_open, hi_open, excluded)

    def meet(self, other: _Num) -> _Num:
        lo, lo_open = self.lo, self.lo_open
        if other.lo > lo or (other.lo == lo and other.lo_open):
            lo, lo_open = other.lo, other.lo_open
        hi, hi_open = self.hi, self.hi_open
        if other.hi < hi or (other.hi == hi and other.hi_open):
            hi, hi_open = other.hi, other.hi_open
        return _Num.make(self.integer, lo, hi, lo_open, hi_open, self.excluded | other.excluded)

    def contains(self, x: float) -> bool:
        if self.integer and not float(x).is_integer():
            return False
        if x < self.lo or (x == self.lo and self.lo_open) or x > self.hi or (x == self.hi and self.hi_open):
            return False
        return x not in self.excluded

    def empty(self) -> bool:
        if self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open)):
            return True
        if self.integer and math.isfinite(self.lo) and math.isfinite(self.hi) and self.hi - self.lo < 4096:
            return all(float(x) in self.excluded for x in range(int(self.lo), int(self.hi) + 1))
        return self.lo == self.hi and self.lo in self.excluded

    def near(self, x: float) -> float | None:
        """The member closest to `x` (searching a little around it), or None."""
        c = min(max(x, self.lo), self.hi)
        if self.integer:
            c = float(round(c))
            c = min(max(c, self.lo), self.hi)
            for step in range(0, 200):
                for cand in (c + step, c - step):
                    if self.contains(cand):
                        return cand
            return None
        if not self.contains(c):
            width = self.hi - self.lo
            inward = 0.5 if not math.isfinite(width) else min(0.5, width / 2)
            if c <= self.lo:
                c = self.lo + inward
            elif c >= self.hi:
                c = self.hi - inward
        for k in range(200):
            cand = c + 0.25 * ((k + 1) // 2) * (1 if k % 2 else -1)
            if self.contains(cand):
                return cand
        return None

    def typical(self) -> float | None:
        return self.near(1.0)

    def fresh(self, k: int) -> float | None:
        """The k-th of distinct members: from the typical one upwards, then downwards.

        A finite domain (a bounded integer range) cycles through its members.
        """
        members = self.finite_members()
        if members is not None:
            return members[k % len(members)] if members else None
        start = self.typical()
        if start is None:
            return None
        step = 1.0
        if not self.integer and math.isfinite(self.hi - self.lo):
            step = min(1.0, (self.hi - self.lo) / (4 * (k + 2)))
        if not self.excluded and start + k * step <= self.hi:
            return start + k * step
        seen = 0
        x = start
        while x <= self.hi:
            if self.contains(x):
                if seen == k:
                    return x
                seen += 1
            x += step
        x = start - step
        while x >= self.lo:
            if self.contains(x):
                if seen == k:
                    return x
                seen += 1
            x -= step
        return None

    def finite_members(self) -> list[float] | None:
        if not self.integer or not (math.isfinite(self.lo) and math.isfinite(self.hi)):
            return None
        if self.hi - self.lo > 4096:
            return None
        return [float(x) for x in range(int(self.lo), int(self.hi) + 1) if float(x) not in self.excluded]

    def sample(self, chooser: _Chooser, around: float | None = None) -> float | None:
        base = self.typical() if around is None else self.near(around)
        if base is None or chooser.deterministic:
            return base
        offset = chooser.integer(-20, 40)
        cand = base + (offset if self.integer else offset / 4)
        return cand if self.contains(cand) else base

    def probe_points(self, consts: Sequence[float]) -> list[float]:
        raw: set[float] = set(float(x) for x in range(-3, 13))
        raw.update(float(4**k) for k in range(2, 11))
        raw.update(-float(4**k) for k in range(1, 6))
        for c in consts:
            if not math.isfinite(c):
                continue
            for d in (-2, -1, -0.5, 0, 0.5, 1, 2):
                raw.add(c + d)
                raw.add(round(c) + d)
        for bound in (self.lo, self.hi):
            if math.isfinite(bound):
                raw.update((bound, bound + 1, bound - 1, bound + 0.5, bound - 0.5))
        out = set()
        for x in raw:
            y = self.near(x) if not self.contains(x) else x
            if y is not None:
                out.add(y)
        return sorted(out)


@attrs.frozen
class _Set:
    """Values of a text, enumeration or boolean field: all, some allowed, some excluded."""

    universe: tuple[Any, ...] | None  # None: any text
    allowed: frozenset[Any] | None = None
    excluded: frozenset[Any] = frozenset()

    def meet(self, other: _Set) -> _Set:
        allowed = self.allowed
        if other.allowed is not None:
            allowed = other.allowed if allowed is None else allowed & other.allowed
        return _Set(self.universe, allowed, self.excluded | other.excluded)

    def members(self) -> list[Any] | None:
        pool: Sequence[Any] | None = self.universe
        if self.allowed is not None:
            pool = [v for v in (self.universe or sorted(self.allowed, key=str)) if v in self.allowed]
        if pool is None:
            return None
        return [v for v in pool if v not in self.excluded]

    def contains(self, x: Any) -> bool:
        members = self.members()
        return x not in self.excluded if members is None else x in members

    def empty(self) -> bool:
        members = self.members()
        return members is not None and not members

    def fresh(self, k: int, name: str) -> Any:
        members = self.members()
        if members is not None:
            return members[k % len(members)]
        i = k
        while True:
            value = f"{name} {i + 1}"
            if value not in self.excluded:
                return value
            i += 1

    def sample(self, chooser: _Chooser, name: str) -> Any:
        members = self.members()
        if members is not None:
            return members[chooser.index(len(members))]
        value = chooser.draw(_text_values(), f"{name} 1")
        return value if value not in self.excluded else self.fresh(chooser.integer(0, 50), name)


_Domain = _Num | _Set


def _base_domain(decl: m.FieldDecl) -> _Domain:
    kind = decl.kind
    if decl.duration is not None:  # days between two dates of the event
        return _Num.make(True, 0.0, float(MAX_DAYS))
    if kind is m.FieldKind.INTEGER:
        return _Num.make(True)
    if kind is m.FieldKind.DECIMAL:
        return _Num.make(False)
    if kind is m.FieldKind.DATE:
        return _Num.make(True, float(MIN_DATE.toordinal()), float(MAX_DATE.toordinal()))
    if kind is m.FieldKind.BOOLEAN:
        return _Set((True, False))
    if kind is m.FieldKind.ENUM:
        return _Set(tuple(decl.values))
    return _Set(None)


def _typed(decl: m.FieldDecl, value: Any) -> Any:
    """A domain value as the evaluator holds it after conversion."""
    if value is None:
        return None
    kind = decl.kind
    if kind is m.FieldKind.INTEGER:
        return int(value)
    if kind is m.FieldKind.DECIMAL:
        return float(value)
    if kind is m.FieldKind.DATE:
        return dt.date.fromordinal(int(value))
    return value


# ---------------------------------------------------------------------------- conditions


@attrs.frozen
class _Atom:
    field: str
    op: str  # = != < <= > >= in notin
    values: tuple[Any, ...]


@attrs.frozen
class _Residual:
    """A condition the solver does not take apart: satisfied by generate-and-check."""

    expr: m.Expr
    want: bool


_Term = tuple[_Atom | _Residual, ...]
_NEGATED = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "notin", "notin": "in"}
_FLIPPED = {"=": "=", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


class _ExoticError(Exception):
    pass


def _literal(expr: m.Expr, decl: m.FieldDecl) -> Any:
    """A literal of a condition as a value of the field's domain."""
    kind = decl.kind
    match expr:
        case m.Number() if kind.numeric:
            return expr.effective
        case m.Negative(operand=m.Number() as n) if kind.numeric:
            return -n.effective
        case m.DateValue(value=d) if kind is m.FieldKind.DATE:
            return float(d.toordinal())
        case m.Boolean(value=b) if kind is m.FieldKind.BOOLEAN:
            return b
        case m.Name(name=name) if kind is m.FieldKind.ENUM:
            return name
        case m.Text(value=v) if kind in (m.FieldKind.TEXT, m.FieldKind.ENUM):
            return v
    raise _ExoticError


def _field_of(expr: m.Expr, et: m.EventType) -> m.FieldDecl | None:
    if isinstance(expr, m.Name):
        return et.field(expr.name)
    return None


def _product(left: list[_Term], right: list[_Term]) -> list[_Term]:
    out = []
    for a, b in itertools.product(left, right):
        out.append(a + b)
        if len(out) >= _MAX_TERMS:
            break
    return out


def _dnf(cond: m.Expr, want: bool, et: m.EventType) -> list[_Term]:
    """The condition (or its negation) as alternatives of conjunctions of atoms."""
    match cond:
        case m.And(left=a, right=b):
            if want:
                return _product(_dnf(a, True, et), _dnf(b, True, et))
            return (_dnf(a, False, et) + _dnf(b, False, et))[:_MAX_TERMS]
        case m.Or(left=a, right=b):
            if want:
                return (_dnf(a, True, et) + _dnf(b, True, et))[:_MAX_TERMS]
            return _product(_dnf(a, False, et), _dnf(b, False, et))
        case m.Not(operand=o):
            return _dnf(o, not want, et)
    try:
        return _atoms(cond, want, et)
    except _ExoticError:
        return [(_Residual(cond, want),)]


def _atoms(cond: m.Expr, want: bool, et: m.EventType) -> list[_Term]:
    match cond:
        case m.BoolField(name=name):
            if et.field(name) is None:
                raise _ExoticError
            return [(_Atom(name, "=", (want,)),)]
        case m.Compare(op=op, left=left, right=right):
            decl, other, symbol = _field_of(left, et), right, op.value
            if decl is None or _field_of(right, et) is not None:
                decl, other, symbol = _field_of(right, et), left, _FLIPPED[op.value]
                if decl is None or _field_of(left, et) is not None:
                    raise _ExoticError
            value = _literal(other, decl)
            return _split(decl, symbol if want else _NEGATED[symbol], (value,))
        case m.Between(value=v, low=lo, high=hi):
            decl = _field_of(v, et)
            if decl is None:
                raise _ExoticError
            low, high = _literal(lo, decl), _literal(hi, decl)
            if want:
                return [(_Atom(decl.name, ">=", (low,)), _Atom(decl.name, "<=", (high,)))]
            return [(_Atom(decl.name, "<", (low,)),), (_Atom(decl.name, ">", (high,)),)]
        case m.InList(value=v, items=items, negated=negated):
            decl = _field_of(v, et)
            if decl is None:
                raise _ExoticError
            values = tuple(_literal(i, decl) for i in items)
            return _split(decl, "in" if want is not negated else "notin", values)
    raise _ExoticError


def _split(decl: m.FieldDecl, op: str, values: tuple[Any, ...]) -> list[_Term]:
    """Numeric `in` lists become alternatives of equalities; `not in` conjunctions of `!=`."""
    if decl.kind in (m.FieldKind.INTEGER, m.FieldKind.DECIMAL, m.FieldKind.DATE):
        if op == "in":
            return [(_Atom(decl.name, "=", (v,)),) for v in values]
        if op == "notin":
            return [tuple(_Atom(decl.name, "!=", (v,)) for v in values)]
    return [(_Atom(decl.name, op, values),)]


def _atom_domain(atom: _Atom, base: _Domain) -> _Domain:
    op, values = atom.op, atom.values
    if isinstance(base, _Num):
        v = float(values[0])
        integer = base.integer
        if op == "=":
            return _Num.make(integer, v, v)
        if op == "!=":
            return _Num.make(integer, excluded=frozenset({v}))
        if op in ("<", "<="):
            return _Num.make(integer, hi=v, hi_open=op == "<")
        if op in (">", ">="):
            return _Num.make(integer, lo=v, lo_open=op == ">")
        raise _ExoticError
    if op == "=":
        return _Set(base.universe, frozenset(values))
    if op == "!=":
        return _Set(base.universe, None, frozenset(values))
    if op == "in":
        return _Set(base.universe, frozenset(values))
    if op == "notin":
        return _Set(base.universe, None, frozenset(values))
    raise _ExoticError  # an ordered comparison on text: the checker rejects it


@attrs.frozen
class _Box:
    domains: dict[str, _Domain]
    residuals: tuple[_Residual, ...] = ()


def _box(term: _Term, et: m.EventType) -> _Box | None:
    domains: dict[str, _Domain] = {}
    residuals: list[_Residual] = []
    for part in term:
        if isinstance(part, _Residual):
            residuals.append(part)
            continue
        decl = et.field(part.field)
        assert decl is not None
        current = domains.get(part.field, _base_domain(decl))
        try:
            extra = _atom_domain(part, current)
        except _ExoticError:
            residuals.append(_Residual(_atom_expr(part), True))
            continue
        met = current.meet(extra)  # type: ignore[arg-type]
        if met.empty():
            return None
        domains[part.field] = met
    return _Box(domains, tuple(residuals))


def _atom_expr(atom: _Atom) -> m.Expr:  # pragma: no cover - only for ordered text comparisons
    return m.Compare(m.Comparator(atom.op), m.Name(atom.field), m.Text(str(atom.values[0])))


# ---------------------------------------------------------------------------- model of the evaluator


def _operand(expr: m.Expr, fields: dict[str, Any], et: m.EventType) -> Any:
    if isinstance(expr, m.Name) and et.field(expr.name) is not None:
        return fields.get(expr.name)
    return m.literal_value(expr)


_CMP: dict[m.Comparator, Callable[[Any, Any], bool]] = {
    m.Comparator.GE: lambda a, b: a >= b,
    m.Comparator.GT: lambda a, b: a > b,
    m.Comparator.LE: lambda a, b: a <= b,
    m.Comparator.LT: lambda a, b: a < b,
    m.Comparator.EQ: lambda a, b: a == b,
    m.Comparator.NE: lambda a, b: a != b,
}


def _holds(cond: m.Expr, fields: dict[str, Any], et: m.EventType) -> bool | None:
    """A `where` condition on one event's typed fields, in SQL's three-valued logic."""
    match cond:
        case m.And(left=a, right=b):
            x = _holds(a, fields, et)
            if x is False:
                return False
            y = _holds(b, fields, et)
            if y is False:
                return False
            return None if x is None or y is None else True
        case m.Or(left=a, right=b):
            x = _holds(a, fields, et)
            if x is True:
                return True
            y = _holds(b, fields, et)
            if y is True:
                return True
            return None if x is None or y is None else False
        case m.Not(operand=o):
            x = _holds(o, fields, et)
            return None if x is None else not x
        case m.BoolField(name=name):
            value = fields.get(name)
            return None if value is None else bool(value)
        case m.Compare(op=op, left=a, right=b):
            x, y = _operand(a, fields, et), _operand(b, fields, et)
            return None if x is None or y is None else _CMP[op](x, y)
        case m.Between(value=v, low=lo, high=hi):
            x, a, b = (_operand(e, fields, et) for e in (v, lo, hi))
            return None if x is None or a is None or b is None else bool(a <= x <= b)
        case m.InList(value=v, items=items, negated=negated):
            x = _operand(v, fields, et)
            if x is None:
                return None
            return (x in {_operand(i, fields, et) for i in items}) is not negated
    raise ValueError(f"condition non prise en charge : {cond!r}")


_Rows = list[dict[str, list[dict[str, Any]]]]  # per segment of a period: the events of each type


@functools.lru_cache(maxsize=4096)
def _condition_fields(cond: m.Expr, et: m.EventType) -> tuple[str, ...]:
    return tuple(
        sorted({n.name for n in m.walk(cond) if isinstance(n, m.Name | m.BoolField) and et.field(n.name)})
    )


def _passes(where: m.Expr | None, et: m.EventType) -> Callable[[dict[str, Any]], bool]:
    """Whether a row passes a condition, remembered per combination of the fields it reads."""
    if where is None:
        return lambda row: True
    fields = _condition_fields(where, et)
    memo: dict[tuple[Any, ...], bool] = {}

    def passes(row: dict[str, Any]) -> bool:
        key = tuple(row.get(f) for f in fields)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _holds(where, row, et) is True
        return found

    return passes


def _aggregate(agg: m.Aggregate, rows: Sequence[dict[str, Any]], et: m.EventType) -> Value:
    fn, field = agg.fn, agg.field
    passes = _passes(agg.where, et)
    if fn is m.AggregateFn.SHARE:
        matched = sum(1 for r in rows if passes(r))
        return matched / len(rows) if rows else None
    count = 0
    total = 0.0
    distinct: set[Any] = set()
    low: Any = None
    high: Any = None
    last: Any = None
    for r in rows:
        if not passes(r):
            continue
        if field is None:
            count += 1
            continue
        v = r.get(field)
        if v is None:
            continue
        count += 1
        if fn is m.AggregateFn.SUM or fn is m.AggregateFn.AVG:
            total = total + v
        elif fn is m.AggregateFn.DISTINCT:
            distinct.add(v)
        elif fn is m.AggregateFn.MIN:
            low = v if low is None or v < low else low
        elif fn is m.AggregateFn.MAX:
            high = v if high is None or v > high else high
        elif fn is m.AggregateFn.LAST:  # rows come in date order: the last one is the latest
            last = v
    if fn is m.AggregateFn.COUNT:
        return float(count)
    if fn is m.AggregateFn.EXISTS:
        return count > 0
    if fn is m.AggregateFn.DISTINCT:
        return float(len(distinct))
    if fn is m.AggregateFn.SUM:
        return settle(float(total))
    if fn is m.AggregateFn.AVG:
        return settle(total / count) if count else None
    if fn is m.AggregateFn.MIN:
        return None if low is None else float(low)
    if fn is m.AggregateFn.LAST:
        return None if last is None else float(last)
    return None if high is None else float(high)


def _unit_detail(plan: m.Plan, share: m.UnitShare, rows: Sequence[dict[str, Any]]) -> units_rules.Detail:
    """Events per unit among the rows of a period, and the units to judge, as the evaluator counts."""
    et = plan.event_types[share.event_type]
    passes = _passes(share.where, et)
    counts: dict[Any, int] = {}
    seen: dict[Any, int] = {}
    for r in rows:
        unit = r.get(share.field)
        if unit is None:
            continue
        seen[unit] = seen.get(unit, 0) + 1
        if passes(r):
            counts[unit] = counts.get(unit, 0) + 1
    universe = units_rules.ordered_universe(units_rules.declared_units(plan, share), seen)
    return units_rules.detail(share, counts, universe)


class _Model:
    """The evaluator's values on constructed events, computed the way it computes them: the
    segments built so far (earlier buckets) and those of the bucket being built.

    Written apart from the evaluator on purpose: the property tests compare the two.
    """

    def __init__(self, plan: m.Plan, segments: Sequence[_Segment], window: m.PlanPeriod, rows: _Rows):
        self.plan, self.segments, self.window, self.rows = plan, segments, window, rows

    def events(self, t: str, ctx: _Ctx, key: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for seg, per_type in zip(self.segments, self.rows, strict=True):
            if seg.counted(ctx, key):
                out.extend(per_type.get(t, ()))
        return out

    def size(self, types: Sequence[str]) -> int:
        return sum(len(per_type.get(t, ())) for per_type in self.rows for t in types)

    def value(self, expr: m.Expr, ctx: _Ctx, key: int) -> Value:
        match expr:
            case m.Number():
                return expr.effective
            case m.Boolean(value=b):
                return b
            case m.Aggregate(event_type=t):
                found = _aggregate(expr, self.events(t, ctx, key), self.plan.event_types[t])
                factor = measures.scale(expr, self.plan)
                if factor != 1.0 and found is not None and not isinstance(found, bool):
                    return found * factor
                return found
            case m.UnitShare(event_type=t):
                found_units = _unit_detail(self.plan, expr, self.events(t, ctx, key))
                return units_rules.value(expr, found_units)
            case m.Trend(value=v):
                return trends.verdict(expr, self.value(v, ctx, key), self.baseline(expr, ctx, key))
            case m.IndicatorRef(name=name):
                return self.reference(self.plan.indicator(name), ctx, key)
            case m.ByYear():  # the evaluator's own reading of a value per year
                return value_in(expr, ctx.spec.years(key, self.window))[0]
            case m.ValueRef(name=name):
                return value_over(self.plan.values[name], ctx.spec.years(key, self.window))[0]
            case m.Negative(operand=o):
                x = self.value(o, ctx, key)
                return None if x is None else -x
            case m.Arithmetic(op=op, left=a, right=b):
                x, y = self.value(a, ctx, key), self.value(b, ctx, key)
                if x is None or y is None:
                    return None
                if op == "+":
                    return float(x) + float(y)
                if op == "-":
                    return float(x) - float(y)
                if op == "*":
                    return float(x) * float(y)
                return None if y == 0 else float(x) / float(y)
            case m.Compare(op=op, left=a, right=b):  # settled as the evaluator does (precision.py)
                x, y = self.value(a, ctx, key), self.value(b, ctx, key)
                return None if x is None or y is None else _CMP[op](settle(x), settle(y))
            case m.Between(value=v, low=lo, high=hi):
                x, a2, b2 = (self.value(e, ctx, key) for e in (v, lo, hi))
                if x is None or a2 is None or b2 is None:
                    return None
                return bool(settle(a2) <= settle(x) <= settle(b2))
            case m.And(left=a, right=b):
                x, y = self.value(a, ctx, key), self.value(b, ctx, key)
                if x is False or y is False:
                    return False
                return None if x is None or y is None else True
            case m.Or(left=a, right=b):
                x, y = self.value(a, ctx, key), self.value(b, ctx, key)
                if x is True or y is True:
                    return True
                return None if x is None or y is None else False
            case m.Not(operand=o):
                x = self.value(o, ctx, key)
                return None if x is None else not x
        raise ValueError(f"expression non prise en charge : {expr!r}")

    def baseline(self, trend: m.Trend, ctx: _Ctx, key: int) -> float | None:
        """What the trend compares the period with (the rules of trends.py, on the model's values)."""
        reads = _reads(self.plan, trend.value, ctx)
        counted = (lambda k: max(self.counted(agg, c, k) for agg, c in reads)) if reads else None
        found = trends.baseline_at(
            trend, lambda k: self.value(trend.value, ctx, k), ctx.spec, self.window, key, counted
        )
        return None if found is None or isinstance(found, bool) else float(found)

    def counted(self, agg: m.Aggregate | m.UnitShare, ctx: _Ctx, key: int) -> int:
        """The events an aggregate counts in a period (those passing its filter, its field filled)."""
        if isinstance(agg, m.UnitShare):
            plain = m.Aggregate(m.AggregateFn.COUNT, agg.event_type, agg.field, agg.where)
            counts = [self.counted(plain, ctx, key)]
            if units_rules.declared_units(self.plan, agg) is None:
                counts.append(self.counted(attrs.evolve(plain, where=None), ctx, key))
            return max(counts)
        counting = attrs.evolve(agg, fn=m.AggregateFn.COUNT)
        et = self.plan.event_types[agg.event_type]
        return int(_aggregate(counting, self.events(agg.event_type, ctx, key), et) or 0)

    def reference(self, ref: m.Indicator, ctx: _Ctx, key: int) -> Value:
        assert ref.expr is not None
        inner = _reference_ctx(self.plan, ref, ctx)
        if ref.kind is m.IndicatorKind.MONITORED or inner.spec == ctx.spec:
            return self.value(ref.expr, inner, key)
        values = [
            self.value(ref.expr, inner, k) for k in _verdict_keys(inner.spec, ctx.spec, key, self.window)
        ]
        if any(v is False for v in values):
            return False
        return True if values and all(v is True for v in values) else None


def _period_statuses(p: _Problem, model: _Model, window: m.PlanPeriod) -> list[tuple[int, Status, bool]]:
    """Each period's status as the evaluator gives it once every period is over, and whether
    the window cuts it (then it is not judged: `non évaluable`, unless it has no data)."""
    has_data = model.size(p.types) > 0
    out = []
    for bucket in p.own.spec.buckets(window):
        key, partial = bucket.key, bucket.partial and p.own.unit is not m.PeriodUnit.WHOLE
        if (p.latest and _empty(p, model, key)) or not has_data:
            out.append((key, Status.NO_DATA, partial))
            continue
        if partial:
            out.append((key, Status.NOT_EVALUABLE, partial))
            continue
        if p.trend is not None and trends.reference_reason(p.trend, p.own.spec, window, key) is not None:
            out.append((key, Status.MONITORED, partial))
            continue
        truth = model.value(p.expr, p.own, key)
        status = Status.NOT_EVALUABLE if truth is None else Status.MET if truth else Status.NOT_MET
        out.append((key, status, partial))
    return out


def _empty(p: _Problem, model: _Model, key: int) -> bool:
    """A period without a measurement: an aggregate `dernier(…)` the indicator reads has no value."""
    return any(model.counted(agg, ctx, key) == 0 for agg, ctx in p.latest)


def _overall(p: _Problem, statuses: Sequence[tuple[int, Status, bool]], has_data: bool) -> Status:
    """The indicator's status from its periods' (evaluate._overall: periods the window cuts are
    left out; for measured values, the latest complete period with a measurement decides)."""
    whole = [s for _, s, partial in statuses if not partial]
    if p.latest:
        measured = [s for s in whole if s is not Status.NO_DATA]
        cut = any(s is not Status.NO_DATA for _, s, partial in statuses if partial)
        return measured[-1] if measured else Status.NOT_EVALUABLE if cut else Status.NO_DATA
    if not has_data:
        return Status.NO_DATA
    if not whole:
        return Status.NOT_EVALUABLE
    for status in (Status.NOT_MET, Status.IN_PROGRESS, Status.NOT_EVALUABLE, Status.NO_DATA):
        if status in whole:
            return status
    return Status.MET


# ---------------------------------------------------------------------------- goals


Goal = tuple[m.Expr, bool, _Ctx, int]  # an atom, the truth it must have, where and in which period


def _is_atom(expr: m.Expr) -> bool:
    return isinstance(expr, m.Compare | m.Between | m.Trend) or (
        isinstance(expr, m.Aggregate) and expr.fn is m.AggregateFn.EXISTS
    )


def _every(parts: list[list[list[Goal]]]) -> list[list[Goal]]:
    """Alternatives that give every part its truth."""
    out: list[list[Goal]] = [[]]
    for part in parts:
        out = [x + y for x, y in itertools.product(out, part)][:_MAX_ALTERNATIVES]
    return out


def _alternatives(
    p: _Problem, expr: m.Expr, want: bool, ctx: _Ctx, key: int, window: m.PlanPeriod
) -> list[list[Goal]]:
    """Ways of giving the expression the wanted truth, each a list of atoms with their truth.

    A referenced verdict over shorter periods holds when it holds in each of them, and fails
    when it fails in one.
    """

    def again(e: m.Expr, w: bool, c: _Ctx = ctx, k: int = key) -> list[list[Goal]]:
        return _alternatives(p, e, w, c, k, window)

    def some(parts: list[list[list[Goal]]]) -> list[list[Goal]]:
        return [alt for part in parts for alt in part][:_MAX_ALTERNATIVES]

    match expr:
        case m.And(left=a, right=b):
            return (
                _every([again(a, True), again(b, True)]) if want else some([again(a, False), again(b, False)])
            )
        case m.Or(left=a, right=b):
            return (
                some([again(a, True), again(b, True)]) if want else _every([again(a, False), again(b, False)])
            )
        case m.Not(operand=o):
            return again(o, not want)
        case m.Boolean(value=v):
            return [[]] if v is want else []
        case m.IndicatorRef(name=name):
            ref = p.plan.indicator(name)
            assert ref.expr is not None
            inner = _reference_ctx(p.plan, ref, ctx)
            keys = (
                (key,)
                if ref.kind is m.IndicatorKind.MONITORED or inner.spec == ctx.spec
                else _verdict_keys(inner.spec, ctx.spec, key, window)
            )
            parts = [again(ref.expr, want, inner, k) for k in keys]
            if not parts:
                return []
            return _every(parts) if want else some(parts)
    if _is_atom(expr):
        return [[(expr, want, ctx, key)]]
    raise ValueError(f"expression non prise en charge : {expr!r}")


# ---------------------------------------------------------------------------- the problem of one indicator


@attrs.frozen
class _Region:
    type: str
    index: int
    truth: tuple[bool, ...]
    box: _Box


@attrs.define
class _Problem:
    plan: m.Plan
    indicator: m.Indicator
    expr: m.Expr
    own: _Ctx
    specs: set[PeriodSpec]
    deadlines: set[dt.date]
    types: tuple[str, ...]
    conditions: dict[str, list[m.Expr]]
    regions: dict[str, list[_Region]]
    value_fields: dict[str, list[str]]  # summed, averaged, min/max, latest
    fresh_fields: dict[str, list[str]]  # counted distinct: one new value per event
    used_fields: dict[str, set[str]]  # every field the indicator reads
    consts: list[float]
    keyed: bool = False  # thresholds that depend on the period (values per year, reference values)
    outer: PeriodSpec = PeriodSpec(m.PeriodUnit.WHOLE)  # the periods built at once
    shares: list[tuple[m.UnitShare, _Ctx]] = attrs.Factory(list)  # shares of units, where measured
    latest: list[tuple[m.Aggregate, _Ctx]] = attrs.Factory(list)  # `dernier(…)`: no value, no data
    trend: m.Trend | None = None  # the indicator's expression when it is a trend
    sequential: bool = False  # a period's verdict reads earlier periods (trends, years to date)
    baseline_keys: frozenset[int] = frozenset()  # periods a trend's baseline is computed from: built first

    def event_type(self, name: str) -> m.EventType:
        return self.plan.event_types[name]

    def free_keys(self, window: m.PlanPeriod) -> frozenset[int]:
        """The indicator's periods that are not judged: a trend's baseline years, its first period."""
        if self.trend is None:
            return frozenset()
        return frozenset(
            b.key
            for b in self.own.spec.buckets(window)
            if trends.reference_reason(self.trend, self.own.spec, window, b.key) is not None
        )

    def share_index(self, share: m.UnitShare, ctx: _Ctx) -> int:
        for i, (node, c) in enumerate(self.shares):
            if node is share and c == ctx:
                return i
        raise KeyError(share)


def _resolve(plan: m.Plan, indicator: str | m.Indicator) -> m.Indicator:
    if isinstance(indicator, m.Indicator):
        return indicator
    try:
        return plan.indicator(indicator)
    except KeyError:
        known = ", ".join(i.id for i in plan.indicators) or "aucun"
        raise ValueError(f"indicateur inconnu « {indicator} » (indicateurs du plan : {known})") from None


_STATES = {
    m.MilestoneState.DONE: "réalisé",
    m.MilestoneState.ONGOING: "en cours",
    m.MilestoneState.PENDING: "en attente",
    m.MilestoneState.DROPPED: "abandonné",
}


def _no_threshold(ind: m.Indicator) -> str | None:
    """Why an indicator has no threshold for events to meet or miss, or None."""
    if ind.milestone is not None:
        return (
            f"l'indicateur « {ind.id} » est un jalon : son statut est déclaré dans le plan "
            f"(« jalon {_STATES[ind.milestone.state]} »), aucun événement ne le rend atteint ou non atteint ; "
            "meeting, missing et around_threshold ne s'y appliquent pas"
        )
    if ind.to_define:
        return (
            f"l'indicateur « {ind.id} » a une cible à définir : sans seuil, il n'est jamais atteint ni "
            "manqué ; meeting, missing et around_threshold ne s'y appliquent pas"
        )
    if ind.expr is None:
        return f"l'indicateur « {ind.id} » n'a pas d'expression : cible à définir"
    if ind.kind is m.IndicatorKind.MONITORED:
        return (
            f"l'indicateur « {ind.id} » est suivi sans cible : il n'est jamais atteint ni manqué, "
            "meeting, missing et around_threshold ne s'y appliquent pas"
        )
    return None


def _problem(plan: m.Plan, indicator: str | m.Indicator) -> _Problem:
    ind = _resolve(plan, indicator)
    reason = _no_threshold(ind)
    if reason is not None:
        raise ValueError(reason)
    assert ind.expr is not None
    reachable = _reachable(plan, ind)
    own = _Ctx(spec_of(ind, plan), ind.deadline)
    specs = {ctx.spec for _, ctx in reachable} | {own.spec}
    outer = own.spec
    if len(specs) > 1 and all(s.standard for s in specs):
        outer = max(specs, key=lambda s: s.unit.months)
    deadlines = {ctx.deadline for _, ctx in reachable if ctx.deadline is not None}
    aggregates = [(n, ctx) for expr, ctx in reachable for n in m.walk(expr) if isinstance(n, m.Aggregate)]
    shares: list[tuple[m.UnitShare, _Ctx]] = []
    for expr, ctx in reachable:
        for n in m.walk(expr):
            if isinstance(n, m.UnitShare) and not any(s is n and c == ctx for s, c in shares):
                shares.append((n, ctx))
    types = tuple(dict.fromkeys([a.event_type for a, _ in aggregates] + [s.event_type for s, _ in shares]))
    conditions: dict[str, list[m.Expr]] = {t: [] for t in types}
    value_fields: dict[str, list[str]] = {t: [] for t in types}
    fresh_fields: dict[str, list[str]] = {t: [] for t in types}
    used: dict[str, set[str]] = {t: set() for t in types}
    for agg, _ in aggregates:
        t = agg.event_type
        if agg.where is not None and agg.where not in conditions[t]:
            conditions[t].append(agg.where)
            used[t].update(n.name for n in m.walk(agg.where) if isinstance(n, m.Name | m.BoolField))
        if agg.field is not None:
            used[t].add(agg.field)
            if agg.fn in _VALUED:
                if agg.field not in value_fields[t]:
                    value_fields[t].append(agg.field)
            elif agg.fn is m.AggregateFn.DISTINCT and agg.field not in fresh_fields[t]:
                fresh_fields[t].append(agg.field)
    for share, _ in shares:
        t = share.event_type
        if (
            any(a.event_type == t for a, _ in aggregates)
            or len({(s.field, s.where) for s, _ in shares if s.event_type == t}) > 1
        ):
            raise ValueError(
                f"« {ind.id} » : les événements {t} y comptent pour une part d'unités et pour une autre "
                "mesure ; ces stratégies ne construisent pas de tels flux"
            )
        if share.where is not None and share.where not in conditions[t]:
            conditions[t].append(share.where)
            used[t].update(n.name for n in m.walk(share.where) if isinstance(n, m.Name | m.BoolField))
        used[t].add(share.field)
    for t in types:
        fresh_fields[t] = [f for f in fresh_fields[t] if f not in value_fields[t]]
        et = plan.event_types[t]
        used[t] = {f for f in used[t] if et.field(f) is not None}
        for f in used[t]:
            decl = et.field(f)
            assert decl is not None
            if decl.duration is not None and {decl.duration.start, decl.duration.end} & used[t]:
                raise ValueError(
                    f"« {ind.id} » lit la durée {t}.{f} et l'une des dates dont elle est calculée ; "
                    "ces stratégies ne construisent pas de tels flux"
                )
    consts = [n.effective for expr, _ in reachable for n in m.walk(expr) if isinstance(n, m.Number)]
    for expr, _ in reachable:  # thresholds per year and reference values are thresholds too
        for n in m.walk(expr):
            if isinstance(n, m.ByYear):
                consts += [item.value.effective for item in n.items]
            elif isinstance(n, m.ValueRef) and n.name in plan.values:
                value = plan.values[n.name].value
                if isinstance(value, m.Number):
                    consts.append(value.effective)
                elif isinstance(value, m.ByYear):
                    consts += [item.value.effective for item in value.items]
            elif isinstance(n, m.Trend) and n.baseline is not None and n.baseline.declared is not None:
                base, amount = n.baseline.declared.effective, 0.0 if n.amount is None else n.amount.effective
                consts += [base * (1 - amount), base * (1 + amount), base]
    if any(measures.scale(a, plan) != 1.0 for a, _ in aggregates):  # values in % are read as 64, meant 0.64
        consts += [c * 100 for c in consts if math.isfinite(c) and abs(c) < 1e6]
    regions = {t: _regions(plan.event_types[t], conditions[t]) for t in types}
    for t in types:
        if not regions[t]:
            raise UnsatisfiableError(
                f"« {ind.id} » : aucun événement {t} ne peut exister avec ces conditions"
            )
    keyed = any(isinstance(n, m.ByYear | m.ValueRef) for expr, _ in reachable for n in m.walk(expr))
    trend = ind.expr if isinstance(ind.expr, m.Trend) else None
    trend_nodes = [n for expr, _ in reachable for n in m.walk(expr) if isinstance(n, m.Trend)]
    baseline_keys = frozenset(y for n in trend_nodes for y in trends.computed_years(n))
    latest = [(a, c) for a, c in aggregates if a.fn is m.AggregateFn.LAST]
    sequential = bool(trend_nodes) or any(s.cumulative for s in specs)
    return _Problem(
        plan,
        ind,
        ind.expr,
        own,
        specs,
        deadlines,
        types,
        conditions,
        regions,
        value_fields,
        fresh_fields,
        used,
        consts,
        keyed,
        outer,
        shares,
        latest,
        trend,
        sequential,
        baseline_keys,
    )


_VALUED = (m.AggregateFn.SUM, m.AggregateFn.AVG, m.AggregateFn.MIN, m.AggregateFn.MAX, m.AggregateFn.LAST)


def _regions(et: m.EventType, conditions: list[m.Expr]) -> list[_Region]:
    """Every satisfiable combination of the type's conditions, with a box of field values for it."""
    out: list[_Region] = []
    k = len(conditions)
    if k > 6:
        raise UnsatisfiableError(
            f"trop de conditions différentes sur {et.name} ({k}) pour construire des événements"
        )
    for truth in itertools.product((True, False), repeat=k):
        terms: list[_Term] = [()]
        for cond, want in zip(conditions, truth, strict=True):
            terms = _product(terms, _dnf(cond, want, et))
        for term in terms:
            box = _box(term, et)
            if box is None:
                continue
            region = _Region(et.name, len(out), truth, box)
            if _prototype(region, et, conditions, _Chooser()) is not None:
                out.append(region)
                break
    return out


def _prototype(
    region: _Region, et: m.EventType, conditions: list[m.Expr], chooser: _Chooser
) -> dict[str, Any] | None:
    """Typed values for the constrained fields of one event of the region, or None if none found."""
    box = region.box
    values: dict[str, Any] = {}
    for name, dom in box.domains.items():
        decl = et.field(name)
        assert decl is not None
        picked = dom.sample(chooser) if isinstance(dom, _Num) else dom.sample(chooser, name)
        if picked is None:
            return None
        values[name] = _typed(decl, picked)
    if not box.residuals:
        return values
    # Generate and check: the fields the exotic conditions read, drawn within the box.
    names = sorted(
        {
            n.name
            for r in box.residuals
            for n in m.walk(r.expr)
            if isinstance(n, m.Name | m.BoolField) and et.field(n.name) is not None
        }
    )
    rng = random.Random(0 if chooser.deterministic else chooser.integer(0, 2**16))
    for _ in range(_GENERATE_TRIES):
        trial = dict(values)
        for name in names:
            decl = et.field(name)
            assert decl is not None
            trial[name] = _random_value(decl, box.domains.get(name), rng)
        ok = all(_holds(c, trial, et) is want for c, want in zip(conditions, region.truth, strict=True))
        if ok:
            return trial
    return None


def _random_value(decl: m.FieldDecl, dom: _Domain | None, rng: random.Random) -> Any:
    dom = dom or _base_domain(decl)
    if isinstance(dom, _Set):
        members = dom.members()
        if members is not None:
            return rng.choice(members) if members else None
        return f"{decl.name} {rng.randint(1, 9)}"
    centre = dom.typical() or 0.0
    for _ in range(20):
        x = centre + rng.randint(-30, 30) * (1 if dom.integer else 0.25)
        if dom.contains(x):
            return _typed(decl, x)
    return _typed(decl, centre)


# ---------------------------------------------------------------------------- unknowns and their values
#
# Per segment s of a period: ("n", type, region, s) events, their values ("w", …, field, s) for
# the first and ("v", …, field, s) for the others, ("dup", …, field, s) of them repeating an
# earlier value of a counted-distinct field, and ("blank", type, s) events that leave the
# optional fields the indicator reads empty.


def _n_key(t: str, r: int, s: int) -> VarKey:
    return ("n", t, r, s)


@attrs.frozen
class _ShareLayout:
    """How the events of a share of units are laid out: each unit meeting the count gets `meet`
    events passing the filter (of region `match`), each unit short of it `fail`; a unit of text
    with none passing the filter is seen through one event that does not (of region `miss`)."""

    type: str
    field: str
    match: int
    miss: int | None
    meet: int | None
    fail: int | None
    members: tuple[Any, ...] | None  # the declared units that may pass the filter (None: texts)


def _share_layout(p: _Problem, share: m.UnitShare) -> _ShareLayout:
    t, et = share.event_type, p.event_type(share.event_type)
    decl = et.field(share.field)
    assert decl is not None
    j = p.conditions[t].index(share.where) if share.where is not None else None
    regions = p.regions[t]
    match = next((r for r in regions if j is None or r.truth[j]), None)
    miss = next((r for r in regions if j is not None and not r.truth[j]), None)
    if match is None:
        raise UnsatisfiableError(f"aucun événement {t} ne passe le filtre de la part d'unités")
    n = share.threshold.effective
    compare = _CMP[share.op]
    counts = range(0, max(math.ceil(n), 0) + 3)
    meets = [c for c in counts if compare(float(c), n)]
    fails = [c for c in counts if not compare(float(c), n)]
    meet = min(meets, key=lambda c: (abs(c - n), c)) if meets else None
    fail = min(fails, key=lambda c: (abs(c - n), c)) if fails else None
    members = None
    if decl.kind is m.FieldKind.ENUM:
        dom = match.box.domains.get(decl.name, _base_domain(decl))
        assert isinstance(dom, _Set)
        members = tuple(v for v in decl.values if dom.contains(v))
    return _ShareLayout(t, decl.name, match.index, None if miss is None else miss.index, meet, fail, members)


def _share_keys(p: _Problem, ctx: _Ctx, bucket: _Bucket, window: m.PlanPeriod) -> list[int]:
    """The periods of a share's calendar that the bucket's segments count in."""
    first, last = bucket.segments[0].start, bucket.segments[-1].end
    if ctx.spec.cumulative:
        last = max(last, min(window.end, dt.date(last.year, 12, 31)))
    keys = ctx.spec.keys_between(first, last)
    return [k for k in keys if any(seg.counted(ctx, k) for seg in bucket.segments)]


def _variables(
    p: _Problem, bucket: _Bucket, layouts: Sequence[_ShareLayout], window: m.PlanPeriod
) -> dict[VarKey, _Num]:
    out: dict[VarKey, _Num] = {}
    share_types = {layout.type for layout in layouts}
    for s in range(len(bucket.segments)):
        for t in p.types:
            et = p.event_type(t)
            for region in p.regions[t]:
                if t not in share_types:
                    out[_n_key(t, region.index, s)] = _Num.make(True, 0, N_CAP)
                for f in p.value_fields[t]:
                    decl = et.field(f)
                    assert decl is not None
                    dom = region.box.domains.get(f, _base_domain(decl))
                    assert isinstance(dom, _Num)
                    out[("w", t, region.index, f, s)] = dom
                    out[("v", t, region.index, f, s)] = dom
                for f in p.fresh_fields[t]:
                    out[("dup", t, region.index, f, s)] = _Num.make(True, 0, N_CAP)
            if _optional_used(p, t) and t not in share_types:
                out[("blank", t, s)] = _Num.make(True, 0, 3)
    for i, ((_, ctx), layout) in enumerate(zip(p.shares, layouts, strict=True)):
        most = 60 if layout.members is None else len(layout.members)
        text_ok = layout.members is not None or layout.miss is not None
        meet_ok = layout.meet is not None and (layout.meet > 0 or text_ok)
        fail_ok = layout.fail is not None and (layout.fail > 0 or (layout.members is None and text_ok))
        for slot, _ in enumerate(_share_keys(p, ctx, bucket, window)):  # by position: alike buckets share
            out[("um", i, slot)] = _Num.make(True, 0, most if meet_ok else 0)
            out[("uf", i, slot)] = _Num.make(True, 0, most if fail_ok else 0)
    return out


def _optional_used(p: _Problem, t: str) -> list[str]:
    """The optional fields the indicator reads that events may leave blank (a duration: when one
    of its dates may be missing)."""
    et = p.event_type(t)
    out = []
    for f in sorted(p.used_fields[t]):
        decl = et.field(f)
        if decl is None or not decl.optional:
            continue
        if decl.duration is not None and not any(
            _blankable(et, end) for end in (decl.duration.start, decl.duration.end)
        ):
            continue
        out.append(f)
    return out


def _blankable(et: m.EventType, name: str) -> bool:
    """Whether a date a duration is computed from may be missing from a row."""
    if name == ROW_DATE:
        return False
    if name in END_NAMES:
        return True
    decl = et.field(name)
    return decl is not None and decl.optional


def _baselines(
    p: _Problem, variables: dict[VarKey, _Num], chooser: _Chooser, wide: bool
) -> Iterator[dict[VarKey, float]]:
    """Starting values for the unknowns: drawn ones first (when drawing), then fixed variants."""

    def fill(count: Callable[[VarKey], int], value: Callable[[_Num], float | None]) -> dict[VarKey, float]:
        out: dict[VarKey, float] = {}
        for key, dom in variables.items():
            if key[0] in ("n", "um", "uf"):
                out[key] = float(min(count(key), dom.hi))
            elif key[0] in ("blank", "dup"):
                out[key] = 0.0
            else:
                picked = value(dom)
                out[key] = 0.0 if picked is None else picked
        return out

    if not chooser.deterministic:
        drawn_counts = {k: chooser.integer(0, 3) for k in variables if k[0] in ("n", "um", "uf")}
        drawn_dups = {k: float(chooser.integer(0, 2)) for k in variables if k[0] == "dup"}
        drawn_values = {k: dom.sample(chooser) for k, dom in variables.items() if k[0] in ("w", "v")}
        base = fill(lambda k: drawn_counts[k], _typical)
        base.update({k: v for k, v in drawn_values.items() if v is not None})
        base.update(drawn_dups)
        yield base
    yield fill(lambda k: 1, _typical)
    yield fill(lambda k: 0, _typical)
    yield fill(lambda k: 2, _typical)
    yield fill(lambda k: 1, lambda d: d.near(d.lo) if math.isfinite(d.lo) else d.near(0.0))
    if wide:
        extra: set[int] = set(range(3, 13))
        for c in p.consts:
            if math.isfinite(c) and c != int(c):
                frac = Fraction(c).limit_denominator(1000)
                extra.update({frac.denominator, frac.denominator - frac.numerator, frac.numerator})
        for n in sorted(x for x in extra if 0 < x <= 1000):
            # the first region of each type kept at 1, the others at n: ratios with denominators
            yield fill(_first_one(n), _typical)
            yield fill(_constant(n), _typical)


def _typical(d: _Num) -> float | None:
    return d.typical()


def _first_one(n: int) -> Callable[[VarKey], int]:
    return lambda k: 1 if k[2] == 0 else n


def _constant(n: int) -> Callable[[VarKey], int]:
    return lambda k: n


def _design(
    p: _Problem,
    bucket: _Bucket,
    protos: dict[tuple[str, int], dict[str, Any]],
    assign: dict[VarKey, float],
    layouts: Sequence[_ShareLayout] = (),
    placements: dict[int, list[tuple[int, int]]] | None = None,
) -> _Rows:
    """The events the unknowns stand for, segment by segment, with typed field values."""
    out: _Rows = []
    fresh_base: dict[tuple[str, str], int] = {}
    for s in range(len(bucket.segments)):
        per_type: dict[str, list[dict[str, Any]]] = {}
        for i, slot in (placements or {}).get(s, ()):
            layout = layouts[i]
            rows_of_units = per_type.setdefault(layout.type, [])
            rows_of_units += _unit_rows(p, layout, protos, assign, i, slot, fresh_base)
        for t in p.types:
            et = p.event_type(t)
            rows: list[dict[str, Any]] = []
            for region in p.regions[t]:
                n = int(assign.get(_n_key(t, region.index, s), 0))
                if not n:
                    continue
                proto = protos[(t, region.index)]
                values_here = {
                    f: max(1, n - int(assign.get(("dup", t, region.index, f, s), 0)))
                    for f in p.fresh_fields[t]
                }
                for i in range(n):
                    row = dict(proto)
                    for f in p.value_fields[t]:
                        decl = et.field(f)
                        assert decl is not None
                        row[f] = _typed(decl, assign[("w" if i == 0 else "v", t, region.index, f, s)])
                    for f in p.fresh_fields[t]:
                        decl = et.field(f)
                        assert decl is not None
                        dom = region.box.domains.get(f, _base_domain(decl))
                        k = fresh_base.get((t, f), 0) + min(i, values_here[f] - 1)
                        fresh = dom.fresh(k) if isinstance(dom, _Num) else dom.fresh(k, f)
                        row[f] = _typed(decl, fresh)
                    rows.append(row)
                for f in p.fresh_fields[t]:
                    fresh_base[(t, f)] = fresh_base.get((t, f), 0) + values_here[f]
            blank = [dict(protos[(t, 0)]) for _ in range(int(assign.get(("blank", t, s), 0)))]
            for row in blank:
                for f in _optional_used(p, t):
                    row[f] = None
                for f in p.value_fields[t] + p.fresh_fields[t]:
                    if f not in row:
                        decl = et.field(f)
                        assert decl is not None
                        row[f] = _default_value(decl)
            per_type[t] = per_type.get(t, []) + rows + blank
        out.append(per_type)
    return out


def _unit_rows(
    p: _Problem,
    layout: _ShareLayout,
    protos: dict[tuple[str, int], dict[str, Any]],
    assign: dict[VarKey, float],
    i: int,
    slot: int,
    fresh_base: dict[tuple[str, str], int],
) -> list[dict[str, Any]]:
    """The events of the units of one share in one period: `um` units meeting the count, `uf` short of it."""
    meeting, failing = int(assign.get(("um", i, slot), 0)), int(assign.get(("uf", i, slot), 0))
    if not meeting and not failing:
        return []
    t, f = layout.type, layout.field
    et = p.event_type(t)
    decl = et.field(f)
    assert decl is not None
    counts = [layout.meet] * meeting + [layout.fail] * failing
    if layout.members is not None:
        units: list[Any] = list(layout.members[: len(counts)])
    else:
        start = fresh_base.get((t, f), 0)
        dom = p.regions[t][layout.match].box.domains.get(f, _base_domain(decl))
        assert isinstance(dom, _Set)
        units = [dom.fresh(start + k, f) for k in range(len(counts))]
        fresh_base[(t, f)] = start + len(counts)
    rows: list[dict[str, Any]] = []
    for unit, count in zip(units, counts, strict=False):
        if count is None:
            continue
        if count == 0 and layout.members is None and layout.miss is not None:
            rows.append({**protos[(t, layout.miss)], f: unit})
        rows += [{**protos[(t, layout.match)], f: unit} for _ in range(count)]
    return rows


def _size(rows: _Rows) -> int:
    return sum(len(v) for per_type in rows for v in per_type.values())


@attrs.frozen
class _Probe:
    truth: Value  # of the goal's atom
    diffs: tuple[float | None, ...]  # measured minus target, one per threshold of the atom
    others_ok: bool  # the goals already solved still hold


def _measure(
    model: _Model, atom: m.Expr, ctx: _Ctx, key: int
) -> tuple[Value, tuple[float | None, ...], Value, Value]:
    """An atom's truth, its distances to its thresholds, the measured value and the target."""
    truth = model.value(atom, ctx, key)
    match atom:
        case m.Compare(left=a, right=b):  # settled, as compared (precision.py)
            x, y = settle(model.value(a, ctx, key)), settle(model.value(b, ctx, key))
            return truth, (_diff(x, y),), x, y
        case m.Between(value=v, low=lo, high=hi):
            x, a2, b2 = (settle(model.value(e, ctx, key)) for e in (v, lo, hi))
            return truth, (_diff(x, a2), _diff(x, b2)), x, a2
        case m.Aggregate():
            count = model.value(attrs.evolve(atom, fn=m.AggregateFn.COUNT), ctx, key)
            return truth, (_diff(count, 1.0),), count, 1.0
        case m.Trend(value=v):
            x, base = model.value(v, ctx, key), model.baseline(atom, ctx, key)
            lines = _trend_lines(atom, base)
            slack = 1e-9 * max(abs(base or 0.0), 1.0)  # as trends.verdict: 9 is 10 % less than 10
            diffs = tuple(
                None if (d := _diff(x, t)) is None else (0.0 if abs(d) <= slack else d) for t in lines
            )
            return truth, diffs, x, lines[0] if lines else None
    return truth, (), None, None


def _trend_lines(trend: m.Trend, base: float | None) -> tuple[float, ...]:
    """The values where a trend's verdict flips, for its baseline (two for `stable à ± N %`)."""
    if base is None:
        return ()
    amount = 0.0 if trend.amount is None else trend.amount.effective
    if trend.direction == "down":
        return (base * (1 - amount),)
    if trend.direction == "up":
        return (base * (1 + amount),)
    return (base - amount * abs(base), base + amount * abs(base))


def _diff(x: Value, y: Value) -> float | None:
    if x is None or y is None:
        return None
    return float(x) - float(y)


def _sign(x: float | None) -> int | None:
    if x is None:
        return None
    return (x > 0) - (x < 0)


class _Line:
    """An atom probed along one unknown, the others fixed: every point evaluated once."""

    def __init__(
        self, solver: _Solver, assign: dict[VarKey, float], pivot: VarKey, goal: Goal, done: Sequence[Goal]
    ):
        self.solver, self.assign, self.pivot, self.goal, self.done = solver, assign, pivot, goal, done
        self.domain = solver.variables[pivot]
        self.results: dict[float, _Probe] = {}

    def at(self, x: float) -> _Probe | None:
        if not self.domain.contains(x):
            return None
        found = self.results.get(x)
        if found is None:
            self.solver.spend()
            trial = dict(self.assign)
            trial[self.pivot] = x
            model = self.solver.model(trial)
            atom, _, ctx, key = self.goal
            truth, diffs, _, _ = _measure(model, atom, ctx, key)
            ok = all(model.value(a, c, k) is w for a, w, c, k in self.done)
            found = self.results[x] = _Probe(truth, diffs, ok)
        return found

    def scan(self) -> _Line:
        """Sample points suggested by the constants, then every sign change bisected."""
        p = self.solver.p
        consts = [*p.consts, self.assign.get(self.pivot, 0.0)]
        points = self.domain.probe_points(consts)
        if self.pivot[0] in ("n", "dup"):
            points = [x for x in points if x <= _count_cap(p.consts)]
        for x in points:
            self.at(x)
        for a, b in itertools.pairwise(points):
            pa, pb = self.at(a), self.at(b)
            assert pa is not None and pb is not None
            for j in range(len(pa.diffs)):
                sa, sb = _sign(pa.diffs[j]), _sign(pb.diffs[j])
                if sa is None or sb is None or sa == sb or sa == 0 or sb == 0:
                    continue
                self._bisect(a, b, j, sa)
        return self

    def _bisect(self, a: float, b: float, j: int, sa: int) -> None:
        lo, hi = a, b
        dom = self.domain
        for _ in range(80):
            if dom.integer:
                if hi - lo <= 1:
                    return
                mid = dom.near(math.floor((lo + hi) / 2))
                if mid is None or not lo < mid < hi:
                    return
            else:
                rl, rh = self.at(lo), self.at(hi)
                mid = (lo + hi) / 2
                if rl is not None and rh is not None:
                    dl, dh = rl.diffs[j], rh.diffs[j]
                    if dl is not None and dh is not None and dh != dl:
                        secant = lo - dl * (hi - lo) / (dh - dl)
                        if lo < secant < hi:
                            mid = secant
            probe = self.at(mid)
            if probe is None or not lo < mid < hi:
                return
            s = _sign(probe.diffs[j])
            if s is None or s == 0:
                return
            if s == sa:
                lo = mid
            else:
                hi = mid


def _count_cap(consts: Sequence[float]) -> float:
    """How many events of one region a probe may ask for: enough for the plan's thresholds."""
    cap = 256.0
    for c in consts:
        if math.isfinite(c) and abs(c) <= 2500:  # larger constants are amounts, reached by values
            cap = max(cap, 8 * abs(c))
            if c != int(c):
                cap = max(cap, 4.0 * Fraction(c).limit_denominator(1000).denominator)
    return min(cap, float(N_CAP))


class _Solver:
    """Solves the goals of one bucket: unknowns, their domains and a model to check candidates.

    `prior` holds the segments and events of the buckets built before (a trend compares with
    them, a year to date adds to them); they are fixed.
    """

    def __init__(
        self,
        p: _Problem,
        bucket: _Bucket,
        window: m.PlanPeriod,
        chooser: _Chooser,
        prior: tuple[tuple[_Segment, ...], _Rows] = ((), []),
        seed: float | None = None,
    ):
        self.p = p
        self.bucket = bucket
        self.window = window
        self.chooser = chooser
        self.prior = prior
        self.seed = seed
        self.layouts = [_share_layout(p, share) for share, _ in p.shares]
        self.variables = _variables(p, bucket, self.layouts, window)
        self.placements: dict[int, list[tuple[int, int]]] = {}  # segment → (share, slot) laid out in it
        self.slots: dict[tuple[int, int], int] = {}  # (share, period key) → slot
        for i, (_, ctx) in enumerate(p.shares):
            for slot, key in enumerate(_share_keys(p, ctx, bucket, window)):
                s = next(s for s, seg in enumerate(bucket.segments) if seg.counted(ctx, key))
                self.placements.setdefault(s, []).append((i, slot))
                self.slots[(i, key)] = slot
        self.probes = 0
        self.protos: dict[tuple[str, int], dict[str, Any]] = {}
        for t in p.types:
            et = p.event_type(t)
            for r in p.regions[t]:
                proto = _prototype(r, et, p.conditions[t], chooser)
                if proto is None:
                    proto = _prototype(r, et, p.conditions[t], _Chooser()) or {}
                for f in sorted(p.used_fields[t]):  # read by the indicator: never left blank
                    if f not in proto:
                        decl = et.field(f)
                        assert decl is not None
                        proto[f] = chooser.draw(_typed_values(decl), _default_value(decl))
                self.protos[(t, r.index)] = proto

    def spend(self) -> None:
        self.probes += 1
        if self.probes > _PROBE_BUDGET:
            raise UnsatisfiableError(
                f"« {self.p.indicator.id} » : construction abandonnée pour la période {self.bucket.label} "
                f"après {_PROBE_BUDGET} essais (expression trop imbriquée pour ces stratégies)"
            )

    def rows(self, assign: dict[VarKey, float]) -> _Rows:
        return _design(self.p, self.bucket, self.protos, assign, self.layouts, self.placements)

    def model(self, assign: dict[VarKey, float]) -> _Model:
        segments, rows = self.prior
        return _Model(
            self.p.plan, (*segments, *self.bucket.segments), self.window, [*rows, *self.rows(assign)]
        )

    def verdicts(self, assign: dict[VarKey, float]) -> tuple[Value, ...]:
        model = self.model(assign)
        return tuple(model.value(self.p.expr, self.p.own, k) for k in self.bucket.keys)

    def judged(self, key: int) -> bool:
        """Whether the period's verdict is asked for: not a trend's baseline or first period, nor a
        period the window cuts (the evaluator does not judge it; its events are whatever comes)."""
        return key not in self.bucket.free and key not in self.bucket.cut

    def ok(self, assign: dict[VarKey, float], want: bool) -> bool:
        """Every judged period of the bucket has the wanted verdict, every period its measurement."""
        model = self.model(assign)
        p = self.p
        for k in self.bucket.keys:
            if self.judged(k) and model.value(p.expr, p.own, k) is not want:
                return False
            if p.latest and _empty(p, model, k):
                return False
        return True

    def holds(self, assign: dict[VarKey, float], goals: Sequence[Goal]) -> bool:
        model = self.model(assign)
        return all(model.value(atom, ctx, key) is want for atom, want, ctx, key in goals)

    def alternatives(self, want: bool) -> list[list[Goal]]:
        """The ways to the wanted verdict in every period of the bucket, those with the fewest atoms first."""
        p = self.p
        parts: list[list[list[Goal]]] = []
        for k in self.bucket.keys:
            if k in self.bucket.free:
                seed: list[Goal] = []
                if self.seed is not None and p.trend is not None:
                    floor = m.Compare(m.Comparator.GE, p.trend.value, m.Number(self.seed))
                    seed = [(floor, True, p.own, k)]
                parts.append([seed])
            elif not self.judged(k):
                parts.append([[]])
            else:
                parts.append(_alternatives(p, p.expr, want, p.own, k, self.window))
            present = _presence(p, k)
            if present:
                parts.append([present])
        return sorted(_every(parts), key=len)

    def pivots(self, goal: Goal) -> list[VarKey]:
        """The unknowns an atom depends on, in the order worth trying."""
        p = self.p
        atom, _, ctx, key = goal
        out: list[VarKey] = []
        for agg, actx in _reads(p.plan, atom, ctx):
            if isinstance(agg, m.UnitShare):
                i = p.share_index(agg, actx)
                for k in _keys_within(actx.spec, ctx.spec, key, self.window):
                    slot = self.slots.get((i, k))
                    if slot is not None:
                        out += [v for v in (("um", i, slot), ("uf", i, slot)) if v not in out]
                continue
            t = agg.event_type
            conds = p.conditions[t]
            j = conds.index(agg.where) if agg.where is not None else None
            matching = [r for r in p.regions[t] if j is None or r.truth[j]]
            others = [r for r in p.regions[t] if j is not None and not r.truth[j]]
            # Regions where no other condition holds first: their events move only this aggregate.
            matching.sort(key=lambda r: (sum(r.truth), r.index))
            segments = [s for s, seg in enumerate(self.bucket.segments) if seg.counted(actx, key)]
            keys: list[VarKey] = []
            if agg.fn is m.AggregateFn.LAST:  # the latest event decides: the last segment first
                assert agg.field is not None
                for s in reversed(segments):
                    for r in sorted(matching, key=lambda r: -r.index):
                        keys += [("v", t, r.index, agg.field, s), ("w", t, r.index, agg.field, s)]
                    keys += [_n_key(t, r.index, s) for r in matching]
            for s in segments if agg.fn is not m.AggregateFn.LAST else ():
                if agg.fn in (m.AggregateFn.SUM, m.AggregateFn.AVG, m.AggregateFn.MIN, m.AggregateFn.MAX):
                    assert agg.field is not None
                    for r in matching:
                        keys += [("w", t, r.index, agg.field, s), ("v", t, r.index, agg.field, s)]
                        if agg.fn is m.AggregateFn.SUM:
                            keys.insert(len(keys) - 1, _n_key(t, r.index, s))
                    keys += [_n_key(t, r.index, s) for r in matching]
                else:
                    keys += [_n_key(t, r.index, s) for r in matching]
                    if agg.fn is m.AggregateFn.DISTINCT and agg.field in p.fresh_fields[t]:
                        keys += [("dup", t, r.index, agg.field, s) for r in matching]
                    if agg.fn is m.AggregateFn.SHARE:
                        keys += [_n_key(t, r.index, s) for r in others]
            out += [k for k in keys if k not in out]
        return out

    def line(self, assign: dict[VarKey, float], pivot: VarKey, goal: Goal, done: Sequence[Goal]) -> _Line:
        return _Line(self, assign, pivot, goal, done).scan()

    def solve(
        self, goals: Sequence[Goal], bases: Sequence[dict[VarKey, float]]
    ) -> dict[VarKey, float] | None:
        for base in bases:
            assign = self._solve_from(goals, dict(base))
            if assign is not None:
                return assign
        if self.chooser.deterministic:
            return None
        drawing, self.chooser = self.chooser, _Chooser()  # drawn picks led nowhere: the simplest ones
        try:
            return self.solve(goals, bases)
        finally:
            self.chooser = drawing

    def _solve_from(self, goals: Sequence[Goal], assign: dict[VarKey, float]) -> dict[VarKey, float] | None:
        frozen: set[VarKey] = set()
        done: list[Goal] = []
        for goal in goals:
            want = goal[1]
            already = self.holds(assign, [*done, goal])
            for pivot in self.pivots(goal):
                dom = self.variables[pivot]
                if pivot in frozen or dom.hi == dom.lo:
                    continue
                results = self.line(assign, pivot, goal, done).results
                good = [x for x, r in results.items() if r.truth is want and r.others_ok]
                if not good:
                    continue
                assign[pivot] = _pick(good, _flips(results), self.chooser)
                frozen.add(pivot)
                break
            else:
                if not already and not self._two_pivots(assign, goal, done, frozen):
                    return None
            done.append(goal)
        return assign if self.holds(assign, goals) else None

    def _two_pivots(
        self, assign: dict[VarKey, float], goal: Goal, done: Sequence[Goal], frozen: set[VarKey]
    ) -> bool:
        """When no single unknown will do (`nombre(a) * distinct(a.x) = 12`): one unknown set to a
        few values suggested by the constants, another probed for each."""
        pivots = [
            k for k in self.pivots(goal) if k not in frozen and self.variables[k].hi > self.variables[k].lo
        ]
        cap = _count_cap(self.p.consts)
        for first, second in itertools.permutations(pivots[:3], 2):
            dom = self.variables[first]
            near = [x for x in dom.probe_points(self.p.consts) if abs(x) <= cap]
            points = sorted(near, key=lambda x: (x > 12 and x not in self.p.consts, abs(x)))[:20]
            for x in points:
                trial = {**assign, first: x}
                results = self.line(trial, second, goal, done).results
                good = sorted(y for y, r in results.items() if r.truth is goal[1] and r.others_ok)
                if good:
                    assign.update(trial)
                    assign[second] = good[0]
                    frozen.update((first, second))
                    return True
        return False


def _pick(good: list[float], flips: list[float], chooser: _Chooser) -> float:
    """A value that gives the wanted truth: the simplest choice is the one nearest the threshold
    (10 for `>= 10`); drawn choices also take the smallest ones (0 for `<= 150`)."""
    nearest = sorted(good, key=lambda x: (min((abs(x - f) for f in flips), default=0.0), x < 0, abs(x)))
    smallest = sorted(good, key=lambda x: (x < 0, abs(x)))
    near = [x for x in nearest if abs(x - nearest[0]) <= max(4.0, 0.25 * abs(nearest[0]))]
    options = list(dict.fromkeys(x for pair in zip(near[:3], smallest[:3], strict=False) for x in pair))
    options += [x for x in near[3:6] if x not in options]
    return options[chooser.index(len(options))]


def _flips(results: dict[float, _Probe]) -> list[float]:
    points = sorted(results)
    out = []
    for a, b in itertools.pairwise(points):
        if results[a].truth is not results[b].truth:
            out += [a, b]
    return out


# ---------------------------------------------------------------------------- streams


@attrs.define
class _Chain:
    """The buckets of the window, built in order, and the unknowns chosen for each."""

    p: _Problem
    window: m.PlanPeriod
    solvers: list[_Solver] = attrs.Factory(list)
    assigns: list[dict[VarKey, float]] = attrs.Factory(list)
    segments: list[_Segment] = attrs.Factory(list)
    rows: _Rows = attrs.Factory(list)

    def add(self, solver: _Solver, assign: dict[VarKey, float]) -> None:
        self.solvers.append(solver)
        self.assigns.append(assign)
        self.segments += solver.bucket.segments
        self.rows += solver.rows(assign)

    def prior(self) -> tuple[tuple[_Segment, ...], _Rows]:
        return tuple(self.segments), list(self.rows)

    def model(self, changed: tuple[int, dict[VarKey, float]] | None = None) -> _Model:
        """The model of the whole window (with bucket i's unknowns replaced, when `changed`)."""
        rows = self.rows
        if changed is not None:
            i, assign = changed
            rows = []
            for j, (solver, own) in enumerate(zip(self.solvers, self.assigns, strict=True)):
                rows += solver.rows(assign if j == i else own)
        return _Model(self.p.plan, self.segments, self.window, rows)

    def rebuild(self) -> None:
        self.rows = [row for s, a in zip(self.solvers, self.assigns, strict=True) for row in s.rows(a)]


@attrs.define
class _Built:
    records: list[Record]
    statuses: list[tuple[int, Status, bool]]
    status: Status


def _seeds(p: _Problem, want: bool, window: m.PlanPeriod, chooser: _Chooser) -> list[float | None]:
    """Values a trend's baseline periods start from: high enough for a steady decrease in every
    later period, small for an increase; None leaves them free."""
    if p.trend is None or not p.free_keys(window):
        return [None]
    inner = p.trend.value
    fraction = (
        isinstance(inner, m.Aggregate)
        and (inner.fn is m.AggregateFn.SHARE or measures.scale(inner, p.plan) != 1.0)
    ) or (isinstance(inner, m.UnitShare) and inner.fn is m.AggregateFn.SHARE)
    periods = len(p.own.spec.buckets(window))
    if fraction:
        out: list[float | None] = [0.9, 0.6, 0.3] if p.trend.direction == "down" else [0.3, 0.6, 0.9]
    elif p.trend.direction == "down" and p.trend.amount is None and want:
        out = [periods + 2.0, 2.0 * periods + 4]
    elif p.trend.direction == "down":
        out = [10.0, 20.0, 1.0]
    elif p.trend.direction == "up":
        out = [1.0, 5.0, 10.0]
    else:
        out = [10.0, 20.0, 4.0]
    if not chooser.deterministic and not fraction:
        out[0] = float(out[0] or 0.0) + chooser.integer(0, 10)
    return [*out, None]


def _solve_chain(
    p: _Problem, buckets: list[_Bucket], window: m.PlanPeriod, want: bool, chooser: _Chooser
) -> _Chain:
    error: UnsatisfiableError | None = None
    for attempt, seed in _attempts(p, want, window, chooser):
        try:
            return _chain_once(p, buckets, window, want, attempt, seed)
        except UnsatisfiableError as exc:
            error = error or exc
    assert error is not None
    raise error


def _attempts(
    p: _Problem, want: bool, window: m.PlanPeriod, chooser: _Chooser
) -> list[tuple[_Chooser, float | None]]:
    """The choosers and seeds to build a chain with: drawn choices first, then the simplest ones
    (drawn choices may paint a chain into a corner: a decrease that reached 0 too early)."""
    simplest: list[tuple[_Chooser, float | None]] = [
        (_Chooser(), s) for s in _seeds(p, want, window, _Chooser())
    ]
    if chooser.deterministic:
        return simplest
    return [(chooser, _seeds(p, want, window, chooser)[0]), *simplest]


def _chain_once(
    p: _Problem,
    buckets: list[_Bucket],
    window: m.PlanPeriod,
    want: bool,
    chooser: _Chooser,
    seed: float | None,
) -> _Chain:
    word = "atteint" if want else "manqué"
    chain = _Chain(p, window)
    cache: dict[tuple[Any, ...], dict[VarKey, float]] = {}
    for bucket in buckets:
        solver = _Solver(p, bucket, window, chooser, chain.prior(), seed)
        shape = _shape(p, bucket)
        if shape in cache and (chooser.deterministic or chooser.flag()):
            again = dict(cache[shape])  # a period like an earlier one: the same construction
            if solver.ok(again, want):
                chain.add(solver, again)
                continue
        found = None
        attempts = (
            [chooser] if chooser.deterministic else [chooser, _Chooser()]
        )  # drawn picks may lead nowhere
        for attempt in attempts:
            solver = _Solver(p, bucket, window, attempt, chain.prior(), seed)
            alternatives = solver.alternatives(want)
            if not alternatives:
                raise UnsatisfiableError(
                    f"« {p.indicator.id} » ne peut pas être {word} pour la période {bucket.label} : "
                    "son expression y a toujours la même valeur"
                )
            try:
                found = _solve_bucket(solver, alternatives, want, attempt)
            except UnsatisfiableError:
                if attempt.deterministic:
                    raise
                found = None
            if found is not None:
                break
        if found is None:
            reason = ""
            deadline = p.indicator.deadline
            if deadline is not None and bucket.segments[0].start > deadline:
                reason = f" (la période est entièrement après l'échéance du {deadline.strftime('%d/%m/%Y')})"
            raise UnsatisfiableError(
                f"« {p.indicator.id} » : aucun flux construit ne le rend {word} pour la période "
                f"{bucket.label}{reason}"
            )
        cache[shape] = found
        chain.add(solver, found)
    return chain


def _shape(p: _Problem, bucket: _Bucket) -> tuple[Any, ...]:
    """Periods alike for the construction: the same cut, and the same thresholds (a value per
    year or a reference value may differ from one year to the next)."""
    return (bucket.shape, bucket.key if p.keyed else None)


def _solve_bucket(
    solver: _Solver, alternatives: list[list[Goal]], want: bool, chooser: _Chooser
) -> dict[VarKey, float] | None:
    bases = list(_baselines(solver.p, solver.variables, chooser, wide=False))
    start = chooser.index(len(alternatives))
    for k in range(len(alternatives)):
        goals = alternatives[(start + k) % len(alternatives)]
        found = solver.solve(goals, bases)
        if found is not None and solver.ok(found, want):
            return found
    return None


def _truths(p: _Problem, model: _Model, window: m.PlanPeriod) -> list[Value]:
    return [model.value(p.expr, p.own, k) for k in _own_buckets(p, window)] + [
        _empty(p, model, k) for k in _own_buckets(p, window) if p.latest
    ]


def _ensure_data(p: _Problem, chain: _Chain) -> bool:
    """At least one event of the indicator's types, without changing any verdict; False if impossible.

    Tried first: an event the indicator does not count (after its deadline), then events with
    the optional fields it reads left blank, then any event of its types.
    """
    model = chain.model()
    if model.size(p.types):
        return True
    before = _truths(p, model, chain.window)
    for i, (solver, assign) in enumerate(zip(chain.solvers, chain.assigns, strict=True)):
        own, bucket = p.own, solver.bucket
        order = sorted(
            range(len(bucket.segments)),
            key=lambda s: any(bucket.segments[s].counted(own, k) for k in bucket.keys),
        )
        for s in order:
            for t in p.types:
                candidates: list[VarKey] = [("blank", t, s)] + [_n_key(t, r.index, s) for r in p.regions[t]]
                # A type read through a share of units has no plain counts: a unit short of the
                # count (or meeting it) is its event.
                candidates += sorted(
                    (v for v in solver.variables if v[0] in ("uf", "um") and solver.layouts[v[1]].type == t),
                    key=lambda v: (v[0] != "uf", v[2]),
                )
                for var in candidates:
                    if var not in solver.variables or solver.variables[var].hi < 1:
                        continue
                    trial = {**assign, var: 1.0}
                    if _truths(p, chain.model((i, trial)), chain.window) == before:
                        chain.assigns[i] = trial
                        chain.rebuild()
                        return True
    return False


def _dates(chooser: _Chooser, segment: _Segment, n: int) -> list[dt.date]:
    """n dates within the segment, in order (so that each type's events keep the model's order)."""
    start, days = segment.start, (segment.end - segment.start).days
    if chooser.deterministic:
        return [start + dt.timedelta(days=(days * (i + 1)) // (n + 1)) for i in range(n)]
    return sorted(start + dt.timedelta(days=chooser.integer(0, days)) for _ in range(n))


def _records(p: _Problem, chain: _Chain, chooser: _Chooser, as_text: bool) -> list[Record]:
    out: list[tuple[dt.date, int, Record]] = []
    order = 0
    chooser = chooser.cheap()
    for segment, per_type in zip(chain.segments, chain.rows, strict=True):
        for t in p.types:
            rows = per_type.get(t, [])
            et = p.event_type(t)
            for row, date in zip(rows, _dates(chooser, segment, len(rows)), strict=True):
                record = _complete(et, row, p.used_fields[t], chooser)
                order += 1
                out.append((date, order, _record(et, date, record, as_text, chooser)))
    out.sort(key=lambda x: (x[0], x[1]))
    return [r for _, _, r in out]


@attrs.frozen
class _Days:
    """A duration the indicator reads: its dates are set from it (None: one of them left out)."""

    days: int | None


def _complete(et: m.EventType, row: dict[str, Any], used: set[str], chooser: _Chooser) -> dict[str, Any]:
    """The fields the indicator does not read, filled with valid values (optional ones may be left out)."""
    full = dict(row)
    for decl in et.fields:
        if decl.duration is not None and decl.name in used:
            found = full.get(decl.name)
            full[decl.name] = _Days(None if found is None else int(found))
            continue
        if decl.name in full:
            continue
        if decl.duration is not None:  # computed by the evaluator from two dates, never read
            full[decl.name] = None
            continue
        if decl.name in used:  # an optional field read by an aggregate: leave it
            full[decl.name] = None
            continue
        if decl.optional and (chooser.deterministic or chooser.flag()):
            full[decl.name] = None
            continue
        value = chooser.pooled(_typed_values(decl))
        full[decl.name] = _default_value(decl) if value is None else value
    return full


def _default_value(decl: m.FieldDecl) -> Any:
    kind = decl.kind
    if kind is m.FieldKind.INTEGER:
        return 1
    if kind is m.FieldKind.DECIMAL:
        return 1.0
    if kind is m.FieldKind.DATE:
        return dt.date(2000, 1, 1)
    if kind is m.FieldKind.BOOLEAN:
        return True
    if kind is m.FieldKind.ENUM:
        return decl.values[0]
    return f"{decl.name} 1"


def _record(
    et: m.EventType, date: dt.date, fields: dict[str, Any], as_text: bool, chooser: _Chooser
) -> Record:
    when: Any = date
    if as_text:
        when = _date_text(date, chooser)
    elif chooser.flag():
        when = dt.datetime.combine(date, dt.time(chooser.integer(0, 23), chooser.integer(0, 59)))
    record: Record = {"type": et.name, "date": when}
    fields = _durations_in_order(et, date, fields, chooser)
    end = fields.pop("fin", None)
    if end is not None:
        record["fin"] = _date_text(end, chooser) if as_text else end
    for decl in et.fields:
        if decl.duration is not None:  # computed by the evaluator, never given
            continue
        value = fields.get(decl.name)
        if value is None:
            if chooser.flag():
                record[decl.name] = "" if as_text else None
            continue
        record[decl.name] = _as_text(decl, value, chooser) if as_text else value
    return record


def _durations_in_order(
    et: m.EventType, date: dt.date, fields: dict[str, Any], chooser: _Chooser
) -> dict[str, Any]:
    """The dates a duration field is computed from: set from the duration when the indicator
    reads it (`_Days`), else merely in order (the evaluator rejects an end before its start); an
    event whose duration runs to its end (`fin`) may get one."""
    out = dict(fields)
    for decl in et.fields:
        span = decl.duration
        if span is None:
            continue
        wanted = out.pop(decl.name, None)
        if isinstance(wanted, _Days):
            _set_duration(out, span, date, wanted.days, et)
            continue
        start = date if span.start == ROW_DATE else out.get(_slot_of(span.start))
        end = date if span.end == ROW_DATE else out.get(_slot_of(span.end))
        if span.end in END_NAMES and end is None and chooser.flag():
            end = out["fin"] = (start or date) + dt.timedelta(days=chooser.integer(0, 40))
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            later = start + dt.timedelta(days=chooser.integer(0, 40))
            if span.end == ROW_DATE:  # the event's own date ends it: move the start back instead
                out[_slot_of(span.start)] = date - dt.timedelta(days=chooser.integer(0, 40))
            else:
                out[_slot_of(span.end)] = later
    return out


def _slot_of(name: str) -> str:
    """Where a date of a duration sits in the fields: the end of the event is `fin`."""
    return "fin" if name in END_NAMES else name


def _set_duration(
    out: dict[str, Any], span: m.Duration, date: dt.date, days: int | None, et: m.EventType
) -> None:
    """The two dates of a duration so that the evaluator computes `days` (None: one date left out)."""
    if days is None:
        for name in (span.end, span.start):
            if _blankable(et, name):
                out[_slot_of(name)] = None
                return
        return
    if span.start == ROW_DATE:
        out[_slot_of(span.end)] = _shifted(date, days, span.working, 1)
    elif span.end == ROW_DATE:
        out[_slot_of(span.start)] = _shifted(date, days, span.working, -1)
    else:
        out[_slot_of(span.start)] = date
        out[_slot_of(span.end)] = _shifted(date, days, span.working, 1)


def _shifted(day: dt.date, days: int, working: bool, direction: int) -> dt.date:
    """The date `days` days (or working days) after `day` (before it, direction -1), as
    durations.days_between counts them: working days after the first date, up to the second."""
    if not working:
        return day + dt.timedelta(days=direction * days)
    found, count = day, 0
    step = dt.timedelta(days=direction)
    while count < days:
        if direction < 0 and is_working_day(found):
            count += 1
        found += step
        if direction > 0 and is_working_day(found):
            count += 1
    start, end = (day, found) if direction > 0 else (found, day)
    assert days_between(start, end, True) == days
    return found


def _build(
    p: _Problem,
    window: m.PlanPeriod,
    want: bool,
    chooser: _Chooser,
    *,
    noise: bool = False,
    as_text: bool = False,
) -> _Built:
    buckets = _buckets(p, window)
    chain = _solve_chain(p, buckets, window, want, chooser)
    if not want and p.indicator.deadline is not None and not chooser.deterministic and chooser.flag():
        _move_late(p, chain)
    _ensure_data(p, chain)
    model = chain.model()
    statuses = _period_statuses(p, model, window)
    status = _overall(p, statuses, model.size(p.types) > 0)
    if want and status is not Status.MET:
        if not p.types:
            raise UnsatisfiableError(
                f"« {p.indicator.id} » ne lit aucun événement : sans données, il n'est jamais atteint"
            )
        raise UnsatisfiableError(
            f"« {p.indicator.id} » ne peut pas être atteint avec des données : "
            "tout événement de ses types le fait manquer"
        )
    if not want and status not in (Status.NOT_MET, Status.NO_DATA):
        raise UnsatisfiableError(f"« {p.indicator.id} » : aucun flux construit ne le rend manqué")
    records = _records(p, chain, chooser, as_text)
    if noise:
        records = _with_noise(p, window, records, chooser, as_text)
    return _Built(records, statuses, status)


def _move_late(p: _Problem, chain: _Chain) -> None:
    """Missing by lateness: the events that would meet the target, dated after the deadline."""
    deadline = p.indicator.deadline
    assert deadline is not None
    if p.sequential:
        return
    try:
        met = _solve_chain(p, [s.bucket for s in chain.solvers], chain.window, True, _Chooser())
    except UnsatisfiableError:
        return
    for i, solver in enumerate(chain.solvers):
        segments = solver.bucket.segments
        late = [s for s, seg in enumerate(segments) if seg.start > deadline]
        if not late:
            continue
        last = late[-1]
        trial = dict(met.assigns[i])
        for key in list(trial):
            if key[0] == "n" and key[-1] != last and segments[key[-1]].end <= deadline:
                moved = trial[key]
                trial[key] = 0.0
                target = (*key[:-1], last)
                trial[target] = min(trial.get(target, 0.0) + moved, float(N_CAP))
        if all(v is False for v in solver.verdicts(trial)):
            chain.assigns[i] = trial
    chain.rebuild()


def _with_noise(
    p: _Problem, window: m.PlanPeriod, records: list[Record], chooser: _Chooser, as_text: bool
) -> list[Record]:
    """Events that must not change the verdict: other types, and the indicator's types outside the window."""
    plan = p.plan
    others = [et for name, et in plan.event_types.items() if name not in p.types]
    extra: list[Record] = []
    for _ in range(chooser.integer(0, 4) if others else 0):
        et = others[chooser.index(len(others))]
        date = window.start + dt.timedelta(days=chooser.integer(0, (window.end - window.start).days))
        fields = _complete(et, {}, set(), chooser)
        extra.append(_record(et, date, fields, as_text, chooser))
    for _ in range(chooser.integer(0, 2) if p.types else 0):
        et = plan.event_types[p.types[chooser.index(len(p.types))]]
        before = window.start - dt.timedelta(days=chooser.integer(1, 400))
        after = window.end + dt.timedelta(days=chooser.integer(1, 400))
        date = before if chooser.flag() else after
        if not MIN_DATE <= date <= MAX_DATE:
            continue
        region = p.regions[et.name][0]
        row = _prototype(region, et, p.conditions[et.name], chooser) or {}
        fields = _complete(et, row, set(), chooser)
        extra.append(_record(et, date, fields, as_text, chooser))
    merged = list(records)
    for record in extra:
        merged.insert(chooser.integer(0, len(merged)), record)
    return merged


# ---------------------------------------------------------------------------- thresholds


@attrs.frozen
class ThresholdCase:
    """One stream near an indicator's threshold, and what the evaluator must say of it."""

    position: Literal["below", "at", "above", "below_low", "at_low", "at_high", "above_high"]
    label: str  # in French: « juste sous le seuil », « au seuil », …
    events: list[Record] = attrs.field(eq=False)
    met: bool  # the verdict of every period
    status: Status  # the indicator's expected status (as_of after the window)
    measured: float | None  # the measured value, first period
    target: float | None  # the threshold it is compared with
    exact: bool = True  # False when no stream lands exactly on the threshold (a rounded ratio)


@attrs.frozen
class Threshold:
    """The streams around one indicator's threshold, in increasing order of the measured value."""

    indicator: str
    cases: tuple[ThresholdCase, ...]

    def case(self, position: str) -> ThresholdCase:
        for c in self.cases:
            if c.position == position:
                return c
        raise KeyError(position)

    def __iter__(self) -> Iterator[ThresholdCase]:
        return iter(self.cases)


_LABELS = {
    "below": "juste sous le seuil",
    "at": "au seuil",
    "above": "juste au-dessus du seuil",
    "below_low": "juste sous la borne basse",
    "at_low": "à la borne basse",
    "at_high": "à la borne haute",
    "above_high": "juste au-dessus de la borne haute",
}


def _same(a: Goal, b: Goal) -> bool:
    return a[0] is b[0] and a[2] == b[2] and a[3] == b[3]


def _focus(p: _Problem, window: m.PlanPeriod, key: int) -> tuple[Goal, list[Goal]]:
    """The threshold to probe in period `key` (the first comparison) and goals that let it
    decide the verdict.

    Of the ways to make the expression true or false that involve the threshold, the one that
    fixes the most other atoms: `a et b` holds `b` true, `a ou b` holds `b` false.
    """
    ways = [sorted(_alternatives(p, p.expr, want, p.own, key, window), key=len) for want in (True, False)]
    present = _presence(p, key)
    all_ways = ways[0] + ways[1]
    seen: list[Goal] = []
    for goals in all_ways:
        for goal in goals:
            if not any(_same(goal, g) for g in seen):
                seen.append(goal)
    seen.sort(key=lambda g: 0 if isinstance(g[0], m.Compare | m.Between | m.Trend) else 1)
    for focus in seen:
        best: list[Goal] | None = None
        for goals in all_ways:
            if any(_same(g, focus) for g in goals):
                others = [g for g in goals if not _same(g, focus)]
                if best is None or len(others) > len(best):
                    best = others
        if best is not None:
            return focus, present + best
    raise ValueError(f"« {p.indicator.id} » n'a pas de seuil à encadrer")


def _presence(p: _Problem, key: int) -> list[Goal]:
    """Goals that give the period its measurements: a value for every `dernier(…)` it reads."""
    return [
        (m.Compare(m.Comparator.GE, attrs.evolve(agg, fn=m.AggregateFn.COUNT), m.Number(1.0)), True, ctx, key)
        for agg, ctx in p.latest
    ]


def _two_sided(atom: m.Expr) -> bool:
    return isinstance(atom, m.Between) or (isinstance(atom, m.Trend) and atom.direction == "stable")


def _threshold_points(
    solver: _Solver,
    focus: Goal,
    others: list[Goal],
    bases: list[dict[VarKey, float]],
    only: str | None = None,
) -> tuple[dict[str, dict[VarKey, float]], bool] | None:
    """Assignments below, at and above the atom's thresholds (exactly at them when possible).

    `only`: the one position wanted, for a period that follows earlier ones (a year to date, a
    trend): the other sides may be out of reach there (below a total already counted)."""
    fallback: tuple[dict[str, dict[VarKey, float]], bool] | None = None
    between = _two_sided(focus[0])
    names: list[tuple[str | None, str, str | None]] = (
        [("below_low", "at_low", None), (None, "at_high", "above_high")]
        if between
        else [("below", "at", "above")]
    )
    for tried, base in enumerate(bases):
        if fallback is not None and tried >= 8:  # no value lands exactly on this threshold
            break
        assign = solver.solve(others, [base]) if others else dict(base)
        if assign is None:
            continue
        frozen = {k for k in assign if assign[k] != base.get(k)}
        for pivot in solver.pivots(focus):
            dom = solver.variables[pivot]
            if pivot in frozen or dom.hi == dom.lo:
                continue
            line = solver.line(assign, pivot, focus, others)
            found: dict[str, dict[VarKey, float]] = {}
            exact = True
            for j, (low_name, at_name, high_name) in enumerate(names):
                point = _crossing(line, j)
                if point is None:
                    break
                below, at, above, is_exact = point
                exact = exact and is_exact
                for name, x in ((low_name, below), (at_name, at), (high_name, above)):
                    if name is not None:
                        found[name] = {**assign, pivot: x}
            else:
                if exact:
                    return found, True
                fallback = fallback or (found, False)
            if only is not None and fallback is None:
                alone = _relaxed(line, names, only)
                if alone is not None:
                    if alone[1]:
                        return {only: {**assign, pivot: alone[0]}}, True
                    fallback = ({only: {**assign, pivot: alone[0]}}, False)
    return fallback


def _relaxed(
    line: _Line, names: list[tuple[str | None, str, str | None]], only: str
) -> tuple[float, bool] | None:
    """The pivot's value for one position alone: at the threshold (exactly, else the nearest
    value on the side where the atom holds), or the nearest value below or above it."""
    j, side = next((j, names[j].index(only)) for j in range(len(names)) if only in names[j])
    points: list[tuple[float, float]] = []
    for x, r in list(line.results.items()):
        d = r.diffs[j] if r.others_ok and r.diffs else None
        if d is not None:
            points.append((x, d))
    if side == 1:
        zeros = [x for x, d in points if d == 0]
        if zeros:
            return min(zeros, key=abs), True
        above = _holds_above(line.goal[0], j)
        holding = [(x, d) for x, d in points if (d > 0) is above and d != 0]
        return (min(holding, key=lambda p: abs(p[1]))[0], False) if holding else None
    wanted = [(x, d) for x, d in points if (d < 0 if side == 0 else d > 0)]
    return (min(wanted, key=lambda p: abs(p[1]))[0], True) if wanted else None


def _crossing(line: _Line, j: int) -> tuple[float, float, float, bool] | None:
    """Points where the j-th distance to a threshold is < 0, = 0 (else the first > 0), > 0.

    The other goals must hold at all three points.
    """
    results = line.results

    def usable(x: float) -> int | None:
        r = line.at(x)
        if r is None or not r.others_ok or not r.diffs:
            return None
        return _sign(r.diffs[j])

    zeros = sorted(x for x, r in list(results.items()) if r.diffs and _sign(r.diffs[j]) == 0 and r.others_ok)
    for x in zeros:
        # Whole steps first; a smaller step when a whole one would need a negative value.
        for step in sorted((1.0, 0.5, 0.25), key=lambda d: (x >= 0 > x - d, -d)):
            s_lo, s_hi = usable(x - step), usable(x + step)
            if {s_lo, s_hi} == {-1, 1}:
                return (x - step, x, x + step, True) if s_lo == -1 else (x + step, x, x - step, True)
    # No value lands exactly on the threshold (a rounded ratio): the two values around it, and
    # one further out; "at" is the one on the side where the comparison holds.
    ok = sorted(x for x in list(results) if usable(x) is not None)
    for a, b in itertools.pairwise(ok):
        sa, sb = usable(a), usable(b)
        if {sa, sb} != {-1, 1}:
            continue
        low, high = (a, b) if sa == -1 else (b, a)  # measured below, above the threshold
        if not _holds_above(line.goal[0], j):
            further = next(
                (x for x in (reversed(ok) if low < high else ok) if usable(x) == -1 and x != low), None
            )
            if further is not None:
                return further, low, high, False
        further = next(
            (x for x in (ok if low < high else reversed(ok)) if usable(x) == 1 and x != high), None
        )
        if further is not None:
            return low, high, further, False
    return None


def _holds_above(atom: m.Expr, j: int) -> bool:
    """Whether the atom holds above its j-th threshold (`>=`, `>`, the low bound of `entre`)."""
    if isinstance(atom, m.Compare):
        return atom.op not in (m.Comparator.LE, m.Comparator.LT)
    if isinstance(atom, m.Trend):
        return atom.direction == "up" or (atom.direction == "stable" and j == 0)
    return not (isinstance(atom, m.Between) and j == 1)


def _threshold(p: _Problem, window: m.PlanPeriod, chooser: _Chooser, as_text: bool) -> Threshold:
    error: UnsatisfiableError | None = None
    for attempt, seed in _attempts(p, True, window, chooser):
        try:
            return _threshold_once(p, window, attempt, as_text, seed)
        except UnsatisfiableError as exc:
            error = error or exc
    assert error is not None
    raise error


def _threshold_once(
    p: _Problem, window: m.PlanPeriod, chooser: _Chooser, as_text: bool, seed: float | None
) -> Threshold:
    buckets = _buckets(p, window)
    judged_in = [[k for k in b.keys if k not in b.free] for b in buckets]
    if any(len(keys) > 1 for keys in judged_in):
        raise ValueError(
            f"« {p.indicator.id} » fait référence à un indicateur jugé sur des périodes plus longues : "
            "around_threshold n'encadre pas son seuil (meeting et missing construisent ses flux)"
        )
    first = next((i for i, keys in enumerate(judged_in) if keys), None)
    if first is None:
        raise UnsatisfiableError(f"« {p.indicator.id} » n'a aucune période jugée dans la fenêtre")
    first_focus = _focus(p, window, judged_in[first][0])  # the first judged period's threshold
    atom = first_focus[0][0]
    order = ["below_low", "at_low", "at_high", "above_high"] if _two_sided(atom) else ["below", "at", "above"]
    chains = {position: _Chain(p, window) for position in order}
    exact = {position: True for position in order}
    cache: dict[tuple[Any, ...], tuple[dict[str, dict[VarKey, float]], bool]] = {}
    focus_of_first: Goal | None = None
    for i, (bucket, judged) in enumerate(zip(buckets, judged_in, strict=True)):
        if not judged:  # a trend's baseline period: the same construction below, at and above
            shared = focus_of_first is None  # the chains still coincide: build it once
            built: dict[VarKey, float] | None = None
            solver = None
            for position in order:
                chain = chains[position]
                if solver is None or not shared:
                    solver = _Solver(p, bucket, window, chooser, chain.prior(), seed)
                    built = _solve_bucket(solver, solver.alternatives(True), True, chooser)
                if built is None:
                    raise UnsatisfiableError(
                        f"« {p.indicator.id} » : période de référence {bucket.label} impossible"
                    )
                chain.add(solver, dict(built))
            continue
        shape = _shape(p, bucket)
        # the period's threshold, found once (the first judged period's is known already)
        focused: tuple[Goal, list[Goal]] | None = first_focus if i == first else None
        for position in order:
            chain = chains[position]
            reuse = (  # drawn before the solver is built, as the picks always were
                not p.sequential
                and shape in cache
                and (chooser.deterministic or chooser.flag() or position != order[0])
            )
            solver = _Solver(p, bucket, window, chooser, chain.prior(), seed)
            if reuse:
                points, is_exact = cache[shape]  # a period like an earlier one: the same construction
            else:
                focused = focused or _focus(p, window, judged[0])
                focus, others = focused
                if focus_of_first is None:
                    focus_of_first = focus
                bases = list(_baselines(p, solver.variables, chooser, wide=True))
                found_points = _threshold_points(
                    solver, focus, others, bases, position if p.sequential else None
                )
                if found_points is None:
                    raise UnsatisfiableError(
                        f"« {p.indicator.id} » : aucun flux ne franchit le seuil pour la période {bucket.label}"
                    )
                points, is_exact = found_points
                cache[shape] = (points, is_exact)
            exact[position] = exact[position] and is_exact
            chain.add(solver, dict(points[position]))
    assert focus_of_first is not None
    atom, _, ctx, key = focus_of_first
    cases = []
    for position in order:
        chain = chains[position]
        _ensure_data(p, chain)
        model = chain.model()
        statuses = _period_statuses(p, model, window)
        _, _, measured, target = _measure(model, atom, ctx, key)
        if position in ("at_high", "above_high"):
            if isinstance(atom, m.Between):
                target = model.value(atom.high, ctx, key)
            elif isinstance(atom, m.Trend):
                lines = _trend_lines(atom, model.baseline(atom, ctx, key))
                target = lines[-1] if lines else None
        judged_statuses = [s for _, s, partial in statuses if s is not Status.MONITORED and not partial]
        cases.append(
            ThresholdCase(
                position,  # type: ignore[arg-type]
                _LABELS[position],
                _records(p, chain, chooser, as_text),
                bool(judged_statuses) and all(s is Status.MET for s in judged_statuses),
                _overall(p, statuses, model.size(p.types) > 0),
                None if measured is None or isinstance(measured, bool) else float(measured),
                None if target is None or isinstance(target, bool) else float(target),
                exact[position] or position not in ("at", "at_low", "at_high"),
            )
        )
    return Threshold(p.indicator.id, tuple(cases))


# ---------------------------------------------------------------------------- field values


_TEXT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêàçôûïÉÀ0123456789 -'’,.;()/&«»\""


def _text_values() -> st.SearchStrategy[str]:
    """Non-blank texts without surrounding spaces (the evaluator strips them), with accents and punctuation."""
    first = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉàç")
    rest = st.text(alphabet=_TEXT_ALPHABET, max_size=18)
    return st.builds(lambda a, b: (a + b).rstrip(), first, rest)


@functools.lru_cache(maxsize=256)
def _typed_values(decl: m.FieldDecl) -> st.SearchStrategy[Any]:
    kind = decl.kind
    if kind is m.FieldKind.INTEGER:
        return st.integers(0, 500)
    if kind is m.FieldKind.DECIMAL:
        return st.integers(0, 50_000).map(lambda k: k / 100)
    if kind is m.FieldKind.DATE:
        return st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31))
    if kind is m.FieldKind.BOOLEAN:
        return st.booleans()
    if kind is m.FieldKind.ENUM:
        return st.sampled_from(decl.values)
    return _text_values()


def _as_text(decl: m.FieldDecl, value: Any, chooser: _Chooser) -> str:
    """A typed value as a spreadsheet or CSV file carries it (the evaluator converts it back)."""
    kind = decl.kind
    if kind is m.FieldKind.BOOLEAN:
        words = ("oui", "vrai", "Oui", "x", "1") if value else ("non", "faux", "Non", "0")
        return words[chooser.index(len(words))]
    if kind is m.FieldKind.DECIMAL:
        text = repr(float(value))
        if text.endswith(".0") and chooser.flag():
            text = text[:-2]
        return text.replace(".", ",") if chooser.flag() else text
    if kind is m.FieldKind.DATE:
        return _date_text(value, chooser)
    if kind is m.FieldKind.ENUM and chooser.flag():
        return str(value).replace("_", " ")
    return str(value)


def _date_text(date: dt.date, chooser: _Chooser) -> str:
    style = chooser.index(3)
    if style == 1:
        return date.strftime("%d/%m/%Y")
    if style == 2:
        return f"{date.isoformat()} {chooser.integer(0, 23):02d}:{chooser.integer(0, 59):02d}"
    return date.isoformat()


def field_values(decl: m.FieldDecl, *, as_text: bool = False) -> st.SearchStrategy[Any]:
    """Valid values of one field: typed (int, float, date, bool, text) or as text a file would hold."""
    typed = _typed_values(decl)
    if not as_text:
        return typed

    @st.composite
    def text(draw: st.DrawFn) -> str:
        return _as_text(decl, draw(typed), _Drawing(draw))

    return text()


# ---------------------------------------------------------------------------- public strategies


Period = int | tuple[dt.date, dt.date] | m.PlanPeriod | None


def events_for(
    plan: m.Plan,
    period: Period = None,
    *,
    types: Sequence[str] | None = None,
    min_size: int = 0,
    max_size: int = 30,
    as_text: bool = False,
) -> st.SearchStrategy[list[Record]]:
    """Streams of events of the plan's types (or of `types`), dated within the evaluation window.

    Every record is valid: `type`, `date` and every required field, with a value of the field's
    kind (integers and decimals non-negative, two decimals at most); optional fields are set,
    blank or absent. `as_text=True` gives every value as text, as a CSV file would hold it
    (« 12,5 », « oui », « 15/03/2023 »).
    """
    window = evaluation_window(plan, period)
    names = list(types) if types is not None else list(plan.event_types)
    unknown = [t for t in names if t not in plan.event_types]
    if unknown or not names:
        raise ValueError(f"types d'événements inconnus ou absents : {', '.join(unknown) or 'aucun'}")
    days = (window.end - window.start).days

    @st.composite
    def one(draw: st.DrawFn) -> Record:
        chooser = _Drawing(draw)
        et = plan.event_types[draw(st.sampled_from(names))]
        date = window.start + dt.timedelta(days=draw(st.integers(0, days)))
        fields = _complete(et, {}, set(), chooser)
        return _record(et, date, fields, as_text, chooser)

    return st.lists(one(), min_size=min_size, max_size=max_size)


def buildable_indicators(plan: m.Plan) -> list[str]:
    """The indicators `meeting`, `missing` and `around_threshold` build streams for, in plan order:
    targets and yes/no facts (not monitored ones, milestones, targets to be defined), except the
    rare combinations the construction declines with a ValueError that says so."""
    out = []
    for ind in plan.indicators:
        try:
            _problem(plan, ind)
        except ValueError:
            continue
        out.append(ind.id)
    return out


def meeting(
    plan: m.Plan,
    indicator: str | m.Indicator,
    *,
    period: Period = None,
    noise: bool = False,
    as_text: bool = False,
) -> st.SearchStrategy[list[Record]]:
    """Streams constructed so that the indicator is met in every period of the window.

    Raises ValueError at once for a monitored indicator or one without expression, and
    `UnsatisfiableError` when no stream can meet it. `noise=True` adds events that must not change
    the verdict: other types of the plan, and the indicator's types dated outside the window.
    """
    p = _problem(plan, indicator)
    window = evaluation_window(plan, period)
    _build(p, window, True, _Chooser())

    @st.composite
    def build(draw: st.DrawFn) -> list[Record]:
        return _build(p, window, True, _Drawing(draw), noise=noise, as_text=as_text).records

    return build()


def missing(
    plan: m.Plan,
    indicator: str | m.Indicator,
    *,
    period: Period = None,
    noise: bool = False,
    as_text: bool = False,
) -> st.SearchStrategy[list[Record]]:
    """Streams constructed so that the indicator is not met in any period of the window.

    The status is `non atteint`, except when no event of the indicator's types can exist
    without meeting it (an unfiltered `existe(x)` without deadline): then the stream holds none
    of them and the status is `sans données`. Events may fall after the deadline.
    """
    p = _problem(plan, indicator)
    window = evaluation_window(plan, period)
    _build(p, window, False, _Chooser())

    @st.composite
    def build(draw: st.DrawFn) -> list[Record]:
        return _build(p, window, False, _Drawing(draw), noise=noise, as_text=as_text).records

    return build()


def around_threshold(
    plan: m.Plan, indicator: str | m.Indicator, *, period: Period = None, as_text: bool = False
) -> st.SearchStrategy[Threshold]:
    """The streams just below, exactly at and just above the indicator's threshold, every period alike.

    The threshold is the indicator's first comparison (`nombre(x) >= 10`: 9, 10 and 11 events;
    `part(x où c) >= 80 %`: 3 of 4, 4 of 5, 5 of 6), or its `existe` (0, 1 and 2 events);
    `entre a et b` gives four cases around both bounds. The other parts of the expression are
    held so that this threshold decides the verdict. Each case carries the expected verdict.
    """
    p = _problem(plan, indicator)
    window = evaluation_window(plan, period)
    _threshold(p, window, _Chooser(), as_text)

    @st.composite
    def build(draw: st.DrawFn) -> Threshold:
        return _threshold(p, window, _Drawing(draw), as_text)

    return build()


def matching_event(
    plan: m.Plan,
    aggregate: m.Aggregate,
    *,
    matching: bool = True,
    period: Period = None,
    as_text: bool = False,
) -> st.SearchStrategy[Record]:
    """One event of the aggregate's type inside the window that passes its `où` (or fails it).

    The aggregated field, if any, is set (to a value of at least 1 when it is numeric and
    the condition allows it), so the event counts in the aggregate when `matching`.
    """
    et = plan.event_types.get(aggregate.event_type)
    if et is None:
        raise ValueError(f"type d'événement inconnu « {aggregate.event_type} »")
    conditions = [aggregate.where] if aggregate.where is not None else []
    if not conditions and not matching:
        raise UnsatisfiableError(f"sans condition « où », tout événement {et.name} compte dans l'agrégat")
    regions = [r for r in _regions(et, conditions) if not conditions or r.truth[0] is matching]
    if not regions:
        word = "satisfaisant" if matching else "ne satisfaisant pas"
        raise UnsatisfiableError(f"aucun événement {et.name} {word} la condition")
    window = evaluation_window(plan, period)
    days = (window.end - window.start).days

    @st.composite
    def build(draw: st.DrawFn) -> Record:
        chooser = _Drawing(draw)
        region = regions[chooser.index(len(regions))]
        row = (
            _prototype(region, et, conditions, chooser)
            or _prototype(region, et, conditions, _Chooser())
            or {}
        )
        if aggregate.field is not None and aggregate.field not in row:
            decl = et.field(aggregate.field)
            assert decl is not None
            dom = region.box.domains.get(decl.name, _base_domain(decl))
            if isinstance(dom, _Num):
                value = dom.near(1.0 + chooser.integer(0, 20))
            else:
                value = dom.sample(chooser, decl.name)
            row[decl.name] = _typed(decl, value)
        fields = _complete(et, row, set(), chooser)
        date = window.start + dt.timedelta(days=draw(st.integers(0, days)))
        return _record(et, date, fields, as_text, chooser)

    return build()
