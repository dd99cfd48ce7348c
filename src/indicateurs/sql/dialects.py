"""What differs between SQL engines, in one place: trimming, digit shapes, text ordering.

Everything else the push-down writes is portable SQL (CASE, SUBSTR, CAST, REPLACE, integer
arithmetic, COUNT/SUM/MIN/MAX, COUNT(DISTINCT), ROW_NUMBER-style window sums), built with
SQLAlchemy Core so that identifiers are quoted by the dialect and values are bound parameters.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

# Python's str.strip() removes exactly the characters for which str.isspace() is true.
# (tests/test_sql.py checks this against every code point.)
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

Expr = ColumnElement[Any]

# RE2 (DuckDB): a text that starts or ends with one of WHITESPACE.
_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"  # from the one list
_ODD_ENDS = f"^{_CLASS}|{_CLASS}$"


def integer(value: int, type_: Any = sa.Integer) -> Expr:
    """An integer constant written into the statement (no parameter to bind: statements
    compile faster, and the value is a Python int, never a text from the data)."""
    return sa.literal_column(str(int(value)), type_)


class Dialect:
    """The few engine-specific expressions the push-down needs, chosen by dialect name."""

    def __init__(self, name: str):
        self.name = name

    @property
    def known(self) -> bool:
        """Engines whose text comparison and casting rules were checked against Python's."""
        return self.name in ("duckdb", "postgresql", "sqlite")

    def trim(self, expr: Expr) -> Expr:
        """Python's str.strip(): every Unicode whitespace character, both ends.

        Trimming with a set of 29 characters is slow; where the ends are plain (after the
        usual space trim, neither end is a whitespace character), the space trim is the answer.
        """
        chars = sa.literal(WHITESPACE, sa.String)
        full = sa.func.btrim(expr, chars) if self.name == "postgresql" else sa.func.trim(expr, chars)
        if self.name == "duckdb":  # a regular expression finds the few texts to trim, fast
            odd_end = sa.func.regexp_matches(expr, sa.literal(_ODD_ENDS, sa.String))
            return sa.case((odd_end, full), else_=expr)
        if self.name != "postgresql":
            return full
        spaces = sa.func.trim(expr)
        odd = sa.or_(
            sa.func.strpos(chars, sa.func.left(spaces, sa.literal(1, sa.Integer)))
            > sa.literal(0, sa.Integer),
            sa.func.strpos(chars, sa.func.right(spaces, sa.literal(1, sa.Integer)))
            > sa.literal(0, sa.Integer),
        )
        return sa.case((sa.and_(spaces != sa.literal("", sa.String), odd), full), else_=spaces)

    def text(self, expr: Expr) -> Expr:
        return sa.cast(expr, sa.Text)

    def shape(self, expr: Expr) -> Expr:
        """The text with every ASCII digit replaced by 0: `15/03/2023` → `00/00/0000`."""
        if self.name in ("duckdb", "postgresql"):
            return sa.func.translate(expr, sa.literal("123456789"), sa.literal("000000000"))
        out = expr
        for digit in "123456789":
            out = sa.func.replace(out, sa.literal(digit), sa.literal("0"))
        return out

    def iso_fast(self, raw: Expr) -> Expr | None:
        """A cheap test that `raw` is exactly `dddd-dd-dd` (ASCII digits, nothing around)."""
        if self.name == "duckdb":
            return sa.and_(
                raw.like(sa.literal("____-__-__")),
                sa.func.regexp_full_match(raw, sa.literal("[0-9]{4}-[0-9]{2}-[0-9]{2}")),
            )
        if self.name == "postgresql":
            return raw.op("~")(sa.literal("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        return None

    def ordered_text(self, expr: Expr) -> Expr | None:
        """Text as Python orders it (code points), or None where that cannot be promised."""
        if self.name == "postgresql":
            return expr.collate("C")
        if self.name in ("duckdb", "sqlite"):
            return expr
        return None

    def double(self) -> sa.types.TypeEngine[Any]:
        return sa.Double()
