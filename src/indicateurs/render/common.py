"""What every report format shares: the words (French first, English second), numbers, dates,
targets, periods and rejection messages as an officer reads them.

User text (plan labels, event fields, file names) is never translated: it is shown as written.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from ..events import Rejection
from ..i18n import Lang, current_language
from ..results import (
    IndicatorResult,
    NodeResult,
    PeriodResult,
    PlanResult,
    SourceReport,
    Status,
    days_text,
    format_number,
    percent_sign,
)
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
    # the detail line of an indicator (the facts beyond its value, see `indicator_details`)
    "details": ("Détails", "Details"),
    "latest_measure": ("dernière mesure{sep}{value} le {date}", "latest measurement{sep}{value} on {date}"),
    "vs_year": ("par rapport à {years}", "vs {years}"),
    "vs_average": ("par rapport à la moyenne {years}", "vs the average of {years}"),
    "vs_previous": ("par rapport à {period}", "vs {period}"),
    "computed": ("calculée", "computed"),
    "declared": ("déclarée", "declared"),
    "previous_period": ("période précédente", "previous period"),
    "baisse": ("en baisse", "down"),
    "hausse": ("en hausse", "up"),
    "stable": ("stable", "stable"),
    "units_met": (
        "{unit} ayant {threshold}{sep}{met} sur {total}",
        "{unit} having {threshold}{sep}{met} of {total}",
    ),
    "units_short": ("en dessous{sep}{names}", "below{sep}{names}"),
    "within": ("{what}{sep}{n} sur {total}", "{what}{sep}{n} of {total}"),
    "within_count": ("{what}{sep}{n}", "{what}{sep}{n}"),
    "average_duration": ("durée moyenne{sep}{value}", "average duration{sep}{value}"),
    "min_duration": ("durée la plus courte{sep}{value}", "shortest duration{sep}{value}"),
    "max_duration": ("durée la plus longue{sep}{value}", "longest duration{sep}{value}"),
    "total_duration": ("durée totale{sep}{value}", "total duration{sep}{value}"),
    "latest_duration": ("dernière durée{sep}{value}", "latest duration{sep}{value}"),
    "units": ("unités au seuil", "units meeting the count"),
    "where": ("où", "where"),
    "partial": (
        "période partielle{sep}du {start} au {end} ({days} jours sur {of}), non jugée",
        "partial period{sep}{start} to {end} ({days} days of {of}), not judged",
    ),
    "partial_monitored": (  # a monitored indicator is never judged: no need to say so
        "période partielle{sep}du {start} au {end} ({days} jours sur {of})",
        "partial period{sep}{start} to {end} ({days} days of {of})",
    ),
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

# `format_number` and `percent_sign` (imported above) live in `results`: the evaluator words
# targets with them.


def format_date(date: dt.date, lang: Lang) -> str:
    return date.strftime("%d/%m/%Y") if lang == "fr" else date.isoformat()


def format_period(start: dt.date, end: dt.date, lang: Lang) -> str:
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def format_percent(fraction: float, lang: Lang, *, signed: bool = False) -> str:
    """A fraction in percent: `66,5 %` (French, with a no-break space) or `66.5%`; `signed`
    writes a `+` before an increase (changes from a baseline)."""
    text = format_number(fraction * 100, lang, 1)
    if signed and not text.startswith("-") and text != "0":
        text = "+" + text
    return text + percent_sign(lang)


def format_value(value: float | bool | None, lang: Lang, *, percent: bool = False) -> str:
    """A measured value: `Oui`/`Non`, a number (in percent for shares), `—` when there is none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if percent:
        return format_percent(value, lang)
    return format_number(value, lang)


def indicator_value(ind: IndicatorResult, lang: Lang) -> str:
    return format_value(ind.value, lang, percent=ind.percent)


def period_value(ind: IndicatorResult, period: PeriodResult, lang: Lang) -> str:
    return format_value(period.value, lang, percent=ind.percent)


def value_with_unit(ind: IndicatorResult, lang: Lang) -> str:
    text = indicator_value(ind, lang)
    if ind.unit and ind.value is not None and not isinstance(ind.value, bool):
        return f"{text} {ind.unit}"
    return text


def target_label(ind: IndicatorResult, lang: Lang) -> str:
    """The target as the evaluator words it in the report's language, numbers written as that
    language writes them (`≥ 80 %`, `entre 380 000 et 460 000`, `≥ 80%`): see `target_text`."""
    text = ind.target if lang == "fr" else ind.target_en or ind.target
    return "—" if text is None else text


