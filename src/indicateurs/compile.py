"""Plan to closures, once per plan: the evaluation runs these, never the tree.

Every aggregate of every indicator becomes an accumulator slot keyed by what it computes
(function, event type, field, condition, period unit, deadline); indicators that ask the same
question share one slot. Conditions become closures over an event's fields, with SQL's
three-valued logic (a missing optional field makes a comparison unknown, and unknown is not
true). For each event type, a single dispatcher updates exactly the slots that need it.
Expressions become closures from a period key to a value.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

import attrs

from . import model as m
from .events import Event
from .periods import bucket_key, key_range, keys_between

Value = float | bool | None
Cond = Callable[[Event], bool | None]
ValueFn = Callable[[int], Value]

EVIDENCE_CAP = 20

_OPS: dict[m.Comparator, Callable[[Any, Any], bool]] = {
    m.Comparator.GE: operator.ge,
    m.Comparator.GT: operator.gt,
    m.Comparator.LE: operator.le,
    m.Comparator.LT: operator.lt,
    m.Comparator.EQ: operator.eq,
    m.Comparator.NE: operator.ne,
}


@attrs.frozen
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
            return float(self.values.get(key, 0.0))
        if fn is m.AggregateFn.AVG:
            n = self.extra.get(key, 0)
            return self.values.get(key, 0.0) / n if n else None
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
            compare = _OPS[op]

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
    match expr:
        case m.Number():
            return expr.effective
        case m.Text(value=v) | m.Name(name=v):
            return v
        case m.Boolean(value=b):
            return b
        case m.DateValue(value=d):
            return d
        case m.Negative(operand=m.Number() as n):
            return -n.effective
    raise ValueError(f"not a constant: {expr!r}")


def _feeder(slot: Slot, event_type: m.EventType, unit_index: int) -> Callable[[Event, tuple[int, ...]], None]:
    """The per-event update of one slot, specialised for its function, filter and deadline."""
    key = slot.key
    cond = compile_condition(key.where, event_type) if key.where is not None else None
    fn, field, deadline = key.fn, key.field, key.deadline
    counts, values, extra, evidence = slot.counts, slot.values, slot.extra, slot.evidence
    cap = EVIDENCE_CAP

    def record(ev: Event, k: int) -> None:
        counts[k] = counts.get(k, 0) + 1
        kept = evidence.get(k)
        if kept is None:
            evidence[k] = [ev]
        elif len(kept) < cap:
            kept.append(ev)

    if fn is m.AggregateFn.SHARE:

        def feed_share(ev: Event, keys: tuple[int, ...]) -> None:
            if deadline is not None and ev.date > deadline:
                return
            k = keys[unit_index]
            extra[k] = extra.get(k, 0) + 1
            if cond is None or cond(ev) is True:
                record(ev, k)

        return feed_share

    def feed(ev: Event, keys: tuple[int, ...]) -> None:
        if deadline is not None and ev.date > deadline:
            return
        if cond is not None and cond(ev) is not True:
            return
        k = keys[unit_index]
        if field is None:
            record(ev, k)
            return
        v = ev.fields.get(field)
        if v is None:
            return
        record(ev, k)
        if fn is m.AggregateFn.SUM:
            values[k] = values.get(k, 0.0) + v
        elif fn is m.AggregateFn.AVG:
            values[k] = values.get(k, 0.0) + v
            extra[k] = extra.get(k, 0) + 1
        elif fn is m.AggregateFn.DISTINCT:
            seen = values.get(k)
            if seen is None:
                values[k] = {v}
            else:
                seen.add(v)
        elif fn is m.AggregateFn.MIN:
            current = values.get(k)
            if current is None or v < current:
                values[k] = v
        elif fn is m.AggregateFn.MAX:
            current = values.get(k)
            if current is None or v > current:
                values[k] = v

    return feed


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


class Dispatcher:
    """Per event type: which period keys to compute, and which slots to feed."""

    __slots__ = ("feeders", "presence", "units")

    def __init__(self, units: tuple[m.PeriodUnit, ...]):
        self.units = units
        self.feeders: list[Callable[[Event, tuple[int, ...]], None]] = []
        self.presence: list[dict[int, int]] = [{} for _ in units]  # events seen per key

    def keys(self, date: dt.date) -> tuple[int, ...]:
        return tuple(bucket_key(u, date) for u in self.units)


class CompiledPlan:
    """A plan ready to evaluate: slots, dispatchers by event type, compiled indicators."""

    def __init__(self, plan: m.Plan, window: m.PlanPeriod | None = None):
        self.plan = plan
        self.window = window or plan.period or m.PlanPeriod(dt.date(1970, 1, 1), dt.date(2100, 12, 31))
        self.slots: dict[SlotKey, Slot] = {}
        self.indicators: list[CompiledIndicator] = []
        for indicator in plan.indicators:
            self.indicators.append(self._indicator(indicator))
        self.dispatchers = self._dispatchers()

    def _slot(self, key: SlotKey) -> Slot:
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = Slot(key)
        return slot

    def _indicator(self, ind: m.Indicator) -> CompiledIndicator:
        if ind.expr is None:
            return CompiledIndicator(ind, None, None, None, None, [], (), False)
        used: list[Slot] = []
        value = self._value(ind.expr, ind.period, ind.deadline, used)
        measure = target = None
        comparator = None
        if isinstance(ind.expr, m.Compare):
            measure = self._value(ind.expr.left, ind.period, ind.deadline, [])
            target = self._value(ind.expr.right, ind.period, ind.deadline, [])
            comparator = ind.expr.op
        elif isinstance(ind.expr, m.Between):
            measure = self._value(ind.expr.value, ind.period, ind.deadline, [])
        types = tuple(dict.fromkeys(s.key.event_type for s in used))
        return CompiledIndicator(
            ind,
            value,
            measure,
            target,
            comparator,
            list(dict.fromkeys(used)),
            types,
            _monotone_up(ind.expr, self.plan),
        )

    def _value(self, expr: m.Expr, unit: m.PeriodUnit, deadline: dt.date | None, used: list[Slot]) -> ValueFn:
        match expr:
            case m.Number():
                constant: Value = expr.effective
                return lambda k: constant
            case m.Boolean():
                truth: Value = expr.value
                return lambda k: truth
            case m.Aggregate():
                slot = self._slot(SlotKey(expr.fn, expr.event_type, expr.field, expr.where, unit, deadline))
                used.append(slot)
                return slot.value
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
                compare = _OPS[op]

                def cmp(k: int) -> Value:
                    x, y = fa(k), fb(k)
                    return None if x is None or y is None else compare(x, y)

                return cmp
            case m.Between(value=v, low=lo, high=hi):
                fv, flo, fhi = (self._value(x, unit, deadline, used) for x in (v, lo, hi))

                def between(k: int) -> Value:
                    x, a, b = fv(k), flo(k), fhi(k)
                    return None if x is None or a is None or b is None else bool(a <= x <= b)

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

    def _reference(
        self, ref: m.Indicator, unit: m.PeriodUnit, deadline: dt.date | None, used: list[Slot]
    ) -> ValueFn:
        """A monitored indicator is a measure: measured again on this indicator's periods.
        Any other is a verdict: met on its own periods and deadline, all of them within ours."""
        assert ref.expr is not None  # the checker rejects references to empty indicators
        if ref.kind is m.IndicatorKind.MONITORED:
            return self._value(ref.expr, unit, ref.deadline or deadline, used)
        verdict = self._value(ref.expr, ref.period, ref.deadline, used)
        if ref.period is unit:
            return verdict
        window, own, theirs = self.window, unit, ref.period
        mapping: dict[int, tuple[int, ...]] = {}

        def within(k: int) -> Value:
            keys = mapping.get(k)
            if keys is None:
                keys = mapping[k] = keys_between(theirs, *key_range(own, k, window))
            values = [verdict(key) for key in keys]
            if any(v is False for v in values):
                return False
            return True if values and all(v is True for v in values) else None

        return within

    def _dispatchers(self) -> dict[str, Dispatcher]:
        by_type: dict[str, list[Slot]] = {}
        for slot in self.slots.values():
            by_type.setdefault(slot.key.event_type, []).append(slot)
        dispatchers: dict[str, Dispatcher] = {}
        for type_name, slots in by_type.items():
            event_type = self.plan.event_types[type_name]
            units = tuple(dict.fromkeys(s.key.unit for s in slots))
            dispatcher = Dispatcher(units)
            for slot in slots:
                dispatcher.feeders.append(_feeder(slot, event_type, units.index(slot.key.unit)))
            dispatchers[type_name] = dispatcher
        return dispatchers


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
