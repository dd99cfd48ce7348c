"""Statements to a plan tree: the hierarchy comes from the declared order of levels.

A node attaches to the closest preceding node of a higher level (as headings do in a document);
indicators attach to the last node; field lines to the last event type; an expression line and
a unit to the last indicator; a note to whatever came last. Indentation plays no part. Every
statement that cannot be placed becomes a diagnostic; nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from . import measures, refvalues
from . import model as m
from . import statements as st
from .diagnostics import Diagnostic, Severity
from .keywords import STATEMENT_WORDS, fold, is_reserved
from .parse import parse_plan_date
from .spans import Span
from .statuses import stated_indicator
from .suggest import closest

DEFAULT_LEVELS: tuple[str, ...] = (
    "secteur d'activité",
    "objectif général",
    "objectif stratégique",
    "domaine",
    "pôle",
    "objectif opérationnel",
    "résultat attendu",
)


@attrs.define
class _DraftNode:
    level: str
    rank: int
    number: str | None
    label: str
    span: Span
    number_span: Span | None = None
    notes: list[str] = attrs.Factory(list)
    children: list[Any] = attrs.Factory(list)  # _DraftNode | _DraftIndicator


@attrs.define
class _DraftIndicator:
    decl: st.IndicatorDecl
    path: tuple[str, ...]
    line: st.ExpressionLine | None = None
    status: st.ToDefineLine | st.MilestoneLine | None = None  # a stated status
    unit: str | None = None
    notes: list[str] = attrs.Factory(list)


@attrs.define
class _DraftEvent:
    decl: st.EventDecl
    fields: list[m.FieldDecl] = attrs.Factory(list)
    measure: bool = False  # `valeur mesurée`


class Assembler:
    """One use per plan: `assemble(statements)` returns the plan and structural diagnostics."""

    def __init__(self, file: str):
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.value_names: frozenset[str] = frozenset()  # reference values, by name
        self.measure_names: frozenset[str] = frozenset()  # event types that are measured values

    def error(self, code: str, span: Span, severity: Severity = Severity.ERROR, **args: Any) -> None:
        self.diagnostics.append(Diagnostic(code, span, args, severity))

    def assemble(self, statements: list[st.Statement]) -> m.Plan:
        header = self._header(statements)
        levels = header["levels"]
        folded_levels = [fold(level) for level in levels]
        roots: list[_DraftNode] = []
        loose: list[_DraftIndicator] = []
        stack: list[_DraftNode] = []
        events: list[_DraftEvent] = []
        indicators: list[_DraftIndicator] = []
        event: _DraftEvent | None = None
        indicator: _DraftIndicator | None = None
        last: _DraftNode | _DraftIndicator | None = None
        value_decls: list[st.RefValueDecl] = []

        for stmt in statements:
            match stmt:
                case st.EventDecl():
                    event = _DraftEvent(stmt)
                    events.append(event)
                    indicator, last = None, None
                case st.MeasureDecl():
                    event = measures.draft_event(stmt, _DraftEvent)
                    events.append(event)
                    indicator, last = None, None
                case st.DurationFieldStatement():
                    if event is None:
                        self.error("C115", stmt.span, name=stmt.name)
                    else:
                        duration = m.Duration(
                            stmt.start or "date",
                            stmt.end or "fin",
                            stmt.working,
                            stmt.start_span,
                            stmt.end_span,
                        )
                        # a duration is missing when one of its dates is (an open case): optional
                        field = m.FieldDecl(
                            stmt.name, m.FieldKind.INTEGER, (), True, stmt.span, duration=duration
                        )
                        event.fields.append(field)
                case st.FieldStatement():
                    if event is None:
                        self.error("C115", stmt.span, name=stmt.name)
                    else:
                        decl = self._field(stmt)
                        if decl is not None:
                            event.fields.append(decl)
                case st.NodeDecl():
                    key = fold(stmt.level)
                    if key not in folded_levels:
                        self._unknown_level(stmt, levels)
                        continue
                    rank = folded_levels.index(key)
                    while stack and stack[-1].rank >= rank:
                        stack.pop()
                    node = _DraftNode(
                        levels[rank], rank, stmt.number, stmt.label, stmt.span, stmt.number_span
                    )
                    (stack[-1].children if stack else roots).append(node)
                    stack.append(node)
                    event, indicator, last = None, None, node
                case st.IndicatorDecl():
                    path = tuple(n.label for n in stack)
                    indicator = _DraftIndicator(stmt, path)
                    indicators.append(indicator)
                    (stack[-1].children if stack else loose).append(indicator)
                    event, last = None, indicator
                case st.ExpressionLine():
                    if indicator is None:
                        self.error("C114", stmt.span)
                    elif indicator.line is not None:
                        self.error(
                            "C119", stmt.span, name=indicator.decl.name, first=indicator.line.span.line
                        )
                    else:
                        indicator.line = stmt
                case st.ToDefineLine() | st.MilestoneLine():
                    if indicator is None:
                        self.error("C202", stmt.span)
                    elif indicator.status is not None:
                        self.error(
                            "C203", stmt.span, name=indicator.decl.name, first=indicator.status.span.line
                        )
                    else:
                        indicator.status = stmt
                case st.RefValueDecl():
                    value_decls.append(stmt)
                    event, indicator, last = None, None, None
                case st.UnitDecl():
                    if indicator is None:
                        self.error("C130", stmt.span, what="unité")
                    else:
                        indicator.unit = stmt.text
                case st.NoteDecl():
                    if last is None:
                        self.error("C130", stmt.span, what="note")
                    else:
                        last.notes.append(stmt.text)

        self._duplicate_declarations(events)
        self._names(events, indicators)
        values = refvalues.build(self, value_decls)
        for value_decl in value_decls:
            self._identifier(value_decl.name, value_decl.name_span)
            if any(d.decl.name == value_decl.name for d in indicators):
                self.error("C209", value_decl.name_span, name=value_decl.name)
        self.value_names = frozenset(values) - {d.decl.name for d in indicators}
        self.measure_names = frozenset(e.decl.name for e in events if e.measure)
        frozen_indicators = {id(d): self._indicator(d) for d in indicators}
        return m.Plan(
            title=header["title"],
            commune=header["commune"],
            period=header["period"],
            legal_basis=header["legal_basis"],
            meta=tuple(header["meta"]),
            levels=levels,
            granularity=header["granularity"],
            event_types=self._event_types(events),
            nodes=tuple(self._node(n, frozen_indicators) for n in roots),
            indicators=tuple(frozen_indicators[id(d)] for d in indicators),
            loose_indicators=tuple(frozen_indicators[id(d)] for d in loose),
            source=self.file,
            values=values,
            fiscal_start=header["fiscal_start"],
        )

    # ------------------------------------------------------------------ header

    def _header(self, statements: list[st.Statement]) -> dict[str, Any]:
        header: dict[str, Any] = {
            "title": None,
            "commune": None,
            "period": None,
            "legal_basis": None,
            "meta": [],
            "levels": DEFAULT_LEVELS,
            "granularity": m.PeriodUnit.MONTH,
            "fiscal_start": 1,
        }
        seen: dict[str, Span] = {}

        def once(key: str, span: Span, word: str) -> bool:
            if key in seen:
                self.error("C129", span, what=word, first=seen[key].line)
                return False
            seen[key] = span
            return True

        first_node: Span | None = None
        for stmt in statements:
            match stmt:
                case st.PlanTitle() if once("title", stmt.span, "plan"):
                    header["title"] = stmt.text
                case st.CommuneDecl() if once("commune", stmt.span, "commune"):
                    header["commune"] = stmt.text
                case st.LegalBasis() if once("legal", stmt.span, "base légale"):
                    header["legal_basis"] = stmt.text
                case st.PeriodDecl() if once("period", stmt.span, "période"):
                    header["period"] = self._period(stmt)
                case st.GranularityDecl() if once("granularity", stmt.span, "granularité"):
                    header["granularity"] = stmt.unit
                case st.MetaDecl():
                    header["meta"].append((stmt.key, stmt.value))
                case st.FiscalDecl() if once("fiscal", stmt.span, "exercice"):
                    header["fiscal_start"] = stmt.month
                case st.LevelsDecl() if once("levels", stmt.span, "niveaux"):
                    if first_node is not None:
                        self.error("C131", stmt.span, line=first_node.line)
                    header["levels"] = stmt.levels
                    folded = [fold(x) for x in stmt.levels]
                    spans = stmt.level_spans or (stmt.span,) * len(stmt.levels)
                    for i, level in enumerate(folded):
                        if level in folded[:i]:
                            self.error("C132", spans[i], level=stmt.levels[i])
                    for level, span in zip(stmt.levels, spans, strict=True):
                        reserved = [w for w in level.replace("’", "'").split() if is_reserved(w)]
                        if reserved:
                            # « plan d'action 1 « … » » would read as a plan title.
                            self.error("C155", span, level=level, word=reserved[0])
                case st.NodeDecl() if first_node is None:
                    first_node = stmt.span
        if "period" not in seen:
            anchor = statements[0].span if statements else Span.point(self.file, 1, 1)
            self.error("C120", Span.point(self.file, anchor.line, 1))
        return header

    def _period(self, stmt: st.PeriodDecl) -> m.PlanPeriod | None:
        start_span = stmt.start_span or stmt.span
        start = self._bound(stmt.start, start_span, is_end=False)
        if start is None and stmt.end is None:
            return None  # one bad bound, one message
        end_span = stmt.end_span or start_span
        end = self._bound(stmt.end or stmt.start, end_span, is_end=True)
        if start is None or end is None:
            return None
        if end < start:
            # From the first bound to the second: the two are what is reversed.
            span = Span(self.file, start_span.line, start_span.column, end_span.end_line, end_span.end_column)
            self.error("C123", span, start=stmt.start, end=stmt.end or stmt.start)
            return None
        return m.PlanPeriod(start, end)

    def _bound(self, text: str, span: Span, is_end: bool) -> dt.date | None:
        if text.isdigit():
            year = int(text)
            if not 1900 <= year <= 2200:
                self.error("C122", span, value=text)
                return None
            return dt.date(year, 12, 31) if is_end else dt.date(year, 1, 1)
        date = parse_plan_date(text)
        if date is None:
            self.error("C122", span, value=text)
        return date

    # ------------------------------------------------------------------ pieces

    def _unknown_level(self, stmt: st.NodeDecl, levels: tuple[str, ...]) -> None:
        guess = closest(stmt.level, levels)
        if guess is None:
            first_word = stmt.level.split()[0]
            keyword = closest(first_word, STATEMENT_WORDS, cutoff=0.7)
            if keyword is not None:
                span = Span.point(self.file, stmt.level_span.line, stmt.level_span.column, len(first_word))
                self.error("C133", span, word=first_word, keyword=keyword)
                return
        self.error(
            "C113",
            stmt.level_span,
            level=stmt.level,
            guess=guess or "",
            levels=", ".join(levels),
        )

    def _field(self, stmt: st.FieldStatement) -> m.FieldDecl | None:
        names = stmt.type_names
        if len(names) == 1:
            kind = st.FIELD_KINDS.get(names[0].lower())
            if kind is None:
                guess = closest(names[0], st.FIELD_KINDS)
                self.error("C118", stmt.type_span, type=names[0], guess=guess or "")
                return None
            return m.FieldDecl(stmt.name, kind, (), stmt.optional, stmt.span)
        reserved = [value for value in names if is_reserved(value)]
        if reserved:
            # « réponse : oui | non »: in a condition, « oui » is the boolean, not the value.
            values = ", ".join(f"« {value} »" for value in reserved)
            self.error("C154", stmt.type_span, values=values, first=reserved[0], field=stmt.name)
        return m.FieldDecl(stmt.name, m.FieldKind.ENUM, names, stmt.optional, stmt.span)

    def _names(self, events: list[_DraftEvent], indicators: list[_DraftIndicator]) -> None:
        """Identifiers of event types and indicators: not reserved, no apostrophe, ids unique.

        Checked here rather than in the checker because the statements know where the name
        stands on its line: the caret goes under the name, not under the whole line.
        """
        for event in events:
            self._identifier(event.decl.name, event.decl.name_span)
        seen: dict[str, Span] = {}
        for draft in indicators:
            decl = draft.decl
            self._identifier(decl.name, decl.name_span)
            if decl.name in seen:
                self.error("C106", decl.name_span, name=decl.name, first=seen[decl.name].line)
            else:
                seen[decl.name] = decl.span

    def _identifier(self, name: str, span: Span) -> None:
        if is_reserved(name):
            self.error("C117", span, name=name)
        elif "'" in name or "’" in name:
            self.error("C134", span, name=name)

    def _duplicate_declarations(self, events: list[_DraftEvent]) -> None:
        seen: dict[str, Span] = {}
        for event in events:
            name = event.decl.name
            if name in seen:
                self.error("C116", event.decl.name_span, name=name, first=seen[name].line)
            else:
                seen[name] = event.decl.span
            fields: dict[str, Span] = {}
            for f in event.fields:
                if f.name in fields:
                    # A field line starts with its name: the caret goes under the name.
                    span = Span.point(f.span.file, f.span.line, f.span.column, len(f.name))
                    self.error("C116", span, name=f.name, first=fields[f.name].line)
                else:
                    fields[f.name] = f.span

    def _event_types(self, events: list[_DraftEvent]) -> dict[str, m.EventType]:
        """Event types in declaration order; of two declarations of one name, the first counts."""
        types: dict[str, m.EventType] = {}
        for draft in events:
            types.setdefault(draft.decl.name, self._event(draft))
        return types

    def _event(self, draft: _DraftEvent) -> m.EventType:
        return m.EventType(
            draft.decl.name, draft.decl.label, tuple(draft.fields), draft.decl.span, measure=draft.measure
        )

    def _indicator(self, draft: _DraftIndicator) -> m.Indicator:
        line = draft.line
        decl = draft.decl
        if draft.status is not None:
            stated = stated_indicator(self, draft.decl, draft.status, line)
            return attrs.evolve(stated, unit=draft.unit, notes=tuple(draft.notes), path=draft.path)
        if line is None:
            self.error("C126", decl.span, Severity.WARNING, name=decl.name)
            return m.Indicator(
                decl.name, decl.wording, None, m.IndicatorKind.UNDEFINED, unit=draft.unit,
                notes=tuple(draft.notes), path=draft.path, span=decl.span,
            )  # fmt: skip
        deadline = None
        if line.deadline is not None:
            deadline = parse_plan_date(line.deadline)
            if deadline is None:
                self.error("S017", line.deadline_span or line.span, date=line.deadline)
        return m.Indicator(
            id=decl.name,
            wording=decl.wording,
            expr=refvalues.resolve(line.expr, self.value_names, self.measure_names),
            kind=_kind(line),
            period=line.period or m.PeriodUnit.WHOLE,
            deadline=deadline,
            unit=draft.unit,
            notes=tuple(draft.notes),
            path=draft.path,
            span=decl.span,
            expression_text=line.text or None,
            calendar=line.calendar,
            cumulative=line.cumulative and line.period not in (None, m.PeriodUnit.YEAR),
            period_span=line.period_span,
            deadline_span=line.deadline_span,
        )

    def _node(self, draft: _DraftNode, indicators: dict[int, m.Indicator]) -> m.Node:
        children: list[m.Node | m.Indicator] = []
        for child in draft.children:
            if isinstance(child, _DraftNode):
                children.append(self._node(child, indicators))
            else:
                children.append(indicators[id(child)])
        return m.Node(
            draft.level,
            draft.number,
            draft.label,
            tuple(draft.notes),
            tuple(children),
            draft.span,
            draft.number_span,
        )


def _kind(line: st.ExpressionLine) -> m.IndicatorKind:
    """What the expression states; references are refined by the checker."""
    if line.monitored:
        return m.IndicatorKind.MONITORED
    expr = line.expr
    if isinstance(expr, m.Compare | m.Between | m.Trend):
        return m.IndicatorKind.TARGET
    if isinstance(expr, m.And | m.Or | m.Not | m.Boolean | m.IndicatorRef):
        return m.IndicatorKind.YES_NO
    if isinstance(expr, m.Aggregate) and expr.fn is m.AggregateFn.EXISTS:
        return m.IndicatorKind.YES_NO
    return m.IndicatorKind.MONITORED
