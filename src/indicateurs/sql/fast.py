"""The fast row classification for DuckDB text cells (CSV files read `all_varchar`).

The careful classification (`engine._RowBuilder.classify`) rewrites in SQL every shape of
value the Python converters accept: Unicode trimming, a dozen date layouts, decimal commas.
On a CSV file nearly every cell has one plain shape, so this one settles only the plain shapes
with a few cheap, vectorised tests, and hands every other row to the Python evaluator:

- a text is plain when neither its first nor its last character is one that Python's
  `str.strip()` removes (then it is its own stripped value); an empty cell is blank;
- a date is plain when it is `yyyy-mm-dd` written in ten one-byte characters with its dashes
  in place (within that shape DuckDB's lenient reading gives exactly Python's day, or none) or
  `dd/mm/yyyy` in ASCII digits (a GLOB pattern), and is a day that exists, within the years
  Python accepts;
- an integer is `-?[0-9]{1,18}`, a decimal `-?[0-9]{1,15}([.,][0-9]{1,15})?`;
- a type, enumeration or yes/no value is one of the spellings in the lookup, as written.

Anything else (a space before a date, `12 `, `31/02/2023`, ` Zed `) makes the row unsettled:
the Python evaluator decides it with its own code, as for the careful path. So the rows settled
here get exactly Python's values, and the rest get Python's verdict by construction. The
classified rows have the columns the engine reads from the careful classification (a row's
cells are kept as one list, `raw`, and values only for the fields a slot reads), so the
aggregates, evidence and accounting that follow are the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql import visitors

from .. import model as m
from ..convert import MAX_YEAR, MIN_YEAR
from .dialects import WHITESPACE, Expr
from .dialects import integer as _n
from .values import ColumnClass

if TYPE_CHECKING:
    from .engine import SourceSpec, _RowBuilder


def _gaps() -> list[tuple[int, int]]:
    """Code point ranges, from `!` up, with no character that str.strip() removes. (Control
    characters below `!` are left out too: a text that starts with one goes to Python.)"""
    out, low = [], 33
    for code in sorted(ord(c) for c in WHITESPACE if ord(c) >= 33):
        if code > low:
            out.append((low, code - 1))
        low = code + 1
    out.append((low, 0x10FFFF))
    return out


_KEPT = _gaps()
_INTEGER = "-?[0-9]{1,18}"
_DECIMAL = "-?[0-9]{1,15}([.,][0-9]{1,15})?"


def _s(value: str) -> Expr:
    return sa.literal(value, sa.String)


def applies(builder: _RowBuilder, src: SourceSpec) -> bool:
    """Text cells in DuckDB, with rows that SQL may settle at all."""
    return (
        builder.ctx.dialect.name == "duckdb"
        and src.text_cells
        and not builder.all_python
        and all(cls is ColumnClass.TEXT for _, _, cls in src.columns)
    )


def _edge_ok(char_code: Expr) -> Expr:
    """The character is one str.strip() keeps (ranges: most texts pass the first test; an
    empty text has ord() -1 and passes none)."""
    return sa.or_(*[char_code.between(_n(low), _n(high)) for low, high in _KEPT])


def lookup(raw: Expr, pairs: Sequence[tuple[Any, Any]], missing: Expr, sparse: bool = False) -> Expr:
    """The value paired with `raw` as written, else `missing` (a CASE: faster in DuckDB than
    a search in a list, and than a join, which would not keep the reading order). `sparse`:
    most cells are empty (a field of a few types), tested first."""
    if not pairs:
        return missing
    whens: list[tuple[Expr, Expr]] = [
        (raw == sa.literal(k), _n(v) if type(v) is int else sa.literal(v)) for k, v in pairs
    ]
    if sparse:  # no lookup key is blank: an empty cell is missing at once
        whens.insert(0, (empty(raw), missing))
    return sa.case(*whens, else_=missing)


def plain_text(raw: Expr) -> Expr:
    """A non-empty text whose ends are not whitespace: str.strip() leaves it as it is."""
    return sa.and_(_edge_ok(sa.func.ord(raw)), _edge_ok(sa.func.ord(sa.func.right(raw, _n(1)))))


def filled_text(raw: Expr) -> Expr:
    """A text that starts with a character str.strip() keeps: not blank for Python."""
    return _edge_ok(sa.func.ord(raw))


def empty(raw: Expr) -> Expr:
    """An empty cell (NULL is an empty cell in a CSV read by DuckDB)."""
    return sa.or_(raw.is_(None), raw == _s(""))


def plain_date(raw: Expr) -> Expr:
    """The date of `yyyy-mm-dd` or `dd/mm/yyyy`, if it exists and falls within
    MIN_YEAR..MAX_YEAR; NULL otherwise (then Python decides). An ISO date is ten one-byte
    characters with its dashes in place and its years compared as text, read by DuckDB: within
    that shape DuckDB's lenient reading accepts only what Python reads as the same day
    (`2023-01-5 ` included; tested character by character), and a LIKE is cheaper than a
    digit pattern. `dd/mm/yyyy` is checked by a digit pattern (GLOB)."""
    digit = "[0-9]"
    iso = sa.and_(
        sa.func.strlen(raw) == _n(10),  # bytes: ten ASCII characters
        raw.like(_s("____-__-__")),
        raw.between(_s(f"{MIN_YEAR:04d}-01-01"), _s(f"{MAX_YEAR:04d}-12-31")),
    )
    eu = sa.and_(
        raw.op("GLOB")(_s(f"{digit * 2}/{digit * 2}/{digit * 4}")),
        sa.func.right(raw, _n(4)).between(_s(f"{MIN_YEAR:04d}"), _s(f"{MAX_YEAR:04d}")),
    )
    return sa.case(
        (iso, sa.try_cast(raw, sa.Date)),
        (eu, sa.cast(sa.func.try_strptime(raw, _s("%d/%m/%Y")), sa.Date)),
        else_=sa.null(),
    )


def _check_cells(src: SourceSpec) -> list[str]:
    """The columns of `src.base` that its checks read and that are not among its columns."""
    own = {col for col, _, _ in src.columns}
    found: dict[str, None] = {}
    for check in src.checks.values():
        for element in visitors.iterate(check):
            if isinstance(element, sa.ColumnClause) and element.table is src.base and element.key not in own:
                found[element.key] = None
    return list(found)


def classify(builder: _RowBuilder, index: int, src: SourceSpec, python_types: set[str]) -> sa.FromClause:
    """The classified rows of one source (same columns as the careful classification)."""
    from .engine import (
        AFTER_AS_OF,
        FLAGGED,
        IGNORED_MAPPING,
        OUT_OF_PERIOD,
        PYTHON,
        T_IGNORED,
        T_PYTHON,
        T_UNUSED,
        UNUSED_TYPE,
        USED,
        sql_ymd,
    )

    ctx = builder.ctx
    base = src.base
    null = sa.null()
    one, zero = _n(1), _n(0)
    end_key = "fin" if src.column("fin") is not None else "end"
    column_of = {k: col for col, k, _ in reversed(src.columns)}
    numbered = src.rowid_offset is None
    carry = ["r"] if numbered else []

    def raw_of(key: str) -> Expr | None:
        col = column_of.get(key)
        return None if col is None else base.c[col]

    # -- stage 1: type, dates, field values, straight from the cells
    cols: list[Any] = [
        *([base.c.r.label("r")] if numbered else []),
        *[base.c[col].label(col) for col, _, _ in src.columns],
        # cells the checks read besides (tested in stage 2, on the rows they concern)
        *[base.c[col].label(col) for col in _check_cells(src)],
    ]
    type_raw = raw_of("type")
    table = builder.type_table(src) if type_raw is not None else []
    t: Expr = _n(T_PYTHON)
    if table and type_raw is not None:
        t = lookup(type_raw, table, _n(T_PYTHON))
    cols.append(t.label("t"))

    date_keys = list(
        dict.fromkeys(
            ["date", end_key]
            + [
                d.name
                for d in builder.field_columns
                if d.kind is m.FieldKind.DATE and not builder._needs_lookup(d)
            ]
        )
    )
    # What each field says about the row: the stage-1 column of its value (NULL when the cell
    # is blank or not plainly written), a constant known here, or (dates) read in stage 2
    # from the date's columns. Fields of several types on one column share one value
    # column when they are read the same way (`participants` of two types: one test).
    oks: dict[m.FieldDecl, str | bool] = {}
    values: dict[m.FieldDecl, str] = {}  # stage-1 column of each field's value
    computed: dict[tuple[Any, ...], str] = {}  # (column, reading) -> stage-1 column
    dates: dict[str, int] = {}
    for n, key in enumerate(date_keys):
        raw = raw_of(key)
        if raw is not None:
            cols += [plain_date(raw).label(f"dv{n}"), empty(raw).label(f"db{n}")]
            dates[key] = n

    for decl in builder.field_columns:
        raw = raw_of(decl.name)
        referenced = decl in builder.referenced
        if decl.kind is m.FieldKind.DATE and not builder._needs_lookup(decl):
            continue  # see date_ok below
        if raw is None:
            oks[decl] = decl.optional
            continue
        if decl.kind is m.FieldKind.TEXT and decl.optional and not referenced:
            oks[decl] = True  # nothing can go wrong with it, and nothing reads it
            continue
        # each test runs on the filled cells only (CASE evaluates its branches lazily)
        column = column_of[decl.name]
        reading: tuple[Any, ...]
        if builder._needs_lookup(decl):
            pairs = builder.lookup_table(src, decl)
            if decl in builder.codes:  # each value as its code
                code_of = {value: code for code, value in enumerate(builder.codes[decl])}
                pairs = [(raw, code_of[value]) for raw, value in pairs]
            reading = (column, "lookup", tuple(pairs))
        elif decl.kind is m.FieldKind.TEXT:
            reading = (column, "plain" if referenced else "filled")
        else:
            reading = (column, decl.kind)
        if reading not in computed:
            blank = empty(raw)
            value: Expr
            if reading[1] == "lookup":
                value = lookup(raw, pairs, null, sparse=True)
            elif reading[1] == "plain":
                value = sa.case((blank, null), (plain_text(raw), raw), else_=null)
            elif reading[1] == "filled":
                value = sa.case((blank, null), (filled_text(raw), one), else_=null)
            elif decl.kind is m.FieldKind.INTEGER:
                test = sa.func.regexp_full_match(raw, _s(_INTEGER))
                value = sa.case((blank, null), (test, sa.cast(raw, sa.BigInteger)), else_=null)
            elif decl.kind is m.FieldKind.DECIMAL:
                number = sa.cast(sa.func.replace(raw, _s(","), _s(".")), ctx.dialect.double())
                test = sa.func.regexp_full_match(raw, _s(_DECIMAL))
                value = sa.case((blank, null), (test, number), else_=null)
            else:
                value = null
            computed[reading] = f"x{len(computed)}"
            cols.append(value.label(computed[reading]))
        oks[decl] = values[decl] = computed[reading]
    ident = raw_of("id")
    rid = ctx.dialect.text(ident) if ident is not None else sa.cast(null, sa.Text)
    cols.append(rid.label("rid"))
    first = sa.select(*cols).subquery("f1")

    def date_ok(key: str, optional: bool) -> Expr | bool:
        if key not in dates:
            return optional
        n = dates[key]
        filled = first.c[f"dv{n}"].is_not(None)
        return sa.or_(first.c[f"db{n}"], filled) if optional else filled

    def ok_of(decl: m.FieldDecl) -> Expr | bool:
        """A blank cell has a NULL value: for a required field, the value says it all."""
        if decl.kind is m.FieldKind.DATE and not builder._needs_lookup(decl):
            return date_ok(decl.name, decl.optional)
        ok = oks[decl]
        if isinstance(ok, bool):
            return ok
        found = first.c[ok].is_not(None)
        return sa.or_(empty(first.c[column_of[decl.name]]), found) if decl.optional else found

    # -- stage 2: the parts of the date, the row's outcome
    date_value = first.c[f"dv{dates['date']}"] if "date" in dates else sa.cast(null, sa.Date)
    cols2: list[Any] = [
        *[first.c[n] for n in carry],
        first.c.t,
        first.c.rid,
        *[first.c[col] for col, _, _ in src.columns],
        date_value.label("dv"),
        sa.func.year(date_value).label("y"),
        sa.func.month(date_value).label("m"),
        sa.func.day(date_value).label("d"),
    ]
    for decl, name in builder.field_columns.items():
        if decl not in builder.referenced:
            continue
        kept: Expr
        if decl.kind is m.FieldKind.DATE and not builder._needs_lookup(decl):
            if decl.name not in dates:
                kept = null
            else:
                dv = first.c[f"dv{dates[decl.name]}"]
                kept = sql_ymd(sa.func.year(dv), sa.func.month(dv), sa.func.day(dv))
        else:
            kept = first.c[values[decl]] if decl in values else null
        cols2.append(sa.cast(kept, builder._sql_type(decl)).label(name))
    end_ok = date_ok(end_key, True)
    ok_cases = []
    for type_name in builder.used:
        decls = builder.plan.event_types[type_name].fields
        parts = [ok_of(decl) for decl in decls] + [end_ok]
        if any(decl.duration is not None for decl in decls) or any(p is False for p in parts):
            all_ok: Expr = sa.false()  # a duration between two dates: Python reads these rows
        else:
            tests = [p for p in parts if not isinstance(p, bool)]
            all_ok = sa.and_(*tests) if tests else sa.true()
        ok_cases.append((first.c.t == _n(builder.type_index[type_name]), all_ok))
    ok: Expr = sa.case(*ok_cases, else_=sa.false()) if ok_cases else sa.false()

    def day(d: Any) -> Expr:
        return sa.literal_column(f"DATE '{d.isoformat()}'", sa.Date)

    window, as_of = builder.window, builder.as_of
    last = min(window.end, as_of)
    # The source's checks (a row blank in the columns read…) flag a row as FLAGGED. Only a row
    # whose type no lookup settled can be flagged (a known spelling is not blank): they are
    # tested on those rows only, not computed and stored for every row.
    flags = [sql_util.ClauseAdapter(first).traverse(check) == one for check in src.checks.values()]
    flagged = [(sa.and_(first.c.t == _n(T_PYTHON), sa.or_(*flags)), _n(FLAGGED))] if flags else []
    cat = sa.case(
        (first.c.t == _n(T_IGNORED), _n(IGNORED_MAPPING)),
        (first.c.t == _n(T_UNUSED), _n(UNUSED_TYPE)),
        *flagged,
        (sa.or_(first.c.t < zero, date_value.is_(None)), _n(PYTHON)),
        (
            sa.or_(date_value < day(window.start), date_value > day(last)),
            sa.case(
                (sa.and_(date_value > day(as_of), date_value <= day(window.end)), _n(AFTER_AS_OF)),
                else_=_n(OUT_OF_PERIOD),
            ),
        ),
        (ok, _n(USED)),
        else_=_n(PYTHON),
    )
    cols2.append(cat.label("cat"))
    second = sa.select(*cols2).subquery("f2")

    # -- stage 3: raw cells kept only for the rows Python will read
    keep_raw = second.c.cat == _n(PYTHON)
    wanted = [builder.type_index[t] for t in python_types if t in builder.type_index]
    if wanted:
        keep_raw = sa.or_(keep_raw, second.c.t.in_([_n(w) for w in wanted]))
    # The source index, the parts of the date and a missing identifier: written to the table
    # only when there is no numbering SELECT over it to compute them (fewer columns to write).
    narrow = not numbered
    outer = sa.select(
        *([] if narrow else [_n(index).label("s")]),
        *[second.c[n] for n in carry],
        second.c.t,
        *([second.c.dv] if narrow else [second.c.y, second.c.m, second.c.d]),
        second.c.cat,
        *([] if narrow and ident is None else [second.c.rid]),
        *[
            second.c[builder.field_columns[decl]]
            for decl in builder.field_columns
            if decl in builder.referenced
        ],
        # one list, NULL on settled rows: far cheaper to write than a column per cell
        sa.case(
            (keep_raw, sa.func.list_value(*[second.c[col] for col, _, _ in src.columns])), else_=null
        ).label("raw"),
    )

    def derived(table: sa.TableClause) -> list[Any]:
        dv = table.c.dv
        return [
            _n(index).label("s"),
            sa.func.year(dv).label("y"),
            sa.func.month(dv).label("m"),
            sa.func.day(dv).label("d"),
            *([sa.cast(null, sa.Text).label("rid")] if ident is None else []),
        ]

    return builder.store(outer, src, derived if narrow else None)
