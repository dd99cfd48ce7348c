"""Calendar periods: which bucket an event falls in, and the buckets of an evaluation period.

Bucket keys are small integers computed with integer arithmetic only, because they are
computed for every event: year 2023 → 2023, semester → 20231/20232, quarter → 20231..20234,
month → 202301..202312, the whole evaluation period → 0.
"""

from __future__ import annotations

import datetime as dt

import attrs

from .model import PeriodUnit, PlanPeriod

# Where each unit's bucket key sits in a `DateInfo`; the whole period's key is always 0.
KEY_INDEX: dict[PeriodUnit, int] = {
    PeriodUnit.YEAR: 1,
    PeriodUnit.SEMESTER: 2,
    PeriodUnit.QUARTER: 3,
    PeriodUnit.MONTH: 4,
}

DateInfo = tuple[dt.date, int, int, int, int]  # the date and its year, semester, quarter, month keys


def bucket_key(unit: PeriodUnit, date: dt.date) -> int:
    if unit is PeriodUnit.YEAR:
        return date.year
    if unit is PeriodUnit.MONTH:
        return date.year * 100 + date.month
    if unit is PeriodUnit.QUARTER:
        return date.year * 10 + (date.month + 2) // 3
    if unit is PeriodUnit.SEMESTER:
        return date.year * 10 + (1 if date.month <= 6 else 2)
    return 0


def date_info(date: dt.date) -> DateInfo:
    """A date with all its bucket keys, computed once per distinct date (see `bucket_key`)."""
    year, month = date.year, date.month
    return (
        date,
        year,
        year * 10 + (1 if month <= 6 else 2),
        year * 10 + (month + 2) // 3,
        year * 100 + month,
    )


@attrs.frozen
class Bucket:
    """One period of an indicator: its key, a stable label (`2023`, `2023-S1`, `2023-Q2`, `2023-05`),
    the dates the window covers of it, and the dates of the whole calendar period.

    A period the window cuts (a school year when the plan starts in January) is partial: its
    value is reported but it cannot be judged against a target set for the whole period.
    """

    key: int
    label: str
    start: dt.date
    end: dt.date  # inclusive
    full_start: dt.date | None = None  # the calendar period in full (None: as covered)
    full_end: dt.date | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def partial(self) -> bool:
        """Whether the window covers only part of the period."""
        return (self.full_start is not None and self.start > self.full_start) or (
            self.full_end is not None and self.end < self.full_end
        )


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def buckets(unit: PeriodUnit, period: PlanPeriod) -> list[Bucket]:
    """Every bucket of `unit` that overlaps the period, clipped to it."""
    if unit is PeriodUnit.WHOLE:
        return [Bucket(0, _whole_label(period), period.start, period.end)]
    step = {PeriodUnit.YEAR: 12, PeriodUnit.SEMESTER: 6, PeriodUnit.QUARTER: 3, PeriodUnit.MONTH: 1}[unit]
    out: list[Bucket] = []
    year, month = period.start.year, ((period.start.month - 1) // step) * step + 1
    while True:
        start = dt.date(year, month, 1)
        if start > period.end:
            break
        last_month = month + step - 1
        end = _month_end(year, last_month)
        key = bucket_key(unit, start)
        covered = (max(start, period.start), min(end, period.end))
        out.append(Bucket(key, _label(unit, start), *covered, start, end))
        month += step
        if month > 12:
            month -= 12
            year += 1
    return out


def _label(unit: PeriodUnit, start: dt.date) -> str:
    if unit is PeriodUnit.YEAR:
        return str(start.year)
    if unit is PeriodUnit.SEMESTER:
        return f"{start.year}-S{1 if start.month <= 6 else 2}"
    if unit is PeriodUnit.QUARTER:
        return f"{start.year}-Q{(start.month + 2) // 3}"
    return f"{start.year}-{start.month:02d}"


def _whole_label(period: PlanPeriod) -> str:
    if period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(period.end.year, 12, 31):
        if period.start.year == period.end.year:
            return str(period.start.year)
        return f"{period.start.year}–{period.end.year}"
    return f"{period.start.isoformat()}–{period.end.isoformat()}"


def key_range(unit: PeriodUnit, key: int, window: PlanPeriod) -> tuple[dt.date, dt.date]:
    """The dates a bucket key stands for, clipped to the evaluation window."""
    if unit is PeriodUnit.WHOLE:
        return window.start, window.end
    if unit is PeriodUnit.YEAR:
        start, end = dt.date(key, 1, 1), dt.date(key, 12, 31)
    elif unit is PeriodUnit.MONTH:
        year, month = divmod(key, 100)
        start, end = dt.date(year, month, 1), _month_end(year, month)
    else:
        year, index = divmod(key, 10)
        step = 3 if unit is PeriodUnit.QUARTER else 6
        first = (index - 1) * step + 1
        start, end = dt.date(year, first, 1), _month_end(year, first + step - 1)
    return max(start, window.start), min(end, window.end)


def keys_between(unit: PeriodUnit, start: dt.date, end: dt.date) -> tuple[int, ...]:
    """The keys of `unit` whose buckets meet [start, end], in order."""
    if unit is PeriodUnit.WHOLE:
        return (0,)
    keys: dict[int, None] = {}
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= end:
        keys[bucket_key(unit, dt.date(year, month, 1))] = None
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return tuple(keys)
