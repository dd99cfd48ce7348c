"""The SQL engines' entry points: a table or query in any SQLAlchemy database, or files in DuckDB."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .. import model as m
from ..evaluate import _window, evaluate
from ..results import PlanResult
from .context import Context
from .dialects import WHITESPACE, Dialect, Expr, integer
from .engine import ROW_KEYS, SourceSpec, run, unread_keys
from .pushdown import Pushdown
from .values import ColumnClass, column_class

PlanLike = m.Plan | str | os.PathLike[str]

SAMPLE_ROWS = 2000  # rows read by Python to choose between one pass and two


def _plan(plan: PlanLike) -> m.Plan:
    if isinstance(plan, m.Plan):
        return plan
    from ..loader import load_plan

    return load_plan(plan)


def _mapping(mapping: Any) -> Any:
    if mapping is None:
        return None
    from ..sources.mapping import as_mapping

    return as_mapping(mapping)


def _wanted_keys(plan: m.Plan) -> set[str]:
    keys = set(ROW_KEYS)
    for event_type in plan.event_types.values():
        keys.update(f.name for f in event_type.fields)
    return keys


def _keys(names: list[str], mapping: Any, where: str) -> tuple[list[str], list[str]]:
    from ..sources.columns import assign_keys, header_names

    return assign_keys(header_names(names), mapping, where)


# ---------------------------------------------------------------------------- any SQL database


def evaluate_sql(
    plan: PlanLike,
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
    """Evaluate a plan on a table (or a query) of a database, computing the aggregates there.

    `url`: a SQLAlchemy URL (`postgresql+psycopg://user@host/db`, `sqlite:///f.db`,
    `duckdb:///f.duckdb`), an Engine or a Connection. Columns and values are mapped as for
    files (`mapping`: a TOML path, a dict, or a ColumnMapping). Row numbers in rejections and
    evidence: the integer column `row_column` if given; else the table order (`order_by`,
    else the primary key, else SQLite's rowid or DuckDB's rowid, else the order rows come in).
    """
    return evaluate_sql_explained(
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
    )[0]


def evaluate_sql_explained(
    plan: PlanLike,
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
    force_python: Sequence[str] = (),
    keep_sql: bool = False,
) -> tuple[PlanResult, Pushdown]:
    """`evaluate_sql`, and where each indicator ran (`Pushdown`, what `--explain` prints);
    `keep_sql` keeps the text of the statements sent."""
    if (table is None) == (query is None):
        raise ValueError("indiquez une table ou une requête (table= ou query=), pas les deux")
    the_plan = _plan(plan)
    window = _window(the_plan, period)
    as_of = as_of or dt.date.today()
    cmap = _mapping(mapping)
    engine: sa.Engine | None = None
    try:
        if isinstance(url, str):
            engine = sa.create_engine(url)
            conn = engine.connect()
        elif isinstance(url, sa.Engine):
            conn = url.connect()
        else:
            conn = url
    except sa.exc.ArgumentError as exc:
        raise ValueError(f"URL de base de données illisible : {exc}") from None
    except sa.exc.DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ValueError(f"base de données injoignable : {first}") from None
    except ImportError as exc:
        raise ValueError(f"pilote de base de données manquant : {exc.name}") from None
    try:
        with _RolledBack(conn):
            ctx = Context(conn, Dialect(conn.dialect.name))
            try:
                spec = _sql_source(ctx, the_plan, table, query, schema, row_column, order_by, cmap, name)
            except sa.exc.NoSuchTableError:
                raise ValueError(f"table introuvable : {table}") from None
            except sa.exc.DBAPIError as exc:
                first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                raise ValueError(f"la base de données refuse la source : {first}") from None
            return run(
                conn,
                the_plan,
                [spec],
                window=window,
                as_of=as_of,
                mapping=cmap,
                strict=strict,
                force_python=force_python,
                keep_sql=keep_sql,
            )
    finally:
        if conn is not url:
            conn.close()
        if engine is not None:
            engine.dispose()


class _RolledBack:
    """A transaction that is always rolled back: temporary tables vanish, nothing is written."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.tx: sa.Transaction | None = None

    def __enter__(self) -> None:
        if not self.conn.in_transaction():
            self.tx = self.conn.begin()

    def __exit__(self, *exc: object) -> None:
        if self.tx is not None:
            self.tx.rollback()


