"""Semantic checks on an assembled plan: every problem is collected, none stops the others.

What a plan can get wrong before any data arrives: names (event types, fields, enumeration
values, indicator references, with "did you mean"), types (a sum over a text field), duplicate
identifiers and numbers, numbering that contradicts the tree, reference cycles, thresholds
that no data can meet, and periods finer than the plan allows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from . import check_more
from . import model as m
from .diagnostics import Diagnostic, Severity
from .keywords import is_reserved
from .parse import PERIOD_WORDS
from .spans import Span
from .suggest import closest

MAX_DEPTH = 64
# Keys every event row has already: a declared field cannot take these names.
RESERVED_FIELD_NAMES = frozenset({"type", "date", "id", "fin", "end"})

Interval = tuple[float, float]
_ANY: Interval = (-math.inf, math.inf)
_NON_NEGATIVE: Interval = (0.0, math.inf)


class Checker:
    def __init__(self, plan: m.Plan):
        self.plan = plan
        self.diagnostics: list[Diagnostic] = []
        self.by_id: dict[str, m.Indicator] = {}
        self.kinds: dict[str, m.IndicatorKind] = {}

    def error(self, code: str, span: Span, severity: Severity = Severity.ERROR, **args: Any) -> None:
        self.diagnostics.append(Diagnostic(code, span, args, severity))

    def run(self) -> list[Diagnostic]:
        self._identifiers()
        self._numbering()
        for indicator in self.plan.indicators:
            self._indicator(indicator)
        self._cycles()
        return self.diagnostics

    # ------------------------------------------------------------------ names

    def _identifiers(self) -> None:
        # The names of event types and indicators, and duplicate indicator ids, are checked by
        # the assembler, which knows where each name stands on its line.
        for event in self.plan.event_types.values():
            for f in event.fields:
                name_span = Span.point(f.span.file, f.span.line, f.span.column, len(f.name))
                self._identifier(f.name, name_span)
                if f.name.casefold() in RESERVED_FIELD_NAMES:
                    self.error("C151", name_span, name=f.name)
            check_more.event_type(self, event)
        for ind in self.plan.indicators:
            if ind.id not in self.by_id:
                self.by_id[ind.id] = ind
                self.kinds[ind.id] = ind.kind

    def _identifier(self, name: str, span: Span) -> None:
        if is_reserved(name):
            self.error("C117", span, name=name)
        elif "'" in name or "’" in name:
            self.error("C134", span, name=name)

    def _numbering(self) -> None:
        seen: dict[tuple[str, str], Span] = {}

        def visit(node: m.Node, numbered_parent: m.Node | None) -> None:
            if node.number is not None:
                key = (node.level, node.number)
                if key in seen:
                    self.error(
                        "C107",
                        node.number_span or node.span,
                        level=node.level,
                        number=node.number,
                        first=seen[key].line,
                    )
                else:
                    seen[key] = node.span
                if numbered_parent is not None and numbered_parent.number is not None:
                    parent_number = numbered_parent.number
                    if not node.number.startswith(parent_number + "."):
                        self.error(
                            "C108",
                            node.number_span or node.span,
                            number=node.number,
                            level=node.level,
                            parent=parent_number,
                            parent_level=numbered_parent.level,
                            line=numbered_parent.span.line,
                        )
            parent = node if node.number is not None else numbered_parent
            for child in node.children:
                if isinstance(child, m.Node):
                    visit(child, parent)

        for root in self.plan.nodes:
            visit(root, None)

    # ------------------------------------------------------------------ indicators

    def _indicator(self, ind: m.Indicator) -> None:
        if ind.expr is None:
            return
        depth_span = _too_deep(ind.expr)
        if depth_span is not None:
            self.error("C128", depth_span, limit=MAX_DEPTH)
            return
        for node in m.walk(ind.expr):
            if isinstance(node, m.Aggregate):
                self._aggregate(node)
            elif isinstance(node, m.IndicatorRef):
                self._reference(node)
        check_more.indicator(self, ind)
        expr_type = self._type(ind.expr)
        if ind.kind is m.IndicatorKind.MONITORED and expr_type == "bool":
            self.error("C135", ind.expr.span, name=ind.id)
        elif ind.kind is not m.IndicatorKind.MONITORED and expr_type == "number":
            self.error("C136", ind.expr.span, name=ind.id)
        self._satisfiable(ind.expr)
        if ind.period is not m.PeriodUnit.WHOLE and ind.period.months < self.plan.granularity.months:
            self.error(
                "C112",
                ind.period_span or ind.span,
                period=ind.period.value,
                granularity=self.plan.granularity.value,
            )
        period = self.plan.period
        if ind.deadline is not None and period is not None and not period.start <= ind.deadline <= period.end:
            self.error(
                "C124",
                ind.deadline_span or ind.span,
                Severity.WARNING,
                date=ind.deadline.isoformat(),
                start=period.start.isoformat(),
                end=period.end.isoformat(),
            )

    def _aggregate(self, agg: m.Aggregate) -> None:
        event = self.plan.event_types.get(agg.event_type)
        if event is None:
            guess = closest(agg.event_type, self.plan.event_types)
            self.error(
                "C101",
                agg.span,
                name=agg.event_type,
                guess=guess or "",
                known=", ".join(self.plan.event_types),
            )
            return
        needs_field = agg.fn in (
            m.AggregateFn.SUM,
            m.AggregateFn.AVG,
            m.AggregateFn.MIN,
            m.AggregateFn.MAX,
            m.AggregateFn.DISTINCT,
            m.AggregateFn.LAST,
        )
        if agg.field is None:
            if needs_field:
                numeric = [f.name for f in event.fields if f.kind.numeric]
                example = (
                    numeric[0]
                    if numeric and agg.fn is not m.AggregateFn.DISTINCT
                    else (event.fields[0].name if event.fields else "champ")
                )
                self.error("C125", agg.span, fn=agg.fn.value, event=event.name, example=example)
        else:
            decl = event.field(agg.field)
            if decl is None:
                self._unknown_field(agg.field, event, agg.field_span or agg.span)
            elif (
                agg.fn
                in (
                    m.AggregateFn.SUM,
                    m.AggregateFn.AVG,
                    m.AggregateFn.MIN,
                    m.AggregateFn.MAX,
                    m.AggregateFn.LAST,
                )
                and not decl.kind.numeric
            ):
                numeric = [f.name for f in event.fields if f.kind.numeric]
                self.error(
                    "C104",
                    agg.span,
                    fn=agg.fn.value,
                    field=decl.name,
                    kind=decl.kind.value,
                    numeric=", ".join(numeric),
                )
        if agg.fn is m.AggregateFn.SHARE and agg.where is None:
            self.error("C137", agg.span, Severity.WARNING)
        if agg.where is not None:
            self._condition(agg.where, event)

    def _unknown_field(self, name: str, event: m.EventType, span: Span) -> None:
        names = [f.name for f in event.fields]
        guess = closest(name, names)
        self.error(
            "C102", span, field=name, event=event.name, guess=guess or "", known=", ".join(names) or "-"
        )

    def _reference(self, ref: m.IndicatorRef) -> None:
        if ref.name in self.by_id:
            if self.kinds[ref.name] is m.IndicatorKind.UNDEFINED:
                self.error("C138", ref.span, name=ref.name)
            elif self.kinds[ref.name] is m.IndicatorKind.MILESTONE:
                self.error("C206", ref.span, name=ref.name)
            return
        if ref.name.lower() in PERIOD_WORDS:
            self.error("C139", ref.span, word=ref.name)
            return
        guess = closest(ref.name, self.by_id)
        self.error("C109", ref.span, name=ref.name, guess=guess or "")

    # ------------------------------------------------------------------ conditions

    def _condition(self, cond: m.Expr, event: m.EventType) -> None:
        stack = [cond]
        while stack:
            node = stack.pop()
            match node:
                case m.And() | m.Or() | m.Not():
                    stack.extend(m.children(node))
                case m.BoolField(name=name):
                    decl = event.field(name)
                    if decl is None:
                        self._unknown_field(name, event, node.span)
                    elif decl.kind is not m.FieldKind.BOOLEAN:
                        self.error("C140", node.span, field=name, kind=decl.kind.value)
                case m.Compare(op=op, left=left, right=right):
                    self._comparison(
                        event, node.span, [left, right], ordered=op not in (m.Comparator.EQ, m.Comparator.NE)
                    )
                case m.Between(value=value, low=low, high=high):
                    self._comparison(event, node.span, [value, low, high], ordered=True)
                case m.InList(value=value, items=items):
                    if not items:
                        self.error("C141", node.span, Severity.WARNING)
                    self._comparison(event, node.span, [value, *items], ordered=False)
                case _:
                    self.error("C142", node.span)

    def _comparison(self, event: m.EventType, span: Span, operands: list[m.Expr], ordered: bool) -> None:
        """One field compared with literals: the field exists, the literals fit its type."""
        fields = [op for op in operands if isinstance(op, m.Name) and event.field(op.name) is not None]
        if not fields:
            first = operands[0]
            if isinstance(first, m.Name):
                self._unknown_field(first.name, event, first.span)
            else:
                self.error("C143", span, known=", ".join(f.name for f in event.fields) or "-")
            return
        decl = event.field(fields[0].name)
        assert decl is not None
        if ordered and decl.kind in (m.FieldKind.TEXT, m.FieldKind.ENUM, m.FieldKind.BOOLEAN):
            self.error("C144", span, field=decl.name, kind=decl.kind.value)
        for operand in operands:
            if operand is fields[0]:
                continue
            self._literal_fits(operand, decl, event)

    def _literal_fits(self, operand: m.Expr, decl: m.FieldDecl, event: m.EventType) -> None:
        kind = decl.kind
        match operand:
            case m.Name(name=name):
                other = event.field(name)
                if other is not None:
                    if other.kind is not kind and not (other.kind.numeric and kind.numeric):
                        self.error("C105", operand.span, field=decl.name, kind=kind.value, value=name)
                elif kind is m.FieldKind.ENUM:
                    if name not in decl.values:
                        guess = closest(name, decl.values)
                        self.error(
                            "C103",
                            operand.span,
                            value=name,
                            field=decl.name,
                            guess=guess or "",
                            values=", ".join(decl.values),
                        )
                elif kind is m.FieldKind.BOOLEAN and name.lower() == "non":
                    self.error("C145", operand.span)
                elif kind is m.FieldKind.TEXT:
                    self.error("C146", operand.span, value=name)
                else:
                    self._unknown_field(name, event, operand.span)
            case m.Text(value=value):
                if value != value.strip() and kind in (m.FieldKind.TEXT, m.FieldKind.ENUM):
                    # « élus » with the usual French spaces: the spaces are part of the text.
                    padded_enum = kind is m.FieldKind.ENUM
                    if not padded_enum or value.strip() in decl.values:
                        severity = Severity.ERROR if padded_enum else Severity.WARNING
                        self.error("C152", operand.span, severity, value=value.strip())
                        return
                if kind is m.FieldKind.ENUM and value not in decl.values:
                    guess = closest(value, decl.values)
                    self.error(
                        "C103",
                        operand.span,
                        value=value,
                        field=decl.name,
                        guess=guess or "",
                        values=", ".join(decl.values),
                    )
                elif kind not in (m.FieldKind.TEXT, m.FieldKind.ENUM):
                    self.error("C105", operand.span, field=decl.name, kind=kind.value, value=f"« {value} »")
            case m.Number(percent=percent):
                if not kind.numeric or percent:
                    self.error("C105", operand.span, field=decl.name, kind=kind.value, value=_show(operand))
                else:
                    check_more.days_literal(self, operand, decl)
            case m.DateValue():
                if kind is not m.FieldKind.DATE:
                    self.error("C105", operand.span, field=decl.name, kind=kind.value, value=_show(operand))
            case m.Boolean():
                if kind is not m.FieldKind.BOOLEAN:
                    self.error("C105", operand.span, field=decl.name, kind=kind.value, value=_show(operand))
            case _:
                self.error("C142", operand.span)

    # ------------------------------------------------------------------ types

    def _type(self, expr: m.Expr) -> str:
        """`number`, `bool` or `error`; reports mixing of the two."""
        match expr:
            case m.Number():
                return "number"
            case m.Boolean():
                return "bool"
            case m.Aggregate(fn=fn):
                return "bool" if fn is m.AggregateFn.EXISTS else "number"
            case m.IndicatorRef(name=name):
                kind = self.kinds.get(name)
                if kind is None or kind in (m.IndicatorKind.UNDEFINED, m.IndicatorKind.MILESTONE):
                    return "error"
                return "number" if kind is m.IndicatorKind.MONITORED else "bool"
            case m.Negative(operand=o):
                return self._expect(o, "number")
            case m.Arithmetic(left=a, right=b):
                ok = self._expect(a, "number") != "error"
                ok = self._expect(b, "number") != "error" and ok
                return "number" if ok else "error"
            case m.Compare(left=a, right=b) | m.Between(value=a, low=b):
                self._expect(a, "number")
                self._expect(b, "number")
                if isinstance(expr, m.Between):
                    self._expect(expr.high, "number")
                return "bool"
            case m.And(left=a, right=b) | m.Or(left=a, right=b):
                self._expect(a, "bool")
                self._expect(b, "bool")
                return "bool"
            case m.Not(operand=o):
                self._expect(o, "bool")
                return "bool"
        found = check_more.expression_type(self, expr)
        if found is not None:
            return found
        self.error("C142", expr.span)
        return "error"

    def _expect(self, expr: m.Expr, wanted: str) -> str:
        got = self._type(expr)
        if got not in (wanted, "error"):
            code = "C147" if wanted == "number" else "C148"
            self.error(code, expr.span)
            return "error"
        return got

    # ------------------------------------------------------------------ thresholds

    def _satisfiable(self, expr: m.Expr) -> None:
        for node in m.walk(expr):
            if isinstance(node, m.Compare | m.Between):
                self._percent_of_a_count(node)
            if isinstance(node, m.Compare):
                left, right = _range(node.left), _range(node.right)
                verdict = _compare_verdict(node.op, left, right)
                if verdict is False:
                    self.error("C111", node.span, low=_fmt(left[0]), high=_fmt(left[1]))
                elif verdict is True:
                    self.error("C149", node.span, Severity.WARNING)
            elif isinstance(node, m.Between) and not isinstance(node.value, m.Name):
                value, low, high = _range(node.value), _range(node.low), _range(node.high)
                if low[0] > high[1]:
                    # From the first bound to the second: the two are what is reversed.
                    first, second = node.low.span, node.high.span
                    span = Span(first.file, first.line, first.column, second.end_line, second.end_column)
                    self.error("C150", span if first.line else node.span)
                elif value[1] < low[0] or value[0] > high[1]:
                    self.error("C111", node.span, low=_fmt(value[0]), high=_fmt(value[1]))

    def _percent_of_a_count(self, node: m.Compare | m.Between) -> None:
        """« nombre(dossier où délai <= 21) >= 80 % » compares a count with 0.8: a share was meant."""
        operands = (
            [node.left, node.right] if isinstance(node, m.Compare) else [node.value, node.low, node.high]
        )
        counted = [
            op
            for op in operands
            if isinstance(op, m.Aggregate) and op.fn in (m.AggregateFn.COUNT, m.AggregateFn.DISTINCT)
        ]
        if not counted:
            return
        for operand in operands:
            if isinstance(operand, m.Number) and operand.percent:
                # A warning: the plan still means something (at least one event), just not that.
                self.error("C153", operand.span, Severity.WARNING, event=counted[0].event_type)
                return

    # ------------------------------------------------------------------ cycles

    def _cycles(self) -> None:
        graph = {ind.id: [r for r in _refs(ind.expr) if r.name in self.by_id] for ind in self.by_id.values()}
        state: dict[str, int] = {}
        for start in graph:
            if state.get(start):
                continue
            path: list[str] = []
            stack: list[tuple[str, Iterator[m.IndicatorRef]]] = [(start, iter(graph[start]))]
            state[start] = 1
            path.append(start)
            while stack:
                name, refs = stack[-1]
                ref = next(refs, None)
                if ref is None:
                    stack.pop()
                    path.pop()
                    state[name] = 2
                    continue
                target = ref.name
                if state.get(target) == 1:
                    cycle = [*path[path.index(target) :], target]
                    self.error("C110", ref.span, cycle=" → ".join(cycle))
                elif not state.get(target):
                    state[target] = 1
                    path.append(target)
                    stack.append((target, iter(graph[target])))


def _refs(expr: m.Expr | None) -> list[m.IndicatorRef]:
    if expr is None or _too_deep(expr) is not None:
        return []
    return [n for n in m.walk(expr) if isinstance(n, m.IndicatorRef)]


def _too_deep(expr: m.Expr) -> Span | None:
    stack: list[tuple[m.Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node.span
        stack.extend((child, depth + 1) for child in m.children(node))
    return None


def _range(expr: m.Expr) -> Interval:
    """The values an expression can take, as far as the plan alone tells."""
    match expr:
        case m.Number():
            return (expr.effective, expr.effective)
        case m.Aggregate(fn=fn):
            if fn in (m.AggregateFn.COUNT, m.AggregateFn.DISTINCT):
                return _NON_NEGATIVE
            if fn is m.AggregateFn.SHARE:
                return (0.0, 1.0)
            return _ANY
        case m.Negative(operand=o):
            lo, hi = _range(o)
            return (-hi, -lo)
        case m.Arithmetic(op=op, left=a, right=b):
            return _arith_range(op, _range(a), _range(b))
    return check_more.value_range(expr) or _ANY


def _arith_range(op: str, a: Interval, b: Interval) -> Interval:
    if op == "+":
        return (a[0] + b[0], a[1] + b[1])
    if op == "-":
        return (a[0] - b[1], a[1] - b[0])
    if op == "*" and a[0] >= 0 and b[0] >= 0:
        return (a[0] * b[0], a[1] * b[1])
    if op == "/" and a[0] >= 0 and b[0] >= 0:
        return (0.0, math.inf)
    return _ANY


def _compare_verdict(op: m.Comparator, a: Interval, b: Interval) -> bool | None:
    """False when no data can make the comparison true, True when every data does."""
    if math.inf in (abs(b[0]), abs(b[1])) and a == _ANY:
        return None
    match op:
        case m.Comparator.GE:
            return False if a[1] < b[0] else (True if a[0] >= b[1] else None)
        case m.Comparator.GT:
            return False if a[1] <= b[0] else (True if a[0] > b[1] else None)
        case m.Comparator.LE:
            return False if a[0] > b[1] else (True if a[1] <= b[0] else None)
        case m.Comparator.LT:
            return False if a[0] >= b[1] else (True if a[1] < b[0] else None)
        case m.Comparator.EQ:
            return False if a[1] < b[0] or a[0] > b[1] else None
    return None


def _fmt(value: float) -> str:
    if value == math.inf:
        return "∞"
    if value == -math.inf:
        return "-∞"
    return f"{value:g}"


def _show(expr: m.Expr) -> str:
    match expr:
        case m.Number(value=v, percent=p):
            return f"{v:g}{' %' if p else ''}"
        case m.DateValue(value=d):
            return d.isoformat()
        case m.Boolean(value=b):
            return "vrai" if b else "faux"
    return "?"


def check_plan(plan: m.Plan) -> list[Diagnostic]:
    return Checker(plan).run()
