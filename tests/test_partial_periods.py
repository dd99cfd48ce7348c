"""Periods the evaluation window cuts, and baselines that must lie inside it (issue 8).

A school year 2018-2019 in a plan from 1 January 2019, a quarter in a plan that starts in
March, a year to date in a plan that starts in April: such a period is partial. Its value is
shown with the dates it covers, it is not judged against a target set for the whole period, and
the indicator's verdict is made from the complete periods. A baseline computed from the events
is never taken from data that was not read, nor from a baseline year without any event.
Every expectation below is counted by hand; both evaluators must agree and the JSON must follow
its schema.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import PlanError, Status, load_plan
from indicateurs import model as m
from indicateurs.calendars import PeriodSpec
from indicateurs.loader import analyse
from indicateurs.reference import evaluate_reference
from indicateurs.results import Coverage

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
PARTIAL = "période partielle"


def same_result(
    plan: m.Plan, rows: list[dict[str, object]], as_of: dt.date, period: object = None
) -> indicateurs.PlanResult:
    """The compiled evaluator's result, after checking the reference evaluator gives the same."""
    fast = indicateurs.evaluate(plan, list(rows), as_of=as_of, period=period)  # type: ignore[arg-type]
    slow = evaluate_reference(plan, list(rows), as_of=as_of, period=period)  # type: ignore[arg-type]
    assert fast.to_dict() == slow.to_dict()
    jsonschema.validate(fast.to_dict(), SCHEMA)
    return fast


def events(kind: str, *dated: tuple[str, int]) -> list[dict[str, object]]:
    return [{"type": kind, "date": day} for day, n in dated for _ in range(n)]


def table(result: indicateurs.PlanResult, ident: str) -> list[tuple[object, ...]]:
    return [
        (p.label, p.value, p.status, p.reason, p.partial is not None) for p in result.indicator(ident).periods
    ]


# ---------------------------------------------------------------------------- calendar periods


def test_months_cut_by_a_plan_starting_mid_month() -> None:
    plan = load_plan(
        "période 2023-01-15 à 2023-03-31\névénement patrouille\n"
        "indicateur patrouilles « Quatre patrouilles par mois »\n  nombre(patrouille) >= 4 par mois\n"
    )
    rows = events("patrouille", ("2023-01-20", 2), ("2023-02-10", 4), ("2023-03-05", 5))
    result = same_result(plan, rows, dt.date(2023, 4, 15))
    assert table(result, "patrouilles") == [
        ("2023-01", 2.0, Status.NOT_EVALUABLE, PARTIAL, True),  # 17 days of 31: 2 < 4 says nothing
        ("2023-02", 4.0, Status.MET, None, False),
        ("2023-03", 5.0, Status.MET, None, False),
    ]
    january = result.indicator("patrouilles").periods[0]
    assert january.partial == Coverage(dt.date(2023, 1, 1), dt.date(2023, 1, 31))
    assert (january.start, january.end, january.projection) == (
        dt.date(2023, 1, 15),
        dt.date(2023, 1, 31),
        None,
    )
    assert january.to_dict()["partial"]["covered_days"] == 17
    assert result.indicator("patrouilles").status is Status.MET  # from February and March


def test_an_indicator_with_only_partial_periods_is_not_evaluable() -> None:
    plan = load_plan(
        "période 2023-03-01 à 2024-02-29\nvaleur mesurée sentiment « Se sentent en sécurité » en %\n"
        "événement atelier\n"
        "indicateur sentiment_annuel « 60 % chaque année »\n  dernier(sentiment) >= 60 % par an\n"
        "indicateur ateliers « Trois ateliers par an »\n  nombre(atelier) >= 3 par an\n"
    )
    rows = [{"type": "sentiment", "date": "2023-06-01", "valeur": 70}, *events("atelier", ("2023-05-02", 4))]
    result = same_result(plan, rows, dt.date(2024, 3, 15))
    assert table(result, "sentiment_annuel") == [
        ("2023", pytest.approx(0.7), Status.NOT_EVALUABLE, PARTIAL, True),  # March to December
        ("2024", None, Status.NO_DATA, "aucune mesure sur la période", True),  # January and February
    ]
    survey = result.indicator("sentiment_annuel")
    assert (survey.status, survey.reason) == (Status.NOT_EVALUABLE, PARTIAL)
    workshops = result.indicator("ateliers")
    assert (workshops.status, workshops.reason) == (Status.NOT_EVALUABLE, PARTIAL)
    assert workshops.value == 0.0  # the latest period, partial as all of them are