def _sql_source(
    ctx: Context,
    plan: m.Plan,
    table: str | None,
    query: str | None,
    schema: str | None,
    row_column: str | None,
    order_by: Sequence[str],
    mapping: Any,
    name: str | None,
) -> SourceSpec:
    conn = ctx.conn
    dialect = ctx.dialect
    relation: sa.FromClause
    preparer = conn.dialect.identifier_preparer
    if table is not None:
        shown = name or (f"{schema}.{table}" if schema else table)
        if dialect.name == "duckdb":  # duckdb_engine's reflection lags behind SQLAlchemy's
            qualified = (preparer.quote_schema(schema) + "." if schema else "") + preparer.quote(table)
            types = _describe(conn, f"SELECT * FROM {qualified}")
            relation = sa.table(table, *[sa.column(c) for c in types], schema=schema)
            primary: list[str] = []
        else:
            reflected = sa.Table(table, sa.MetaData(), schema=schema, autoload_with=conn)
            relation = reflected
            types = {c.name: str(c.type) for c in reflected.columns}
            primary = [c.name for c in reflected.primary_key.columns]
    else:
        assert query is not None
        inner = sa.text(query)
        # The query is the caller's own SQL; it is run as written, wrapped to learn its columns.
        if dialect.name == "duckdb":
            types = _describe(conn, query)
        else:
            probe_name = ctx.temp_name("sonde")
            quoted = preparer.quote(probe_name)
            conn.execute(sa.text(f"CREATE TEMPORARY TABLE {quoted} AS SELECT * FROM ({query}) AS q LIMIT 0"))
            reflected = sa.Table(probe_name, sa.MetaData(), autoload_with=conn)
            types = {c.name: str(c.type) for c in reflected.columns}
        relation = inner.columns(*[sa.column(c) for c in types]).subquery("source")
        primary = []
        shown = name or "<requête>"
    names = list(types)
    keys, notes = _keys(names, mapping, shown)
    for note in notes:
        warnings.warn(note, stacklevel=3)
    wanted = _wanted_keys(plan)
    chosen = [(n, k) for n, k in zip(names, keys, strict=True) if k in wanted]

    def cls(column: str) -> ColumnClass:
        return ColumnClass.DYNAMIC if dialect.name == "sqlite" else column_class(types[column])

    columns = [relation.c[n].label(f"c{j}") for j, (n, _) in enumerate(chosen)]
    spec_columns = [(f"c{j}", k, cls(n)) for j, (n, k) in enumerate(chosen)]
    if row_column is not None:
        base = sa.select(relation.c[row_column].label("r"), *columns).subquery("base")
        return SourceSpec(shown, base, spec_columns)
    if table is not None and not order_by and not primary and dialect.name in ("sqlite", "duckdb"):
        rowid: Expr = sa.literal_column("rowid") + (1 if dialect.name == "duckdb" else 0)
        base = sa.select(rowid.label("r"), *columns).select_from(relation).subquery("base")
        return SourceSpec(shown, base, spec_columns)
    order = [relation.c[c] for c in (order_by or primary)]
    number = sa.func.row_number().over(order_by=order) if order else sa.func.row_number().over()
    materialized = ctx.create_temp("source", sa.select(number.label("r"), *columns))
    return SourceSpec(shown, materialized.alias("base"), spec_columns)


def _describe(conn: sa.Connection, select_sql: str) -> dict[str, str]:
    """DuckDB: the column names and types of a query, without running it."""
    return {str(row[0]): str(row[1]) for row in conn.execute(sa.text(f"DESCRIBE {select_sql}"))}


# ---------------------------------------------------------------------------- files in DuckDB


def evaluate_duckdb(
    plan: PlanLike,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    mapping: Any = None,
    period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
) -> PlanResult:
    """Evaluate a plan on CSV, Parquet or JSONL files read by DuckDB's own readers.

    Same result as `indicateurs.evaluate` on the same files (row numbers, rejections and
    their messages included); much faster on large files. A CSV file that DuckDB cannot
    read exactly as the Python reader does (not UTF-8, blank rows, cells over several
    lines, ragged rows) is evaluated by the Python path instead; `Pushdown.reason` says so.
    """
    return evaluate_duckdb_explained(plan, paths, mapping=mapping, period=period, as_of=as_of, strict=strict)[
        0
    ]


class _IrregularFileError(Exception):
    pass


