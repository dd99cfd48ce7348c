"""The detail line of an indicator (issue 8): the same facts in the HTML, Markdown and terminal
reports, read here from the HTML of the programme plan's report.

Every number below was counted by hand in exemples/programme-securite-2019-2024.csv (grep and a
calendar): 128 burglaries in 2019, 118 in 2024, 58 in the first half of 2024 and 60 in the
second; 105 interventions in 2024 lasting 162 days; 40 mediation cases received in 2024, 32 of
them closed within 21 Belgian working days; the surveys 58 (2019), 63 (2021) and 67 (2023) in %;
the cleanliness audits 6,9 (2023) and 7,2 (2024); 2023-2024 workshops per school: 3, 3, 3, 9,
8, 4 (six schools with at least 3).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import indicateurs
from indicateurs.render.common import (
    Fact,
    details_text,
    format_percent,
    indicator_details,
    partial_lines,
    target_label,
)
from indicateurs.render.html import render_html
from indicateurs.render.markdown import escape, render_markdown
from indicateurs.render.terminal import render_table
from indicateurs.results import PlanResult
from indicateurs.sources import read_csv

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "plans" / "programme-securite-2019-2024.plan"
DATA = REPO / "exemples" / "programme-securite-2019-2024.csv"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def result() -> PlanResult:
    return indicateurs.evaluate(PLAN, read_csv(DATA), as_of=dt.date(2025, 1, 15))


class _Indicators(HTMLParser):
    """Per indicator of the page: its detail line (period, facts by kind) and its partial lines."""

    def __init__(self) -> None:
        super().__init__()
        self.current: str | None = None
        self.period: dict[str, str] = {}
        self.facts: dict[str, list[tuple[str, str]]] = {}
        self.partial: dict[str, list[str]] = {}
        self.targets: dict[str, str] = {}
        self.cells: dict[str, list[str]] = {}
        self._into: tuple[str, str] | None = None  # what the text being read belongs to
        self._periods = False  # within the table of values per period
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article" and a.get("data-indicator"):
            self.current = a["data-indicator"]
        if self.current is None:
            return
        css = a.get("class") or ""
        if tag == "span" and css == "details-period":
            self._into, self._text = ("period", ""), ""
        elif tag == "span" and a.get("data-fact"):
            self._into, self._text = ("fact", a["data-fact"] or ""), ""
        elif tag == "p" and css == "partial":
            self._into, self._text = ("partial", ""), ""
        elif tag == "dd" and css == "target":
            self._into, self._text = ("target", ""), ""
        elif tag == "table":
            self._periods = css == "periods"
        elif tag == "td" and css == "num" and self._periods:
            self._into, self._text = ("cell", ""), ""

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.current = None
        if tag == "table":
            self._periods = False
        if self._into is None or self.current is None or tag not in ("span", "p", "dd", "td"):
            return
        what, kind = self._into
        ident, text = self.current, self._text
        if what == "period":
            self.period[ident] = text
        elif what == "fact":
            self.facts.setdefault(ident, []).append((kind, text))
        elif what == "partial":
            self.partial.setdefault(ident, []).append(text)
        elif what == "target":
            self.targets[ident] = text
        else:
            self.cells.setdefault(ident, []).append(text)
        self._into = None


def page(result: PlanResult, lang: str) -> _Indicators:
    parser = _Indicators()
    parser.feed(render_html(result, lang="fr" if lang == "fr" else "en"))
    return parser


def test_html_detail_line_of_the_programme_in_french(result: PlanResult) -> None:
    html = page(result, "fr")
    facts = html.facts
    # Baselines: computed from 2019 (128), declared (138), the previous half-year (58).
    assert html.period["baisse_cambriolages"] == "2024"
    assert facts["baisse_cambriolages"] == [
        ("baseline", f"par rapport à 2019 (128, calculée) : -7,8{NBSP}%, en baisse")  # 118/128 − 1
    ]
    assert facts["cambriolages_historique"] == [
        ("baseline", f"par rapport à la moyenne 2014-2018 (138, déclarée) : -14,5{NBSP}%, en baisse")
    ]
    assert html.period["cambriolages_tendance"] == "S2 2024"
    assert facts["cambriolages_tendance"] == [
        ("baseline", f"par rapport à S1 2024 (58) : +3,4{NBSP}%, en hausse")
    ]
    # Units: 6 schools of 6 with at least 3 workshops in 2023-2024 (2024-2025 is cut: not judged).
    assert html.period["ecoles"] == "2023-2024"
    # The event types' labels as the plan declares them, and the filter of the counted events.
    assert facts["ecoles"] == [
        ("units", "ecole ayant au moins 3 « Atelier de prévention en classe » : 6 sur 6")
    ]
    assert facts["partenaires_actifs"] == [
        (
            "units",
            "partenaire ayant au moins 2 « Action de prévention de quartier » où genre = rue : 3 sur 5"
            " (en dessous : AMO Le Relais, Club sportif)",
        )
    ]
    # Durations: 162 days over 105 interventions; 32 cases of 40 within 21 working days.
    assert facts["duree_interventions"] == [("duration", "durée moyenne : 1,54 jour")]
    assert facts["delai_mediation"] == [("duration", "dossier où délai ≤ 21 jours ouvrables : 32 sur 40")]
    # Reference values, with the year they were given for (jeunes: 2023's value holds in 2024).
    assert facts["taux_cambriolages"] == [("reference", "population (2024) = 18\u202f900")]
    assert facts["jeunes_touches"] == [("reference", "jeunes (2023) = 3\u202f080")]
    assert facts["execution_budget"] == [("reference", "budget (2022) = 445\u202f000")]
    # Measurements: the latest survey (2023, none in 2024) in %, and its date; 67/58 − 1.
    assert html.period["sentiment_securite"] == "2023"
    assert facts["sentiment_securite"] == [("latest", f"dernière mesure : 67{NBSP}% le 15/05/2023")]
    assert facts["sentiment_progres"] == [
        ("latest", f"dernière mesure : 67{NBSP}% le 15/05/2023"),
        ("baseline", f"par rapport à 2019 (58{NBSP}%, calculée) : +15,5{NBSP}%, en hausse"),
    ]
    assert facts["proprete_stable"] == [
        ("latest", "dernière mesure : 7,2 le 01/10/2024"),
        ("baseline", f"par rapport à 2023 (6,9) : +4,3{NBSP}%, en hausse"),  # 7,2/6,9 − 1
    ]
    # Nothing beyond the value: no detail line.
    for ident in ("interventions", "depenses_fourchette", "plan_adopte", "victimes", "actions_cumul"):
        assert ident not in facts, ident


def test_html_detail_line_in_english(result: PlanResult) -> None:
    facts = page(result, "en").facts
    assert facts["baisse_cambriolages"] == [("baseline", "vs 2019 (128, computed): -7.8%, down")]
    assert facts["cambriolages_historique"] == [
        ("baseline", "vs the average of 2014-2018 (138, declared): -14.5%, down")
    ]
    assert facts["ecoles"] == [("units", "ecole having at least 3 'Atelier de prévention en classe': 6 of 6")]
    assert facts["partenaires_actifs"][0][1].startswith(
        "partenaire having at least 2 'Action de prévention de quartier' where genre = rue: 3 of 5"
    )
    assert facts["duree_interventions"] == [("duration", "average duration: 1.54 days")]
    assert facts["delai_mediation"] == [("duration", "dossier where délai ≤ 21 working days: 32 of 40")]
    assert facts["sentiment_securite"] == [("latest", "latest measurement: 67% on 2023-05-15")]
    assert facts["taux_cambriolages"] == [("reference", "population (2024) = 18,900")]


def test_html_partial_periods_are_named_and_not_judged(result: PlanResult) -> None:
    html = page(result, "fr")
    # The plan runs 01/01/2019 – 31/12/2024: school years 2018-2019 and 2024-2025 are cut.
    assert html.partial["ateliers"] == [
        "→ 2018-2019 : période partielle : du 01/01/2019 au 31/08/2019 (243 jours sur 365), non jugée",
        "→ 2024-2025 : période partielle : du 01/09/2024 au 31/12/2024 (122 jours sur 365), non jugée",
    ]
    # A monitored indicator is never judged: its partial periods are only named.
    assert html.partial["depenses_exercice"][0] == (
        "→ 2018-2019 : période partielle : du 01/01/2019 au 31/03/2019 (90 jours sur 365)"
    )
    assert "baisse_cambriolages" not in html.partial
    english = page(result, "en").partial["ecoles"]
    assert english[1] == "→ 2024-2025: partial period: 2024-09-01 to 2024-12-31 (122 days of 365), not judged"


def test_percent_values_and_targets_in_every_cell(result: PlanResult) -> None:
    fr, en = page(result, "fr"), page(result, "en")
    assert fr.targets["sentiment_securite"] == f"≥ 65{NBSP}% par an"
    assert en.targets["sentiment_securite"] == "≥ 65% per year"
    assert en.targets["baisse_cambriolages"] == "down 10% vs 2019 per year"
    assert fr.targets["depenses_fourchette"] == "entre 380\u202f000 et 460\u202f000 par an"
    # Surveys in %: 58, —, 63, —, 67, — (a year without survey has no data, not zero).
    shown = [f"58{NBSP}%", "—", f"63{NBSP}%", "—", f"67{NBSP}%", "—"]
    assert fr.cells["sentiment_securite"] == shown
    assert fr.cells["sentiment_progres"] == shown  # a trend on a value measured in %
    assert en.cells["sentiment_progres"] == ["58%", "—", "63%", "—", "67%", "—"]
    # 32 of 40 cases in 2024: 80 %; 2019: 35 of 40.
    assert fr.cells["delai_mediation"][0] == f"87,5{NBSP}%"
    assert fr.cells["delai_mediation"][-1] == f"80{NBSP}%"


def test_the_three_formats_say_the_same_facts(result: PlanResult) -> None:
    """One source: the terminal and Markdown lines are the HTML facts joined, word for word."""
    for lang in ("fr", "en"):
        table = re.sub(r"\n +", " ", render_table(result, lang=lang, color=False, width=400))
        markdown = render_markdown(result, lang=lang)
        html = page(result, lang)
        for ind in result.indicators:
            line = details_text(ind, lang)
            if ind.id not in html.facts:
                assert line is None, ind.id
                continue
            assert line is not None
            assert [(f.kind, f.text) for f in html_facts(ind, lang)] == html.facts[ind.id]
            assert f"→ {line}" in table, (lang, ind.id)
            assert f"→ {escape(line)}" in markdown, (lang, ind.id)
            for partial in partial_lines(ind, lang):
                assert f"→ {partial}" in table


def html_facts(ind: indicateurs.IndicatorResult, lang: str) -> tuple[Fact, ...]:
    details = indicator_details(ind, "fr" if lang == "fr" else "en")
    assert details is not None
    return details.facts


def test_format_percent() -> None:
    assert format_percent(0.665, "fr") == f"66,5{NBSP}%"
    assert format_percent(0.665, "en") == "66.5%"
    assert format_percent(0.66, "fr") == f"66{NBSP}%"
    assert format_percent(-0.078125, "fr", signed=True) == f"-7,8{NBSP}%"
    assert format_percent(0.0345, "en", signed=True) == "+3.5%"
    assert format_percent(0.0, "en", signed=True) == "0%"


# ---------------------------------------------------------------------------- facts, not words
#
# The detail line reads what the evaluator knows (IndicatorResult.baseline, .units, .duration,
# .latest), never the words of the target or of the expression: the same plan written with the
# English keywords, or in capitals with a comment after each expression, says the same facts.
# Each of these plans has constructs the former regexes over the text missed: a monitored
# average of durations (no days in the target), `≤` and `au plus` in a duration condition,
# `1 jour` / `1 day` in the singular, a declared baseline written with a thousands space.

_FRENCH = """
plan « Essai des faits »
période 2022 à 2023
événement atelier « Atelier en classe »
    ecole : texte
