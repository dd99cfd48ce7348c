"""The plan formatter: one canonical layout, in French or in English, that keeps every meaning.

Formatting works from the parsed statements (never from Lark, never from the assembled tree),
so it needs a file without syntax errors but tolerates semantic ones, as `gofmt` does. The
layout is derived from the hierarchy, never from the author's indentation: a node is indented
by its number of ancestors, an indicator one step deeper than its node, its expression, unit
and notes one step deeper again, and the fields of an event type by four spaces.

Comments and blank lines are the author's and are kept: a full-line comment takes the
indentation of the statement it precedes, a trailing comment stays on its statement's line,
and a run of blank lines becomes one blank line.

Every rewritten line is checked by parsing the output again: a statement whose canonical
spelling would not read back as the same statement (an exotic identifier that a keyword of the
other language would capture, say) keeps its original spelling, only re-indented. Formatting
can therefore change how a plan looks, never what it means.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from . import model as m
from . import statements as st
from .assemble import DEFAULT_LEVELS
from .diagnostics import PlanError, Severity
from .i18n import Lang
from .keywords import (
    AGGREGATE_WORDS,
    FIELD_TYPE_WORDS,
    KEYWORDS,
    MILESTONE_STATE_WORDS,
    MONTH_WORDS,
    PERIOD_UNIT_WORDS,
    fold,
    is_reserved,
)
from .parse import normalise_text, parse_plan_date, parse_statements

__all__ = [
    "FormatResult",
    "detect_language",
    "format_expression",
    "format_plan",
    "format_source",
    "split_comment",
]

# The white space the grammar ignores (its WS terminal): Python's str.strip misses U+FEFF.
WS_CHARS = " \t\f\u00a0\u2007\u202f\ufeff"
INDENT = "  "
FIELD_INDENT = "    "

_NAME = re.compile(r"[^\W\d][\w]*(?:['’][\w]+)*")
_LEVEL_WORDS = re.compile(rf"{_NAME.pattern}(?: {_NAME.pattern})*")
_GUILLEMET_CONTENT = re.compile(r"(?:[^«»\n]|«[^«»\n]*»)*")
_WORD = re.compile(r"[^\W\d][\w]*")

# Precedence of the printed forms, loosest first (the grammar's layers).
_OR, _AND, _NOT, _COMPARISON, _SUM, _PRODUCT, _UNARY, _ATOM = range(1, 9)


# ---------------------------------------------------------------------------- raw lines


def split_comment(line: str) -> tuple[str, str | None]:
    """The code part of a line and its comment (from `#`), ignoring `#` inside labels."""
    closing: str | None = None
    depth = 0
    for index, char in enumerate(line):
        if closing is None:
            if char == "#":
                return line[:index], line[index:]
            if char == "«":
                closing, depth = "»", 1
            elif char == '"':
                closing = '"'
            elif char == "“":
                closing = "”"
        elif closing == "»":
            if char == "«":
                depth += 1
            elif char == "»":
                depth -= 1
                if depth == 0:
                    closing = None
        elif char == closing:
            closing = None
    return line, None


def _mask_labels(code: str) -> str:
    """The code with every quoted label blanked, so that label words are not read as keywords."""
    out: list[str] = []
    closing: str | None = None
    depth = 0
    for char in code:
        if closing is None:
            if char in '«"“':
                closing, depth = {"«": "»", '"': '"', "“": "”"}[char], 1
                out.append(" ")
                continue
            out.append(char)
            continue
        out.append(" ")
        if closing == "»" and char == "«":
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                closing = None
    return "".join(out)


# ---------------------------------------------------------------------------- language


def _language_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words that only one language uses as keywords, from the spelling tables."""
    pairs: list[tuple[str, str]] = [
        *KEYWORDS.values(),
        *AGGREGATE_WORDS.values(),
        *PERIOD_UNIT_WORDS.values(),
        *FIELD_TYPE_WORDS.values(),
        *MILESTONE_STATE_WORDS.values(),
    ]
    french: set[str] = {"periode", "evenement", "unite", "granularite", "legale", "distincts", "oui"}
    french |= {"année", "annee", "décimal", "booléen", "booleen"}
    english: set[str] = {"average", "yes", "no"}
    for fr, en in pairs:
        fr_words, en_words = set(fr.split()), set(en.split())
        french |= fr_words - en_words
        english |= en_words - fr_words
    return frozenset(french - english), frozenset(english - french)


