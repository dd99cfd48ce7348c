"""The compiled evaluator against the reference interpreter, on generated plans and rows.

Plans are built as model objects (a few event types with fields of every kind and durations,
trends, shares of units, targets per year, rates per reference value, latest values, school and
fiscal years, years to date,
aggregates of every function, conditions with and/or/not/in/between and optional fields,
every period kind, deadlines, ratios, references) and must pass the checker. Rows mix valid and broken values,
dates on every boundary that matters, unknown and unused types, and several shapes of source.
The whole result must be identical: values, statuses, evidence, projections, row accounting.
"""

from __future__ import annotations

import datetime as dt
import importlib
import types
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import model as m
from indicateurs.check import check_plan
from indicateurs.compile import EVIDENCE_CAP, CompiledPlan
from indicateurs.diagnostics import Severity
from indicateurs.events import RowProblem, SkippedRow
from indicateurs.periods import KEY_INDEX, bucket_key, date_info
from indicateurs.reference import evaluate_reference
from indicateurs.sources import from_records

evaluate_module = importlib.import_module("indicateurs.evaluate")

TYPE_NAMES = ("visite", "atelier", "dossier")
FIELD_NAMES = ("personne", "quantite", "duree", "jour", "ok", "forme", "lieu")
ENUM_VALUES = ("individuelle", "familiale", "collective")
TEXTS = ("A", "B", " C ", "d")
UNITS = list(m.PeriodUnit)
NUMERIC = (m.FieldKind.INTEGER, m.FieldKind.DECIMAL)

# ---------------------------------------------------------------------------- plans


@st.composite
def fields(draw: st.DrawFn) -> tuple[m.FieldDecl, ...]:
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), unique=True, max_size=4))
    out = []
    for name in names:
        kind = draw(st.sampled_from(list(m.FieldKind)))
        values = ENUM_VALUES if kind is m.FieldKind.ENUM else ()
        out.append(m.FieldDecl(name, kind, values, draw(st.booleans())))
    if draw(st.integers(0, 3)) == 0:  # a duration, computed from two dates of the row
        dates = ["date", "fin", *(f.name for f in out if f.kind is m.FieldKind.DATE)]
        start, end = draw(st.sampled_from(dates)), draw(st.sampled_from(dates))
        duration = m.Duration(start, end, working=draw(st.booleans()))
        out.append(m.FieldDecl("delai", m.FieldKind.INTEGER, (), True, duration=duration))
    return tuple(out)


def literal(draw: st.DrawFn, decl: m.FieldDecl) -> m.Expr:
    match decl.kind:
        case m.FieldKind.INTEGER | m.FieldKind.DECIMAL:
            number = draw(st.sampled_from([0, 1, 2, 3, 5, 2.5]))
            return m.Number(float(number))
        case m.FieldKind.DATE:
            return m.DateValue(draw(st.sampled_from([dt.date(2023, 1, 1), dt.date(2023, 6, 30)])))
        case m.FieldKind.BOOLEAN:
            return m.Boolean(draw(st.booleans()))
        case m.FieldKind.ENUM:
            value = draw(st.sampled_from(ENUM_VALUES))
            return m.Name(value) if draw(st.booleans()) else m.Text(value)
    return m.Text(draw(st.sampled_from(("A", "B", "d"))))


