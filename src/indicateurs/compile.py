"""Plan to an evaluation pass, once per plan: the evaluation runs this, never the tree.

Every aggregate of every indicator becomes an accumulator slot keyed by what it computes
(function, event type, field, condition, period unit, deadline); indicators that ask the same
question share one slot, and slots that take exactly the same events share their counts and
evidence. Conditions follow SQL's three-valued logic (a missing optional field makes a
comparison unknown, and unknown is not true). The pass over the events is one generated
function (see "the pass" below): each event goes by its type to exactly the code of the slots
that need it, with no rescan per indicator. Expressions become closures from a period key to
a value, evaluated once the pass is over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from types import CodeType
from typing import Any, cast

import attrs

from . import measures, trends
from . import model as m
from . import units as units_rules
from .calendars import EVIDENCE_CAP as EVIDENCE_CAP  # defined with the periods, kept here too
from .calendars import DerivedSlot, PeriodSpec, by_year_value, reference_value, spec_of
from .convert import FieldError, end_reader, field_reader, is_blank
from .durations import endpoints
from .durations import reader as duration_reader
from .events import Event
from .periods import KEY_INDEX, DateInfo
from .precision import settle
from .refvalues import expr_depth
from .units import COMPARE

Value = float | bool | None
Cond = Callable[[Event], bool | None]
ValueFn = Callable[[int], Value]


@attrs.frozen(cache_hash=True)  # a dict key everywhere; its condition can be a deep tree
class SlotKey:
    fn: m.AggregateFn
    event_type: str
    field: str | None
    where: m.Expr | None
    unit: m.PeriodUnit
    deadline: dt.date | None


class Slot:
    """The running state of one aggregate, per period key. Plain class: updated per event."""

    __slots__ = ("counts", "evidence", "extra", "key", "values")

    def __init__(self, key: SlotKey):
        self.key = key
        self.counts: dict[int, int] = {}  # events that matched, per period key
        self.values: dict[int, Any] = {}  # sum, set, min or max, per period key
        self.extra: dict[int, int] = {}  # share: all events of the type; avg: values seen
        self.evidence: dict[int, list[Event]] = {}

    def value(self, key: int) -> Value:
        fn = self.key.fn
        count = self.counts.get(key, 0)
        if fn is m.AggregateFn.COUNT:
            return float(count)
        if fn is m.AggregateFn.EXISTS:
            return count > 0
        if fn is m.AggregateFn.SHARE:
            total = self.extra.get(key, 0)
            return count / total if total else None
        if fn is m.AggregateFn.DISTINCT:
            return float(len(self.values.get(key, ())))
        if fn is m.AggregateFn.SUM:
            return settle(float(self.values.get(key, 0.0)))
        if fn is m.AggregateFn.AVG:
            n = self.extra.get(key, 0)
            return settle(self.values.get(key, 0.0) / n) if n else None
        if fn is m.AggregateFn.LAST:  # (date, value) of the latest event
            latest = self.values.get(key)
            return None if latest is None else float(latest[1])
        if fn is m.AggregateFn.UNITS:  # events per unit: the number of units
            return float(len(self.values.get(key, ())))
        found = self.values.get(key)
        return None if found is None else float(found)

    def matched(self, key: int) -> int:
        return self.counts.get(key, 0)


def compile_condition(expr: m.Expr, event_type: m.EventType) -> Cond:
    """A condition of a `where` clause as a closure returning True, False or None (unknown)."""
    match expr:
        case m.And(left=a, right=b):
            fa, fb = compile_condition(a, event_type), compile_condition(b, event_type)

            def and_(ev: Event) -> bool | None:
                x = fa(ev)
                if x is False:
                    return False
                y = fb(ev)
                if y is False:
                    return False
                return None if x is None or y is None else True

            return and_
        case m.Or(left=a, right=b):
            fa, fb = compile_condition(a, event_type), compile_condition(b, event_type)

            def or_(ev: Event) -> bool | None:
                x = fa(ev)
                if x is True:
                    return True
                y = fb(ev)
                if y is True:
                    return True
                return None if x is None or y is None else False

            return or_
        case m.Not(operand=o):
            fo = compile_condition(o, event_type)

            def not_(ev: Event) -> bool | None:
                x = fo(ev)
                return None if x is None else not x

            return not_
        case m.BoolField(name=name):
            return lambda ev: ev.fields.get(name)
        case m.Compare(op=op, left=left, right=right):
            get_a, get_b = _operand(left, event_type), _operand(right, event_type)
            compare = COMPARE[op]

            def cmp(ev: Event) -> bool | None:
                a, b = get_a(ev), get_b(ev)
                if a is None or b is None:
                    return None
                return compare(a, b)

            return cmp
        case m.Between(value=value, low=low, high=high):
            get_v, get_lo, get_hi = (_operand(x, event_type) for x in (value, low, high))

            def between(ev: Event) -> bool | None:
                v, lo, hi = get_v(ev), get_lo(ev), get_hi(ev)
                if v is None or lo is None or hi is None:
                    return None
                return bool(lo <= v <= hi)

            return between
        case m.InList(value=value, items=items, negated=negated):
            get_v = _operand(value, event_type)
            constants = frozenset(_constant(item, event_type) for item in items)

            def in_list(ev: Event) -> bool | None:
                v = get_v(ev)
                if v is None:
                    return None
                return (v in constants) is not negated

            return in_list
    raise ValueError(f"not a condition: {expr!r}")  # the checker rejects these first


def _operand(expr: m.Expr, event_type: m.EventType) -> Callable[[Event], Any]:
    if isinstance(expr, m.Name) and event_type.field(expr.name) is not None:
        name = expr.name
        return lambda ev: ev.fields.get(name)
    constant = _constant(expr, event_type)
    return lambda ev: constant


def _constant(expr: m.Expr, event_type: m.EventType) -> Any:
    return m.literal_value(expr)


@attrs.define
class CompiledIndicator:
    indicator: m.Indicator
    value: ValueFn | None  # the measure (numeric) or the verdict (bool)
    measure: ValueFn | None  # for a comparison: its left side, the measured quantity
    target: ValueFn | None  # for a comparison: its right side
    comparator: m.Comparator | None
    slots: list[Slot]
    event_types: tuple[str, ...]
    monotone_up: bool  # once met, stays met as events are added (counts, sums, exists)
    values: Mapping[str, m.RefValue] = attrs.field(factory=dict)  # the plan's reference values
    # For an indicator on measured values (`dernier(…)`): whether a period has no measurement.
    empty: Callable[[int], bool] | None = None
    period_spec: PeriodSpec | None = None  # its calendar, when not calendar years (or year to date)
    # For a share of units: per period, the units meeting the count, all units, those short of it.
    units: Callable[[int], units_rules.Detail] | None = None
    # For a trend: why a period has no baseline (outside the window, empty, previous partial).
    baseline_reason: Callable[[int], str | None] | None = None


class CompiledPlan:
    """A plan ready to evaluate: slots, one program per event type, compiled indicators."""

    def __init__(self, plan: m.Plan, window: m.PlanPeriod | None = None):
        self.plan = plan
        self.window = window or plan.period or m.PlanPeriod(dt.date(1970, 1, 1), dt.date(2100, 12, 31))
        self.slots: dict[SlotKey, Slot] = {}
        self.indicators: list[CompiledIndicator] = []
        self._spec = PeriodSpec(m.PeriodUnit.WHOLE)  # the calendar of the indicator being compiled
        self._units: Callable[[int], units_rules.Detail] | None = None  # its share of units, if any
        self._own_share: m.UnitShare | None = None
        for indicator in plan.indicators:
            self.indicators.append(self._indicator(indicator))
        self.programs = self._programs()
        # Type names as written in the rows → program index; the evaluator adds the spellings
        # it resolves (case, accents, spaces) as it meets them.
        self.type_index: dict[Any, int] = {name: p.index for name, p in self.programs.items()}
        self._passes: dict[bool, tuple[Pass, str]] = {}

    def run(self, numbered: bool) -> Pass:
        """The pass over `(row, record)` pairs (numbered) or over bare records, built on first use."""
        found = self._passes.get(numbered)
        if found is None:
            found = self._passes[numbered] = generate_pass(
                list(self.programs.values()), self.type_index, numbered
            )
        return found[0]

    def pass_source(self, numbered: bool = True) -> str:
        self.run(numbered)
        return self._passes[numbered][1]

    def _slot(self, key: SlotKey) -> Slot:
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = Slot(key)
        return slot

    def _indicator(self, ind: m.Indicator) -> CompiledIndicator:
        if ind.expr is None:
            return CompiledIndicator(ind, None, None, None, None, [], (), False, self.plan.values)
        spec = self._spec = spec_of(ind, self.plan)
        self._units = None
        self._own_share = next((n for n in m.walk(ind.expr) if isinstance(n, m.UnitShare)), None)
        used: list[Slot] = []
        value = self._value(ind.expr, ind.period, ind.deadline, used)
        measure = target = None
        comparator = None
        why: Callable[[int], str | None] | None = None
        if isinstance(ind.expr, m.Compare):
            measure = self._value(ind.expr.left, ind.period, ind.deadline, [])
            target = self._value(ind.expr.right, ind.period, ind.deadline, [])
            comparator = ind.expr.op
        elif isinstance(ind.expr, m.Between):
            measure = self._value(ind.expr.value, ind.period, ind.deadline, [])
        elif isinstance(ind.expr, m.Trend):
            inner: list[Slot] = []
            measure = self._value(ind.expr.value, ind.period, ind.deadline, inner)
            _, target, why = trends.compiled(ind.expr, measure, spec, self.window, _counted(inner))
        types = tuple(dict.fromkeys(s.key.event_type for s in used))
        latest = [s for s in dict.fromkeys(used) if s.key.fn is m.AggregateFn.LAST]
        return CompiledIndicator(
            ind,
            value,
            measure,
            target,
            comparator,
            list(dict.fromkeys(used)),
            types,
            _monotone_up(ind.expr, self.plan),
            self.plan.values,
            (lambda k: any(s.matched(k) == 0 for s in latest)) if latest else None,
            None if spec.standard else spec,
            self._units,
            why,
        )

    def _value(self, expr: m.Expr, unit: m.PeriodUnit, deadline: dt.date | None, used: list[Slot]) -> ValueFn:
        match expr:
            case m.Number():
                constant: Value = expr.effective
                return lambda k: constant
            case m.Boolean():
                truth: Value = expr.value
                return lambda k: truth
            case m.ByYear():
                return by_year_value(expr, unit, self.window)
            case m.Trend(value=v):
                own = self._spec if self._spec.unit is unit else PeriodSpec(unit)
                reads: list[Slot] = []
                fv = self._value(v, unit, deadline, reads)
                used.extend(reads)
                return trends.compiled(expr, fv, own, self.window, _counted(reads))[0]
            case m.ValueRef(name=name):
                return reference_value(self.plan.values[name], unit, self.window)
            case m.UnitShare():
                return self._unit_share(expr, unit, deadline, used)
            case m.Aggregate():
                spec = self._spec if self._spec.unit is unit and not self._spec.standard else None
                base = unit if spec is None else spec.base_unit
                slot = self._slot(SlotKey(expr.fn, expr.event_type, expr.field, expr.where, base, deadline))
                if spec is not None:  # another calendar, or a year to date: the base slot's keys combined
                    slot = cast(Slot, DerivedSlot(slot, spec))
                used.append(slot)
                return measures.scaled(slot.value, measures.scale(expr, self.plan))
            case m.IndicatorRef(name=name):
                return self._reference(self.plan.indicator(name), unit, deadline, used)
            case m.Negative(operand=o):
                inner = self._value(o, unit, deadline, used)

                def neg(k: int) -> Value:
                    x = inner(k)
                    return None if x is None else -x

                return neg
            case m.Arithmetic(op=op, left=a, right=b):
                return _arith(op, self._value(a, unit, deadline, used), self._value(b, unit, deadline, used))
            case m.Compare(op=op, left=a, right=b):
                fa, fb = self._value(a, unit, deadline, used), self._value(b, unit, deadline, used)
                compare = COMPARE[op]

                def cmp(k: int) -> Value:
                    x, y = fa(k), fb(k)
                    return None if x is None or y is None else compare(settle(x), settle(y))

                return cmp
            case m.Between(value=v, low=lo, high=hi):
                fv, flo, fhi = (self._value(x, unit, deadline, used) for x in (v, lo, hi))

                def between(k: int) -> Value:
                    x, a, b = fv(k), flo(k), fhi(k)
                    return (
                        None
                        if x is None or a is None or b is None
                        else bool(settle(a) <= settle(x) <= settle(b))
                    )

                return between
            case m.And(left=a, right=b) | m.Or(left=a, right=b):
                fa, fb = self._value(a, unit, deadline, used), self._value(b, unit, deadline, used)
                is_and = isinstance(expr, m.And)

                def logic(k: int) -> Value:
                    x, y = fa(k), fb(k)
                    if is_and:
                        if x is False or y is False:
                            return False
                        return None if x is None or y is None else True
                    if x is True or y is True:
                        return True
                    return None if x is None or y is None else False

                return logic
            case m.Not(operand=o):
                fo = self._value(o, unit, deadline, used)

                def not_(k: int) -> Value:
                    x = fo(k)
                    return None if x is None else not x

                return not_
        raise ValueError(f"cannot evaluate {expr!r}")

    def _unit_share(
        self, share: m.UnitShare, unit: m.PeriodUnit, deadline: dt.date | None, used: list[Slot]
    ) -> ValueFn:
        spec = self._spec if self._spec.unit is unit and not self._spec.standard else None
        base = unit if spec is None else spec.base_unit

        def counter(where: m.Expr | None) -> Callable[[int], dict[Any, int]]:
            slot = self._slot(
                SlotKey(m.AggregateFn.UNITS, share.event_type, share.field, where, base, deadline)
            )
            used.append(slot if spec is None else cast(Slot, DerivedSlot(slot, spec)))
            keys = (lambda k: (k,)) if spec is None else spec.base_keys
            return lambda k: units_rules.merged_counts(slot.values.get(part) for part in keys(k))

        counts = counter(share.where)
        declared = units_rules.declared_units(self.plan, share)
        everyone = counter(None) if declared is None else None

        def detail(k: int) -> units_rules.Detail:
            found = counts(k)
            universe = units_rules.ordered_universe(declared, found if everyone is None else everyone(k))
            return units_rules.detail(share, found, universe)

        if self._units is None and share is self._own_share:
            self._units = detail
        return lambda k: units_rules.value(share, detail(k))

    def _reference(
        self, ref: m.Indicator, unit: m.PeriodUnit, deadline: dt.date | None, used: list[Slot]
    ) -> ValueFn:
        """A monitored indicator is a measure: measured again on this indicator's periods.
        Any other is a verdict: met on its own periods and deadline, all of them within ours."""
        assert ref.expr is not None  # the checker rejects references to empty indicators
        if ref.kind is m.IndicatorKind.MONITORED:
            return self._value(ref.expr, unit, ref.deadline or deadline, used)
        saved = self._spec
        own = saved if saved.unit is unit else PeriodSpec(unit)
        theirs = self._spec = spec_of(ref, self.plan)
        try:
            verdict = self._value(ref.expr, ref.period, ref.deadline, used)
        finally:
            self._spec = saved
        if theirs == own:
            return verdict
        window = self.window
        mapping: dict[int, tuple[int, ...]] = {}
        partial = {b.key for b in theirs.buckets(window) if b.partial}

        def within(k: int) -> Value:
            """Their verdicts on their complete periods that meet ours (a period the window
            cuts is not judged, so it says nothing here either)."""
            keys = mapping.get(k)
            if keys is None:
                found = theirs.keys_between(*own.key_range(k, window))
                keys = mapping[k] = tuple(key for key in found if key not in partial)
            values = [verdict(key) for key in keys]
            if any(v is False for v in values):
                return False
            return True if values and all(v is True for v in values) else None

        return within

    def _programs(self) -> dict[str, TypeProgram]:
        by_type: dict[str, list[Slot]] = {}
        for slot in self.slots.values():
            if slot.key.event_type in self.plan.event_types:  # the checker rejects the others
                by_type.setdefault(slot.key.event_type, []).append(slot)
        return {
            name: TypeProgram(self.plan.event_types[name], slots, index)
            for index, (name, slots) in enumerate(by_type.items())
        }


def _counted(slots: list[Slot]) -> Callable[[int], int] | None:
    """The events a value counted per period key (the most of any of its aggregates), None
    when it reads no event."""
    if not slots:
        return None
    return lambda k: max(s.matched(k) for s in slots)


def _arith(op: str, fa: ValueFn, fb: ValueFn) -> ValueFn:
    def arith(k: int) -> Value:
        x, y = fa(k), fb(k)
        if x is None or y is None:
            return None
        if op == "+":
            return float(x) + float(y)
        if op == "-":
            return float(x) - float(y)
        if op == "*":
            return float(x) * float(y)
        return None if y == 0 else float(x) / float(y)

    return arith


def _monotone_up(expr: m.Expr, plan: m.Plan) -> bool:
    """True when adding events can only keep a met target met (`count(x) >= n`, `exists(x)`)."""
    growing = (m.AggregateFn.COUNT, m.AggregateFn.DISTINCT, m.AggregateFn.EXISTS, m.AggregateFn.SUM)
    match expr:
        case m.Aggregate(fn=fn):
            return fn is m.AggregateFn.EXISTS
        case m.Compare(op=op, left=m.Aggregate(fn=fn), right=m.Number()):
            return op in (m.Comparator.GE, m.Comparator.GT) and fn in growing
        case m.And(left=a, right=b) | m.Or(left=a, right=b):
            return _monotone_up(a, plan) and _monotone_up(b, plan)
        case m.IndicatorRef(name=name):
            target = plan.indicator(name).expr
            return target is not None and _monotone_up(target, plan)
    return False


# ---------------------------------------------------------------------------- the pass
#
# The whole pass over the events is one generated function: for each row, find its type and
# date, then run that type's code inline: convert and check its fields, update every slot that
# wants the event, as straight-line code with no call per event, slot or condition. Closures
# built per slot did the same work about twice as slowly, and a generated function per type
# still paid a call per event (see benchmarks/).
#
# SAFETY. The source is made only of the fixed templates below, of names this module invents
# (`v0`, `k1`, `n3`, `K12`) and of small integers of its own (type indexes, key positions): no
# text of the plan or of any event is ever placed in it, not even through repr(). Every value the code needs (field names, enumeration values, numbers, dates,
# the slots' dictionaries, helper functions, even `str` and `int`) is an argument of the
# generated factory, referred to by its invented name, and the source runs with empty builtins.

# run(pairs, known, normalise, resolve, read_date, reject) -> events used per type index.
# Rows read = used + ignored + rejected, so the loop does not count them.
Pass = Callable[..., tuple[int, ...]]

_PY_OPS: dict[m.Comparator, str] = {
    m.Comparator.GE: ">=",
    m.Comparator.GT: ">",
    m.Comparator.LE: "<=",
    m.Comparator.LT: "<",
    m.Comparator.EQ: "==",
    m.Comparator.NE: "!=",
}
_MAX_INLINE_DEPTH = 40  # deeper conditions run as closures (Python's parser limits nesting)


class _Source:
    """Generated source under construction, and the values its invented names stand for."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.args: dict[str, object] = {}
        self._names: dict[tuple[object, object], str] = {}

    def bind(self, value: object) -> str:
        """The invented name under which `value` reaches the generated code."""
        scalar = isinstance(value, str | int | float | dt.date) and value == value  # not NaN
        key: tuple[object, object] = (type(value), value) if scalar else ("id", id(value))
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"K{len(self.args)}"
            self.args[name] = value
        return name

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)