def test_years_to_date_in_a_plan_starting_in_april() -> None:
    """Each cumulated quarter counts from 1 January: in 2023 the plan has no January to March,
    so every 2023 cumul is partial; 2024's are complete."""
    plan = load_plan(
        "période 2023-04-01 à 2024-12-31\névénement atelier\n"
        "indicateur cumul « Trois ateliers depuis janvier »\n  nombre(atelier) >= 3 par trimestre cumulé\n"
    )
    rows = events("atelier", ("2023-05-01", 1), ("2024-02-01", 3), ("2024-08-01", 1))
    result = same_result(plan, rows, dt.date(2025, 1, 15))
    assert table(result, "cumul") == [
        ("2023-Q2", 1.0, Status.NOT_EVALUABLE, PARTIAL, True),
        ("2023-Q3", 1.0, Status.NOT_EVALUABLE, PARTIAL, True),
        ("2023-Q4", 1.0, Status.NOT_EVALUABLE, PARTIAL, True),
        ("2024-Q1", 3.0, Status.MET, None, False),
        ("2024-Q2", 3.0, Status.MET, None, False),
        ("2024-Q3", 4.0, Status.MET, None, False),
        ("2024-Q4", 4.0, Status.MET, None, False),
    ]
    q3 = result.indicator("cumul").periods[1]
    assert (q3.start, q3.end, q3.partial) == (
        dt.date(2023, 4, 1),
        dt.date(2023, 9, 30),
        Coverage(dt.date(2023, 1, 1), dt.date(2023, 9, 30)),
    )
    assert result.indicator("cumul").status is Status.MET  # judged, 2023 would have been not met


def test_a_narrowed_evaluation_window_cuts_periods_too() -> None:
    """`--periode` narrows the window the evaluator reads: the school years it cuts are partial."""
    plan = load_plan(
        "période 2022 à 2024\névénement atelier\n"
        "indicateur ateliers « Deux ateliers par année scolaire »\n  nombre(atelier) >= 2 par année scolaire\n"
    )
    rows = events("atelier", ("2022-10-01", 2), ("2023-03-01", 1), ("2023-10-01", 1))
    whole = same_result(plan, rows, dt.date(2025, 1, 15))
    assert [(p.label, p.status, p.partial is not None) for p in whole.indicator("ateliers").periods] == [
        ("2021-2022", Status.NOT_EVALUABLE, True),  # January to August 2022: none, not judged
        ("2022-2023", Status.MET, False),
        ("2023-2024", Status.NOT_MET, False),
        ("2024-2025", Status.NOT_EVALUABLE, True),
    ]
    narrowed = same_result(plan, rows, dt.date(2025, 1, 15), period=2023)
    assert table(narrowed, "ateliers") == [
        ("2022-2023", 1.0, Status.NOT_EVALUABLE, PARTIAL, True),  # January to August 2023 only
        ("2023-2024", 1.0, Status.NOT_EVALUABLE, PARTIAL, True),  # September to December 2023
    ]
    assert narrowed.indicator("ateliers").status is Status.NOT_EVALUABLE