_FRENCH_WORDS, _ENGLISH_WORDS = _language_words()


def detect_language(text: str, file: str = "<texte>") -> Lang:
    """The language most of a plan's keywords are written in; French on a tie."""
    statements, _ = parse_statements(text, file)
    return _dominant_language(statements, normalise_text(text).split("\n"))


def _dominant_language(statements: Sequence[st.Statement], lines: Sequence[str]) -> Lang:
    french = english = 0
    for stmt in statements:
        if isinstance(stmt, st.NodeDecl):  # the level words are the author's, not keywords
            continue
        line = stmt.span.line
        if not 1 <= line <= len(lines):
            continue
        code, _ = split_comment(lines[line - 1])
        for word in _WORD.findall(_mask_labels(code).lower()):
            if word in _FRENCH_WORDS:
                french += 1
            elif word in _ENGLISH_WORDS:
                english += 1
    return "en" if english > french else "fr"


# ---------------------------------------------------------------------------- printing


class _UnprintableError(Exception):
    """A value with no canonical spelling (an infinite number): the line keeps its own."""


def quote_label(text: str) -> str:
    """A label in « » when its content allows, else in "..." or “...” (whichever fits)."""
    if _GUILLEMET_CONTENT.fullmatch(text):
        return f"« {text} »" if text else "« »"
    if '"' not in text:
        return f'"{text}"'
    if "”" not in text:
        return f"“{text}”"
    raise _UnprintableError(text)


def _text_literal(value: str) -> str:
    """A text literal of a condition, spelt so that it reads back as exactly `value`.

    Unlike labels, the parser keeps the spaces inside the quotes of a text literal, so
    `« x »` and `"x"` differ; a value without surrounding spaces is written `"x"`.
    """
    padded = value != value.strip()
    if padded and _GUILLEMET_CONTENT.fullmatch(value):
        return f"«{value}»"
    if '"' not in value:
        return f'"{value}"'
    if _GUILLEMET_CONTENT.fullmatch(value):
        return f"«{value}»"
    if "”" not in value:
        return f"“{value}”"
    raise _UnprintableError(value)


def format_number(value: float, lang: Lang) -> str:
    """Shortest decimal that reads back as `value`, never in exponent form; `7,5` in French."""
    if not math.isfinite(value):
        raise _UnprintableError(str(value))
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fr" else text


def _date_text(written: str) -> str:
    """A date in ISO form; a string that is not a calendar date stays as written."""
    date = parse_plan_date(written)
    return written if date is None else date.isoformat()


