"""The reference evaluator: deliberately simple, deliberately slow, obviously right.

It reads every row into a list of events, then, for every indicator, every period and every
aggregate, scans that whole list again and interprets the plan's expressions and conditions
node by node. Nothing is compiled, cached, shared or generated. It exists to be compared with
the real evaluator (tests/test_equivalence.py): the two must give the same values, statuses,
evidence and row accounting for any plan and any rows.

What it shares with the real evaluator is the specification, not the engine: the conversion
of one value (convert.py), the calendar (periods.buckets, periods.bucket_key), the row
messages, and the rules that turn values into verdicts (evaluate._indicator_result and the
rest of the result assembly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from . import durations, measures, trends
from . import model as m
from . import units as units_rules
from .calendars import PeriodSpec, spec_of, value_in
from .compile import EVIDENCE_CAP, CompiledIndicator, _monotone_up
from .convert import MAX_YEAR, MIN_YEAR, ConversionError, FieldError, field_converter, is_blank, parse_date
from .evaluate import EVIDENCE_SHOWN, _indicator_result, _plan_result, _window
from .events import Rejection, RowProblem, SkippedRow
from .keywords import fold
from .precision import settle
from .refvalues import value_over
from .results import Evidence, EvidenceItem, PlanResult, SourceReport
from .row_messages import row_message
from .sources import as_sources

Value = float | bool | None


@attrs.frozen
class RefEvent:
    type: str
    date: dt.date
    fields: dict[str, Any]
    id: str | None
    source: str
    row: int


@attrs.frozen
class _Use:
    """An aggregate as an indicator uses it: on which periods, with which deadline."""

    agg: m.Aggregate
    spec: PeriodSpec  # the periods: a unit, and the calendar its years follow
    deadline: dt.date | None

    def key(self) -> tuple[Any, ...]:
        a = self.agg
        return (a.fn, a.event_type, a.field, a.where, self.spec, self.deadline)


def evaluate_reference(
    plan: m.Plan,
    sources: Any,
    *,
    period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None,
    as_of: dt.date | None = None,
    mapping: Any = None,
) -> PlanResult:
    """What `indicateurs.evaluate` returns, computed the slow and simple way."""
    window = _window(plan, period)
    as_of = as_of or dt.date.today()
    events, reports, rejections = _read(plan, as_sources(sources, mapping), window, as_of)
    seen_types = {e.type for e in events}
    results = []
    for ind in plan.indicators:
        ci, uses = _indicator(plan, ind, events, window)
        has_data = any(t in seen_types for t in ci.event_types)
        evidencer = _evidencer(plan, uses, events)
        results.append(_indicator_result(ci, has_data, evidencer, window, as_of))
    return _plan_result(plan, window, as_of, results, reports, rejections)


# ---------------------------------------------------------------------------- rows


def _read(
    plan: m.Plan, sources: list[Any], window: m.PlanPeriod, as_of: dt.date
) -> tuple[list[RefEvent], list[SourceReport], list[Rejection]]:
    used_types = {u.agg.event_type for ind in plan.indicators if ind.expr for u in _uses(plan, ind)}
    folded = {fold(name).replace(" ", "_"): name for name in plan.event_types}
    events: list[RefEvent] = []
    reports: list[SourceReport] = []
    rejections: list[Rejection] = []
    for source in sources:
        read = used = 0
        ignored: dict[str, int] = {}
        rejected: list[Rejection] = []

        def reject(row: int, code: str, field: str | None, value: object, guess: str = "") -> None:
            shown = None if value is None else str(value)
            message = row_message(code, field=field, value=shown, guess=guess)
            rejected.append(Rejection(source.name, row, code, message, field, shown))  # noqa: B023

        for row, record in source.rows():
            read += 1
            if isinstance(record, RowProblem):
                reject(row, record.code, None, record.detail or None)
                continue
            if isinstance(record, SkippedRow):
                ignored[record.reason] = ignored.get(record.reason, 0) + 1
                continue
            type_name = record.get("type")
            if type_name in used_types:
                canonical = type_name
            elif is_blank(type_name):
                reject(row, "type_manquant", "type", None)
                continue
            else:
                if type_name in plan.event_types:
                    canonical = type_name
                else:
                    canonical = folded.get(fold(str(type_name)).replace(" ", "_"))
                if canonical is None:
                    from .suggest import closest

                    guess = closest(str(type_name), plan.event_types) or ""
                    reject(row, "type_inconnu", "type", type_name, guess)
                    continue
                if canonical not in used_types:
                    ignored["type_non_utilise"] = ignored.get("type_non_utilise", 0) + 1
                    continue
            raw_date = record.get("date")
            try:
                date = (
                    raw_date
                    if type(raw_date) is dt.date and MIN_YEAR <= raw_date.year <= MAX_YEAR
                    else parse_date(raw_date)
                )
            except ConversionError as exc:
                reject(row, "date_manquante" if is_blank(raw_date) else exc.code, "date", raw_date)
                continue
            if date < window.start or date > min(window.end, as_of):
                late = as_of < date <= window.end
                reason = "apres_date_evaluation" if late else "hors_periode"
                ignored[reason] = ignored.get(reason, 0) + 1
                continue
            fields: dict[str, Any] = {}
            problem: tuple[str, str, Any] | None = None
            end_date: dt.date | None = None
            for decl in plan.event_types[canonical].fields:
                if decl.duration is not None:
                    continue  # computed from the dates, below
                raw = record.get(decl.name)
                if raw is None or (type(raw) is str and raw.strip() == ""):
                    if not decl.optional:
                        problem = ("champ_manquant", decl.name, raw)
                        break
                    fields[decl.name] = None
                    continue
                try:
                    fields[decl.name] = field_converter(decl)(raw)
                except ConversionError as exc:
                    problem = (exc.code, decl.name, raw)
                    break
            if problem is None:
                end_raw = record.get("fin", record.get("end"))
                if not is_blank(end_raw):
                    try:
                        end_date = parse_date(end_raw)
                    except ConversionError as exc:
                        problem = (exc.code, "fin", end_raw)
            if problem is None:
                try:
                    durations.computed(plan.event_types[canonical], fields, date, end_date)
                except FieldError as exc:
                    problem = (exc.code, exc.field, exc.value)
            if problem is not None:
                reject(row, *problem)
                continue
            ident = record.get("id")
            events.append(
                RefEvent(canonical, date, fields, None if is_blank(ident) else str(ident), source.name, row)
            )
            used += 1
        reports.append(
            SourceReport(
                source.name, read, used, sum(ignored.values()), len(rejected), tuple(sorted(ignored.items()))
            )
        )
        rejections.extend(rejected)
    return events, reports, rejections


# ---------------------------------------------------------------------------- values


def _uses(plan: m.Plan, ind: m.Indicator) -> list[_Use]:
    """The aggregates an indicator's value reads, in the order the expression names them."""
    if ind.expr is None:
        return []
    return _expr_uses(plan, ind.expr, spec_of(ind, plan), ind.deadline)


