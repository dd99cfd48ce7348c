"""`indicateurs tester PLAN [TESTS]` (alias `test`): run a plan's tests file and report each case.

Exit codes: 0 every case passes, 1 some case fails, 2 the tests could not run (a file is
missing, the plan or the tests file has errors).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, command, read_plan_file
from .diagnostics import Diagnostic, Severity, render_diagnostic, sort_diagnostics
from .i18n import current_language
from .loader import analyse
from .parse import normalise_text
from .spans import Span
from .testing.plantest import (
    TESTS_SUFFIX,
    PlanTestDiagnostic,
    check_tests,
    load_tests,
    plan_path_for,
    render_case_result,
    run_tests,
    summary_line,
)


@command("tester", ["test"], "lance les cas de test d'un plan (fichier .tests) et dit lesquels échouent")
def configure_tests(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("plan", metavar="PLAN", help="le fichier de plan (ou directement le fichier .tests)")
    sp.add_argument(
        "tests",
        metavar="TESTS",
        nargs="?",
        help="le fichier de tests (par défaut : le plan avec l'extension .tests)",
    )
    sp.set_defaults(run=run_tests_command)


def run_tests_command(args: argparse.Namespace) -> int:
    fr = current_language() == "fr"
    plan_arg, tests_arg = args.plan, args.tests
    if tests_arg is None and plan_arg.endswith(TESTS_SUFFIX):
        plan_arg, tests_arg = None, plan_arg
    tests_path = Path(tests_arg) if tests_arg else Path(plan_arg).with_suffix(TESTS_SUFFIX)
    if not tests_path.is_file():
        missing = "fichier de tests introuvable" if fr else "tests file not found"
        raise UsageError(f"{tests_path} : {missing}")
    tests, diagnostics = load_tests(tests_path)
    if plan_arg is None:
        plan_path = plan_path_for(tests, tests_path)
        if not plan_path.is_file():
            diag = PlanTestDiagnostic("T019", Span.point(str(tests_path), 1, 1), {"path": str(plan_path)})
            _print_diagnostics([diag], tests.source)
            return EXIT_USAGE
        plan_arg = str(plan_path)
    plan_text = read_plan_file(plan_arg)
    plan, plan_diagnostics = analyse(plan_text, plan_arg)
    plan_errors = [d for d in plan_diagnostics if d.severity is Severity.ERROR]
    if plan_errors:
        _print_diagnostics(plan_errors, normalise_text(plan_text))
        diag = PlanTestDiagnostic("T028", Span.point(str(tests_path), 1, 1), {"path": plan_arg})
        _print_diagnostics([diag], None)
        return EXIT_USAGE
    diagnostics = sort_diagnostics(diagnostics + check_tests(tests, plan))
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    _print_diagnostics(diagnostics, tests.source)
    if errors:
        n = len(errors)
        if fr:
            print(
                f"{tests_path} : {n} erreur{'s' if n > 1 else ''} : les tests ne sont pas lancés",
                file=sys.stderr,
            )
        else:
            print(f"{tests_path}: {n} error{'s' if n > 1 else ''}: the tests were not run", file=sys.stderr)
        return EXIT_USAGE
    outcomes = run_tests(plan, tests)
    for outcome in outcomes:
        mark = "✔" if outcome.passed else "✘"
        title = f"cas « {outcome.case.title} »" if fr else f"case '{outcome.case.title}'"
        if outcome.passed:
            print(f"{mark} {title}")
        else:
            print(f"{mark} {render_case_result(outcome, str(tests_path))}")
    print(summary_line(outcomes))
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_PROBLEMS


def _print_diagnostics(diagnostics: list[Diagnostic], source: str | None) -> None:
    for diag in diagnostics:
        stream = sys.stderr if diag.severity is Severity.ERROR else sys.stdout
        print(render_diagnostic(diag, source), end="\n\n", file=stream)
