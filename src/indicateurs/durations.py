"""Durations between two dates of an event, in days or in working days.

    événement dossier « Dossier de médiation »
        reçu : date
        clôturé : date optionnel
        délai : durée de reçu à clôturé en jours ouvrables

A duration field is computed, never read: from its first date to its second (by default the
event's own `date` and its end, `fin`/`end`). In days it is the number of days between them
(the same day is 0, the next day 1); in working days, the number of days after the first date
up to the second that are neither a Saturday, a Sunday nor a Belgian public holiday (New
Year, Easter Monday, 1 May, Ascension, Whit Monday, 21 July, 15 August, 1 and 11 November,
Christmas): a case received on Friday and closed on Monday took 1 working day. A missing date
(an open case) gives no duration; an end before the start rejects the row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from . import model as m
from .convert import FieldError

ROW_DATE = "date"  # the event's own date
END_NAMES = ("fin", "end")  # the event's end


@functools.cache
def _holidays(year: int) -> tuple[int, ...]:
    """Belgian public holidays of a year falling on a weekday, as ordinals, sorted."""
    import holidays  # imported on first use: plans without working days never pay for it

    days = holidays.country_holidays("BE", years=year)
    return tuple(sorted(d.toordinal() for d in days if d.weekday() < 5))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day.toordinal() not in _holidays(day.year)


def _weekdays_after(start: dt.date, end: dt.date) -> int:
    """Weekdays d with start < d <= end."""
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for i in range(1, rest + 1):
        if (weekday + i) % 7 < 5:
            count += 1
    return count


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to `end` included (0 when they are the same day)."""
    count = _weekdays_after(start, end)
    low, high = start.toordinal(), end.toordinal()
    for year in range(start.year, end.year + 1):
        table = _holidays(year)
        count -= bisect.bisect_right(table, high) - bisect.bisect_right(table, low)
    return count


def days_between(start: dt.date, end: dt.date, working: bool) -> int:
    return working_days_between(start, end) if working else (end - start).days


def reader(decl: m.FieldDecl) -> Callable[[Any, Any], int | None]:
    """The computation of a duration field from its two dates; `FieldError` when the second
    comes before the first."""
    duration = decl.duration
    assert duration is not None
    working, name = duration.working, decl.name

    def read(start: Any, end: Any) -> int | None:
        if start is None or end is None:
            return None
        if end < start:
            raise FieldError("duree_negative", name, f"{start.isoformat()} → {end.isoformat()}")
        return days_between(start, end, working)

    return read


def endpoints(decl: m.FieldDecl) -> tuple[str, str]:
    duration = decl.duration
    assert duration is not None
    return duration.start, duration.end


def computed(event_type: m.EventType, fields: dict[str, Any], date: dt.date, end: dt.date | None) -> None:
    """Fill in the duration fields of one event's converted fields (raises `FieldError`)."""
    for decl in event_type.fields:
        if decl.duration is None:
            continue
        start_name, end_name = endpoints(decl)
        ends = [_date_of(n, fields, date, end) for n in (start_name, end_name)]
        fields[decl.name] = reader(decl)(*ends)


def _date_of(name: str, fields: dict[str, Any], date: dt.date, end: dt.date | None) -> Any:
    if name == ROW_DATE:
        return date
    if name in END_NAMES:
        return end
    return fields.get(name)
