"""`indicateurs formater` (alias `fmt`, `format`): rewrite plan files in their canonical layout.

Every file is read (and a missing one reported, exit 2) before any is written. A file with
syntax errors is never touched: its diagnostics are printed and the exit code is 1. With
`--check` nothing is written and the exit code says whether a file would change; with `--diff`
the changes are printed as a unified diff on standard output (status lines then go to standard
error, so that the output stays a valid patch).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .cli import EXIT_OK, EXIT_PROBLEMS, UsageError, command, read_plan_file
from .diagnostics import PlanError, render_diagnostic
from .format import format_plan
from .i18n import Lang, current_language


@command("formater", ["fmt", "format"], "réécrit des fichiers de plan dans leur mise en page canonique")
def configure_format(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("plans", nargs="+", metavar="PLAN")
    sp.add_argument(
        "--check",
        action="store_true",
        help="n'écrit rien ; code de sortie 1 si un fichier serait modifié",
    )
    sp.add_argument("--diff", action="store_true", help="affiche les modifications (diff unifié) sans écrire")
    sp.add_argument(
        "--langue",
        "--language",
        dest="langue",
        choices=["fr", "en"],
        default=None,
        help="langue des mots-clés (par défaut : la langue dominante du fichier)",
    )
    sp.set_defaults(run=run_format)


def run_format(args: argparse.Namespace) -> int:
    sources = [(path, read_plan_file(path)) for path in args.plans]  # UsageError before any write
    fr = current_language() == "fr"
    status_out: TextIO = sys.stderr if args.diff else sys.stdout
    status = EXIT_OK
    changed = unchanged = failed = 0
    for path, text in sources:
        try:
            formatted = format_plan(text, lang=_lang(args.langue), file=path)
        except PlanError as error:
            for diag in error.errors:
                print(render_diagnostic(diag, error.sources.get(path)), end="\n\n", file=sys.stderr)
            message = (
                "erreurs de syntaxe, fichier laissé tel quel" if fr else "syntax errors, file left untouched"
            )
            print(f"{path} : {message}" if fr else f"{path}: {message}", file=sys.stderr)
            status = EXIT_PROBLEMS
            failed += 1
            continue
        if "\r\n" in text:  # keep a Windows file's line ends
            formatted = formatted.replace("\n", "\r\n")
        if formatted == text:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            _print_diff(path, text, formatted)
        if args.check:
            print(f"{path} : serait reformaté" if fr else f"would reformat {path}", file=status_out)
            status = EXIT_PROBLEMS
        elif not args.diff:
            try:
                _write(Path(path), formatted)
            except OSError as error:
                message = "écriture impossible" if fr else "cannot write"
                raise UsageError(f"{path} : {message} ({error.strerror or error})") from error
            print(f"{path} : reformaté" if fr else f"reformatted {path}", file=status_out)
    print(_summary(changed, unchanged, failed, args.check or args.diff, fr), file=status_out)
    return status


def _lang(value: str | None) -> Lang | None:
    if value is None:
        return None
    return "en" if value == "en" else "fr"


def _summary(changed: int, unchanged: int, failed: int, dry: bool, fr: bool) -> str:
    """One line for the run, e.g. `2 fichiers reformatés, 1 inchangé`."""
    if fr:
        s = "s" if changed > 1 else ""
        parts = [f"{changed} fichier{s} " + ("à reformater" if dry else f"reformaté{s}")]
        parts.append(f"{unchanged} inchangé{'s' if unchanged > 1 else ''}")
        if failed:
            parts.append(f"{failed} en erreur")
    else:
        parts = [
            f"{changed} file{'' if changed == 1 else 's'} "
            + ("would be reformatted" if dry else "reformatted")
        ]
        parts.append(f"{unchanged} unchanged")
        if failed:
            parts.append(f"{failed} with errors")
    return ", ".join(parts)


def _print_diff(path: str, before: str, after: str) -> None:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{path}\t(original)",
        tofile=f"{path}\t(formaté)" if current_language() == "fr" else f"{path}\t(formatted)",
    )
    try:
        sys.stdout.writelines(lines)
        sys.stdout.flush()
    except BrokenPipeError:  # `indicateurs fmt --diff plan | head`: the reader has gone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so that an interruption never leaves half a plan."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        with contextlib.suppress(OSError):  # permissions we cannot copy are not worth failing for
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
