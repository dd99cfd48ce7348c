"""The three report formats, rendered from real evaluations of small hand-made records.

Molenbeek 2023 is evaluated twice: after the year (statuses met, not met, no data) and on
30/06/2023 (in progress, with projections). A small plan adds per-quarter and monthly
indicators, a monitored one, one to be defined (not evaluable) and a share in percent.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

import indicateurs
from indicateurs.render import render
from indicateurs.render.common import (
    STATUS_CLASS,
    format_number,
    period_label,
    rejection_message,
    status_text,
    target_label,
    value_vs_target,
)
from indicateurs.render.html import chart, render_html
from indicateurs.render.markdown import escape, render_markdown
from indicateurs.render.terminal import render_table
from indicateurs.results import PlanResult, Status
from indicateurs.sources import from_records

REPO = Path(__file__).resolve().parents[1]
MOLENBEEK = REPO / "plans" / "molenbeek-2023.plan"


def molenbeek_records() -> list[dict[str, Any]]:
    return [
        {"type": "espace_ecoute", "date": "2023-01-10", "lieu": "Maison de quartier"},
        {"type": "prise_en_charge", "date": "2023-02-01", "personne": "P1", "forme": "individuelle"},
        {"type": "prise_en_charge", "date": "2023-03-15", "personne": "P2", "forme": "familiale"},
        {"type": "prise_en_charge", "date": "2023-09-01", "personne": "P1", "forme": "individuelle"},
        {"type": "formation", "date": "2023-03-01", "participants": 4, "id": "F-1"},
        {"type": "formation", "date": "2023-04-01", "participants": 3, "id": "F-2"},
        {"type": "participation", "date": "2023-05-04", "catégorie": "colloque"},
        {"type": "constat", "date": "2023-06-01"},
        {"type": "concertation", "date": "2023-02-10", "instance": "groupe_autorités"},
        {"type": "concertation", "date": "2023-04-10", "instance": "groupe_autorités"},
        {"type": "concertation", "date": "2023-05-10", "instance": "groupe_autorités"},
        {"type": "concertation", "date": "2023-05-12", "instance": "csil"},
        {"type": "formation", "date": "2022-12-01", "participants": 2},  # ignored: before 2023
        {"type": "concertation", "date": "2023-05-12", "instance": "conseil"},  # rejected
        {"type": "formaton", "date": "2023-05-12"},  # rejected: unknown type
        {"type": "constat", "date": ""},  # rejected: no date
    ]


def evaluate_molenbeek(as_of: dt.date) -> PlanResult:
    return indicateurs.evaluate(MOLENBEEK, from_records(molenbeek_records(), "activites.csv"), as_of=as_of)


@pytest.fixture(scope="module")
def year_end() -> PlanResult:
    return evaluate_molenbeek(dt.date(2024, 1, 15))


@pytest.fixture(scope="module")
def mid_year() -> PlanResult:
    return evaluate_molenbeek(dt.date(2023, 6, 30))


RICH_PLAN = """\
plan « Plan d'essai des rapports »
commune « Essai-sur-Senne »
période 2023
niveaux « axe » > « objectif »

événement visite « Visite à domicile »
    n : entier
    aboutie : booléen optionnel

axe 1 « Visites »
  objectif 1.1 « Rythme des visites »
    indicateur visites « Visites : >/= 2 par trimestre »
      nombre(visite) >= 2 par trimestre
      unité « visites »
    indicateur volume « Volume mensuel (suivi) »
      suivi somme(visite.n) par mois
  objectif 1.2 « Qualité »
    indicateur part_aboutie « Part des visites abouties : >/= 60 % »
      part(visite où aboutie) >= 60 %
    indicateur flou « Cible à définir avec le SPF »
