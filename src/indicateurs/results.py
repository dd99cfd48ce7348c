"""The compliance result: a tree that mirrors the plan, with frozen attrs objects all the way.

`PlanResult.to_dict()` / `to_json()` give the stable JSON documented by
`schemas/resultat.schema.json`: keys in a fixed order, dates in ISO format, no clock time.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from typing import Any

import attrs

from .events import Rejection
from .i18n import Lang, current_language


class Status(enum.Enum):
    """An indicator's verdict. The value is the stable code used in JSON."""

    MET = "atteint"
    NOT_MET = "non_atteint"
    IN_PROGRESS = "en_cours"
    NO_DATA = "sans_donnees"
    NOT_EVALUABLE = "non_evaluable"
    MONITORED = "suivi"
    NO_INDICATOR = "sans_indicateur"

    def label(self, lang: Lang | None = None) -> str:
        return _STATUS_LABELS[self][0 if (lang or current_language()) == "fr" else 1]

    @property
    def symbol(self) -> str:
        """A mark that does not rely on colour."""
        return _STATUS_SYMBOLS[self]


_STATUS_LABELS = {
    Status.MET: ("atteint", "met"),
    Status.NOT_MET: ("non atteint", "not met"),
    Status.IN_PROGRESS: ("en cours", "in progress"),
    Status.NO_DATA: ("sans données", "no data"),
    Status.NOT_EVALUABLE: ("non évaluable", "not evaluable"),
    Status.MONITORED: ("suivi", "monitored"),
    Status.NO_INDICATOR: ("sans indicateur", "no indicator"),
}
_STATUS_SYMBOLS = {
    Status.MET: "✔",
    Status.NOT_MET: "✘",
    Status.IN_PROGRESS: "◔",
    Status.NO_DATA: "∅",
    Status.NOT_EVALUABLE: "?",
    Status.MONITORED: "≈",
    Status.NO_INDICATOR: "·",
}

# Worst first: a node takes the status of its worst indicator.
SEVERITY_ORDER = (
    Status.NOT_MET,
    Status.IN_PROGRESS,
    Status.NO_DATA,
    Status.NOT_EVALUABLE,
    Status.MET,
    Status.MONITORED,
    Status.NO_INDICATOR,
)

Value = float | bool | None


@attrs.frozen
class Projection:
    """Where an indicator in progress is heading at its current pace."""

    projected: float
    on_track: bool
    still_needed: float | None
    due: dt.date
    message_fr: str
    message_en: str

    def message(self, lang: Lang | None = None) -> str:
        return self.message_fr if (lang or current_language()) == "fr" else self.message_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "projected": _num(self.projected),
            "on_track": self.on_track,
            "still_needed": _num(self.still_needed),
            "due": self.due.isoformat(),
            "message": {"fr": self.message_fr, "en": self.message_en},
        }


@attrs.frozen
class EvidenceItem:
    source: str
    row: int
    id: str | None
    date: dt.date
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "row": self.row,
            "id": self.id,
            "date": self.date.isoformat(),
            "type": self.type,
        }


@attrs.frozen
class Evidence:
    """The events that counted: the first few, and how many there were in all."""

    count: int
    items: tuple[EvidenceItem, ...] = ()

    @property
    def capped(self) -> bool:
        return self.count > len(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "capped": self.capped, "items": [i.to_dict() for i in self.items]}


@attrs.frozen
class ReferenceUse:
    """A reference value as a period used it: its name, its value, and the year it was given
    for (None for a value that does not change with the year)."""

    name: str
    value: float | None
    year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": _num(self.value), "year": self.year}


@attrs.frozen
class UnitsInfo:
    """A share of units in a period: how many units met the count, out of how many, and which
    fell short (in the declared order, at most 50 named)."""

    met: int
    total: int
    short: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"met": self.met, "total": self.total, "short": list(self.short)}


@attrs.frozen
class BaselineInfo:
    """Where a trend's baseline comes from, as the plan states it, so that reports need not
    read it back from the target's words: a year (`par rapport à 2019`), the average of years
    (`par rapport à la moyenne 2014-2018`) or the previous period (no `par rapport à`);
    computed from the events, or declared in the plan (`= 138`). Each period's baseline value
    is `PeriodResult.baseline`."""

    kind: str  # "year", "average" or "previous"
    years: tuple[int, ...] = ()  # the baseline years, first to last (none for "previous")
    declared: float | None = None  # the value the plan declares, in the unit of the values

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "years": list(self.years),
            "declared": self.declared is not None,
            "value": _num(self.declared),
        }