def condition(draw: st.DrawFn, event: m.EventType, depth: int = 0) -> m.Expr:
    if depth < 2 and draw(st.integers(0, 2)) == 0:
        kind = draw(st.sampled_from(["and", "or", "not"]))
        a = condition(draw, event, depth + 1)
        if kind == "not":
            return m.Not(a)
        b = condition(draw, event, depth + 1)
        return m.And(a, b) if kind == "and" else m.Or(a, b)
    decl = draw(st.sampled_from(event.fields))
    field = m.Name(decl.name)
    ordered = decl.kind in (*NUMERIC, m.FieldKind.DATE)
    if decl.kind is m.FieldKind.BOOLEAN and draw(st.booleans()):
        return m.BoolField(decl.name)
    shape = draw(st.sampled_from(["compare", "in", "between"] if ordered else ["compare", "in"]))
    if shape == "in" and decl.kind is not m.FieldKind.BOOLEAN:
        items = tuple(literal(draw, decl) for _ in range(draw(st.integers(1, 3))))
        return m.InList(field, items, negated=draw(st.booleans()))
    if shape == "between":
        low, high = literal(draw, decl), literal(draw, decl)
        return m.Between(field, low, high)
    ops = list(m.Comparator) if ordered else [m.Comparator.EQ, m.Comparator.NE]
    op = draw(st.sampled_from(ops))
    twin = [
        f
        for f in event.fields
        if f is not decl and (f.kind is decl.kind or (ordered and f.kind in NUMERIC and decl.kind in NUMERIC))
    ]
    if twin and draw(st.integers(0, 4)) == 0:
        other: m.Expr = m.Name(draw(st.sampled_from(twin)).name)
    else:
        other = literal(draw, decl)
    if draw(st.booleans()):
        return m.Compare(op, field, other)
    return m.Compare(op, other, field)


def aggregate(draw: st.DrawFn, event_types: dict[str, m.EventType], boolean: bool = False) -> m.Aggregate:
    event = event_types[draw(st.sampled_from(sorted(event_types)))]
    numeric = [f for f in event.fields if f.kind in NUMERIC]
    fns = [m.AggregateFn.EXISTS] if boolean else [m.AggregateFn.COUNT, m.AggregateFn.SHARE]
    if not boolean and event.fields:
        fns.append(m.AggregateFn.DISTINCT)
    if not boolean and numeric:
        fns += [
            m.AggregateFn.SUM,
            m.AggregateFn.AVG,
            m.AggregateFn.MIN,
            m.AggregateFn.MAX,
            m.AggregateFn.LAST,
        ]
    fn = draw(st.sampled_from(fns))
    field = None
    if fn is m.AggregateFn.DISTINCT:
        field = draw(st.sampled_from(event.fields)).name
    elif fn in (
        m.AggregateFn.SUM,
        m.AggregateFn.AVG,
        m.AggregateFn.MIN,
        m.AggregateFn.MAX,
        m.AggregateFn.LAST,
    ):
        field = draw(st.sampled_from(numeric)).name
    elif fn is m.AggregateFn.COUNT and event.fields and draw(st.integers(0, 4)) == 0:
        field = draw(st.sampled_from(event.fields)).name  # counts the events where it is filled
    wants_where = fn is m.AggregateFn.SHARE or draw(st.booleans())
    where = condition(draw, event) if event.fields and wants_where else None
    if fn is m.AggregateFn.SHARE and where is None:
        fn = m.AggregateFn.COUNT
    return m.Aggregate(fn, event.name, field, where)


def numeric_expr(draw: st.DrawFn, event_types: dict[str, m.EventType], monitored: list[str]) -> m.Expr:
    choice = draw(st.integers(0, 5))
    if choice == 0 and monitored:
        return m.IndicatorRef(draw(st.sampled_from(monitored)))
    if choice == 1:  # a ratio, or a sum of two measures
        op = draw(st.sampled_from(["/", "+", "-", "*"]))
        return m.Arithmetic(op, aggregate(draw, event_types), aggregate(draw, event_types))
    if choice == 2:
        return m.Negative(aggregate(draw, event_types))
    return aggregate(draw, event_types)


POPULATION = m.RefValue(
    "population",
    "Population",
    m.ByYear((m.YearValue(2022, m.Number(2000.0)), m.YearValue(2024, m.Number(2500.0)))),
)