"""


@pytest.fixture(scope="module")
def rich_result(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    path = tmp_path_factory.mktemp("plans") / "essai.plan"
    path.write_text(RICH_PLAN, encoding="utf-8")
    records = [
        {"type": "visite", "date": "2023-01-05", "n": 3, "aboutie": "oui", "id": "V-1"},
        {"type": "visite", "date": "2023-02-05", "n": 3, "aboutie": "non", "id": "V-2"},
        {"type": "visite", "date": "2023-05-05", "n": 3, "aboutie": "oui", "id": "V-3"},
    ]
    return indicateurs.evaluate(path, from_records(records, "visites.csv"), as_of=dt.date(2023, 8, 15))


def statuses(result: PlanResult) -> dict[str, Status]:
    return {i.id: i.status for i in result.indicators}


def test_fixtures_cover_every_status(
    year_end: PlanResult, mid_year: PlanResult, rich_result: PlanResult
) -> None:
    seen = (
        set(statuses(year_end).values())
        | set(statuses(mid_year).values())
        | set(statuses(rich_result).values())
    )
    assert seen == {s for s in Status if s is not Status.NO_INDICATOR}
    assert statuses(year_end)["prises_en_charge"] is Status.NOT_MET
    assert statuses(year_end)["formations"] is Status.MET
    assert statuses(year_end)["expertise"] is Status.NO_DATA
    assert statuses(mid_year)["prises_en_charge"] is Status.IN_PROGRESS
    assert year_end.rejected == 3 and year_end.ignored == 1


# ---------------------------------------------------------------------------- shared helpers


def test_numbers_dates_and_targets_in_both_languages(year_end: PlanResult) -> None:
    assert format_number(7.0, "fr") == "7"
    assert format_number(2.5, "fr") == "2,5"
    assert format_number(2.5, "en") == "2.5"
    assert format_number(12345.678, "fr") == "12\u202f345,68"
    assert format_number(12345.678, "en") == "12,345.68"
    assert format_number(-0.0001, "fr") == "0"
    ind = year_end.indicator("prises_en_charge")
    assert value_vs_target(ind, "fr") == "2 / ≥ 10 par an"
    assert value_vs_target(ind, "en") == "2 / ≥ 10 per year"
    assert target_label(year_end.indicator("espace_ecoute"), "en") == "Yes"
    assert value_vs_target(year_end.indicator("espace_ecoute"), "fr") == "Oui / Oui"
    assert value_vs_target(year_end.indicator("expertise"), "fr") == "— / Oui"
    assert ind.target_lines == (10.0,)
    assert period_label("2023-Q2", "fr") == "T2 2023"
    assert period_label("2023-Q2", "en", short=True) == "Q2"
    assert period_label("2023-05", "fr") == "mai 2023"
    assert period_label("2023-S2", "en") == "S2 2023"
    assert period_label("2023", "fr") == "2023"


def test_percent_targets_and_values(rich_result: PlanResult) -> None:
    share = rich_result.indicator("part_aboutie")
    assert share.target_lines == (0.6,)
    assert value_vs_target(share, "fr") == "66,7\u00a0% / ≥ 60\u00a0%"  # 2 visits of 3
    assert value_vs_target(share, "en") == "66.7% / ≥ 60%"
    assert share.percent


def test_rejection_messages_follow_the_report_language(year_end: PlanResult) -> None:
    by_code = {r.code: r for r in year_end.rejections}
    assert rejection_message(by_code["type_inconnu"], "fr") == (
        "type d'activité inconnu « formaton » ; vouliez-vous dire « formation » ?"
    )
    assert (
        rejection_message(by_code["type_inconnu"], "en")
        == "unknown activity type 'formaton'; did you mean 'formation'?"
    )
    assert (
        rejection_message(by_code["valeur_hors_liste"], "en") == "value 'conseil' not allowed for 'instance'"
    )
    assert rejection_message(by_code["date_manquante"], "fr") == "date manquante"


# ---------------------------------------------------------------------------- terminal


def indicator_line(text: str, ident: str) -> str:
    lines = [line for line in text.splitlines() if re.search(rf"\b{ident} — ", line)]
    assert len(lines) == 1, (ident, lines)
    return lines[0]


def test_table_shows_every_status_in_words(year_end: PlanResult) -> None:
    text = render_table(year_end, color=False)
    for ind in year_end.indicators:
        line = indicator_line(text, ind.id)
        assert line.lstrip().startswith(status_text(ind.status, "fr")), line
    assert "✘ non atteint" in text and "✔ atteint" in text and "∅ sans données" in text
    assert "\x1b[" not in text


def test_table_values_targets_and_accounting(year_end: PlanResult) -> None:
    text = render_table(year_end, color=False)
    lines = text.splitlines()
    assert lines[0].startswith("Contrat de sécurité et de société")
    assert "Commune : Molenbeek-Saint-Jean" in lines
    assert "Période : 01/01/2023 – 31/12/2023 · évaluation au 15/01/2024" in lines
    after = lines[lines.index(indicator_line(text, "prises_en_charge")) + 1]
    assert after.strip() == "2 / ≥ 10 par an"
    summary = year_end.summary()
    assert f"✔ atteint {summary['atteint']}" in text
    assert f"✘ non atteint {summary['non_atteint']}" in text
    assert "activites.csv" in text
    assert f"lues : {year_end.read} · utilisées : {year_end.used} · ignorées : 1 · rejetées : 3" in text
    assert "ignorées : date hors de la période évaluée (1)" in text
    assert "Lignes rejetées (3)" in text
    for rejection in year_end.rejections:
        assert f"activites.csv:{rejection.row}  " in text
    assert "activites.csv:16  date manquante" in text
    # Sector 2 has no indicator but its notes are shown.
    assert "Secteur d'activité 2 — Versement" in text
    assert "Note : Matière traitée par la zone de police" in text


def test_table_projection_for_indicators_in_progress(mid_year: PlanResult) -> None:
    text = render_table(mid_year, color=False)
    line = indicator_line(text, "prises_en_charge")
    assert "◔ en cours" in line
    block = text[text.index(line) :].splitlines()
    assert block[1].strip() == "2 / ≥ 10 par an"
    projection = mid_year.indicator("prises_en_charge").periods[-1].projection
    assert projection is not None
    assert block[2].strip().startswith("→ encore 8 prises en charge d'ici le 31/12/2023")
    assert "(en retard sur le rythme)" in " ".join(block[2:4])


def test_table_per_period_values(rich_result: PlanResult) -> None:
    text = render_table(rich_result, color=False)
    line = indicator_line(text, "visites")
    block = text[text.index(line) :].splitlines()
    assert block[1].strip() == "Cible : ≥ 2 par trimestre"
    assert block[2].strip() == "T1 2023 ✔ 2 · T2 2023 ✘ 1 · T3 2023 ◔ 0"
    assert block[3].strip().startswith("→ T3 2023 : encore 2 visites")
    assert "≈ suivi" in indicator_line(text, "volume")
    assert "janv. 2023 ≈ 6" not in text and "janv. 2023 ≈ 3" in text
    flou = text[text.index(indicator_line(text, "flou")) :].splitlines()
    assert flou[0].lstrip().startswith("? non évaluable")
    assert "cible à définir" in flou[2]


def test_table_in_english(mid_year: PlanResult) -> None:
    text = render_table(mid_year, lang="en", color=False)
    assert "Summary: ✔ met" in text
    assert "◔ in progress" in indicator_line(text, "prises_en_charge")
    assert "2 / ≥ 10 per year" in text
    assert "8 more prises en charge needed by" in text
    assert "Municipality: Molenbeek-Saint-Jean" in text
    assert "read: 16 · used: 11 · ignored: 2 · rejected: 3" in text
    assert "ignored: date after the evaluation date (1)" in text
    assert "unknown activity type 'formaton'; did you mean 'formation'?" in text
    assert "Rejected rows (3)" in text


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_table_fits_the_width(year_end: PlanResult, width: int) -> None:
    text = render_table(year_end, color=False, width=width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert "…" in text  # long labels are cut, not wrapped into the next column


def test_table_without_colour_is_stable(year_end: PlanResult, monkeypatch: pytest.MonkeyPatch) -> None:
    first = render_table(year_end, color=False)
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert render_table(year_end, color=False) == first
    assert max(cell_len(line) for line in first.splitlines()) <= 100


def test_table_with_colour(year_end: PlanResult) -> None:
    text = render_table(year_end, color=True, width=100)
    assert "\x1b[" in text
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert plain == render_table(year_end, color=False, width=100)


def test_table_caps_the_rejections(year_end: PlanResult) -> None:
    text = render_table(year_end, color=False, max_rejections=1)
    assert "… et 2 autres lignes rejetées" in text


# ---------------------------------------------------------------------------- markdown

_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def md_tables(text: str) -> list[list[list[str]]]:
    """Every GFM table: a list of rows (header first, rule dropped), each a list of cells."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in _CELL_SPLIT.split(line)[1:-1]]
            if current is None:
                current = []
                tables.append(current)
            if not all(re.fullmatch(r"-+:?", c) for c in cells):
                current.append(cells)
        else:
            current = None
    return tables


