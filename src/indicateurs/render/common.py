"""What every report format shares: the words (French first, English second), numbers, dates,
targets, periods and rejection messages as an officer reads them.

User text (plan labels, event fields, file names) is never translated: it is shown as written.
"""

from __future__ import annotations

import datetime as dt
import re

from ..events import Rejection
from ..i18n import Lang, current_language
from ..results import IndicatorResult, NodeResult, PeriodResult, PlanResult, SourceReport, Status
from ..row_messages import ignored_label, row_message
from ..statuses import REASONS

# The statuses an indicator can have, in the order reports list them.
SUMMARY_ORDER: tuple[Status, ...] = (
    Status.MET,
    Status.NOT_MET,
    Status.IN_PROGRESS,
    Status.NO_DATA,
    Status.NOT_EVALUABLE,
    Status.MONITORED,
)

# Stable CSS-friendly names of the statuses (the JSON codes without accents or underscores).
STATUS_CLASS: dict[Status, str] = {
    Status.MET: "met",
    Status.NOT_MET: "not-met",
    Status.IN_PROGRESS: "in-progress",
    Status.NO_DATA: "no-data",
    Status.NOT_EVALUABLE: "not-evaluable",
    Status.MONITORED: "monitored",
    Status.NO_INDICATOR: "no-indicator",
}

_WORDS: dict[str, tuple[str, str]] = {
    "report": ("Rapport d'évaluation", "Evaluation report"),
    "untitled": ("Plan sans titre", "Untitled plan"),
    "commune": ("Commune", "Municipality"),
    "plan_file": ("Fichier du plan", "Plan file"),
    "period": ("Période", "Period"),
    "as_of": ("Date d'évaluation", "Evaluation date"),
    "evaluated_on": ("évaluation au", "evaluated on"),
    "sources": ("Sources de données", "Data sources"),
    "source": ("Source", "Source"),
    "no_source": ("Aucune source de données.", "No data source."),
    "read": ("lues", "read"),
    "used": ("utilisées", "used"),
    "ignored": ("ignorées", "ignored"),
    "rejected": ("rejetées", "rejected"),
    "Read": ("Lues", "Read"),
    "Used": ("Utilisées", "Used"),
    "Ignored": ("Ignorées", "Ignored"),
    "Rejected": ("Rejetées", "Rejected"),
    "total": ("Total", "Total"),
    "ignored_why": ("Lignes ignorées", "Ignored rows"),
    "summary": ("Résumé", "Summary"),
    "indicators": ("indicateurs", "indicators"),
    "Indicators": ("Indicateurs", "Indicators"),
    "indicator": ("Indicateur", "Indicator"),
    "target": ("Cible", "Target"),
    "value": ("Valeur", "Value"),
    "measured": ("Valeur mesurée", "Measured value"),
    "status": ("Statut", "Status"),
    "at_risk": ("en retard sur le rythme", "behind pace"),
    "evidence": ("Preuves", "Evidence"),
    "event": ("événement", "event"),
    "events": ("événements", "events"),
    "evidence_shown": ("{shown} premiers sur {count}", "first {shown} of {count}"),
    "no_evidence": ("Aucun événement retenu.", "No event counted."),
    "row": ("Ligne", "Row"),
    "id": ("Identifiant", "ID"),
    "date": ("Date", "Date"),
    "type": ("Type", "Type"),
    "rejections": ("Lignes rejetées", "Rejected rows"),
    "no_rejection": ("Aucune ligne rejetée.", "No row rejected."),
    "more_rejections": ("… et {n} autres lignes rejetées", "… and {n} more rejected rows"),
    "reason": ("Motif", "Reason"),
    "field": ("Champ", "Field"),
    "loose": ("Indicateurs hors arborescence", "Indicators outside the tree"),
    "note": ("Note", "Note"),
    "met_of": ("{met}/{total} atteints", "{met}/{total} met"),
    "no_indicator": ("aucun indicateur", "no indicator"),
    "chart_title": ("{wording} : valeur par période et cible", "{wording}: value per period and target"),
    "target_short": ("cible", "target"),
    "yes": ("Oui", "Yes"),
    "no": ("Non", "No"),
    "expression": ("Expression", "Expression"),
    "generated": ("Rapport produit par indicateurs", "Report produced by indicateurs"),
}

_REASONS: dict[str, str] = {
    "cible à définir": "target to be defined",
    "période pas encore commencée": "period not started yet",
    "valeur indéfinie (aucune valeur mesurée ou division par zéro)": (
        "undefined value (nothing measured, or a division by zero)"
    ),
}
_REASONS.update(REASONS)

