"""Text to statements: the only module that touches Lark.

The grammar (grammaire/plan.lark) is compiled once per process, and cached on disk by Lark, so
a cold `indicateurs verifier` stays well under a second. A file that does not parse is not
abandoned at the first error: the broken line is reported and parsing resumes on the next
line, so an officer sees every syntax error of a file in one run.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import model as m
from . import statements as st
from .diagnostics import Diagnostic, Severity
from .spans import Span
from .suggest import closest
from .syntax_messages import CURATED_EXAMPLES, CURATED_TOKEN_TYPES, expected_lists

MAX_SYNTAX_ERRORS = 100

PERIOD_WORDS: dict[str, m.PeriodUnit] = {
    "an": m.PeriodUnit.YEAR,
    "année": m.PeriodUnit.YEAR,
    "annee": m.PeriodUnit.YEAR,
    "year": m.PeriodUnit.YEAR,
    "semestre": m.PeriodUnit.SEMESTER,
    "semester": m.PeriodUnit.SEMESTER,
    "trimestre": m.PeriodUnit.QUARTER,
    "quarter": m.PeriodUnit.QUARTER,
    "mois": m.PeriodUnit.MONTH,
    "month": m.PeriodUnit.MONTH,
}

_COMPARATORS = {
    ">=": m.Comparator.GE,
    "≥": m.Comparator.GE,
    ">": m.Comparator.GT,
    "<=": m.Comparator.LE,
    "≤": m.Comparator.LE,
    "<": m.Comparator.LT,
    "=": m.Comparator.EQ,
    "!=": m.Comparator.NE,
    "≠": m.Comparator.NE,
    "<>": m.Comparator.NE,
}

_AGGREGATES = {
    "nombre": m.AggregateFn.COUNT,
    "count": m.AggregateFn.COUNT,
    "distinct": m.AggregateFn.DISTINCT,
    "distincts": m.AggregateFn.DISTINCT,
    "somme": m.AggregateFn.SUM,
    "sum": m.AggregateFn.SUM,
    "moyenne": m.AggregateFn.AVG,
    "avg": m.AggregateFn.AVG,
    "average": m.AggregateFn.AVG,
    "min": m.AggregateFn.MIN,
    "max": m.AggregateFn.MAX,
    "existe": m.AggregateFn.EXISTS,
    "exists": m.AggregateFn.EXISTS,
    "part": m.AggregateFn.SHARE,
    "share": m.AggregateFn.SHARE,
    "dernier": m.AggregateFn.LAST,
    "dernière": m.AggregateFn.LAST,
    "derniere": m.AggregateFn.LAST,
    "latest": m.AggregateFn.LAST,
}

_TRUE_WORDS = {"vrai", "oui", "true", "yes"}

# Periods of two words: other calendars and years to date.
CALENDAR_WORDS: dict[str, str] = {
    "année scolaire": "school_year",
    "annee scolaire": "school_year",
    "school year": "school_year",
    "exercice": "fiscal_year",
    "fiscal year": "fiscal_year",
}
CUMULATIVE_WORDS = frozenset({"cumulé", "cumule", "cumulée", "cumulee", "cumulative", "ytd"})
MONTHS: dict[str, int] = {
    name: i
    for names in (
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
        ("fevrier", "aout", "decembre"),
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"),
    )
    for i, name in enumerate(names, 1)
}  # fmt: skip
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12})

_WORD_COMPARATORS = {"AT_LEAST": m.Comparator.GE, "AT_MOST": m.Comparator.LE}

_MILESTONE_STATES = {
    "MS_DONE": m.MilestoneState.DONE,
    "MS_ONGOING": m.MilestoneState.ONGOING,
    "MS_PENDING": m.MilestoneState.PENDING,
    "MS_DROPPED": m.MilestoneState.DROPPED,
}

# The spaces that group thousands in a number: `100 000`.
_GROUPING = str.maketrans("", "", " \u00a0\u202f")


def grammar_text() -> str:
    """The grammar file: inside an installed wheel, or in the repository for a source checkout."""
    try:
        packaged = resources.files("indicateurs").joinpath("grammaire/plan.lark")
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - odd installs
        pass
    repo_copy = Path(__file__).resolve().parents[2] / "grammaire" / "plan.lark"
    return repo_copy.read_text(encoding="utf-8")


@functools.cache
def parser() -> Lark:
    """The LALR parser, built once per process (Lark caches the tables on disk too)."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=True,
    )