def test_markdown_header_summary_and_sources(year_end: PlanResult) -> None:
    text = render_markdown(year_end)
    lines = text.splitlines()
    assert lines[0] == (
        "# Contrat de sécurité et de société — plan de projet 2023 — allocation terrorisme et "
        "extrémisme (art. 2)"
    )
    assert "- **Commune** : Molenbeek-Saint-Jean" in lines
    assert "- **Période** : 01/01/2023 – 31/12/2023" in lines
    assert "- **Date d'évaluation** : 15/01/2024" in lines
    tables = md_tables(text)
    sources = tables[0]
    assert sources[0] == ["Source", "Lues", "Utilisées", "Ignorées", "Rejetées"]
    assert sources[1] == ["activites.csv", "16", "12", "1", "3"]
    assert "- activites.csv : date hors de la période évaluée (1)" in lines
    summary = {row[0]: row[1] for row in tables[1][1:]}
    for status in Status:
        if status is not Status.NO_INDICATOR:
            assert summary[status_text(status, "fr")] == str(year_end.summary()[status.value])
    assert summary["**Total**"] == f"**{len(year_end.indicators)}**"


def test_markdown_one_table_row_per_indicator(year_end: PlanResult) -> None:
    text = render_markdown(year_end)
    tables = [t for t in md_tables(text) if t[0] == ["Indicateur", "Cible", "Valeur", "Statut"]]
    rows = [row for t in tables for row in t[1:]]
    assert len(rows) == len(year_end.indicators) == 13
    assert all(len(row) == 4 for row in rows)
    by_id = {re.search(r"`(\w+)`", row[0])[1]: row for row in rows}  # type: ignore[index]
    assert by_id["prises_en_charge"][1:] == ["≥ 10 par an", "2 prises en charge", "✘ non atteint"]
    assert by_id["espace_ecoute"][1:] == ["Oui", "Oui", "✔ atteint"]
    assert by_id["expertise"][3] == "∅ sans données"
    # One table per node holding indicators; the headings follow the tree.
    assert (
        "## Secteur d'activité 1 — Projets de sécurité et/ou socio-préventifs communaux (5/13 atteints)"
        in text
    )
    assert text.count("\n## Secteur d'activité ") == 2
    assert "###### Objectif opérationnel 1.1.2 — Assurer le suivi" in text
    assert "**Résultat attendu — Prise en charge effective des individus touchés par la problématique" in text
    rejections = md_tables(text)[-1]
    assert rejections[0] == ["Source", "Ligne", "Motif", "Champ", "Valeur"]
    assert len(rejections) - 1 == len(year_end.rejections)


