"""Checks of the constructs beyond counting: values per year, reference values, measures,
durations, calendars, baselines and shares of units. `check.Checker` calls these hooks.

The functions take the checker itself (for its plan and its `error`) and add diagnostics to
it; the codes are C201 onwards (messages_more.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from . import model as m
from .calendars import spec_of
from .diagnostics import Severity
from .spans import Span
from .suggest import closest

Interval = tuple[float, float]


class _Checker(Protocol):
    plan: m.Plan

    def error(self, code: str, span: Span, *args: Any, **kwargs: Any) -> None: ...


def event_type(checker: _Checker, event: m.EventType) -> None:
    """The dates a duration field is computed from: date fields of its type, `date` or `fin`."""
    dates = [f.name for f in event.fields if f.kind is m.FieldKind.DATE]
    for decl in event.fields:
        if decl.duration is None:
            continue
        duration = decl.duration
        for name, span in ((duration.start, duration.start_span), (duration.end, duration.end_span)):
            if name in ("date", "fin", "end") or name in dates:
                continue
            guess = closest(name, [*dates, "date", "fin"])
            checker.error(
                "C214",
                span or decl.span,
                name=name,
                field=decl.name,
                guess=guess or "",
                dates=", ".join(dates) or "-",
            )


def days_literal(checker: _Checker, number: m.Number, decl: m.FieldDecl) -> None:
    """`délai <= 21 jours ouvrables`: a number of days goes with a duration in the same unit."""
    if number.days is None:
        return
    if decl.duration is None:
        checker.error("C216", number.span, number=_days_text(number), field=decl.name)
    elif (number.days == "working_days") is not decl.duration.working:
        unit = "working_days" if decl.duration.working else "days"
        checker.error("C215", number.span, number=_days_text(number), field=decl.name, day_unit=unit)


def _days_text(number: m.Number) -> str:
    unit = "jours ouvrables" if number.days == "working_days" else "jours"
    return f"{number.value:g} {unit}".replace(".", ",")


def _numeric_days(checker: _Checker, expr: m.Expr) -> None:
    """Numbers of days in a target: compared with an aggregate of a duration field, same unit."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, m.Aggregate):
            continue  # its condition is checked with the fields (days_literal)
        stack.extend(m.children(node))
        if not isinstance(node, m.Compare | m.Between):
            continue
        operands = m.children(node)
        days = [op for op in operands if isinstance(op, m.Number) and op.days is not None]
        if not days:
            continue
        fields = [_duration_field(checker.plan, op) for op in operands if isinstance(op, m.Aggregate)]
        decl = next((f for f in fields if f is not None), None)
        for number in days:
            if decl is None:
                checker.error("C216", number.span, number=_days_text(number), field="-")
            else:
                days_literal(checker, number, decl)


def _duration_field(plan: m.Plan, agg: m.Aggregate) -> m.FieldDecl | None:
    event = plan.event_types.get(agg.event_type)
    decl = None if event is None or agg.field is None else event.field(agg.field)
    return decl if decl is not None and decl.duration is not None else None


def indicator(checker: _Checker, ind: m.Indicator) -> None:
    """Checks that need the whole indicator (its period), run once per indicator."""
    assert ind.expr is not None
    _numeric_days(checker, ind.expr)
    if ind.calendar == "fiscal_year" and checker.plan.fiscal_start == 1:
        checker.error("C217", ind.period_span or ind.span, Severity.WARNING, name=ind.id)
    _cut_periods(checker, ind)
    several_years = _several_years(checker.plan, ind)
    reported = False
    for node in m.walk(ind.expr):
        per_year = isinstance(node, m.ByYear)
        if isinstance(node, m.ByYear):
            _by_year(checker, node)
        elif isinstance(node, m.ValueRef):
            value = checker.plan.values.get(node.name)
            per_year = value is not None and isinstance(value.value, m.ByYear)
        if per_year and several_years is not None and not reported:
            checker.error("C207", node.span, years=several_years)
            reported = True
        if isinstance(node, m.Trend):
            _trend(checker, ind, node)
        elif isinstance(node, m.UnitShare):
            _unit_share(checker, node)


def _unit_share(checker: _Checker, share: m.UnitShare) -> None:
    """The event type, field and filter as for any aggregate; a share or a number of units."""
    as_aggregate = m.Aggregate(
        m.AggregateFn.DISTINCT, share.event_type, share.field, share.where, share.span,
        field_span=share.field_span,
    )  # fmt: skip
    checker._aggregate(as_aggregate)  # type: ignore[attr-defined]
    if share.fn not in (m.AggregateFn.SHARE, m.AggregateFn.COUNT, m.AggregateFn.DISTINCT):
        checker.error("C223", share.fn_span or share.span, fn=share.fn.value)
    if share.threshold.percent or share.threshold.days is not None:
        checker.error("C224", share.threshold.span)


