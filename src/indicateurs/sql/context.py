"""The connection a push-down runs on: its statements, the tables it creates, and the work it
overlaps.

DuckDB runs a statement without holding Python's lock. So while the statement that reads and
classifies a file runs in the background (`create_temp(background=True)`: most of an
evaluation), the evaluator builds and compiles the statements that follow in the main thread
(`prepare`), and a statement that does not
need the results of another can run beside it on a second connection to the same database
(`aside`). Every statement still runs after the one that creates its table: `execute` and
`run` wait for the statement started in the background first.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from .dialects import Dialect


class CreateTemp(Executable, ClauseElement):
    """CREATE TEMPORARY TABLE name AS select (compiled by the dialect, values bound)."""

    inherit_cache = False

    def __init__(self, name: str, select: sa.Select[Any], temporary: bool = True):
        self.name = name
        self.select = select
        self.temporary = temporary


@compiles(CreateTemp)
def _compile_create_temp(element: CreateTemp, compiler: SQLCompiler, **kw: Any) -> str:
    name = compiler.preparer.quote(element.name)
    kind = "TEMPORARY TABLE" if element.temporary else "TABLE"
    return f"CREATE {kind} {name} AS {compiler.process(element.select, **kw)}"


class UnionByName(Executable, ClauseElement):
    """DuckDB's `UNION ALL BY NAME`: each SELECT has only its own columns, the others are NULL."""

    inherit_cache = False

    def __init__(self, selects: Sequence[sa.Select[Any]]):
        self.selects = list(selects)


@compiles(UnionByName)
def _compile_union_by_name(element: UnionByName, compiler: SQLCompiler, **kw: Any) -> str:
    parts = [compiler.process(select, asfrom=True, **kw) for select in element.selects]
    return " UNION ALL BY NAME ".join(f"({part})" for part in parts)


@attrs.frozen
class Prepared:
    """A statement compiled ahead of its run: its text and its positional parameters."""

    sql: str
    params: tuple[Any, ...]


class _Job:
    """One statement running in a thread; `join` gives its result or raises its error (once).
    Completion is an event set when the work ends: waiting on it can be interrupted (Ctrl-C),
    and the job stays known as running until it has really ended (on Python 3.11, a
    `Thread.join` cut short marks the thread as stopped while it still runs)."""

    def __init__(self, target: Any, cancel: Any = None):
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancel = cancel  # stops the statement (DuckDB's interrupt), if it can be stopped
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(target,), daemon=True).start()

    def _run(self, target: Any) -> None:
        try:
            self.result = target()
        except BaseException as exc:  # raised again in the caller's thread
            self.error = exc
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def join(self) -> Any:
        self._done.wait()
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return self.result


