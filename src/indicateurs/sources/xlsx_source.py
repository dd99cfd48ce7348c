"""Excel workbooks (.xlsx, .xlsm), read row by row with openpyxl in read-only mode.

The sheet is the first one, or the one named by `sheet=` or the mapping's `[fichier] feuille`
(matched whatever the case and accents). The header is the first non-empty row; rows are
numbered as Excel shows them. Dates come as the workbook stores them: real dates, or serial
numbers and text when the cell is not formatted as a date; the evaluator reads all three.
Formulas give the value Excel last computed (a workbook never opened in Excel has none).

Numbers shown in percent: a cell stored 0.66 and formatted `0 %` shows 66 %; it comes as a
`PercentCell` (a float that knows it), which a value declared `en %` reads as 66, as it reads
the text `66 %`, and any other decimal field refuses with its reason, as it refuses that text.
openpyxl gives the number format of each cell in read-only mode too (`ReadOnlyCell.number_format`),
but reading cells rather than bare values costs about a quarter more: a workbook whose styles
show no number in percent (most) is read by values.

Merged cells: openpyxl gives the value only to the top-left cell of a merged range, the
other cells are empty. Filling the value down would be a guess (a merged "type" cell over
three rows may or may not mean three activities of that type), so it is not done: a row
whose required cell is empty because of a merge is rejected by the evaluator like any row
with a missing value (`type_manquant`, `date_manquante`, `champ_manquant`), at its own row
number, for the officer to fix in the workbook.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..convert import PercentCell
from ..events import RowProblem
from . import Row
from .columns import SourceError
from .mapping import ColumnMapping, as_mapping, norm
from .rows import blank_rows, read_header, values_past


def _open_workbook(path: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise SourceError(f"{path} : ce n'est pas un classeur Excel .xlsx lisible ({exc})") from None


# Sections of a number format that are shown as written, not read as format codes: quoted
# text, escaped characters and bracketed colours or conditions (`0" %"` shows 66 as `66 %`).
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@functools.cache
def is_percent_format(number_format: str | None) -> bool:
    """Whether Excel multiplies a number by 100 to show it: a `%` code in its number format."""
    return bool(number_format) and "%" in _LITERAL.sub("", number_format or "")


def percent_styles(workbook: Any) -> frozenset[int] | None:
    """The indices of the workbook's cell styles whose number format is in percent, read once
    (as openpyxl keeps its date styles), so that a cell is tested by its style index alone;
    None when openpyxl does not tell (then each cell's format is read, which is always right)."""
    styles = getattr(workbook, "_cell_styles", None)
    formats = getattr(workbook, "_number_formats", None)
    if styles is None or formats is None:
        return None
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    found: set[int] = set()
    try:
        for index, style in enumerate(styles):
            ident = style.numFmtId
            if ident < BUILTIN_FORMATS_MAX_SIZE:
                number_format = BUILTIN_FORMATS.get(ident, "General")
            else:
                number_format = formats[ident - BUILTIN_FORMATS_MAX_SIZE]
            if is_percent_format(number_format):
                found.add(index)
    except (AttributeError, IndexError, TypeError):
        return None
    return frozenset(found)


def _cell_values(
    rows: Iterator[tuple[Any, ...]], percent: frozenset[int] | None
) -> Iterator[tuple[Any, ...]]:
    """The values of rows of read-only cells, a number shown in percent as a `PercentCell`
    (`percent`: the percent style indices, see `percent_styles`)."""
    for cells in rows:
        values = []
        for cell in cells:
            value = cell.value
            kind = value.__class__
            if (kind is float or kind is int) and (
                cell._style_id in percent if percent is not None else is_percent_format(cell.number_format)
            ):
                value = PercentCell(value)
            values.append(value)
        yield tuple(values)


def _blank_row(values: tuple[Any, ...]) -> bool:
    return all(v is None or (v.__class__ is str and not v.strip()) for v in values)


class XlsxSource:
    """A worksheet as an event source; re-iterable, each pass opens the workbook anew."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
        sheet: str | None = None,
        name: str | None = None,
    ):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"fichier introuvable : {path}")
        self.mapping = as_mapping(mapping)
        self.warnings: list[str] = []
        wanted = sheet or (self.mapping.sheet if self.mapping else None)
        workbook = _open_workbook(self.path)
        try:
            names: list[str] = list(workbook.sheetnames)
        finally:
            workbook.close()
        if not names:
            raise SourceError(f"{path} : le classeur ne contient aucune feuille")
        if wanted is None:
            self.sheet = names[0]
        else:
            found = next((n for n in names if n == wanted), None) or next(
                (n for n in names if norm(n) == norm(wanted)), None
            )
            if found is None:
                listed = ", ".join(f"« {n} »" for n in names)
                raise SourceError(f"{path} : pas de feuille « {wanted} » (feuilles : {listed})")
            self.sheet = found
        self.name = name or (str(path) if wanted is None else f"{path} [{self.sheet}]")

    def __repr__(self) -> str:
        return f"XlsxSource({self.name!r}, sheet={self.sheet!r})"

    def rows(self) -> Iterator[Row]:
        return self._rows()  # the generator itself: no relay per row

    def _rows(self) -> Iterator[Row]:
        self.warnings = []
        workbook = _open_workbook(self.path)
        try:
            sheet = workbook[self.sheet]
            sheet.reset_dimensions()  # a wrong stored dimension must not hide rows
            percent = percent_styles(workbook)
            if percent is None or percent:
                rows = _cell_values(sheet.iter_rows(), percent)
            else:
                rows = sheet.iter_rows(values_only=True)
            header = read_header(rows, _blank_row, self.mapping, self.name, self.warnings, trim=True)
            if header is None:
                return
            number, keys, finish = header.number, header.keys, header.finish
            width = len(keys)
            blanks = 0  # blank rows waiting for a data row after them
            for values in rows:
                number += 1
                if _blank_row(values):
                    blanks += 1
                    continue
                if blanks:
                    yield from blank_rows(number, blanks)
                    blanks = 0
                size = len(values)
                if size != width:
                    if size > width:
                        if values_past(values, width):
                            yield number, RowProblem("colonnes_en_trop", f"{size} colonnes sur {width}")
                            continue
                        values = values[:width]
                    else:  # a workbook does not store the empty cells at the end of a row
                        values = values + (None,) * (width - size)
                record: dict[str, Any] = dict(zip(keys, values, strict=True))
                if finish is None:
                    yield number, record
                else:
                    yield number, finish(record)
        finally:
            workbook.close()


def read_xlsx(
    path: str | os.PathLike[str],
    *,
    mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
    sheet: str | None = None,
    name: str | None = None,
) -> XlsxSource:
    """A worksheet of an .xlsx workbook as an event source (first sheet unless named)."""
    return XlsxSource(path, mapping=mapping, sheet=sheet, name=name)


__all__ = ["XlsxSource", "read_xlsx"]