def value_vs_target(ind: IndicatorResult, lang: Lang) -> str:
    """`12 / ≥ 10 par an`: the measured value against the target."""
    if ind.target is None:
        return indicator_value(ind, lang)
    return f"{indicator_value(ind, lang)} / {target_label(ind, lang)}"


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


def node_status_text(node: NodeResult, lang: Lang) -> str:
    """`✘ 2/4 atteints`, `≈ suivi` or `· aucun indicateur`: a node's bilan, in every format."""
    if node.total:
        tail = word("met_of", lang, met=node.met, total=node.total)
    elif node.status is Status.MONITORED:
        tail = Status.MONITORED.label(lang)
    else:
        tail = word("no_indicator", lang)
    return f"{node.status.symbol} {tail}"


def projection_line(ind: IndicatorResult, lang: Lang, *, risk: bool = True) -> str | None:
    """Where an indicator in progress is heading, named by its period when it has several, and
    (`risk`) whether it is behind pace: `T3 2023 : encore 5 … (en retard sur le rythme)`."""
    current = current_projection(ind)
    projection = projection_text(current, lang)
    if current is None or not projection:
        return None
    when = f"{period_label(current.label, lang)}{colon(lang)}" if len(ind.periods) > 1 else ""
    behind = f" ({word('at_risk', lang)})" if risk and ind.at_risk else ""
    return f"{when}{projection}{behind}"


# ---------------------------------------------------------------------------- the detail line


@attrs.frozen
class Fact:
    """One fact of an indicator's detail line. `kind` names it for styles and tests: `latest`
    (the latest measurement), `baseline` (a trend's baseline, change and direction), `units`
    (a share of units), `duration`, `reference` (a reference value used), `partial`."""

    kind: str
    text: str


@attrs.frozen
class Details:
    """What an indicator's latest judged period says beyond its value, in the report's
    language: the one source of the detail line of the three report formats."""

    period: str  # the period's label as reports show it: `2024`, `S2 2024`, `2023-2024`
    facts: tuple[Fact, ...]

    def text(self, lang: Lang) -> str:
        return f"{self.period}{colon(lang)}" + " · ".join(f.text for f in self.facts)


def details_text(ind: IndicatorResult, lang: Lang) -> str | None:
    """The detail line as text (terminal, Markdown); None when there is nothing to say."""
    details = indicator_details(ind, lang)
    return None if details is None else details.text(lang)


def indicator_details(ind: IndicatorResult, lang: Lang) -> Details | None:
    """The facts of the latest period with data: its latest measurement and its date, its
    baseline (the period it comes from, computed or declared), change and direction, its
    units at the count, its duration figures, the reference values it used."""
    with_data = [(i, p) for i, p in enumerate(ind.periods) if p.status is not Status.NO_DATA]
    judged = [(i, p) for i, p in with_data if p.partial is None]  # a cut period is not judged
    if not with_data:
        return None
    index, period = (judged or with_data)[-1]
    percent = ind.percent
    facts = [
        fact
        for fact in (
            _latest_fact(ind, period, lang, percent),
            _baseline_fact(ind, index, lang, percent),
            _units_fact(ind, period, lang),
            _duration_fact(ind, period, lang),
        )
        if fact is not None
    ]
    for use in period.references:
        if use.value is not None:
            year = "" if use.year is None else f" ({use.year})"
            facts.append(Fact("reference", f"{use.name}{year} = {format_number(use.value, lang)}"))
    if not facts:
        return None
    return Details(period_label(period.label, lang), tuple(facts))


def _latest_fact(ind: IndicatorResult, period: PeriodResult, lang: Lang, percent: bool) -> Fact | None:
    """`dernière mesure : 67 % le 15/05/2023`, for an indicator on the latest measurement."""
    if not ind.latest:
        return None
    if period.value is None or isinstance(period.value, bool) or not period.evidence.items:
        return None
    when = max(item.date for item in period.evidence.items)
    value = format_value(period.value, lang, percent=percent)
    return Fact(
        "latest", word("latest_measure", lang, sep=colon(lang), value=value, date=format_date(when, lang))
    )


def _baseline_fact(ind: IndicatorResult, index: int, lang: Lang, percent: bool) -> Fact | None:
    """`par rapport à 2019 (128, calculée) : -7,8 %, en baisse`: the baseline, where it comes
    from (a year, an average of years, the previous period; computed from the events or
    declared in the plan), the change and the direction."""
    period = ind.periods[index]
    info = ind.baseline
    if info is None or period.baseline is None:
        return None
    value = format_value(period.baseline, lang, percent=percent)
    if info.kind in ("year", "average") and info.years:
        first, last = info.years[0], info.years[-1]
        years = str(first) if first == last else f"{first}-{last}"
        what = word("vs_year" if info.kind == "year" else "vs_average", lang, years=years)
        how = word("computed" if info.declared is None else "declared", lang)
        head = f"{what} ({value}, {how})"
    else:
        previous = period_label(ind.periods[index - 1].label, lang) if index > 0 else None
        head = f"{word('vs_previous', lang, period=previous or word('previous_period', lang))} ({value})"
    change = [] if period.change is None else [format_percent(period.change, lang, signed=True)]
    direction = [word(period.direction, lang)] if period.direction in ("baisse", "hausse", "stable") else []
    tail = ", ".join(change + direction)
    return Fact("baseline", f"{head}{colon(lang)}{tail}" if tail else head)


