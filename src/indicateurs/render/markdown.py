"""The result as Markdown, to paste into the annual report.

A header (commune, plan, period, evaluation date), the data sources with their row accounting,
the count of indicators per status, then the plan tree: every node a heading, every node that
holds indicators a table `indicator | target | value | status`, and last the rejected rows.
User text is escaped: a `|`, `*` or `<` in a label is shown as written and breaks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..i18n import Lang
from ..results import IndicatorResult, NodeResult, PlanResult
from .common import (
    colon,
    details_text,
    format_date,
    format_period,
    ignored_reasons,
    node_heading,
    one_line,
    partial_lines,
    period_label,
    period_value,
    projection_line,
    reason_text,
    rejection_message,
    resolve_lang,
    status_text,
    summary_counts,
    target_label,
    value_with_unit,
    word,
)

MAX_REJECTIONS = 500

# Characters with a meaning inline in CommonMark/GFM (`|` ends a table cell, `#` closes a
# heading, `<` opens raw HTML); `&` is written as an entity so that `&amp;` stays literal.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~#!])")


def escape(text: str) -> str:
    """User text made literal in Markdown, on one line: safe in a table cell or a heading.

    Not meant for the start of a line (where `-`, `+`, `1.` would start a list): every use
    here puts it after a marker or inside a cell.
    """
    return _INLINE_SPECIAL.sub(r"\\\1", one_line(text).replace("&", "&amp;"))


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table; cells are already escaped. `align`: one of `l`/`r` per column."""
    rule = ["---:" if (align[i : i + 1] == "r") else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return lines


def render_markdown(result: PlanResult, *, lang: Lang | None = None) -> str:
    """The result as a Markdown document (GitHub-flavoured tables), French by default."""
    language = resolve_lang(lang)
    return "\n".join(_Document(result, language).lines()) + "\n"


class _Document:
    def __init__(self, result: PlanResult, lang: Lang):
        self.result = result
        self.lang = lang
        self.out: list[str] = []

    def lines(self) -> list[str]:
        self._header()
        self._sources()
        self._summary()
        for node in self.result.nodes:
            self._node(node, 0)
        if self.result.loose:
            self._block(f"## {escape(word('loose', self.lang))}")
            self._indicators(list(self.result.loose))
        self._rejections()
        while self.out and self.out[-1] == "":
            self.out.pop()
        return self.out

    def _block(self, *lines: str) -> None:
        """Lines separated from what precedes by one blank line."""
        if self.out and self.out[-1] != "":
            self.out.append("")
        self.out.extend(lines)

    # ------------------------------------------------------------------------ sections

    def _header(self) -> None:
        r, lang = self.result, self.lang
        self._block(f"# {escape(r.title or word('untitled', lang))}")
        rows: list[tuple[str, str]] = []
        if r.commune:
            rows.append((word("commune", lang), escape(r.commune)))
        rows.append((word("plan_file", lang), escape(r.plan_file)))
        rows.append((word("period", lang), format_period(r.period_start, r.period_end, lang)))
        rows.append((word("as_of", lang), format_date(r.as_of, lang)))
        self._block(*(f"- **{key}**{colon(lang)}{value}" for key, value in rows))

    def _sources(self) -> None:
        r, lang = self.result, self.lang
        self._block(f"## {word('sources', lang)}")
        if not r.sources:
            self._block(word("no_source", lang))
            return
        rows = [
            [escape(s.name), str(s.read), str(s.used), str(s.ignored), str(s.rejected)] for s in r.sources
        ]
        if len(r.sources) > 1:
            total = f"**{word('total', lang)}**"
            rows.append([total, *(f"**{n}**" for n in (r.read, r.used, r.ignored, r.rejected))])
        header = [word(k, lang) for k in ("source", "Read", "Used", "Ignored", "Rejected")]
        self._block(*table(header, rows, "lrrrr"))
        reasons = [
            f"- {escape(s.name)}{colon(lang)}{escape(label)} ({n})"
            for s in r.sources
            for label, n in ignored_reasons(s, lang)
        ]
        if reasons:
            self._block(f"{word('ignored_why', lang)}{colon(lang)}", "", *reasons)

    def _summary(self) -> None:
        lang = self.lang
        self._block(f"## {word('summary', lang)}")
        rows = [[status_text(status, lang), str(n)] for status, n in summary_counts(self.result)]
        rows.append([f"**{word('total', lang)}**", f"**{len(self.result.indicators)}**"])
        self._block(*table([word("status", lang), word("Indicators", lang)], rows, "lr"))

    def _node(self, node: NodeResult, depth: int) -> None:
        lang = self.lang
        title = f"{escape(node_heading(node))} — {escape(node.label)}"
        if node.total:
            title += f" ({word('met_of', lang, met=node.met, total=node.total)})"
        level = depth + 2
        self._block(f"{'#' * level} {title}" if level <= 6 else f"**{title}**")
        for note in node.notes:
            self._block(f"*{escape(note)}*")
        if not node.children:
            self._block(f"*{word('no_indicator', lang)}*")
        indicators = [c for c in node.children if isinstance(c, IndicatorResult)]
        if indicators:
            self._indicators(indicators)
        for child in node.children:
            if isinstance(child, NodeResult):
                self._node(child, depth + 1)

    def _indicators(self, indicators: list[IndicatorResult]) -> None:
        lang = self.lang
        header = [word(k, lang) for k in ("indicator", "target", "value", "status")]
        rows = [self._row(ind) for ind in indicators]
        self._block(*table(header, rows))

    def _row(self, ind: IndicatorResult) -> list[str]:
        lang = self.lang
        wording = f"{escape(ind.wording)} <br>`{ind.id}`" if ind.wording else f"`{ind.id}`"
        if len(ind.periods) > 1:
            value = " · ".join(
                f"{escape(period_label(p.label, lang))}{colon(lang)}{period_value(ind, p, lang)}"
                f" {p.status.symbol}"
                for p in ind.periods
            )
        else:
            value = escape(value_with_unit(ind, lang))
        status = status_text(ind.status, lang)
        projection = projection_line(ind, lang)
        if projection:
            status += f" <br>→ {escape(projection)}"
        details = details_text(ind, lang)
        if details:
            status += f" <br>→ {escape(details)}"
        for line in partial_lines(ind, lang):
            status += f" <br>→ {escape(line)}"
        reason = reason_text(ind.reason, lang)
        if reason:
            status += f" <br>{escape(reason)}"
        return [wording, escape(target_label(ind, lang)), value, status]

    def _rejections(self) -> None:
        r, lang = self.result, self.lang
        self._block(f"## {word('rejections', lang)} ({len(r.rejections)})")
        if not r.rejections:
            self._block(word("no_rejection", lang))
            return
        rows = [
            [
                escape(rej.source),
                str(rej.row),
                escape(rejection_message(rej, lang)),
                escape(rej.field or ""),
                escape(rej.value or ""),
            ]
            for rej in r.rejections[:MAX_REJECTIONS]
        ]
        header = [word(k, lang) for k in ("source", "row", "reason", "field", "value")]
        self._block(*table(header, rows, "lr"))
        rest = len(r.rejections) - MAX_REJECTIONS
        if rest > 0:
            self._block(escape(word("more_rejections", lang, n=rest)))
