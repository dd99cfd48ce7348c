"""Why an indicator has its value: row by row, what counted and what did not.

This is the slow, talkative path behind `indicateurs evaluer --explain ID`. It re-reads the
sources for one indicator and interprets its conditions on each row, naming the first part of
a condition that a row fails. The fast evaluator never runs this code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from . import model as m
from .calendars import spec_of
from .compile import compile_condition
from .convert import ConversionError, FieldError, parse_date
from .evaluate import _TypeConverter
from .events import Event, RowProblem, SkippedRow
from .i18n import Lang, current_language
from .row_messages import row_message
from .sources import EventSource


@attrs.frozen
class RowVerdict:
    source: str
    row: int
    date: dt.date | None
    type: str
    counted: bool
    reason: str
    period: str | None


@attrs.frozen
class Explanation:
    indicator: m.Indicator
    rows: tuple[RowVerdict, ...]
    # Periods the window cuts, by label: the dates it covers of them (shown, not judged).
    partial: tuple[tuple[str, dt.date, dt.date], ...] = ()

    def render(self, lang: Lang | None = None) -> str:
        lang = lang or current_language()
        fr = lang == "fr"
        ind = self.indicator
        lines = [
            f"{'Indicateur' if fr else 'Indicator'} {ind.id} — {ind.wording or ''}".rstrip(" —"),
            f"  expression : {ind.expression_text or '-'}",
        ]
        by_period: dict[str, list[RowVerdict]] = {}
        for verdict in self.rows:
            by_period.setdefault(
                verdict.period or ("hors période" if fr else "outside the period"), []
            ).append(verdict)
        cut = {label: (start, end) for label, start, end in self.partial}
        for period, verdicts in by_period.items():
            counted = sum(1 for v in verdicts if v.counted)
            head = f"  {'période' if fr else 'period'} {period} : {counted} {'ligne(s) comptée(s)' if fr else 'row(s) counted'}, {len(verdicts) - counted} {'non comptée(s)' if fr else 'not counted'}"
            if period in cut:
                start, end = cut[period]
                head += (
                    f" (période partielle, non jugée : du {start:%d/%m/%Y} au {end:%d/%m/%Y} seulement)"
                    if fr
                    else f" (partial period, not judged: {start.isoformat()} to {end.isoformat()} only)"
                )
            lines.append(head)
            for v in verdicts:
                mark = "✔" if v.counted else "✘"
                date = v.date.strftime("%d/%m/%Y") if v.date else "??/??/????"
                lines.append(f"    {mark} {v.source}:{v.row}  {date}  {v.type}  {v.reason}")
        if not self.rows:
            lines.append("  " + ("aucune ligne des types utilisés" if fr else "no row of the types used"))
        return "\n".join(lines)


def explain(
    plan: m.Plan, indicator_id: str, sources: Iterable[EventSource], as_of: dt.date, lang: Lang | None = None
) -> Explanation:
    lang = lang or current_language()
    fr = lang == "fr"
    ind = plan.indicator(indicator_id)
    aggregates = _aggregates(plan, ind)
    types = {a.event_type for a in aggregates}
    converters = {t: _TypeConverter(plan.event_types[t]) for t in types if t in plan.event_types}
    window = plan.period or m.PlanPeriod(dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31))
    spec = spec_of(ind, plan)
    buckets = spec.buckets(window)
    labels = {b.key: b.label for b in buckets}
    partial = tuple((b.label, b.start, b.end) for b in buckets if b.partial)
    conditions = {
        id(a): (compile_condition(a.where, plan.event_types[a.event_type]) if a.where is not None else None)
        for a in aggregates
    }
    verdicts: list[RowVerdict] = []
    for source in sources:
        for row, record in source.rows():
            if isinstance(record, RowProblem | SkippedRow):
                continue
            type_name = str(record.get("type", ""))
            converter = converters.get(type_name)
            if converter is None:
                continue
            try:
                date = parse_date(record.get("date"))
            except ConversionError as exc:
                verdicts.append(
                    RowVerdict(
                        source.name,
                        row,
                        None,
                        type_name,
                        False,
                        row_message(exc.code, lang, value=str(record.get("date"))),
                        None,
                    )
                )
                continue
            period = labels.get(spec.key_of(date))
            if date < window.start or date > window.end:
                verdicts.append(
                    RowVerdict(
                        source.name,
                        row,
                        date,
                        type_name,
                        False,
                        "hors de la période évaluée" if fr else "outside the evaluated period",
                        None,
                    )
                )
                continue
            if date > as_of:
                verdicts.append(
                    RowVerdict(
                        source.name,
                        row,
                        date,
                        type_name,
                        False,
                        "postérieur à la date d'évaluation" if fr else "after the evaluation date",
                        period,
                    )
                )
                continue
            try:
                event = converter.convert(record, date, source.name, row)
            except FieldError as exc:
                message = row_message(
                    exc.code, lang, field=exc.field, value=None if exc.value is None else str(exc.value)
                )
                verdicts.append(
                    RowVerdict(
                        source.name,
                        row,
                        date,
                        type_name,
                        False,
                        ("rejetée : " if fr else "rejected: ") + message,
                        period,
                    )
                )
                continue
            counted, reason = _judge_row(event, aggregates, conditions, plan, ind.deadline, fr)
            verdicts.append(RowVerdict(source.name, row, date, type_name, counted, reason, period))
    return Explanation(ind, tuple(verdicts), partial)


def _aggregates(plan: m.Plan, ind: m.Indicator) -> list[m.Aggregate]:
    out: list[m.Aggregate] = []
    pending = [ind.expr] if ind.expr is not None else []
    while pending:
        expr = pending.pop()
        for node in m.walk(expr):
            if isinstance(node, m.Aggregate):
                out.append(node)
            elif isinstance(node, m.UnitShare):  # the events counted per unit
                out.append(
                    m.Aggregate(m.AggregateFn.COUNT, node.event_type, node.field, node.where, node.span)
                )
            elif isinstance(node, m.IndicatorRef):
                target = plan.indicator(node.name).expr
                if target is not None:
                    pending.append(target)
    return out


def _judge_row(
    event: Event,
    aggregates: list[m.Aggregate],
    conditions: dict[int, Any],
    plan: m.Plan,
    deadline: dt.date | None,
    fr: bool,
) -> tuple[bool, str]:
    """Counted by the first aggregate that takes the event; otherwise every reason it was not."""
    reasons: list[str] = []
    for agg in aggregates:
        if agg.event_type != event.type:
            continue
        if deadline is not None and event.date > deadline:
            reasons.append(
                ("après l'échéance du " if fr else "after the deadline ") + deadline.strftime("%d/%m/%Y")
            )
            continue
        cond = conditions[id(agg)]
        if cond is not None and cond(event) is not True:
            reasons.append(_failed_condition(agg.where, event, plan.event_types[agg.event_type], fr))
            continue
        if agg.field is not None and event.fields.get(agg.field) is None:
            reasons.append(f"« {agg.field} » vide" if fr else f"'{agg.field}' empty")
            continue
        value = "" if agg.field is None else f" ({agg.field} = {_shown_field(event, agg, plan, fr)})"
        return True, ("compté" if fr else "counted") + value
    return False, "; ".join(dict.fromkeys(reasons)) or ("non concerné" if fr else "not concerned")


def _failed_condition(expr: m.Expr | None, event: Event, event_type: m.EventType, fr: bool) -> str:
    """The first leaf of a condition that is not true for this event, with the event's value."""
    assert expr is not None
    match expr:
        case m.And(left=a, right=b):
            left = compile_condition(a, event_type)(event)
            return _failed_condition(a if left is not True else b, event, event_type, fr)
        case m.Or(left=a, right=b):
            return " ; ".join(
                [_failed_condition(a, event, event_type, fr), _failed_condition(b, event, event_type, fr)]
            )
    leaf = _leaf_text(expr)
    fields = [
        n.name
        for n in m.walk(expr)
        if isinstance(n, m.Name | m.BoolField) and event_type.field(n.name) is not None
    ]
    values = ", ".join(f"{f} = {_show(event.fields.get(f))}" for f in dict.fromkeys(fields))
    if fr:
        return (
            f"condition « {leaf} » non vérifiée ({values})"
            if values
            else f"condition « {leaf} » non vérifiée"
        )
    return f"condition '{leaf}' not met ({values})" if values else f"condition '{leaf}' not met"


