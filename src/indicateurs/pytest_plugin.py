"""pytest plugin: the cases of every plan tests file (`*.tests` beside a plan) become test items.

Installed with the library (entry point `pytest11`), so a plan repository's CI runs its plan
tests with a plain `pytest`. A `.tests` file is collected when a plan goes with it: a `plan`
line naming one, or a plan of the same name beside it; other `.tests` files are left alone.
Disable with `pytest -p no:indicateurs`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the engine is imported only when a tests file is collected
    from .model import Plan
    from .testing.plantest import CaseResult, PlanCase, PlanTests

TESTS_SUFFIX = ".tests"
_PLAN_LINE = ("plan «", 'plan "', "plan “")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != TESTS_SUFFIX or not _belongs_to_a_plan(file_path):
        return None
    collector: pytest.Collector = PlanTestsFile.from_parent(parent, path=file_path)
    return collector


def _belongs_to_a_plan(path: Path) -> bool:
    if path.with_suffix(".plan").is_file():
        return True
    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:4096]
    except OSError:
        return False
    return any(line.strip().casefold().startswith(_PLAN_LINE) for line in head.splitlines())


class PlanCaseMismatchError(Exception):
    """A case whose verdicts differ from the expected ones."""

    def __init__(self, outcome: CaseResult):
        super().__init__(outcome.case.title)
        self.outcome = outcome


class PlanTestsFile(pytest.File):
    """A `.tests` file: one item per case, once the file and its plan have no error."""

    def collect(self) -> Iterator[pytest.Item]:
        from .diagnostics import PlanError, Severity
        from .loader import load_plan
        from .testing.plantest import check_tests, load_tests, plan_path_for

        tests, diagnostics = load_tests(self.path)
        plan_path = plan_path_for(tests, self.path)
        if not plan_path.is_file():
            raise self.CollectError(f"{self.path} : plan introuvable : {plan_path}")
        try:
            plan = load_plan(plan_path)
        except PlanError as exc:
            raise self.CollectError(
                f"{self.path} : le plan {plan_path} a des erreurs\n\n{exc.render()}"
            ) from None
        problems = [d for d in diagnostics + check_tests(tests, plan) if d.severity is Severity.ERROR]
        if problems:
            raise self.CollectError(_render(problems, tests))
        for case in tests.cases:
            yield PlanCaseItem.from_parent(self, name=case.title, case=case, plan=plan, tests=tests)


def _render(problems: list[Any], tests: PlanTests) -> str:
    from .diagnostics import render_diagnostic

    return "\n\n".join(render_diagnostic(d, tests.source) for d in problems)


class PlanCaseItem(pytest.Item):
    """One case: evaluate its events, compare the verdicts."""

    def __init__(self, *, case: PlanCase, plan: Plan, tests: PlanTests, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.plan = plan
        self.tests = tests

    def runtest(self) -> None:
        from .testing.plantest import run_case

        outcome = run_case(self.plan, self.case, self.tests)
        if not outcome.passed:
            raise PlanCaseMismatchError(outcome)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, PlanCaseMismatchError):
            from .testing.plantest import render_case_result

            return render_case_result(excinfo.value.outcome, str(self.path))
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"cas « {self.case.title} »"