événement cambriolage « Cambriolage »
événement dossier « Dossier de médiation »
    délai : durée en jours ouvrables
événement intervention « Intervention »
    temps : durée
valeur mesurée sentiment « Sentiment de sécurité » en %

indicateur ecoles « Deux écoles ayant deux ateliers »
  nombre(atelier.ecole ayant au moins 2) >= 2 par an
  unité « écoles »
indicateur baisse « −10 % par rapport à la moyenne 2018-2019 »
  nombre(cambriolage) en baisse de 10 % par rapport à la moyenne 2018-2019 = 1 000 par an
indicateur delai « La moitié des dossiers en 10 jours ouvrables »
  part(dossier où délai ≤ 10 jours ouvrables) >= 50 % par an
indicateur duree « Durée moyenne des interventions »
  suivi moyenne(intervention.temps) par an
indicateur duree_max « Aucune intervention de plus d'un jour »
  max(intervention.temps) <= 1 jour par an
indicateur sentiment « Sentiment en hausse »
  dernier(sentiment) en hausse par an
"""

_ENGLISH = """
plan "Facts test"
period 2022 to 2023
event atelier "Atelier en classe"
    ecole : text
event cambriolage "Cambriolage"
event dossier "Dossier de médiation"
    délai : duration in working days
event intervention "Intervention"
    temps : duration
