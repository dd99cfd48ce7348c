"""Row numbering shared by the file readers: the header row, blank rows, rows wider than the header.

A spreadsheet numbers every row, blank or not, so the readers do too: leading blank rows come
before the header (row 1, or the row it is on); a blank row between data rows is an ignored
row (`ligne_vide`), reported once a data row follows it, so that blank rows at the end of a
file are the end of the file and not rows. What stays in each reader is only its own way of
telling a blank row and of padding a short one (a CSV row is truncated, a worksheet row is not).
The per-row loops stay in the readers, with no call per row: these helpers run on the header,
on blank rows and on rows of the wrong width only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from ..events import SkippedRow
from .columns import Finisher, assign_keys, finisher, header_names, is_blank_cell, warn_all
from .mapping import ColumnMapping

BLANK_ROW = SkippedRow("ligne_vide")

Cells = TypeVar("Cells", bound=Sequence[Any])


@attrs.frozen
class Header:
    """A file's header: its row number, the record key of each column, the mapping's row work."""

    number: int
    keys: list[str]
    finish: Finisher | None


def read_header(
    rows: Iterator[Cells],
    blank: Callable[[Cells], bool],
    mapping: ColumnMapping | None,
    where: str,
    notes: list[str],
    *,
    trim: bool = False,
) -> Header | None:
    """The first non-blank row of `rows` as a header (None for a file of blank rows).

    Consumes `rows` up to the header; the header's warnings go to `notes` and are issued as
    `SourceWarning`s. `trim`: drop empty cells at the end of the header (a worksheet's).
    """
    number = 0
    for cells in rows:
        number += 1
        if not blank(cells):
            break
    else:
        return None
    values = list(cells)
    if trim:
        while values and is_blank_cell(values[-1]):
            values.pop()
    keys, found = assign_keys(header_names(values), mapping, where)
    notes.extend(found)
    warn_all(found)  # at the line that iterates the source: warn_all < here < the reader's rows
    return Header(number, keys, finisher(keys, mapping))


def blank_rows(number: int, count: int) -> Iterator[tuple[int, SkippedRow]]:
    """The `count` blank rows just before row `number`, as ignored rows."""
    for n in range(number - count, number):
        yield n, BLANK_ROW


def values_past(cells: Sequence[Any], width: int) -> bool:
    """Whether a row holds a value past the header's last column (`colonnes_en_trop`); empty
    cells there, `a;b;c;`, are harmless and dropped."""
    return any(not is_blank_cell(c) for c in cells[width:])


__all__ = ["BLANK_ROW", "Header", "blank_rows", "read_header", "values_past"]
