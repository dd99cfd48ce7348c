"""Checks of the constructs beyond counting: values per year, reference values, measures,
durations, calendars, baselines and shares of units. `check.Checker` calls these hooks.

The functions take the checker itself (for its plan and its `error`) and add diagnostics to
it; the codes are C201 onwards (messages_more.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from . import model as m
from .spans import Span

Interval = tuple[float, float]


class _Checker(Protocol):
    plan: m.Plan

    def error(self, code: str, span: Span, *args: Any, **kwargs: Any) -> None: ...


def indicator(checker: _Checker, ind: m.Indicator) -> None:
    """Checks that need the whole indicator (its period), run once per indicator."""
    assert ind.expr is not None
    several_years = _several_years(checker.plan, ind)
    reported = False
    for node in m.walk(ind.expr):
        per_year = isinstance(node, m.ByYear)
        if isinstance(node, m.ByYear):
            _by_year(checker, node)
        elif isinstance(node, m.ValueRef):
            value = checker.plan.values.get(node.name)
            per_year = value is not None and isinstance(value.value, m.ByYear)
        if per_year and several_years is not None and not reported:
            checker.error("C207", node.span, years=several_years)
            reported = True


def _several_years(plan: m.Plan, ind: m.Indicator) -> str | None:
    """`2019–2024` when the indicator's periods can span several years, else None."""
    period = plan.period
    if period is None or ind.period is not m.PeriodUnit.WHOLE:
        return None
    if period.start.year == period.end.year:
        return None
    return f"{period.start.year}–{period.end.year}"


def _by_year(checker: _Checker, table: m.ByYear) -> None:
    seen: set[int] = set()
    for item in table.items:
        if item.year in seen:
            checker.error("C208", item.span, year=item.year)
        seen.add(item.year)


def expression_type(checker: _Checker, expr: m.Expr) -> str | None:
    """`number` or `bool` for the new expression nodes, None for the others."""
    if isinstance(expr, m.ByYear | m.ValueRef):
        return "number"
    return None


def value_range(expr: m.Expr) -> Interval | None:
    """The values a new expression node can take, as far as the plan tells; None if unknown."""
    if isinstance(expr, m.ByYear) and expr.items:
        values = [item.value.effective for item in expr.items]
        return (min(values), max(values))
    return None