measured value sentiment "Sentiment de sécurité" in %

indicator ecoles "Two schools with two workshops"
  count(atelier.ecole having at least 2) >= 2 per year
  unit "écoles"
indicator baisse "-10 % vs the average of 2018-2019"
  count(cambriolage) down 10 % vs average 2018-2019 = 1 000 per year
indicator delai "Half of the cases within 10 working days"
  share(dossier where délai at most 10 working days) >= 50 % per year
indicator duree "Average duration of the interventions"
  monitor avg(intervention.temps) per year
indicator duree_max "No intervention longer than a day"
  max(intervention.temps) <= 1 day per year
indicator sentiment "Feeling of safety up"
  latest(sentiment) up per year
"""

_CAPITALS = """
PLAN « Essai des faits »
PÉRIODE 2022 À 2023
ÉVÉNEMENT atelier « Atelier en classe »
    ecole : TEXTE
ÉVÉNEMENT cambriolage « Cambriolage »
ÉVÉNEMENT dossier « Dossier de médiation »
    délai : DURÉE EN JOURS OUVRABLES
ÉVÉNEMENT intervention « Intervention »
    temps : DURÉE
VALEUR MESURÉE sentiment « Sentiment de sécurité » EN %

INDICATEUR ecoles « Deux écoles ayant deux ateliers »
  NOMBRE(atelier.ecole AYANT AU MOINS 2) >= 2 PAR AN  # voir la convention
  UNITÉ « écoles »
