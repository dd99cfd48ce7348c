"""Measured values: survey scores and percentages, reported once per survey.

    valeur mesurée sentiment « Habitants qui se sentent en sécurité (enquête locale) » en %
    indicateur sentiment_securite « 70 % des habitants se sentent en sécurité »
      dernier(sentiment) >= 70 % par an

A measured value is an event type whose rows carry a number in the column `valeur` (and a
date): `dernier(sentiment)` (`latest`) is the value of the latest measurement of the period.
A period without a measurement has no data (`sans données`), it is not zero; an indicator's
overall status is the one of its latest period with a measurement. `en %` (`in %`) says the
values are percentages: 64 in the data is 64 % (0.64), to compare with `70 %`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from . import model as m
from . import statements as st

Draft = TypeVar("Draft")

# Aggregates whose value is in the unit of the field (a percentage stays a percentage).
VALUE_FUNCTIONS = (
    m.AggregateFn.SUM,
    m.AggregateFn.AVG,
    m.AggregateFn.MIN,
    m.AggregateFn.MAX,
    m.AggregateFn.LAST,
)


def draft_event(stmt: st.MeasureDecl, make: Callable[..., Draft]) -> Draft:
    """The assembler's draft event type of a `valeur mesurée` line: its `valeur` field declared."""
    decl = st.EventDecl(stmt.name, stmt.label, stmt.span, stmt.name_span)
    value = m.FieldDecl(m.MEASURE_FIELD, m.FieldKind.DECIMAL, (), False, stmt.span, percent=stmt.percent)
    return make(decl, [value], measure=True)


def scale(agg: m.Aggregate, plan: m.Plan) -> float:
    """What an aggregate's value is multiplied by: 0.01 for a value given in %, else 1."""
    event_type = plan.event_types.get(agg.event_type)
    decl = None if event_type is None or agg.field is None else event_type.field(agg.field)
    if decl is not None and decl.percent and agg.fn in VALUE_FUNCTIONS:
        return 0.01
    return 1.0


def scaled(read: Callable[[int], Any], factor: float) -> Callable[[int], Any]:
    if factor == 1.0:
        return read

    def value(key: int) -> Any:
        found = read(key)
        return None if found is None or isinstance(found, bool) else found * factor

    return value


def percent_values(expr: m.Expr | None, plan: m.Plan) -> bool:
    """Whether an indicator's values are fractions of one that read as percentages, so that
    reports show 0.67 as 67 %: a share (`part(…)`), or a value measured `en %` (`dernier(…)`,
    `moyenne(…)`…), alone, compared with a target or followed by a trend; or any value compared
    with a target in percent (`nombre(…) / jeunes >= 10 %`: 10 % is 0.1, so is the value)."""
    if _percent_target(expr):
        return True
    if isinstance(expr, m.Trend):
        expr = expr.value
    if isinstance(expr, m.Compare):
        expr = expr.left
    elif isinstance(expr, m.Between):
        expr = expr.value
    if isinstance(expr, m.UnitShare):
        return expr.fn is m.AggregateFn.SHARE
    if isinstance(expr, m.Aggregate):
        return expr.fn is m.AggregateFn.SHARE or scale(expr, plan) != 1.0
    return False


def target_numbers(expr: m.Expr | None, *, per_year: bool = True) -> tuple[m.Number, ...]:
    """The numbers a target compares the values with: one for `>= 10`, two for `entre 3 et 5`,
    those of a value per year (`[2019: 7 %, …]`, unless `per_year` is false), none otherwise
    (a trend's `10 %` is the change it asks for, not a value)."""
    if isinstance(expr, m.Compare) and isinstance(expr.right, m.Number):
        return (expr.right,)
    if isinstance(expr, m.Compare) and isinstance(expr.right, m.ByYear) and per_year:
        return tuple(item.value for item in expr.right.items)
    if isinstance(expr, m.Between) and isinstance(expr.low, m.Number) and isinstance(expr.high, m.Number):
        return (expr.low, expr.high)
    return ()


def _percent_target(expr: m.Expr | None) -> bool:
    """Whether a target's numbers are in percent: `>= 10 %`, `entre 40 % et 60 %`, `[2019: 7 %]`."""
    return any(n.percent for n in target_numbers(expr))
