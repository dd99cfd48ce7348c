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


class Values:
    """Conversion expressions for one dialect."""

    def __init__(self, dialect: Dialect):
        self.d = dialect

    # ------------------------------------------------------------------ text and blanks

    def as_text(self, raw: Expr, cls: ColumnClass) -> tuple[Expr | None, Expr]:
        """(text or None when the class cannot be read as text here, blank test)."""
        d = self.d
        if cls is ColumnClass.TEXT:
            text = d.trim(raw)
            return text, sa.or_(raw.is_(None), text == _s(""))
        if cls is ColumnClass.DYNAMIC:
            kind = sa.func.typeof(raw)
            text = d.trim(d.text(raw))
            usable = sa.case((kind.in_([_s("text"), _s("integer")]), text), else_=sa.null())
            return usable, sa.or_(raw.is_(None), sa.and_(kind == _s("text"), text == _s("")))
        return None, raw.is_(None)

    def blank(self, raw: Expr, cls: ColumnClass) -> Expr:
        return self.as_text(raw, cls)[1]

    def text(self, raw: Expr, cls: ColumnClass) -> Converted:
        text, blank = self.as_text(raw, cls)
        if text is None and cls is ColumnClass.INTEGER:
            text = self.d.text(raw)  # str(5) == '5' in Python and in SQL
        value = sa.null() if text is None else sa.case((blank, sa.null()), else_=text)
        return Converted(value, blank)

    # ------------------------------------------------------------------ numbers

    def _digits_only(self, shape: Expr, low: int, high: int) -> Expr:
        return sa.and_(
            sa.func.replace(shape, _s("0"), _s("")) == _s(""),
            sa.func.length(shape).between(_i(low), _i(high)),
        )

    def _integer_text(self, text: Expr) -> Expr:
        """`-?[0-9]{1,18}` as a BIGINT, else NULL (Python's int() agrees on these)."""
        shape = self.d.shape(text)
        plain = self._digits_only(shape, 1, 18)
        negative = sa.and_(
            _substr(shape, 1, 1) == _s("-"), self._digits_only(sa.func.substr(shape, _i(2)), 1, 18)
        )
        return sa.case((sa.or_(plain, negative), sa.cast(text, sa.BigInteger)), else_=sa.null())

    def _decimal_text(self, text: Expr) -> Expr:
        """`-?d+` or `-?d+[.,]d+` as a DOUBLE, else NULL (float() of the same text)."""
        shape = self.d.shape(text)
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

    def integer(self, raw: Expr, cls: ColumnClass) -> Converted:
        blank = self.blank(raw, cls)
        if cls is ColumnClass.INTEGER:
            return Converted(raw, blank)
        if cls is ColumnClass.FLOAT:
            whole = sa.and_(raw == sa.func.floor(raw), sa.func.abs(raw) < sa.literal(1e15))
            return Converted(sa.case((whole, sa.cast(raw, sa.BigInteger)), else_=sa.null()), blank)
        if cls is ColumnClass.DYNAMIC:
            kind = sa.func.typeof(raw)
            text = self.d.trim(raw)
            value = sa.case(
                (kind == _s("integer"), raw),
                (kind == _s("text"), self._integer_text(text)),
                else_=sa.null(),
            )
            return Converted(value, blank)
        if cls is ColumnClass.TEXT:
            return Converted(self._integer_text(self.d.trim(raw)), blank)
        return Converted(sa.null(), blank)

    def decimal(self, raw: Expr, cls: ColumnClass) -> Converted:
        blank = self.blank(raw, cls)
        double = self.d.double()
        if cls in (ColumnClass.INTEGER, ColumnClass.FLOAT):
            return Converted(sa.cast(raw, double) + sa.literal(0.0, double), blank)
        if cls is ColumnClass.DYNAMIC:
            kind = sa.func.typeof(raw)
            value = sa.case(
                (kind.in_([_s("integer"), _s("real")]), sa.cast(raw, double)),
                (kind == _s("text"), self._decimal_text(self.d.trim(raw))),
                else_=sa.null(),
            )
            return Converted(value + sa.literal(0.0, double), blank)
        if cls is ColumnClass.TEXT:
            return Converted(self._decimal_text(self.d.trim(raw)) + sa.literal(0.0, double), blank)
        return Converted(sa.null(), blank)

    # ------------------------------------------------------------------ dates

    def date_parts(self, raw: Expr, cls: ColumnClass) -> tuple[Expr, Expr, Expr, Expr]:
        """(year, month, day, blank): the three parts NULL unless the date is settled here."""
        blank = self.blank(raw, cls)
        if cls is ColumnClass.DATE:
            y, m, d = (_int(sa.extract(part, raw)) for part in ("year", "month", "day"))
        elif cls in (ColumnClass.TEXT, ColumnClass.DYNAMIC):
            text = self.as_text(raw, cls)[0]
            assert text is not None
            y, m, d = self._date_text(raw if cls is ColumnClass.TEXT else None, text)
        else:
            return sa.null(), sa.null(), sa.null(), blank
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
            blank,
        )

    def _date_text(self, raw: Expr | None, text: Expr) -> tuple[Expr, Expr, Expr]:
        shape = self.d.shape(text)
        loose = sa.func.replace(sa.func.replace(shape, _s("/"), _s("-")), _s("."), _s("-"))
        cases: list[tuple[Expr, tuple[Expr, Expr, Expr]]] = []
        fast = self.d.iso_fast(raw) if raw is not None else None
        if fast is not None:
            assert raw is not None
            cases.append((fast, (_substr(raw, 1, 4), _substr(raw, 6, 2), _substr(raw, 9, 2))))
        for date_shape, suffixes, parts, year_add, on in _date_shapes():
            length = len(date_shape)
            subject = shape if on == "strict" else loose
            test = sa.and_(
                _substr(subject, 1, length) == _s(date_shape),
                sa.func.coalesce(sa.func.substr(shape, _i(length + 1)), _s("")).in_(
                    [_s(x) for x in suffixes]
                ),
            )
            (ys, yl), (ms, ml), (ds, dl) = parts
            year = _int(_substr(text, ys, yl))
            if year_add:
                year = year + _i(year_add)
            cases.append((test, (year, _substr(text, ms, ml), _substr(text, ds, dl))))
        y = sa.case(*[(c, _int(p[0])) for c, p in cases], else_=sa.null())
        m = sa.case(*[(c, _int(p[1])) for c, p in cases], else_=sa.null())
        d = sa.case(*[(c, _int(p[2])) for c, p in cases], else_=sa.null())
        return y, m, d

    def date(self, raw: Expr, cls: ColumnClass) -> Converted:
        """A date field as the integer yyyymmdd (what conditions compare it with)."""
        y, m, d, blank = self.date_parts(raw, cls)
        return Converted(y * _i(10000) + m * _i(100) + d, blank)

    # ------------------------------------------------------------------ lookups

    def lookup(self, raw: Expr, cls: ColumnClass, table: Sequence[tuple[Any, Any]]) -> Converted:
        """Values converted in Python, one per distinct raw value, as a CASE."""
        blank = self.blank(raw, cls)
        if not table:
            return Converted(sa.null(), blank)
        whens = [(raw == sa.literal(src), sa.literal(dst)) for src, dst in table]
        return Converted(sa.case(*whens, else_=sa.null()), blank)


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
