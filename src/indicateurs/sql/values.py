"""Row values as SQL expressions that agree with the Python conversions (indicateurs.convert).

Every conversion here is *conservative*: it yields a value only for inputs whose Python
conversion is known to give that very value (ISO and dd/mm/yyyy dates made of ASCII digits,
plain integers, decimals with one `.` or `,`), and NULL for anything else. A row with such a
NULL where Python would have a value (or a rejection) is not settled in SQL: the engine hands
it to the Python evaluator, which decides with its own code. So SQL never has to reproduce
Python's verdict on odd input; it only has to be right on what it accepts.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from ..convert import MAX_YEAR, MIN_YEAR
from .dialects import Dialect, Expr


class ColumnClass(enum.Enum):
    """What a source column holds, as far as conversion is concerned."""

    TEXT = "text"
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    BOOLEAN = "boolean"
    DYNAMIC = "dynamic"  # SQLite: any value, its type read per row with typeof()
    OTHER = "other"


def column_class(type_name: str) -> ColumnClass:
    """A column's class from its SQL type name (DuckDB, PostgreSQL, SQLAlchemy reflection)."""
    name = type_name.upper()
    if any(word in name for word in ("CHAR", "TEXT", "STRING", "CLOB", "UUID", "ENUM", "JSON")):
        return ColumnClass.TEXT if "JSON" not in name else ColumnClass.OTHER
    if any(word in name for word in ("BOOL",)):
        return ColumnClass.BOOLEAN
    if "INTERVAL" in name:
        return ColumnClass.OTHER
    if any(word in name for word in ("DATE", "TIMESTAMP")):
        return ColumnClass.DATE
    if any(word in name for word in ("INT", "SERIAL")):
        return ColumnClass.INTEGER
    if any(word in name for word in ("FLOAT", "DOUBLE", "REAL", "NUMERIC", "DECIMAL")):
        return ColumnClass.FLOAT
    return ColumnClass.OTHER


@attrs.frozen
class Converted:
    """A converted value: `value` is NULL unless settled; `blank` says the input was empty."""

    value: Expr
    blank: Expr


def _i(value: int) -> Expr:
    return sa.literal(value, sa.Integer)


def _s(value: str) -> Expr:
    return sa.literal(value, sa.String)


def _int(expr: Expr) -> Expr:
    return sa.cast(expr, sa.Integer)


def _substr(expr: Expr, start: int, length: int) -> Expr:
    return sa.func.substr(expr, _i(start), _i(length))


@attrs.frozen
class Cell:
    """One input value at the conversion stage: the raw column, its trimmed text, the digit
    shape of that text and the blank test, each computed once in an inner SELECT."""

    raw: Expr
    cls: ColumnClass
    text: Expr | None
    shape: Expr | None
    blank: Expr


