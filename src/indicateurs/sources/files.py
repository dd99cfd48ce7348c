"""A file source chosen by the file's extension."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import EventSource
from .columns import SourceError
from .csv_source import read_csv
from .jsonl_source import read_jsonl
from .mapping import ColumnMapping
from .xlsx_source import read_xlsx

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def open_file_source(
    path: str | os.PathLike[str],
    mapping: ColumnMapping | str | os.PathLike[str] | dict[str, Any] | None = None,
) -> EventSource:
    """The reader for a path by its extension: .csv/.txt/.tsv, .jsonl/.ndjson, .xlsx/.xlsm."""
    suffix = Path(path).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path, mapping=mapping)
    if suffix in JSONL_SUFFIXES:
        return read_jsonl(path, mapping=mapping)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, mapping=mapping)
    if suffix in (".xls", ".ods"):
        raise SourceError(
            f"{path} : le format {suffix} n'est pas lu ; enregistrez le fichier au format .xlsx ou .csv"
        )
    raise SourceError(
        f"{path} : extension « {suffix or '(aucune)'} » inconnue ; formats lus : .csv, .txt, .tsv, "
        ".jsonl, .ndjson, .xlsx"
    )


__all__ = ["open_file_source"]
