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
from indicateurs.render.common import Fact, details_text, format_percent, indicator_details, partial_lines
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
    assert facts["ecoles"] == [("units", "ecole ayant au moins 3 atelier : 6 sur 6")]
    assert facts["partenaires_actifs"] == [
        ("units", "partenaire ayant au moins 2 action : 3 sur 5 (en dessous : AMO Le Relais, Club sportif)")
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
    assert facts["ecoles"] == [("units", "ecole having at least 3 atelier: 6 of 6")]
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
    assert html.partial["depenses_exercice"][0].startswith(
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
