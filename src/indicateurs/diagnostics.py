"""Errors as data: a stable code, arguments, a span and a severity, rendered in one place.

Every problem the library finds in a plan, from the lexer to the semantic checker, becomes a
`Diagnostic`. `PlanError` carries all of them; `render_diagnostic` prints one the way a
compiler does: `file:line:column`, the line, a caret under the spot, the message and a fix.
"""

from __future__ import annotations

import enum
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .i18n import Lang, current_language
from .messages import format_message, format_suggestion
from .spans import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


def _as_dict(args: Mapping[str, Any]) -> dict[str, Any]:
    return dict(args)


@attrs.frozen
class Diagnostic:
    """One problem in a plan. `args` fill the message template named by `code`."""

    code: str
    span: Span
    args: Mapping[str, Any] = attrs.field(factory=dict, converter=_as_dict, hash=False)
    severity: Severity = Severity.ERROR

    @property
    def file(self) -> str:
        return self.span.file

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def message(self) -> str:
        return self.text()

    @property
    def suggestion(self) -> str | None:
        return self.fix()

    def text(self, lang: Lang | None = None) -> str:
        return format_message(self.code, self.args, lang or current_language())

    def fix(self, lang: Lang | None = None) -> str | None:
        return format_suggestion(self.code, self.args, lang or current_language())

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.text(lang),
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "suggestion": self.fix(lang),
        }


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (*d.span.sort_key(), d.code))


class PlanError(ValueError):
    """A plan that cannot be compiled. `.errors` holds every problem, sorted by position."""

    def __init__(self, errors: Sequence[Diagnostic], sources: Mapping[str, str] | None = None):
        self.errors: list[Diagnostic] = sort_diagnostics(errors)
        self.sources: dict[str, str] = dict(sources or {})
        super().__init__(self.render())

    def render(self, lang: Lang | None = None) -> str:
        return "\n\n".join(render_diagnostic(d, self.sources.get(d.file), lang) for d in self.errors)

    def to_json(self, lang: Lang | None = None) -> str:
        return json.dumps([d.to_dict(lang) for d in self.errors], ensure_ascii=False, indent=2)


_LABELS = {
    "fr": {"error": "erreur", "warning": "avertissement", "fix": "suggestion"},
    "en": {"error": "error", "warning": "warning", "fix": "help"},
}


def render_diagnostic(diag: Diagnostic, source: str | None, lang: Lang | None = None) -> str:
    """`file:line:col: erreur[E…]: message`, the source line, a caret line, the suggestion."""
    lang = lang or current_language()
    labels = _LABELS[lang]
    head = f"{diag.span}: {labels[diag.severity.value]}[{diag.code}]: {diag.text(lang)}"
    lines = [head]
    if source is not None and diag.span.line >= 1:
        # Lines are what the parser counts: `\n` only (splitlines would also cut at \f, \x85, U+2028).
        src_lines = source.split("\n")
        if diag.span.line <= len(src_lines):
            text = _displayable(src_lines[diag.span.line - 1])
            lines.append(f"  {diag.span.line:>4} | {text}")
            lines.append(f"       | {caret_line(text, diag.span)}")
    fix = diag.fix(lang)
    if fix:
        lines.append(
            f"       = {labels['fix']} : {fix}" if lang == "fr" else f"       = {labels['fix']}: {fix}"
        )
    return "\n".join(lines)


def _displayable(text: str) -> str:
    """The line as a terminal can show it: control characters and line or paragraph separators
    (which would break the line or move the cursor) become « � », one for one, so the carets
    still line up. Tabs stay."""
    return "".join(
        "\ufffd" if ch != "\t" and unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
    )


def caret_line(text: str, span: Span) -> str:
    """Carets under the span; tabs are copied so the caret lines up in any editor."""
    start = max(span.column - 1, 0)
    width = max(span.end_column - span.column, 1) if span.end_line == span.line else max(len(text) - start, 1)
    pad = "".join("\t" if ch == "\t" else " " for ch in text[:start])
    return pad + "^" * width