def normalise_text(text: str) -> str:
    """Same content, one line convention: no BOM, `\\n` line ends, a final newline."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text


def parse_statements(text: str, file: str) -> tuple[list[st.Statement], list[Diagnostic]]:
    """All statements that parse, and a diagnostic for each line that does not."""
    lines = normalise_text(text).split("\n")
    statements: list[st.Statement] = []
    diagnostics: list[Diagnostic] = []
    # Work list of line ranges [lo, hi) still to parse, in order.
    pending: list[tuple[int, int]] = [(0, len(lines))]
    syntax_errors = 0
    while pending:
        lo, hi = pending.pop(0)
        if lo >= hi:
            continue
        chunk = "\n".join(lines[lo:hi]) + "\n"
        try:
            tree, tokens = _parse_chunk(chunk)
            problem = _odd_words(tokens, chunk, file, lo)
        except _ChunkError as failure:
            bad = _error_line_index(failure.error, lo, hi)
            problem = syntax_diagnostic(failure.error, chunk, file, lo, failure.tokens)
        else:
            bad = problem.line - 1 if problem is not None else -1
        if problem is not None:
            syntax_errors += 1
            if syntax_errors > MAX_SYNTAX_ERRORS:
                diagnostics.append(Diagnostic("S099", Span.point(file, bad + 1, 1)))
                break
            diagnostics.append(problem)
            recovered = _recover(lines[bad], file, bad + 1)
            if recovered is not None:
                statements.append(recovered)
            pending[:0] = [(lo, bad), (bad + 1, hi)]
            continue
        builder = _StatementBuilder(file, lo, chunk)
        statements.extend(builder.transform(tree))
        diagnostics.extend(builder.problems)
    statements.sort(key=lambda statement: statement.span.line)  # one statement per line
    return statements, diagnostics


_RECOVERABLE = re.compile(
    r"(?P<indent>[ \t\f\u00a0\u2007\u202f]*)(?P<keyword>indicateur|indicator|événement|evenement|event)"
    r"[ \t\u00a0\u2007\u202f]+(?P<name>[^\W\d]\w*)(?![\w'’])",
    re.IGNORECASE,
)


def _recover(line: str, file: str, number: int) -> st.Statement | None:
    """The declaration a broken line still makes, when its keyword and name are readable.

    « indicateur formations « Nombre de formations » (unclosed label) still declares the
    indicator `formations`: its expression, unit and notes on the next lines attach to it instead
    of being reported, wrongly, as attached to nothing or to the indicator before. Same for an
    event type and its fields. The line's own syntax error is reported all the same.
    """
    match = _RECOVERABLE.match(line)
    if match is None:
        return None
    column = len(match.group("indent")) + 1
    span = Span(file, number, column, number, len(line.rstrip()) + 1)
    name = match.group("name")
    name_span = Span.point(file, number, match.start("name") + 1, len(name))
    if match.group("keyword").lower() in ("indicateur", "indicator"):
        return st.IndicatorDecl(name, None, span, name_span)
    return st.EventDecl(name, None, span, name_span)


class _ChunkError(Exception):
    """A chunk that does not parse: Lark's error, and the tokens read before it."""

    def __init__(self, error: UnexpectedInput, tokens: list[Token]):
        super().__init__(str(error))
        self.error = error
        self.tokens = tokens


def _parse_chunk(chunk: str) -> tuple[Any, list[Token]]:
    """The tree of a chunk and every token read, or `_ChunkError`."""
    interactive = parser().parse_interactive(chunk)
    tokens: list[Token] = []
    try:
        for token in interactive.iter_parse():
            tokens.append(token)
        tree = interactive.feed_eof(tokens[-1] if tokens else None)  # type: ignore[no-untyped-call]
    except UnexpectedInput as error:
        # The ordinary parse raises the same error with its full parser context (for
        # `match_examples` and `accepts`).
        try:
            parser().parse(chunk)
        except UnexpectedInput as ordinary:
            raise _ChunkError(ordinary, tokens) from None
        raise _ChunkError(error, tokens) from None  # pragma: no cover - both parses agree
    return tree, tokens


_YES_WORDS = {"oui", "yes"}
_NO_WORDS = {"non", "no"}