def _expr_uses(plan: m.Plan, expr: m.Expr, spec: PeriodSpec, deadline: dt.date | None) -> list[_Use]:
    """The aggregates an expression reads on periods `spec`, in the order it names them."""
    out: list[_Use] = []

    def visit(expr: m.Expr, spec: PeriodSpec, deadline: dt.date | None) -> None:
        if isinstance(expr, m.Aggregate):
            out.append(_Use(expr, spec, deadline))
        elif isinstance(expr, m.UnitShare):  # the events counted per unit, and all the units
            out.extend(_Use(agg, spec, deadline) for agg in _unit_aggregates(plan, expr))
        elif isinstance(expr, m.IndicatorRef):
            ref = plan.indicator(expr.name)
            assert ref.expr is not None
            if ref.kind is m.IndicatorKind.MONITORED:
                visit(ref.expr, spec, ref.deadline or deadline)
            else:
                visit(ref.expr, spec_of(ref, plan), ref.deadline)
        else:
            for child in m.children(expr):
                visit(child, spec, deadline)

    visit(expr, spec, deadline)
    return out


def _counted(
    plan: m.Plan, expr: m.Expr, spec: PeriodSpec, deadline: dt.date | None, events: list[RefEvent]
) -> Callable[[int], int] | None:
    """The events an expression counted in a period key (the most of any of its aggregates),
    counted one by one; None when it reads no event."""
    uses = _expr_uses(plan, expr, spec, deadline)
    if not uses:
        return None

    def counted(key: int) -> int:
        return max(sum(1 for e in events if _taken(plan, u.agg, u.spec, u.deadline, key, e)[1]) for u in uses)

    return counted