_MONTHS_FR = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def resolve_lang(lang: str | None) -> Lang:
    """The language to render in: the one asked for, else the process's (French by default)."""
    if lang is None:
        return current_language()
    return "en" if lang.strip().lower().startswith("en") else "fr"


def word(key: str, lang: Lang, **args: object) -> str:
    """A piece of report text in `lang`, with `{placeholders}` filled from `args`."""
    fr, en = _WORDS[key]
    text = fr if lang == "fr" else en
    return text.format(**args) if args else text


def count_events(n: int, lang: Lang) -> str:
    """`0 événement`, `2 événements`; `0 events`, `1 event` (French counts 0 and 1 as singular)."""
    singular = n <= 1 if lang == "fr" else n == 1
    return f"{n} {word('event' if singular else 'events', lang)}"


def status_text(status: Status, lang: Lang) -> str:
    """Symbol and word, readable without colour: `✔ atteint`."""
    return f"{status.symbol} {status.label(lang)}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------- numbers and dates


def format_number(value: float, lang: Lang, decimals: int = 2) -> str:
    """`12`, `7,5` (French) or `7.5`; thousands grouped with a narrow space (fr) or a comma (en)."""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_date(date: dt.date, lang: Lang) -> str:
    return date.strftime("%d/%m/%Y") if lang == "fr" else date.isoformat()


def format_period(start: dt.date, end: dt.date, lang: Lang) -> str:
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def is_percent(ind: IndicatorResult) -> bool:
    """A share indicator: its value is a fraction, its target is written in percent."""
    if any(p.baseline is not None or p.direction is not None for p in ind.periods):
        return False  # a trend: its « 10 % » is the change asked for, not the unit of the values
    return ind.target is not None and "%" in ind.target


def format_value(value: float | bool | None, lang: Lang, *, percent: bool = False) -> str:
    """A measured value: `Oui`/`Non`, a number (in percent for shares), `—` when there is none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if percent:
        return format_number(value * 100, lang, 1) + "\u00a0%"
    return format_number(value, lang)


def indicator_value(ind: IndicatorResult, lang: Lang) -> str:
    return format_value(ind.value, lang, percent=is_percent(ind))


def period_value(ind: IndicatorResult, period: PeriodResult, lang: Lang) -> str:
    return format_value(period.value, lang, percent=is_percent(ind))


def value_with_unit(ind: IndicatorResult, lang: Lang) -> str:
    text = indicator_value(ind, lang)
    if ind.unit and ind.value is not None and not isinstance(ind.value, bool):
        return f"{text} {ind.unit}"
    return text


_TARGET_PERIODS = {
    "par an": "per year",
    "par semestre": "per semester",
    "par trimestre": "per quarter",
    "par mois": "per month",
}
_DECIMAL_COMMA = re.compile(r"(\d),(\d)")
_FR_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def target_label(ind: IndicatorResult, lang: Lang) -> str:
    """The target as the evaluator words it (French), translated for English reports."""
    if ind.target is None:
        return "—"
    text = ind.target
    if lang == "fr":
        return text
    for fr, en in _TARGET_PERIODS.items():
        text = text.replace(fr, en)
    text = re.sub(r"^Oui\b", "Yes", text)
    text = re.sub(r"^entre (\S+) et (\S+)", r"between \1 and \2", text)
    text = re.sub(r" avant le (\d{2})/(\d{2})/(\d{4})", r" by \3-\2-\1", text)
    return _DECIMAL_COMMA.sub(r"\1.\2", text)


def value_vs_target(ind: IndicatorResult, lang: Lang) -> str:
    """`12 / ≥ 10 par an`: the measured value against the target."""
    if ind.target is None:
        return indicator_value(ind, lang)
    return f"{indicator_value(ind, lang)} / {target_label(ind, lang)}"


_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")


def target_numbers(ind: IndicatorResult) -> tuple[float, ...]:
    """The numbers of a numeric target, in the unit of the values (fractions for percentages):
    one for `≥ 10 par an`, two for `entre 3 et 5`, none for `Oui` or no target."""
    if ind.target is None or ind.kind == "yes_no":
        return ()
    text = _FR_DATE.sub("", ind.target)
    numbers = [float(n.replace(",", ".")) for n in _NUMBER.findall(text)]
    if is_percent(ind):
        numbers = [n / 100 for n in numbers]
    return tuple(numbers[:2])


def period_label(label: str, lang: Lang, *, short: bool = False) -> str:
    """`2023-Q2` → `T2 2023` (fr) / `Q2 2023`; `2023-05` → `mai 2023`; `short`: without the year."""
    quarter = re.fullmatch(r"(\d{4})-Q(\d)", label)
    if quarter:
        name = ("T" if lang == "fr" else "Q") + quarter[2]
        return name if short else f"{name} {quarter[1]}"
    semester = re.fullmatch(r"(\d{4})-S(\d)", label)
    if semester:
        name = "S" + semester[2]
        return name if short else f"{name} {semester[1]}"
    month = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if month and 1 <= int(month[2]) <= 12:
        name = (_MONTHS_FR if lang == "fr" else _MONTHS_EN)[int(month[2]) - 1]
        return name if short else f"{name} {month[1]}"
    return label


def reason_text(reason: str | None, lang: Lang) -> str | None:
    """Why an indicator could not be judged (the evaluator words it in French)."""
    if reason is None or lang == "fr":
        return reason
    return _REASONS.get(reason, reason)


def projection_text(period: PeriodResult | None, lang: Lang) -> str | None:
    if period is None or period.projection is None:
        return None
    return period.projection.message(lang)


def current_projection(ind: IndicatorResult) -> PeriodResult | None:
    """The period in progress that carries a projection, if any (the latest one)."""
    for period in reversed(ind.periods):
        if period.status is Status.IN_PROGRESS and period.projection is not None:
            return period
    return None


# ---------------------------------------------------------------------------- plan tree


def node_heading(node: NodeResult) -> str:
    """`Objectif stratégique 1.1`: the level (as the plan names it) and the number."""
    level = capitalise(node.level)
    return f"{level} {node.number}" if node.number else level


def summary_counts(result: PlanResult) -> list[tuple[Status, int]]:
    counts = result.summary()
    return [(status, counts.get(status.value, 0)) for status in SUMMARY_ORDER]


# ---------------------------------------------------------------------------- rows


def ignored_reasons(source: SourceReport, lang: Lang) -> list[tuple[str, int]]:
    return [(ignored_label(code, lang), n) for code, n in source.ignored_reasons]


def colon(lang: Lang) -> str:
    """French puts a space before a colon, English does not."""
    return " : " if lang == "fr" else ": "


def source_counts(source: SourceReport, lang: Lang) -> str:
    """`lues : 8 · utilisées : 5 · ignorées : 1 · rejetées : 2` (no plural to agree)."""
    return " · ".join(
        f"{word(key, lang)}{colon(lang)}{n}"
        for key, n in (
            ("read", source.read),
            ("used", source.used),
            ("ignored", source.ignored),
            ("rejected", source.rejected),
        )
    )


_GUESS = re.compile(r"(?:vouliez-vous dire « (.+) » \?|did you mean '(.+)'\?)$")


def rejection_message(rejection: Rejection, lang: Lang) -> str:
    """The rejection's reason in `lang` (the evaluator words it in the language of its run)."""
    guess = _GUESS.search(rejection.message)
    fresh = row_message(
        rejection.code,
        lang,
        field=rejection.field,
        value=rejection.value,
        guess=(guess[1] or guess[2]) if guess else "",
    )
    if fresh == rejection.code:  # a code row_message does not know: keep the reader's words
        return rejection.message
    return fresh