def test_references_between_indicators_leave_partial_periods_out() -> None:
    """A yearly indicator that refers to a school-year one takes its verdicts on the complete
    school years that meet the year; the cut 2022-2023 (January to August 2023, one workshop)
    would have made 2023 not met."""
    plan = load_plan(
        "période 2023 à 2024\névénement atelier\n"
        "indicateur scolaire « Deux ateliers par année scolaire »\n  nombre(atelier) >= 2 par année scolaire\n"
        "indicateur annuel « L'objectif scolaire tenu, année par année »\n  scolaire par an\n"
        "indicateur ensemble « L'objectif scolaire tenu sur le programme »\n  scolaire\n"
    )
    rows = events("atelier", ("2023-03-01", 1), ("2023-10-01", 2))
    result = same_result(plan, rows, dt.date(2025, 1, 15))
    assert table(result, "scolaire") == [
        ("2022-2023", 1.0, Status.NOT_EVALUABLE, PARTIAL, True),
        ("2023-2024", 2.0, Status.MET, None, False),
        ("2024-2025", 0.0, Status.NOT_EVALUABLE, PARTIAL, True),
    ]
    assert result.indicator("scolaire").status is Status.MET
    assert table(result, "annuel") == [
        ("2023", True, Status.MET, None, False),  # 2023-2024 only
        ("2024", True, Status.MET, None, False),  # 2023-2024 only
    ]
    assert result.indicator("ensemble").status is Status.MET


# ---------------------------------------------------------------------------- trends


def test_a_trend_is_not_judged_against_a_partial_previous_period() -> None:
    plan = load_plan(
        "période 2022-02-01 à 2023-12-31\névénement cambriolage\n"
        "indicateur semestres « En baisse d'un semestre à l'autre »\n  nombre(cambriolage) en baisse par semestre\n"
    )
    rows = events("cambriolage", ("2022-03-01", 8), ("2022-09-01", 6), ("2023-03-01", 5), ("2023-09-01", 7))
    result = same_result(plan, rows, dt.date(2024, 1, 15))
    again = "période précédente partielle : rien à comparer"
    assert table(result, "semestres") == [
        ("2022-S1", 8.0, Status.NOT_EVALUABLE, PARTIAL, True),  # February to June
        ("2022-S2", 6.0, Status.MONITORED, again, False),  # 6 < 8, but 8 counts five months only
        ("2023-S1", 5.0, Status.MET, None, False),
        ("2023-S2", 7.0, Status.NOT_MET, None, False),
    ]
    periods = result.indicator("semestres").periods
    assert [p.baseline for p in periods] == [None, None, 6.0, 5.0]
    assert result.indicator("semestres").status is Status.NOT_MET


def test_a_baseline_year_without_events_is_not_a_zero() -> None:
    """The log starts in 2023: 2022, the baseline year, counts nothing. Before, the baseline was
    0 and every later year « not met »; now the periods say the baseline is empty."""
    plan = load_plan(
        "période 2022 à 2024\névénement cambriolage\n"
        "indicateur baisse « −10 % par rapport à 2022 »\n"
        "  nombre(cambriolage) en baisse de 10 % par rapport à 2022 par an\n"
        "indicateur declaree « −10 % par rapport à 2022 (12 faits, déclarés) »\n"
        "  nombre(cambriolage) en baisse de 10 % par rapport à 2022 = 12 par an\n"
    )
    rows = events("cambriolage", ("2023-05-01", 9), ("2024-05-01", 4))
    result = same_result(plan, rows, dt.date(2025, 1, 15))
    empty = "référence sans données : aucun événement compté l'année de référence"
    assert table(result, "baisse") == [
        ("2022", 0.0, Status.MONITORED, "période de référence", False),
        ("2023", 9.0, Status.NOT_EVALUABLE, empty, False),
        ("2024", 4.0, Status.NOT_EVALUABLE, empty, False),
    ]
    assert [p.baseline for p in result.indicator("baisse").periods] == [None, None, None]
    assert (result.indicator("baisse").status, result.indicator("baisse").reason) == (
        Status.NOT_EVALUABLE,
        empty,
    )
    # Declared, the baseline needs no data: 9 and 4 are at most 90 % of 12 (10,8).
    assert [p.status for p in result.indicator("declaree").periods] == [Status.MET] * 3