class _Printer:
    """Canonical spelling of statements and expressions in one language."""

    def __init__(self, lang: Lang, levels: Sequence[str]):
        self.lang = lang
        self.index = 0 if lang == "fr" else 1
        self.levels = {fold(level): level for level in levels}

    def kw(self, concept: str) -> str:
        return KEYWORDS[concept][self.index]

    # -- statements
    def statement(self, stmt: st.Statement) -> str:
        kw, q = self.kw, quote_label
        match stmt:
            case st.PlanTitle(text=text):
                return f"{kw('plan')} {q(text)}"
            case st.CommuneDecl(text=text):
                return f"{kw('commune')} {q(text)}"
            case st.PeriodDecl(start=start, end=end):
                head = f"{kw('period')} {_date_text(start)}"
                return head if end is None else f"{head} {kw('range')} {_date_text(end)}"
            case st.LegalBasis(text=text):
                return f"{kw('legal_basis')} {q(text)}"
            case st.MetaDecl(key=key, value=value):
                bare = _NAME.fullmatch(key) is not None and not is_reserved(key)
                return f"{kw('meta')} {key if bare else q(key)} {q(value)}"
            case st.LevelsDecl(levels=levels):
                return f"{kw('levels')} " + " > ".join(q(level) for level in levels)
            case st.GranularityDecl(unit=unit):
                return f"{kw('granularity')} {self.period_unit(unit)}"
            case st.EventDecl(name=name, label=label):
                head = f"{kw('event')} {name}"
                return head if label is None else f"{head} {q(label)}"
            case st.FieldStatement(name=name, type_names=names, optional=optional):
                type_text = " | ".join(names)
                if len(names) == 1:
                    kind = st.FIELD_KINDS.get(names[0].lower())
                    if kind is not None:
                        type_text = FIELD_TYPE_WORDS[kind.value][self.index]
                return f"{name} : {type_text}" + (f" {kw('optional')}" if optional else "")
            case st.DurationFieldStatement(name=name, start=start, end=end, working=working):
                text = f"{name} : {kw('duration')}"
                if start is not None and end is not None:
                    text += f" {kw('from')} {start} {kw('range')} {end}"
                return text + f" {kw('percent_unit')} {kw('working_days' if working else 'days')}"
            case st.NodeDecl(level=level, number=number, label=label):
                declared = self.levels.get(fold(level))
                if declared is not None and _LEVEL_WORDS.fullmatch(declared):
                    level = declared
                return f"{level} {number} {q(label)}" if number else f"{level} {q(label)}"
            case st.IndicatorDecl(name=name, wording=wording):
                head = f"{kw('indicator')} {name}"
                return head if wording is None else f"{head} {q(wording)}"
            case st.NoteDecl(text=text):
                return f"{kw('note')} {q(text)}"
            case st.UnitDecl(text=text):
                return f"{kw('unit')} {q(text)}"
            case st.ExpressionLine():
                return self.expression_line(stmt)
            case st.ToDefineLine():
                return kw("to_define")
            case st.FiscalDecl(month=month):
                return f"{kw('fiscal_year')} {MONTH_WORDS[month - 1][self.index]}"
            case st.MeasureDecl(name=name, label=label, percent=percent):
                head = f"{kw('measure')} {name}" + ("" if label is None else f" {q(label)}")
                return head + (f" {kw('percent_unit')} %" if percent else "")
            case st.RefValueDecl(name=name, label=label, value=value, table=table):
                head = f"{kw('refvalue')} {name}" + ("" if label is None else f" {q(label)}")
                source = f"{kw('table')} {q(table)}" if table is not None else self.expr(value)  # type: ignore[arg-type]
                return f"{head} = {source}"
            case st.MilestoneLine(state=state, date=date, due=due):
                parts = [kw("milestone"), MILESTONE_STATE_WORDS[state][self.index]]
                if date is not None:
                    parts.append(f"{kw('on')} {_date_text(date)}")
                if due is not None:
                    parts.append(f"{kw('by')} {_date_text(due)}")
                return " ".join(parts)
        raise AssertionError(f"statement without printer: {stmt!r}")  # pragma: no cover

    def expression_line(self, line: st.ExpressionLine) -> str:
        parts = [self.kw("monitor")] if line.monitored else []
        parts.append(self.expr(line.expr))
        if line.calendar is not None:
            parts.append(f"{self.kw('per')} {self.kw(line.calendar)}")
        elif line.period is not None:
            unit = self.period_unit(line.period)
            parts.append(
                f"{self.kw('per')} {unit} {self.kw('cumulative')}"
                if line.cumulative
                else f"{self.kw('per')} {unit}"
            )
        if line.deadline is not None:
            parts.append(f"{self.kw('by')} {_date_text(line.deadline)}")
        return " ".join(parts)

    def period_unit(self, unit: m.PeriodUnit) -> str:
        return PERIOD_UNIT_WORDS[unit][self.index]

    # -- expressions
    def expr(self, expr: m.Expr) -> str:
        wrap, kw = self.wrap, self.kw
        match expr:
            case m.Number(value=value, percent=percent, days=days):
                text = format_number(value, self.lang)
                if days is not None:
                    return f"{text} {kw(days)}"
                return f"{text} %" if percent else text
            case m.Text(value=value):
                return _text_literal(value)
            case m.Boolean(value=value):
                return kw("true") if value else kw("false")
            case m.DateValue(value=value):
                return value.isoformat()
            case (
                m.Name(name=name) | m.IndicatorRef(name=name) | m.BoolField(name=name) | m.ValueRef(name=name)
            ):
                return name
            case m.Negative(operand=operand):
                return "-" + wrap(operand, _UNARY)
            case m.Compare(op=op, left=left, right=right):
                return f"{wrap(left, _SUM)} {op.value} {wrap(right, _SUM)}"
            case m.Between(value=value, low=low, high=high):
                return f"{wrap(value, _SUM)} {kw('between')} {wrap(low, _SUM)} {kw('and')} {wrap(high, _SUM)}"
            case m.InList(value=value, items=items, negated=negated):
                return f"{wrap(value, _SUM)} {kw('not_in' if negated else 'in')} {self.value_list(items)}"
            case m.And(left=left, right=right):
                return f"{wrap(left, _AND)} {kw('and')} {wrap(right, _NOT)}"
            case m.Or(left=left, right=right):
                return f"{wrap(left, _OR)} {kw('or')} {wrap(right, _AND)}"
            case m.Not(operand=operand):
                return f"{kw('not')} {wrap(operand, _NOT)}"
            case m.Arithmetic(op=op, left=left, right=right):
                if op in "+-":
                    return f"{wrap(left, _SUM)} {op} {wrap(right, _PRODUCT)}"
                return f"{wrap(left, _PRODUCT)} {op} {wrap(right, _UNARY)}"
            case m.Aggregate(fn=fn, event_type=event, field=field, where=where):
                target = event if field is None else f"{event}.{field}"
                condition = "" if where is None else f" {kw('where')} {self.expr(where)}"
                return f"{AGGREGATE_WORDS[fn][self.index]}({target}{condition})"
            case m.UnitShare(fn=fn, event_type=event, field=field, where=where, op=op, threshold=threshold):
                condition = "" if where is None else f" {kw('where')} {self.expr(where)}"
                words = {m.Comparator.GE: kw("at_least"), m.Comparator.LE: kw("at_most")}.get(op, op.value)
                having = f" {kw('having')} {words} {self.expr(threshold)}"
                return f"{AGGREGATE_WORDS[fn][self.index]}({event}.{field}{condition}{having})"
            case m.Trend(value=value, direction=direction, amount=amount, baseline=baseline):
                parts = [wrap(value, _SUM), kw(direction)]
                if amount is not None:
                    parts.append(
                        kw("within" if direction == "stable" else "trend_of") + " " + self.expr(amount)
                    )
                if baseline is not None:
                    years = str(baseline.first)
                    if baseline.last != baseline.first:
                        years = f"{kw('average')} {baseline.first}-{baseline.last}"
                    parts.append(f"{kw('vs')} {years}")
                    if baseline.declared is not None:
                        parts.append(f"= {self.expr(baseline.declared)}")
                return " ".join(p.strip() for p in parts)
            case m.ByYear(items=items):
                return "[" + " · ".join(f"{i.year}: {self.expr(i.value)}" for i in items) + "]"
        raise AssertionError(f"expression without printer: {expr!r}")  # pragma: no cover

    def wrap(self, expr: m.Expr, tightest: int) -> str:
        """The expression, in parentheses only when its own precedence is looser than needed."""
        text = self.expr(expr)
        return text if _precedence(expr) >= tightest else f"({text})"

    def value_list(self, items: Sequence[m.Expr]) -> str:
        # In French `[1,5, 2]` is legal but reads badly: decimals are separated by `;`.
        fractional = any(isinstance(i, m.Number) and not float(i.value).is_integer() for i in items)
        separator = "; " if self.lang == "fr" and fractional else ", "
        return "[" + separator.join(self.expr(item) for item in items) + "]"