def beyond(
    draw: st.DrawFn, event_types: dict[str, m.EventType], unit: m.PeriodUnit, start_year: int
) -> tuple[m.Expr, m.PeriodUnit, str | None, bool]:
    """A target beyond counting: a trend, a share of units, a target per year, a rate per
    reference value, a latest value; with its period (and calendar, or year to date)."""
    form = draw(st.sampled_from(["trend", "units", "by_year", "rate", "latest", "cumulative"]))
    measure = aggregate(draw, event_types)
    if form == "trend":
        direction = draw(st.sampled_from(["down", "up", "stable"]))
        amount = draw(st.sampled_from([None, m.Number(10.0, percent=True)]))
        if direction == "stable":
            amount = m.Number(5.0, percent=True)
        baseline = draw(
            st.sampled_from(
                [
                    None,
                    m.Baseline(start_year, start_year),
                    m.Baseline(2015, 2019, m.Number(12.0)),
                ]
            )
        )
        if baseline is not None:
            unit = m.PeriodUnit.YEAR
        return m.Trend(measure, direction, amount, baseline), unit, None, False
    if form == "units":
        candidates = [
            (e, f)
            for e in event_types.values()
            for f in e.fields
            if f.kind in (m.FieldKind.ENUM, m.FieldKind.TEXT)
        ]
        if candidates:
            event, decl = draw(st.sampled_from(candidates))
            where = condition(draw, event) if draw(st.booleans()) else None
            op = draw(st.sampled_from([m.Comparator.GE, m.Comparator.GT, m.Comparator.LE]))
            fn = draw(st.sampled_from([m.AggregateFn.SHARE, m.AggregateFn.COUNT]))
            share = m.UnitShare(
                fn, event.name, decl.name, where, op, m.Number(float(draw(st.integers(1, 3))))
            )
            target = m.Number(50.0, percent=True) if fn is m.AggregateFn.SHARE else m.Number(1.0)
            return m.Compare(m.Comparator.GE, share, target), unit, None, False
    if form == "by_year":
        table = m.ByYear((m.YearValue(start_year, m.Number(1.0)), m.YearValue(start_year + 1, m.Number(2.0))))
        return m.Compare(m.Comparator.GE, measure, table), m.PeriodUnit.YEAR, None, False
    if form == "rate":
        rate = m.Arithmetic("*", m.Arithmetic("/", measure, m.ValueRef("population")), m.Number(1000.0))
        return m.Compare(m.Comparator.LE, rate, m.Number(1.0)), m.PeriodUnit.YEAR, None, False
    if form == "cumulative":
        unit = draw(st.sampled_from([m.PeriodUnit.MONTH, m.PeriodUnit.QUARTER, m.PeriodUnit.SEMESTER]))
        return m.Compare(m.Comparator.GE, measure, m.Number(2.0)), unit, None, True
    numeric = [(e, f) for e in event_types.values() for f in e.fields if f.kind in NUMERIC]
    if numeric:
        event, decl = draw(st.sampled_from(numeric))
        latest = m.Aggregate(m.AggregateFn.LAST, event.name, decl.name)
        return m.Compare(m.Comparator.GE, latest, m.Number(2.0)), unit, None, False
    return m.Compare(m.Comparator.GE, measure, m.Number(1.0)), unit, None, False