def evaluate_duckdb_explained(
    plan: PlanLike,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    mapping: Any = None,
    period: int | tuple[dt.date, dt.date] | m.PlanPeriod | None = None,
    as_of: dt.date | None = None,
    strict: bool = False,
    force_python: Sequence[str] = (),
    keep_sql: bool = False,
) -> tuple[PlanResult, Pushdown]:
    """`evaluate_duckdb`, and where each indicator ran."""
    the_plan = _plan(plan)
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files = [Path(p) for p in items]
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"fichier introuvable : {f}")
    window = _window(the_plan, period)
    as_of = as_of or dt.date.today()
    cmap = _mapping(mapping)
    # Each connection of this engine is a new in-memory database, gone when it closes.
    with _memory_engine().connect() as conn:
        ctx = Context(conn, Dialect("duckdb"))
        try:
            specs = [_duckdb_source(ctx, the_plan, f, cmap, window) for f in files]
            conn.commit()  # rows of uncommitted tables have provisional rowids
            return run(
                conn,
                the_plan,
                specs,
                window=window,
                as_of=as_of,
                mapping=cmap,
                strict=strict,
                force_python=force_python,
                keep_sql=keep_sql,
                drop_tables=False,  # the in-memory database goes with the connection
                private=True,
            )
        except _IrregularFileError as exc:
            reason = str(exc)
        except sa.exc.DBAPIError as exc:
            if not _unreadable(exc):
                raise
            # a file DuckDB's reader refuses (a row with too few or too many cells…)
            reason = f"lu par le lecteur Python ({str(exc.orig).splitlines()[0]})"
    # The Python reader reads what DuckDB's reader cannot, with the same results.
    result = evaluate(
        the_plan, [str(f) for f in files], period=window, as_of=as_of, strict=strict, mapping=mapping
    )
    return result, Pushdown("duckdb", (), tuple(ctx.queries), result.read, 0, reason)


_MEMORY_ENGINE: list[sa.Engine] = []
_MEMORY_ENGINE_LOCK = threading.Lock()


def _memory_engine() -> sa.Engine:
    """One engine for every in-memory evaluation: its dialect is set up once (a fresh engine
    costs 2 to 3 ms a call), and without a pool each connection opens a new, empty database
    and closes it."""
    with _MEMORY_ENGINE_LOCK:
        if not _MEMORY_ENGINE:
            _MEMORY_ENGINE.append(sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.NullPool))
        return _MEMORY_ENGINE[0]


def _unreadable(exc: sa.exc.DBAPIError) -> bool:
    """DuckDB's CSV reader refused a file's content (not an error in the statement itself)."""
    import duckdb

    return isinstance(exc.orig, duckdb.InvalidInputException) and "CSV" in str(exc.orig)


def _duckdb_source(ctx: Context, plan: m.Plan, path: Path, mapping: Any, window: m.PlanPeriod) -> SourceSpec:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _duckdb_csv(ctx, plan, path, mapping, window)
    if suffix == ".parquet":
        return _duckdb_table(ctx, plan, path, mapping, "read_parquet", 1)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _duckdb_table(ctx, plan, path, mapping, "read_json_auto", 1)
    raise _IrregularFileError(f"format non lu par DuckDB : {path.suffix}")


def _duckdb_table(
    ctx: Context, plan: m.Plan, path: Path, mapping: Any, reader: str, first: int
) -> SourceSpec:
    conn = ctx.conn
    table = ctx.temp_name("fichier")
    quoted = conn.dialect.identifier_preparer.quote(table)
    conn.execute(sa.text(f"CREATE TABLE {quoted} AS SELECT * FROM {reader}(:path)"), {"path": str(path)})
    described = conn.execute(sa.text(f"DESCRIBE {quoted}")).all()
    types = {str(row[0]): str(row[1]) for row in described}
    names = list(types)
    keys, notes = _keys(names, mapping, str(path))
    for note in notes:
        warnings.warn(note, stacklevel=4)
    wanted = _wanted_keys(plan)
    chosen = [(n, k) for n, k in zip(names, keys, strict=True) if k in wanted]
    relation = sa.table(table, *[sa.column(n) for n in names])
    base = sa.select(
        (sa.literal_column("rowid") + first).label("r"),
        *[relation.c[n].label(f"c{j}") for j, (n, _) in enumerate(chosen)],
    ).subquery("base")
    return SourceSpec(
        str(path), base, [(f"c{j}", k, column_class(types[n])) for j, (n, k) in enumerate(chosen)]
    )