@attrs.define
class Context:
    """One run's connection: the statements it sends (and their text, for --explain), the
    tables it creates, and the statements running in the background or aside."""

    conn: sa.Connection
    dialect: Dialect
    queries: list[str] = attrs.field(factory=list)
    counter: itertools.count[int] = attrs.field(factory=itertools.count)
    token: str = attrs.field(factory=lambda: uuid.uuid4().hex[:8])
    created: list[str] = attrs.field(factory=list)
    keep_sql: bool = False  # record the text of every statement (for --explain)
    # A database no one else uses (DuckDB in memory): statements may run in the background.
    private: bool = False
    _background: _Job | None = None
    _aside: list[_Job] = attrs.field(factory=list)
    # Every table created is committed and not temporary: another connection sees them.
    _shared: bool = True

    def execute(self, stmt: Any) -> Any:  # a CursorResult; rows typed by the caller (`.all()`:
        # one fetch from the driver, where iterating fetches row by row, slowly with DuckDB)
        self.wait()
        if self.keep_sql:
            self.queries.append(str(stmt.compile(dialect=self.conn.dialect)))
        return self.conn.execute(stmt)

    def temp_name(self, stem: str) -> str:
        return f"indicateurs_{stem}_{self.token}_{next(self.counter)}"

    def create_temp(
        self,
        stem: str,
        select: sa.Select[Any],
        temporary: bool = True,
        background: bool = False,
        commit: bool = False,
    ) -> sa.TableClause:
        """A table of `select`'s rows (`commit`: then committed). `background` (private
        database only): the statement runs in a thread; the next statement waits for it."""
        name = self.temp_name(stem)
        stmt = CreateTemp(name, select, temporary)
        self._shared = self._shared and commit and not temporary
        if background and self.private:
            prepared = self.prepare(stmt)
            self.wait()

            def create() -> None:
                self.conn.exec_driver_sql(prepared.sql, prepared.params)
                if commit:
                    self.conn.commit()

            self._background = _Job(create, cancel=self._driver().interrupt)
        else:
            self.execute(stmt)
            if commit:
                self.conn.commit()
        self.created.append(name)
        columns: list[sa.ColumnClause[Any]] = [sa.column(str(c.name)) for c in select.selected_columns]
        return sa.table(name, *columns)

    def _driver(self) -> Any:
        """The DBAPI connection under SQLAlchemy's (duckdb_engine's wrapper for DuckDB)."""
        return self.conn.connection.driver_connection

    def wait(self) -> None:
        """Wait for the statement started in the background (and raise its error). The job is
        forgotten only once it has ended, so that `settle` still sees one that an interrupted
        wait left running."""
        job = self._background
        if job is not None:
            try:
                job.join()
            finally:
                if job.done:
                    self._background = None

    def prepare(self, stmt: Any) -> Prepared:
        """Compile `stmt` now (while the database works on another statement)."""
        # parameters that SQLAlchemy expands when it runs a statement itself (an IN list bound
        # as one parameter) are written out now
        compiled = stmt.compile(dialect=self.conn.dialect, compile_kwargs={"render_postcompile": True})
        if self.keep_sql:
            self.queries.append(str(compiled))
        values = compiled.construct_params()
        # the values as SQLAlchemy would pass them when running the statement itself
        processors = getattr(compiled, "_bind_processors", {})
        params = []
        for name in compiled.positiontup or ():
            process = processors.get(name)
            params.append(process(values[name]) if process is not None else values[name])
        return Prepared(compiled.string, tuple(params))

    def run(self, prepared: Prepared) -> list[Any]:
        """The rows of a prepared statement (after the background statement)."""
        self.wait()
        return list(self.conn.exec_driver_sql(prepared.sql, prepared.params).all())

    def aside(self, prepared: Prepared) -> _Job:
        """Run a prepared statement on a second connection to the same database, in a thread
        (after the background statement); `join()` gives its rows, as mappings of column names.
        At once, on this connection, unless the database is private and every table created is
        committed and not temporary (the second connection would not see it)."""
        self.wait()
        # the DuckDB connection under duckdb_engine's wrapper: its cursor() is a new connection
        duck = getattr(self._driver(), "_ConnectionWrapper__c", None)
        if not (self.private and self._shared) or duck is None:
            rows = [row._mapping for row in self.run(prepared)]
            return _Job(lambda: rows)
        second = duck.cursor()

        def query() -> list[dict[str, Any]]:
            import duckdb

            try:
                result = second.execute(prepared.sql, list(prepared.params))
                names = [d[0] for d in result.description]
                return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
            except duckdb.Error as exc:  # as SQLAlchemy wraps the errors of its connection
                raise sa.exc.DBAPIError.instance(prepared.sql, prepared.params, exc, duckdb.Error) from exc
            finally:
                second.close()

        job = _Job(query, cancel=second.interrupt)
        self._aside.append(job)
        return job

    def interrupt(self) -> None:
        """Stop the statements still running (an error, or Ctrl-C, stopped the run)."""
        for job in [self._background, *self._aside]:
            if job is not None and not job.done and job.cancel is not None:
                with contextlib.suppress(Exception):
                    job.cancel()

    def settle(self) -> None:
        """Wait for every statement still running, their errors set aside: called when a run
        ends, so that none outlives it (an error that stopped the run is the one raised)."""
        for job in [self._background, *self._aside]:
            if job is not None:
                with contextlib.suppress(Exception):
                    job.join()
        self._background, self._aside = None, []
