"""`where` clauses of the plan as SQL boolean expressions, with SQL's own three-valued logic.

The Python evaluator (compile.compile_condition) implements Kleene logic by hand: a missing
optional field makes a comparison unknown, AND/OR/NOT propagate unknown, and only a true
condition counts. SQL does exactly that with NULL, so the translation is node for node.
Field names come from the checked plan and reach SQL as column references (quoted by the
dialect); every constant is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from .. import model as m
from .dialects import Dialect, Expr, integer


class NotPushableError(Exception):
    """A condition this dialect cannot evaluate exactly as Python does."""


FieldRef = Callable[[str], tuple[Expr, m.FieldKind]]


def compile_where(
    expr: m.Expr,
    event_type: m.EventType,
    field: FieldRef,
    dialect: Dialect,
    codes: Mapping[str, Sequence[str]] | None = None,
) -> Expr:
    """The SQL form of a condition; raises NotPushableError where the dialect cannot promise
    Python's result. `codes`: the enumerations whose columns hold codes (field name -> its
    values in code order), compared by `=`, `≠`, `dans`, `pas dans` with constants only."""
    codes = codes or {}
    match expr:
        case m.And(left=a, right=b):
            return sa.and_(
                compile_where(a, event_type, field, dialect, codes),
                compile_where(b, event_type, field, dialect, codes),
            )
        case m.Or(left=a, right=b):
            return sa.or_(
                compile_where(a, event_type, field, dialect, codes),
                compile_where(b, event_type, field, dialect, codes),
            )
        case m.Not(operand=o):
            return sa.not_(compile_where(o, event_type, field, dialect, codes))
        case m.BoolField(name=name):
            column, _ = field(name)
            return column == sa.literal(1, sa.Integer)
        case m.Compare(op=op, left=m.Name(name=name), right=other) if name in codes:
            return _compare(op, field(name)[0], _code(_constant(other), codes[name]))
        case m.Compare(op=op, left=other, right=m.Name(name=name)) if name in codes:
            return _compare(op, _code(_constant(other), codes[name]), field(name)[0])
        case m.Compare(op=op, left=left, right=right):
            sa_left, kind_left = _operand(left, event_type, field)
            sa_right, kind_right = _operand(right, event_type, field)
            if op not in (m.Comparator.EQ, m.Comparator.NE) and "text" in (kind_left, kind_right):
                sa_left, sa_right = _ordered(sa_left, dialect), _ordered(sa_right, dialect)
            return _compare(op, sa_left, sa_right)
        case m.Between(value=value, low=low, high=high):
            operands = [_operand(x, event_type, field) for x in (value, low, high)]
            v, lo, hi = (x for x, _ in operands)
            if any(kind == "text" for _, kind in operands):
                v, lo, hi = (_ordered(x, dialect) for x in (v, lo, hi))
            return sa.and_(lo <= v, v <= hi)
        case m.InList(value=value, items=(), negated=negated):
            # an empty list: unknown for a missing value (as in Python), else false (`dans`) or
            # true (`pas dans`); SQL's own empty IN would be false even for NULL
            v, _ = _operand(value, event_type, field)
            return sa.case((v.is_(None), sa.null()), else_=sa.true() if negated else sa.false())
        case m.InList(value=m.Name(name=name), items=items, negated=negated) if name in codes:
            column, _ = field(name)
            found = sorted({_code_of(_constant(item), codes[name]) for item in items})
            listed = [integer(code, sa.SmallInteger) for code in found]
            return column.not_in(listed) if negated else column.in_(listed)
        case m.InList(value=value, items=items, negated=negated):
            v, _ = _operand(value, event_type, field)
            constants = [_bind(_constant(item)) for item in items]
            return v.not_in(constants) if negated else v.in_(constants)
    raise NotPushableError(f"condition inattendue : {expr!r}")


def _code_of(constant: Any, values: Sequence[str]) -> int:
    """The code of an enumeration value; -1 (no row's code) for anything else, so that `=`
    and `dans` are false and `≠` and `pas dans` true, NULL staying NULL, as for the texts."""
    return values.index(constant) if isinstance(constant, str) and constant in values else -1


def _code(constant: Any, values: Sequence[str]) -> Expr:
    return integer(_code_of(constant, values), sa.SmallInteger)


def _compare(op: m.Comparator, a: Expr, b: Expr) -> Expr:
    if op is m.Comparator.GE:
        return a >= b
    if op is m.Comparator.GT:
        return a > b
    if op is m.Comparator.LE:
        return a <= b
    if op is m.Comparator.LT:
        return a < b
    if op is m.Comparator.EQ:
        return a == b
    return a != b


def _ordered(expr: Expr, dialect: Dialect) -> Expr:
    ordered = dialect.ordered_text(expr)
    if ordered is None:
        raise NotPushableError(f"l'ordre des textes de {dialect.name} n'est pas garanti identique à Python")
    return ordered


def _operand(expr: m.Expr, event_type: m.EventType, field: FieldRef) -> tuple[Expr, str]:
    if isinstance(expr, m.Name) and event_type.field(expr.name) is not None:
        column, kind = field(expr.name)
        return column, "text" if kind in (m.FieldKind.TEXT, m.FieldKind.ENUM) else "other"
    constant = _constant(expr)
    return _bind(constant), "text" if isinstance(constant, str) else "other"


def _constant(expr: m.Expr) -> Any:
    """The constant as the SQL rows hold it: booleans 1/0, dates as the integer yyyymmdd."""
    match expr:
        case m.Number():
            return expr.effective
        case m.Text(value=v) | m.Name(name=v):
            return v
        case m.Boolean(value=b):
            return 1 if b else 0
        case m.DateValue(value=d):
            return _ymd(d)
        case m.Negative(operand=m.Number() as n):
            return -n.effective
    raise NotPushableError(f"constante inattendue : {expr!r}")


def _ymd(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _bind(value: Any) -> Expr:
    if isinstance(value, str):
        return sa.literal(value, sa.String)
    if isinstance(value, int):
        return sa.literal(value, sa.BigInteger)
    return sa.literal(value, sa.Double())