@st.composite
def plans(draw: st.DrawFn) -> m.Plan:
    names = draw(st.lists(st.sampled_from(TYPE_NAMES), min_size=1, max_size=3, unique=True))
    event_types = {n: m.EventType(n, None, draw(fields())) for n in names}
    start_year = draw(st.sampled_from([2022, 2023]))
    start = dt.date(start_year, 1, 1) if draw(st.booleans()) else dt.date(start_year, 2, 15)
    end = draw(
        st.sampled_from([dt.date(start_year, 12, 31), dt.date(start_year + 1, 6, 30), dt.date(2024, 12, 31)])
    )
    period = m.PlanPeriod(start, end)
    indicators: list[m.Indicator] = []
    monitored: list[str] = []
    verdicts: list[str] = []
    for i in range(draw(st.integers(1, 6))):
        ident = f"ind{i}"
        calendar: str | None = None
        cumulative = False
        kind = draw(st.sampled_from(list(m.IndicatorKind)))
        unit = draw(st.sampled_from(UNITS))
        deadline = None
        if draw(st.integers(0, 3)) == 0:
            deadline = draw(st.sampled_from([dt.date(start_year, 6, 30), dt.date(start_year, 3, 31), end]))
        expr: m.Expr | None
        if kind is m.IndicatorKind.UNDEFINED:
            expr = None
        elif kind is m.IndicatorKind.MONITORED:
            expr = numeric_expr(draw, event_types, monitored)
        elif kind is m.IndicatorKind.YES_NO:
            expr = aggregate(draw, event_types, boolean=True)
            if verdicts and draw(st.booleans()):
                other: m.Expr = m.IndicatorRef(draw(st.sampled_from(verdicts)))
                expr = m.And(expr, other) if draw(st.booleans()) else m.Or(expr, m.Not(other))
        elif draw(st.integers(0, 2)) == 0:  # a construct beyond counting
            expr, unit, calendar, cumulative = beyond(draw, event_types, unit, start_year)
        else:
            measure = numeric_expr(draw, event_types, monitored)
            if draw(st.integers(0, 3)) == 0:
                expr = m.Between(measure, m.Number(1.0), m.Number(draw(st.sampled_from([2.0, 4.0]))))
            else:
                op = draw(
                    st.sampled_from([m.Comparator.GE, m.Comparator.GT, m.Comparator.LE, m.Comparator.LT])
                )
                threshold = draw(
                    st.sampled_from([m.Number(1.0), m.Number(2.0), m.Number(50.0, percent=True)])
                )
                expr = m.Compare(op, measure, threshold)
        if kind is not m.IndicatorKind.TARGET:
            calendar, cumulative = None, False
        elif (
            unit is m.PeriodUnit.YEAR and not cumulative and calendar is None and draw(st.integers(0, 4)) == 0
        ):
            calendar = draw(st.sampled_from(["school_year", "fiscal_year"]))
        ind = m.Indicator(
            ident,
            f"Indicateur {i}",
            expr,
            kind,
            unit,
            deadline,
            "unités" if i % 2 else None,
            calendar=calendar,
            cumulative=cumulative,
        )
        indicators.append(ind)
        if kind is m.IndicatorKind.MONITORED:
            monitored.append(ident)
        elif kind is not m.IndicatorKind.UNDEFINED:
            verdicts.append(ident)
    node = m.Node("objectif", "1", "Objectif", children=tuple(indicators))
    plan = m.Plan(
        "Essai",
        "Commune",
        period,
        None,
        (),
        ("objectif",),
        m.PeriodUnit.MONTH,
        event_types,
        (node,),
        tuple(indicators),
        values={"population": POPULATION},
        fiscal_start=draw(st.sampled_from([1, 4, 9])),
    )
    errors = [d for d in check_plan(plan) if d.severity is Severity.ERROR]
    assume(not errors)
    return plan


# ---------------------------------------------------------------------------- rows


def boundary_dates(plan: m.Plan) -> list[dt.date]:
    assert plan.period is not None
    out = {plan.period.start, plan.period.end, dt.date(2023, 1, 1), dt.date(2023, 12, 31)}
    for year in (2022, 2023, 2024):
        for month in (1, 3, 4, 6, 7, 9, 10, 12):
            out.add(dt.date(year, month, 1))
            out.add(dt.date(year, month, 1) - dt.timedelta(days=1))
    for ind in plan.indicators:
        if ind.deadline is not None:
            out.update({ind.deadline, ind.deadline + dt.timedelta(days=1)})
    out.update({plan.period.start - dt.timedelta(days=1), plan.period.end + dt.timedelta(days=1)})
    return sorted(out)


def raw_date(draw: st.DrawFn, date: dt.date) -> Any:
    form = draw(st.integers(0, 9))
    if form == 0:
        return date
    if form == 1:
        return dt.datetime(date.year, date.month, date.day, 10, 30)
    if form == 2:
        return date.strftime("%d/%m/%Y")
    if form == 3:
        return f" {date.isoformat()} "
    return date.isoformat()


