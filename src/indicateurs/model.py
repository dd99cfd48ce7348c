"""The typed tree of a compiled plan: frozen attrs nodes, each with its source span.

Spans never take part in equality, so two plans that differ only in layout compare equal
(that is what `parse(format(p)) == parse(p)` relies on).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .spans import UNKNOWN_SPAN, Span


def _span() -> Span:
    return attrs.field(default=UNKNOWN_SPAN, eq=False, repr=False)


# ---------------------------------------------------------------------------- vocabularies


class PeriodUnit(enum.Enum):
    """How an indicator's target is cut in time; WHOLE means the plan's whole period."""

    MONTH = "month"
    QUARTER = "quarter"
    SEMESTER = "semester"
    YEAR = "year"
    WHOLE = "whole"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "semester": 6, "year": 12, "whole": 10**6}[self.value]


class FieldKind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    ENUM = "enum"

    @property
    def numeric(self) -> bool:
        return self in (FieldKind.INTEGER, FieldKind.DECIMAL)


class AggregateFn(enum.Enum):
    COUNT = "count"
    DISTINCT = "distinct"
    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    EXISTS = "exists"
    SHARE = "share"
    LAST = "last"  # the value of the latest event (a measurement), by date
    UNITS = "units"  # internal: events per value of a field (for shares of units)


class Comparator(enum.Enum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "="
    NE = "!="


class IndicatorKind(enum.Enum):
    """What an indicator states: a numeric target, a yes/no fact, or a value merely monitored."""

    TARGET = "target"
    YES_NO = "yes_no"
    MONITORED = "monitored"
    UNDEFINED = "undefined"
    MILESTONE = "milestone"


class MilestoneState(enum.Enum):
    """The status an officer states for a milestone (`jalon réalisé`, `jalon en attente`)."""

    DONE = "realise"
    ONGOING = "en_cours"
    PENDING = "en_attente"
    DROPPED = "abandonne"


# ---------------------------------------------------------------------------- expressions


MEASURE_FIELD = "valeur"  # the field of a measured value


@attrs.frozen
class Number:
    value: float
    percent: bool = False
    span: Span = _span()
    days: str | None = None  # `21 jours` ("days") or `21 jours ouvrables` ("working_days")

    @property
    def effective(self) -> float:
        """The value used in arithmetic: `80 %` is 0.8."""
        return self.value / 100 if self.percent else self.value


@attrs.frozen
class Text:
    value: str
    span: Span = _span()


@attrs.frozen
class Boolean:
    value: bool
    span: Span = _span()


@attrs.frozen
class DateValue:
    value: dt.date
    span: Span = _span()


@attrs.frozen
class Name:
    """A bare name inside a condition: a field of the event type, or an enumeration value."""

    name: str
    span: Span = _span()


@attrs.frozen
class Negative:
    operand: Expr
    span: Span = _span()


@attrs.frozen
class Compare:
    op: Comparator
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Between:
    value: Expr
    low: Expr
    high: Expr
    span: Span = _span()


@attrs.frozen
class InList:
    value: Expr
    items: tuple[Expr, ...]
    negated: bool = False
    span: Span = _span()


@attrs.frozen
class And:
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Or:
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Not:
    operand: Expr
    span: Span = _span()


@attrs.frozen
class BoolField:
    """A boolean field used alone as a condition (`où confirmé`)."""

    name: str
    span: Span = _span()


@attrs.frozen
class Arithmetic:
    op: str  # one of + - * /
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Aggregate:
    fn: AggregateFn
    event_type: str
    field: str | None = None
    where: Expr | None = None
    span: Span = _span()
    field_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # for carets under the field


@attrs.frozen
class IndicatorRef:
    name: str
    span: Span = _span()


@attrs.frozen
class YearValue:
    """One entry of a value per year: `2022: 6,5`."""

    year: int
    value: Number
    span: Span = _span()


@attrs.frozen
class ByYear:
    """A value per year, `[2019: 7,0 · 2022: 6,5]`: a year without its own entry takes the value
    of the latest year listed before it; a year before the first has no value."""

    items: tuple[YearValue, ...]
    span: Span = _span()

    def at(self, year: int) -> tuple[int, Number] | None:
        """The entry that applies in `year`: (the year it was given for, its value)."""
        found: tuple[int, Number] | None = None
        for item in self.items:
            if item.year <= year and (found is None or item.year >= found[0]):
                found = (item.year, item.value)
        return found


@attrs.frozen
class UnitShare:
    """`part(action.quartier ayant au moins 4)`: of the units (the values of a field), the share
    (`part`) or the number (`nombre`) whose events, filtered by `where`, meet the count. The
    units are the field's declared values (a list of values), or the values its events show."""

    fn: AggregateFn  # SHARE or COUNT
    event_type: str
    field: str
    where: Expr | None
    op: Comparator
    threshold: Number
    span: Span = _span()
    # Where the function's word and the field's name stand, for carets under the faulty one.
    fn_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    field_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Baseline:
    """What a trend compares with: a year, the average of years (first..last), and the value
    declared for them when the data predates the system."""

    first: int
    last: int
    declared: Number | None = None
    span: Span = _span()


@attrs.frozen
class Trend:
    """`valeur en baisse de 10 % par rapport à 2022`: direction "down", "up" or "stable"; the
    amount is the change asked for (down, up) or the tolerance (stable); without a baseline,
    each period is compared with the previous one."""

    value: Expr
    direction: str
    amount: Number | None = None
    baseline: Baseline | None = None
    span: Span = _span()
    words_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # `en baisse de 10 %`


@attrs.frozen
class ValueRef:
    """A reference value of the plan used in an expression (`population`)."""

    name: str
    span: Span = _span()


