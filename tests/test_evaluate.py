"""The evaluator on small hand-computed cases: every aggregate, filter, period kind and status."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

import jsonschema
import pytest

import indicateurs
from indicateurs import Status
from indicateurs.sources import from_records

ROOT = Path(__file__).resolve().parents[1]

PLAN = """
plan « Plan d'essai »
commune « Essai »
période 2023
événement suivi_ind « Suivi individuel »
    personne : texte
    durée : décimal optionnel
    forme : individuelle | familiale
    confirmé : booléen optionnel
événement formation « Formation »
    participants : entier
    public : texte optionnel
événement rapport « Rapport »
événement dossier « Dossier »
    délai : entier
secteur d'activité 1 « Secteur »
  objectif stratégique 1.1 « Objectif »
    indicateur suivis « Nombre de suivis : >= 10 par an »
        nombre(suivi_ind) >= 10 par an
        unité « suivis »
    indicateur personnes « Personnes distinctes »
        distinct(suivi_ind.personne) >= 3
    indicateur familiaux « Suivis familiaux »
        nombre(suivi_ind où forme = familiale) >= 2
    indicateur confirmes « Suivis confirmés »
        nombre(suivi_ind où confirmé) >= 1
    indicateur non_confirmes « Suivis non confirmés »
        nombre(suivi_ind où non confirmé) >= 1
    indicateur participants « Participants formés »
        somme(formation.participants) >= 20
    indicateur moyenne_participants « Participants par formation »
        moyenne(formation.participants) entre 5 et 15
    indicateur min_max « Plus petite formation »
        min(formation.participants) >= 3 et max(formation.participants) <= 30
    indicateur formations_trim « Une formation par trimestre »
        nombre(formation) >= 1 par trimestre
    indicateur formations_sem « Formations par semestre »
        nombre(formation) >= 2 par semestre
    indicateur formations_mois « Formations en janvier »
        suivi nombre(formation) par mois
    indicateur rapport_juin « Rapport avant fin juin : Oui/Non »
        existe(rapport) avant le 30/06/2023
    indicateur delais « Dossiers traités en 21 jours : >= 80 % »
        nombre(dossier où délai <= 21) / nombre(dossier) >= 80 %
    indicateur delais_part « Même chose avec part »
        part(dossier où délai <= 21) >= 80 %
    indicateur tout « Suivis et rapport »
        suivis et rapport_juin
    indicateur durée_moyenne « Durée moyenne (suivi) »
        suivi moyenne(suivi_ind.durée)
