"""Events as the evaluator sees them, and the verdict on input rows that cannot become events.

`Event` is a plain slotted class, not an attrs class: millions of them may flow through one
evaluation, and construction cost matters there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs


class Event:
    """One recorded activity: its type, date (and end for durations), id, fields, provenance."""

    __slots__ = ("date", "end", "fields", "id", "row", "source", "type")

    def __init__(
        self,
        type: str,
        date: dt.date,
        fields: dict[str, Any],
        id: str | None = None,
        end: dt.date | None = None,
        source: str = "",
        row: int = 0,
    ):
        self.type = type
        self.date = date
        self.fields = fields
        self.id = id
        self.end = end
        self.source = source
        self.row = row

    def __repr__(self) -> str:
        return f"Event({self.type!r}, {self.date.isoformat()}, {self.fields!r}, id={self.id!r})"


@attrs.frozen
class RowProblem:
    """What a reader says of a row it could not read at all (truncated line, bad encoding)."""

    code: str
    detail: str = ""


@attrs.frozen
class Rejection:
    """An input row that could not be used, with where it was and why."""

    source: str
    row: int
    code: str
    message: str
    field: str | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "row": self.row,
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "value": self.value,
        }


@attrs.frozen
class SkippedRow:
    """A row the source's mapping says to leave aside (a type listed as ignored): counted as ignored."""

    reason: str