def test_markdown_projection_and_periods(mid_year: PlanResult, rich_result: PlanResult) -> None:
    text = render_markdown(mid_year)
    row = next(line for line in text.splitlines() if "`prises_en_charge`" in line)
    assert "◔ en cours <br>→ encore 8 prises en charge d'ici le 31/12/2023" in row
    rich = render_markdown(rich_result, lang="en")
    row = next(line for line in rich.splitlines() if "`visites`" in line)
    assert "Q1 2023: 2 ✔ · Q2 2023: 1 ✘ · Q3 2023: 0 ◔" in row
    assert "✘ not met <br>→ Q3 2023: 2 more visites needed by" in row
    row = next(line for line in rich.splitlines() if "`flou`" in line)
    assert "? not evaluable <br>target to be defined" in row


def test_markdown_escapes_user_text() -> None:
    assert escape("a | b") == "a \\| b"
    assert escape("*gras* _x_ `c` [l](u) <b> #1 ~s~ a&b") == (
        "\\*gras\\* \\_x\\_ \\`c\\` \\[l\\](u) \\<b\\> \\#1 \\~s\\~ a&amp;b"
    )
    assert escape("deux\nlignes") == "deux lignes"


def test_markdown_pipe_in_a_label_does_not_break_the_table(hostile: PlanResult) -> None:
    text = render_markdown(hostile)
    for table in md_tables(text):
        widths = {len(row) for row in table}
        assert len(widths) == 1, table
    rows = next(t for t in md_tables(text) if t[0][0] == "Indicateur")
    assert len(rows) == 1 + len(hostile.indicators)
    assert not re.search(r"(?<!\\)<(?!br>)", text)  # every < of user text is escaped