@attrs.frozen
class UnitsRule:
    """What a share of units counts (`part(action.quartier où genre = rue ayant au moins 4)`):
    the units are the values of `field` in the events of `event_type` (those the condition
    keeps); a unit meets the count when its events number `op threshold`. The labels are the
    plan's (the event type's label; the indicator's `unité` when its value is the number of
    units), None when it declares none; `condition` is the filter as written in each language."""

    share: bool  # `part` (a share of the units) or `nombre` (how many units)
    event_type: str
    field: str
    op: str  # ">=", ">", "<=", "<", "=", "!="
    threshold: float
    event_label: str | None = None
    unit_label: str | None = None
    condition_fr: str | None = None
    condition_en: str | None = None

    def condition(self, lang: Lang | None = None) -> str | None:
        return self.condition_fr if (lang or current_language()) == "fr" else self.condition_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "event_type": self.event_type,
            "field": self.field,
            "op": self.op,
            "threshold": _num(self.threshold),
            "event_label": self.event_label,
            "unit_label": self.unit_label,
            "condition": None
            if self.condition_fr is None
            else {"fr": self.condition_fr, "en": self.condition_en},
        }


@attrs.frozen
class DurationInfo:
    """An indicator on durations (a field `durée de … à … en jours [ouvrables]`): which figure
    its value is, `aggregate` ("average", "min", "max", "total", "latest" of the durations, or
    "within": the share of events whose duration is `op limit`), and the unit of the days,
    "days" (calendar days) or "working_days"."""

    aggregate: str
    unit: str
    event_type: str
    field: str
    op: str | None = None  # "within" only
    limit: float | None = None  # "within" only

    def to_dict(self) -> dict[str, Any]:
        return {
            "aggregate": self.aggregate,
            "unit": self.unit,
            "event_type": self.event_type,
            "field": self.field,
            "op": self.op,
            "limit": _num(self.limit),
        }


@attrs.frozen
class Coverage:
    """A period the evaluation window cuts (a school year 2018-2019 in a plan from 1 January
    2019): the calendar period in full. The dates covered are the period's own `start`/`end`;
    nothing outside them was read, so the period is shown but not judged."""

    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_dict(self, covered_start: dt.date, covered_end: dt.date) -> dict[str, Any]:
        return {
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "covered_days": (covered_end - covered_start).days + 1,
            "period_days": self.days,
        }


@attrs.frozen
class PeriodResult:
    label: str
    start: dt.date
    end: dt.date
    status: Status
    value: Value
    complete: bool
    evidence: Evidence
    projection: Projection | None = None
    reason: str | None = None
    # The constructs beyond counting (each key appears in JSON only when it says something):
    target_value: float | None = None  # the target that applied, when it is not a plain number
    references: tuple[ReferenceUse, ...] = ()  # the reference values the period used
    baseline: float | None = None  # a trend's baseline (a year, an average, the previous period)
    change: float | None = None  # the change from the baseline: -0.12 for 12 % less
    direction: str | None = None  # "baisse", "hausse" or "stable", as observed
    units: UnitsInfo | None = None  # a share of units: met, total, those short of the count
    # A period the window cuts: the calendar period in full; its value is shown, never judged.
    partial: Coverage | None = None

    def coverage_text(self, lang: Lang | None = None) -> str | None:
        """What a partial period covers, for an officer: `du 01/01/2019 au 31/08/2019 seulement,
        243 jours sur 365 (période complète : du 01/09/2018 au 31/08/2019)`; None when complete."""
        cover = self.partial
        if cover is None:
            return None
        covered = (self.end - self.start).days + 1
        if (lang or current_language()) == "fr":

            def fr(d: dt.date) -> str:
                return d.strftime("%d/%m/%Y")

            return (
                f"du {fr(self.start)} au {fr(self.end)} seulement, {covered} jours sur {cover.days} "
                f"(période complète : du {fr(cover.start)} au {fr(cover.end)})"
            )
        return (
            f"{self.start.isoformat()} to {self.end.isoformat()} only, {covered} days of {cover.days} "
            f"(whole period: {cover.start.isoformat()} to {cover.end.isoformat()})"
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "status": self.status.value,
            "value": _num(self.value),
            "complete": self.complete,
            "projection": None if self.projection is None else self.projection.to_dict(),
            "reason": self.reason,
            "evidence": self.evidence.to_dict(),
        }
        if self.target_value is not None:
            out["target_value"] = _num(self.target_value)
        if self.references:
            out["references"] = [r.to_dict() for r in self.references]
        if self.units is not None:
            out["units"] = self.units.to_dict()
        if self.baseline is not None or self.direction is not None:
            out["baseline"] = _num(self.baseline)
            out["change"] = _num(self.change)
            out["direction"] = self.direction
        if self.partial is not None:
            out["partial"] = self.partial.to_dict(self.start, self.end)
        return out