def one_line(text: str) -> str:
    """User text on one line (values from data files may hold line breaks)."""
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text


def details_text(ind: IndicatorResult, lang: Lang) -> str | None:
    """What the latest judged period says beyond its value: the baseline, the change and its
    direction (trends), the units short of the count (shares of units), the reference values
    used. None when there is nothing of the kind."""
    fr = lang == "fr"
    period = next(
        (
            p
            for p in reversed(ind.periods)
            if p.status is not Status.NO_DATA
            and (p.baseline is not None or p.units is not None or p.references)
        ),
        None,
    )
    if period is None:
        return None
    parts: list[str] = []
    if period.baseline is not None:
        change = (
            ""
            if period.change is None
            else f"{'+' if period.change > 0 else ''}{format_number(period.change * 100, lang, 1)} %"
        )
        direction = {
            "baisse": ("en baisse", "down"),
            "hausse": ("en hausse", "up"),
            "stable": ("stable", "stable"),
        }
        words = direction.get(period.direction or "", ("", ""))[0 if fr else 1]
        reference = f"{'référence' if fr else 'baseline'} {format_number(period.baseline, lang)}"
        parts.append(", ".join(x for x in (reference, change, words) if x))
    if period.units is not None:
        units = period.units
        text = f"{units.met}/{units.total} {'unités au seuil' if fr else 'units meeting the count'}"
        if units.short:
            text += f" ({'en dessous' if fr else 'below'} : {', '.join(units.short)})"
        parts.append(text)
    for use in period.references:
        if use.value is not None:
            year = "" if use.year is None else f" ({use.year})"
            parts.append(f"{use.name}{year} = {format_number(use.value, lang)}")
    label = period_label(period.label, lang)
    return f"{label}{colon(lang)}" + " · ".join(parts)