class TypeProgram:
    """What the pass does with the events of one type, and what it saw of them."""

    __slots__ = ("_skipped", "event_type", "index", "name", "seen", "slots", "source")

    def __init__(self, event_type: m.EventType, slots: list[Slot], index: int):
        self.event_type = event_type
        self.name = event_type.name
        self.slots = slots
        self.index = index
        self.seen = 0  # events of this type used so far
        self.source = ""  # the name of the source being read, for the evidence kept
        needed = _needed_fields(slots, event_type)
        self._skipped = frozenset(  # optional texts no slot reads: nothing to check, nothing to keep
            i
            for i, f in enumerate(event_type.fields)
            if f.kind is m.FieldKind.TEXT and f.optional and f.name not in needed
        )

    def event(
        self,
        record: Mapping[str, Any],
        row: int,
        info: DateInfo,
        values: tuple[Any, ...],
        end: dt.date | None,
    ) -> Event:
        """The Event of a row kept as evidence; the fields the pass skipped are converted now."""
        fields: dict[str, Any] = {}
        for i, decl in enumerate(self.event_type.fields):
            fields[decl.name] = _optional_text(record.get(decl.name)) if i in self._skipped else values[i]
        ident = record.get("id")
        return Event(
            self.name, info[0], fields, None if is_blank(ident) else str(ident), end, self.source, row
        )


