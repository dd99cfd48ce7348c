"""Event sources: anything that yields numbered rows, each a mapping with plan names.

A source knows its provenance (`name`, shown in rejections and evidence) and yields
`(row_number, record)` pairs, where the record has the keys `type`, `date`, optionally `id`
and `fin`/`end`, and the plan's field names. Readers apply the column mapping; the evaluator
converts and validates the values against the plan, so every reader gets the same checks.
A reader yields `RowProblem` for a row it could not read and `SkippedRow` for a row its
mapping leaves aside: every row is accounted for.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from ..events import RowProblem, SkippedRow

Row = tuple[int, Mapping[str, Any] | RowProblem | SkippedRow]


@runtime_checkable
class EventSource(Protocol):
    """What `indicateurs.evaluate` reads: a named iterable of numbered rows."""

    name: str

    def rows(self) -> Iterator[Row]: ...


@attrs.define
class RecordsSource:
    """Python objects as events: mappings, or objects with attributes (dataclasses, attrs)."""

    records: Iterable[Any]
    name: str = "<enregistrements>"

    def rows(self) -> Iterator[Row]:
        for number, record in enumerate(self.records, start=1):
            if isinstance(record, Mapping):
                yield number, record
            elif attrs.has(type(record)):
                yield number, attrs.asdict(record, recurse=False)
            elif hasattr(record, "__dict__"):
                yield number, vars(record)
            elif hasattr(record, "_asdict"):
                yield number, record._asdict()
            else:
                yield number, RowProblem("ligne_illisible", type(record).__name__)


def from_records(records: Iterable[Any], name: str = "<enregistrements>") -> RecordsSource:
    return RecordsSource(records, name)


def as_sources(sources: Any, mapping: Any = None) -> list[EventSource]:
    """Whatever the caller passed (a source, a path, records, or a list of these) as sources."""
    if isinstance(sources, EventSource):
        return [sources]
    if isinstance(sources, str | os.PathLike):
        return [open_source(sources, mapping=mapping)]
    if isinstance(sources, Mapping):
        return [from_records([sources])]
    items = list(sources)
    if items and all(isinstance(x, EventSource | str | os.PathLike) for x in items):
        out: list[EventSource] = []
        for item in items:
            out.extend(as_sources(item, mapping))
        return out
    return [from_records(items)]


def open_source(path: str | os.PathLike[str], mapping: Any = None) -> EventSource:
    """A file source chosen by extension: .csv/.txt/.tsv, .jsonl/.ndjson, .xlsx."""
    return open_file_source(Path(path), mapping=mapping)


# The file readers import `Row` from this module, hence these imports at its end.
from .columns import SourceError, SourceWarning  # noqa: E402
from .csv_source import CsvSource, read_csv  # noqa: E402
from .files import open_file_source  # noqa: E402
from .jsonl_source import JsonlSource, read_jsonl  # noqa: E402
from .mapping import ColumnMapping, MappingError, load_mapping  # noqa: E402
from .xlsx_source import XlsxSource, read_xlsx  # noqa: E402

__all__ = [
    "ColumnMapping",
    "CsvSource",
    "EventSource",
    "JsonlSource",
    "MappingError",
    "RecordsSource",
    "Row",
    "SourceError",
    "SourceWarning",
    "XlsxSource",
    "as_sources",
    "from_records",
    "load_mapping",
    "open_file_source",
    "open_source",
    "read_csv",
    "read_jsonl",
    "read_xlsx",
]
