"""CSV (and tab-separated .txt/.tsv) files, read row by row.

What Belgian offices actually produce: `;`-separated files written by Excel in cp1252, UTF-8
with or without a byte-order mark, tab-separated "Unicode text" in UTF-16, the odd `,` or `|`.
The encoding and the delimiter are detected from the first 64 KiB unless given (argument or
the mapping's `[fichier]`); the rest of the file is never held in memory.

Row numbers are those a spreadsheet shows: the header is row 1 (or the row it is on, after
leading blank lines), the first data row is row 2; a cell spanning several lines is one row.
Blank rows between data rows are counted as ignored (`ligne_vide`); blank rows after the last
data row are the end of the file, as in a spreadsheet, and are not rows. A row with fewer
cells than the header is `ligne_tronquee`, one with more non-empty cells `colonnes_en_trop`
(empty cells past the header, `a;b;c;`, are harmless and dropped). Bytes that do not decode
make the row `encodage`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..events import RowProblem
from . import Row
from .columns import DECODE_ERRORS, DECODE_HANDLER, SourceWarning
from .mapping import ColumnMapping, as_mapping
from .rows import blank_rows, read_header, values_past

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (";", "\t", ",", "|")  # in order of preference on a tie


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM or without, else cp1252 (Windows, Belgium)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8.
        if exc.start >= len(sample) - 3 and len(sample) >= SAMPLE_BYTES and "end of data" in exc.reason:
            return "utf-8-sig"
    if b"\x00" in sample:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is not None:
            return best.encoding
    return "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the next rows alike into the most columns."""
    best, best_score = ";", (0, 0.0, 0)
    for candidate in DELIMITERS:
        lines = [r for r in _records(text, candidate) if any(c.strip() for c in r)]
        if not lines:
            continue
        width = len(lines[0])
        if width < 2:
            continue
        alike = sum(1 for r in lines[1:] if len(r) == width) / max(len(lines) - 1, 1)
        score = (1, alike, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _records(text: str, delimiter: str, limit: int = 30) -> list[list[str]]:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    out: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO("".join(lines[: limit * 4])), delimiter=delimiter):
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return (
            f"cellule de plus de {csv.field_size_limit()} caractères : un guillemet non fermé a "
            "probablement fusionné de nombreuses lignes du fichier"
        )
    return text


def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _width_detail(cells: list[str], width: int) -> str:
    detail = f"{len(cells)} colonnes sur {width}"
    lines = sum(c.rstrip("\r\n").count("\n") for c in cells)
    if lines:
        detail += f" ; un guillemet non fermé ? {lines + 1} lignes du fichier lues comme une seule"
    return detail


class CsvSource:
    """A delimited text file as an event source; re-iterable, each pass reads the file anew."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
        delimiter: str | None = None,
        encoding: str | None = None,
        name: str | None = None,
    ):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"fichier introuvable : {path}")
        self.mapping = as_mapping(mapping)
        self.name = name or str(path)
        self.warnings: list[str] = []
        with self.path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
        declared = encoding or (self.mapping.encoding if self.mapping else None)
        self.encoding: str = codecs.lookup(declared).name if declared else detect_encoding(sample)
        if self.encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
        chosen = delimiter or (self.mapping.delimiter if self.mapping else None)
        if chosen is None:
            chosen = sniff_delimiter(sample.decode(self.encoding, errors="replace"))
        if len(chosen) != 1:
            raise ValueError(f"délimiteur d'un seul caractère attendu, pas « {chosen} »")
        self.delimiter: str = chosen

    def __repr__(self) -> str:
        return f"CsvSource({self.name!r}, encoding={self.encoding!r}, delimiter={self.delimiter!r})"

    def rows(self) -> Iterator[Row]:
        return self._rows()  # the generator itself: no relay per row

    def _rows(self) -> Iterator[Row]:
        self.warnings = []
        with self.path.open(encoding=self.encoding, errors=DECODE_HANDLER, newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            errors_before = DECODE_ERRORS[0]
            header = read_header(reader, _blank, self.mapping, self.name, self.warnings)
            if header is None:
                return
            number, keys, finish = header.number, header.keys, header.finish
            width = len(keys)
            blanks = 0  # blank rows waiting for a data row after them

            while True:
                try:
                    for cells in reader:
                        number += 1
                        # A value in the first cell: not a blank row (the usual case, no join).
                        if not (cells and cells[0].strip()):
                            joined = "".join(cells)
                            if not joined or joined.isspace():
                                blanks += 1
                                continue
                        if blanks:
                            yield from blank_rows(number, blanks)
                            blanks = 0
                        if DECODE_ERRORS[0] != errors_before:
                            joined = "".join(cells)
                            if "\ufffd" in joined:
                                yield number, RowProblem("encodage", joined[:80])
                                continue
                        if len(cells) != width:
                            if len(cells) < width:
                                yield number, RowProblem("ligne_tronquee", _width_detail(cells, width))
                                continue
                            if values_past(cells, width):
                                yield number, RowProblem("colonnes_en_trop", _width_detail(cells, width))
                                continue
                            cells = cells[:width]
                        # As wide as the keys now: zip's strict check would test it again on every row.
                        record: dict[str, Any] = dict(zip(keys, cells, strict=False))
                        if finish is None:
                            yield number, record
                        else:
                            yield number, finish(record)
                    break
                except csv.Error as exc:
                    number += 1
                    yield number, RowProblem("ligne_illisible", _csv_problem(exc))


def read_csv(
    path: str | os.PathLike[str],
    *,
    mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> CsvSource:
    """A CSV file as an event source. `mapping`: a `ColumnMapping` or the path of a TOML file;
    `delimiter`/`encoding`: override the mapping's `[fichier]` and the detection."""
    return CsvSource(path, mapping=mapping, delimiter=delimiter, encoding=encoding, name=name)


__all__ = ["CsvSource", "SourceWarning", "detect_encoding", "read_csv", "sniff_delimiter"]