def test_a_baseline_outside_the_evaluated_window_says_so() -> None:
    plan = load_plan(
        "période 2022 à 2024\névénement cambriolage\n"
        "indicateur baisse « −10 % par rapport à 2022 »\n"
        "  nombre(cambriolage) en baisse de 10 % par rapport à 2022 par an\n"
    )
    rows = events("cambriolage", ("2022-05-01", 10), ("2023-05-01", 9), ("2024-05-01", 4))
    narrowed = same_result(
        plan, rows, dt.date(2025, 1, 15), period=(dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    )
    outside = "référence hors de la période évaluée : déclarez sa valeur"
    assert table(narrowed, "baisse") == [
        ("2023", 9.0, Status.NOT_EVALUABLE, outside, False),
        ("2024", 4.0, Status.NOT_EVALUABLE, outside, False),
    ]


# ---------------------------------------------------------------------------- the checker


BASELINES = """\
période 2019-04-01 à 2024-12-31
événement cambriolage « Cambriolage »
indicateur baisse « −10 % par rapport à 2019 »
  nombre(cambriolage) en baisse de 10 % par rapport à 2019 par an
indicateur sur_moyenne « −2 % par rapport à la moyenne 2015-2018 »
  nombre(cambriolage) en baisse de 2 % par rapport à la moyenne 2015-2018 par an
"""


def test_a_computed_baseline_outside_the_plan_is_an_error_showing_the_declared_form() -> None:
    _, diagnostics = analyse(BASELINES, "essai.plan")
    errors = [d for d in diagnostics if d.code == "C221"]
    assert [(d.line, d.column) for d in errors] == [(4, 41), (6, 40)]  # on « par rapport à … »
    assert errors[0].severity.value == "error"
    assert errors[0].text("fr") == (
        "la référence 2019 n'est pas entièrement dans la période du plan (du 01/04/2019 au "
        "31/12/2024) : les données hors de cette période ne sont pas lues"
    )
    assert "« par rapport à 2019 = 412 »" in (errors[0].fix("fr") or "")
    assert "« par rapport à la moyenne 2015-2018 = 412 »" in (errors[1].fix("fr") or "")
    assert "'vs average 2015-2018 = 412'" in (errors[1].fix("en") or "")
    # The declared form, as suggested, is accepted and needs no data.
    fixed = BASELINES.replace("à 2019 par an", "à 2019 = 140 par an").replace(
        "2015-2018 par an", "2015-2018 = 150 par an"
    )
    assert [d.code for d in analyse(fixed, "essai.plan")[1] if d.severity.value == "error"] == []
    # Within the plan's whole years, a computed baseline is fine.
    load_plan(BASELINES.replace("2019-04-01", "2015-01-01"))


def test_baseline_mistakes() -> None:
    head = "période 2022 à 2024\névénement c\nindicateur x « X »\n  "
    with pytest.raises(PlanError) as caught:
        load_plan(head + "nombre(c) en baisse par rapport à 2024 par an\n", name="essai.plan")
    [error] = caught.value.errors
    assert error.code == "C226" and "2024" in error.text("fr")
    with pytest.raises(PlanError) as caught:
        load_plan(head + "nombre(c) en baisse par rapport à 2025 par an\n", name="essai.plan")
    assert [e.code for e in caught.value.errors] == ["C221"]


def test_the_checker_warns_when_the_plan_cuts_an_indicators_periods() -> None:
    text = (
        "période 2019 à 2024\nexercice avril\névénement atelier\n"
        "indicateur ateliers « 30 ateliers par année scolaire »\n  nombre(atelier) >= 30 par année scolaire\n"
        "indicateur annuel « 30 ateliers par an »\n  nombre(atelier) >= 30 par an\n"
        "indicateur trimestres « 5 par trimestre »\n  nombre(atelier) >= 5 par trimestre\n"
        "indicateur exercices « Par exercice »\n  suivi nombre(atelier) par exercice\n"
    )
    _, diagnostics = analyse(text, "essai.plan")
    assert [(d.code, d.severity.value, d.line, d.args["name"], d.args["periods"]) for d in diagnostics] == [
        ("C225", "warning", 5, "ateliers", "2018-2019, 2024-2025"),
        ("C225", "warning", 11, "exercices", "2018-2019, 2024-2025"),
    ]
    first = diagnostics[0]
    assert first.column == text.splitlines()[4].index("année scolaire") + 1  # under the period's words
    assert first.text("fr") == (
        "la période du plan (du 01/01/2019 au 31/12/2024) ne couvre qu'en partie des périodes de "
        "l'indicateur « ateliers » (2018-2019, 2024-2025) : elles seront montrées, mais pas jugées"
    )
    assert "du 01/09/2018 au 31/08/2025" in (first.fix("fr") or "")
    assert "from 2018-09-01 to 2025-08-31" in (first.fix("en") or "")
    # Aligned on the school years, the plan cuts nothing of them (but now cuts calendar years).
    aligned = text.replace("période 2019 à 2024", "période 01/09/2018 à 31/08/2025")
    assert [d.args["name"] for d in analyse(aligned, "essai.plan")[1]] == [
        "annuel",
        "trimestres",
        "exercices",
    ]


# ---------------------------------------------------------------------------- properties

_SPECS = [  # (the words after the target, the spec the evaluator follows), with `exercice avril`
    ("par mois", PeriodSpec(m.PeriodUnit.MONTH)),
    ("par trimestre", PeriodSpec(m.PeriodUnit.QUARTER)),
    ("par semestre", PeriodSpec(m.PeriodUnit.SEMESTER)),
    ("par an", PeriodSpec(m.PeriodUnit.YEAR)),
    ("par année scolaire", PeriodSpec(m.PeriodUnit.YEAR, 9)),
    ("par exercice", PeriodSpec(m.PeriodUnit.YEAR, 4)),
    ("par mois cumulé", PeriodSpec(m.PeriodUnit.MONTH, 1, True)),
    ("par trimestre cumulé", PeriodSpec(m.PeriodUnit.QUARTER, 1, True)),
    ("par semestre cumulé", PeriodSpec(m.PeriodUnit.SEMESTER, 1, True)),
]


def _calendar_period(spec: PeriodSpec, day: dt.date) -> tuple[dt.date, dt.date]:
    """The whole calendar period of `spec` that ends with the period holding `day`, from
    first principles: months, quarters and semesters of the calendar year, years starting in
    the spec's month; a year to date starts on 1 January."""
    months = {m.PeriodUnit.MONTH: 1, m.PeriodUnit.QUARTER: 3, m.PeriodUnit.SEMESTER: 6, m.PeriodUnit.YEAR: 12}
    step = months[spec.unit]
    if spec.start_month != 1:
        year = day.year if day.month >= spec.start_month else day.year - 1
        first = dt.date(year, spec.start_month, 1)
        return first, dt.date(year + 1, spec.start_month, 1) - dt.timedelta(days=1)
    first_month = (day.month - 1) // step * step + 1
    start = dt.date(day.year, first_month, 1)
    after = first_month + step
    end = (dt.date(day.year + 1, 1, 1) if after > 12 else dt.date(day.year, after, 1)) - dt.timedelta(days=1)
    return (dt.date(day.year, 1, 1) if spec.cumulative else start), end


windows = st.tuples(st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31)), st.integers(0, 1100)).map(
    lambda pair: m.PlanPeriod(pair[0], pair[0] + dt.timedelta(days=pair[1]))
)