def generate_pass(
    programs: list[TypeProgram], type_index: dict[Any, int], numbered: bool
) -> tuple[Pass, str]:
    """The one pass over the events, as a function, and its source (for tests and the curious).

    `numbered`: the pass reads `(row, record)` pairs, as `EventSource.rows()` yields them;
    otherwise it reads bare records and numbers them from 1, as `RecordsSource` does.
    """
    src = _Source()
    str_, exc = src.bind(str), src.bind(Exception)
    type_key, date_key, types = src.bind("type"), src.bind("date"), src.bind(type_index)
    counters = [f"n{p.index}" for p in programs]
    src.line(1, "def run(pairs, known, normalise, resolve, read_date, reject):")
    for counter in counters:
        src.line(2, f"{counter} = 0")
    if numbered:
        src.line(2, "for row, record in pairs:")
    else:
        src.line(2, "row = 0")
        src.line(2, "for record in pairs:")
        src.line(3, "row += 1")
    src.line(3, f"if record.__class__ is not {src.bind(dict)}:")
    src.line(4, "record = normalise(row, record)  # a plain dict, or None once accounted for")
    src.line(4, "if record is None:")
    src.line(5, "continue")
    src.line(3, "try:")
    src.line(4, f"t = {types}[record[{type_key}]]")
    src.line(3, f"except {exc}:")
    src.line(4, f"t = resolve(row, record.get({type_key}))  # -1 once accounted for")
    src.line(4, "if t < 0:")
    src.line(5, "continue")
    src.line(3, "try:")
    src.line(4, f"info = known[record[{date_key}]]")
    src.line(3, f"except {exc}:")
    src.line(4, "info = None")
    src.line(3, "if info is None:")
    src.line(4, f"info = read_date(row, record.get({date_key}))  # None once accounted for")
    src.line(4, "if info is None:")
    src.line(5, "continue")
    if programs:
        src.line(3, "try:")
        _emit_dispatch(src, programs, 4, str_, exc)
        src.line(3, f"except {src.bind(FieldError)} as error:")
        src.line(4, "reject(row, error)")
    src.line(2, f"return ({''.join(c + ', ' for c in counters)})")
    text = "def factory(" + ", ".join(src.args) + "):\n" + "\n".join(src.lines) + "\n    return run\n"
    namespace: dict[str, Any] = {}
    exec(_compiled(text), {"__builtins__": {}}, namespace)
    run: Pass = namespace["factory"](**src.args)
    return run, text