"""


def rec(type_: str, date: str | dt.date, **fields: object) -> dict[str, object]:
    return {"type": type_, "date": date, **fields}


def records() -> list[dict[str, object]]:
    out = []
    for i in range(12):  # 12 follow-ups of 4 persons, 3 family ones
        out.append(
            rec(
                "suivi_ind",
                f"2023-{i + 1:02d}-10",
                personne=f"P{i % 4}",
                forme="familiale" if i % 4 == 0 else "individuelle",
                durée="1,5" if i % 2 else 2,
                confirmé="oui" if i < 2 else "",
            )
        )
    # formations: Q1 two, Q2 one, Q3 none, Q4 one → participants 4+10+12+6 = 32
    out += [
        rec("formation", "15/01/2023", participants=4),
        rec("formation", "20/02/2023", participants="10"),
        rec("formation", "2023-05-05", participants=12),
        rec("formation", "2023-11-30", participants=6),
    ]
    out.append(rec("rapport", "2023-07-15"))  # after the deadline
    out += [rec("dossier", "2023-03-01", délai=d) for d in (10, 20, 21, 30, 5)]  # 4/5 = 80 %
    return out


@pytest.fixture(scope="module")
def plan() -> indicateurs.Plan:
    return indicateurs.load_plan(PLAN)


@pytest.fixture(scope="module")
def result(plan: indicateurs.Plan) -> indicateurs.PlanResult:
    return indicateurs.evaluate(plan, records(), as_of=dt.date(2024, 1, 31))


def status(result: indicateurs.PlanResult, ident: str) -> Status:
    return result.indicator(ident).status


def test_count_per_year(result: indicateurs.PlanResult) -> None:
    ind = result.indicator("suivis")
    assert ind.status is Status.MET
    assert ind.value == 12
    assert [p.label for p in ind.periods] == ["2023"]
    assert ind.target == "≥ 10 par an"
    assert ind.expression == "nombre(suivi_ind) >= 10 par an"
    assert ind.evidence.count == 12
    assert {e.row for e in ind.evidence.items} == set(range(1, 13))


def test_distinct_and_filters(result: indicateurs.PlanResult) -> None:
    assert result.indicator("personnes").value == 4
    assert result.indicator("familiaux").value == 3
    assert result.indicator("confirmes").value == 2
    # `non confirmé` on an empty optional field is unknown, not true (SQL's rule).
    assert result.indicator("non_confirmes").value == 0
    assert status(result, "non_confirmes") is Status.NOT_MET


def test_sum_avg_min_max(result: indicateurs.PlanResult) -> None:
    assert result.indicator("participants").value == 32
    assert status(result, "participants") is Status.MET
    assert result.indicator("moyenne_participants").value == 8
    assert status(result, "moyenne_participants") is Status.MET
    assert status(result, "min_max") is Status.MET


def test_quarters_and_semesters(result: indicateurs.PlanResult) -> None:
    quarters = result.indicator("formations_trim")
    assert [(p.label, p.value, p.status) for p in quarters.periods] == [
        ("2023-Q1", 2, Status.MET),
        ("2023-Q2", 1, Status.MET),
        ("2023-Q3", 0, Status.NOT_MET),
        ("2023-Q4", 1, Status.MET),
    ]
    assert quarters.status is Status.NOT_MET
    semesters = result.indicator("formations_sem")
    assert [(p.label, p.value) for p in semesters.periods] == [("2023-S1", 3), ("2023-S2", 1)]


def test_monitored_per_month(result: indicateurs.PlanResult) -> None:
    months = result.indicator("formations_mois")
    assert months.status is Status.MONITORED
    assert len(months.periods) == 12
    assert [p.value for p in months.periods][:3] == [1, 1, 0]
    assert result.indicator("durée_moyenne").value == pytest.approx(1.75)


def test_deadline_ignores_later_events(result: indicateurs.PlanResult) -> None:
    ind = result.indicator("rapport_juin")
    assert ind.status is Status.NOT_MET
    assert ind.periods[0].end == dt.date(2023, 6, 30)
    assert ind.target == "Oui avant le 30/06/2023"


def test_ratio_and_share(result: indicateurs.PlanResult) -> None:
    assert result.indicator("delais").value == pytest.approx(0.8)
    assert status(result, "delais") is Status.MET
    assert result.indicator("delais_part").value == pytest.approx(0.8)
    assert status(result, "delais_part") is Status.MET


def test_reference_combines_verdicts(result: indicateurs.PlanResult) -> None:
    assert status(result, "tout") is Status.NOT_MET  # suivis met, rapport_juin not


def test_rollup(result: indicateurs.PlanResult) -> None:
    sector = result.nodes[0]
    objective = sector.children[0]
    assert isinstance(objective, indicateurs.NodeResult)
    judged = [i for i in objective.indicators() if i.status is not Status.MONITORED]
    assert objective.total == len(judged)
    assert objective.met == sum(1 for i in judged if i.status is Status.MET)
    assert objective.status is Status.NOT_MET


def test_no_data_differs_from_measured_zero(plan: indicateurs.Plan) -> None:
    only_followups = [r for r in records() if r["type"] == "suivi_ind"]
    result = indicateurs.evaluate(plan, only_followups, as_of=dt.date(2024, 1, 31))
    assert status(result, "participants") is Status.NO_DATA
    assert result.indicator("participants").value is None
    assert status(result, "non_confirmes") is Status.NOT_MET  # measured zero: events exist


def test_in_progress_projection(plan: indicateurs.Plan) -> None:
    first_half = [r for r in records() if r["type"] == "suivi_ind"][:4]  # Jan..Apr: 4 follow-ups
    result = indicateurs.evaluate(plan, first_half, as_of=dt.date(2023, 6, 30))
    ind = result.indicator("suivis")
    assert ind.status is Status.IN_PROGRESS
    projection = ind.periods[0].projection
    assert projection is not None
    assert projection.still_needed == 6
    assert projection.on_track is False  # 4 in 181 days → about 8 by year end
    assert ind.at_risk
    assert "encore 6 suivis d'ici le 31/12/2023" in projection.message("fr")
    assert "6 more suivis needed by 31/12/2023" in projection.message("en")


def test_met_early_is_met(plan: indicateurs.Plan) -> None:
    result = indicateurs.evaluate(plan, records(), as_of=dt.date(2023, 12, 1))
    assert status(result, "suivis") is Status.MET  # 11 by 1 December: a count cannot go down


def test_events_after_as_of_are_ignored_not_lost(plan: indicateurs.Plan) -> None:
    result = indicateurs.evaluate(plan, records(), as_of=dt.date(2023, 6, 30))
    assert result.read == len(records())
    assert result.read == result.used + result.ignored + result.rejected
    reasons = dict(result.sources[0].ignored_reasons)
    assert reasons["apres_date_evaluation"] > 0


def test_a_date_outside_the_window_is_read_once_per_distinct_value(
    plan: indicateurs.Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluate_module = importlib.import_module("indicateurs.evaluate")  # the module, not the function
    calls: list[object] = []
    real = evaluate_module.parse_date

    def counting(value: object) -> dt.date:
        calls.append(value)
        return real(value)

    monkeypatch.setattr(evaluate_module, "parse_date", counting)
    rows = [rec("formation", "2022-12-31", participants=3) for _ in range(50)]
    rows += [rec("formation", "2023-03-01", participants=3) for _ in range(50)]
    result = indicateurs.evaluate(plan, rows, as_of=dt.date(2024, 1, 1))
    assert (result.used, result.ignored) == (50, 50)
    assert dict(result.sources[0].ignored_reasons) == {"hors_periode": 50}
    assert calls == ["2022-12-31", "2023-03-01"]


def test_row_accounting_and_rejections(plan: indicateurs.Plan) -> None:
    rows = [
        rec("formation", "2023-03-01", participants=3),
        rec("formation", "31/02/2023", participants=3),  # impossible date
        rec("formation", "2023-03-01", participants="douze"),  # text in an integer field
        rec("formaton", "2023-03-01"),  # unknown type
        rec("suivi_ind", "2023-03-01", forme="individuelle"),  # required field missing
        rec("suivi_ind", "2023-03-01", personne="A", forme="collective"),  # value not in the list
        rec("formation", "15/03/1923", participants=3),  # wrong century
        {"date": "2023-01-01"},  # no type
        rec("formation", "2022-12-31", participants=3),  # outside the plan period
    ]
    result = indicateurs.evaluate(plan, from_records(rows, name="saisie"), as_of=dt.date(2024, 1, 1))
    assert (result.read, result.used, result.ignored, result.rejected) == (9, 1, 1, 7)
    by_row = {r.row: r for r in result.rejections}
    assert by_row[2].code == "date_invalide"
    assert by_row[3].code == "entier_invalide" and by_row[3].field == "participants"
    assert by_row[4].code == "type_inconnu" and "formation" in by_row[4].message
    assert by_row[5].code == "champ_manquant" and by_row[5].field == "personne"
    assert by_row[6].code == "valeur_hors_liste"
    assert by_row[7].code == "date_improbable"
    assert by_row[8].code == "type_manquant"
    assert all(r.source == "saisie" for r in result.rejections)


def test_strict_mode_raises_with_every_rejection(plan: indicateurs.Plan) -> None:
    rows = [rec("formation", "x", participants=1), rec("formation", "2023-01-01", participants="y")]
    with pytest.raises(indicateurs.DataError) as info:
        indicateurs.evaluate(plan, rows, strict=True, as_of=dt.date(2024, 1, 1))
    assert [r.row for r in info.value.rejections] == [1, 2]


def test_multi_year_plan_evaluates_every_year() -> None:
    plan = indicateurs.load_plan(
        "plan « Pluriannuel »\npériode 2022 à 2024\névénement projet\n"
        "objectif stratégique 1 « O »\nindicateur projets « Projets »\n  nombre(projet) >= 2 par an\n"
        "indicateur total « Total »\n  nombre(projet) >= 5\n"
    )
    rows = [rec("projet", d) for d in ("2022-01-01", "2022-06-01", "2023-03-03", "2024-02-02", "2024-09-09")]
    result = indicateurs.evaluate(plan, rows, as_of=dt.date(2025, 1, 1))
    yearly = result.indicator("projets")
    assert [(p.label, p.value, p.status) for p in yearly.periods] == [
        ("2022", 2, Status.MET),
        ("2023", 1, Status.NOT_MET),
        ("2024", 2, Status.MET),
    ]
    assert result.indicator("total").periods[0].label == "2022–2024"
    assert result.indicator("total").status is Status.MET
    only_2023 = indicateurs.evaluate(plan, rows, period=2023, as_of=dt.date(2025, 1, 1))
    assert [p.label for p in only_2023.indicator("projets").periods] == ["2023"]


def test_undefined_target_is_not_evaluable() -> None:
    plan = indicateurs.load_plan("période 2023\névénement x\nindicateur a « À définir »\n")
    result = indicateurs.evaluate(plan, [], as_of=dt.date(2024, 1, 1))
    assert result.indicator("a").status is Status.NOT_EVALUABLE
    assert result.indicator("a").reason == "cible à définir"


def test_objects_are_accepted_as_records(plan: indicateurs.Plan) -> None:
    class Training:
        def __init__(self, date: str, participants: int):
            self.type, self.date, self.participants = "formation", date, participants

    result = indicateurs.evaluate(plan, [Training("2023-01-05", 25)], as_of=dt.date(2024, 1, 1))
    assert result.indicator("participants").value == 25


def test_json_is_stable_and_matches_the_schema(
    result: indicateurs.PlanResult, plan: indicateurs.Plan
) -> None:
    schema = json.loads((ROOT / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
    data = json.loads(result.to_json())
    jsonschema.validate(data, schema)
    again = indicateurs.evaluate(plan, records(), as_of=dt.date(2024, 1, 31))
    assert again.to_json() == result.to_json()
    assert data["rows"] == {"read": 22, "used": 22, "ignored": 0, "rejected": 0}
    assert data["indicators"][0] == "suivis"


def test_json_schema_accepts_rejections_and_projections(plan: indicateurs.Plan) -> None:
    schema = json.loads((ROOT / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
    rows = [*records()[:3], rec("formation", "??", participants=1)]
    data = indicateurs.evaluate(plan, rows, as_of=dt.date(2023, 2, 15)).to_dict()
    jsonschema.validate(data, schema)
    assert data["rejections"][0]["code"] == "date_invalide"


def test_a_date_object_in_the_wrong_century_is_rejected_like_its_text(plan: indicateurs.Plan) -> None:
    rows = [
        rec("formation", dt.date(1923, 3, 15), participants=3),
        rec("formation", "15/03/1923", participants=3),
    ]
    result = indicateurs.evaluate(plan, rows, as_of=dt.date(2024, 1, 1))
    assert [(r.row, r.code) for r in result.rejections] == [(1, "date_improbable"), (2, "date_improbable")]
