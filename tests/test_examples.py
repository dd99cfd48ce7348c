"""The example activity log of exemples/: the same verdicts from the CSV, the workbook and the
JSONL, the verdicts the README announces, and measures recounted here by hand from the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import re
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

import indicateurs
from indicateurs import Status
from indicateurs.sources import load_mapping, read_csv, read_jsonl, read_xlsx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "exemples"
PLAN = ROOT / "plans" / "molenbeek-2023.plan"
MAPPING = EXAMPLES / "correspondance.toml"
AS_OF = dt.date(2024, 1, 15)

EXPECTED = {
    "espace_ecoute": Status.MET,
    "prises_en_charge": Status.MET,
    "reseau_extra_local": Status.MET,
    "formations": Status.MET,
    "personnes_formees": Status.MET,
    "expertise": Status.MET,
    "participations": Status.NOT_MET,
    "constats": Status.MET,
    "recommandations": Status.MET,
    "groupes_travail": Status.MET,
    "csil": Status.NOT_MET,
    "contacts_police": Status.MET,
    "projets": Status.NOT_MET,
}
EXPECTED_REJECTIONS = [  # (row in the CSV and the workbook, code, field)
    (23, "date_invalide", "date"),
    (30, "date_improbable", "date"),
    (44, "type_inconnu", "type"),
    (65, "champ_manquant", "personne"),
    (108, "entier_invalide", "participants"),
]


def _evaluate(source: Any) -> indicateurs.PlanResult:
    return indicateurs.evaluate(str(PLAN.relative_to(ROOT)), source, as_of=AS_OF)


@pytest.fixture(scope="module", autouse=True)
def _in_repo(request: pytest.FixtureRequest) -> Any:
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def results() -> dict[str, indicateurs.PlanResult]:
    return {
        "csv": _evaluate(read_csv(EXAMPLES / "activites-2023.csv", mapping=MAPPING)),
        "xlsx": _evaluate(read_xlsx(EXAMPLES / "activites-2023.xlsx", mapping=MAPPING)),
        "jsonl": _evaluate(read_jsonl(EXAMPLES / "activites-2023.jsonl", mapping=MAPPING)),
    }


def _comparable(value: Any) -> Any:
    """The result without what depends on the file: source names, row numbers, raw values."""
    if isinstance(value, dict):
        drop = {"source", "row", "name"}
        if "code" in value and "message" in value:  # a rejection: the raw value is the file's spelling
            drop |= {"message", "value"}
        return {k: _comparable(v) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def test_csv_xlsx_and_jsonl_give_identical_results(results: dict[str, indicateurs.PlanResult]) -> None:
    reference = _comparable(results["csv"].to_dict())
    assert _comparable(results["xlsx"].to_dict()) == reference
    assert _comparable(results["jsonl"].to_dict()) == reference


def test_rejections_at_the_same_rows(results: dict[str, indicateurs.PlanResult]) -> None:
    for kind, offset in (("csv", 0), ("xlsx", 0), ("jsonl", 1)):  # JSONL has no header line
        found = [(r.row + offset, r.code, r.field) for r in results[kind].rejections]
        assert found == EXPECTED_REJECTIONS, kind


def test_expected_verdicts(results: dict[str, indicateurs.PlanResult]) -> None:
    result = results["csv"]
    assert {i.id: i.status for i in result.indicators} == EXPECTED
    assert result.summary()["atteint"] == 10
    assert result.summary()["non_atteint"] == 3
    assert (result.read, result.used, result.ignored, result.rejected) == (161, 132, 24, 5)
    assert dict(result.sources[0].ignored_reasons) == {
        "hors_periode": 3,
        "ignore_par_correspondance": 20,
        "ligne_vide": 1,
    }
    values = {i.id: i.value for i in result.indicators}
    assert values["prises_en_charge"] == 12
    assert values["formations"] == 4
    assert values["personnes_formees"] == 56
    assert values["participations"] == 2
    assert values["groupes_travail"] == 4
    assert values["csil"] == 2
    assert values["contacts_police"] == 6
    assert values["projets"] == 7


# ---------------------------------------------------------------------------- recounted by hand

# What each activity of the sheet is in the plan, written again here rather than read from
# the mapping, so that a wrong mapping cannot agree with itself.
PLAN_TYPE = {
    "Permanence espace d'écoute": "espace_ecoute",
    "Suivi individuel": "prise_en_charge",
    "Entretien familial": "prise_en_charge",
    "Contact extra-local": "contact_extra_local",
    "Formation collective": "formation",
    "Sensibilisation professionnels": "formation",
    "Supervision / intervision": "expertise",
    "Documentation": "expertise",
    "Participation colloque / formation": "participation",
    "Constat de terrain": "constat",
    "Recommandation": "recommandation",
    "Réunion de coordination": "concertation",
    "Projet collectif": "projet",
}


def _hand_count() -> dict[str, Any]:
    with (EXAMPLES / "activites-2023.csv").open(encoding="cp1252", newline="") as f:
        table = list(csv.DictReader(f, delimiter=";"))
    rows: list[dict[str, str]] = []
    for row in table:
        kind = PLAN_TYPE.get(row["Type d'activité"] or "")
        try:
            day = dt.datetime.strptime(row["Date de l'activité"] or "", "%d/%m/%Y").date()
        except ValueError:
            continue
        if kind is None or day.year != 2023:
            continue
        rows.append({**row, "kind": kind})

    def of(kind: str) -> list[dict[str, str]]:
        return [r for r in rows if r["kind"] == kind]

    formations = [r for r in of("formation") if r["Nombre de participants"].isdigit()]
    meetings = [r["Instance"] for r in of("concertation")]
    return {
        "espace_ecoute": len(of("espace_ecoute")),
        "prises_en_charge": len({r["Code personne"] for r in of("prise_en_charge") if r["Code personne"]}),
        "reseau_extra_local": len(of("contact_extra_local")),
        "formations": len(formations),
        "personnes_formees": sum(int(r["Nombre de participants"]) for r in formations),
        "expertise": len(of("expertise")),
        "participations": sum(
            1 for r in of("participation") if r["Catégorie"] in ("Colloque", "Journée d'étude")
        ),
        "constats": len(of("constat")),
        "recommandations": len(of("recommandation")),
        "groupes_travail": sum(1 for m in meetings if m.startswith("Groupe de travail")),
        "csil": sum(1 for m in meetings if m.startswith("CSIL")),
        "contacts_police": sum(1 for m in meetings if m == "Cellule radicalisation police"),
        "projets": len(of("projet")),
    }


def test_measures_recounted_by_hand(results: dict[str, indicateurs.PlanResult]) -> None:
    counted = _hand_count()
    assert counted == {
        "espace_ecoute": 24,
        "prises_en_charge": 12,
        "reseau_extra_local": 7,
        "formations": 4,
        "personnes_formees": 56,
        "expertise": 6,
        "participations": 2,
        "constats": 5,
        "recommandations": 3,
        "groupes_travail": 4,
        "csil": 2,
        "contacts_police": 6,
        "projets": 7,
    }
    targets = {"prises_en_charge": 10, "formations": 2, "personnes_formees": 5, "participations": 3}
    targets |= {"groupes_travail": 3, "csil": 3, "contacts_police": 3, "projets": 10}
    for ident, count in counted.items():
        expected = count >= targets.get(ident, 1)
        assert (EXPECTED[ident] is Status.MET) == expected, ident
        indicator = results["csv"].indicator(ident)
        if ident in targets:
            assert indicator.value == count, ident
        else:
            assert indicator.value is True and indicator.evidence.count == count, ident


# ---------------------------------------------------------------------------- other ways in


def test_csv_without_declared_encoding_or_delimiter(results: dict[str, indicateurs.PlanResult]) -> None:
    mapping = attrs.evolve(load_mapping(MAPPING), encoding=None, delimiter=None)
    source = read_csv(EXAMPLES / "activites-2023.csv", mapping=mapping)
    assert (source.encoding, source.delimiter) == ("cp1252", ";")
    assert _evaluate(source).to_dict() == results["csv"].to_dict()


def test_file_path_and_mapping_path_given_to_evaluate(results: dict[str, indicateurs.PlanResult]) -> None:
    result = indicateurs.evaluate(
        "plans/molenbeek-2023.plan",
        "exemples/activites-2023.xlsx",
        mapping="exemples/correspondance.toml",
        as_of=AS_OF,
    )
    assert _comparable(result.to_dict()) == _comparable(results["csv"].to_dict())


def test_readme_states_the_verdicts(results: dict[str, indicateurs.PlanResult]) -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    words = {"atteint": Status.MET, "**non atteint**": Status.NOT_MET}
    stated = {
        m[1]: words[m[2].strip()]
        for m in re.finditer(r"^\| (\w+) \|.*\| ([^|]+) \|$", readme, re.MULTILINE)
        if m[2].strip() in words
    }
    assert stated == EXPECTED
    result = results["csv"]
    line = f"{result.read} lignes lues = {result.used} utilisées + {result.ignored} ignorées + {result.rejected} rejetées"
    assert line in readme
    for row, code, _ in EXPECTED_REJECTIONS:
        assert re.search(rf"^\| {row} \|.*\| `{code}` \|$", readme, re.MULTILINE), (row, code)


# ---------------------------------------------------------------------------- the generator


def test_generator_gives_the_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("generer_exemples", EXAMPLES / "generer_exemples.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.main(["generer_exemples.py", str(tmp_path)])
    for name in ("activites-2023.csv", "activites-2023.jsonl", "correspondance.toml"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name

    def cells(path: Path) -> list[list[tuple[Any, ...]]]:
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]
        finally:
            wb.close()

    assert cells(tmp_path / "activites-2023.xlsx") == cells(EXAMPLES / "activites-2023.xlsx")
