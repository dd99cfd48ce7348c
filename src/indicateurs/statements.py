"""The flat statements of a plan file, one per line, as the parser hands them to the builder.

The grammar is deliberately flat: a plan file is a list of one-line statements. Turning that
list into a tree (which node contains which indicator) is the job of `build`, so that every
structural slip gets a precise message instead of a parse error.
"""

from __future__ import annotations

import attrs

from .model import ByYear, Expr, FieldKind, MilestoneState, Number, PeriodUnit
from .spans import Span


@attrs.frozen
class PlanTitle:
    text: str
    span: Span


@attrs.frozen
class CommuneDecl:
    text: str
    span: Span


@attrs.frozen
class PeriodDecl:
    start: str
    end: str | None
    span: Span
    start_span: Span | None = None  # each bound, for a caret under the faulty one
    end_span: Span | None = None


@attrs.frozen
class LegalBasis:
    text: str
    span: Span


@attrs.frozen
class MetaDecl:
    key: str
    value: str
    span: Span


@attrs.frozen
class LevelsDecl:
    levels: tuple[str, ...]
    span: Span
    level_spans: tuple[Span, ...] = attrs.field(default=(), eq=False)  # one per level, for carets


@attrs.frozen
class GranularityDecl:
    unit: PeriodUnit
    span: Span


@attrs.frozen
class EventDecl:
    name: str
    label: str | None
    span: Span
    name_span: Span


@attrs.frozen
class FieldStatement:
    name: str
    type_names: tuple[str, ...]
    optional: bool
    span: Span
    type_span: Span


@attrs.frozen
class DurationFieldStatement:
    """`délai : durée de reçu à clôturé en jours ouvrables` (from `date` to `fin` by default)."""

    name: str
    start: str | None
    end: str | None
    working: bool
    span: Span
    type_span: Span
    # Where the two date names stand (None when not written), for a caret under an unknown one.
    start_span: Span | None = attrs.field(default=None, eq=False)
    end_span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class NodeDecl:
    level: str
    number: str | None
    label: str
    span: Span
    level_span: Span
    number_span: Span | None


@attrs.frozen
class IndicatorDecl:
    name: str
    wording: str | None
    span: Span
    name_span: Span


@attrs.frozen
class NoteDecl:
    text: str
    span: Span


@attrs.frozen
class UnitDecl:
    text: str
    span: Span


@attrs.frozen
class ExpressionLine:
    expr: Expr
    period: PeriodUnit | None
    deadline: str | None
    monitored: bool
    span: Span
    deadline_span: Span | None = None
    text: str = attrs.field(default="", eq=False)  # the line as written, for reports
    calendar: str | None = None  # "school_year" or "fiscal_year" (`par année scolaire`)
    cumulative: bool = False  # `par trimestre cumulé`
    period_span: Span | None = None  # the period's words (`mois` in `par mois`)


@attrs.frozen
class PeriodWords:
    """A period as written: its unit, another calendar or a year to date, and where its words stand."""

    unit: PeriodUnit
    calendar: str | None = None
    cumulative: bool = False
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class FiscalDecl:
    """`exercice avril` (`fiscal year april`): the month fiscal years start in."""

    month: int
    span: Span


@attrs.frozen
class ToDefineLine:
    """`cible à définir` (`target to be defined`): the indicator's target is not set yet."""

    span: Span


@attrs.frozen
class MilestoneLine:
    """`jalon réalisé le DATE avant le DATE` (`milestone done on DATE by DATE`)."""

    state: MilestoneState
    date: str | None
    due: str | None
    span: Span
    date_span: Span | None = None
    due_span: Span | None = None


@attrs.frozen
class RefValueDecl:
    """`valeur de référence population « label » = 97 000` (or `[2019: …]`, or `table « f.csv »`)."""

    name: str
    label: str | None
    value: Number | ByYear | None
    table: str | None
    span: Span
    name_span: Span
    table_span: Span | None = attrs.field(default=None, eq=False)  # the table's quoted path


@attrs.frozen
class MeasureDecl:
    """`valeur mesurée NOM « label » en %`: an event type whose rows carry a measured value."""

    name: str
    label: str | None
    percent: bool
    span: Span
    name_span: Span


Statement = (
    PlanTitle
    | CommuneDecl
    | PeriodDecl
    | LegalBasis
    | MetaDecl
    | LevelsDecl
    | GranularityDecl
    | EventDecl
    | FieldStatement
    | DurationFieldStatement
    | NodeDecl
    | IndicatorDecl
    | NoteDecl
    | UnitDecl
    | ExpressionLine
    | ToDefineLine
    | MilestoneLine
    | RefValueDecl
    | MeasureDecl
    | FiscalDecl
)

FIELD_KINDS: dict[str, FieldKind] = {
    "texte": FieldKind.TEXT,
    "text": FieldKind.TEXT,
    "entier": FieldKind.INTEGER,
    "integer": FieldKind.INTEGER,
    "décimal": FieldKind.DECIMAL,
    "decimal": FieldKind.DECIMAL,
    "date": FieldKind.DATE,
    "booléen": FieldKind.BOOLEAN,
    "booleen": FieldKind.BOOLEAN,
    "boolean": FieldKind.BOOLEAN,
}