@functools.lru_cache(maxsize=64)
def _compiled(text: str) -> CodeType:
    """Python's compilation of a pass: the same plan gives the same text, compiled once."""
    return compile(text, "<indicateurs: passe>", "exec")


def _emit_dispatch(src: _Source, programs: list[TypeProgram], depth: int, str_: str, exc: str) -> None:
    """A binary search on the type index, with each type's code at its leaf."""
    if len(programs) == 1:
        _emit_program(src, programs[0], depth, str_, exc)
        return
    middle = len(programs) // 2
    src.line(depth, f"if t < {programs[middle].index!r}:")  # an index of ours, not plan text
    _emit_dispatch(src, programs[:middle], depth + 1, str_, exc)
    src.line(depth, "else:")
    _emit_dispatch(src, programs[middle:], depth + 1, str_, exc)


def _emit_program(src: _Source, program: TypeProgram, depth: int, str_: str, exc: str) -> None:
    event_type = program.event_type
    local: dict[str, str] = {}
    values: list[str] = []
    for i, decl in enumerate(event_type.fields):
        if i in program._skipped:
            values.append("None")
            continue
        local[decl.name] = f"v{i}"
        values.append(f"v{i}")
        if decl.duration is None:  # durations are computed below, once the dates are read
            _emit_field(src, decl, f"v{i}", depth, str_, exc)
    fin, end, read_end = src.bind("fin"), src.bind("end"), src.bind(_READ_END)
    src.line(depth, f"if {fin} in record:")  # as record.get("fin", record.get("end"))
    src.line(depth + 1, f"end = {read_end}(record[{fin}])")
    src.line(depth, f"elif {end} in record:")
    src.line(depth + 1, f"end = {read_end}(record[{end}])")
    src.line(depth, "else:")
    src.line(depth + 1, "end = None")
    for decl in event_type.fields:
        if decl.duration is not None:
            ends = [
                "info[0]" if n == "date" else "end" if n in ("fin", "end") else local[n]
                for n in endpoints(decl)
            ]
            src.line(depth, f"{local[decl.name]} = {src.bind(duration_reader(decl))}({ends[0]}, {ends[1]})")
    src.line(depth, f"n{program.index} += 1")
    _emit_slots(src, program, local, values, depth)


