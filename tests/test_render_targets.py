"""Targets in reports: the evaluator words them in both languages and gives the numbers a chart
draws; reports pick the wording of their language and only write its numbers as that language
does (they used to translate the French wording word by word and read numbers back from it).

Expectations are written by hand from the plan below."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs.evaluate import target_text
from indicateurs.render.common import target_label
from indicateurs.render.html import chart
from indicateurs.render.markdown import render_markdown
from indicateurs.results import PlanResult

REPO = Path(__file__).resolve().parents[1]

PLAN = """\
plan « Cibles »
période 2023 à 2024
exercice avril
événement intervention « Intervention »
    temps : durée
événement dossier « Dossier »
    délai : durée en jours ouvrables
événement atelier « Atelier »
événement rapport « Rapport »

indicateur duree « Interventions courtes »
  max(intervention.temps) <= 1,5 jour par an
indicateur delai « Délai moyen »
  moyenne(dossier.délai) au plus 0,5 jour ouvrable par an
indicateur ateliers « Ateliers »
  nombre(atelier) au plus 12 par année scolaire
indicateur exercice « Ateliers par exercice »
  nombre(atelier) >= 3 par exercice
indicateur cumul « Ateliers cumulés »
  nombre(atelier) >= 2 par trimestre cumulé
indicateur rapport « Rapport remis »
  existe(rapport) avant le 30/06/2023
indicateur partage « Part des dossiers rapides »
  part(dossier où délai ≤ 10 jours ouvrables) entre 40 % et 60 % par an
indicateur tendance « Moins d'ateliers »
  nombre(atelier) en baisse de 10 % par rapport à 2023 par an
indicateur annees « Ateliers par année »
  nombre(atelier) au plus [2023: 7 · 2024: 6,5] par an
"""

# id: (French label, English label, chart lines); French singular `1,5 jour` is `1.5 days`.
EXPECTED: dict[str, tuple[str, str, tuple[float, ...]]] = {
    "duree": ("≤ 1,5 jour par an", "≤ 1.5 days per year", (1.5,)),
    "delai": ("≤ 0,5 jour ouvrable par an", "≤ 0.5 working days per year", (0.5,)),
    "ateliers": ("≤ 12 par année scolaire", "≤ 12 per school year", (12.0,)),
    "exercice": ("≥ 3 par exercice", "≥ 3 per fiscal year", (3.0,)),
    "cumul": ("≥ 2 par trimestre, cumulé depuis janvier", "≥ 2 per quarter, year to date", (2.0,)),
    "rapport": ("Oui avant le 30/06/2023", "Yes by 2023-06-30", ()),
    "partage": ("entre 40\u00a0% et 60\u00a0% par an", "between 40% and 60% per year", (0.4, 0.6)),
    "tendance": ("en baisse de 10\u00a0% par rapport à 2023 par an", "down 10% vs 2023 per year", ()),
    "annees": ("≤ 7 (2023) · 6,5 (dès 2024) par an", "≤ 7 (2023) · 6.5 (from 2024) per year", ()),
}


@pytest.fixture(scope="module")
def plan() -> indicateurs.Plan:
    return indicateurs.load_plan(PLAN)


@pytest.fixture(scope="module")
def result(plan: indicateurs.Plan) -> PlanResult:
    rows = [
        {"type": "atelier", "date": "2023-05-10"},
        {"type": "intervention", "date": "2023-04-03", "fin": "2023-04-04"},
        {"type": "dossier", "date": "2023-03-01", "fin": "2023-03-03"},
    ]
    return indicateurs.evaluate(plan, rows, as_of=dt.date(2025, 1, 15))


@pytest.mark.parametrize("ident", sorted(EXPECTED))
def test_targets_in_both_languages_are_the_evaluator_s_words(
    plan: indicateurs.Plan, result: PlanResult, ident: str
) -> None:
    """The English label is the evaluator's English wording (the old word table wrote `1.5 day`
    and `entre 40% et 60%`), with only its numbers written as English writes them."""
    french, english, _ = EXPECTED[ident]
    ind = result.indicator(ident)
    declared = next(i for i in plan.indicators if i.id == ident)
    assert target_label(ind, "fr") == french
    assert target_label(ind, "en") == english
    assert ind.target == target_text(declared, "fr")
    assert ind.target_en == target_text(declared, "en")
    if "%" not in english:  # nothing to write differently: the evaluator's words as they are
        assert target_label(ind, "en") == target_text(declared, "en")


@pytest.mark.parametrize("ident", sorted(EXPECTED))
def test_charts_draw_the_evaluator_s_target_lines(result: PlanResult, ident: str) -> None:
    """One line for a comparison with a number, two for `entre`, none for yes/no, a trend or a
    value per year; fractions when the target is in %."""
    ind = result.indicator(ident)
    assert ind.target_lines == EXPECTED[ident][2]
    drawn = chart(ind, "en")
    if drawn is not None:
        assert len(drawn.targets) == len(EXPECTED[ident][2])


def test_english_markdown_shows_the_english_targets(result: PlanResult) -> None:
    text = render_markdown(result, lang="en")
    for _, english, _ in EXPECTED.values():
        assert english in text


def test_the_english_target_is_in_the_json(result: PlanResult) -> None:
    data = result.to_dict()
    jsonschema.validate(
        data, json.loads((REPO / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
    )
    tree = {item["id"]: item for item in data["tree"]}
    assert tree["duree"]["target"] == "≤ 1,5 jour par an"
    assert tree["duree"]["target_en"] == "≤ 1.5 days per year"
    assert tree["rapport"]["target_en"] == "Yes by 2023-06-30"


tenths = st.integers(0, 99999).map(lambda n: n / 10)


@settings(max_examples=25, deadline=None)
@given(low=tenths, high=tenths)
@example(low=1234.5, high=2019.0)
def test_between_targets_property(low: float, high: float) -> None:
    """`entre a et b`: two lines at a and b, and the label writes both numbers in each language
    (`1 234,5` in French, `1,234.5` in English; `2 019` too: the bounds are numbers, not years)."""
    low, high = min(low, high), max(low, high)

    def en(n: float) -> str:
        return f"{n:,.1f}".removesuffix(".0")

    def fr(n: float) -> str:
        return en(n).replace(",", "\u202f").replace(".", ",")

    words = f"{low:g}".replace(".", ","), f"{high:g}".replace(".", ",")
    plan = indicateurs.load_plan(
        "plan « P »\npériode 2023 à 2023\névénement e « E »\n"
        f"indicateur x « X »\n  nombre(e) entre {words[0]} et {words[1]} par an\n"
    )
    ind = indicateurs.evaluate(plan, [], as_of=dt.date(2024, 1, 1)).indicator("x")
    assert ind.target_lines == (low, high)
    assert target_label(ind, "fr") == f"entre {fr(low)} et {fr(high)} par an"
    assert target_label(ind, "en") == f"between {en(low)} and {en(high)} per year"