def _precedence(expr: m.Expr) -> int:
    match expr:
        case m.Or():
            return _OR
        case m.And():
            return _AND
        case m.Not():
            return _NOT
        case m.Compare() | m.Between() | m.InList() | m.Trend():
            return _COMPARISON
        case m.Arithmetic(op=op):
            return _SUM if op in "+-" else _PRODUCT
        case m.Negative():
            return _UNARY
        case m.Number(value=value) if value < 0 or math.copysign(1.0, value) < 0:
            return _UNARY  # printed with a leading minus, which the grammar reads as unary
    return _ATOM


def format_expression(expr: m.Expr, lang: Lang = "fr") -> str:
    """The canonical spelling of one expression (no period, no deadline)."""
    return _Printer(lang, ()).expr(expr)


# ---------------------------------------------------------------------------- layout


def _indents(statements: Sequence[st.Statement], levels: Sequence[str]) -> list[str]:
    """The indentation of each statement, from the hierarchy the assembler will build."""
    folded = [fold(level) for level in levels]
    stack: list[int] = []  # level ranks of the open nodes
    indicator_depth: int | None = None
    last_depth: int | None = None  # the node or indicator a note attaches to
    out: list[str] = []
    for stmt in statements:
        depth = 0
        match stmt:
            case st.EventDecl() | st.RefValueDecl() | st.MeasureDecl():
                indicator_depth = last_depth = None
            case st.FieldStatement() | st.DurationFieldStatement():
                out.append(FIELD_INDENT)
                continue
            case st.NodeDecl(level=level):
                key = fold(level)
                depth = len(stack)
                if key in folded:  # an unknown level is an error the assembler skips
                    rank = folded.index(key)
                    while stack and stack[-1] >= rank:
                        stack.pop()
                    depth = len(stack)
                    stack.append(rank)
                    indicator_depth, last_depth = None, depth
            case st.IndicatorDecl():
                depth = indicator_depth = last_depth = len(stack)
            case st.ExpressionLine() | st.UnitDecl() | st.ToDefineLine() | st.MilestoneLine():
                depth = 0 if indicator_depth is None else indicator_depth + 1
            case st.NoteDecl():
                depth = 0 if last_depth is None else last_depth + 1
        out.append(INDENT * depth)
    return out