def _odd_words(tokens: list[Token], chunk: str, file: str, offset: int) -> Diagnostic | None:
    """A diagnostic for a line that parses only by accident, or None.

    Where no identifier may stand, the contextual lexer reads a keyword on the prefix of a longer
    word: « existe(a) etb » would mean « existe(a) et b », « >= 3 Oui/Non » would mean
    « >= 3 ou i / Non ». A keyword is a whole word, so such a split is an error. « Oui/Non »,
    pasted from the Word document, gets its own message wherever it stands.
    """
    for i, token in enumerate(tokens):
        text = str(token)
        if (
            text.lower() in _YES_WORDS
            and i + 2 < len(tokens)
            and str(tokens[i + 1]) == "/"
            and str(tokens[i + 2]).lower() in _NO_WORDS
        ):
            end = tokens[i + 2].end_pos or 0
            written = chunk[token.start_pos or 0 : end]
            span = Span.point(file, offset + (token.line or 1), token.column or 1, len(written))
            return Diagnostic("S027", span, {"word": written})
        if i == 0:
            continue
        previous = tokens[i - 1]
        if previous.end_pos == token.start_pos and text[:1].isalnum() and str(previous)[-1:].isalpha():
            match = _WORD.match(chunk, previous.start_pos or 0)
            word = match.group(0) if match else str(previous) + text
            if word.lower() in _YES_WORDS and chunk[
                (previous.start_pos or 0) + len(word) :
            ].lstrip().startswith("/"):
                after = re.match(r"\s*/\s*\w+", chunk[(previous.start_pos or 0) + len(word) :])
                written = word + (after.group(0) if after else "")
                span = Span.point(file, offset + (previous.line or 1), previous.column or 1, len(written))
                return Diagnostic("S027", span, {"word": written})
            span = Span.point(file, offset + (previous.line or 1), previous.column or 1, len(word))
            keyword = str(previous)
            return Diagnostic("S026", span, {"word": word, "keyword": keyword, "rest": word[len(keyword) :]})
    return None


_WORD = re.compile(r"[\w'’]+")


def _error_line_index(error: UnexpectedInput, lo: int, hi: int) -> int:
    line = getattr(error, "line", -1)
    if not isinstance(line, int) or line < 1:
        return hi - 1
    return min(lo + line - 1, hi - 1)


# ---------------------------------------------------------------------------- syntax errors


def syntax_diagnostic(
    error: UnexpectedInput, chunk: str, file: str, offset: int, tokens: list[Token] | None = None
) -> Diagnostic:
    """A curated, positioned diagnostic for a Lark error; never Lark's raw text.

    `tokens` are the tokens read before the error, when known: they name the word the error
    follows (« nombr » in « nombr(x) »).
    """
    if isinstance(error, UnexpectedCharacters):
        line, column = offset + error.line, error.column
        char = chunk[error.pos_in_stream or 0]
        if char in '«"“':
            closing = {"«": "»", '"': '"', "“": "”"}[char]
            return Diagnostic("S002", Span.point(file, line, column), {"quote": char, "close": closing})
        if char in "'‘’":
            return Diagnostic("S028", Span.point(file, line, column), {"char": char})
        if char in "»”":
            opening = {"»": "«", "”": "“"}[char]
            return Diagnostic("S032", Span.point(file, line, column), {"quote": char, "open": opening})
        return Diagnostic("S001", Span.point(file, line, column), {"char": _visible(char)})
    if isinstance(error, UnexpectedEOF):  # pragma: no cover - every chunk ends with a newline
        last = chunk.rstrip("\n").count("\n") + 1
        return Diagnostic("S004", Span.point(file, offset + last, 1), {"expected": "", "expected_en": ""})
    assert isinstance(error, UnexpectedToken)
    token = error.token
    line, column = offset + token.line, token.column
    text = str(token)
    width = max(len(text), 1)
    previous = _previous_token(token, error, tokens)
    # The contextual lexer may split an unknown word on a keyword prefix (« parmi » → par + mi):
    # report the whole word.
    if (
        previous is not None
        and previous.end_pos == token.start_pos
        and text[:1].isalnum()
        and str(previous)[-1:].isalnum()
    ):
        column = previous.column or column
        text = str(previous) + text
        width = len(text)
    expected_fr, expected_en, keywords = expected_lists(error.accepts or error.expected, _keyword_texts())
    args: dict[str, Any] = {
        "token": "fin de ligne" if token.type == "_NL" else text,
        "expected": expected_fr,
        "expected_en": expected_en,
    }
    if token.type == "_NL":
        width = 1
    span = Span.point(file, line, column, width)
    label = _curated_label(error)
    if label in ("S015", "S030") and previous is not None:
        args["name"] = str(previous) if label == "S015" else str(previous).lower()
        span = Span.point(file, offset + (previous.line or 1), previous.column or 1, len(str(previous)))
    elif label == "S010" and previous is not None:
        return _comparator_diagnostic(previous, chunk, file, offset)
    if label is not None:
        return Diagnostic(label, span, args)
    if token.type == "_NL":
        return Diagnostic("S004", span, args)
    guess = closest(text, keywords, cutoff=0.7) if text[:1].isalpha() else None
    args["guess"] = guess or ""
    return Diagnostic("S003", span, args)


def _visible(char: str) -> str:
    """A character as a reader can see it: invisible ones by their code point (U+2028)."""
    if char.isprintable() and not char.isspace():
        return char
    return f"U+{ord(char):04X}"


def _previous_token(token: Token, error: UnexpectedToken, tokens: list[Token] | None) -> Token | None:
    """The token read just before `token`."""
    if error.token_history:
        last: Token = error.token_history[-1]
        return last
    start = token.start_pos if token.start_pos is not None else -1
    for candidate in reversed(tokens or []):
        if candidate.end_pos is not None and candidate.end_pos <= start and candidate is not token:
            return candidate
    return None