def _trend(checker: _Checker, ind: m.Indicator, trend: m.Trend) -> None:
    if trend.amount is not None and not trend.amount.percent:
        shown = f"{trend.amount.value:g}".replace(".", ",")
        checker.error("C218", trend.amount.span, amount=shown)
    base = trend.baseline
    if base is None:
        if ind.period is m.PeriodUnit.WHOLE:
            checker.error("C222", trend.words_span or trend.span, name=ind.id)
        return
    if base.first > base.last:
        checker.error("C219", base.span, first=base.first, last=base.last)
        return
    if base.declared is not None:
        return
    if ind.period is not m.PeriodUnit.YEAR or ind.calendar is not None or ind.cumulative:
        checker.error("C220", base.span, name=ind.id)
        return
    period = checker.plan.period
    if period is None:
        return
    years = str(base.first) if base.first == base.last else f"{base.first}-{base.last}"
    if not (period.start <= dt.date(base.first, 1, 1) and dt.date(base.last, 12, 31) <= period.end):
        # Data outside the plan's period is never read: such a baseline must be declared.
        average = base.first != base.last
        checker.error(
            "C221",
            base.span,
            years=years,
            start=_day(period.start, True),
            end=_day(period.end, True),
            start_en=_day(period.start, False),
            end_en=_day(period.end, False),
            form=("par rapport à la moyenne " if average else "par rapport à ") + years,
            form_en=("vs average " if average else "vs ") + years,
        )
    elif base.last >= period.end.year:
        checker.error("C226", base.span, years=years, end=period.end.year)


def _day(date: dt.date, fr: bool) -> str:
    return date.strftime("%d/%m/%Y") if fr else date.isoformat()


def _cut_periods(checker: _Checker, ind: m.Indicator) -> None:
    """C225: the plan's period cuts some periods of the indicator (a school year 2018-2019 in a
    plan from 1 January 2019); the evaluator shows them without judging them."""
    period = checker.plan.period
    if period is None or ind.period is m.PeriodUnit.WHOLE:
        return
    found = spec_of(ind, checker.plan).buckets(period)
    cut = [b for b in found if b.partial]
    if not cut:
        return
    first, last = found[0], found[-1]
    start = first.full_start if first.partial and first.full_start is not None else period.start
    end = last.full_end if last.partial and last.full_end is not None else period.end
    span = ind.period_span or ind.span
    checker.error(
        "C225",
        span,
        Severity.WARNING,
        name=ind.id,
        periods=", ".join(b.label for b in cut),
        plan_start=_day(period.start, True),
        plan_end=_day(period.end, True),
        plan_start_en=_day(period.start, False),
        plan_end_en=_day(period.end, False),
        start=_day(start, True),
        end=_day(end, True),
        start_en=_day(start, False),
        end_en=_day(end, False),
    )


def _several_years(plan: m.Plan, ind: m.Indicator) -> str | None:
    """`2019–2024` when the indicator's periods can span several years, else None."""
    period = plan.period
    if period is None or ind.period is not m.PeriodUnit.WHOLE:
        return None
    if period.start.year == period.end.year:
        return None
    return f"{period.start.year}–{period.end.year}"


def _by_year(checker: _Checker, table: m.ByYear) -> None:
    seen: set[int] = set()
    for item in table.items:
        if item.year in seen:
            checker.error("C208", item.span, year=item.year)
        seen.add(item.year)


def expression_type(checker: _Checker, expr: m.Expr) -> str | None:
    """`number` or `bool` for the new expression nodes, None for the others."""
    if isinstance(expr, m.ByYear | m.ValueRef):
        return "number"
    if isinstance(expr, m.UnitShare):
        return "number"
    if isinstance(expr, m.Trend):
        checker._expect(expr.value, "number")  # type: ignore[attr-defined]
        return "bool"
    return None


def value_range(expr: m.Expr) -> Interval | None:
    """The values a new expression node can take, as far as the plan tells; None if unknown."""
    if isinstance(expr, m.ByYear) and expr.items:
        values = [item.value.effective for item in expr.items]
        return (min(values), max(values))
    if isinstance(expr, m.UnitShare):
        return (0.0, 1.0) if expr.fn is m.AggregateFn.SHARE else (0.0, float("inf"))
    return None
