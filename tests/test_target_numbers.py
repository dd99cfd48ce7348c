"""Numbers in targets: the evaluator writes them as each language writes numbers (grouped
thousands, decimal comma or point, the percent sign) where it words the target, and writes
years and dates as years and dates. Reports used to group the numbers of the French wording with
a regex that left 1900-2099 alone as possible years: `≥ 2150` showed `2 150`, `≥ 2050` `2050`.

Expectations are written by hand from the plan below, and checked through the CLI in every
report format and in both languages, and in the JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs.cli import main

REPO = Path(__file__).resolve().parents[1]

NNBSP, NBSP = "\u202f", "\u00a0"  # French thousands separator, and the space before `%`

PLAN = """\
plan « Nombres des cibles »
période 2023 à 2024
événement passage « Passage »
événement cambriolage « Cambriolage »
événement depense « Dépense »
    montant : décimal

indicateur p2150 « Passages : 2150 »
  nombre(passage) >= 2150 par an
indicateur p2050 « Passages : 2050 »
  nombre(passage) >= 2050 par an
indicateur p12500 « Passages : 12 500 »
  nombre(passage) >= 12 500 par an
indicateur depenses « Dépenses »
  somme(depense.montant) <= 1 234,75 par an
indicateur baisse « Cambriolages en baisse »
  nombre(cambriolage) en baisse de 2,5 % par rapport à 2023 par an
indicateur historique « Cambriolages sous la moyenne 2019-2021 »
  nombre(cambriolage) en baisse de 10 % par rapport à la moyenne 2019-2021 = 2 050 par an
indicateur annees « Passages par année »
  nombre(passage) au plus [2023: 2 050 · 2024: 1 999,5] par an
indicateur echeance « Passages avant la fin de 2023 »
  nombre(passage) >= 2150 avant le 31/12/2023
indicateur ratio « Passages par cambriolage »
  nombre(passage) / nombre(cambriolage) >= 12,5 % par an
"""

CSV = """\
type;date;montant
passage;2023-02-01;
passage;2023-03-01;
passage;2023-04-01;
cambriolage;2023-02-10;
cambriolage;2023-05-10;
cambriolage;2023-06-10;
cambriolage;2023-07-10;
depense;2023-03-15;1000,5
"""

# id: (French target, English target), the numbers grouped, the years and dates as written.
TARGETS: dict[str, tuple[str, str]] = {
    "p2150": (f"≥ 2{NNBSP}150 par an", "≥ 2,150 per year"),
    "p2050": (f"≥ 2{NNBSP}050 par an", "≥ 2,050 per year"),
    "p12500": (f"≥ 12{NNBSP}500 par an", "≥ 12,500 per year"),
    "depenses": (f"≤ 1{NNBSP}234,75 par an", "≤ 1,234.75 per year"),
    "baisse": (f"en baisse de 2,5{NBSP}% par rapport à 2023 par an", "down 2.5% vs 2023 per year"),
    "historique": (
        f"en baisse de 10{NBSP}% par rapport à la moyenne 2019-2021 (2{NNBSP}050) par an",
        "down 10% vs the average of 2019-2021 (2,050) per year",
    ),
    "annees": (
        f"≤ 2{NNBSP}050 (2023) · 1{NNBSP}999,5 (dès 2024) par an",
        "≤ 2,050 (2023) · 1,999.5 (from 2024) per year",
    ),
    "echeance": (f"≥ 2{NNBSP}150 avant le 31/12/2023", "≥ 2,150 by 2023-12-31"),
    "ratio": (f"≥ 12,5{NBSP}% par an", "≥ 12.5% per year"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("cibles")
    plan, data = folder / "cibles.plan", folder / "activites.csv"
    plan.write_text(PLAN, encoding="utf-8")
    data.write_text(CSV, encoding="utf-8")
    return str(plan), str(data)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def report(capsys: pytest.CaptureFixture[str], files: tuple[str, str], fmt: str, lang: str) -> str:
    code, out = cli(
        capsys, "rapport", *files, "--au", "2025-01-15", "--format", fmt, "--lang", lang, "-o", "-"
    )
    assert code == 0
    return out


def json_result(capsys: pytest.CaptureFixture[str], files: tuple[str, str]) -> dict[str, dict[str, object]]:
    code, out = cli(capsys, "evaluer", *files, "--au", "2025-01-15", "--format", "json")
    assert code == 1  # targets of thousands are not met by three events
    data = json.loads(out)
    schema = json.loads((REPO / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    return {item["id"]: item for item in data["tree"]}


def test_json_target_fields_are_worded_per_language(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str]
) -> None:
    tree = json_result(capsys, files)
    assert {ident: (tree[ident]["target"], tree[ident]["target_en"]) for ident in TARGETS} == TARGETS


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reports_show_the_evaluator_s_words(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str], fmt: str, lang: str
) -> None:
    text = report(capsys, files, fmt, lang)
    for french, english in TARGETS.values():
        assert (french if lang == "fr" else english) in text


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_no_target_number_is_left_ungrouped_or_a_year_grouped(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str], fmt: str
) -> None:
    """The defect: `≥ 2050` was shown ungrouped (read as a year) next to `≥ 2 150`; and the
    years of a baseline, of a value per year, of a deadline must stay as they are."""
    for lang in ("fr", "en"):
        text = report(capsys, files, fmt, lang)
        assert not re.search(r"[≥≤] (2050|2150|12500)\b", text)
        assert not re.search(r"\b20(19|21|23|24)[\u202f,]\d", text.replace("2019-2021", ""))
        assert not re.search(r"2[\u202f,]0(19|23|24)", text)


def test_the_terminal_puts_the_value_against_the_grouped_target(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str]
) -> None:
    """`3 / ≥ 2 150 par an`: the value, then the target worded by the evaluator."""
    french = report(capsys, files, "table", "fr")
    english = report(capsys, files, "table", "en")
    assert f"Cible : ≥ 2{NNBSP}050 par an" in french
    assert "Target: ≥ 2,050 per year" in english


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_ratio_against_a_percent_target_is_shown_in_percent(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str], lang: str
) -> None:
    """1 passage for 2 burglaries is 0.5, 3 for 4 (the file) 75 %, against `≥ 12,5 %`: the evaluator says so
    (`percent`), reports no longer look for `%` in the target's words."""
    result = indicateurs.evaluate(
        indicateurs.load_plan(PLAN),
        [
            {"type": "passage", "date": "2023-02-01"},
            {"type": "cambriolage", "date": "2023-02-10"},
            {"type": "cambriolage", "date": "2023-03-10"},
        ],
        as_of=dt.date(2025, 1, 15),
    )
    ratio = result.indicator("ratio")
    assert ratio.percent
    assert ratio.periods[0].value == 0.5
    assert not result.indicator("baisse").percent  # a trend's 2,5 % is a change, not a unit
    assert not result.indicator("p2150").percent
    text = report(capsys, files, "markdown", lang)
    row = next(line for line in text.splitlines() if "`ratio`" in line)
    assert ("75\u00a0%" if lang == "fr" else "75%") in row


