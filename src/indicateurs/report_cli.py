"""`indicateurs rapport PLAN SOURCE... -o rapport.html` (alias `report`): evaluate, then write a report.

HTML (one self-contained file, the default), Markdown or a terminal table. Exit codes: 0 the
report was written (whatever the statuses in it: the report is there to show them), 2 the
command could not run (missing file, invalid plan, bad option value).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from .cli import EXIT_OK, EXIT_USAGE, UsageError, command
from .diagnostics import PlanError
from .evaluate_cli import add_engine_arguments, check_files, evaluate_with_engine
from .i18n import current_language
from .render import Format, render

FORMAT_ALIASES: dict[str, Format] = {
    "html": "html",
    "markdown": "markdown",
    "md": "markdown",
    "table": "table",
    "tableau": "table",
    "texte": "table",
    "text": "table",
}


@command("rapport", ["report"], "évalue un plan et écrit un rapport (HTML, Markdown ou tableau)")
def configure_report(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("plan", metavar="PLAN", help="fichier du plan (.plan)")
    sp.add_argument("sources", nargs="+", metavar="SOURCE", help="fichiers de données (CSV, XLSX, JSONL)")
    sp.add_argument(
        "-o",
        "--sortie",
        "--output",
        dest="output",
        metavar="FICHIER",
        help="fichier du rapport ; « - » pour la sortie standard (obligatoire en HTML)",
    )
    sp.add_argument(
        "--format",
        dest="report_format",
        choices=sorted(FORMAT_ALIASES),
        default="html",
        help="html (par défaut), markdown ou table",
    )
    sp.add_argument(
        "--mapping",
        "--correspondance",
        dest="mapping",
        metavar="F",
        help="fichier de correspondance des colonnes et des types",
    )
    add_engine_arguments(sp)
    sp.add_argument(
        "--periode",
        "--période",
        "--period",
        dest="period",
        metavar="ANNÉE",
        help="année évaluée (par défaut : la période du plan)",
    )
    sp.add_argument(
        "--au",
        "--as-of",
        dest="as_of",
        metavar="DATE",
        help="date d'évaluation, 31/12/2023 ou 2023-12-31 (par défaut : aujourd'hui)",
    )
    sp.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    fr = current_language() == "fr"
    fmt = FORMAT_ALIASES[args.report_format]
    output: str | None = args.output
    if fmt == "html" and output is None:
        raise UsageError(
            "le rapport HTML s'écrit dans un fichier : ajoutez -o rapport.html (ou -o - pour la sortie standard)"
            if fr
            else "the HTML report goes to a file: add -o report.html (or -o - for standard output)"
        )
    period = parse_year(args.period) if args.period is not None else None
    as_of = parse_day(args.as_of) if args.as_of is not None else None
    files = args.sources if args.moteur != "sql" else []  # with --moteur sql, SOURCE is a URL
    check_files([args.plan, *files], args.mapping)
    if output not in (None, "-") and not Path(output).parent.is_dir():
        raise UsageError(f"{output} : dossier inexistant" if fr else f"{output}: the folder does not exist")

    from . import evaluate

    try:
        if args.moteur != "python":
            result, _ = evaluate_with_engine(
                args.moteur,
                args.plan,
                list(args.sources),
                mapping=args.mapping,
                table=args.table,
                query=args.requete,
                period=period,
                as_of=as_of,
            )
        else:
            result = evaluate(args.plan, list(args.sources), period=period, as_of=as_of, mapping=args.mapping)
    except PlanError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("indicateurs."):
            raise UsageError(
                "la lecture de fichiers de données n'est pas disponible dans cette version"
                if fr
                else "reading data files is not available in this version"
            ) from exc
        raise
    except (OSError, UnicodeError, ValueError) as exc:
        raise UsageError(str(exc)) from exc

    to_stdout = output in (None, "-")
    color = None if (to_stdout and fmt == "table") else False
    text = render(result, fmt, color=color)
    if to_stdout:
        sys.stdout.write(text)
        return EXIT_OK
    assert output is not None
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output} : {exc.strerror}" if fr else f"{output}: {exc.strerror}") from exc
    n = len(result.indicators)
    if fr:
        print(f"rapport écrit : {output} ({n} indicateurs, évaluation au {result.as_of:%d/%m/%Y})")
    else:
        print(f"report written: {output} ({n} indicators, evaluated on {result.as_of.isoformat()})")
    return EXIT_OK


def parse_year(text: str) -> int:
    """`--periode 2023`: a year between 1970 and 2100."""
    value = text.strip()
    if re.fullmatch(r"\d{4}", value) and 1970 <= int(value) <= 2100:
        return int(value)
    fr = current_language() == "fr"
    raise UsageError(
        f"--periode attend une année (ex. 2023), pas « {text} »"
        if fr
        else f"--period expects a year (e.g. 2023), not '{text}'"
    )


_DAY_EU = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_DAY_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_day(text: str) -> dt.date:
    """`--au 30/06/2023` or `--au 2023-06-30` (day first: the Belgian order)."""
    value = text.strip()
    try:
        if match := _DAY_EU.fullmatch(value):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _DAY_ISO.fullmatch(value):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    fr = current_language() == "fr"
    raise UsageError(
        f"--au attend une date comme 30/06/2023 ou 2023-06-30, pas « {text} »"
        if fr
        else f"--as-of expects a date like 2023-06-30 or 30/06/2023, not '{text}'"
    )