_COMPARATOR_RUN = re.compile(r"[<>=/≥≤≠!][<>=/≥≤≠! ]*")


def _comparator_diagnostic(first: Token, chunk: str, file: str, offset: int) -> Diagnostic:
    """`>/=`, `> =`, `=>`, `==`: the whole operator as written, and the one meant."""
    match = _COMPARATOR_RUN.match(chunk, first.start_pos or 0)
    written = match.group(0).rstrip() if match else str(first)
    if "<" in written and ">" in written:
        meant = "!="
    elif ">" in written or "≥" in written:
        meant = ">=" if ("=" in written or "≥" in written) else ">"
    elif "<" in written or "≤" in written:
        meant = "<=" if ("=" in written or "≤" in written) else "<"
    else:
        meant = "!=" if "!" in written else "="
    span = Span.point(file, offset + (first.line or 1), first.column or 1, len(written))
    return Diagnostic("S010", span, {"op": written, "meant": meant})


@functools.cache
def _keyword_texts() -> dict[str, str]:
    """Terminal name → keyword text, for the anonymous keywords of the grammar."""
    texts: dict[str, str] = {}
    for terminal in parser().terminals:
        if terminal.pattern.type == "str":
            texts[terminal.name] = terminal.pattern.value
    return texts


def _curated_label(error: UnexpectedToken) -> str | None:
    """The code of the curated example that breaks like `error`, as `match_examples` would say.

    An example breaking in the same parser state on the same token wins; otherwise the first
    example breaking in the same state. The examples are parsed once per process, not per error.
    """
    state = error.state
    if state is None:
        return None
    key = (len(state.state_stack), state.position)
    error_accepts = frozenset(error.accepts or ())
    candidate: str | None = None
    for label, example_key, token, accepts in _curated_table():
        if example_key != key or accepts != error_accepts:
            continue
        if token == str(error.token):
            return _fits(label, error.token)
        if candidate is None:
            candidate = label
    return None if candidate is None else _fits(candidate, error.token)


def _fits(label: str, token: Token) -> str | None:
    allowed = CURATED_TOKEN_TYPES.get(label)
    return label if allowed is None or token.type in allowed else None


@functools.cache
def _curated_table() -> tuple[tuple[str, tuple[int, Any], str, frozenset[str]], ...]:
    rows: list[tuple[str, tuple[int, Any], str, frozenset[str]]] = []
    for label, examples in CURATED_EXAMPLES.items():
        for example in examples:
            try:
                parser().parse(example)
            except UnexpectedToken as error:
                state = error.state
                if state is not None:
                    key = (len(state.state_stack), state.position)
                    rows.append((label, key, str(error.token), frozenset(error.accepts or ())))
            except UnexpectedInput:  # pragma: no cover - examples break on tokens
                continue
    return tuple(rows)


# ---------------------------------------------------------------------------- tree → statements


def _unquote(token: Token) -> str:
    """A label without its quotes; the spaces inside « » are typography, not content."""
    return str(token)[1:-1].strip()


