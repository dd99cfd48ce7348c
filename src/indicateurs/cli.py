"""The `indicateurs` command: French subcommands with English aliases.

Exit codes are part of the interface: 0 success, 1 the plan (or the data) has problems,
2 the command itself could not run (usage, missing file). No input ends in a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .diagnostics import Diagnostic, Severity, render_diagnostic
from .i18n import current_language, set_language
from .loader import analyse, read_plan_text
from .model import Node, Plan
from .parse import normalise_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: list[tuple[str, list[str], str, Callable[[argparse.ArgumentParser], None], Handler]] = []


def command(
    name: str, aliases: list[str], help_text: str
) -> Callable[[Callable[[argparse.ArgumentParser], None]], Callable[[argparse.ArgumentParser], None]]:
    """Register a subcommand: the decorated function adds its arguments; `run_<name>` runs it."""

    def register(
        configure: Callable[[argparse.ArgumentParser], None],
    ) -> Callable[[argparse.ArgumentParser], None]:
        def handler(args: argparse.Namespace) -> int:
            run: Handler = args.run
            return run(args)

        _COMMANDS.append((name, aliases, help_text, configure, handler))
        return configure

    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indicateurs",
        description="Plans de sécurité et de prévention : vérifier, formater, évaluer, rapporter.",
    )
    parser.add_argument(
        "--lang", "--langue-messages", dest="lang", choices=["fr", "en"], help="langue des messages"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for name, aliases, help_text, configure, _handler in _COMMANDS:
        sp = sub.add_parser(name, aliases=aliases, help=help_text, description=help_text)
        sp.add_argument("--lang", dest="lang_sub", choices=["fr", "en"], help="langue des messages (fr, en)")
        configure(sp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _load_commands()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    set_language(getattr(args, "lang_sub", None) or args.lang)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        result: int = args.run(args)
        return result
    except UsageError as exc:
        print(
            f"indicateurs : {exc}" if current_language() == "fr" else f"indicateurs: {exc}", file=sys.stderr
        )
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`: the reader left, not an error of ours
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:  # pragma: no cover
        return 130


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so the interpreter's final flush stays quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


class UsageError(Exception):
    """A command that cannot run as asked (missing file, bad option value)."""


def _load_commands() -> None:
    """Import the modules that register subcommands (each owns its command)."""
    if any(name == "verifier" for name, *_ in _COMMANDS):
        return
    _register_builtin()
    for module in ("format_cli", "evaluate_cli", "report_cli", "plantest_cli"):
        try:
            __import__(f"indicateurs.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"indicateurs.{module}":
                raise


def read_plan_file(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise UsageError(
            f"{path} : fichier introuvable" if current_language() == "fr" else f"{path}: file not found"
        )
    return read_plan_text(p)


# ---------------------------------------------------------------------------- verifier


def _register_builtin() -> None:
    @command(
        "verifier", ["check", "vérifier"], "vérifie des fichiers de plan et signale toutes leurs erreurs"
    )
    def configure_check(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("plans", nargs="+", metavar="PLAN")
        sp.add_argument("--format", choices=["texte", "text", "json"], default="texte")
        sp.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    status = EXIT_OK
    json_out: list[dict[str, object]] = []
    for path in args.plans:
        text = read_plan_file(path)
        plan, diagnostics = analyse(text, path)
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        if errors:
            status = EXIT_PROBLEMS
        if args.format == "json":
            json_out.extend(d.to_dict() for d in diagnostics)
            continue
        source = normalise_text(text)
        for diag in diagnostics:
            print(
                render_diagnostic(diag, source), end="\n\n", file=sys.stderr if diag in errors else sys.stdout
            )
        print(_summary(path, plan, errors, diagnostics))
    if args.format == "json":
        print(json.dumps(json_out, ensure_ascii=False, indent=2))
    return status


def _summary(path: str, plan: Plan, errors: list[Diagnostic], diagnostics: list[Diagnostic]) -> str:
    fr = current_language() == "fr"
    if errors:
        n = len(errors)
        if fr:
            return f"{path} : {n} erreur{'s' if n > 1 else ''}"
        return f"{path}: {n} error{'s' if n > 1 else ''}"
    counts: dict[str, int] = {}
    for root in plan.nodes:
        for item in root.walk():
            if isinstance(item, Node):
                counts[item.level] = counts.get(item.level, 0) + 1
    parts = [f"{n} × {level}" for level, n in counts.items()]
    warnings = len(diagnostics)
    head = f"{path} : plan valide" if fr else f"{path}: valid plan"
    lines = [head]
    if plan.title:
        lines.append(f"  {plan.title}")
    lines.append("  " + ", ".join(parts) if parts else "  " + ("aucun niveau" if fr else "no level"))
    if fr:
        lines.append(f"  {len(plan.indicators)} indicateurs, {len(plan.event_types)} types d'événements")
        if warnings:
            lines.append(f"  {warnings} avertissement{'s' if warnings > 1 else ''}")
    else:
        lines.append(f"  {len(plan.indicators)} indicators, {len(plan.event_types)} event types")
        if warnings:
            lines.append(f"  {warnings} warning{'s' if warnings > 1 else ''}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