_READ_END = end_reader("fin")


def _optional_text(raw: Any) -> str | None:
    return None if is_blank(raw) else str(raw).strip()


def _needed_fields(slots: list[Slot], event_type: m.EventType) -> set[str]:
    """The fields the slots read: aggregated ones and those their conditions test."""
    out: set[str] = set()
    for slot in slots:
        if slot.key.field is not None:
            out.add(slot.key.field)
        if slot.key.where is not None:
            for node in m.walk(slot.key.where):
                if isinstance(node, m.Name | m.BoolField) and event_type.field(node.name) is not None:
                    out.add(node.name)
    return out


def _emit_field(src: _Source, decl: m.FieldDecl, v: str, depth: int, str_: str, exc: str) -> None:
    """Convert one field into local `v`: a fast path for the usual Python values, else `read`,
    the full rule (`field_reader`), which raises FieldError."""
    kind = decl.kind
    learns = kind in (m.FieldKind.ENUM, m.FieldKind.BOOLEAN, m.FieldKind.DATE)
    table: dict[Any, Any] = {}
    read = field_reader(decl, table if learns else None)
    if kind is m.FieldKind.ENUM:
        for value in decl.values:  # seeded through the rule itself, so it agrees with it
            with contextlib.suppress(FieldError):
                read(value)
    if decl.optional:
        table[None] = None  # a missing optional field is found at once
    name, reader = src.bind(decl.name), src.bind(read)
    get = f"record.get({name})"
    if kind in (m.FieldKind.ENUM, m.FieldKind.DATE):
        # The table holds None (optional fields) and texts the rule has read: the rest takes the rule.
        src.line(depth, "try:")
        src.line(depth + 1, f"{v} = {src.bind(table)}[{get if decl.optional else f'record[{name}]'}]")
        src.line(depth, f"except {exc}:")
        src.line(depth + 1, f"{v} = {reader}({get})")
        return
    if decl.optional:
        src.line(depth, f"r = {get}")
    else:  # usually there: a failed lookup costs more than a missing key's exception is rare
        src.line(depth, "try:")
        src.line(depth + 1, f"r = record[{name}]")
        src.line(depth, f"except {exc}:")
        src.line(depth + 1, "r = None")
    if kind is m.FieldKind.TEXT:
        src.line(depth, f"if r.__class__ is {str_}:")
        src.line(depth + 1, f"{v} = r.strip()")
        src.line(depth + 1, f"if not {v}:")
        src.line(depth + 2, f"{v} = {reader}(r)")
        src.line(depth, "else:")
        src.line(depth + 1, f"{v} = {reader}(r)")
    elif kind in (m.FieldKind.INTEGER, m.FieldKind.DECIMAL):
        number = src.bind(int if kind is m.FieldKind.INTEGER else float)
        src.line(depth, f"if r.__class__ is {number}:")
        src.line(depth + 1, f"{v} = r")
        src.line(depth, f"elif r.__class__ is {str_} and r:")  # an empty cell is not worth a ValueError
        src.line(depth + 1, "try:")
        src.line(depth + 2, f"{v} = {number}(r)")  # when this succeeds, the full rule gives the same
        src.line(depth + 1, f"except {src.bind(ValueError)}:")
        src.line(depth + 2, f"{v} = {reader}(r)")
        src.line(depth, "else:")
        src.line(depth + 1, f"{v} = {reader}(r)")
    else:  # boolean
        src.line(depth, f"if r.__class__ is {src.bind(bool)}:")
        src.line(depth + 1, f"{v} = r")
        src.line(depth, "else:")
        src.line(depth + 1, "try:")
        src.line(depth + 2, f"{v} = {src.bind(table)}[r]")
        src.line(depth + 1, f"except {exc}:")
        src.line(depth + 2, f"{v} = {reader}(r)")


