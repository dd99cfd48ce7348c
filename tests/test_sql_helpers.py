"""Shared by the SQL engine tests: optional imports, database fixtures, tables, comparison."""

from __future__ import annotations

import csv
import math
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import indicateurs

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def need(module: str) -> Any:
    """The module, or a skip when it is not installed (under CI a missing extra is a failure)."""
    if in_ci():
        return __import__(module)
    return pytest.importorskip(module, reason=f"extra « sql » non installé ({module})")


def need_duckdb() -> Any:
    """DuckDB through SQLAlchemy (duckdb-engine), as `evaluate_duckdb` uses it."""
    need("sqlalchemy")
    need("duckdb_engine")
    return need("duckdb")


def pg_engine() -> Any:
    """An engine on the PostgreSQL of INDICATEURS_PG_URL (or the local test cluster).

    Skips when no server answers, except under CI, where the server is part of the run."""
    sa = need("sqlalchemy")
    need("psycopg")
    url = os.environ.get("INDICATEURS_PG_URL") or DEFAULT_PG_URL
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        reason = f"PostgreSQL injoignable ({url}) : définissez INDICATEURS_PG_URL ({type(exc).__name__})"
        if in_ci():
            pytest.fail("CI : " + reason)
        pytest.skip(reason)
    return engine


def sqlite_engine() -> Any:
    sa = need("sqlalchemy")
    return sa.create_engine("sqlite://")


def duckdb_engine() -> Any:
    sa = need("sqlalchemy")
    need("duckdb")
    need("duckdb_engine")
    return sa.create_engine("duckdb:///:memory:")


def columns_of(records: Sequence[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    return list(names)


class Table:
    """Records written to a table of text columns (as a CSV export would fill it), with the
    record's 1-based position in the integer column `ligne`."""

    def __init__(self, engine: Any, records: Sequence[dict[str, Any]], columns: Sequence[str] | None = None):
        import sqlalchemy as sa

        self.engine = engine
        self.name = f"evenements_{uuid.uuid4().hex[:8]}"
        names = list(columns or columns_of(records))
        meta = sa.MetaData()
        self.table = sa.Table(
            self.name,
            meta,
            sa.Column("ligne", sa.Integer),
            *[sa.Column(n, sa.Text) for n in names],
        )
        with engine.begin() as conn:
            meta.create_all(conn)
            rows = [
                {"ligne": i, **{n: (None if r.get(n) is None else str(r[n])) for n in names}}
                for i, r in enumerate(records, start=1)
            ]
            if rows:
                conn.execute(self.table.insert(), rows)

    def drop(self) -> None:
        with self.engine.begin() as conn:
            self.table.drop(conn)


def write_csv(path: Path, records: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> Path:
    names = list(columns or columns_of(records))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        for record in records:
            writer.writerow(["" if record.get(n) is None else str(record[n]) for n in names])
    return path


def _value(v: Any) -> Any:
    if isinstance(v, float) and not math.isnan(v):
        return round(v, 9)
    return v


def comparable(result: indicateurs.PlanResult) -> dict[str, Any]:
    """What two engines must agree on: per indicator and period, value, status and evidence;
    the row accounting; every rejection with its row, code, field and message."""
    return {
        "sources": [(s.read, s.used, s.ignored, s.rejected, dict(s.ignored_reasons)) for s in result.sources],
        "rejections": [(r.row, r.code, r.field, r.value, r.message) for r in result.rejections],
        "indicators": [
            (
                ind.id,
                ind.status.value,
                ind.at_risk,
                [
                    (
                        p.label,
                        p.status.value,
                        _value(p.value),
                        p.evidence.count,
                        [(e.row, e.date, e.type, e.id) for e in p.evidence.items],
                    )
                    for p in ind.periods
                ],
            )
            for ind in result.indicators
        ],
    }


def assert_same(expected: indicateurs.PlanResult, got: indicateurs.PlanResult, label: str = "") -> None:
    a, b = comparable(expected), comparable(got)
    if a == b:
        return
    lines = [f"{label} : résultats différents"]
    for key in ("sources", "rejections"):
        if a[key] != b[key]:
            lines.append(f"  {key}:\n    python {a[key]}\n    sql    {b[key]}")
    for x, y in zip(a["indicators"], b["indicators"], strict=True):
        if x != y:
            lines.append(f"  indicateur {x[0]}:\n    python {x}\n    sql    {y}")
    raise AssertionError("\n".join(lines))


def tables(engines: dict[str, Any], records: Sequence[dict[str, Any]]) -> Iterator[tuple[str, Any, str]]:
    for label, engine in engines.items():
        table = Table(engine, records)
        try:
            yield label, engine, table.name
        finally:
            table.drop()