def test_the_evaluator_words_the_targets_of_the_shipped_plans() -> None:
    """The budget bracket of the programme is grouped in both languages; its baseline years
    are not; its percentages carry the sign as each language writes it."""
    result = indicateurs.evaluate(
        indicateurs.load_plan(REPO / "plans" / "programme-securite-2019-2024.plan"),
        [],
        as_of=dt.date(2025, 1, 15),
    )
    fourchette = result.indicator("depenses_fourchette")
    assert fourchette.target == f"entre 380{NNBSP}000 et 460{NNBSP}000 par an"
    assert fourchette.target_en == "between 380,000 and 460,000 per year"
    historique = result.indicator("cambriolages_historique")
    assert historique.target == f"en baisse de 2{NBSP}% par rapport à la moyenne 2014-2018 (138) par an"
    assert historique.target_en == "down 2% vs the average of 2014-2018 (138) per year"
    taux = result.indicator("taux_cambriolages")
    assert taux.target == "≤ 7 (2019) · 6,5 (dès 2022) par an"
    assert taux.target_en == "≤ 7 (2019) · 6.5 (from 2022) per year"


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1000, 99_999) | st.integers(1900, 2099))
@example(n=2050)
@example(n=2150)
def test_every_whole_target_from_a_thousand_is_grouped(n: int) -> None:
    """A target number is a number, whatever its value: 1900-2099 are grouped like the others."""
    plan = indicateurs.load_plan(
        f"plan « P »\npériode 2023\névénement e « E »\nindicateur x « X »\n  nombre(e) >= {n} par an\n"
    )
    ind = indicateurs.evaluate(plan, [], as_of=dt.date(2024, 1, 1)).indicator("x")
    thousands, units = divmod(n, 1000)
    assert ind.target == f"≥ {thousands}{NNBSP}{units:03d} par an"
    assert ind.target_en == f"≥ {thousands},{units:03d} per year"


@settings(max_examples=30, deadline=None)
@given(whole=st.integers(0, 999_999), cents=st.integers(0, 99))
def test_decimal_targets_read_back_as_written(whole: int, cents: int) -> None:
    """`<= 12 345,67`: every decimal the plan writes is kept, the comma in French, the point in
    English; removing the separators gives back the plan's number."""
    written = f"{whole},{cents:02d}".rstrip("0").rstrip(",")
    plan = indicateurs.load_plan(
        "plan « P »\npériode 2023\névénement d « D »\n    montant : décimal\n"
        f"indicateur x « X »\n  somme(d.montant) <= {written} par an\n"
    )
    ind = indicateurs.evaluate(plan, [], as_of=dt.date(2024, 1, 1)).indicator("x")
    assert ind.target is not None and ind.target_en is not None
    french = ind.target.removeprefix("≤ ").removesuffix(" par an")
    english = ind.target_en.removeprefix("≤ ").removesuffix(" per year")
    assert french.replace(NNBSP, "") == written
    assert english.replace(",", "") == written.replace(",", ".")
    assert english.replace(",", NNBSP).replace(".", ",") == french
    assert (NNBSP in french) is (whole >= 1000)