def _group_key(slot: Slot, event_type: m.EventType) -> tuple[Any, ...]:
    """Slots with equal keys take exactly the same events: they share counts and evidence."""
    key = slot.key
    field = key.field
    if key.fn is m.AggregateFn.SHARE or field is None:
        field = None
    else:
        decl = event_type.field(field)
        if decl is not None and not decl.optional:
            field = None  # a required field is never empty in an event that was used
    return (key.unit, key.deadline, key.where, field)


def _emit_slots(
    src: _Source, program: TypeProgram, local: dict[str, str], values: list[str], top: int
) -> None:
    event_type, slots = program.event_type, program.slots
    groups: dict[tuple[Any, ...], list[Slot]] = {}
    for slot in slots:
        groups.setdefault(_group_key(slot, event_type), []).append(slot)
    units = sorted({KEY_INDEX[s.key.unit] for s in slots if s.key.unit is not m.PeriodUnit.WHOLE})
    for index in units:
        src.line(top, f"k{index} = info[{index}]")
    if any(s.key.deadline is not None for s in slots):
        src.line(top, "d = info[0]")
    cap, make = src.bind(EVIDENCE_CAP), src.bind(program.event)
    built = f"{make}(record, row, info, ({''.join(v + ', ' for v in values)}), end)"
    for (unit, deadline, where, field), members in groups.items():
        first = members[0]
        for other in members[1:]:
            other.counts, other.evidence = first.counts, first.evidence
        k = "0" if unit is m.PeriodUnit.WHOLE else f"k{KEY_INDEX[unit]}"
        depth = top
        if deadline is not None:
            src.line(depth, f"if d <= {src.bind(deadline)}:")
            depth += 1
        for share in (s for s in members if s.key.fn is m.AggregateFn.SHARE):
            extra = src.bind(share.extra)
            src.line(depth, f"{extra}[{k}] = {extra}.get({k}, 0) + 1")
        tests = []
        if where is not None:
            tests.append(_condition_code(src, where, event_type, local))
        if field is not None:
            tests.append(f"{local[field]} is not None")
        if tests:
            src.line(depth, f"if {' and '.join(tests)}:")
            depth += 1
        counts, evidence = src.bind(first.counts), src.bind(first.evidence)
        src.line(depth, f"c = {counts}.get({k}, 0) + 1")
        src.line(depth, f"{counts}[{k}] = c")
        src.line(depth, f"if c <= {cap}:")  # the first events only, as evidence
        src.line(depth + 1, f"l = {evidence}.get({k})")
        src.line(depth + 1, "if l is None:")
        src.line(depth + 2, f"{evidence}[{k}] = [{built}]")
        src.line(depth + 1, "else:")
        src.line(depth + 2, f"l.append({built})")
        for slot in members:
            _emit_update(src, slot, local, k, depth)