def raw_value(draw: st.DrawFn, decl: m.FieldDecl) -> Any:
    broken = draw(st.integers(0, 14))
    if broken == 0:
        return None
    if broken == 1:
        return "  "
    if broken == 2:
        return "n'importe quoi"
    match decl.kind:
        case m.FieldKind.INTEGER:
            return draw(st.sampled_from([0, 1, 2, 3, "4", " 5 ", "2,0", "1 000", 2.0, True, "2.5"]))
        case m.FieldKind.DECIMAL:
            return draw(st.sampled_from([0, 1.5, 2, "2,5", "3", " 1.25 ", "1.234,5", 5.0, False]))
        case m.FieldKind.DATE:
            return draw(
                st.sampled_from(["2023-01-01", "30/06/2023", dt.date(2023, 3, 3), "31/02/2023", 45000])
            )
        case m.FieldKind.BOOLEAN:
            return draw(st.sampled_from([True, False, "oui", "Non", "x", "0", 1, "peut-être"]))
        case m.FieldKind.ENUM:
            return draw(st.sampled_from([*ENUM_VALUES, "Familiale", " collective ", "FAMILIALE", "autre", 3]))
    return draw(st.sampled_from([*TEXTS, 12, "  x  "]))


@st.composite
def rows(draw: st.DrawFn, plan: m.Plan) -> list[Any]:
    dates = boundary_dates(plan)
    out: list[Any] = []
    for _ in range(draw(st.integers(0, 40))):
        shape = draw(st.integers(0, 29))
        if shape == 0:
            out.append(RowProblem("ligne_tronquee", "2 colonnes sur 3"))
            continue
        if shape == 1:
            out.append(SkippedRow("ignore_par_correspondance"))
            continue
        name = draw(st.sampled_from(sorted(plan.event_types)))
        record: dict[str, Any] = {"type": name}
        if shape == 2:
            record["type"] = draw(
                st.sampled_from(["", None, "inconnu", name.upper(), f" {name.capitalize()}"])
            )
        date = draw(st.sampled_from(dates))
        record["date"] = raw_date(draw, date)
        if shape == 3:
            record["date"] = draw(
                st.sampled_from(["", None, "31/02/2023", "1923-01-01", "hier", 44927, 44927.5])
            )
        for decl in plan.event_types[name].fields:
            if draw(st.integers(0, 5)) == 0:
                continue  # key absent
            record[decl.name] = (
                raw_value(draw, decl) if draw(st.integers(0, 2)) == 0 else good_value(draw, decl)
            )
        if shape == 4:
            record["id"] = draw(st.sampled_from(["D-1", 7, "  ", None]))
        if shape == 5:
            record[draw(st.sampled_from(["fin", "end"]))] = draw(
                st.sampled_from(["2023-02-01", "", "jamais", None])
            )
        out.append(record)
    return out


def good_value(draw: st.DrawFn, decl: m.FieldDecl) -> Any:
    match decl.kind:
        case m.FieldKind.INTEGER:
            return draw(st.integers(0, 6))
        case m.FieldKind.DECIMAL:
            return draw(st.sampled_from([0.5, 1.0, 2.5, 4.0]))
        case m.FieldKind.DATE:
            return draw(st.sampled_from([dt.date(2023, 1, 1), dt.date(2023, 6, 30), dt.date(2023, 7, 1)]))
        case m.FieldKind.BOOLEAN:
            return draw(st.booleans())
        case m.FieldKind.ENUM:
            return draw(st.sampled_from(ENUM_VALUES))
    return draw(st.sampled_from(TEXTS))


class NumberedSource:
    """A file-like source: rows numbered from 2, as a spreadsheet shows them."""

    name = "fichier.csv"

    def __init__(self, records: list[Any]):
        self.records = records

    def rows(self) -> Iterator[tuple[int, Any]]:
        for i, record in enumerate(self.records):
            yield i + 2, record