def test_markdown_parses_as_intended(year_end: PlanResult, hostile: PlanResult) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    html = md.render(render_markdown(year_end))
    assert html.count("<table>") == len(md_tables(render_markdown(year_end)))
    assert html.count("<tr>") == sum(len(t) for t in md_tables(render_markdown(year_end)))
    hostile_html = md.render(render_markdown(hostile))
    assert "<script" not in hostile_html and "<img" not in hostile_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "*étoile* _souligné_ `code` [lien](javascript:alert(7))" in hostile_html
    assert "<a " not in hostile_html and "<code>code</code>" not in hostile_html


# ---------------------------------------------------------------------------- html

HOSTILE_PLAN = """\
plan « Plan <script>alert(1)</script> | test »
commune « Ville " onmouseover="alert(2) »
période 2023
niveaux « secteur » > « objectif »

événement visite « Visite <b>gras</b> »
    n : entier

secteur 1 « Secteur <script>alert(3)</script> | pipe »
  note « Note ' onclick='alert(6) »
  objectif 1.1 « Objectif *étoile* _souligné_ `code` [lien](javascript:alert(7)) »
    indicateur visites « Visites <img src=x onerror=alert(4)> | x " onmouseover="alert(8) »
      nombre(visite) >= 2 par trimestre
      unité « visites <i>"</i> »
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    path = tmp_path_factory.mktemp("plans") / "hostile.plan"
    path.write_text(HOSTILE_PLAN, encoding="utf-8")
    records = [
        {"type": "visite", "date": "2023-01-05", "n": 1, "id": "<script>alert(9)</script>"},
        {"type": "visite", "date": "2023-02-05", "n": "<script>alert(10)</script>"},
    ]
    return indicateurs.evaluate(
        path, from_records(records, 'src"><script>alert(11)</script>.csv'), as_of=dt.date(2023, 5, 1)
    )


class Page(HTMLParser):
    """The parts of a report page the tests look at, read with the standard library's parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.texts: list[tuple[str, dict[str, str | None], str]] = []  # closed elements with their text
        self.all_text: list[str] = []
        self.scripts = 0

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "line", "rect"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self.scripts += 1
        if tag not in self.VOID:
            self.stack.append((tag, attributes, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.stack:
            open_tag, attributes, parts = self.stack.pop()
            text = "".join(parts)
            self.texts.append((open_tag, attributes, text))
            if self.stack:
                self.stack[-1][2].append(text)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.all_text.append(data)
        if self.stack:
            self.stack[-1][2].append(data)

    def with_class(self, css: str, tag: str | None = None) -> list[tuple[str, dict[str, str | None], str]]:
        return [
            (t, a, x)
            for t, a, x in self.texts
            if css in (a.get("class") or "").split() and (tag is None or t == tag)
        ]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_html_is_self_contained(year_end: PlanResult) -> None:
    html = render_html(year_end)
    assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
    lowered = html.lower()
    for needle in (
        'src="http',
        "<link",
        "<script",
        "url(",
        "@import",
        "http://",
        "https://",
        "<iframe",
        "<img",
    ):
        assert needle not in lowered, needle
    page = parse(html)
    assert page.scripts == 0
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert not [a for _, a in page.tags if "src" in a or "href" in a]
    assert "<style>" in html and "@page" in html and "size: A4" in html
    assert "break-before: page" in html


def test_html_shows_every_indicator(year_end: PlanResult) -> None:
    page = parse(render_html(year_end))
    articles = {a["data-indicator"]: (a, text) for _, a, text in page.with_class("indicator", "article")}
    assert set(articles) == {i.id for i in year_end.indicators}
    for ind in year_end.indicators:
        attributes, text = articles[ind.id]
        assert ind.wording is not None and ind.wording in text
        assert ind.id in text
        assert status_text(ind.status, "fr") in text
        assert f"status-{STATUS_CLASS[ind.status]}" in (attributes.get("class") or "").split()
    values = {x[2] for x in page.with_class("value", "dd")}
    assert "2 prises en charge" in values and "7 personnes formées" in values and "Oui" in values
    targets = [x[2] for x in page.with_class("target", "dd")]
    assert targets.count("≥ 10 par an") == 2 and targets.count("Oui") == 5


def test_html_summary_matches_the_result(year_end: PlanResult, mid_year: PlanResult) -> None:
    for result in (year_end, mid_year):
        page = parse(render_html(result))
        cards = page.with_class("card", "li")
        counts = {a["data-status"]: int(re.search(r"\d+", text)[0]) for _, a, text in cards}  # type: ignore[index]
        assert counts == result.summary()
        labels = [text for _, _, text in page.with_class("badge", "span")]
        assert labels and all(re.fullmatch(r"\S \w[\w ]*", t.strip()) for t in labels), labels


def test_html_badges_have_words(year_end: PlanResult) -> None:
    page = parse(render_html(year_end))
    words = {status_text(s, "fr") for s in Status}
    badges = page.with_class("badge", "span")
    assert len(badges) == 6 + len(year_end.indicators)
    assert all(text.strip() in words for _, _, text in badges)


def test_html_header_sources_and_rejections(year_end: PlanResult) -> None:
    page = parse(render_html(year_end))
    text = "".join(page.all_text)
    for fact in ("Molenbeek-Saint-Jean", "01/01/2023 – 31/12/2023", "15/01/2024", str(MOLENBEEK)):
        assert fact in text
    (source_row,) = page.with_class("source", "tr")
    numbers = [text for tag, a, text in page.texts if tag == "td" and a.get("class") == "num"]
    assert numbers[:4] == ["16", "12", "1", "3"]
    assert "ignorées : date hors de la période évaluée (1)" in source_row[2]
    table = [t for t in page.texts if t[0] == "table" and "rejection-rows" in (t[1].get("class") or "")]
    assert len(table) == 1
    rows = [t for t in page.texts if t[0] == "tr"]
    rejection_rows = [
        r for r in rows if "activites.csv" in r[2] and "Ligne" not in r[2] and "lues" not in r[2]
    ]
    assert (
        len(
            [r for r in rejection_rows if "formaton" in r[2] or "conseil" in r[2] or "date manquante" in r[2]]
        )
        == 3
    )


def test_html_evidence_is_collapsible(year_end: PlanResult) -> None:
    page = parse(render_html(year_end))
    details = [t for t in page.texts if t[0] == "details"]
    assert len(details) == len(year_end.indicators)
    assert all(not a.get("open") for _, a, _ in details)
    formations = next(t for t in details if "F-1" in t[2])
    assert "Preuves : 2 événements" in formations[2]
    assert "01/03/2023" in formations[2] and "activites.csv" in formations[2]
    assert "nombre(formation) >= 2 par an" in formations[2]


def test_html_charts(year_end: PlanResult, rich_result: PlanResult) -> None:
    page = parse(render_html(year_end))
    svgs = [t for t in page.tags if t[0] == "svg"]
    numeric = [
        i for i in year_end.indicators if i.kind != "yes_no" and any(p.value is not None for p in i.periods)
    ]
    assert len(svgs) == len(numeric) > 0
    assert all(a.get("role") == "img" and a.get("aria-label") for _, a in svgs)
    lines = [a for t, a in page.tags if t == "line" and a.get("class") == "target"]
    assert len(lines) == len(numeric)
    # The quarterly indicator: three bars, the target line at the height of a bar worth 2.
    visites = chart(rich_result.indicator("visites"), "fr")
    assert visites is not None
    assert [b.value for b in visites.bars] == ["2", "1", "0"]
    assert [b.label for b in visites.bars] == ["T1", "T2", "T3"]
    assert [b.css for b in visites.bars] == ["met", "not-met", "in-progress"]
    (target,) = visites.targets
    assert target.label == "cible 2"
    assert visites.bars[0].y == pytest.approx(target.y)
    assert visites.bars[1].height == pytest.approx(visites.bars[0].height / 2)
    share = chart(rich_result.indicator("part_aboutie"), "en")
    assert share is not None and share.targets[0].label == "target 60%"
    share_fr = chart(rich_result.indicator("part_aboutie"), "fr")
    assert share_fr is not None and share_fr.targets[0].label == "cible 60\u00a0%"
    assert [b.value for b in share_fr.bars] == ["66,7\u00a0%"]
    assert chart(year_end.indicator("espace_ecoute"), "fr") is None  # yes/no: no chart
    assert chart(year_end.indicator("projets"), "fr") is None  # no value at all


def test_html_projection_and_periods(mid_year: PlanResult, rich_result: PlanResult) -> None:
    page = parse(render_html(mid_year))
    projections = page.with_class("projection", "p")
    in_progress = [i for i in mid_year.indicators if i.status is Status.IN_PROGRESS]
    assert len(projections) == len(in_progress) > 0
    assert any("encore 8 prises en charge d'ici le 31/12/2023" in t for _, _, t in projections)
    rich = parse(render_html(rich_result, lang="en"))
    periods = [t for t in rich.texts if t[0] == "table" and t[1].get("class") == "periods"]
    assert len(periods) == 2  # the quarterly and the monthly indicator
    assert "Q1 2023" in periods[0][2] and "✘ not met" in periods[0][2]
    assert any("target to be defined" in t for _, _, t in rich.with_class("reason", "p"))


def test_html_in_english(year_end: PlanResult) -> None:
    html = render_html(year_end, lang="en")
    assert '<html lang="en">' in html
    page = parse(html)
    text = "".join(page.all_text)
    assert "Summary" in text and "Evaluation date" in text and "2024-01-15" in text
    assert "✘ not met" in text and "Evidence: 2 events" in text
    assert "≥ 10 per year" in text


def test_html_labels_are_inert(hostile: PlanResult) -> None:
    html = render_html(hostile)
    assert "<script" not in html.lower()
    assert "<img" not in html and "<b>" not in html and "<i>" not in html
    page = parse(html)
    assert page.scripts == 0
    for tag, attributes in page.tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert "href" not in attributes and "src" not in attributes
    text = "".join(page.all_text)
    assert "Plan <script>alert(1)</script> | test" in text
    assert 'Ville " onmouseover="alert(2)' in text
    assert 'Visites <img src=x onerror=alert(4)> | x " onmouseover="alert(8)' in text
    assert "<script>alert(9)</script>" in text  # an event id, in the evidence
    assert 'src"><script>alert(11)</script>.csv' in text  # a source name
    assert "Note ' onclick='alert(6)" in text
    # Attributes built from user text stay attributes: the chart's label is one attribute.
    labels = [a["aria-label"] for t, a in page.tags if t == "svg"]
    assert labels and all('" onmouseover="alert(8)' in (label or "") for label in labels)


@pytest.mark.parametrize("fmt", ["html", "markdown", "table"])
def test_render_dispatch(year_end: PlanResult, fmt: str) -> None:
    text = render(year_end, fmt, lang="en", color=False)  # type: ignore[arg-type]
    assert "Molenbeek-Saint-Jean" in text
    with pytest.raises(ValueError, match="unknown report format"):
        render(year_end, "pdf", lang="fr")  # type: ignore[arg-type]


def test_a_plan_without_sources_or_rejections(tmp_path: Path) -> None:
    path = tmp_path / "vide.plan"
    path.write_text(
        "plan « Vide »\npériode 2023\nniveaux « axe »\névénement e « E »\naxe « A »\n"
        "  indicateur i « I »\n    existe(e)\n",
        encoding="utf-8",
    )
    result = indicateurs.evaluate(path, [], as_of=dt.date(2023, 3, 1))
    assert "Aucune ligne rejetée." in render_table(result, color=False)
    assert "Aucune ligne rejetée." in render_markdown(result)
    html = render_html(result)
    assert "Aucune ligne rejetée." in html and "Aucun événement retenu." in html


def test_templates_ship_inside_the_package() -> None:
    from importlib.resources import files

    templates = files("indicateurs.render") / "templates"
    assert (templates / "rapport.html.j2").is_file()
    assert (templates / "rapport.css").is_file()
    css = (templates / "rapport.css").read_text(encoding="utf-8")
    assert "{#" not in css and "{{" not in css and "{%" not in css  # included raw by Jinja


def test_between_target_and_indicators_outside_the_tree(tmp_path: Path) -> None:
    path = tmp_path / "libre.plan"
    path.write_text(
        "plan « Libre »\npériode 2023\névénement e « E »\nindicateur i « Entre 3 et 5 par semestre »\n"
        "  nombre(e) entre 3 et 5 par semestre\n",
        encoding="utf-8",
    )
    records = [{"type": "e", "date": "2023-02-01"}] * 4
    result = indicateurs.evaluate(path, records, as_of=dt.date(2023, 12, 31))
    (ind,) = result.loose
    assert target_label(ind, "en") == "between 3 and 5 per semester"
    drawn = chart(ind, "fr")
    assert drawn is not None and drawn.band is not None
    assert [t.label for t in drawn.targets] == ["cible 3", "cible 5"]
    assert drawn.band == (drawn.targets[1].y, drawn.targets[0].y)
    table = render_table(result, color=False)
    assert "Indicateurs hors arborescence\n  ✘ non atteint" in table
    assert "S1 2023 ✔ 4 · S2 2023 ✘ 0" in table
    markdown = render_markdown(result, lang="en")
    assert "## Indicators outside the tree" in markdown
    assert "| Entre 3 et 5 par semestre <br>`i` | between 3 and 5 per semester |" in markdown
    page = parse(render_html(result))
    assert [a["data-indicator"] for _, a, _ in page.with_class("indicator", "article")] == ["i"]
    assert any(a.get("class") == "band" for t, a in page.tags if t == "rect")