def _duckdb_csv(ctx: Context, plan: m.Plan, path: Path, mapping: Any, window: m.PlanPeriod) -> SourceSpec:
    from ..sources.csv_source import CsvSource

    source = CsvSource(path, mapping=mapping)
    if source.encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "utf8"):
        raise _IrregularFileError(f"{path} : encodage {source.encoding}, lu par le lecteur Python")
    header: list[str] | None = None
    header_row = 0
    try:
        with path.open(encoding=source.encoding, newline="") as f:
            lines = csv.reader(f, delimiter=source.delimiter)
            for cells in lines:
                header_row += 1
                if any(c.strip() for c in cells):
                    header = cells
                    break
            # the first rows, read by Python: is one pass enough (see _plain_values)?
            sample = list(itertools.islice(lines, SAMPLE_ROWS))
    except (csv.Error, UnicodeDecodeError) as exc:  # a row the Python reader rejects as it reads it
        raise _IrregularFileError(f"{path} : lu par le lecteur Python ({exc})") from None
    if header is None:
        raise _IrregularFileError(f"{path} : fichier sans en-tête")
    if any(cells and len(cells) != len(header) for cells in sample):
        raise _IrregularFileError(f"{path} : lignes incomplètes ou trop longues, lu par le lecteur Python")
    line_count = _LineCount(path)
    keys, notes = _keys(header, mapping, str(path))
    for note in notes:
        warnings.warn(note, stacklevel=4)
    wanted = _wanted_keys(plan)
    width = len(header)
    conn = ctx.conn
    names = [f"c{j}" for j in range(width)]
    chosen = [j for j, k in enumerate(keys) if k in wanted]
    options = (
        ":path, delim = :delim, quote = '\"', escape = '\"', header = false, skip = :skip, "
        "all_varchar = true, null_padding = false, nullstr = '', auto_detect = false, columns = :columns, "
        "max_line_size = :longest"
    )
    # Every cell as text; an empty cell (or "") is NULL. A row with too few or too many cells,
    # or a line longer (in bytes) than the longest cell the Python reader accepts (in
    # characters), is DuckDB's error, and the Python reader reads the file (see
    # evaluate_duckdb_explained): it rejects such a row where DuckDB would read it.
    reader_sql = f"read_csv({options})"
    params = {
        "path": str(path),
        "delim": source.delimiter,
        "skip": header_row,
        "columns": {n: "VARCHAR" for n in names},
        "longest": csv.field_size_limit(),
    }
    spec_columns = [(names[j], keys[j], ColumnClass.TEXT) for j in chosen]
    probe = names[keys.index("type")] if "type" in keys else names[0]

    if _plain_values(plan, sample, keys, chosen, mapping):
        # One pass: the file is read by the statement that classifies its rows, and only the
        # columns something reads are parsed (DuckDB skips the others). A row blank in those
        # is flagged as blank: the Python reader then reads the file, exactly.
        unread = unread_keys(plan, window)
        spec_columns = [c for c in spec_columns if c[1] not in unread]
        # DuckDB checks the encoding of the cells it reads only: the others are checked by
        # the thread that counts the lines (Python rejects a row that is not UTF-8).
        line_count.check_encoding = len(spec_columns) < width
        text = sa.text(f"SELECT * FROM {reader_sql}").bindparams(**params)
        base_q = text.columns(*[sa.column(n) for n in names]).subquery("base")
        read_cells = [base_q.c[name] for name, _, _ in spec_columns]
        checks = {"vide": _blank_row(read_cells or [base_q.c[probe]], base_q.c[probe])}

        def verify(count: int, flagged: int) -> None:
            _check_lines(path, header_row, count, flagged, line_count)

        return SourceSpec(
            str(path),
            base_q,
            spec_columns,
            text_cells=True,
            rowid_offset=header_row + 1,
            static_lookups=True,
            checks=checks,
            verify=verify,
            on_read=line_count.start,
        )

    # Two passes: the file into a table, then the distinct values of looked-up columns.
    line_count.start()
    table = ctx.temp_name("csv")
    quoted = conn.dialect.identifier_preparer.quote(table)
    select_list = ", ".join(names)  # every column: a row is blank only if all its cells are
    try:
        conn.execute(sa.text(f"CREATE TABLE {quoted} AS SELECT {select_list} FROM {reader_sql}"), params)
    except sa.exc.DBAPIError as exc:
        raise _IrregularFileError(
            f"{path} : lu par le lecteur Python ({str(exc.orig).splitlines()[0]})"
        ) from None
    relation = sa.table(table, *[sa.column(n) for n in names])
    probe_col = relation.c[probe]
    flags = sa.select(
        sa.func.count(),
        sa.func.sum(_blank_row([relation.c[n] for n in names if n in relation.c], probe_col)),
    ).select_from(relation)
    # (every column was loaded when a row might be blank in columns not chosen)
    count, blank = conn.execute(flags).one()
    _check_lines(path, header_row, int(count), int(blank or 0), line_count)
    loaded = sa.select(
        (sa.literal_column("rowid") + (header_row + 1)).label("r"),
        *[relation.c[names[j]] for j in chosen],
    ).subquery("base")
    return SourceSpec(str(path), loaded, spec_columns, text_cells=True)