# How a unit's events compare with the count: `au moins 3`, `plus de 3`, `≠ 3`.
_COUNT_WORDS: dict[str, tuple[str, str]] = {
    ">=": ("au moins", "at least"),
    "<=": ("au plus", "at most"),
    ">": ("plus de", "more than"),
    "<": ("moins de", "fewer than"),
    "=": ("exactement", "exactly"),
    "!=": ("≠", "≠"),
}


def _quoted(label: str, lang: Lang) -> str:
    return f"« {label} »" if lang == "fr" else f"'{label}'"


def _units_fact(ind: IndicatorResult, period: PeriodResult, lang: Lang) -> Fact | None:
    """`ecole ayant au moins 3 « Atelier de prévention en classe » : 3 sur 6 (en dessous :
    Athénée royal, …)`: the plan's labels when it declares them, its identifiers otherwise."""
    units = period.units
    if units is None:
        return None
    sep = colon(lang)
    rule = ind.units
    if rule is not None:
        fr, en = _COUNT_WORDS.get(rule.op, (rule.op, rule.op))
        events = _quoted(rule.event_label, lang) if rule.event_label else rule.event_type
        threshold = f"{fr if lang == 'fr' else en} {format_number(rule.threshold, lang)} {events}"
        condition = rule.condition(lang)
        if condition:
            threshold += f" {word('where', lang)} {condition}"
        text = word(
            "units_met",
            lang,
            unit=rule.unit_label or rule.field,
            threshold=threshold,
            sep=sep,
            met=units.met,
            total=units.total,
        )
    else:
        text = word("within", lang, what=word("units", lang), sep=sep, n=units.met, total=units.total)
    if units.short:
        text += f" ({word('units_short', lang, sep=sep, names=', '.join(units.short))})"
    return Fact("units", text)


_OPS = {"<=": "≤", ">=": "≥", "!=": "≠"}


def _days(n: float, unit: str, lang: Lang) -> str:
    """`1,54 jour`, `21 jours ouvrables`, `2 working days`: a number of days, agreed."""
    return days_text(n, unit, lang, format_number(n, lang))


def _duration_fact(ind: IndicatorResult, period: PeriodResult, lang: Lang) -> Fact | None:
    """`durée moyenne : 1,54 jour`; `dossier où délai ≤ 21 jours ouvrables : 32 sur 40`."""
    info = ind.duration
    value = period.value
    if info is None or value is None or isinstance(value, bool):
        return None
    sep = colon(lang)
    if info.aggregate != "within":
        key = info.aggregate + "_duration"
        return Fact("duration", word(key, lang, sep=sep, value=_days(float(value), info.unit, lang)))
    if info.op is None or info.limit is None:
        return None
    limit = _days(info.limit, info.unit, lang)
    what = f"{info.event_type} {word('where', lang)} {info.field} {_OPS.get(info.op, info.op)} {limit}"
    counted = period.evidence.count  # the events of the share's numerator
    total = counted / value if value > 0 else None
    if total is None or abs(total - round(total)) > 1e-6:
        return Fact("duration", word("within_count", lang, what=what, sep=sep, n=counted))
    return Fact("duration", word("within", lang, what=what, sep=sep, n=counted, total=round(total)))


def partial_lines(ind: IndicatorResult, lang: Lang) -> tuple[str, ...]:
    """One line per period the plan's window cuts: what it covers, and that it is not judged:
    `2018-2019 : période partielle : du 01/01/2019 au 31/08/2019 seulement, …, non jugée`."""
    sep = colon(lang)
    lines = []
    for p in ind.periods:
        cover = p.partial
        if cover is None:
            continue
        start, end = format_date(p.start, lang), format_date(p.end, lang)
        days, of = (p.end - p.start).days + 1, cover.days
        key = "partial_monitored" if ind.status is Status.MONITORED else "partial"
        text = word(key, lang, sep=sep, start=start, end=end, days=days, of=of)
        lines.append(f"{period_label(p.label, lang)}{sep}{text}")
    return tuple(lines)