def _indicator(
    plan: m.Plan, ind: m.Indicator, events: list[RefEvent], window: m.PlanPeriod
) -> tuple[CompiledIndicator, list[_Use]]:
    all_uses = _uses(plan, ind)
    uses: list[_Use] = []
    for use in all_uses:
        if all(use.key() != kept.key() for kept in uses):
            uses.append(use)
    types = tuple(dict.fromkeys(u.agg.event_type for u in all_uses))
    if ind.expr is None:
        return CompiledIndicator(ind, None, None, None, None, [], (), False), []
    expr, spec, deadline = ind.expr, spec_of(ind, plan), ind.deadline

    def at(e: m.Expr) -> Callable[[int], Value]:
        return lambda key: _value(plan, e, spec, deadline, key, events, window)

    measure = target = None
    comparator = None
    why = None
    if isinstance(expr, m.Compare):
        measure, target, comparator = at(expr.left), at(expr.right), expr.op
    elif isinstance(expr, m.Trend):
        trend, measure = expr, at(expr.value)
        counted = _counted(plan, trend.value, spec, deadline, events)

        def state(key: int) -> tuple[float | None, str | None]:
            return trends.baseline_state(trend, at(trend.value), spec, window, key, counted)

        target = lambda key: state(key)[0]  # noqa: E731
        why = lambda key: state(key)[1]  # noqa: E731
    if isinstance(expr, m.Between):
        measure = at(expr.value)
    latest = [u for u in uses if u.agg.fn is m.AggregateFn.LAST]
    share = next((n for n in m.walk(expr) if isinstance(n, m.UnitShare)), None)
    units = None
    if share is not None:
        found = share
        units = lambda key: _unit_detail(plan, found, spec, deadline, key, events)  # noqa: E731

    def empty(key: int) -> bool:
        return any(
            not any(_taken(plan, u.agg, u.spec, u.deadline, key, e)[1] for e in events) for u in latest
        )

    ci = CompiledIndicator(
        ind,
        at(expr),
        measure,
        target,
        comparator,
        [],
        types,
        _monotone_up(expr, plan),
        plan.values,
        empty if latest else None,
        None if spec.standard else spec,
        units,
        why,
    )
    return ci, uses


def _value(
    plan: m.Plan,
    expr: m.Expr,
    spec: PeriodSpec,
    deadline: dt.date | None,
    key: int,
    events: list[RefEvent],
    window: m.PlanPeriod,
) -> Value:
    def again(e: m.Expr) -> Value:
        return _value(plan, e, spec, deadline, key, events, window)

    match expr:
        case m.Number():
            return expr.effective
        case m.Boolean(value=b):
            return b
        case m.ByYear():
            return value_in(expr, spec.years(key, window))[0]
        case m.UnitShare():
            return units_rules.value(expr, _unit_detail(plan, expr, spec, deadline, key, events))
        case m.Trend(value=v):

            def at_key(k: int) -> Value:
                return _value(plan, v, spec, deadline, k, events, window)

            counted = _counted(plan, v, spec, deadline, events)
            base = trends.baseline_at(expr, at_key, spec, window, key, counted)
            return trends.verdict(expr, at_key(key), base)
        case m.ValueRef(name=name):
            return value_over(plan.values[name], spec.years(key, window))[0]
        case m.Aggregate():
            found = _aggregate(plan, expr, spec, deadline, key, events)
            factor = measures.scale(expr, plan)
            return found if factor == 1.0 or found is None or isinstance(found, bool) else found * factor
        case m.IndicatorRef(name=name):
            ref = plan.indicator(name)
            assert ref.expr is not None
            if ref.kind is m.IndicatorKind.MONITORED:
                return _value(plan, ref.expr, spec, ref.deadline or deadline, key, events, window)
            theirs = spec_of(ref, plan)
            if theirs == spec:
                return _value(plan, ref.expr, theirs, ref.deadline, key, events, window)
            start, end = _key_dates(spec, key, window)
            verdicts = [  # their complete periods only: a period the window cuts is not judged
                _value(plan, ref.expr, theirs, ref.deadline, b.key, events, window)
                for b in theirs.buckets(window)
                if b.key in theirs.keys_between(start, end) and not b.partial
            ]
            if any(v is False for v in verdicts):
                return False
            return True if verdicts and all(v is True for v in verdicts) else None
        case m.Negative(operand=o):
            x = again(o)
            return None if x is None else -x
        case m.Arithmetic(op=op, left=a, right=b):
            x, y = again(a), again(b)
            if x is None or y is None:
                return None
            if op == "+":
                return float(x) + float(y)
            if op == "-":
                return float(x) - float(y)
            if op == "*":
                return float(x) * float(y)
            return None if y == 0 else float(x) / float(y)
        case m.Compare(op=op, left=a, right=b):
            x, y = again(a), again(b)
            return None if x is None or y is None else _compare(op, settle(x), settle(y))
        case m.Between(value=v, low=lo, high=hi):
            x, a_, b_ = again(v), again(lo), again(hi)
            if x is None or a_ is None or b_ is None:
                return None
            return bool(settle(a_) <= settle(x) <= settle(b_))
        case m.And(left=a, right=b):
            return _and(again(a), again(b))
        case m.Or(left=a, right=b):
            return _or(again(a), again(b))
        case m.Not(operand=o):
            x = again(o)
            return None if x is None else not x
    raise ValueError(f"cannot evaluate {expr!r}")