@settings(max_examples=300, deadline=None)
@given(windows, st.sampled_from(_SPECS))
def test_a_period_is_partial_exactly_when_the_window_does_not_cover_it(
    window: m.PlanPeriod, spec_words: tuple[str, PeriodSpec]
) -> None:
    spec = spec_words[1]
    found = spec.buckets(window)
    assert found and found[0].start == window.start and found[-1].end == window.end
    for b in found:
        full = _calendar_period(spec, b.end)
        assert (b.full_start, b.full_end) == full
        assert (b.start, b.end) == (max(full[0], window.start), min(full[1], window.end))
        assert b.partial == (not (window.start <= full[0] and full[1] <= window.end))
    if not spec.cumulative:  # the periods tile the window, each day in the period of its key
        for before, after in itertools.pairwise(found):
            assert after.start == before.end + dt.timedelta(days=1)
        for b in found:
            assert spec.key_of(b.start) == spec.key_of(b.end) == b.key


_TARGETS = [
    "nombre(e) >= 2",
    "somme(e.n) au plus 12",
    "existe(e où n >= 5)",
    "nombre(e) en baisse",
    "somme(e.n) stable à ± 20 %",
]


@st.composite
def _rows(draw: st.DrawFn, window: m.PlanPeriod) -> list[dict[str, object]]:
    span = (window.end - window.start).days
    out: list[dict[str, object]] = []
    for _ in range(draw(st.integers(0, 30))):
        day = window.start + dt.timedelta(days=draw(st.integers(0, span)))
        out.append({"type": "e", "date": day.isoformat(), "n": draw(st.integers(0, 9))})
    return out