def _emit_update(src: _Source, slot: Slot, local: dict[str, str], k: str, depth: int) -> None:
    fn = slot.key.fn
    if slot.key.field is None or fn in (m.AggregateFn.COUNT, m.AggregateFn.EXISTS, m.AggregateFn.SHARE):
        return
    v, values = local[slot.key.field], src.bind(slot.values)
    if fn in (m.AggregateFn.SUM, m.AggregateFn.AVG):
        src.line(depth, f"{values}[{k}] = {values}.get({k}, 0.0) + {v}")
        if fn is m.AggregateFn.AVG:
            extra = src.bind(slot.extra)
            src.line(depth, f"{extra}[{k}] = {extra}.get({k}, 0) + 1")
    elif fn is m.AggregateFn.UNITS:  # events per value of the field
        src.line(depth, f"u = {values}.get({k})")
        src.line(depth, "if u is None:")
        src.line(depth + 1, f"{values}[{k}] = {{{v}: 1}}")
        src.line(depth, "else:")
        src.line(depth + 1, f"u[{v}] = u.get({v}, 0) + 1")
    elif fn is m.AggregateFn.LAST:  # the latest by date; of two on one day, the later row
        src.line(depth, f"x = {values}.get({k})")
        src.line(depth, "if x is None or info[0] >= x[0]:")
        src.line(depth + 1, f"{values}[{k}] = (info[0], {v})")
    elif fn is m.AggregateFn.DISTINCT:
        src.line(depth, f"s = {values}.get({k})")
        src.line(depth, "if s is None:")
        src.line(depth + 1, f"{values}[{k}] = {{{v}}}")
        src.line(depth, "else:")
        src.line(depth + 1, f"s.add({v})")
    else:
        op = "<" if fn is m.AggregateFn.MIN else ">"
        src.line(depth, f"x = {values}.get({k})")
        src.line(depth, f"if x is None or {v} {op} x:")
        src.line(depth + 1, f"{values}[{k}] = {v}")


