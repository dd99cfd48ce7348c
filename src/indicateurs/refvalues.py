"""Reference values: numbers the plan knows rather than counts (population, young people,
budget voted), declared in the plan or read from a small table next to it.

    valeur de référence population « Population au 1er janvier » = [2019: 95 000 · 2023: 97 500]
    valeur de référence budget « Budget voté » = 1 250 000
    valeur de référence jeunes « Jeunes de 12 à 25 ans » = table « references.csv »

A table is a CSV file (`;` or `,` between cells) with a year column (`année`, `annee`, `year`,
`jaar`) and one column per value, named like the value (`population`, `jeunes`…), or with
just the year and one other column. Its path is read relative to the plan file. Cells take a
decimal comma, spaces between thousands, and a `%` sign (then 80 % is 0.8).

In an expression, a value is written by its name, like a reference to an indicator; the
assembler turns the names of declared values into `ValueRef` nodes (`resolve`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Protocol

import attrs

from . import model as m
from . import statements as st
from .keywords import fold
from .measures import VALUE_FUNCTIONS
from .spans import Span

YEAR_COLUMNS = frozenset({"annee", "year", "jaar", "an"})
MAX_DEPTH = 64  # as the checker: deeper expressions are reported there, not rewritten here


class _Reporter(Protocol):
    file: str

    def error(self, code: str, span: Span, *args: Any, **kwargs: Any) -> None: ...


def build(reporter: _Reporter, decls: list[st.RefValueDecl]) -> dict[str, m.RefValue]:
    """The plan's reference values by name; tables are read now, their problems reported."""
    values: dict[str, m.RefValue] = {}
    for decl in decls:
        if decl.name in values:
            reporter.error("C210", decl.name_span, name=decl.name, first=values[decl.name].span.line)
            continue
        value = decl.value
        if decl.table is not None:
            value = read_table(reporter, decl)
        values[decl.name] = m.RefValue(decl.name, decl.label, value, decl.table, decl.span)
    return values


def table_path(plan_file: str, table: str) -> Path:
    """Where a table named in a plan is: next to the plan file, or in the current directory."""
    path = Path(table)
    if path.is_absolute():
        return path
    plan = Path(plan_file)
    if plan_file and not plan_file.startswith("<") and plan.parent != Path(""):
        return plan.parent / path
    return path


def read_table(reporter: _Reporter, decl: st.RefValueDecl) -> m.ByYear | None:
    """The column of `decl.name` in its table, as a value per year; None (reported) if unreadable."""
    assert decl.table is not None
    path = table_path(reporter.file, decl.table)
    # Carets under the table's path; under the value's name when only its column is missing.
    table_span = decl.table_span or decl.span
    try:
        data = path.read_bytes()
    except OSError:
        reporter.error("C211", table_span, table=decl.table, path=str(path))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sample = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if sample.count(";") >= sample.count(",") and ";" in sample else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [fold(cell) for cell in rows[0]] if rows else []
    year_column = next((i for i, name in enumerate(header) if name in YEAR_COLUMNS), None)
    column = next((i for i, name in enumerate(header) if name == fold(decl.name)), None)
    if column is None and year_column is not None and len(header) == 2:
        column = 1 - year_column
    if year_column is None or column is None:
        columns = ", ".join(rows[0]) if rows else "-"
        span = decl.name_span if year_column is not None else table_span
        reporter.error("C212", span, table=decl.table, name=decl.name, columns=columns)
        return None
    items: list[m.YearValue] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        year_text = row[year_column].strip() if year_column < len(row) else ""
        cell = row[column].strip() if column < len(row) else ""
        if not cell:
            continue  # a year without this value: the value of the year before applies
        number_value = read_number(cell)
        if not year_text.isdigit() or number_value is None:
            shown = cell if number_value is None else year_text
            reporter.error("C213", table_span, table=decl.table, row=number, value=shown)
            return None
        items.append(m.YearValue(int(year_text), number_value))
    if not items:
        reporter.error("C212", table_span, table=decl.table, name=decl.name, columns=", ".join(rows[0]))
        return None
    return m.ByYear(tuple(sorted(items, key=lambda item: item.year)))


def read_number(cell: str) -> m.Number | None:
    """`97 500`, `1.250.000,50`, `7,5`, `80 %` as a plan number; None if it is not one."""
    text = cell.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    if text.count(",") == 1 and "." in text:  # 1.234,5
        text = text.replace(".", "")
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return m.Number(value, percent)


# ---------------------------------------------------------------------------- use in expressions


def resolve(expr: m.Expr, names: frozenset[str], measures: frozenset[str] = frozenset()) -> m.Expr:
    """The expression with references to declared values as `ValueRef` nodes, and the value
    field of measured values filled in where it goes without saying (`dernier(sondage)`)."""

    def concerned(node: m.Expr) -> bool:
        if isinstance(node, m.IndicatorRef):
            return node.name in names
        return isinstance(node, m.Aggregate) and _measure_default(node, measures)

    if not any(concerned(n) for n in m.walk(expr)):
        return expr
    if expr_depth(expr) > MAX_DEPTH:
        return expr  # too deep for the checker anyway (C128)
    return _resolve(expr, names, measures)


def _measure_default(agg: m.Aggregate, measures: frozenset[str]) -> bool:
    return agg.field is None and agg.event_type in measures and agg.fn in VALUE_FUNCTIONS


def _resolve(expr: m.Expr, names: frozenset[str], measures: frozenset[str]) -> m.Expr:
    if isinstance(expr, m.IndicatorRef):
        return m.ValueRef(expr.name, expr.span) if expr.name in names else expr
    changes: dict[str, Any] = {}
    if isinstance(expr, m.Aggregate) and _measure_default(expr, measures):
        changes["field"] = m.MEASURE_FIELD
    for field in attrs.fields(type(expr)):
        value = getattr(expr, field.name)
        if isinstance(value, tuple) and value and all(_is_expr(v) for v in value):
            changes[field.name] = tuple(_resolve(v, names, measures) for v in value)
        elif _is_expr(value):
            changes[field.name] = _resolve(value, names, measures)
    return attrs.evolve(expr, **changes) if changes else expr


def _is_expr(value: object) -> bool:
    return attrs.has(type(value)) and not isinstance(value, m.YearValue | m.ByYear | m.Number | Span)


def expr_depth(expr: m.Expr) -> int:
    """The number of nodes on the longest path from `expr` down (compile's inlining reads it too)."""
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in m.children(node))
    return deepest


# ---------------------------------------------------------------------------- evaluation


def value_over(value: m.RefValue, years: tuple[int, ...]) -> tuple[float | None, int | None]:
    """A reference value over the years of a period, and the year it was given for (None for a
    single value). None when the years take different values or one has none."""
    found: set[tuple[int | None, float]] = set()
    for year in years:
        entry = value.at(year)
        if entry is None:
            return None, None
        found.add(entry)
    numbers = {number for _, number in found}
    if len(numbers) != 1:
        return None, None
    given = max((year for year, _ in found if year is not None), default=None)
    return numbers.pop(), given
