"""Which years a period stands for, so that values given per year apply to it.

A period of an indicator is named by its bucket key (periods.py): the year 2023 is 2023, its
second quarter 20232, May 2023 202305, and the whole evaluation period 0. A value per year
(`[2019: 7,0 · 2022: 6,5]`) and a reference value declared per year apply to a period through
the year it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable

from . import model as m


def period_years(unit: m.PeriodUnit, key: int, window: m.PlanPeriod) -> tuple[int, ...]:
    """The calendar years of the period `key` of `unit` (several for the whole period)."""
    if unit is m.PeriodUnit.WHOLE:
        return tuple(range(window.start.year, window.end.year + 1))
    if unit is m.PeriodUnit.YEAR:
        return (key,)
    if unit is m.PeriodUnit.MONTH:
        return (key // 100,)
    return (key // 10,)  # semester and quarter keys: year * 10 + index


def value_in(table: m.ByYear, years: tuple[int, ...]) -> tuple[float | None, int | None]:
    """The value of a per-year table over `years`, and the year it was given for.

    One value when every year takes the same entry; None when the years take different ones
    (the checker asks for `par an` then) or when a year comes before the first entry.
    """
    found: set[tuple[int, float]] = set()
    for year in years:
        entry = table.at(year)
        if entry is None:
            return None, None
        found.add((entry[0], entry[1].effective))
    if len({value for _, value in found}) != 1:
        return None, None
    given, value = max(found)
    return value, given


def by_year_value(table: m.ByYear, unit: m.PeriodUnit, window: m.PlanPeriod) -> Callable[[int], float | None]:
    """A per-year table as the compiled evaluator reads it: period key → value."""
    memo: dict[int, float | None] = {}

    def value(key: int) -> float | None:
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = memo[key] = value_in(table, period_years(unit, key, window))[0]
        return found  # type: ignore[return-value]

    return value


_MISSING = object()


def reference_value(
    value: m.RefValue, unit: m.PeriodUnit, window: m.PlanPeriod
) -> Callable[[int], float | None]:
    """A reference value as the compiled evaluator reads it: period key → value."""
    from .refvalues import value_over

    memo: dict[int, float | None] = {}

    def read(key: int) -> float | None:
        if key not in memo:
            memo[key] = value_over(value, period_years(unit, key, window))[0]
        return memo[key]

    return read