INDICATEUR baisse « −10 % par rapport à la moyenne 2018-2019 »
  NOMBRE(cambriolage) EN BAISSE DE 10 % PAR RAPPORT À LA MOYENNE 2018-2019 = 1 000 PAR AN  # relevé police
INDICATEUR delai « La moitié des dossiers en 10 jours ouvrables »
  PART(dossier OÙ délai <= 10 JOURS OUVRABLES) >= 50 % PAR AN  # jours ouvrables belges
INDICATEUR duree « Durée moyenne des interventions »
  SUIVI MOYENNE(intervention.temps) PAR AN  # sans cible
INDICATEUR duree_max « Aucune intervention de plus d'un jour »
  MAX(intervention.temps) <= 1 JOUR PAR AN  # un jour au plus
INDICATEUR sentiment « Sentiment en hausse »
  DERNIER(sentiment) EN HAUSSE PAR AN  # enquête
"""


def _fact_records() -> list[dict[str, object]]:
    """2023: workshops A ×3, B ×2, C ×1 (2022: A ×2); 950 burglaries (declared baseline 1 000:
    −5 %); four cases, two closed within 10 working days (1 → 3 March and 1 → 5 June 2023: 2 working
    days each; 1 → 31 March: 22; 1 → 30 June: 21); interventions of 1 and 3 days (2022: 1 day);
    surveys 60 (2022) and 66 (2023) in %: +10 %."""
    rows: list[dict[str, object]] = []
    for school, n in (("A", 3), ("B", 2), ("C", 1)):
        rows += [{"type": "atelier", "date": f"2023-0{i + 2}-10", "ecole": school} for i in range(n)]
    rows += [{"type": "atelier", "date": f"2022-0{i + 2}-10", "ecole": "A"} for i in range(2)]
    rows += [
        {"type": "cambriolage", "date": dt.date(2023, 1, 1) + dt.timedelta(days=i % 365)} for i in range(950)
    ]
    rows += [{"type": "cambriolage", "date": "2022-06-01"}]
    for start, end in (
        ("2023-03-01", "2023-03-03"),
        ("2023-03-01", "2023-03-31"),
        ("2023-06-01", "2023-06-05"),
        ("2023-06-01", "2023-06-30"),
    ):
        rows.append({"type": "dossier", "date": start, "fin": end})
    for start, end in (
        ("2023-04-03", "2023-04-04"),
        ("2023-05-02", "2023-05-05"),
        ("2022-04-04", "2022-04-05"),
    ):
        rows.append({"type": "intervention", "date": start, "fin": end})
    rows += [
        {"type": "sentiment", "date": "2022-05-01", "valeur": 60},
        {"type": "sentiment", "date": "2023-05-01", "valeur": 66},
    ]
    return rows


def _facts(plan_text: str, lang: str) -> dict[str, list[tuple[str, str]]]:
    result = indicateurs.evaluate(
        indicateurs.load_plan(plan_text), _fact_records(), as_of=dt.date(2024, 1, 15)
    )
    out = {}
    for ind in result.indicators:
        details = indicator_details(ind, "fr" if lang == "fr" else "en")
        out[ind.id] = (
            [] if details is None else [(f.kind, f"{details.period} {f.text}") for f in details.facts]
        )
    return out


_EXPECTED_FR = {
    "ecoles": [("units", "2023 écoles ayant au moins 2 « Atelier en classe » : 2 sur 3 (en dessous : C)")],
    "baisse": [
        ("baseline", f"2023 par rapport à la moyenne 2018-2019 (1\u202f000, déclarée) : -5{NBSP}%, en baisse")
    ],
    "delai": [("duration", "2023 dossier où délai ≤ 10 jours ouvrables : 2 sur 4")],
    "duree": [("duration", "2023 durée moyenne : 2 jours")],
    "duree_max": [("duration", "2023 durée la plus longue : 3 jours")],
    "sentiment": [
        ("latest", f"2023 dernière mesure : 66{NBSP}% le 01/05/2023"),
        ("baseline", f"2023 par rapport à 2022 (60{NBSP}%) : +10{NBSP}%, en hausse"),
    ],
}
_EXPECTED_EN = {
    "ecoles": [("units", "2023 écoles having at least 2 'Atelier en classe': 2 of 3 (below: C)")],
    "baisse": [("baseline", "2023 vs the average of 2018-2019 (1,000, declared): -5%, down")],
    "delai": [("duration", "2023 dossier where délai ≤ 10 working days: 2 of 4")],
    "duree": [("duration", "2023 average duration: 2 days")],
    "duree_max": [("duration", "2023 longest duration: 3 days")],
    "sentiment": [
        ("latest", "2023 latest measurement: 66% on 2023-05-01"),
        ("baseline", "2023 vs 2022 (60%): +10%, up"),
    ],
}


@pytest.mark.parametrize("plan_text", [_FRENCH, _ENGLISH, _CAPITALS], ids=["french", "english", "capitals"])
def test_detail_facts_do_not_depend_on_the_plan_s_words(plan_text: str) -> None:
    assert _facts(plan_text, "fr") == _EXPECTED_FR
    assert _facts(plan_text, "en") == _EXPECTED_EN


def test_duration_targets_say_their_days(result: PlanResult) -> None:
    """`moyenne(intervention.temps) <= 2 jours` is `≤ 2 jours`, not `≤ 2` (a number of what?)."""
    assert page(result, "fr").targets["duree_interventions"] == "≤ 2 jours par an"
    assert page(result, "en").targets["duree_interventions"] == "≤ 2 days per year"
    plan = indicateurs.load_plan(
        _FRENCH
        + "indicateur delai_moyen « Délai moyen »\n  moyenne(dossier.délai) entre 1 et 3 jours ouvrables par an\n"
    )
    facts = indicateurs.evaluate(plan, _fact_records(), as_of=dt.date(2024, 1, 15))
    assert facts.indicator("delai_moyen").target == "entre 1 et 3 jours ouvrables par an"
    assert target_label(facts.indicator("delai_moyen"), "en") == "between 1 and 3 working days per year"
    assert facts.indicator("duree_max").target == "≤ 1 jour par an"  # French: 1 jour, 1,5 jour
    assert target_label(facts.indicator("duree_max"), "en") == "≤ 1 day per year"
    assert facts.indicator("duree_max").target_lines == (1.0,)


def test_the_facts_are_in_the_json() -> None:
    """What the detail line reads is in the stable JSON too, valid against its schema."""
    import json

    import jsonschema

    result = indicateurs.evaluate(
        indicateurs.load_plan(_ENGLISH), _fact_records(), as_of=dt.date(2024, 1, 15)
    )
    data = result.to_dict()
    jsonschema.validate(
        data, json.loads((REPO / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))
    )
    tree = {item["id"]: item for item in data["tree"]}
    assert tree["ecoles"]["units"] == {
        "share": False,
        "event_type": "atelier",
        "field": "ecole",
        "op": ">=",
        "threshold": 2,
        "event_label": "Atelier en classe",
        "unit_label": "écoles",
        "condition": None,
    }
    assert tree["baisse"]["baseline"] == {
        "kind": "average",
        "years": [2018, 2019],
        "declared": True,
        "value": 1000,
    }
    assert tree["sentiment"]["baseline"] == {
        "kind": "previous",
        "years": [],
        "declared": False,
        "value": None,
    }
    assert tree["sentiment"]["latest"] is True
    assert tree["delai"]["duration"] == {
        "aggregate": "within",
        "unit": "working_days",
        "event_type": "dossier",
        "field": "délai",
        "op": "<=",
        "limit": 10,
    }
    assert tree["duree"]["duration"]["aggregate"] == "average" and tree["duree"]["duration"]["unit"] == "days"
    for key in ("baseline", "units", "duration", "latest"):
        assert key not in tree["duree_max"] or key == "duration", key
