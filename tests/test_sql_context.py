"""The connection a push-down runs on (indicateurs.sql.context): a statement started in the
background is waited for by the next one and its error reaches the caller; a statement run
aside sees the committed tables, on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from test_sql_helpers import need_duckdb


@pytest.fixture
def conn() -> Iterator[Any]:
    need_duckdb()
    import sqlalchemy as sa

    engine = sa.create_engine("duckdb:///:memory:")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def context(conn: Any, private: bool = True, keep_sql: bool = False) -> Any:
    from indicateurs.sql.context import Context
    from indicateurs.sql.dialects import Dialect

    return Context(conn, Dialect("duckdb"), private=private, keep_sql=keep_sql)


def numbers(count: int) -> Any:
    import sqlalchemy as sa

    return sa.select(sa.column("range").label("n")).select_from(sa.text(f"range({int(count)})"))


def test_background_table_is_there_for_the_next_statement(conn: Any) -> None:
    import sqlalchemy as sa

    ctx = context(conn, keep_sql=True)
    table = ctx.create_temp("t", numbers(200_000), temporary=False, background=True, commit=True)
    assert ctx._background is not None  # still running, or done but not yet waited for
    total = ctx.execute(sa.select(sa.func.sum(table.c.n))).scalar()
    assert total == sum(range(200_000))
    assert ctx._background is None
    assert ctx.queries and ctx.queries[0].startswith("CREATE TABLE")


def test_background_error_is_raised_by_the_next_statement(conn: Any) -> None:
    import sqlalchemy as sa

    ctx = context(conn)
    bad = sa.select(sa.func.error(sa.literal("refusé")).label("n"))
    ctx.create_temp("t", bad, temporary=False, background=True, commit=True)  # returns at once
    with pytest.raises(sa.exc.DBAPIError, match="refusé"):
        ctx.execute(sa.select(sa.literal(1)))
    ctx.wait()  # raised once: nothing left to wait for


def test_not_private_runs_at_once(conn: Any) -> None:
    ctx = context(conn, private=False)
    ctx.create_temp("t", numbers(10), temporary=False, background=True, commit=True)
    assert ctx._background is None


def test_aside_runs_on_another_connection_and_sees_committed_tables(conn: Any) -> None:
    import sqlalchemy as sa

    ctx = context(conn)
    table = ctx.create_temp("t", numbers(100_000), temporary=False, background=True, commit=True)
    threads: list[str] = []
    original = threading.Thread.start

    def counting(self: threading.Thread) -> None:
        threads.append(self.name)
        original(self)

    stmt = sa.select(sa.func.count().label("rows"), sa.func.max(table.c.n).label("top"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(threading.Thread, "start", counting)
        job = ctx.aside(ctx.prepare(stmt))
        here = ctx.run(ctx.prepare(stmt))  # meanwhile, on the first connection
    assert [dict(row) for row in job.join()] == [{"rows": 100_000, "top": 99_999}]
    assert [tuple(row) for row in here] == [(100_000, 99_999)]
    assert len(threads) == 1  # the aside statement's thread


def test_aside_waits_here_when_a_table_is_not_shared(conn: Any) -> None:
    """A temporary table lives on its own connection: the statement runs here, at once."""
    import sqlalchemy as sa

    ctx = context(conn)
    table = ctx.create_temp("t", numbers(1000), temporary=True)
    job = ctx.aside(ctx.prepare(sa.select(sa.func.count().label("rows")).select_from(table)))
    assert [dict(row) for row in job.join()] == [{"rows": 1000}]


def test_settle_waits_for_every_statement_and_sets_their_errors_aside(conn: Any) -> None:
    """At the end of a run (also one stopped by an error), no statement outlives it."""
    import sqlalchemy as sa

    ctx = context(conn)
    table = ctx.create_temp("t", numbers(300_000), temporary=False, background=True, commit=True)
    running = ctx.aside(ctx.prepare(sa.select(sa.func.sum(table.c.n).label("total"))))
    failing = ctx.aside(ctx.prepare(sa.select(sa.func.error(sa.literal("refusé")).label("x"))))
    ctx.settle()  # does not raise: the error of a run stopped early is the one that stopped it
    assert running.done and failing.done
    assert [dict(row) for row in running.join()] == [{"total": sum(range(300_000))}]


def test_no_thread_outlives_an_evaluation_that_falls_back_to_python(tmp_path: Any) -> None:
    """A file DuckDB cannot number as Python does (here, a blank line between rows) is read
    by the Python reader, after the statements started for it have ended."""
    import sys
    from pathlib import Path

    import indicateurs
    from indicateurs.sql import evaluate_duckdb_explained

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.write_csv(tmp_path / "molenbeek.csv", 3000)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:1500], "", *lines[1500:]]) + "\n", encoding="utf-8")
    before = threading.active_count()
    window = (synth.START, synth.END)
    got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF)
    assert pushdown.reason is not None and "lignes vides" in pushdown.reason
    assert got.to_dict() == indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF).to_dict()
    assert threading.active_count() == before


def test_interrupt_stops_a_statement_that_would_run_for_minutes(conn: Any) -> None:
    """An error (or Ctrl-C) in the run: the statements still running are stopped, then waited
    for; none is left running, and its own error (interrupted) is set aside."""
    import time

    import sqlalchemy as sa

    ctx = context(conn)
    endless = sa.select(sa.func.sum(sa.column("range")).label("n")).select_from(
        sa.text("range(100000000000)")
    )
    ctx.create_temp("t", endless, temporary=False, background=True, commit=True)
    job = ctx._background
    time.sleep(0.2)
    assert job is not None and not job.done
    start = time.perf_counter()
    ctx.interrupt()
    ctx.settle()
    assert job.done and time.perf_counter() - start < 5
    assert ctx._background is None


def test_a_run_stopped_by_an_error_stops_its_statements(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`engine.run`: an error raised while the classification still runs in the background
    reaches the caller at once, and no statement outlives the run."""
    import sys
    from pathlib import Path

    import indicateurs
    from indicateurs.sql import engine, evaluate_duckdb

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.write_csv(tmp_path / "molenbeek.csv", 3000)
    stopped: list[bool] = []
    original = engine.Context.interrupt

    def interrupting(self: Any) -> None:
        stopped.append(self._background is not None)
        original(self)

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("panne")

    monkeypatch.setattr(engine.Context, "interrupt", interrupting)
    monkeypatch.setattr(engine, "_DuckAggregates", failing)
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="panne"):
        evaluate_duckdb(plan, path, period=(synth.START, synth.END), as_of=synth.AS_OF)
    assert stopped == [True]  # the classification, not waited for yet, was asked to stop
    assert threading.active_count() == before