def _unit_aggregates(plan: m.Plan, share: m.UnitShare) -> list[m.Aggregate]:
    counted = m.Aggregate(m.AggregateFn.UNITS, share.event_type, share.field, share.where)
    if units_rules.declared_units(plan, share) is not None:
        return [counted]
    return [counted, m.Aggregate(m.AggregateFn.UNITS, share.event_type, share.field, None)]


def _unit_detail(
    plan: m.Plan,
    share: m.UnitShare,
    spec: PeriodSpec,
    deadline: dt.date | None,
    key: int,
    events: list[RefEvent],
) -> units_rules.Detail:
    """Events per unit in the period, counted one by one, and the units to judge."""
    aggregates = _unit_aggregates(plan, share)
    per_unit: list[dict[Any, int]] = []
    for agg in aggregates:
        counts: dict[Any, int] = {}
        for e in events:
            if _taken(plan, agg, spec, deadline, key, e)[1]:
                unit = e.fields[share.field]
                counts[unit] = counts.get(unit, 0) + 1
        per_unit.append(counts)
    declared = units_rules.declared_units(plan, share)
    universe = units_rules.ordered_universe(declared, per_unit[-1])
    return units_rules.detail(share, per_unit[0], universe)


def _key_dates(spec: PeriodSpec, key: int, window: m.PlanPeriod) -> tuple[dt.date, dt.date]:
    """The dates of the period `key` (the whole window for WHOLE), within the window."""
    if spec.unit is m.PeriodUnit.WHOLE:
        return window.start, window.end
    for b in spec.buckets(window):
        if b.key == key:
            return b.start, b.end
    raise KeyError(key)


def _compare(op: m.Comparator, x: Any, y: Any) -> bool:
    if op is m.Comparator.GE:
        return bool(x >= y)
    if op is m.Comparator.GT:
        return bool(x > y)
    if op is m.Comparator.LE:
        return bool(x <= y)
    if op is m.Comparator.LT:
        return bool(x < y)
    if op is m.Comparator.EQ:
        return bool(x == y)
    return bool(x != y)


def _and(x: Any, y: Any) -> bool | None:
    if x is False or y is False:
        return False
    return None if x is None or y is None else True


def _or(x: Any, y: Any) -> bool | None:
    if x is True or y is True:
        return True
    return None if x is None or y is None else False


def _taken(
    plan: m.Plan, agg: m.Aggregate, spec: PeriodSpec, deadline: dt.date | None, key: int, e: RefEvent
) -> tuple[bool, bool]:
    """(the event is of the aggregate's population for this period, the aggregate counts it)."""
    if e.type != agg.event_type or not spec.contains(key, e.date):
        return False, False
    if deadline is not None and e.date > deadline:
        return False, False
    if (
        agg.where is not None
        and _condition(plan.event_types[agg.event_type], agg.where, e.fields) is not True
    ):
        return True, False
    if agg.fn is not m.AggregateFn.SHARE and agg.field is not None and e.fields.get(agg.field) is None:
        return True, False
    return True, True


