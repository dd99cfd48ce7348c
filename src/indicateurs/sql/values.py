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

    def as_text(self, raw: Expr, cls: ColumnClass) -> tuple[Expr | None, Expr]:
        """(trimmed text or None when the class is not read as text, blank test)."""
        d = self.d
        if cls is ColumnClass.TEXT:
            text = d.trim(raw)
            return text, sa.or_(raw.is_(None), text == _s(""))
        if cls is ColumnClass.DYNAMIC:
            kind = sa.func.typeof(raw)
            text = d.trim(d.text(raw))
            usable = sa.case((kind.in_([_s("text"), _s("integer")]), text), else_=sa.null())
            return usable, sa.or_(raw.is_(None), sa.and_(kind == _s("text"), text == _s("")))
        if cls is ColumnClass.INTEGER:
            return d.text(raw), raw.is_(None)  # str(5) == '5' in Python and in SQL
        return None, raw.is_(None)

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

    def date_candidates(self, cell: Cell) -> tuple[Expr, Expr, Expr]:
        """(year, month, day) read from the layout, not yet checked (see `date_checked`)."""
        if cell.cls is ColumnClass.DATE:
            y, m, d = (_int(sa.extract(part, cell.raw)) for part in ("year", "month", "day"))
            return y, m, d
        if cell.text is None or cell.shape is None or cell.cls not in (ColumnClass.TEXT, ColumnClass.DYNAMIC):
            return sa.null(), sa.null(), sa.null()
        text, shape = cell.text, cell.shape
        loose = sa.func.replace(sa.func.replace(shape, _s("/"), _s("-")), _s("."), _s("-"))
        cases: list[tuple[Expr, tuple[Expr, Expr, Expr]]] = []
        for date_shape, suffixes, parts, year_add, on in _date_shapes():
            length = len(date_shape)
            subject = shape if on == "strict" else loose
            rest = sa.func.coalesce(sa.func.substr(shape, _i(length + 1)), _s(""))
            if suffixes == [""]:
                test = subject == _s(date_shape)
            else:
                test = sa.and_(
                    _substr(subject, 1, length) == _s(date_shape), rest.in_([_s(x) for x in suffixes])
                )
            (ys, yl), (ms, ml), (ds, dl) = parts
            year = _int(_substr(text, ys, yl))
            if year_add:
                year = year + _i(year_add)
            cases.append((test, (year, _int(_substr(text, ms, ml)), _int(_substr(text, ds, dl)))))
        first, *others = cases
        plain = shape == _s("0000-00-00")  # the common case, tested first
        y = sa.case((plain, first[1][0]), *[(c, p[0]) for c, p in cases], else_=sa.null())
        m = sa.case((plain, first[1][1]), *[(c, p[1]) for c, p in cases], else_=sa.null())
        d = sa.case((plain, first[1][2]), *[(c, p[2]) for c, p in cases], else_=sa.null())
        return y, m, d

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


_Parts = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def _date_shapes() -> list[tuple[str, list[str], _Parts, int, str]]:
    """The date layouts settled in SQL: (shape, allowed time suffixes, positions, year offset,
    strict or loose separators). A subset of what convert.parse_date reads, same values."""
    iso_times = [""]
    for sep, hour in itertools.product(" T", ("0", "00")):
        base = f"{sep}{hour}:00"
        iso_times += [base, base + ":00"] + [base + ":00." + "0" * k for k in range(1, 7)]
    out: list[tuple[str, list[str], _Parts, int, str]] = []
    for ml, dl in itertools.product((2, 1), (2, 1)):
        shape = "0000-" + "0" * ml + "-" + "0" * dl
        out.append((shape, iso_times, ((1, 4), (6, ml), (7 + ml, dl)), 0, "strict"))
    eu_times = ["", " 0:00", " 00:00", " 0:00:00", " 00:00:00"]
    for dl, ml, yl in itertools.product((2, 1), (2, 1), (4, 2)):
        shape = "0" * dl + "-" + "0" * ml + "-" + "0" * yl
        ms, ys = dl + 2, dl + ml + 3
        out.append((shape, eu_times, ((ys, yl), (ms, ml), (1, dl)), 2000 if yl == 2 else 0, "loose"))
    return out
