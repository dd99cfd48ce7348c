"""JSON Lines files (.jsonl, .ndjson): one JSON object per line, read line by line.

Row numbers are line numbers (there is no header). A line that is not valid JSON, or is
valid JSON but not an object, is rejected as `json_invalide` with the reason in French.
Blank lines between objects are counted as ignored (`ligne_vide`); blank lines at the end
of the file are not rows. JSON is UTF-8 (a byte-order mark is tolerated); the mapping's
`[fichier] encoding`, meant for CSV, does not apply, only an explicit `encoding=` does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..events import RowProblem
from . import Row
from .columns import DECODE_ERRORS, DECODE_HANDLER, finisher
from .mapping import ColumnMapping, as_mapping
from .rows import blank_rows

_JSON_MESSAGES = (
    ("Expecting value", "valeur attendue"),
    (
        "Expecting property name enclosed in double quotes",
        "nom de propriété entre guillemets doubles attendu",
    ),
    ("Expecting ',' delimiter", "virgule attendue"),
    ("Expecting ':' delimiter", "deux-points attendus"),
    ("Unterminated string starting at", "texte non terminé"),
    ("Invalid control character at", "caractère de contrôle interdit"),
    ("Invalid \\escape", "séquence d'échappement invalide"),
    ("Extra data", "données en trop après l'objet"),
)
_NOT_OBJECT = {list: "une liste", str: "un texte", int: "un nombre", float: "un nombre", bool: "un booléen"}


def json_problem(exc: json.JSONDecodeError) -> str:
    """A JSON parser's complaint in French, with the position in the line where it arose."""
    words = next((fr for en, fr in _JSON_MESSAGES if exc.msg.startswith(en)), exc.msg)
    return f"{words} (caractère {exc.pos + 1})"


class JsonlSource:
    """A JSON Lines file as an event source; re-iterable."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
        encoding: str | None = None,
        name: str | None = None,
    ):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"fichier introuvable : {path}")
        self.mapping = as_mapping(mapping)
        self.encoding = encoding or "utf-8-sig"
        self.name = name or str(path)
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"JsonlSource({self.name!r})"

    def rows(self) -> Iterator[Row]:
        mapping = self.mapping
        finish = finisher(None, mapping)
        keys: dict[str, tuple[bool, str]] = {}  # source key -> (mapped?, record key)
        loads = json.loads
        blanks = 0
        errors_before = DECODE_ERRORS[0]
        with self.path.open(encoding=self.encoding, errors=DECODE_HANDLER) as f:
            for number, line in enumerate(f, start=1):
                if not line or line.isspace():
                    blanks += 1
                    continue
                if blanks:
                    yield from blank_rows(number, blanks)
                    blanks = 0
                if DECODE_ERRORS[0] != errors_before and "\ufffd" in line:
                    yield number, RowProblem("encodage", line.strip()[:80])
                    continue
                try:
                    obj = loads(line)
                except json.JSONDecodeError as exc:
                    yield number, RowProblem("json_invalide", json_problem(exc))
                    continue
                if obj.__class__ is not dict:
                    shown = _NOT_OBJECT.get(type(obj), "null" if obj is None else type(obj).__name__)
                    yield number, RowProblem("json_invalide", f"un objet {{…}} est attendu, pas {shown}")
                    continue
                if mapping is None:
                    record: dict[str, Any] = obj
                else:
                    record = {}
                    later: list[tuple[str, Any]] = []
                    for key, value in obj.items():
                        found = keys.get(key)
                        if found is None:
                            found = keys[key] = _record_key(str(key), mapping)
                        if found[0]:
                            record[found[1]] = value
                        else:
                            later.append((found[1], value))
                    for key, value in later:
                        record.setdefault(key, value)
                if finish is None:
                    yield number, record
                else:
                    yield number, finish(record)


def _record_key(key: str, mapping: ColumnMapping) -> tuple[bool, str]:
    target = mapping.target(key)
    if target is not None:
        return True, target
    known = mapping.known_name(key)
    return False, known if known is not None else key


def read_jsonl(
    path: str | os.PathLike[str],
    *,
    mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> JsonlSource:
    """A JSON Lines file as an event source; `mapping` renames keys and translates values."""
    return JsonlSource(path, mapping=mapping, encoding=encoding, name=name)


__all__ = ["JsonlSource", "json_problem", "read_jsonl"]