@attrs.frozen
class FormatResult:
    """A formatted text, its language, and the lines that kept their own spelling."""

    text: str
    lang: Lang
    kept_lines: tuple[int, ...] = ()  # 1-based lines of the input that could not be respelt


@attrs.define
class _Item:
    kind: str  # "statement", "comment" or "blank"
    indent: str = ""
    code: str = ""
    comment: str | None = None
    statement: int | None = None  # index into the statements
    original: str = ""  # the statement as written, for the lossless fallback

    def render(self) -> str:
        if self.kind == "blank":
            return ""
        if self.kind == "comment":
            return f"{self.indent}{self.comment}"
        return f"{self.indent}{self.code}" + (f"  {self.comment}" if self.comment else "")


def format_source(text: str, *, lang: Lang | None = None, file: str = "<texte>") -> FormatResult:
    """Format a plan text; raise `PlanError` on a syntax error rather than lose content."""
    source = normalise_text(text)
    statements, diagnostics = parse_statements(source, file)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:  # a warning (« 1.000 ») loses nothing: the line still parses
        raise PlanError(errors, {file: source})
    lines = source.split("\n")[:-1]
    if lang is None:
        lang = _dominant_language(statements, lines)
    levels = next((s.levels for s in statements if isinstance(s, st.LevelsDecl)), DEFAULT_LEVELS)
    printer = _Printer(lang, levels)
    indents = _indents(statements, levels)
    by_line = {stmt.span.line: index for index, stmt in enumerate(statements)}

    items: list[_Item] = []
    kept: list[int] = []
    for number, line in enumerate(lines, start=1):
        code, comment = split_comment(line)
        comment = None if comment is None else comment.rstrip(WS_CHARS)
        index = by_line.get(number)
        if index is None:
            if code.strip(WS_CHARS):  # not expected once the file parsed: keep it as it is
                items.append(_Item("statement", code=line.strip(WS_CHARS)))
            elif comment is not None:
                items.append(_Item("comment", comment=comment))
            else:
                items.append(_Item("blank"))
            continue
        original = code.strip(WS_CHARS)
        try:
            rendered = printer.statement(statements[index])
        except (_UnprintableError, RecursionError):
            rendered = original
            kept.append(number)
        items.append(_Item("statement", indents[index], rendered, comment, index, original))

    items = _collapse_blank_lines(items)
    _indent_comments(items)
    output = _join(items)
    for _attempt in range(2):
        bad = _misread(output, items, statements, file)
        if not bad:
            break
        for item in bad:
            item.code = item.original
            if item.statement is not None:
                kept.append(statements[item.statement].span.line)
        output = _join(items)
    else:  # pragma: no cover - the original spelling always reads back as itself
        return FormatResult(source, lang, tuple(sorted(set(kept))))
    return FormatResult(output, lang, tuple(sorted(set(kept))))


