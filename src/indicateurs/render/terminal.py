"""The plan tree as a terminal table: statuses in symbols and words, colour only as a bonus.

Without colour the output is plain text that depends only on the result, the language and
the width: it is what tests compare and what a log file keeps.
"""

from __future__ import annotations

import io
import os
import shutil
import sys

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from ..i18n import Lang
from ..results import IndicatorResult, NodeResult, PlanResult, SourceReport, Status
from .common import (
    SUMMARY_ORDER,
    colon,
    details_text,
    format_date,
    format_period,
    ignored_reasons,
    node_heading,
    node_status_text,
    one_line,
    partial_lines,
    period_label,
    period_value,
    projection_line,
    reason_text,
    rejection_message,
    resolve_lang,
    source_counts,
    status_text,
    summary_counts,
    target_label,
    value_vs_target,
    word,
)

DEFAULT_WIDTH = 100
MIN_WIDTH = 60
INDENT = 2
MAX_DEPTH_SHOWN = 8  # deeper levels are not indented further, so that labels keep some room
MAX_REJECTIONS = 50

STATUS_STYLES: dict[Status, str] = {
    Status.MET: "bold green",
    Status.NOT_MET: "bold red",
    Status.IN_PROGRESS: "bold yellow",
    Status.NO_DATA: "magenta",
    Status.NOT_EVALUABLE: "magenta",
    Status.MONITORED: "cyan",
    Status.NO_INDICATOR: "dim",
}


def render_table(
    result: PlanResult,
    *,
    lang: Lang | None = None,
    color: bool | None = None,
    width: int | None = None,
    max_rejections: int = MAX_REJECTIONS,
) -> str:
    """The result as text for a terminal, French by default.

    `color=None` colours when standard output is a terminal (and NO_COLOR is unset).
    `width=None` is the terminal's width when colouring, else a fixed 100 columns, so that
    uncoloured output does not depend on where it is produced.
    """
    language = resolve_lang(lang)
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if width is None:
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if color else DEFAULT_WIDTH
    width = max(width, MIN_WIDTH)
    lines = _Table(result, language, width, max_rejections).lines()
    if not color:
        return "".join(line.plain.rstrip() + "\n" for line in lines)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=True,
        color_system="standard",
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    for line in lines:
        console.print(line, soft_wrap=True)
    return buffer.getvalue()