def as_source(records: list[Any], shape: int) -> Any:
    """The same rows through each way the evaluator reads them."""
    plain = [r for r in records if isinstance(r, dict)]
    if shape == 0:
        return plain  # a list of dicts: the evaluator's fast path
    if shape == 1:
        return from_records([types.MappingProxyType(r) for r in plain], name="proxies")  # other mappings
    return [NumberedSource(records), from_records(plain[:3], name="second")]


AS_OF = [dt.date(2023, 6, 30), dt.date(2023, 12, 31), dt.date(2024, 3, 15), dt.date(2025, 1, 1)]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(data=st.data())
def test_compiled_evaluator_equals_the_reference(data: st.DataObject) -> None:
    plan = data.draw(plans())
    records = data.draw(rows(plan))
    as_of = data.draw(st.sampled_from(AS_OF))
    period = data.draw(st.sampled_from([None, 2023]))
    shape = data.draw(st.integers(0, 2))
    fast = indicateurs.evaluate(plan, as_source(records, shape), as_of=as_of, period=period)
    slow = evaluate_reference(plan, as_source(records, shape), as_of=as_of, period=period)
    assert fast.to_dict() == slow.to_dict()
    assert fast.read == fast.used + fast.ignored + fast.rejected


# ---------------------------------------------------------------------------- properties of the pass

HOSTILE = "x'); __import__('os').system('echo pwned'); ('"