def format_plan(text: str, *, lang: Lang | None = None, file: str = "<texte>") -> str:
    """The plan text in canonical layout, in `lang` (default: the file's dominant language).

    Raises `PlanError` when the text has syntax errors: a line that does not parse cannot be
    rewritten without losing what its author meant.
    """
    return format_source(text, lang=lang, file=file).text


def _collapse_blank_lines(items: list[_Item]) -> list[_Item]:
    out: list[_Item] = []
    for item in items:
        if item.kind == "blank" and (not out or out[-1].kind == "blank"):
            continue
        out.append(item)
    while out and out[-1].kind == "blank":
        out.pop()
    return out


def _indent_comments(items: list[_Item]) -> None:
    """A full-line comment is indented like the statement it precedes."""
    indent = ""
    for item in reversed(items):
        if item.kind == "statement":
            indent = item.indent
        elif item.kind == "comment":
            item.indent = indent


def _join(items: Sequence[_Item]) -> str:
    return "".join(item.render() + "\n" for item in items)


# ---------------------------------------------------------------------------- verification


def _misread(
    output: str, items: Sequence[_Item], statements: Sequence[st.Statement], file: str
) -> list[_Item]:
    """The statement items whose printed line does not read back as the original statement."""
    reread, _ = parse_statements(output, file)
    by_line = {stmt.span.line: stmt for stmt in reread}
    bad: list[_Item] = []
    for number, item in enumerate(items, start=1):
        if item.kind != "statement" or item.statement is None:
            continue
        again = by_line.get(number)
        try:
            same = again is not None and _key(again) == _key(statements[item.statement])
        except RecursionError:
            same = item.code == item.original
        if not same:
            bad.append(item)
    return bad


def _key(stmt: st.Statement) -> tuple[Any, ...]:
    """What a statement means, without positions and up to the formatter's normalisations."""
    values: dict[str, Any] = {
        f.name: getattr(stmt, f.name)
        for f in attrs.fields(type(stmt))
        if f.eq and not f.name.endswith("span")
    }
    match stmt:
        case st.PeriodDecl():
            values["start"] = _date_key(stmt.start)
            values["end"] = None if stmt.end is None else _date_key(stmt.end)
        case st.ExpressionLine(deadline=deadline) if deadline is not None:
            values["deadline"] = _date_key(deadline)
        case st.MilestoneLine(date=date, due=due):
            values["date"] = None if date is None else _date_key(date)
            values["due"] = None if due is None else _date_key(due)
        case st.NodeDecl():
            values["level"] = fold(stmt.level)
        case st.FieldStatement(type_names=names) if len(names) == 1:
            values["type_names"] = st.FIELD_KINDS.get(names[0].lower(), names[0])
    return (type(stmt).__name__, *sorted(values.items()))


def _date_key(text: str) -> dt.date | str:
    date = parse_plan_date(text)
    return text if date is None else date