class Values:
    """Conversion expressions for one dialect."""

    def __init__(self, dialect: Dialect):
        self.d = dialect

    # ------------------------------------------------------------------ first stage

    def as_text(self, raw: Expr, cls: ColumnClass, date: bool = False) -> tuple[Expr | None, Expr]:
        """(trimmed text or None when the class is not read as text, blank test). For a date,
        a plain `yyyy-mm-dd` needs no trimming (the common case, tested cheaply first)."""
        d = self.d
        if cls is ColumnClass.TEXT:
            fast = d.iso_fast(raw) if date else None
            text = d.trim(raw) if fast is None else sa.case((fast, raw), else_=d.trim(raw))
            return text, sa.or_(raw.is_(None), text == _s(""))
        if cls is ColumnClass.DYNAMIC:
            kind = sa.func.typeof(raw)
            text = d.trim(d.text(raw))
            usable = sa.case((kind.in_([_s("text"), _s("integer")]), text), else_=sa.null())
            return usable, sa.or_(raw.is_(None), sa.and_(kind == _s("text"), text == _s("")))
        if cls is ColumnClass.INTEGER:
            return d.text(raw), raw.is_(None)  # str(5) == '5' in Python and in SQL
        return None, raw.is_(None)

    def blank_of(self, raw: Expr, text: Expr | None, cls: ColumnClass) -> Expr:
        """The blank test of `as_text`, on a text already computed (a column of an inner SELECT)."""
        if text is None or cls is ColumnClass.INTEGER:
            return raw.is_(None)
        if cls is ColumnClass.DYNAMIC:
            return sa.or_(raw.is_(None), sa.and_(sa.func.typeof(raw) == _s("text"), text == _s("")))
        return sa.or_(raw.is_(None), text == _s(""))

    def shape(self, raw: Expr, text: Expr, cls: ColumnClass) -> Expr:
        """The digit shape of the text; plain ISO dates skip the costly part where possible."""
        fast = self.d.iso_fast(raw) if cls is ColumnClass.TEXT else None
        if fast is None:
            return self.d.shape(text)
        return sa.case((fast, _s("0000-00-00")), else_=self.d.shape(text))

    # ------------------------------------------------------------------ second stage

    def text(self, cell: Cell) -> Converted:
        value = sa.null() if cell.text is None else sa.case((cell.blank, sa.null()), else_=cell.text)
        return Converted(value, cell.blank)

    def _digits_only(self, shape: Expr, low: int, high: int) -> Expr:
        return sa.and_(
            sa.func.replace(shape, _s("0"), _s("")) == _s(""),
            sa.func.length(shape).between(_i(low), _i(high)),
        )

    def _integer_text(self, text: Expr, shape: Expr) -> Expr:
        """`-?[0-9]{1,18}` as a BIGINT, else NULL (Python's int() agrees on these)."""
        plain = self._digits_only(shape, 1, 18)
        negative = sa.and_(
            _substr(shape, 1, 1) == _s("-"), self._digits_only(sa.func.substr(shape, _i(2)), 1, 18)
        )
        return sa.case((sa.or_(plain, negative), sa.cast(text, sa.BigInteger)), else_=sa.null())

    def _decimal_text(self, text: Expr, shape: Expr) -> Expr:
        """`-?d+` or `-?d+[.,]d+` as a DOUBLE, else NULL (float() of the same text)."""
        unsigned = sa.case((_substr(shape, 1, 1) == _s("-"), sa.func.substr(shape, _i(2))), else_=shape)
        point = sa.func.replace(unsigned, _s(","), _s("."))
        whole = self._digits_only(unsigned, 1, 30)
        fraction = sa.and_(
            sa.func.length(point) <= _i(30),
            sa.func.replace(point, _s("0"), _s("")) == _s("."),
            _substr(point, 1, 1) == _s("0"),
            sa.func.substr(point, sa.func.length(point)) == _s("0"),
        )
        number = sa.cast(sa.func.replace(text, _s(","), _s(".")), self.d.double())
        return sa.case((sa.or_(whole, fraction), number), else_=sa.null())

    def integer(self, cell: Cell) -> Converted:
        raw, cls = cell.raw, cell.cls
        if cls is ColumnClass.INTEGER:
            return Converted(raw, cell.blank)
        if cls is ColumnClass.FLOAT:
            whole = sa.and_(raw == sa.func.floor(raw), sa.func.abs(raw) < sa.literal(1e15))
            return Converted(sa.case((whole, sa.cast(raw, sa.BigInteger)), else_=sa.null()), cell.blank)
        if cell.text is None or cell.shape is None:
            return Converted(sa.null(), cell.blank)
        value = self._integer_text(cell.text, cell.shape)
        if cls is ColumnClass.DYNAMIC:
            value = sa.case((sa.func.typeof(raw) == _s("integer"), raw), else_=value)
        return Converted(value, cell.blank)

    def decimal(self, cell: Cell) -> Converted:
        raw, cls = cell.raw, cell.cls
        double = self.d.double()
        zero = sa.literal(0.0, double)
        if cls in (ColumnClass.INTEGER, ColumnClass.FLOAT):
            return Converted(sa.cast(raw, double) + zero, cell.blank)
        if cell.text is None or cell.shape is None:
            return Converted(sa.null(), cell.blank)
        value = self._decimal_text(cell.text, cell.shape)
        if cls is ColumnClass.DYNAMIC:
            kind = sa.func.typeof(raw)
            value = sa.case(
                (kind.in_([_s("integer"), _s("real")]), sa.cast(raw, double)),
                (kind == _s("text"), value),
                else_=sa.null(),
            )
        return Converted(value + zero, cell.blank)

    def date_layout(self, cell: Cell) -> Expr | None:
        """Which of the layouts of `_date_shapes` the text has (1, 2, …), 0 for none; None
        for typed dates (read with EXTRACT) and for classes that are never dates here."""
        if cell.cls is ColumnClass.DATE:
            return None
        if cell.text is None or cell.shape is None or cell.cls not in (ColumnClass.TEXT, ColumnClass.DYNAMIC):
            return None
        shape = cell.shape
        loose = sa.func.replace(sa.func.replace(shape, _s("/"), _s("-")), _s("."), _s("-"))
        cases: list[tuple[Expr, Expr]] = [(shape == _s("0000-00-00"), _i(1))]  # the common case first
        for n, (date_shape, times, _, _, on) in enumerate(_date_shapes(), start=1):
            length = len(date_shape)
            subject = shape if on == "strict" else loose
            rest = sa.func.substr(shape, _i(length + 1))
            test = sa.and_(
                _substr(subject, 1, length) == _s(date_shape),
                sa.or_(sa.func.length(shape) == _i(length), _time_test(rest, times)),
            )
            cases.append((test, _i(n)))
        return sa.case(*cases, else_=_i(0))

    def date_candidates(self, cell: Cell, layout: Expr | None) -> tuple[Expr, Expr, Expr]:
        """(year, month, day) read from the layout, not yet checked (see `date_checked`)."""
        if cell.cls is ColumnClass.DATE:
            y, m, d = (_int(sa.extract(part, cell.raw)) for part in ("year", "month", "day"))
            return y, m, d
        if layout is None or cell.text is None:
            return sa.null(), sa.null(), sa.null()
        text = cell.text
        ys: list[tuple[Expr, Expr]] = []
        ms: list[tuple[Expr, Expr]] = []
        ds: list[tuple[Expr, Expr]] = []
        for n, (_, _, parts, year_add, _) in enumerate(_date_shapes(), start=1):
            (y0, yl), (m0, ml), (d0, dl) = parts
            year = _int(_substr(text, y0, yl))
            if year_add:
                year = year + _i(year_add)
            when = layout == _i(n)
            ys.append((when, year))
            ms.append((when, _int(_substr(text, m0, ml))))
            ds.append((when, _int(_substr(text, d0, dl))))
        return sa.case(*ys, else_=sa.null()), sa.case(*ms, else_=sa.null()), sa.case(*ds, else_=sa.null())

    # ------------------------------------------------------------------ third stage

    @staticmethod
    def date_checked(y: Expr, m: Expr, d: Expr) -> tuple[Expr, Expr, Expr]:
        """The parts of a real date within 1970..2100; all NULL otherwise (Python decides)."""
        ok = sa.and_(
            y.between(_i(MIN_YEAR), _i(MAX_YEAR)),
            m.between(_i(1), _i(12)),
            d >= _i(1),
            d <= _days_in_month(y, m),
        )
        return (
            sa.case((ok, y), else_=sa.null()),
            sa.case((ok, m), else_=sa.null()),
            sa.case((ok, d), else_=sa.null()),
        )

    # ------------------------------------------------------------------ lookups

    def lookup(self, cell: Cell, table: Sequence[tuple[Any, Any]]) -> Converted:
        """Values converted in Python, one per distinct raw value, as a CASE."""
        if not table:
            return Converted(sa.null(), cell.blank)
        whens = [(cell.raw == sa.literal(src), sa.literal(dst)) for src, dst in table]
        return Converted(sa.case(*whens, else_=sa.null()), cell.blank)