def _aggregate(
    plan: m.Plan,
    agg: m.Aggregate,
    spec: PeriodSpec,
    deadline: dt.date | None,
    key: int,
    events: list[RefEvent],
) -> Value:
    population = 0
    counted: list[RefEvent] = []
    for e in events:
        member, counts = _taken(plan, agg, spec, deadline, key, e)
        population += member
        if counts:
            counted.append(e)
    values = [e.fields[agg.field] for e in counted] if agg.field is not None else []
    match agg.fn:
        case m.AggregateFn.COUNT:
            return float(len(counted))
        case m.AggregateFn.EXISTS:
            return len(counted) > 0
        case m.AggregateFn.SHARE:
            return len(counted) / population if population else None
        case m.AggregateFn.DISTINCT:
            return float(len(set(values)))
        case m.AggregateFn.SUM:
            total = 0.0
            for v in values:
                total += v
            return settle(float(total))
        case m.AggregateFn.AVG:
            total = 0.0
            for v in values:
                total += v
            return settle(total / len(values)) if values else None
        case m.AggregateFn.MIN:
            return float(min(values)) if values else None
        case m.AggregateFn.MAX:
            return float(max(values)) if values else None
        case m.AggregateFn.LAST:
            latest: RefEvent | None = None
            for e in counted:  # the latest by date; of two on one day, the later row
                if latest is None or e.date >= latest.date:
                    latest = e
            return None if latest is None else float(latest.fields[agg.field])  # type: ignore[index]
    raise ValueError(agg.fn)


def _condition(event_type: m.EventType, expr: m.Expr, fields: dict[str, Any]) -> bool | None:
    """SQL's three-valued logic: a comparison with an empty field is unknown (None)."""

    def operand(e: m.Expr) -> Any:
        if isinstance(e, m.Name) and event_type.field(e.name) is not None:
            return fields.get(e.name)
        return m.literal_value(e)

    match expr:
        case m.And(left=a, right=b):
            return _and(_condition(event_type, a, fields), _condition(event_type, b, fields))
        case m.Or(left=a, right=b):
            return _or(_condition(event_type, a, fields), _condition(event_type, b, fields))
        case m.Not(operand=o):
            x = _condition(event_type, o, fields)
            return None if x is None else not x
        case m.BoolField(name=name):
            value = fields.get(name)
            return None if value is None else bool(value)
        case m.Compare(op=op, left=a, right=b):
            x, y = operand(a), operand(b)
            return None if x is None or y is None else _compare(op, x, y)
        case m.Between(value=v, low=lo, high=hi):
            x, a_, b_ = operand(v), operand(lo), operand(hi)
            return None if x is None or a_ is None or b_ is None else bool(a_ <= x <= b_)
        case m.InList(value=v, items=items, negated=negated):
            x = operand(v)
            if x is None:
                return None
            inside = any(x == operand(i) for i in items)
            return not inside if negated else inside
    raise ValueError(f"not a condition: {expr!r}")


# ---------------------------------------------------------------------------- evidence


def _evidencer(plan: m.Plan, uses: list[_Use], events: list[RefEvent]) -> Callable[[int], Evidence]:
    """The events that counted in a period: at most EVIDENCE_CAP per aggregate, then merged.

    As in the real evaluator, an aggregate's events are looked up by the indicator's period key
    even when the aggregate is measured on another kind of period (a referenced indicator's):
    keys of different units seldom coincide, and where they do (semester and quarter keys)
    the evidence follows the key.
    """

    def evidence(key: int) -> Evidence:
        items: dict[tuple[str, int], EvidenceItem] = {}
        count = 0
        for use in uses:
            counted = [e for e in events if _taken(plan, use.agg, use.spec, use.deadline, key, e)[1]]
            count = max(count, len(counted))
            for e in _kept(use.spec, key, counted):
                if len(items) >= EVIDENCE_SHOWN:
                    break
                items.setdefault((e.source, e.row), EvidenceItem(e.source, e.row, e.id, e.date, e.type))
        return Evidence(count, tuple(items.values()))

    return evidence


def _kept(spec: PeriodSpec, key: int, counted: list[RefEvent]) -> list[RefEvent]:
    """The events kept as evidence: the first EVIDENCE_CAP. A period made of several periods
    of its base unit (a school year of months, a year to date of quarters) keeps the first
    EVIDENCE_CAP of each, base period after base period, then the first EVIDENCE_CAP of those."""
    if spec.standard:
        return counted[:EVIDENCE_CAP]
    base = PeriodSpec(spec.base_unit)
    kept: list[RefEvent] = []
    for part in spec.base_keys(key):
        kept += [e for e in counted if base.key_of(e.date) == part][:EVIDENCE_CAP]
    return kept[:EVIDENCE_CAP]


__all__ = ["evaluate_reference"]
