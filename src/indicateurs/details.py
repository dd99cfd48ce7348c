"""What a period's result says beyond its value: the target that applied when it changes with
the year or comes from a reference value, and the other explanations of the constructs beyond
counting. Shared by the compiled and the reference evaluators (both call `explain_periods`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from . import model as m
from . import trends
from .calendars import PeriodSpec, period_years
from .refvalues import value_over
from .results import (
    BaselineInfo,
    Coverage,
    DurationInfo,
    ReferenceUse,
    Status,
    UnitsInfo,
    UnitsRule,
    plan_number,
)

if TYPE_CHECKING:
    from .compile import CompiledIndicator
    from .periods import Bucket
    from .results import PeriodResult


def explain_periods(
    ci: CompiledIndicator,
    buckets: Sequence[Bucket],
    periods: tuple[PeriodResult, ...],
    window: m.PlanPeriod,
) -> tuple[PeriodResult, ...]:
    """The period results with their explanations added (nothing changes for a plain target)."""
    ind = ci.indicator
    expr = ind.expr
    if expr is None:
        return periods
    plan_values = ci.values
    names = list(dict.fromkeys(n.name for n in m.walk(expr) if isinstance(n, m.ValueRef)))
    shows_target = (
        isinstance(expr, m.Compare) and ci.target is not None and not isinstance(expr.right, m.Number)
    )
    trend = expr if isinstance(expr, m.Trend) and ci.target is not None and ci.measure is not None else None
    if not names and not shows_target and trend is None and ci.units is None:
        return periods
    spec = ci.period_spec or PeriodSpec(ind.period)
    out = []
    for bucket, period in zip(buckets, periods, strict=True):
        changes: dict[str, Any] = {}
        if ci.units is not None and period.status is not Status.NO_DATA:
            met, total, short = ci.units(bucket.key)
            changes["units"] = UnitsInfo(met, total, short[:50])
        if trend is not None:
            assert ci.target is not None and ci.measure is not None
            found = ci.target(bucket.key)
            base = None if found is None or isinstance(found, bool) else float(found)
            measured = ci.measure(bucket.key)
            shown = None if measured is None or isinstance(measured, bool) else float(measured)
            changes["baseline"] = base
            changes["change"], changes["direction"] = trends.change(measured, base)
            reason = trends.reference_reason(trend, spec, window, bucket.key)
            if reason is not None and period.status is not Status.NO_DATA:
                changes.update(status=Status.MONITORED, reason=reason, projection=None, value=shown)
            elif base is None and period.value is None and ci.baseline_reason is not None:
                why = ci.baseline_reason(bucket.key)  # no baseline: say why, not "undefined value"
                if why is not None and period.status in (Status.NOT_EVALUABLE, Status.IN_PROGRESS):
                    status = Status.NOT_EVALUABLE  # nor later: the missing baseline will not come
                    changes.update(status=status, reason=why, projection=None, value=shown)
        if shows_target:
            assert ci.target is not None
            target = ci.target(bucket.key)
            changes["target_value"] = None if target is None or isinstance(target, bool) else float(target)
        if names:
            years = period_years(ind.period, bucket.key, window)
            uses = []
            for name in names:
                value, year = value_over(plan_values[name], years)
                uses.append(ReferenceUse(name, value, year))
            changes["references"] = tuple(uses)
        out.append(attrs.evolve(period, **changes))
    return tuple(out)


PARTIAL_PERIOD = "période partielle"


def mark_partial(
    ind: m.Indicator, buckets: Sequence[Bucket], periods: tuple[PeriodResult, ...]
) -> tuple[PeriodResult, ...]:
    """Periods the window cuts carry the whole calendar period (`partial`); their value stays,
    but a judged indicator's is not judged against a target set for the whole period: status
    `non évaluable`, reason « période partielle » (a period without data stays `sans données`)."""
    out = []
    for bucket, period in zip(buckets, periods, strict=True):
        if not bucket.partial:
            out.append(period)
            continue
        assert bucket.full_start is not None and bucket.full_end is not None
        changes: dict[str, Any] = {"partial": Coverage(bucket.full_start, bucket.full_end)}
        if ind.kind is not m.IndicatorKind.MONITORED and period.status is not Status.NO_DATA:
            changes.update(status=Status.NOT_EVALUABLE, reason=PARTIAL_PERIOD, projection=None)
        out.append(attrs.evolve(period, **changes))
    return tuple(out)


_CALENDAR_TEXT = {
    "school_year": ("par année scolaire", "per school year"),
    "fiscal_year": ("par exercice", "per fiscal year"),
}
_CUMULATIVE_TEXT = {
    m.PeriodUnit.SEMESTER: ("par semestre, cumulé depuis janvier", "per semester, year to date"),
    m.PeriodUnit.QUARTER: ("par trimestre, cumulé depuis janvier", "per quarter, year to date"),
    m.PeriodUnit.MONTH: ("par mois, cumulé depuis janvier", "per month, year to date"),
}


def calendar_text(ind: m.Indicator, fr: bool) -> str | None:
    """` par année scolaire`, ` par trimestre, cumulé depuis janvier`; None for calendar periods."""
    words = _CALENDAR_TEXT.get(ind.calendar or "") or (
        _CUMULATIVE_TEXT.get(ind.period) if ind.cumulative else None
    )
    return None if words is None else " " + words[0 if fr else 1]


def by_year_text(table: m.ByYear, fr: bool) -> str:
    """`7 (2019) · 6,5 (dès 2022)`: a value per year as a target shows it."""
    parts = []
    for i, item in enumerate(table.items):
        text = plan_number(item.value.value, "fr" if fr else "en", percent=item.value.percent)
        since = ("dès " if fr else "from ") if i else ""
        parts.append(f"{text} ({since}{item.year})")
    return " · ".join(parts)


def beyond_counting(plan: m.Plan, ind: m.Indicator) -> bool:
    """Whether an indicator uses a construct beyond counting (values per year, reference values,
    measured values, durations, other calendars, trends, shares of units, stated statuses), as
    tools written for counting alone (the event strategies of indicateurs.testing) need to know."""
    if ind.milestone is not None or ind.to_define or ind.calendar is not None or ind.cumulative:
        return True
    if ind.expr is None:
        return False
    for node in m.walk(ind.expr):
        if isinstance(node, m.ByYear | m.ValueRef | m.Trend | m.UnitShare):
            return True
        if isinstance(node, m.Number) and node.days is not None:
            return True
        if isinstance(node, m.IndicatorRef):
            try:
                ref = plan.indicator(node.name)
            except KeyError:
                continue
            if ref is not ind and beyond_counting(plan, ref):
                return True
        if isinstance(node, m.Aggregate):
            if node.fn is m.AggregateFn.LAST:
                return True
            event = plan.event_types.get(node.event_type)
            if event is not None and (event.measure or any(f.duration is not None for f in event.fields)):
                return True
    return False


# ---------------------------------------------------------------------------- what the value is


_DURATION_FIGURES = {
    m.AggregateFn.AVG: "average",
    m.AggregateFn.MIN: "min",
    m.AggregateFn.MAX: "max",
    m.AggregateFn.SUM: "total",
    m.AggregateFn.LAST: "latest",
}


def indicator_facts(ind: m.Indicator, plan: m.Plan) -> dict[str, Any]:
    """What the plan says an indicator's value is, as `IndicatorResult` carries it for the
    reports (their detail line reads these, never the target's or the expression's words):
    a trend's baseline, a share of units' rule, a figure of durations, a latest measurement.
    Shared by every evaluator (`evaluate._plan_result`)."""
    expr = ind.expr
    if expr is None:
        return {}
    out: dict[str, Any] = {}
    if isinstance(expr, m.Trend):
        out["baseline"] = _baseline(expr)
        expr = expr.value
    value = expr.left if isinstance(expr, m.Compare) else expr.value if isinstance(expr, m.Between) else expr
    share = next((n for n in m.walk(value) if isinstance(n, m.UnitShare)), None)
    if share is not None:
        out["units"] = _units_rule(share, plan, ind.unit if value is share else None)
    if isinstance(value, m.Aggregate):
        out["latest"] = value.fn is m.AggregateFn.LAST
        duration = _duration(value, plan)
        if duration is not None:
            out["duration"] = duration
    return out


def _baseline(trend: m.Trend) -> BaselineInfo:
    base = trend.baseline
    if base is None:
        return BaselineInfo("previous")
    kind = "year" if base.first == base.last else "average"
    declared = None if base.declared is None else base.declared.effective
    return BaselineInfo(kind, tuple(range(base.first, base.last + 1)), declared)


def _units_rule(share: m.UnitShare, plan: m.Plan, unit_label: str | None) -> UnitsRule:
    """`unit_label`: the indicator's unit, when its value is the number of units (`nombre`)."""
    event = plan.event_types.get(share.event_type)
    fr = en = None
    if share.where is not None:
        fr, en = _condition(share.where, "fr"), _condition(share.where, "en")
    return UnitsRule(
        share=share.fn is m.AggregateFn.SHARE,
        event_type=share.event_type,
        field=share.field,
        op=share.op.value,
        threshold=share.threshold.effective,
        event_label=None if event is None else event.label,
        unit_label=None if share.fn is m.AggregateFn.SHARE else unit_label,
        condition_fr=fr,
        condition_en=en,
    )


