"""Evaluate where the data lives: the plan's aggregates pushed down to SQL.

`evaluate_sql` reads a table or a query of any database SQLAlchemy reaches (PostgreSQL,
SQLite, DuckDB, and warehouses through their dialects); `evaluate_duckdb` reads CSV, Parquet
and JSONL files with DuckDB's own readers. Both give the same `PlanResult` as
`indicateurs.evaluate` on the same rows, and their `*_explained` forms say where each
indicator ran. Needs the optional extra `sql` (SQLAlchemy, DuckDB); importing this package
does not, so the CLI can say what to install.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

    from .. import model as m
    from ..results import PlanResult
    from .pushdown import Pushdown

INSTALL_HINT = "le moteur SQL demande l'extra « sql » : pip install 'indicateurs[sql]'"


class MissingExtraError(ImportError):
    """SQLAlchemy or DuckDB is not installed."""


def _api() -> Any:
    try:
        from . import api
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError(f"{INSTALL_HINT} ({exc.name} manquant)") from exc
    return api


def evaluate_sql(
    plan: m.Plan | str | os.PathLike[str],
    url: str | sa.Engine | sa.Connection,
    *,
    table: str | None = None,
    query: str | None = None,
    schema: str | None = None,
    row_column: str | None = None,
    order_by: Sequence[str] = (),
    mapping: Any = None,
    period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
    name: str | None = None,
) -> PlanResult:
    """Evaluate a plan on a database table or query; see `indicateurs.sql.api.evaluate_sql`."""
    result: PlanResult = _api().evaluate_sql(
        plan,
        url,
        table=table,
        query=query,
        schema=schema,
        row_column=row_column,
        order_by=order_by,
        mapping=mapping,
        period=period,
        as_of=as_of,
        strict=strict,
        name=name,
    )
    return result


def evaluate_sql_explained(plan: Any, url: Any, **kwargs: Any) -> tuple[PlanResult, Pushdown]:
    """`evaluate_sql`, and the `Pushdown` listing of what ran where."""
    out: tuple[PlanResult, Pushdown] = _api().evaluate_sql_explained(plan, url, **kwargs)
    return out


def evaluate_duckdb(
    plan: m.Plan | str | os.PathLike[str],
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    mapping: Any = None,
    period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
) -> PlanResult:
    """Evaluate a plan on CSV, Parquet or JSONL files read by DuckDB; see `api.evaluate_duckdb`."""
    result: PlanResult = _api().evaluate_duckdb(
        plan, paths, mapping=mapping, period=period, as_of=as_of, strict=strict
    )
    return result


def evaluate_duckdb_explained(plan: Any, paths: Any, **kwargs: Any) -> tuple[PlanResult, Pushdown]:
    """`evaluate_duckdb`, and the `Pushdown` listing of what ran where."""
    out: tuple[PlanResult, Pushdown] = _api().evaluate_duckdb_explained(plan, paths, **kwargs)
    return out


__all__ = [
    "INSTALL_HINT",
    "MissingExtraError",
    "evaluate_duckdb",
    "evaluate_duckdb_explained",
    "evaluate_sql",
    "evaluate_sql_explained",
]
