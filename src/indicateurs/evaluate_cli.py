"""`indicateurs evaluer` (alias `eval`): a plan and event files in, the compliance result out.

Exit 0 when every indicator is met (or monitored), 1 when one is not met, at risk, without
data or not evaluable, 2 when the command cannot run (plan errors, missing files, and any
rejected row under `--strict`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from .cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, command, read_plan_file
from .diagnostics import PlanError
from .evaluate import DataError, evaluate
from .explain import explain
from .i18n import current_language
from .loader import load_plan
from .model import Plan
from .results import PlanResult, Status
from .sources import EventSource, open_source


@command("evaluer", ["eval", "évaluer", "evaluate"], "évalue un plan sur des fichiers d'activités")
def configure(sp: argparse.ArgumentParser) -> None:
    add_evaluation_arguments(sp)
    sp.add_argument(
        "--format", choices=["table", "json", "markdown"], default="table", help="format de sortie"
    )
    sp.add_argument("--strict", action="store_true", help="toute ligne rejetée est une erreur (code 2)")
    sp.add_argument("--explain", "--expliquer", metavar="ID", help="détaille le calcul d'un indicateur")
    sp.set_defaults(run=run_evaluate)


def add_evaluation_arguments(sp: argparse.ArgumentParser) -> None:
    """The arguments shared by `evaluer` and `rapport`."""
    sp.add_argument("plan", metavar="PLAN")
    sp.add_argument("sources", nargs="+", metavar="SOURCE", help="fichiers .csv, .jsonl ou .xlsx")
    sp.add_argument("--mapping", "--correspondance", metavar="F", help="fichier de correspondance (.toml)")
    add_engine_arguments(sp)
    sp.add_argument("--periode", "--period", metavar="ANNÉE", type=int, help="n'évaluer qu'une année du plan")
    sp.add_argument(
        "--au",
        "--as-of",
        dest="as_of",
        metavar="DATE",
        type=parse_cli_date,
        help="date d'évaluation (défaut : aujourd'hui)",
    )


def add_engine_arguments(sp: argparse.ArgumentParser) -> None:
    """`--moteur`, `--table`, `--requete`: where the aggregates are computed (`evaluer`, `rapport`)."""
    sp.add_argument(
        "--moteur",
        "--engine",
        choices=["python", "duckdb", "sql"],
        default="python",
        help="python (défaut) ; duckdb : fichiers .csv/.parquet/.jsonl calculés par DuckDB ; "
        "sql : SOURCE est une URL de base de données (SQLAlchemy), avec --table ou --requete",
    )
    sp.add_argument("--table", metavar="T", help="avec --moteur sql : la table des activités")
    sp.add_argument(
        "--requete", "--query", metavar="SQL", help="avec --moteur sql : la requête des activités"
    )


def parse_cli_date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date illisible « {text} » (attendu : 2023-12-31 ou 31/12/2023)")


def load_plan_or_report(path: str) -> Plan | None:
    """The plan, or None after printing its errors (the caller exits 2)."""
    text = read_plan_file(path)
    try:
        return load_plan(text, name=path)
    except PlanError as error:
        print(error.render(), file=sys.stderr)
        return None


def check_files(paths: list[str], mapping: str | None) -> None:
    """The data files and the mapping exist: a usage error naming the first one missing."""
    missing = [p for p in paths + ([mapping] if mapping else []) if not Path(p).is_file()]
    if missing:
        fr = current_language() == "fr"
        raise UsageError(f"{missing[0]} : fichier introuvable" if fr else f"{missing[0]}: file not found")


def open_sources(paths: list[str], mapping: str | None) -> list[EventSource]:
    check_files(paths, mapping)
    try:
        return [open_source(p, mapping=mapping) for p in paths]
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None


def evaluate_from_args(args: argparse.Namespace, plan: Plan) -> PlanResult:
    if getattr(args, "moteur", "python") != "python":
        return evaluate_pushed_down(args, plan)[0]
    sources = open_sources(args.sources, args.mapping)
    try:
        return evaluate(
            plan,
            sources,
            period=args.periode,
            as_of=args.as_of,
            strict=getattr(args, "strict", False),
            progress=_progress_printer(),
        )
    except (ValueError, OSError) as exc:
        if isinstance(exc, DataError):
            raise
        raise UsageError(str(exc)) from None


def evaluate_pushed_down(args: argparse.Namespace, plan: Plan) -> tuple[PlanResult, Any]:
    """`--moteur duckdb|sql` of `evaluer`: see `evaluate_with_engine`."""
    return evaluate_with_engine(
        args.moteur,
        plan,
        args.sources,
        mapping=args.mapping,
        table=args.table,
        query=args.requete,
        period=args.periode,
        as_of=args.as_of,
        strict=getattr(args, "strict", False),
    )


def evaluate_with_engine(
    moteur: str,
    plan: Plan | str,
    sources: list[str],
    *,
    mapping: str | None,
    table: str | None,
    query: str | None,
    period: int | None,
    as_of: dt.date | None,
    strict: bool = False,
) -> tuple[PlanResult, Any]:
    """`--moteur duckdb|sql`: the aggregates computed by the database (indicateurs.sql); the
    result and the `Pushdown` saying what ran where. Bad arguments are `UsageError`s."""
    from . import sql

    try:
        if moteur == "duckdb":
            check_files(sources, mapping)  # DuckDB reads the files itself (Parquet too)
            return sql.evaluate_duckdb_explained(
                plan, sources, mapping=mapping, period=period, as_of=as_of, strict=strict
            )
        if len(sources) != 1 or (table is None) == (query is None):
            raise UsageError("--moteur sql : une URL de base de données et --table ou --requete")
        return sql.evaluate_sql_explained(
            plan,
            sources[0],
            table=table,
            query=query,
            mapping=mapping,
            period=period,
            as_of=as_of,
            strict=strict,
        )
    except sql.MissingExtraError as exc:
        raise UsageError(str(exc)) from None
    except (ValueError, OSError) as exc:
        if isinstance(exc, DataError):
            raise
        raise UsageError(str(exc)) from None


def run_evaluate(args: argparse.Namespace) -> int:
    plan = load_plan_or_report(args.plan)
    if plan is None:
        return EXIT_USAGE
    if args.explain and args.moteur != "python":
        # Where each indicator ran: in the database, or streamed through the Python evaluator.
        known = {i.id for i in plan.indicators}
        if args.explain not in known | {"tout", "all"}:
            raise UsageError(f"indicateur inconnu « {args.explain} »")
        _, pushdown = evaluate_pushed_down(args, plan)
        if args.explain in known and pushdown.indicators:
            pushdown = attrs.evolve(pushdown, indicators=(pushdown.indicator(args.explain),))
        print(pushdown.render())
        return EXIT_OK
    if args.explain:
        if args.explain not in {i.id for i in plan.indicators}:
            raise UsageError(f"indicateur inconnu « {args.explain} »")
        sources = open_sources(args.sources, args.mapping)
        print(explain(plan, args.explain, sources, args.as_of or dt.date.today()).render())
        return EXIT_OK
    try:
        result = evaluate_from_args(args, plan)
    except DataError as error:
        for rejection in error.rejections:
            print(f"{rejection.source}:{rejection.row}: {rejection.message}", file=sys.stderr)
        word = (
            "ligne(s) rejetée(s) en mode strict"
            if current_language() == "fr"
            else "row(s) rejected in strict mode"
        )
        print(f"{len(error.rejections)} {word}", file=sys.stderr)
        return EXIT_USAGE
    print(render(result, args.format))
    return exit_code(result)


def exit_code(result: PlanResult) -> int:
    fine = {Status.MET, Status.MONITORED}
    problems = [
        i
        for i in result.indicators
        if i.status not in fine and not (i.status is Status.IN_PROGRESS and not i.at_risk)
    ]
    return EXIT_PROBLEMS if problems else EXIT_OK


def render(result: PlanResult, fmt: str) -> str:
    if fmt == "json":
        return result.to_json()
    if fmt == "markdown":
        from .render.markdown import render_markdown

        return render_markdown(result)
    from .render.terminal import render_table

    return render_table(result)


def _progress_printer() -> Callable[[str, int], None] | None:
    """Rows read so far, on stderr, only when a person is watching."""
    if not sys.stderr.isatty():
        return None

    def show(name: str, rows: int, **_: Any) -> None:
        sys.stderr.write(f"\r{name} : {rows:,} lignes lues".replace(",", " "))
        sys.stderr.flush()

    return show