def _blank_row(cells: list[Any], probe: Any) -> Any:
    """1 for a row whose cells are all blank (`ligne_vide` for the Python reader), else 0;
    a plainly filled probe cell (the type) settles most rows without looking at the others.
    The cells are all blank exactly when their concatenation is (NULL cells add nothing)."""
    from .fast import filled_text

    ws = sa.literal(WHITESPACE, sa.String)
    one, zero = integer(1), integer(0)
    blank = sa.func.trim(sa.func.concat_ws(sa.literal("", sa.String), *cells), ws) == sa.literal(
        "", sa.String
    )
    return sa.case((filled_text(probe), zero), (blank, one), else_=zero)


class _LineCount:
    """The lines of a file, counted in a thread while DuckDB reads it (DuckDB's statements
    run without Python's lock), for `_check_lines`."""

    def __init__(self, path: Path):
        self._lines: int | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._count, args=(path,), daemon=True)
        self.check_encoding = False  # also check that every byte is UTF-8 (set before start)
        self.not_utf8 = False

    def start(self) -> None:
        """Start counting: called when DuckDB starts reading (counting holds Python's lock
        in turns: started earlier, it would slow down the Python work that comes first)."""
        if self._thread.ident is None:
            self._thread.start()

    def _count(self, path: Path) -> None:
        try:
            self._lines, self.not_utf8 = _physical_rows(path, self.check_encoding)
        except BaseException as exc:  # re-raised by value(), in the caller's thread
            self._error = exc

    def value(self) -> int:
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._lines is not None
        return self._lines


def _check_lines(path: Path, header_row: int, count: int, odd_rows: int, lines: _LineCount) -> None:
    """Give up on DuckDB's reading (the caller falls back to the Python reader) unless its row
    numbers are the Python reader's — one line per row, no blank row — and every byte is UTF-8."""
    if odd_rows:
        raise _IrregularFileError(f"{path} : lignes vides, lu par le lecteur Python")
    if lines.value() != header_row + count:
        raise _IrregularFileError(
            f"{path} : lignes vides ou cellules sur plusieurs lignes, lu par le lecteur Python"
        )
    if lines.not_utf8:
        raise _IrregularFileError(f"{path} : octets qui ne sont pas de l'UTF-8, lu par le lecteur Python")


def _plain_values(
    plan: m.Plan, sample: list[list[str]], keys: list[str], chosen: list[int], mapping: Any
) -> bool:
    """Whether the plan's own spellings cover the looked-up columns (type, enumerations,
    yes/no fields) in the first rows, and no mapping translates values: then one pass will do
    (a spelling seen later is still read exactly, by Python, only more slowly)."""
    from .engine import static_candidates

    if mapping is not None and (getattr(mapping, "values", None) or getattr(mapping, "ignored_types", None)):
        return False
    looked_up = {"type"}
    for event_type in plan.event_types.values():
        looked_up |= {f.name for f in event_type.fields if f.kind in (m.FieldKind.ENUM, m.FieldKind.BOOLEAN)}
    for j in chosen:
        if keys[j] not in looked_up:
            continue
        # (a sampled row is empty or as wide as the header); blank: no spelling
        seen = {value for value in {cells[j] for cells in sample if cells} if value.strip()}
        if not seen <= set(static_candidates(plan, keys[j])):
            return False
    return True


def _physical_rows(path: Path, check_encoding: bool = False) -> tuple[int, bool]:
    """Lines of the file, not counting blank lines at its end (as the Python reader does), and
    (with `check_encoding`) whether some bytes are not UTF-8."""
    lines = 0
    last = b""
    trailing_blank = 0
    not_utf8 = False
    decoder = codecs.getincrementaldecoder("utf-8")() if check_encoding else None
    buffer = bytearray(1 << 18)  # read into, counted in place; small: Python's lock is held per count
    with path.open("rb") as f:
        while size := f.readinto(buffer):
            lines += buffer.count(b"\n", 0, size)
            last = (last + bytes(buffer[max(0, size - 4096) : size]))[-4096:]
            if decoder is not None and not not_utf8:
                chunk = buffer if size == len(buffer) else buffer[:size]
                if not chunk.isascii():
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        not_utf8 = True
    if decoder is not None and not not_utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            not_utf8 = True
    if last and not last.endswith(b"\n"):
        lines += 1
    for line in reversed(last.split(b"\n")[:-1] if last.endswith(b"\n") else last.split(b"\n")):
        if line.strip():
            break
        trailing_blank += 1
    return lines - trailing_blank, not_utf8