def _condition_code(src: _Source, where: m.Expr, event_type: m.EventType, local: dict[str, str]) -> str:
    """A Python expression that is True exactly when the condition is true (not unknown)."""
    if expr_depth(where) <= _MAX_INLINE_DEPTH:
        return _truth(src, where, event_type, local)[0]
    closure = compile_condition(where, event_type)
    names = sorted(n for n in local if n in _names_in(where))
    pairs = ", ".join(f"{src.bind(n)}: {local[n]}" for n in names)
    view = src.bind(lambda date, fields: Event(event_type.name, date, fields))
    return f"({src.bind(closure)}({view}(info[0], {{{pairs}}})) is True)"


def _names_in(expr: m.Expr) -> set[str]:
    return {n.name for n in m.walk(expr) if isinstance(n, m.Name | m.BoolField)}


def _truth(src: _Source, expr: m.Expr, event_type: m.EventType, local: dict[str, str]) -> tuple[str, str]:
    """Two Python expressions: (the condition is true, the condition is false). Neither holds
    when it is unknown, where `compile_condition` says None."""
    match expr:
        case m.And(left=left, right=right):
            ta, fa = _truth(src, left, event_type, local)
            tb, fb = _truth(src, right, event_type, local)
            return f"({ta} and {tb})", f"({fa} or {fb})"
        case m.Or(left=left, right=right):
            ta, fa = _truth(src, left, event_type, local)
            tb, fb = _truth(src, right, event_type, local)
            return f"({ta} or {tb})", f"({fa} and {fb})"
        case m.Not(operand=o):
            t, f = _truth(src, o, event_type, local)
            return f, t
        case m.BoolField(name=name):
            return f"({local[name]} is True)", f"({local[name]} is False)"
        case m.Compare(op=op, left=left, right=right):
            code_a, na = _operand_code(src, left, event_type, local)
            code_b, nb = _operand_code(src, right, event_type, local)
            return _known([na, nb], f"{code_a} {_PY_OPS[op]} {code_b}")
        case m.Between(value=value, low=low, high=high):
            v, nv = _operand_code(src, value, event_type, local)
            lo, nlo = _operand_code(src, low, event_type, local)
            hi, nhi = _operand_code(src, high, event_type, local)
            return _known([nv, nlo, nhi], f"{lo} <= {v} <= {hi}")
        case m.InList(value=value, items=items, negated=negated):
            v, nv = _operand_code(src, value, event_type, local)
            constants = src.bind(frozenset(_constant(item, event_type) for item in items))
            inside = f"{v} not in {constants}" if negated else f"{v} in {constants}"
            return _known([nv], inside)
    raise ValueError(f"not a condition: {expr!r}")  # the checker rejects these first


def _known(nullable: list[str | None], core: str) -> tuple[str, str]:
    checks = [f"{n} is not None" for n in dict.fromkeys(x for x in nullable if x is not None)]
    return "(" + " and ".join([*checks, core]) + ")", "(" + " and ".join([*checks, f"not ({core})"]) + ")"


def _operand_code(
    src: _Source, expr: m.Expr, event_type: m.EventType, local: dict[str, str]
) -> tuple[str, str | None]:
    """An operand as code, and the local to test for None when it is a field that can be empty."""
    if isinstance(expr, m.Name):
        decl = event_type.field(expr.name)
        if decl is not None:
            v = local[expr.name]
            return v, (v if decl.optional else None)
    return src.bind(_constant(expr, event_type)), None