def _leaf_text(expr: m.Expr) -> str:
    match expr:
        case m.Compare(op=op, left=a, right=b):
            return f"{_leaf_text(a)} {op.value} {_leaf_text(b)}"
        case m.InList(value=v, items=items, negated=neg):
            return (
                f"{_leaf_text(v)} {'pas dans' if neg else 'dans'} [{', '.join(_leaf_text(i) for i in items)}]"
            )
        case m.Between(value=v, low=lo, high=hi):
            return f"{_leaf_text(v)} entre {_leaf_text(lo)} et {_leaf_text(hi)}"
        case m.Not(operand=o):
            return f"non ({_leaf_text(o)})"
        case m.Name(name=n) | m.BoolField(name=n):
            return n
        case m.Number(days=days) if days is not None:
            return f"{expr.value:g} {'jours ouvrables' if days == 'working_days' else 'jours'}"
        case m.Number():
            return f"{expr.value:g}{' %' if expr.percent else ''}"
        case m.Text(value=t):
            return f'"{t}"'
        case m.DateValue(value=d):
            return d.isoformat()
        case m.Boolean(value=b):
            return "vrai" if b else "faux"
    return "…"


def _shown_field(event: Event, agg: m.Aggregate, plan: m.Plan, fr: bool) -> str:
    """A counted value; one declared in % with its sign, as reports write it: `66,5 %`, `66.5%`."""
    assert agg.field is not None
    value = event.fields.get(agg.field)
    decl = plan.event_types[agg.event_type].field(agg.field)
    if decl is None or not decl.percent or not isinstance(value, float):
        return _show(value)
    return (_show(value).replace(".", ",") + "\u00a0%") if fr else f"{_show(value)}%"


def _show(value: Any) -> str:
    if value is None:
        return "vide"
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)