@attrs.frozen
class SpanRef:
    file: str
    line: int
    column: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column}


@attrs.frozen
class MilestoneInfo:
    """A milestone's stated status (`realise`, `en_cours`, `en_attente`, `abandonne`), the day it
    was achieved and its due date, as the plan states them."""

    state: str
    date: dt.date | None = None
    due: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "date": None if self.date is None else self.date.isoformat(),
            "due": None if self.due is None else self.due.isoformat(),
        }


@attrs.frozen
class IndicatorResult:
    id: str
    wording: str | None
    kind: str
    status: Status
    expression: str | None
    target: str | None
    period: str
    unit: str | None
    periods: tuple[PeriodResult, ...]
    evidence: Evidence
    span: SpanRef
    event_types: tuple[str, ...] = ()
    reason: str | None = None
    at_risk: bool = False
    path: tuple[str, ...] = ()
    milestone: MilestoneInfo | None = None  # a milestone's stated status (`jalon …`)
    calendar: str | None = None  # years of another calendar: "school_year" or "fiscal_year"
    cumulative: bool = False  # each period counts from the start of its year (`cumulé`)
    percent: bool = False  # the values are fractions that reports show in % (shares, values `en %`)
    # What the plan says its value is, for the reports' detail line (present when it applies):
    baseline: BaselineInfo | None = None  # a trend: where its baseline comes from
    units: UnitsRule | None = None  # a share of units: what a unit must count
    duration: DurationInfo | None = None  # a figure of durations, in days or working days
    latest: bool = False  # the value is the latest measurement of its period (`dernier`)
    # The target as the evaluator words it in English (`target` is the French wording), and the
    # numbers a chart draws as lines, in the unit of the values (fractions for percentages): one
    # for a comparison with a number, two for `entre`, none for yes/no, trends, values per year.
    target_en: str | None = None
    target_lines: tuple[float, ...] = ()

    @property
    def value(self) -> Value:
        """The value of the latest period that has started (the whole period for most); a period
        the window cuts (partial) only when no other has started."""
        whole = [p for p in self.periods if p.partial is None]
        latest = whole or self.periods
        return latest[-1].value if latest else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "indicator",
            "id": self.id,
            "wording": self.wording,
            "kind": self.kind,
            "status": self.status.value,
            "at_risk": self.at_risk,
            "reason": self.reason,
            "expression": self.expression,
            "target": self.target,
            "target_en": self.target_en,
            "period": self.period,
            "unit": self.unit,
            "event_types": list(self.event_types),
            "value": _num(self.value),
            "periods": [p.to_dict() for p in self.periods],
            "evidence": self.evidence.to_dict(),
            "span": self.span.to_dict(),
        }
        # Keys of the constructs beyond counting: present only when they say something.
        if self.milestone is not None:
            out["milestone"] = self.milestone.to_dict()
        if self.calendar is not None:
            out["calendar"] = self.calendar
        if self.cumulative:
            out["cumulative"] = True
        if self.baseline is not None:
            out["baseline"] = self.baseline.to_dict()
        if self.units is not None:
            out["units"] = self.units.to_dict()
        if self.duration is not None:
            out["duration"] = self.duration.to_dict()
        if self.latest:
            out["latest"] = True
        return out


@attrs.frozen
class NodeResult:
    level: str
    number: str | None
    label: str
    status: Status
    met: int
    total: int
    children: tuple[NodeResult | IndicatorResult, ...]
    notes: tuple[str, ...] = ()

    def indicators(self) -> list[IndicatorResult]:
        out: list[IndicatorResult] = []
        for child in self.children:
            if isinstance(child, NodeResult):
                out.extend(child.indicators())
            else:
                out.append(child)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "node",
            "level": self.level,
            "number": self.number,
            "label": self.label,
            "status": self.status.value,
            "met": self.met,
            "total": self.total,
            "notes": list(self.notes),
            "children": [c.to_dict() for c in self.children],
        }