@settings(max_examples=60, deadline=None)
@given(
    window=windows,
    target=st.sampled_from(_TARGETS),
    spec_words=st.sampled_from(_SPECS),
    referred=st.sampled_from([None, *_SPECS]),
    data=st.data(),
)
def test_the_verdict_never_depends_on_events_only_partial_periods_hold(
    window: m.PlanPeriod,
    target: str,
    spec_words: tuple[str, PeriodSpec],
    referred: tuple[str, PeriodSpec] | None,
    data: st.DataObject,
) -> None:
    """Events on days that no complete period holds (of the indicator, or of the indicator it
    refers to) change the values of partial periods only: never a judged status."""
    words, spec = spec_words
    head = (
        f"période {window.start.isoformat()} à {window.end.isoformat()}\nexercice avril\n"
        "événement e\n  n : entier\n"
    )
    if referred is None:
        text = head + f"indicateur x « X »\n  {target} {words}\n"
        specs = [spec]
    else:  # x judges, on its own periods, another indicator's verdicts on theirs
        text = head + f"indicateur y « Y »\n  {target} {referred[0]}\nindicateur x « X »\n  y {words}\n"
        specs = [spec, referred[1]]
    plan = load_plan(text)
    complete = [(b.start, b.end) for s in specs for b in s.buckets(window) if not b.partial]

    def held(day: str) -> bool:
        date = dt.date.fromisoformat(day)
        return any(start <= date <= end for start, end in complete)

    rows = data.draw(_rows(window), label="rows")
    extra = data.draw(_rows(window), label="extra")
    kept = [r for r in rows if held(str(r["date"]))]
    added = kept + [r for r in extra if not held(str(r["date"]))]
    as_of = window.end + dt.timedelta(days=1)
    results = [same_result(plan, r, as_of) for r in (rows, kept, added)]
    judged = [
        [(p.label, p.status) for p in res.indicator("x").periods if p.partial is None] for res in results
    ]
    statuses = [res.indicator("x").status for res in results]
    if kept:  # (with no event left at all, the indicator has no data)
        assert judged[0] == judged[1] == judged[2]
        assert statuses[0] == statuses[1] == statuses[2]
    for res in results:
        for p, b in zip(res.indicator("x").periods, spec.buckets(window), strict=False):
            assert (p.partial is not None) == b.partial
            if b.partial and p.status is not Status.NO_DATA:
                assert (p.status, p.reason) == (Status.NOT_EVALUABLE, PARTIAL)