class _Table:
    def __init__(self, result: PlanResult, lang: Lang, width: int, max_rejections: int):
        self.result = result
        self.lang = lang
        self.width = width
        self.max_rejections = max_rejections
        self.out: list[Text] = []
        self.status_width = max(cell_len(status_text(s, lang)) for s in SUMMARY_ORDER) + 2

    def lines(self) -> list[Text]:
        self._header()
        for node in self.result.nodes:
            self.out.append(Text())
            self._node(node, 0)
        if self.result.loose:
            self.out.append(Text())
            self.out.append(Text(word("loose", self.lang), style="bold"))
            for ind in self.result.loose:
                self._indicator(ind, 1)
        self._sources()
        self._rejections()
        return self.out

    # ------------------------------------------------------------------------ pieces

    def _fit(self, text: str, room: int) -> str:
        """`text` cut to `room` cells with an ellipsis."""
        if cell_len(text) <= room:
            return text
        cut = Text(text)
        cut.truncate(max(room, 1), overflow="ellipsis")
        return cut.plain

    def _wrap(self, parts: list[str], prefix: str, sep: str = " · ") -> None:
        """Pieces joined by `sep`, wrapped at the width, each line starting with `prefix`."""
        line = ""
        for part in parts:
            candidate = part if not line else line + sep + part
            if line and cell_len(prefix + candidate) > self.width:
                self.out.append(Text(prefix + line))
                line = part
            else:
                line = candidate
        if line:
            self.out.append(Text(prefix + line))

    def _header(self) -> None:
        r, lang = self.result, self.lang
        title = one_line(r.title or word("untitled", lang))
        self._wrap_words(title, "", max_lines=3, style="bold")
        sep = colon(lang)
        if r.commune:
            self.out.append(Text(self._fit(f"{word('commune', lang)}{sep}{one_line(r.commune)}", self.width)))
        period = format_period(r.period_start, r.period_end, lang)
        self.out.append(
            Text(
                f"{word('period', lang)}{sep}{period} · {word('evaluated_on', lang)} {format_date(r.as_of, lang)}"
            )
        )
        self.out.append(Text(self._fit(f"{word('plan_file', lang)}{sep}{r.plan_file}", self.width)))
        self.out.append(Text())
        head = f"{word('summary', lang)}{sep}"
        counts = summary_counts(r)
        line = Text()
        line.append(head, style="bold")
        used = cell_len(head)
        for i, (status, n) in enumerate(counts):
            piece = f"{status_text(status, lang)} {n}"
            if i:
                if used + 3 + cell_len(piece) > self.width:
                    self.out.append(line)
                    line = Text(" " * cell_len(head))
                    used = cell_len(head)
                else:
                    line.append(" · ")
                    used += 3
            line.append(piece, style=STATUS_STYLES[status] if n else "dim")
            used += cell_len(piece)
        self.out.append(line)

    def _node(self, node: NodeResult, depth: int) -> None:
        lang = self.lang
        indent = " " * (INDENT * min(depth, MAX_DEPTH_SHOWN))
        tail = node_status_text(node, lang)
        head = node_heading(node)
        room = self.width - cell_len(indent) - cell_len(tail) - 2
        text = self._fit(f"{head} — {one_line(node.label)}", room)
        line = Text(indent)
        line.append(text, style="bold" if depth == 0 else "")
        line.append(" " * (self.width - cell_len(indent) - cell_len(text) - cell_len(tail)))
        line.append(tail, style=STATUS_STYLES[node.status])
        self.out.append(line)
        for note in node.notes:
            note_line = f"{indent}  {word('note', lang)}{colon(lang)}{one_line(note)}"
            self.out.append(Text(self._fit(note_line, self.width), style="italic"))
        for child in node.children:
            if isinstance(child, NodeResult):
                self._node(child, depth + 1)
            else:
                self._indicator(child, depth + 1)

    def _indicator(self, ind: IndicatorResult, depth: int) -> None:
        lang = self.lang
        indent = " " * (INDENT * min(depth, MAX_DEPTH_SHOWN))
        status = status_text(ind.status, lang)
        pad = indent + " " * self.status_width
        label = ind.id if not ind.wording else f"{ind.id} — {one_line(ind.wording)}"
        first = len(self.out)
        self._wrap_words(label, pad, max_lines=2)
        line = Text(indent)
        line.append(status, style=STATUS_STYLES[ind.status])
        line.append(" " * (self.status_width - cell_len(status)))
        line.append_text(self.out[first][len(pad) :])
        self.out[first] = line
        if len(ind.periods) > 1:
            # One value per period: the target alone, then each period's value and verdict.
            if ind.target is not None:
                target = f"{word('target', lang)}{colon(lang)}{target_label(ind, lang)}"
                self.out.append(Text(pad + self._fit(target, self.width - cell_len(pad))))
            parts = [
                f"{period_label(p.label, lang)} {p.status.symbol} {period_value(ind, p, lang)}"
                for p in ind.periods
            ]
            self._wrap(parts, pad)
        else:
            self.out.append(Text(pad + self._fit(value_vs_target(ind, lang), self.width - cell_len(pad))))
        projection = projection_line(ind, lang)
        if projection:
            self._wrap_words(f"→ {projection}", pad)
        details = details_text(ind, lang)
        if details:
            self._wrap_words(f"→ {details}", pad)
        for partial in partial_lines(ind, lang):
            self._wrap_words(f"→ {partial}", pad)
        reason = reason_text(ind.reason, lang)
        if reason:
            self._wrap_words(reason, pad)

    def _wrap_words(self, text: str, prefix: str, *, max_lines: int = 0, style: str = "") -> None:
        """Text wrapped at spaces; with `max_lines`, the last line kept is cut with an ellipsis."""
        start = len(self.out)
        self._wrap(one_line(text).split(" "), prefix, sep=" ")
        if max_lines and len(self.out) - start > max_lines:
            rest = " ".join(line.plain[len(prefix) :] for line in self.out[start + max_lines - 1 :])
            del self.out[start + max_lines - 1 :]
            self.out.append(Text(prefix + self._fit(rest, self.width - cell_len(prefix))))
        for line in self.out[start:]:
            line.stylize(style)

    def _sources(self) -> None:
        r, lang = self.result, self.lang
        sep = colon(lang)
        self.out.append(Text())
        self.out.append(Text(word("sources", lang), style="bold"))
        if not r.sources:
            self.out.append(Text("  " + word("no_source", lang)))
            return
        for source in r.sources:
            self.out.append(Text(self._fit(f"  {source.name}", self.width)))
            self.out.append(Text(f"    {source_counts(source, lang)}"))
            for label, n in ignored_reasons(source, lang):
                self.out.append(Text(self._fit(f"    {word('ignored', lang)}{sep}{label} ({n})", self.width)))
        if len(r.sources) > 1:
            total = SourceReport(word("total", lang), r.read, r.used, r.ignored, r.rejected)
            self.out.append(Text(f"  {total.name}"))
            self.out.append(Text(f"    {source_counts(total, lang)}"))

    def _rejections(self) -> None:
        r, lang = self.result, self.lang
        self.out.append(Text())
        self.out.append(Text(f"{word('rejections', lang)} ({len(r.rejections)})", style="bold"))
        if not r.rejections:
            self.out.append(Text("  " + word("no_rejection", lang)))
            return
        for rejection in r.rejections[: self.max_rejections]:
            where = f"  {rejection.source}:{rejection.row}  "
            message = one_line(rejection_message(rejection, lang))
            self.out.append(Text(self._fit(where + message, self.width)))
        rest = len(r.rejections) - self.max_rejections
        if rest > 0:
            self.out.append(Text("  " + word("more_rejections", lang, n=rest)))