@attrs.frozen
class SourceReport:
    """Row accounting of one source: read = used + ignored + rejected, always."""

    name: str
    read: int
    used: int
    ignored: int
    rejected: int
    ignored_reasons: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "read": self.read,
            "used": self.used,
            "ignored": self.ignored,
            "rejected": self.rejected,
            "ignored_reasons": {k: v for k, v in self.ignored_reasons},
        }


@attrs.frozen
class PlanResult:
    title: str | None
    commune: str | None
    plan_file: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    nodes: tuple[NodeResult, ...]
    indicators: tuple[IndicatorResult, ...]
    sources: tuple[SourceReport, ...]
    rejections: tuple[Rejection, ...]
    loose: tuple[IndicatorResult, ...] = ()

    @property
    def read(self) -> int:
        return sum(s.read for s in self.sources)

    @property
    def used(self) -> int:
        return sum(s.used for s in self.sources)

    @property
    def ignored(self) -> int:
        return sum(s.ignored for s in self.sources)

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sources)

    def indicator(self, ident: str) -> IndicatorResult:
        for ind in self.indicators:
            if ind.id == ident:
                return ind
        raise KeyError(ident)

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status if s is not Status.NO_INDICATOR}
        for ind in self.indicators:
            counts[ind.status.value] += 1
        return counts

    @property
    def all_met(self) -> bool:
        return all(i.status in (Status.MET, Status.MONITORED) for i in self.indicators)

    @property
    def any_failing(self) -> bool:
        """Not met, or in progress and at risk: what makes the CLI exit 1."""
        return any(
            i.status is Status.NOT_MET or (i.status is Status.IN_PROGRESS and i.at_risk)
            for i in self.indicators
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "indicateurs/resultat/1",
            "plan": {
                "title": self.title,
                "commune": self.commune,
                "file": self.plan_file,
                "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            },
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "rows": {
                "read": self.read,
                "used": self.used,
                "ignored": self.ignored,
                "rejected": self.rejected,
            },
            "sources": [s.to_dict() for s in self.sources],
            "rejections": [r.to_dict() for r in self.rejections],
            "tree": [n.to_dict() for n in self.nodes] + [i.to_dict() for i in self.loose],
            "indicators": [i.id for i in self.indicators],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _num(value: Value) -> float | bool | int | None:
    """Numbers as JSON shows them best: whole floats as integers, others rounded to 6 digits."""
    if value is None or isinstance(value, bool):
        return value
    if float(value).is_integer():
        return int(value)
    return round(float(value), 6)


# ---------------------------------------------------------------------------- numbers as people read them


def format_number(value: float, lang: Lang, decimals: int = 2) -> str:
    """`12`, `7,5` (French) or `7.5`; thousands grouped with a narrow space (fr) or a comma (en).
    Here, not in the reports, because the evaluator words targets with it too."""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def percent_sign(lang: Lang) -> str:
    """`66,5 %` in French (a no-break space before the sign), `66.5%` in English."""
    return "\u00a0%" if lang == "fr" else "%"


_DAY_WORDS = {
    "days": (("jour", "jours"), ("day", "days")),
    "working_days": (("jour ouvrable", "jours ouvrables"), ("working day", "working days")),
}


def days_text(value: float, unit: str, lang: Lang, written: str) -> str:
    """`1,5 jour`, `21 jours ouvrables`, `1 day`, `1.5 days`: a number of days (`unit`: days or
    working_days) already `written`, followed by the word agreed with it."""
    singular = abs(value) < 2 if lang == "fr" else value == 1  # French: 1,5 jour; English: 1.5 days
    words = _DAY_WORDS[unit][0 if lang == "fr" else 1]
    return f"{written} {words[0] if singular else words[1]}"


def plan_number(value: float, lang: Lang, *, percent: bool = False) -> str:
    """A number as the plan writes it (a target, a declared baseline), every decimal kept, in the
    language's writing: `2 150`, `12 500`, `0,125`, `80 %` (`2,150`, `0.125`, `80%`). Only
    numbers go through it: a year or a date is written where it is known to be one."""
    exponent = decimal.Decimal(repr(float(value))).as_tuple().exponent  # the decimals as written
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    text = format_number(value, lang, decimals)
    return text + percent_sign(lang) if percent else text
