"""Which years a period stands for, so that values given per year apply to it.

A period of an indicator is named by its bucket key (periods.py): the year 2023 is 2023, its
second quarter 20232, May 2023 202305, and the whole evaluation period 0. A value per year
(`[2019: 7,0 · 2022: 6,5]`) and a reference value declared per year apply to a period through
the year it belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from . import model as m
from .periods import Bucket, bucket_key, buckets, key_range, keys_between
from .precision import settle

if TYPE_CHECKING:
    from .compile import Slot

EVIDENCE_CAP = 20  # the events kept per slot and period (compile, reference and sql read this one)


def period_years(unit: m.PeriodUnit, key: int, window: m.PlanPeriod) -> tuple[int, ...]:
    """The calendar years of the period `key` of `unit` (several for the whole period)."""
    if unit is m.PeriodUnit.WHOLE:
        return tuple(range(window.start.year, window.end.year + 1))
    return (_year_of(unit, key),)


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


# ---------------------------------------------------------------------------- other calendars


@attrs.frozen
class PeriodSpec:
    """How an indicator cuts time: its unit, the month its years start (1: calendar years, 9:
    school years, 4: fiscal years from April…) and whether each period counts from the start
    of its year (`cumulé`: year to date).

    A standard spec (calendar years, not cumulative) is what periods.py computes. The others
    are computed from the slots of a finer standard unit: months for shifted years, the unit
    itself for year-to-date periods (see `DerivedSlot`).
    """

    unit: m.PeriodUnit
    start_month: int = 1
    cumulative: bool = False

    @property
    def standard(self) -> bool:
        return self.start_month == 1 and not self.cumulative

    @property
    def shifted(self) -> bool:
        return self.unit is m.PeriodUnit.YEAR and self.start_month != 1

    @property
    def base_unit(self) -> m.PeriodUnit:
        """The unit of the slots the periods are computed from."""
        return m.PeriodUnit.MONTH if self.shifted else self.unit

    def key_of(self, date: dt.date) -> int:
        """The period a date falls in (its key); for year to date, the date's own period."""
        if self.shifted:
            return date.year if date.month >= self.start_month else date.year - 1
        return bucket_key(self.unit, date)

    def contains(self, key: int, date: dt.date) -> bool:
        """Whether the period `key` counts an event of `date`."""
        if not self.cumulative or self.unit in (m.PeriodUnit.WHOLE, m.PeriodUnit.YEAR):
            return self.key_of(date) == key
        own = bucket_key(self.unit, date)
        return date.year == _year_of(self.unit, key) and own <= key

    def base_keys(self, key: int) -> tuple[int, ...]:
        """The keys of the base unit's slots that make up the period `key`."""
        if self.shifted:
            months = []
            year, month = key, self.start_month
            for _ in range(12):
                months.append(year * 100 + month)
                month += 1
                if month > 12:
                    year, month = year + 1, 1
            return tuple(months)
        if self.cumulative and self.unit not in (m.PeriodUnit.WHOLE, m.PeriodUnit.YEAR):
            year = _year_of(self.unit, key)
            if not 1 <= year <= 9999:  # the key of another unit (a whole period's 0): nothing
                return ()
            start = dt.date(year, 1, 1)
            return tuple(k for k in keys_between(self.unit, start, dt.date(year, 12, 31)) if k <= key)
        return (key,)

    def buckets(self, window: m.PlanPeriod) -> list[Bucket]:
        if not self.shifted:
            found = buckets(self.unit, window)
            if not self.cumulative or self.unit in (m.PeriodUnit.WHOLE, m.PeriodUnit.YEAR):
                return found
            out = []
            for b in found:  # a year to date starts on 1 January, whatever its unit
                january = dt.date(_year_of(self.unit, b.key), 1, 1)
                out.append(attrs.evolve(b, start=max(january, window.start), full_start=january))
            return out
        out = []
        for year in range(self.key_of(window.start), self.key_of(window.end) + 1):
            start, end = self._year_range(year)
            label = f"{year}-{year + 1}"
            out.append(Bucket(year, label, max(start, window.start), min(end, window.end), start, end))
        return out

    def key_range(self, key: int, window: m.PlanPeriod) -> tuple[dt.date, dt.date]:
        """The dates of the period `key`, within the window."""
        if self.shifted:
            start, end = self._year_range(key)
            return max(start, window.start), min(end, window.end)
        start, end = key_range(self.unit, key, window)
        if self.cumulative and self.unit not in (m.PeriodUnit.WHOLE, m.PeriodUnit.YEAR):
            start = max(dt.date(_year_of(self.unit, key), 1, 1), window.start)
        return start, end

    def keys_between(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """The keys of the periods that meet [start, end], in order."""
        if self.shifted:
            return tuple(range(self.key_of(start), self.key_of(end) + 1))
        return keys_between(self.unit, start, end)

    def years(self, key: int, window: m.PlanPeriod) -> tuple[int, ...]:
        """The years a value per year is looked up for: a shifted year is named by its start."""
        if self.shifted:
            return (key,)
        return period_years(self.unit, key, window)

    def _year_range(self, year: int) -> tuple[dt.date, dt.date]:
        start = dt.date(year, self.start_month, 1)
        return start, dt.date(year + 1, self.start_month, 1) - dt.timedelta(days=1)


def _year_of(unit: m.PeriodUnit, key: int) -> int:
    """The calendar year of the period `key` of `unit` (any unit but the whole period)."""
    if unit is m.PeriodUnit.MONTH:
        return key // 100
    if unit is m.PeriodUnit.YEAR:
        return key
    return key // 10  # semester and quarter keys: year * 10 + index


SCHOOL_YEAR_START = 9  # September


def spec_of(ind: m.Indicator, plan: m.Plan) -> PeriodSpec:
    """The period spec of an indicator in its plan."""
    start = 1
    if ind.calendar == "school_year":
        start = SCHOOL_YEAR_START
    elif ind.calendar == "fiscal_year":
        start = plan.fiscal_start
    return PeriodSpec(ind.period, start, ind.cumulative)


class DerivedSlot:
    """A slot as a period of another calendar sees it: the base slot's keys combined."""

    __slots__ = ("base", "evidence", "key", "spec")

    def __init__(self, base: Slot, spec: PeriodSpec):
        self.base, self.spec, self.key = base, spec, base.key
        self.evidence = _CombinedEvidence(base, spec)

    def matched(self, key: int) -> int:
        return sum(self.base.counts.get(k, 0) for k in self.spec.base_keys(key))

    def value(self, key: int) -> float | bool | None:
        return combined_value(self.base, self.spec.base_keys(key))


class _CombinedEvidence:
    """`slot.evidence.get(key, ())` for a derived slot: the base periods' events, in order."""

    __slots__ = ("base", "spec")

    def __init__(self, base: Slot, spec: PeriodSpec):
        self.base, self.spec = base, spec

    def get(self, key: int, default: Any = ()) -> list[Any]:
        out: list[Any] = []
        for k in self.spec.base_keys(key):
            out.extend(self.base.evidence.get(k, ()))
        return out[:EVIDENCE_CAP] if out else list(default)


def combined_value(slot: Slot, keys: tuple[int, ...]) -> float | bool | None:
    """An aggregate over several periods of its slot, from their states (see compile.Slot)."""
    fn = slot.key.fn
    counts = sum(slot.counts.get(k, 0) for k in keys)
    if fn is m.AggregateFn.COUNT:
        return float(counts)
    if fn is m.AggregateFn.EXISTS:
        return counts > 0
    extra = sum(slot.extra.get(k, 0) for k in keys)
    if fn is m.AggregateFn.SHARE:
        return counts / extra if extra else None
    present = [slot.values[k] for k in keys if k in slot.values]
    if fn is m.AggregateFn.DISTINCT:
        union: set[Any] = set()
        for values in present:
            union |= values
        return float(len(union))
    if fn is m.AggregateFn.SUM:
        return settle(float(sum(present))) if present else 0.0
    if fn is m.AggregateFn.AVG:
        return settle(float(sum(present)) / extra) if extra else None
    if not present:
        return None
    if fn is m.AggregateFn.MIN:
        return float(min(present))
    if fn is m.AggregateFn.MAX:
        return float(max(present))
    if fn is m.AggregateFn.LAST:
        return float(max(present, key=lambda latest: latest[0])[1])
    if fn is m.AggregateFn.UNITS:
        return float(len({unit for counts in present for unit in counts}))
    raise ValueError(f"cannot combine {fn}")