def hostile_plan() -> m.Plan:
    """Names and constants that would break (or worse) any code built from the plan's text."""
    event = m.EventType(
        "évt",
        None,
        (
            m.FieldDecl(HOSTILE, m.FieldKind.ENUM, (HOSTILE, 'b"\\n')),
            m.FieldDecl("record", m.FieldKind.TEXT),
            m.FieldDecl("K0", m.FieldKind.INTEGER, optional=True),
        ),
    )
    where = m.Or(
        m.Compare(m.Comparator.EQ, m.Name(HOSTILE), m.Text(HOSTILE)),
        m.InList(m.Name("record"), (m.Text("'''"), m.Text('"""')), negated=False),
    )
    ind = m.Indicator(
        "i",
        None,
        m.Compare(m.Comparator.GE, m.Aggregate(m.AggregateFn.COUNT, "évt", None, where), m.Number(1.0)),
        m.IndicatorKind.TARGET,
    )
    total = m.Indicator("t", None, m.Aggregate(m.AggregateFn.SUM, "évt", "K0"), m.IndicatorKind.MONITORED)
    return m.Plan(
        None,
        None,
        m.PlanPeriod(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        None,
        (),
        (),
        m.PeriodUnit.MONTH,
        {"évt": event},
        (),
        (ind, total),
        (),
    )


def test_the_generated_pass_contains_no_plan_text() -> None:
    plan = hostile_plan()
    compiled = CompiledPlan(plan)
    for numbered in (True, False):
        source = compiled.pass_source(numbered)
        for text in (HOSTILE, "évt", "'''", '"""', 'b"'):
            assert text not in source
        assert "'" not in source and '"' not in source  # no string literal at all
    rows = [
        {"type": "évt", "date": "2023-05-01", HOSTILE: HOSTILE, "record": "x", "K0": "3"},
        {"type": "évt", "date": "2023-05-02", HOSTILE: 'b"\\n', "record": '"""', "K0": ""},
        {"type": "évt", "date": "2023-05-03", HOSTILE: "c", "record": "y"},
    ]
    result = indicateurs.evaluate(plan, rows, as_of=dt.date(2024, 1, 1))
    assert result.indicator("i").value == 2
    assert result.indicator("t").value == 3
    assert result.rejected == 1
    assert result.to_dict() == evaluate_reference(plan, rows, as_of=dt.date(2024, 1, 1)).to_dict()


def test_date_info_keys_are_bucket_keys() -> None:
    day = dt.date(2019, 12, 25)
    while day < dt.date(2026, 1, 10):
        info = date_info(day)
        assert info[0] == day
        for unit, index in KEY_INDEX.items():
            assert info[index] == bucket_key(unit, day)
        day += dt.timedelta(days=3)


def test_memory_holds_accumulators_and_capped_evidence_only() -> None:
    plan = indicateurs.load_plan(
        "période 2023\névénement visite\n    personne : texte\n"
        "indicateur a « A »\n  nombre(visite) >= 1 par mois\n"
        "indicateur b « B »\n  distinct(visite.personne) >= 1 par trimestre\n"
        "indicateur c « C »\n  existe(visite)\n"
    )
    window = m.PlanPeriod(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    compiled = CompiledPlan(plan, window)
    records = (
        {"type": "visite", "date": dt.date(2023, 1, 1) + dt.timedelta(days=i % 365), "personne": f"P{i % 7}"}
        for i in range(20_000)
    )  # a generator: the evaluator must not need a list
    reports, _ = evaluate_module._run(compiled, [from_records(records)], window, dt.date(2024, 1, 1), None)
    assert reports[0].used == 20_000
    for slot in compiled.slots.values():
        assert all(len(kept) <= EVIDENCE_CAP for kept in slot.evidence.values())
        assert len(slot.counts) <= 12
        assert all(len(seen) <= 7 for seen in slot.values.values() if isinstance(seen, set))
        assert sum(slot.counts.values()) == 20_000


def test_progress_is_reported_every_100000_rows_of_a_lazily_read_iterator() -> None:
    plan = indicateurs.load_plan("période 2023\névénement visite\nindicateur a « A »\n  existe(visite)\n")
    produced = [0]

    def rows() -> Iterator[dict[str, Any]]:
        for _ in range(250_000):
            produced[0] += 1
            yield {"type": "visite", "date": "2023-03-01"}

    calls: list[tuple[int, int]] = []
    result = indicateurs.evaluate(
        plan, rows(), as_of=dt.date(2024, 1, 1), progress=lambda _, read: calls.append((read, produced[0]))
    )
    assert calls == [(100_000, 100_000), (200_000, 200_000)]  # not read ahead: streamed
    assert result.read == result.used == 250_000


@pytest.mark.parametrize("shape", [0, 1, 2])
def test_molenbeek_sample_matches_the_reference(shape: int) -> None:
    plan = indicateurs.load_plan("plans/molenbeek-2023.plan")
    kinds = ["prise_en_charge", "concertation", "formation", "participation", "projet", "constat"]
    records: list[Any] = []
    for i in range(400):
        kind = kinds[i % len(kinds)]
        row: dict[str, Any] = {"type": kind, "date": dt.date(2023, 1, 1) + dt.timedelta(days=(i * 7) % 365)}
        row.update(
            {
                "prise_en_charge": {"personne": f"P{i % 13}", "forme": "familiale"},
                "concertation": {"instance": ["csil", "cellule_police", "groupe_autorités", "autre"][i % 4]},
                "formation": {"participants": str(i % 9)},
                "participation": {"catégorie": ["colloque", "autre"][i % 2]},
                "projet": {"titre": "P", "participants": "" if i % 3 else "4"},
                "constat": {},
            }[kind]
        )
        records.append(row)
    fast = indicateurs.evaluate(plan, as_source(records, shape), as_of=dt.date(2023, 9, 1))
    slow = evaluate_reference(plan, as_source(records, shape), as_of=dt.date(2023, 9, 1))
    assert fast.to_dict() == slow.to_dict()


def test_iterators_give_what_lists_give() -> None:
    plan = indicateurs.load_plan(
        "période 2023\névénement visite\nindicateur a « A »\n  nombre(visite) >= 2\n"
    )
    rows = [{"type": "visite", "date": "2023-03-01"}, "not a record", {"type": "visite", "date": "x"}]
    as_of = dt.date(2024, 1, 1)
    for records in (rows, [], [from_records(rows[:1]), from_records(rows[1:])]):
        expected = indicateurs.evaluate(plan, records, as_of=as_of).to_dict()
        assert indicateurs.evaluate(plan, iter(records), as_of=as_of).to_dict() == expected
        assert evaluate_reference(plan, records, as_of=as_of).to_dict() == expected
