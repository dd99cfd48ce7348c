"""Shared fixtures: where the repository's plans are, and plan files written on the fly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


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