Expr = (
    Number
    | Text
    | Boolean
    | DateValue
    | Name
    | Negative
    | Compare
    | Between
    | InList
    | And
    | Or
    | Not
    | BoolField
    | Arithmetic
    | Aggregate
    | IndicatorRef
    | ByYear
    | ValueRef
    | Trend
    | UnitShare
)


def literal_value(expr: Expr) -> Any:
    """The Python value of a literal in a condition (a bare name is an enumeration value).

    One reading of literals for the fast pass, the reference evaluator and the test strategies.
    """
    match expr:
        case Number():
            return expr.effective
        case Text(value=v) | Name(name=v):
            return v
        case Boolean(value=b):
            return b
        case DateValue(value=d):
            return d
        case Negative(operand=Number() as n):
            return -n.effective
    raise ValueError(f"not a constant: {expr!r}")


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, for passes that walk every node."""
    match expr:
        case Negative(operand=o) | Not(operand=o):
            return (o,)
        case Trend(value=v):
            return (v,)
        case Compare(left=a, right=b) | And(left=a, right=b) | Or(left=a, right=b):
            return (a, b)
        case Arithmetic(left=a, right=b):
            return (a, b)
        case Between(value=v, low=lo, high=hi):
            return (v, lo, hi)
        case InList(value=v, items=items):
            return (v, *items)
        case Aggregate(where=w) | UnitShare(where=w):
            return () if w is None else (w,)
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of an expression, iteratively (plans can nest deeply)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


# ---------------------------------------------------------------------------- plan structure


@attrs.frozen
class PlanPeriod:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start.year, self.end.year + 1))


@attrs.frozen
class Duration:
    """A duration field: from one date of the event to another (`date` is the event's own date,
    `fin` its end), counted in days or in working days."""

    start: str = "date"
    end: str = "fin"
    working: bool = False
    # Where the two date names stand, for a caret under an unknown one.
    start_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    end_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class FieldDecl:
    name: str
    kind: FieldKind
    values: tuple[str, ...] = ()  # enumeration values, declared order
    optional: bool = False
    span: Span = _span()
    percent: bool = False  # a measured value given in % (64 means 0.64 once aggregated)
    duration: Duration | None = None  # computed from two dates, never read


@attrs.frozen
class EventType:
    name: str
    label: str | None
    fields: tuple[FieldDecl, ...] = ()
    span: Span = _span()
    measure: bool = False  # `valeur mesurée`: its value field is `valeur`

    def field(self, name: str) -> FieldDecl | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@attrs.frozen
class RefValue:
    """A reference value declared by the plan: one number, a value per year, or a column of a
    table next to the plan (`table`, its file as written; `value` holds what it gave)."""

    name: str
    label: str | None
    value: Number | ByYear | None  # None when the table could not be read
    table: str | None = None
    span: Span = _span()

    def at(self, year: int) -> tuple[int | None, float] | None:
        """The value that applies in `year` and the year it was given for (None: constant)."""
        if isinstance(self.value, Number):
            return None, self.value.effective
        if isinstance(self.value, ByYear):
            found = self.value.at(year)
            return None if found is None else (found[0], found[1].effective)
        return None


@attrs.frozen
class Milestone:
    """A milestone's stated status, the day it was reached (if stated) and its due date."""

    state: MilestoneState
    date: dt.date | None = None
    due: dt.date | None = None


@attrs.frozen
class Indicator:
    id: str
    wording: str | None
    expr: Expr | None
    kind: IndicatorKind
    period: PeriodUnit = PeriodUnit.WHOLE
    deadline: dt.date | None = None
    unit: str | None = None
    notes: tuple[str, ...] = ()
    path: tuple[str, ...] = ()  # labels of the enclosing nodes, root first
    span: Span = _span()
    expression_text: str | None = attrs.field(default=None, eq=False)  # as the officer wrote it
    milestone: Milestone | None = None  # `jalon …`: a stated status instead of an expression
    to_define: bool = False  # `cible à définir` written: no expression, on purpose
    calendar: str | None = None  # years of another calendar: "school_year" or "fiscal_year"
    cumulative: bool = False  # `par trimestre cumulé`: each period counts from the start of its year
    # Where the period's words and the deadline's date stand, for carets under them.
    period_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    deadline_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Node:
    level: str
    number: str | None
    label: str
    notes: tuple[str, ...] = ()
    children: tuple[Node | Indicator, ...] = ()
    span: Span = _span()
    number_span: Span | None = attrs.field(default=None, eq=False, repr=False)

    def walk(self) -> Iterator[Node | Indicator]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()
            else:
                yield child


def _as_dict(mapping: Mapping[str, EventType]) -> dict[str, EventType]:
    return dict(mapping)


def _as_values(mapping: Mapping[str, RefValue]) -> dict[str, RefValue]:
    return dict(mapping)


@attrs.frozen
class Plan:
    """A compiled plan: header, event types, the tree of nodes and its indicators in order."""

    title: str | None
    commune: str | None
    period: PlanPeriod | None
    legal_basis: str | None
    meta: tuple[tuple[str, str], ...]
    levels: tuple[str, ...]
    granularity: PeriodUnit
    event_types: Mapping[str, EventType] = attrs.field(converter=_as_dict)
    nodes: tuple[Node, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    loose_indicators: tuple[Indicator, ...] = ()  # declared before any node
    values: Mapping[str, RefValue] = attrs.field(factory=dict, converter=_as_values)  # reference values
    fiscal_start: int = 1  # the month fiscal years start in (`exercice avril`: 4)
    source: str = attrs.field(default="<texte>", eq=False)

    def indicator(self, ident: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == ident:
                return ind
        raise KeyError(ident)