def _days_in_month(y: Expr, m: Expr) -> Expr:
    leap = sa.or_(
        sa.and_(y % _i(4) == _i(0), y % _i(100) != _i(0)),
        y % _i(400) == _i(0),
    )
    return sa.case(
        (m.in_([_i(4), _i(6), _i(9), _i(11)]), _i(30)),
        (m == _i(2), sa.case((leap, _i(29)), else_=_i(28))),
        else_=_i(31),
    )


def _time_test(rest: Expr, times: str) -> Expr:
    """The text after the date is a time Python's patterns accept (digit shapes, see below)."""
    first = _substr(rest, 1, 1)
    clock = sa.func.substr(rest, _i(2))
    plain = clock.in_([_s(x) for x in ("0:00", "00:00", "0:00:00", "00:00:00")])
    if times == "eu":  # dd/mm/yyyy hh:mm[:ss], one space
        return sa.and_(first == _s(" "), plain)
    # yyyy-mm-dd[ T]hh:mm[:ss[.ffffff]]
    fraction = sa.and_(
        sa.or_(clock.like(_s("00:00:00._%")), clock.like(_s("0:00:00._%"))),
        sa.func.replace(
            sa.case(
                (clock.like(_s("00:00:00._%")), sa.func.substr(clock, _i(10))),
                else_=sa.func.substr(clock, _i(9)),
            ),
            _s("0"),
            _s(""),
        )
        == _s(""),
        sa.func.length(clock) <= _i(16),
    )
    return sa.and_(first.in_([_s(" "), _s("T")]), sa.or_(plain, fraction))


_Parts = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def _date_shapes() -> list[tuple[str, str, _Parts, int, str]]:
    """The date layouts settled in SQL: (shape, time kind, positions, year offset, strict or
    loose separators). A subset of what convert.parse_date reads, with the same values."""
    out: list[tuple[str, str, _Parts, int, str]] = []
    for ml, dl in itertools.product((2, 1), (2, 1)):
        shape = "0000-" + "0" * ml + "-" + "0" * dl
        out.append((shape, "iso", ((1, 4), (6, ml), (7 + ml, dl)), 0, "strict"))
    for dl, ml, yl in itertools.product((2, 1), (2, 1), (4, 2)):
        shape = "0" * dl + "-" + "0" * ml + "-" + "0" * yl
        ms, ys = dl + 2, dl + ml + 3
        out.append((shape, "eu", ((ys, yl), (ms, ml), (1, dl)), 2000 if yl == 2 else 0, "loose"))
    return out