class _StatementBuilder:
    """Builds statements and expression nodes; value problems (bad dates) become diagnostics.

    Each rule of the grammar has a method of its name, called with the rule's position (`meta`)
    and its children already built; tokens are passed as they are.
    """

    def __init__(self, file: str, line_offset: int, text: str = ""):
        self.text = text
        self.file = file
        self.offset = line_offset
        self.problems: list[Diagnostic] = []
        self._decimal_commas: dict[Span, str] = {}  # numbers written with a comma: 7,5

    def transform(self, tree: Tree[Token]) -> list[st.Statement]:
        """The statements of a parse tree, built leaves first, without recursion (expressions
        can nest deeply).

        What Lark's `Transformer_NonRecursive` with `v_args(meta=True, inline=True)` does, minus
        its cost: `v_args` wraps the method anew at every node (`functools.update_wrapper`),
        a tenth of the time to load a large plan.
        """
        builders = _builders()
        postfix: list[Any] = []  # nodes in reverse post-order
        pending: list[Any] = [tree]
        while pending:
            node = pending.pop()
            postfix.append(node)
            if isinstance(node, Tree):
                pending.extend(node.children)
        built: list[Any] = []
        for node in reversed(postfix):
            if isinstance(node, Tree):
                size = len(node.children)
                args = built[len(built) - size :]
                del built[len(built) - size :]
                build = builders.get(node.data)
                if build is None:  # pragma: no cover - every rule has its method
                    raise AssertionError(f"rule without builder: {node.data}")
                built.append(build(self, node.meta, *args))
            else:
                built.append(node)
        (statements,) = built
        result: list[st.Statement] = statements
        return result

    # -- positions
    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 0, 0, 0, 0)
        return Span(
            self.file,
            meta.line + self.offset,
            meta.column,
            meta.end_line + self.offset,
            meta.end_column,
        )

    def _tok(self, token: Token) -> Span:
        return Span(
            self.file,
            (token.line or 0) + self.offset,
            token.column or 0,
            (token.end_line or 0) + self.offset,
            token.end_column or 0,
        )

    # -- file
    def start(self, meta: Any, *items: st.Statement) -> list[st.Statement]:
        return list(items)

    # -- header
    def plan_title(self, meta: Any, text: Token) -> st.PlanTitle:
        return st.PlanTitle(_unquote(text), self._span(meta))

    def commune(self, meta: Any, text: Token) -> st.CommuneDecl:
        return st.CommuneDecl(_unquote(text), self._span(meta))

    def legal_basis(self, meta: Any, text: Token) -> st.LegalBasis:
        return st.LegalBasis(_unquote(text), self._span(meta))

    def period_decl(self, meta: Any, start: Token, end: Token | None = None) -> st.PeriodDecl:
        return st.PeriodDecl(
            str(start),
            None if end is None else str(end),
            self._span(meta),
            self._tok(start),
            None if end is None else self._tok(end),
        )

    def meta(self, meta: Any, key: Token, value: Token) -> st.MetaDecl:
        key_text = _unquote(key) if key.type == "STRING" else str(key)
        return st.MetaDecl(key_text, _unquote(value), self._span(meta))

    def levels_decl(self, meta: Any, *levels: Token) -> st.LevelsDecl:
        return st.LevelsDecl(
            tuple(_unquote(t) for t in levels), self._span(meta), tuple(self._tok(t) for t in levels)
        )

    def granularity(self, meta: Any, words: st.PeriodWords) -> st.GranularityDecl:
        if words.calendar is not None or words.cumulative:
            word = {"school_year": "année scolaire", "fiscal_year": "exercice"}.get(
                words.calendar or "", "cumulé"
            )
            span = words.span or self._span(meta)
            self.problems.append(Diagnostic("S016", span, {"word": word, "guess": "trimestre"}))
        return st.GranularityDecl(words.unit, self._span(meta))

    def fiscal_decl(self, meta: Any, month: Token) -> st.FiscalDecl:
        word = str(month).lower().replace("’", "'").removeprefix("d'")
        return st.FiscalDecl(MONTHS.get(word, 1), self._span(meta))

    # -- events
    def event_decl(self, meta: Any, name: Token, label: Token | None = None) -> st.EventDecl:
        return st.EventDecl(
            str(name), None if label is None else _unquote(label), self._span(meta), self._tok(name)
        )

    def field_decl(
        self, meta: Any, name: Token, ftype: tuple[tuple[str, ...], Span], optional: bool = False
    ) -> st.FieldStatement:
        return st.FieldStatement(str(name), ftype[0], optional, self._span(meta), ftype[1])

    def duration_field(self, meta: Any, name: Token, duration: tuple[Any, ...]) -> st.DurationFieldStatement:
        start, end, working, span, start_span, end_span = duration
        return st.DurationFieldStatement(
            str(name), start, end, working, self._span(meta), span, start_span, end_span
        )

    def duration_type(
        self, meta: Any, *items: Any
    ) -> tuple[str | None, str | None, bool, Span, Span | None, Span | None]:
        names = [item for item in items if isinstance(item, Token)]
        working = any(item == ("unit", "working_days") for item in items if isinstance(item, tuple))
        if not names:
            return None, None, working, self._span(meta), None, None
        start, end = names[0], names[1]
        return str(start), str(end), working, self._span(meta), self._tok(start), self._tok(end)

    def day_unit(self, meta: Any, token: Token) -> tuple[str, str]:
        return "unit", "working_days" if token.type == "WORKING_DAYS" else "days"

    def field_type(self, meta: Any, *names: Token) -> tuple[tuple[str, ...], Span]:
        return tuple(str(n) for n in names), self._span(meta)

    def optional(self, meta: Any) -> bool:
        return True

    # -- tree
    def node(self, meta: Any, level: tuple[str, Span], *rest: Token) -> st.NodeDecl:
        number = rest[0] if len(rest) == 2 else None
        label = rest[-1]
        return st.NodeDecl(
            level[0],
            None if number is None else str(number).rstrip("."),
            _unquote(label),
            self._span(meta),
            level[1],
            None if number is None else self._tok(number),
        )

    def level_words(self, meta: Any, *words: Token) -> tuple[str, Span]:
        return " ".join(str(w) for w in words), self._span(meta)

    def note(self, meta: Any, text: Token) -> st.NoteDecl:
        return st.NoteDecl(_unquote(text), self._span(meta))

    def unit(self, meta: Any, text: Token) -> st.UnitDecl:
        return st.UnitDecl(_unquote(text), self._span(meta))

    # -- indicators
    def indicator_decl(self, meta: Any, name: Token, wording: Token | None = None) -> st.IndicatorDecl:
        return st.IndicatorDecl(
            str(name),
            None if wording is None else _unquote(wording),
            self._span(meta),
            self._tok(name),
        )

    def expression_line(self, meta: Any, expr: m.Expr, *rest: Any) -> st.ExpressionLine:
        return self._line(meta, expr, rest, monitored=False)

    def monitor_line(self, meta: Any, expr: m.Expr, *rest: Any) -> st.ExpressionLine:
        return self._line(meta, expr, rest, monitored=True)

    def _line(self, meta: Any, expr: m.Expr, rest: tuple[Any, ...], monitored: bool) -> st.ExpressionLine:
        period: m.PeriodUnit | None = None
        deadline: str | None = None
        deadline_span: Span | None = None
        words = st.PeriodWords(m.PeriodUnit.WHOLE)
        for item in rest:
            if isinstance(item, st.PeriodWords):
                period, words = item.unit, item
            else:
                deadline, deadline_span = item
        written = self.text[meta.start_pos : meta.end_pos] if self.text else ""
        return st.ExpressionLine(
            expr,
            period,
            deadline,
            monitored,
            self._span(meta),
            deadline_span,
            " ".join(written.split()),
            words.calendar,
            words.cumulative,
            words.span,
        )

    def period(self, meta: Any, words: st.PeriodWords) -> st.PeriodWords:
        return words

    def period_unit(self, meta: Any, word: Token, second: Token | None = None) -> st.PeriodWords:
        """The unit of a period with the span of its words (`mois`, `année scolaire`)."""
        span = self._span(meta)
        if second is not None:
            both = f"{word} {second}".lower()
            if both in CALENDAR_WORDS:
                return st.PeriodWords(m.PeriodUnit.YEAR, CALENDAR_WORDS[both], span=span)
            first = PERIOD_WORDS.get(str(word).lower())
            if first is not None and str(second).lower() in CUMULATIVE_WORDS:
                return st.PeriodWords(first, None, cumulative=True, span=span)
            known = [*PERIOD_WORDS, *CALENDAR_WORDS, "trimestre cumulé", "quarter cumulative"]
            guess = closest(both, known) or ""
            self.problems.append(Diagnostic("S016", span, {"word": f"{word} {second}", "guess": guess}))
            return st.PeriodWords(m.PeriodUnit.YEAR, span=span)
        if str(word).lower() in CALENDAR_WORDS:
            return st.PeriodWords(m.PeriodUnit.YEAR, CALENDAR_WORDS[str(word).lower()], span=span)
        unit = PERIOD_WORDS.get(str(word).lower())
        if unit is None:
            guess = closest(str(word), PERIOD_WORDS) or ""
            self.problems.append(Diagnostic("S016", self._tok(word), {"word": str(word), "guess": guess}))
            return st.PeriodWords(m.PeriodUnit.YEAR, span=span)
        return st.PeriodWords(unit, span=span)

    def deadline(self, meta: Any, date: Token) -> tuple[str, Span]:
        return str(date), self._tok(date)

    # -- stated statuses
    def to_define(self, meta: Any) -> st.ToDefineLine:
        return st.ToDefineLine(self._span(meta))

    def milestone(self, meta: Any, state: m.MilestoneState, *rest: Any) -> st.MilestoneLine:
        done: tuple[str, Span] | None = None
        due: tuple[str, Span] | None = None
        for item in rest:
            if item[0] == "on":
                done = item[1:]
            else:
                due = item
        return st.MilestoneLine(
            state,
            None if done is None else done[0],
            None if due is None else due[0],
            self._span(meta),
            None if done is None else done[1],
            None if due is None else due[1],
        )

    def milestone_state(self, meta: Any, token: Token) -> m.MilestoneState:
        return _MILESTONE_STATES[token.type]

    def milestone_date(self, meta: Any, date: Token) -> tuple[str, str, Span]:
        return "on", str(date), self._tok(date)

    # -- measured values
    def measure_decl(self, meta: Any, name: Token, *rest: Any) -> st.MeasureDecl:
        label = next((_unquote(item) for item in rest if isinstance(item, Token)), None)
        percent = any(item is True for item in rest)
        return st.MeasureDecl(str(name), label, percent, self._span(meta), self._tok(name))

    def measure_percent(self, meta: Any, percent: Token) -> bool:
        return True

    # -- reference values
    def refvalue_decl(self, meta: Any, name: Token, *rest: Any) -> st.RefValueDecl:
        label = _unquote(rest[0]) if len(rest) == 2 else None
        source = rest[-1]
        table, table_span = (source[1], source[2]) if isinstance(source, tuple) else (None, None)
        value = source if isinstance(source, m.Number | m.ByYear) else None
        return st.RefValueDecl(str(name), label, value, table, self._span(meta), self._tok(name), table_span)

    def table_source(self, meta: Any, path: Token) -> tuple[str, str, Span]:
        return "table", _unquote(path), self._tok(path)

    # -- shares of units
    def unit_share(
        self, meta: Any, fn: tuple[m.AggregateFn, Span], event: Token, field: Token, *rest: Any
    ) -> m.UnitShare:
        where = rest[0] if len(rest) == 3 else None
        op, threshold = rest[-2], rest[-1]
        return m.UnitShare(
            fn[0], str(event), str(field), where, op, threshold, self._span(meta),
            fn[1], self._tok(field),
        )  # fmt: skip

    # -- trends
    def trend_of(self, meta: Any, value: m.Expr, trend: tuple[Any, ...]) -> m.Trend:
        direction, amount, baseline, words = trend
        return m.Trend(value, direction, amount, baseline, self._span(meta), words)

    def trend(self, meta: Any, word: Token, *rest: Any) -> tuple[Any, ...]:
        direction = {"TREND_DOWN": "down", "TREND_UP": "up", "TREND_STABLE": "stable"}[word.type]
        amount = next((item for item in rest if isinstance(item, m.Number)), None)
        baseline = next((item for item in rest if isinstance(item, m.Baseline)), None)
        return direction, amount, baseline, self._span(meta)

    def trend_amount(self, meta: Any, number: m.Number) -> m.Number:
        return number

    def tolerance(self, meta: Any, number: m.Number) -> m.Number:
        return number

    def baseline(self, meta: Any, years: tuple[int, int], declared: m.Number | None = None) -> m.Baseline:
        return m.Baseline(years[0], years[1], declared, self._span(meta))

    def baseline_years(self, meta: Any, first: Token, last: Token | None = None) -> tuple[int, int]:
        years = []
        for token in (first, last or first):
            written = str(token)
            if not written.isdigit() or not 1900 <= int(written) <= 2200:
                self.problems.append(Diagnostic("C201", self._tok(token), {"year": written}))
            years.append(int(written) if written.isdigit() else 0)
        return years[0], years[1]

    # -- values per year
    def by_year(self, meta: Any, *items: m.YearValue) -> m.ByYear:
        return m.ByYear(tuple(items), self._span(meta))

    def year_value(self, meta: Any, year: Token, value: m.Number) -> m.YearValue:
        written = str(year)
        if not written.isdigit() or not 1900 <= int(written) <= 2200:
            self.problems.append(Diagnostic("C201", self._tok(year), {"year": written}))
        number = int(written) if written.isdigit() else 0
        return m.YearValue(number, value, self._span(meta))

    # -- expressions
    def or_(self, meta: Any, left: m.Expr, right: m.Expr) -> m.Or:
        return m.Or(left, right, self._span(meta))

    def and_(self, meta: Any, left: m.Expr, right: m.Expr) -> m.And:
        return m.And(left, right, self._span(meta))

    def not_(self, meta: Any, operand: m.Expr) -> m.Not:
        return m.Not(operand, self._span(meta))

    def compare(self, meta: Any, left: m.Expr, op: m.Comparator, right: m.Expr) -> m.Compare:
        return m.Compare(op, left, right, self._span(meta))

    def comparator(self, meta: Any, token: Token) -> m.Comparator:
        return _WORD_COMPARATORS.get(token.type) or _COMPARATORS[str(token)]

    def between(self, meta: Any, value: m.Expr, low: m.Expr, high: m.Expr) -> m.Between:
        return m.Between(value, low, high, self._span(meta))

    def _arith(op: str) -> Callable[..., m.Arithmetic]:  # type: ignore[misc]  # noqa: N805
        def build(self: _StatementBuilder, meta: Any, left: m.Expr, right: m.Expr) -> m.Arithmetic:
            return m.Arithmetic(op, left, right, self._span(meta))

        return build

    add = _arith("+")
    sub = _arith("-")
    mul = _arith("*")
    div = _arith("/")

    def neg(self, meta: Any, operand: m.Expr) -> m.Expr:
        # `-4` and `-4 jours` are numbers; `-4 %` in an expression stays the negation of 4 %.
        if isinstance(operand, m.Number) and not operand.percent:
            return self.negative_number(meta, operand)
        return m.Negative(operand, self._span(meta))

    def negative_number(self, meta: Any, number: m.Number) -> m.Number:
        """The one reading of a minus before a number: its unit (%, jours) and all else kept."""
        return attrs.evolve(number, value=-number.value, span=self._span(meta))

    def indicator_ref(self, meta: Any, name: Token) -> m.IndicatorRef:
        return m.IndicatorRef(str(name), self._span(meta))

    def aggregate(self, meta: Any, fn: tuple[m.AggregateFn, Span], event: Token, *rest: Any) -> m.Aggregate:
        field: Token | None = None
        where: m.Expr | None = None
        for item in rest:
            if isinstance(item, Token):
                field = item
            else:
                where = item
        return m.Aggregate(
            fn[0],
            str(event),
            None if field is None else str(field),
            where,
            self._span(meta),
            None if field is None else self._tok(field),
        )

    def aggregate_fn(self, meta: Any, token: Token) -> tuple[m.AggregateFn, Span]:
        """The function with where its word stands (`part` in a share of units)."""
        return _AGGREGATES[str(token).lower()], self._tok(token)

    def in_list(self, meta: Any, value: m.Expr, items: tuple[m.Expr, ...]) -> m.InList:
        return m.InList(value, items, False, self._span(meta))

    def not_in_list(self, meta: Any, value: m.Expr, items: tuple[m.Expr, ...]) -> m.InList:
        return m.InList(value, items, True, self._span(meta))

    def value_list(self, meta: Any, *items: m.Expr) -> tuple[m.Expr, ...]:
        decimals = [(i, self._decimal_commas.get(i.span)) for i in items if isinstance(i, m.Number)]
        if any(written for _, written in decimals) and self._comma_separated(meta, items):
            # « dans [1,2,3] » reads as [1.2, 3]: the officer meant three values. (A list of
            # decimals separated by « ; », « [1,5; 2] », is what the formatter writes: fine.)
            for item, written in decimals:
                if written:
                    first, _, second = written.partition(",")
                    args = {"number": written, "a": first, "b": second}
                    self.problems.append(Diagnostic("C156", item.span, args))
        return tuple(items)

    def _comma_separated(self, meta: Any, items: tuple[m.Expr, ...]) -> bool:
        """Whether a list's items are separated by commas (rather than semicolons)."""
        if getattr(meta, "empty", True) or not self.text:
            return False
        chars = list(self.text[meta.start_pos : meta.end_pos])
        for item in items:
            if item.span.line == item.span.end_line == meta.line + self.offset:
                start, end = item.span.column - meta.column, item.span.end_column - meta.column
                chars[start:end] = " " * (end - start)
        return "," in chars

    def bool_field(self, meta: Any, name: Token) -> m.BoolField:
        return m.BoolField(str(name), self._span(meta))

    def name(self, meta: Any, name: Token) -> m.Name:
        return m.Name(str(name), self._span(meta))

    def string(self, meta: Any, text: Token) -> m.Text:
        return m.Text(str(text)[1:-1], self._span(meta))

    def date(self, meta: Any, token: Token) -> m.DateValue:
        span = self._span(meta)
        value = parse_plan_date(str(token))
        if value is None:
            self.problems.append(Diagnostic("S017", span, {"date": str(token)}))
            value = dt.date(1970, 1, 1)
        return m.DateValue(value, span)

    def number(self, meta: Any, token: Token, percent: Token | tuple[str, str] | None = None) -> m.Number:
        if isinstance(percent, tuple):  # `21 jours ouvrables`: a number of days
            number = self.number(meta, token)
            return m.Number(number.value, False, number.span, percent[1])
        written = str(token)
        span = self._span(meta)
        value = float(written.translate(_GROUPING).replace(",", "."))
        if "," in written:
            self._decimal_commas[span] = written
        if _THOUSANDS.fullmatch(written) and percent is None:
            # « >= 1.000 » is 1 for the parser and a thousand for a Belgian reader.
            args = {
                "number": written,
                "value": f"{value:g}".replace(".", ","),
                "value_en": f"{value:g}",
                "thousand": written.replace(".", "").replace(",", ""),
            }
            self.problems.append(Diagnostic("C157", self._tok(token), args, Severity.WARNING))
        return m.Number(value, percent is not None, span)

    def boolean(self, meta: Any, token: Token) -> m.Boolean:
        return m.Boolean(str(token).lower() in _TRUE_WORDS, self._span(meta))


@functools.cache
def _builders() -> dict[str, Callable[..., Any]]:
    """Rule name → the builder's method for it (its public methods, `transform` aside)."""
    return {
        name: member
        for name, member in vars(_StatementBuilder).items()
        if callable(member) and not name.startswith("_") and name != "transform"
    }


_THOUSANDS = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
_EU = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_plan_date(text: str) -> dt.date | None:
    """`2023-06-30` or `30/06/2023`; None when the calendar has no such day."""
    iso = _ISO.match(text)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        eu = _EU.match(text)
        if eu:
            return dt.date(int(eu[3]), int(eu[2]), int(eu[1]))
    except ValueError:
        return None
    return None


def is_tree(value: object) -> bool:
    """True for a raw Lark tree (used by tests that assert nothing Lark leaks out)."""
    return isinstance(value, Tree | Token)