def _condition(where: m.Expr, lang: str) -> str | None:
    """A filter in the plan language's canonical spelling (keywords in `lang`)."""
    from .format import format_expression  # the printer the formatter uses

    try:
        return format_expression(where, "en" if lang == "en" else "fr")
    except Exception:  # a literal the printer cannot spell: no condition shown rather than a crash
        return None


def _duration(agg: m.Aggregate, plan: m.Plan) -> DurationInfo | None:
    """A figure of a duration field (`moyenne(intervention.temps)`), or the share of events
    whose duration is within a number of days (`part(dossier où délai <= 21 jours ouvrables)`)."""
    event = plan.event_types.get(agg.event_type)
    if event is None:
        return None
    figure = _DURATION_FIGURES.get(agg.fn)
    decl = None if agg.field is None else event.field(agg.field)
    if figure is not None and decl is not None and decl.duration is not None:
        unit = "working_days" if decl.duration.working else "days"
        return DurationInfo(figure, unit, agg.event_type, decl.name)
    where = agg.where
    if agg.fn is not m.AggregateFn.SHARE or not isinstance(where, m.Compare):
        return None  # the share of events within a limit, and nothing else
    field, limit = where.left, where.right
    if not isinstance(field, m.Name) or not isinstance(limit, m.Number) or limit.days is None:
        return None
    decl = event.field(field.name)
    if decl is None or decl.duration is None:
        return None
    return DurationInfo("within", limit.days, agg.event_type, decl.name, where.op.value, limit.value)
