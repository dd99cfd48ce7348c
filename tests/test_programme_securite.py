"""The second shipped plan, a six-year municipal safety programme that uses every construct
beyond counting, on the example data of exemples/ (written by generer_programme_securite.py)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest

import indicateurs
from indicateurs import Status
from indicateurs import model as m
from indicateurs.reference import evaluate_reference
from indicateurs.sources import read_csv

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "programme-securite-2019-2024.plan"
DATA = ROOT / "exemples" / "programme-securite-2019-2024.csv"
AS_OF = dt.date(2025, 1, 15)


@pytest.fixture(scope="module")
def result() -> indicateurs.PlanResult:
    return indicateurs.evaluate(PLAN, read_csv(DATA), as_of=AS_OF)


def test_the_generator_gives_the_committed_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generer", ROOT / "exemples" / "generer_programme_securite.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.main(["generer_programme_securite.py", str(tmp_path)])
    assert (tmp_path / DATA.name).read_bytes() == DATA.read_bytes()


def test_the_plan_uses_every_construct_beyond_counting() -> None:
    plan = indicateurs.load_plan(PLAN)
    nodes = [n for ind in plan.indicators if ind.expr is not None for n in m.walk(ind.expr)]
    kinds = {type(n) for n in nodes}
    assert {m.ByYear, m.ValueRef, m.Trend, m.UnitShare} <= kinds
    assert any(isinstance(n, m.Aggregate) and n.fn is m.AggregateFn.LAST for n in nodes)
    assert any(isinstance(n, m.Number) and n.days == "working_days" for n in nodes)
    assert {i.calendar for i in plan.indicators} >= {"school_year", "fiscal_year"}
    assert any(i.cumulative for i in plan.indicators)
    assert {i.milestone.state for i in plan.indicators if i.milestone} == set(m.MilestoneState)
    assert any(i.to_define for i in plan.indicators)
    assert plan.fiscal_start == 4 and set(plan.values) == {"population", "jeunes", "budget"}
    assert any(f.duration is not None for e in plan.event_types.values() for f in e.fields)
    assert any(e.measure for e in plan.event_types.values())


def test_verdicts(result: indicateurs.PlanResult) -> None:
    statuses = {i.id: i.status for i in result.indicators}
    assert statuses == {
        "taux_cambriolages": Status.MET,
        "baisse_cambriolages": Status.NOT_MET,  # 119 and 121 in 2020-2021, 118 in 2024: not 10 % under 128
        "cambriolages_historique": Status.MET,
        "cambriolages_tendance": Status.NOT_MET,
        "quartiers_couverts": Status.MET,  # « rives » left aside in 2020 and 2023: 4 of 5, still 80 %
        "partenaires_actifs": Status.NOT_MET,
        "actions_cumul": Status.MONITORED,
        "delai_mediation": Status.NOT_MET,  # 2021: 11 slow cases of 40
        "duree_interventions": Status.MET,
        "interventions": Status.MET,
        "ateliers": Status.MET,  # 33, 34, 40, 30, 30; the school years the plan cuts are not judged
        "jeunes_touches": Status.MET,
        "ecoles": Status.NOT_MET,
        "sentiment_securite": Status.MET,  # the 2023 survey (67 %) decides
        "sentiment_progres": Status.MET,
        "proprete": Status.MET,
        "proprete_stable": Status.MET,
        "execution_budget": Status.NOT_MET,  # 2021: 91,8 %
        "depenses_fourchette": Status.NOT_MET,
        "depenses_exercice": Status.MONITORED,
        "plan_adopte": Status.MET,
        "evaluation_externe": Status.NOT_MET,  # still pending after its due date
        "charte": Status.IN_PROGRESS,
        "equipe_nuit": Status.NOT_MET,
        "victimes": Status.NOT_EVALUABLE,
    }
    assert result.read == result.used and result.rejected == 0


def test_figures_recounted(result: indicateurs.PlanResult) -> None:
    rates = result.indicator("taux_cambriolages").periods
    assert [round(p.value, 4) for p in rates] == [  # type: ignore[arg-type]
        round(n / population * 1000, 4)
        for n, population in zip(
            (128, 119, 121, 112, 108, 118), (18450, 18520, 18610, 18700, 18820, 18900), strict=True
        )
    ]
    assert [p.target_value for p in rates] == [7.0, 7.0, 7.0, 6.5, 6.5, 6.5]
    decrease = result.indicator("baisse_cambriolages").periods
    assert [(p.baseline, p.status) for p in decrease][:3] == [
        (128.0, Status.MONITORED),
        (128.0, Status.NOT_MET),
        (128.0, Status.NOT_MET),
    ]
    assert round(decrease[4].change, 4) == round(108 / 128 - 1, 4)  # type: ignore[arg-type]
    quarters = result.indicator("quartiers_couverts").periods
    assert quarters[1].units is not None and quarters[1].units.short == ("rives",)
    budget = result.indicator("execution_budget").periods
    assert [p.references[0].value for p in budget] == [410_000, 410_000, 410_000, 445_000, 445_000, 445_000]
    assert round(budget[2].value, 3) == 0.918  # type: ignore[arg-type]
    survey = result.indicator("sentiment_securite").periods
    assert [p.status for p in survey] == [
        Status.NOT_MET,
        Status.NO_DATA,
        Status.NOT_MET,
        Status.NO_DATA,
        Status.MET,
        Status.NO_DATA,
    ]
    fiscal = result.indicator("depenses_exercice").periods
    assert [p.label for p in fiscal] == [
        "2018-2019",
        "2019-2020",
        "2020-2021",
        "2021-2022",
        "2022-2023",
        "2023-2024",
        "2024-2025",
    ]


def _school_year(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def test_school_years_cut_by_the_plan_are_shown_but_not_judged(result: indicateurs.PlanResult) -> None:
    """Recounted from the CSV: workshops and schools with 3 workshops or more per school year.
    The plan runs from 1 January 2019 to 31 December 2024, so it covers only January–August of
    2018-2019 and September–December of 2024-2025: those two are partial."""
    workshops: dict[str, int] = {}
    per_school: dict[str, dict[str, int]] = {}
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["type"] != "atelier":
                continue
            year = _school_year(dt.date.fromisoformat(row["date"]))
            workshops[year] = workshops.get(year, 0) + 1
            schools = per_school.setdefault(year, {})
            schools[row["ecole"]] = schools.get(row["ecole"], 0) + 1
    years = sorted(workshops)
    assert years[0] == "2018-2019" and years[-1] == "2024-2025"
    schools_met = {y: sum(1 for n in per_school[y].values() if n >= 3) for y in years}
    partial = {"2018-2019", "2024-2025"}

    ateliers = result.indicator("ateliers")
    assert [(p.label, p.value) for p in ateliers.periods] == [(y, float(workshops[y])) for y in years]
    for p in ateliers.periods:
        if p.label in partial:
            assert (p.status, p.reason) == (Status.NOT_EVALUABLE, "période partielle"), p.label
        else:
            assert p.partial is None and p.status is (
                Status.MET if workshops[p.label] >= 30 else Status.NOT_MET
            )
    complete = [workshops[y] for y in years if y not in partial]
    assert ateliers.status is (Status.MET if min(complete) >= 30 else Status.NOT_MET) is Status.MET
    assert workshops["2018-2019"] < 30 and workshops["2024-2025"] < 30  # judged before: not met
    assert ateliers.value == workshops["2023-2024"]  # the latest complete school year

    first, last = ateliers.periods[0], ateliers.periods[-1]
    assert first.partial is not None and last.partial is not None
    assert (first.start, first.end, first.partial.start, first.partial.end) == (
        dt.date(2019, 1, 1),
        dt.date(2019, 8, 31),
        dt.date(2018, 9, 1),
        dt.date(2019, 8, 31),
    )
    assert first.coverage_text("fr") == (
        "du 01/01/2019 au 31/08/2019 seulement, 243 jours sur 365 "
        "(période complète : du 01/09/2018 au 31/08/2019)"
    )
    assert last.coverage_text("en") == (
        "2024-09-01 to 2024-12-31 only, 122 days of 365 (whole period: 2024-09-01 to 2025-08-31)"
    )
    assert last.to_dict()["partial"] == {
        "period_start": "2024-09-01",
        "period_end": "2025-08-31",
        "covered_days": 122,
        "period_days": 365,
    }

    ecoles = result.indicator("ecoles")
    assert [p.value for p in ecoles.periods] == [float(schools_met[y]) for y in years]
    judged = {p.label: p.status for p in ecoles.periods if p.partial is None}
    assert judged == {
        y: Status.MET if schools_met[y] >= 5 else Status.NOT_MET for y in years if y not in partial
    }
    assert ecoles.status is Status.NOT_MET and judged["2022-2023"] is Status.NOT_MET  # 3 schools

    # A monitored indicator keeps its status; its cut fiscal years are marked all the same.
    fiscal = result.indicator("depenses_exercice").periods
    assert [p.label for p in fiscal if p.partial is not None] == ["2018-2019", "2024-2025"]
    assert {p.status for p in fiscal} == {Status.MONITORED}
    assert fiscal[0].partial is not None and fiscal[0].partial.start == dt.date(2018, 4, 1)


def test_the_checker_warns_of_the_cut_periods() -> None:
    from indicateurs.loader import analyse

    _, diagnostics = analyse(PLAN.read_text(encoding="utf-8"), str(PLAN))
    warned = [(d.code, d.severity.value, d.args["name"], d.args["periods"]) for d in diagnostics]
    assert warned == [
        ("C225", "warning", "ateliers", "2018-2019, 2024-2025"),
        ("C225", "warning", "ecoles", "2018-2019, 2024-2025"),
        ("C225", "warning", "depenses_exercice", "2018-2019, 2024-2025"),
    ]
    assert "du 01/09/2018 au 31/08/2025" in (diagnostics[0].fix("fr") or "")


def test_both_evaluators_and_the_schema_agree(result: indicateurs.PlanResult) -> None:
    plan = indicateurs.load_plan(PLAN)
    slow = evaluate_reference(plan, read_csv(DATA), as_of=AS_OF)
    data = result.to_dict()
    assert slow.to_dict() == data
    schema = json.loads((ROOT / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_explanations_follow_the_indicators_periods() -> None:
    from indicateurs.explain import explain

    plan = indicateurs.load_plan(PLAN)
    text = explain(plan, "ateliers", [read_csv(DATA)], AS_OF, "fr").render("fr")
    assert "période 2019-2020 : 33 ligne(s) comptée(s)" in text  # a school year, September to August
    assert (
        "période 2018-2019 : 10 ligne(s) comptée(s), 0 non comptée(s) "
        "(période partielle, non jugée : du 01/01/2019 au 31/08/2019 seulement)"
    ) in text
    assert "2019-2020 : 33 ligne(s) comptée(s), 0 non comptée(s)\n" in text
    english = explain(plan, "ateliers", [read_csv(DATA)], AS_OF, "en").render("en")
    assert "(partial period, not judged: 2024-09-01 to 2024-12-31 only)" in english
    text = explain(plan, "delai_mediation", [read_csv(DATA)], AS_OF, "fr").render("fr")
    assert "condition « délai <= 21 jours ouvrables » non vérifiée (délai = 24)" in text
    text = explain(plan, "quartiers_couverts", [read_csv(DATA)], AS_OF, "fr").render("fr")
    assert "période 2020 : " in text and "(quartier = rives)" in text


def test_reports_say_what_the_latest_period_shows(result: indicateurs.PlanResult) -> None:
    from indicateurs.render.common import details_text
    from indicateurs.render.markdown import render_markdown

    assert (
        details_text(result.indicator("baisse_cambriolages"), "fr")
        == "2024 : par rapport à 2019 (128, calculée) : -7,8\u00a0%, en baisse"
    )
    assert (
        details_text(result.indicator("baisse_cambriolages"), "en")
        == "2024: vs 2019 (128, computed): -7.8%, down"
    )
    assert details_text(result.indicator("execution_budget"), "fr") == "2024 : budget (2022) = 445\u202f000"
    assert details_text(result.indicator("plan_adopte"), "fr") is None
    assert (
        details_text(result.indicator("quartiers_couverts"), "fr")
        == "2024 : quartier ayant au moins 4 « Action de prévention de quartier » : 5 sur 5"
    )
    assert "par rapport à 2019 (128, calculée) : -7,8\u00a0%, en baisse" in render_markdown(result, lang="fr")
