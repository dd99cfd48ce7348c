"""Shared fixtures: where the repository's plans are, and plan files written on the fly."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from indicateurs.i18n import set_language

REPO = Path(__file__).resolve().parents[1]

# Under CI the property tests are derandomized: the same examples on every run, so a landing
# never depends on a lucky draw, and no per-example deadline on a shared 2-core machine.
# Locally they explore new examples each run (and keep failures in .hypothesis/).
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """French unless a test asks otherwise; `--lang` sets the language for the whole process,
    so it is put back after every test (a test of English output left the next ones in English)."""
    monkeypatch.delenv("INDICATEURS_LANG", raising=False)
    yield
    set_language(None)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def plan_paths() -> list[Path]:
    """Every plan shipped in plans/, sorted by name."""
    paths = sorted((REPO / "plans").glob("*.plan"))
    assert paths, "plans/ holds no plan"
    return paths


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[..., Path]:
    """Write plan text (str, encoded as `encoding`) or raw bytes to a file; return its path."""
    counter = iter(range(1_000_000))

    def write(content: str | bytes, name: str | None = None, encoding: str = "utf-8") -> Path:
        path = tmp_path / (name or f"plan_{next(counter)}.plan")
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write
