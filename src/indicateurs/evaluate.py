"""One pass over the events, then a verdict per indicator and period.

Rows are converted against the plan (types, dates, fields), accounted for (used, ignored,
rejected: read = used + ignored + rejected for every source) and dispatched by type to the
compiled slots. Nothing is held per event beyond the capped evidence, so sources stream.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from . import measures
from . import model as m
from .compile import CompiledIndicator, CompiledPlan, Slot, TypeProgram
from .convert import (
    MAX_YEAR,
    MIN_YEAR,
    ConversionError,
    FieldError,
    end_reader,
    field_reader,
    is_blank,
    parse_date,
)
from .details import (
    PARTIAL_PERIOD,
    by_year_text,
    calendar_text,
    explain_periods,
    indicator_facts,
    mark_partial,
)
from .durations import computed
from .events import Event, Rejection, RowProblem, SkippedRow
from .i18n import Lang
from .keywords import fold
from .periods import Bucket, DateInfo, buckets, date_info
from .results import (
    SEVERITY_ORDER,
    Evidence,
    EvidenceItem,
    IndicatorResult,
    NodeResult,
    PeriodResult,
    PlanResult,
    Projection,
    SourceReport,
    SpanRef,
    Status,
    days_text,
    plan_number,
)
from .row_messages import row_message
from .sources import EventSource, RecordsSource, as_sources, from_records
from .statuses import milestone_result, milestone_target
from .trends import text as trend_text

EVIDENCE_SHOWN = 20


class DataError(ValueError):
    """Raised in strict mode when any input row is rejected; `.rejections` lists them all."""

    def __init__(self, rejections: list[Rejection]):
        self.rejections = rejections
        first = rejections[0]
        super().__init__(
            f"{len(rejections)} ligne(s) rejetée(s) ; première : {first.source}:{first.row} {first.message}"
        )


# ---------------------------------------------------------------------------- row conversion


class _TypeConverter:
    """Turns one record of a known event type into an Event, or raises FieldError.

    The evaluator itself runs the generated programs of compile.py, which apply the same rules
    (`field_reader`, `end_reader`); this is for callers that want the Event (explanations).
    """

    __slots__ = ("end", "event_type", "fields", "name")

    def __init__(self, event_type: m.EventType):
        self.name = event_type.name
        self.event_type = event_type
        self.fields = [(f.name, field_reader(f)) for f in event_type.fields if f.duration is None]
        self.end = end_reader("fin")

    def convert(self, record: Any, date: dt.date, source: str, row: int) -> Event:
        values = {name: read(record.get(name)) for name, read in self.fields}
        ident = record.get("id")
        end = self.end(record.get("fin", record.get("end")))
        computed(self.event_type, values, date, end)
        return Event(self.name, date, values, None if is_blank(ident) else str(ident), end, source, row)


class _Dates:
    """Raw dates to `DateInfo`, remembered per distinct value: logs repeat a few thousand dates.

    `known` maps a raw value to its `DateInfo`, or to None when the date is outside the window
    (`ignored` then gives the reason). Only exact `str`, `date` and `datetime` values within
    MIN_YEAR..MAX_YEAR are remembered: equal values of these always give the same answer. The
    memory is bounded whatever the input.
    """

    LIMIT = 1 << 16

    def __init__(self, window: m.PlanPeriod, as_of: dt.date):
        self.known: dict[Any, DateInfo | None] = {}
        self.ignored: dict[Any, str] = {}
        self.start, self.end = window.start, min(window.end, as_of)
        self.as_of, self.window_end = as_of, window.end

    def lookup(self, raw: Any) -> DateInfo | str:
        """The DateInfo of a date within the window, else the reason it is ignored; raises
        ConversionError for a date that does not read."""
        cls = raw.__class__
        if cls is str or cls is dt.date or cls is dt.datetime:
            reason = self.ignored.get(raw)  # outside the window, seen before: no new parsing
            if reason is not None:
                return reason
        # A date object skips parsing but not the plausibility check (year 1960 is a typo).
        date = raw if cls is dt.date and MIN_YEAR <= raw.year <= MAX_YEAR else parse_date(raw)
        info: DateInfo | None = None
        reason = ""
        if date < self.start or date > self.end:
            reason = "apres_date_evaluation" if self.as_of < date <= self.window_end else "hors_periode"
        else:
            info = date_info(date)
        if (cls is str or cls is dt.date or cls is dt.datetime) and MIN_YEAR <= date.year <= MAX_YEAR:
            if len(self.known) >= self.LIMIT:
                self.known.clear()
                self.ignored.clear()
            self.known[raw] = info
            if info is None:
                self.ignored[raw] = reason
        return reason if info is None else info


# ---------------------------------------------------------------------------- evaluation


def evaluate(
    plan: m.Plan | str | os.PathLike[str],
    sources: Any,
    *,
    period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
    mapping: Any = None,
    progress: Callable[[str, int], None] | None = None,
) -> PlanResult:
    """Evaluate a plan against event sources and return the compliance result.

    `sources`: an `EventSource`, a file path, Python records (mappings or objects), or a list
    of these. `period`: a year or a date range within the plan (default: the plan's period).
    `as_of`: the evaluation date (default: today); periods not over by then are `en cours`,
    and events dated after it are ignored. `strict`: raise `DataError` if any row is rejected.
    """
    if not isinstance(plan, m.Plan):
        from .loader import load_plan

        plan = load_plan(plan)
    window = _window(plan, period)
    as_of = as_of or dt.date.today()
    compiled = CompiledPlan(plan, window)
    reports, rejections = _run(compiled, _as_sources(sources, mapping), window, as_of, progress)
    if strict and rejections:
        raise DataError(rejections)
    return _results(compiled, window, as_of, reports, rejections)


def _as_sources(sources: Any, mapping: Any) -> list[EventSource]:
    """`as_sources`, without copying a list of records first, and reading an iterator of
    records lazily (the records then stream, however many they are)."""
    if isinstance(sources, list) and sources and not isinstance(sources[0], EventSource | str | os.PathLike):
        return [from_records(sources)]
    if isinstance(sources, Iterator) and not isinstance(sources, EventSource | str | os.PathLike | Mapping):
        first = next(sources, _ABSENT)
        if first is _ABSENT:
            return as_sources([], mapping)
        rest = itertools.chain([first], sources)
        if isinstance(first, EventSource | str | os.PathLike):
            return as_sources(list(rest), mapping)
        return [from_records(rest)]  # what as_sources makes of it, once it has seen a record
    return as_sources(sources, mapping)


def _window(plan: m.Plan, period: Any) -> m.PlanPeriod:
    base = plan.period or m.PlanPeriod(
        dt.date.today().replace(month=1, day=1), dt.date.today().replace(month=12, day=31)
    )
    if period is None:
        return base
    if isinstance(period, m.PlanPeriod):
        return period
    if isinstance(period, int):
        return m.PlanPeriod(dt.date(period, 1, 1), dt.date(period, 12, 31))
    start, end = period
    return m.PlanPeriod(start, end)


def _run(
    compiled: CompiledPlan,
    sources: Iterable[EventSource],
    window: m.PlanPeriod,
    as_of: dt.date,
    progress: Callable[[str, int], None] | None,
) -> tuple[list[SourceReport], list[Rejection]]:
    """The one pass: every row is read once, accounted for, and handled by its type's code.

    The loop itself is `compiled.run`, generated per plan; it calls back here only for what
    is rare (a row that is not a dict, a type name not met yet, a date not met yet, a rejected
    row). A row is used, ignored or rejected: read = used + ignored + rejected.
    """
    plan = compiled.plan
    programs = compiled.programs
    by_index = {p.index: p for p in programs.values()}
    type_index = compiled.type_index
    unused: set[Any] = set()  # type names, as written, of types no indicator counts
    folded_types = {fold(name).replace(" ", "_"): name for name in plan.event_types}
    keys = frozenset(
        {"type", "date", "id", "fin", "end"} | {f.name for et in plan.event_types.values() for f in et.fields}
    )
    dates = _Dates(window, as_of)
    reports: list[SourceReport] = []
    rejections: list[Rejection] = []

    for source in sources:
        name = source.name
        for program in programs.values():
            program.source = name
        ignored: dict[str, int] = {}
        rejected_before = len(rejections)
        objects = _plain_records(source)

        def reject(
            row: int,
            code: str,
            field: str | None = None,
            value: object = None,
            source_name: str = name,
            **args: Any,
        ) -> None:
            shown = None if value is None else str(value)
            message = row_message(code, field=field, value=shown, **args)
            rejections.append(Rejection(source_name, row, code, message, field, shown))

        def skip(reason: str, ignored: dict[str, int] = ignored) -> None:
            ignored[reason] = ignored.get(reason, 0) + 1

        def normalise(row: int, record: Any, objects: Any = objects) -> dict[str, Any] | None:
            if objects is not None:
                record = _as_record(record)
            if record.__class__ is RowProblem:
                reject(row, record.code, value=record.detail or None)
                return None
            if record.__class__ is SkippedRow:
                skip(record.reason)
                return None
            if record.__class__ is dict:
                return record
            # Any other mapping: the keys the pass reads, as its `get` gives them.
            plain: dict[str, Any] = {}
            for key in keys:
                value = record.get(key, _ABSENT)
                if value is not _ABSENT:
                    plain[key] = value
            return plain

        def resolve(row: int, type_name: Any) -> int:
            if type_name in unused:
                skip("type_non_utilise")
                return -1
            found = _resolve_type(type_name, plan, folded_types, programs)
            if found is None:
                skip("type_non_utilise")
                if type_name.__class__ is str and len(unused) < 1000:
                    unused.add(type_name)
                return -1
            if isinstance(found, tuple):
                reject(row, *found[:2], value=found[2], guess=found[3])
                return -1
            if type_name.__class__ is str and len(type_index) < 1000:
                type_index[type_name] = found
            return found

        def read_date(row: int, raw: Any) -> DateInfo | None:
            try:
                info = dates.lookup(raw)
            except ConversionError as exc:
                reject(row, "date_manquante" if is_blank(raw) else exc.code, "date", raw)
                return None
            if isinstance(info, str):
                skip(info)
                return None
            return info

        def field_error(row: int, error: FieldError) -> None:
            reject(row, error.code, error.field, error.value)

        pairs: Iterable[Any] = objects if objects is not None else source.rows()
        if progress is not None:
            pairs = _reporting(pairs, name, progress)
        run = compiled.run(numbered=objects is None)
        seen = run(pairs, dates.known, normalise, resolve, read_date, field_error)
        for index, count in enumerate(seen):
            by_index[index].seen += count
        used = sum(seen)
        rejected = len(rejections) - rejected_before
        skipped = sum(ignored.values())
        reports.append(
            SourceReport(
                name, used + skipped + rejected, used, skipped, rejected, tuple(sorted(ignored.items()))
            )
        )
    return reports, rejections


_ABSENT = object()


def _reporting(rows: Iterable[Any], name: str, progress: Callable[[str, int], None]) -> Iterator[Any]:
    """The rows, telling `progress` every 100,000 of them."""
    for read, row in enumerate(rows, 1):
        if read % 100_000 == 0:
            progress(name, read)
        yield row


def _plain_records(source: EventSource) -> Iterable[Any] | None:
    """The records of a plain `RecordsSource`, to be read without its per-row generator."""
    if type(source) is RecordsSource and type(source).rows is _RECORDS_ROWS:
        return source.records
    return None


_RECORDS_ROWS = RecordsSource.rows


def _as_record(obj: Any) -> Any:
    """What `RecordsSource.rows` makes of one object that is not a dict."""
    for _, record in RecordsSource([obj]).rows():
        return record
    raise AssertionError("a RecordsSource yields one row per record")  # pragma: no cover


def _resolve_type(
    type_name: Any, plan: m.Plan, folded_types: dict[str, str], programs: dict[str, TypeProgram]
) -> int | tuple[str, str | None, object, str] | None:
    """A type name as written: its program's index, None for a type no indicator counts, or
    the rejection (code, field, value, guess) for a missing or unknown type."""
    if is_blank(type_name):
        return ("type_manquant", "type", None, "")
    canonical = (
        type_name
        if type_name in plan.event_types
        else folded_types.get(fold(str(type_name)).replace(" ", "_"))
    )
    if canonical is None:
        from .suggest import closest

        return ("type_inconnu", "type", type_name, closest(str(type_name), plan.event_types) or "")
    program = programs.get(canonical)
    return None if program is None else program.index


# ---------------------------------------------------------------------------- verdicts


# The rules below turn values into verdicts. They are shared with the reference evaluator
# (reference.py), which computes the values its own, simple way and assembles the result here.

Evidencer = Callable[[int], Evidence]  # a period key → the evidence of that period


def _results(
    compiled: CompiledPlan,
    window: m.PlanPeriod,
    as_of: dt.date,
    reports: list[SourceReport],
    rejections: list[Rejection],
) -> PlanResult:
    results = []
    for ci in compiled.indicators:
        has_data = any(_seen(compiled, t, ci.indicator.period) for t in ci.event_types)
        results.append(_indicator_result(ci, has_data, _evidencer(ci.slots), window, as_of))
    return _plan_result(compiled.plan, window, as_of, results, reports, rejections)


def _evidencer(slots: list[Slot]) -> Evidencer:
    return lambda key: _slot_evidence(slots, key)


def _plan_result(
    plan: m.Plan,
    window: m.PlanPeriod,
    as_of: dt.date,
    results: list[IndicatorResult],
    reports: list[SourceReport],
    rejections: list[Rejection],
) -> PlanResult:
    """The result tree, from each indicator's result (in the plan's order) and the accounting."""
    by_id: dict[str, IndicatorResult] = {}
    ordered: list[IndicatorResult] = []
    percent = {i.id for i in plan.indicators if measures.percent_values(i.expr, plan)}
    facts = {i.id: indicator_facts(i, plan) for i in plan.indicators}
    declared = {i.id: i for i in plan.indicators}
    for result in results:
        # For reports: values to show in %, and what the value is (baseline, units, durations).
        changes = facts.get(result.id) or {}
        if result.id in percent:
            changes = {**changes, "percent": True}
        ind = declared.get(result.id)
        if ind is not None:  # the target in English and its lines: reports never re-read the French
            english = (
                target_text(ind, "en") if ind.milestone is None else milestone_target(ind.milestone, "en")
            )
            lines = target_lines(ind, percent=result.id in percent)
            changes = {**changes, "target_en": english, "target_lines": lines}
        if changes:
            result = attrs.evolve(result, **changes)
        by_id.setdefault(result.id, result)
        ordered.append(result)
    nodes = tuple(_node_result(n, by_id) for n in plan.nodes)
    loose = tuple(by_id[i.id] for i in plan.loose_indicators)
    return PlanResult(
        title=plan.title,
        commune=plan.commune,
        plan_file=plan.source,
        period_start=window.start,
        period_end=window.end,
        as_of=as_of,
        nodes=nodes,
        indicators=tuple(ordered),
        sources=tuple(reports),
        rejections=tuple(rejections),
        loose=loose,
    )


def _indicator_result(
    ci: CompiledIndicator, has_data: bool, evidencer: Evidencer, window: m.PlanPeriod, as_of: dt.date
) -> IndicatorResult:
    """An indicator's verdict from its values: `ci.value`, `ci.measure` and `ci.target` give them
    per period key; `has_data`: whether any event of its types was used at all."""
    ind = ci.indicator
    span = SpanRef(ind.span.file, ind.span.line, ind.span.column)
    common: dict[str, Any] = {
        "id": ind.id,
        "wording": ind.wording,
        "kind": ind.kind.value,
        "expression": ind.expression_text,
        "target": target_text(ind),
        "period": ind.period.value,
        "unit": ind.unit,
        "span": span,
        "event_types": ci.event_types,
        "path": ind.path,
        "calendar": ind.calendar,
        "cumulative": ind.cumulative,
    }
    if ind.milestone is not None:
        return milestone_result(ind, as_of, common)
    if ci.value is None:
        return IndicatorResult(
            status=Status.NOT_EVALUABLE, periods=(), evidence=Evidence(0), reason="cible à définir", **common
        )
    all_buckets = buckets(ind.period, window) if ci.period_spec is None else ci.period_spec.buckets(window)
    if ind.deadline is not None and ind.period is m.PeriodUnit.WHOLE:
        all_buckets = [Bucket(0, all_buckets[0].label, window.start, min(window.end, ind.deadline))]
    started = [b for b in all_buckets if b.start <= as_of]
    if not started:
        return IndicatorResult(
            status=Status.NOT_EVALUABLE,
            periods=(),
            evidence=Evidence(0),
            reason="période pas encore commencée",
            **common,
        )
    periods = tuple(_period_result(ci, b, as_of, has_data, evidencer) for b in started)
    periods = explain_periods(ci, started, periods, window)
    periods = mark_partial(ind, started, periods)
    whole = [p for p in periods if p.partial is None]  # the periods the verdict is made from
    evidence = _merge_evidence([p.evidence for p in periods])
    if ind.kind is m.IndicatorKind.MONITORED:
        status = Status.MONITORED if has_data else Status.NO_DATA
    elif ci.empty is not None:  # measured values: the latest complete period with a measurement decides
        measured = [p for p in whole if p.status is not Status.NO_DATA]
        cut = any(p.status is not Status.NO_DATA for p in periods if p.partial is not None)
        status = measured[-1].status if measured else Status.NOT_EVALUABLE if cut else Status.NO_DATA
    else:
        status = _overall(periods, has_data)
    at_risk = any(
        p.projection is not None and not p.projection.on_track
        for p in whole
        if p.status is Status.IN_PROGRESS
    )
    reason = None
    if status is Status.NOT_EVALUABLE:
        unjudged = [p for p in whole if p.status is Status.NOT_EVALUABLE] or whole
        reason = next((p.reason for p in unjudged if p.reason), None)
        if reason is None and len(whole) < len(periods):
            reason = PARTIAL_PERIOD
    return IndicatorResult(
        status=status, periods=periods, evidence=evidence, at_risk=at_risk, reason=reason, **common
    )


def _seen(compiled: CompiledPlan, type_name: str, unit: m.PeriodUnit) -> bool:
    program = compiled.programs.get(type_name)
    return program is not None and program.seen > 0


def _period_result(
    ci: CompiledIndicator, bucket: Bucket, as_of: dt.date, has_data: bool, evidencer: Evidencer
) -> PeriodResult:
    assert ci.value is not None
    ind = ci.indicator
    value = ci.value(bucket.key)
    complete = bucket.end <= as_of
    evidence = evidencer(bucket.key)
    base: dict[str, Any] = {
        "label": bucket.label,
        "start": bucket.start,
        "end": bucket.end,
        "complete": complete,
        "evidence": evidence,
    }
    if ci.empty is not None and ci.empty(bucket.key):  # no measurement: no data, not zero
        return PeriodResult(status=Status.NO_DATA, value=None, reason="aucune mesure sur la période", **base)
    if ind.kind is m.IndicatorKind.MONITORED:
        shown = value if has_data else None
        return PeriodResult(status=Status.MONITORED if has_data else Status.NO_DATA, value=shown, **base)
    if not has_data:
        return PeriodResult(status=Status.NO_DATA, value=None, **base)
    measured = ci.measure(bucket.key) if ci.measure is not None else value
    if value is None:
        reason = "valeur indéfinie (aucune valeur mesurée ou division par zéro)"
        if not complete:
            return PeriodResult(status=Status.IN_PROGRESS, value=None, reason=reason, **base)
        return PeriodResult(status=Status.NOT_EVALUABLE, value=None, reason=reason, **base)
    if complete:
        return PeriodResult(status=Status.MET if value else Status.NOT_MET, value=_shown(measured), **base)
    if value and ci.monotone_up:
        return PeriodResult(status=Status.MET, value=_shown(measured), **base)
    projection = _projection(ci, bucket, as_of, measured)
    return PeriodResult(status=Status.IN_PROGRESS, value=_shown(measured), projection=projection, **base)


def _shown(value: Any) -> float | bool | None:
    if value is None or isinstance(value, bool):
        return value
    return float(value)


def _projection(ci: CompiledIndicator, bucket: Bucket, as_of: dt.date, measured: Any) -> Projection | None:
    """Linear pace: what the measure will be at the end of the period if the year goes on alike."""
    if ci.empty is not None:  # a measured value has no pace: its latest measurement is what it is
        return None
    if ci.comparator is None or ci.target is None or measured is None or isinstance(measured, bool):
        return None
    target = ci.target(bucket.key)
    if target is None or isinstance(target, bool):
        return None
    elapsed = max((as_of - bucket.start).days + 1, 1)
    projected = float(measured) * bucket.days / elapsed
    op = ci.comparator
    if op in (m.Comparator.GE, m.Comparator.GT):
        on_track = projected >= target if op is m.Comparator.GE else projected > target
        needed = float(target) - float(measured) + (1 if op is m.Comparator.GT else 0)
        needed = max(math.ceil(needed - 1e-9), 0) if _countlike(ci) else max(needed, 0.0)
        unit = ci.indicator.unit or "unités"
        due = bucket.end.strftime("%d/%m/%Y")
        fr = f"encore {_fmt(needed)} {unit} d'ici le {due} (au rythme actuel : {_fmt(projected)} en fin de période)"
        en = f"{_fmt(needed)} more {ci.indicator.unit or 'units'} needed by {due} (current pace: {_fmt(projected)} at period end)"
        return Projection(projected, on_track, needed, bucket.end, fr, en)
    if op in (m.Comparator.LE, m.Comparator.LT):
        on_track = projected <= target if op is m.Comparator.LE else projected < target
        due = bucket.end.strftime("%d/%m/%Y")
        fr = f"au rythme actuel : {_fmt(projected)} le {due}, pour une cible {op.value} {_fmt(target)}"
        en = f"at the current pace: {_fmt(projected)} on {due}, for a target {op.value} {_fmt(target)}"
        return Projection(projected, on_track, None, bucket.end, fr, en)
    return None


def _countlike(ci: CompiledIndicator) -> bool:
    expr = ci.indicator.expr
    return (
        isinstance(expr, m.Compare)
        and isinstance(expr.left, m.Aggregate)
        and expr.left.fn
        in (
            m.AggregateFn.COUNT,
            m.AggregateFn.DISTINCT,
        )
    )


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def _overall(periods: tuple[PeriodResult, ...], has_data: bool) -> Status:
    """The worst status of the complete periods; periods the window cuts are not judged, so
    an indicator with only those is not evaluable."""
    if not has_data:
        return Status.NO_DATA
    statuses = {p.status for p in periods if p.partial is None}
    if not statuses:
        return Status.NOT_EVALUABLE
    for status in (Status.NOT_MET, Status.IN_PROGRESS, Status.NOT_EVALUABLE, Status.NO_DATA):
        if status in statuses:
            return status
    return Status.MET


def _slot_evidence(slots: list[Slot], key: int) -> Evidence:
    items: dict[tuple[str, int], EvidenceItem] = {}
    count = 0
    for slot in slots:
        count = max(count, slot.matched(key))
        for ev in slot.evidence.get(key, ()):
            if len(items) >= EVIDENCE_SHOWN:
                break
            items.setdefault((ev.source, ev.row), EvidenceItem(ev.source, ev.row, ev.id, ev.date, ev.type))
    return Evidence(count, tuple(items.values()))


def _merge_evidence(parts: list[Evidence]) -> Evidence:
    items: list[EvidenceItem] = []
    for part in parts:
        for item in part.items:
            if len(items) < EVIDENCE_SHOWN:
                items.append(item)
    return Evidence(sum(p.count for p in parts), tuple(items))


def _node_result(node: m.Node, by_id: dict[str, IndicatorResult]) -> NodeResult:
    children: list[NodeResult | IndicatorResult] = []
    for child in node.children:
        if isinstance(child, m.Node):
            children.append(_node_result(child, by_id))
        else:
            children.append(by_id[child.id])
    indicators: list[IndicatorResult] = []
    for done in children:
        indicators.extend(done.indicators() if isinstance(done, NodeResult) else [done])
    judged = [i for i in indicators if i.status is not Status.MONITORED]
    met = sum(1 for i in judged if i.status is Status.MET)
    if not indicators:
        status = Status.NO_INDICATOR
    elif not judged:
        status = Status.MONITORED
    else:
        status = min((i.status for i in judged), key=SEVERITY_ORDER.index)
    return NodeResult(
        node.level, node.number, node.label, status, met, len(judged), tuple(children), node.notes
    )


# ---------------------------------------------------------------------------- target text


def target_text(ind: m.Indicator, lang: str = "fr") -> str | None:
    """The target as an officer says it: `≥ 10 par an`, `Oui`, `entre 3 et 5`, `≥ 2 150`.
    Numbers are written as the language writes them (`2 150`, `0,5`, `80 %`; `2,150`, `0.5`,
    `80%`); years and dates are written here and in the wording functions as years and dates,
    never grouped (`par rapport à 2019`, `avant le 31/12/2023`, `7 (2019)`)."""
    expr = ind.expr
    fr = lang == "fr"
    period = "" if ind.period is m.PeriodUnit.WHOLE else " " + _PERIOD_WORDS[ind.period][0 if fr else 1]
    period = calendar_text(ind, fr) or period
    deadline = ""
    if ind.deadline is not None:
        deadline = (" avant le " if fr else " by ") + ind.deadline.strftime("%d/%m/%Y" if fr else "%Y-%m-%d")
    if ind.kind is m.IndicatorKind.YES_NO:
        return ("Oui" if fr else "Yes") + deadline
    if isinstance(expr, m.Compare) and isinstance(expr.right, m.Number):
        symbol = {">=": "≥", "<=": "≤", "!=": "≠"}.get(expr.op.value, expr.op.value)
        return f"{symbol} {_number(expr.right, fr)}{period}{deadline}"
    if isinstance(expr, m.Trend):
        return f"{trend_text(expr, fr)}{period}{deadline}"
    if isinstance(expr, m.Compare) and isinstance(expr.right, m.ByYear):
        symbol = {">=": "≥", "<=": "≤", "!=": "≠"}.get(expr.op.value, expr.op.value)
        return f"{symbol} {by_year_text(expr.right, fr)}{period}{deadline}"
    if isinstance(expr, m.Between) and isinstance(expr.low, m.Number) and isinstance(expr.high, m.Number):
        low = expr.low if expr.low.days != expr.high.days else attrs.evolve(expr.low, days=None)
        word = ("entre {} et {}" if fr else "between {} and {}").format(
            _number(low, fr), _number(expr.high, fr)
        )  # `entre 2 et 5 jours`: the unit once
        return f"{word}{period}{deadline}"
    return None


def target_lines(ind: m.Indicator, *, percent: bool) -> tuple[float, ...]:
    """The numbers a chart draws against the values, in their unit (fractions when the values
    are in %, `percent`, or the target is): one for `>= 10`, two for `entre 3 et 5`, none for a
    yes/no, a milestone, a trend or a value per year (no single line to draw)."""
    if ind.kind is m.IndicatorKind.YES_NO or ind.milestone is not None:
        return ()
    numbers = measures.target_numbers(ind.expr, per_year=False)
    if percent:  # (a target in percent makes the values percent: measures.percent_values)
        return tuple(n.value / 100 for n in numbers)
    return tuple(n.value for n in numbers)


_PERIOD_WORDS = {
    m.PeriodUnit.YEAR: ("par an", "per year"),
    m.PeriodUnit.SEMESTER: ("par semestre", "per semester"),
    m.PeriodUnit.QUARTER: ("par trimestre", "per quarter"),
    m.PeriodUnit.MONTH: ("par mois", "per month"),
}


def _number(n: m.Number, fr: bool) -> str:
    """`10`, `7,5`, `2 150`, `80 %`, `2 jours`, `21 jours ouvrables` (`2,150`, `80%`, `1 day`,
    `0,5 jour`): a number of the plan as the language writes it (`results.plan_number`)."""
    lang: Lang = "fr" if fr else "en"
    if n.days is not None:
        return days_text(n.value, n.days, lang, plan_number(n.value, lang))
    return plan_number(n.value, lang, percent=n.percent)
