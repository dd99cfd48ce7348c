"""Plan loading, the front door: text → statements → tree → checks → `Plan` or `PlanError`."""

from __future__ import annotations

import os
from pathlib import Path

from . import model as m
from .assemble import Assembler
from .check import check_plan
from .diagnostics import Diagnostic, PlanError, Severity, sort_diagnostics
from .parse import normalise_text, parse_statements


def read_plan_text(path: str | os.PathLike[str]) -> str:
    """A plan file's text; plans are UTF-8, and files saved by Windows tools as cp1252 are read too."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # A byte cp1252 does not define becomes U+FFFD, which the parser reports with its position.
        return data.decode("cp1252", errors="replace")


def analyse(text: str, file: str = "<texte>") -> tuple[m.Plan, list[Diagnostic]]:
    """Every diagnostic of a plan text, errors and warnings, sorted by position."""
    statements, diagnostics = parse_statements(text, file)
    assembler = Assembler(file)
    plan = assembler.assemble(statements)
    diagnostics.extend(assembler.diagnostics)
    diagnostics.extend(check_plan(plan))
    if any(d.code.startswith("S") for d in diagnostics):
        # An indicator whose expression line did not parse is not "without expression".
        diagnostics = [d for d in diagnostics if d.code != "C126"]
    return plan, sort_diagnostics(diagnostics)


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL byte: plan text, not a path
        return False


def load_plan(source: str | os.PathLike[str], *, name: str | None = None) -> m.Plan:
    """Compile a plan from a path or from plan text; raise `PlanError` listing every error.

    A string containing a newline, or naming no existing file, is taken as plan text; a
    one-line string ending in `.plan` that names no file raises FileNotFoundError.
    """
    one_line = isinstance(source, str) and "\n" not in source and "\r" not in source and len(source) < 4096
    if one_line and str(source).strip().endswith(".plan") and not _is_file(str(source)):
        raise FileNotFoundError(source)
    if isinstance(source, os.PathLike) or (one_line and _is_file(str(source))):
        file = name or str(source)
        text = read_plan_text(source)
    else:
        file = name or "<texte>"
        text = str(source)
    plan, diagnostics = analyse(text, file)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise PlanError(errors, {file: normalise_text(text)})
    return plan
