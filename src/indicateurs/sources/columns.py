"""From a file's header to the record keys, and the per-row value translations of a mapping.

Shared by the CSV and XLSX readers (and, for values, the JSONL reader). The header is read
once: each column gets its record key (the mapping's target, a row key such as `date` written
in any case, or the column's own name). Two columns can never share a key: the second keeps
its data under `name (2)` and a warning says so, so no value is silently lost.
"""

from __future__ import annotations

import codecs
import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ..events import RowProblem, SkippedRow
from .mapping import DATE_KEYS, ROW_KEYS, ColumnMapping, norm

_CACHE_LIMIT = 50_000

# Bytes that do not decode become U+FFFD and are counted: readers check a row's text for
# U+FFFD only once the count has moved, so clean files pay nothing for the check.
DECODE_ERRORS = [0]
DECODE_HANDLER = "indicateurs.compter"


def _replace_and_count(exc: UnicodeError) -> tuple[str, int]:
    DECODE_ERRORS[0] += 1
    assert isinstance(exc, UnicodeDecodeError)
    return "\ufffd", exc.end


codecs.register_error(DECODE_HANDLER, _replace_and_count)
SKIPPED_BY_MAPPING = SkippedRow("ignore_par_correspondance")
_IGNORED: Any = SKIPPED_BY_MAPPING

Record = dict[str, Any]
Finisher = Callable[[Record], Record | RowProblem | SkippedRow]


class SourceWarning(UserWarning):
    """Something a reader noticed in a file's layout (duplicate columns, a missing date column)."""


class SourceError(ValueError):
    """A file that cannot be read as a source at all (unknown format, missing sheet, not a workbook)."""


class _BadDate:
    __slots__ = ("raw",)

    def __init__(self, raw: object):
        self.raw = raw


def is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_names(cells: Sequence[Any]) -> list[str]:
    """Header cells as names: trimmed, BOM removed, an empty cell named after its position."""
    names = []
    for i, cell in enumerate(cells):
        text = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        names.append(text or f"colonne {i + 1}")
    return names


def assign_keys(
    names: Sequence[str], mapping: ColumnMapping | None, where: str
) -> tuple[list[str], list[str]]:
    """The record key of every column, and the warnings about the header (French)."""
    notes: list[str] = []
    keys: list[str | None] = [None] * len(names)
    wanted: list[tuple[int, int, str]] = []  # (priority, column, key): mapped first
    for i, name in enumerate(names):
        if mapping is not None:
            target = mapping.target(name)
            if target is not None:
                wanted.append((0, i, target))
                continue
            known = mapping.known_name(name)
            if known is not None:
                wanted.append((1, i, known))
                continue
        folded = norm(name)
        wanted.append((1, i, folded) if folded in ROW_KEYS else (2, i, name))
    taken: dict[str, int] = {}
    for _, i, key in sorted(wanted):
        if key not in taken:
            taken[key] = i
            keys[i] = key
            continue
        n = 2
        while f"{names[i]} ({n})" in taken or f"{names[i]} ({n})" in names:
            n += 1
        renamed = f"{names[i]} ({n})"
        taken[renamed] = i
        keys[i] = renamed
        first = taken[key]
        notes.append(
            f"{where} : les colonnes {first + 1} « {names[first]} » et {i + 1} « {names[i]} » donnent "
            f"toutes deux « {key} » ; seule la colonne {first + 1} est utilisée, la colonne {i + 1} "
            f"est lue sous le nom « {renamed} »"
        )
    final = [k for k in keys if k is not None]
    if names and "type" not in taken:
        notes.append(
            f"{where} : aucune colonne ne donne le type d'activité (« type ») ; toutes les lignes seront rejetées"
        )
    if names and "date" not in taken:
        notes.append(
            f"{where} : aucune colonne ne donne la date (« date ») ; toutes les lignes seront rejetées"
        )
    return final, notes


def warn_all(notes: Sequence[str]) -> None:
    for note in notes:
        warnings.warn(note, SourceWarning, stacklevel=4)


def _value_translator(table: dict[str, str], ignored: frozenset[str]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def translate(raw: Any) -> Any:
        try:
            return cache[raw]
        except KeyError:
            pass
        except TypeError:  # an unhashable JSON value: left to the evaluator
            return raw
        if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int | float):
            out = raw
        else:
            folded = norm(str(raw))
            out = table.get(folded, raw)
            if ignored and (folded in ignored or (isinstance(out, str) and norm(out) in ignored)):
                out = _IGNORED
        if len(cache) < _CACHE_LIMIT:
            cache[raw] = out
        return out

    return translate


def _date_reader(fmt: str) -> Callable[[Any], Any]:
    cache: dict[str, Any] = {}

    def read(raw: Any) -> Any:
        if not isinstance(raw, str) or not raw.strip():
            return raw  # dates from a workbook, blanks: the evaluator's business
        found = cache.get(raw)
        if found is not None:
            return found
        try:
            out: Any = dt.datetime.strptime(raw.strip(), fmt)
        except ValueError:
            out = _BadDate(raw)
        if len(cache) < _CACHE_LIMIT:
            cache[raw] = out
        return out

    return read


def finisher(keys: Sequence[str] | None, mapping: ColumnMapping | None) -> Finisher | None:
    """The per-row work a mapping asks for (value translations, ignored types, date format),
    or None when there is none. `keys`: the record keys if known (CSV, XLSX); None for JSONL."""
    if mapping is None:
        return None
    steps: list[tuple[str, Callable[[Any], Any]]] = []
    present = set(keys) if keys is not None else None
    if mapping.ignored_types or "type" in mapping.values:
        steps.append(("type", _value_translator(dict(mapping.values.get("type", {})), mapping.ignored_types)))
    for key, table in mapping.values.items():
        if key != "type" and (present is None or key in present):
            steps.append((key, _value_translator(dict(table), frozenset())))
    if mapping.date_format:
        for key in DATE_KEYS:
            if present is None or key in present:
                steps.append((key, _date_reader(mapping.date_format)))
    if not steps:
        return None

    def finish(record: Record) -> Record | RowProblem | SkippedRow:
        for key, step in steps:
            raw = record.get(key)
            if raw is None:
                continue
            out = step(raw)
            if out is _IGNORED:
                return SKIPPED_BY_MAPPING
            if out.__class__ is _BadDate:
                return RowProblem("date_invalide", str(raw))
            record[key] = out
        return record

    return finish


__all__ = [
    "Finisher",
    "SourceError",
    "SourceWarning",
    "assign_keys",
    "finisher",
    "header_names",
    "is_blank_cell",
    "warn_all",
]
