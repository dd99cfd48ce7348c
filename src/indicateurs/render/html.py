"""The result as one self-contained HTML file: inline CSS and SVG, no script, no external resource.

The page prints on A4 (each sector on a new page, no badge cut in two). Everything computed
(texts in the report's language, numbers, chart geometry) is prepared here as plain view
objects; the Jinja2 template only lays them out, with autoescaping on: plan labels and data
values are user text and come out inert whatever they hold.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import jinja2

from .. import __version__
from ..i18n import Lang
from ..results import IndicatorResult, NodeResult, PlanResult
from .common import (
    STATUS_CLASS,
    Details,
    colon,
    count_events,
    format_date,
    format_period,
    format_value,
    ignored_reasons,
    indicator_details,
    node_heading,
    node_status_text,
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

MAX_REJECTIONS = 1000


# ---------------------------------------------------------------------------- view objects


@attrs.frozen
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str  # the period, under the bar
    value: str  # the value, above the bar ("—" when there is none)
    value_y: float


@attrs.frozen
class TargetLine:
    y: float
    label: str


@attrs.frozen
class Chart:
    width: float
    height: float
    baseline: float
    plot_left: float
    plot_right: float
    bars: tuple[Bar, ...]
    targets: tuple[TargetLine, ...]
    band: tuple[float, float] | None  # y of the top and bottom of a "between" target
    title: str
    show_values: bool
    label_y: float


@attrs.frozen
class PeriodView:
    label: str
    status: str
    status_css: str
    value: str


@attrs.frozen
class EvidenceView:
    source: str
    row: int
    id: str
    date: str
    type: str


@attrs.frozen
class IndicatorView:
    id: str
    wording: str
    status: str
    status_css: str
    target: str
    value: str
    chart: Chart | None
    projection: str | None
    at_risk: bool
    details: Details | None  # the detail line: baseline, units, durations, references…
    partial: tuple[str, ...]  # the periods the plan's window cuts, not judged
    reason: str | None
    periods: tuple[PeriodView, ...]
    evidence_count: int
    evidence_label: str
    evidence: tuple[EvidenceView, ...]
    evidence_note: str | None
    expression: str | None


@attrs.frozen
class NodeView:
    heading: str
    label: str
    tag: str
    depth: int
    status: str
    status_css: str
    notes: tuple[str, ...]
    indicators: tuple[IndicatorView, ...]
    children: tuple[NodeView, ...]


# ---------------------------------------------------------------------------- rendering


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("indicateurs.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(result: PlanResult, *, lang: Lang | None = None) -> str:
    """The result as a standalone HTML page, French by default."""
    language = resolve_lang(lang)
    template = _environment().get_template("rapport.html.j2")
    return template.render(**_context(result, language))


def _context(result: PlanResult, lang: Lang) -> dict[str, Any]:
    sources = [
        {
            "name": s.name,
            "read": s.read,
            "used": s.used,
            "ignored": s.ignored,
            "rejected": s.rejected,
            "reasons": ignored_reasons(s, lang),
        }
        for s in result.sources
    ]
    summary = [
        {"code": status.value, "css": STATUS_CLASS[status], "text": status_text(status, lang), "count": n}
        for status, n in summary_counts(result)
    ]
    rejections = [
        {
            "source": r.source,
            "row": r.row,
            "message": rejection_message(r, lang),
            "field": r.field or "",
            "value": r.value or "",
        }
        for r in result.rejections[:MAX_REJECTIONS]
    ]
    return {
        "lang": lang,
        "t": _Words(lang),
        "sep": colon(lang),
        "title": result.title or word("untitled", lang),
        "commune": result.commune,
        "plan_file": result.plan_file,
        "period": format_period(result.period_start, result.period_end, lang),
        "as_of": format_date(result.as_of, lang),
        "sources": sources,
        "totals": {
            "read": result.read,
            "used": result.used,
            "ignored": result.ignored,
            "rejected": result.rejected,
        },
        "summary": summary,
        "indicator_count": len(result.indicators),
        "sectors": [_node(n, 0, lang) for n in result.nodes],
        "loose": [_indicator(i, lang) for i in result.loose],
        "rejections": rejections,
        "rejection_count": len(result.rejections),
        "more_rejections": max(len(result.rejections) - MAX_REJECTIONS, 0),
        "version": __version__,
    }


class _Words:
    """`t.key` or `t("key", n=…)` in templates: the report's words in its language."""

    def __init__(self, lang: Lang):
        self._lang = lang

    def __getattr__(self, key: str) -> str:
        return word(key, self._lang)

    def __call__(self, key: str, **args: object) -> str:
        return word(key, self._lang, **args)


def _node(node: NodeResult, depth: int, lang: Lang) -> NodeView:
    return NodeView(
        heading=node_heading(node),
        label=node.label,
        tag=f"h{min(depth + 2, 6)}",
        depth=depth,
        status=node_status_text(node, lang),
        status_css=STATUS_CLASS[node.status],
        notes=node.notes,
        indicators=tuple(_indicator(c, lang) for c in node.children if isinstance(c, IndicatorResult)),
        children=tuple(_node(c, depth + 1, lang) for c in node.children if isinstance(c, NodeResult)),
    )


def _indicator(ind: IndicatorResult, lang: Lang) -> IndicatorView:
    evidence = ind.evidence
    note = None
    if evidence.capped:
        note = word("evidence_shown", lang, shown=len(evidence.items), count=evidence.count)
    return IndicatorView(
        id=ind.id,
        wording=ind.wording or ind.id,
        status=status_text(ind.status, lang),
        status_css=STATUS_CLASS[ind.status],
        target=target_label(ind, lang),
        value=value_with_unit(ind, lang) if len(ind.periods) <= 1 else _latest(ind, lang),
        chart=chart(ind, lang),
        projection=projection_line(ind, lang, risk=False),
        at_risk=ind.at_risk,
        details=indicator_details(ind, lang),
        partial=partial_lines(ind, lang),
        reason=reason_text(ind.reason, lang),
        periods=tuple(
            PeriodView(
                label=period_label(p.label, lang),
                status=status_text(p.status, lang),
                status_css=STATUS_CLASS[p.status],
                value=period_value(ind, p, lang),
            )
            for p in ind.periods
        )
        if len(ind.periods) > 1
        else (),
        evidence_count=evidence.count,
        evidence_label=count_events(evidence.count, lang),
        evidence=tuple(
            EvidenceView(e.source, e.row, e.id or "", format_date(e.date, lang), e.type)
            for e in evidence.items
        ),
        evidence_note=note,
        expression=ind.expression,
    )


def _latest(ind: IndicatorResult, lang: Lang) -> str:
    """For several periods, the latest one's value, named: `T3 2023 : 4`."""
    last = ind.periods[-1]
    return f"{period_label(last.label, lang)}{colon(lang)}{period_value(ind, last, lang)}"


# ---------------------------------------------------------------------------- chart geometry

_CHART_HEIGHT = 84.0
_TOP = 14.0  # room for the value above the tallest bar
_BASELINE = 62.0
_LABEL_Y = 76.0
_PAD = 6.0
_TARGET_ROOM = 70.0  # on the right, for the target's label


def chart(ind: IndicatorResult, lang: Lang) -> Chart | None:
    """Bars of the value per period against the target line(s); None for yes/no indicators
    and for indicators without any numeric value."""
    if ind.kind == "yes_no" or not ind.periods:
        return None
    values = [None if p.value is None or isinstance(p.value, bool) else float(p.value) for p in ind.periods]
    if all(v is None for v in values):
        return None
    targets = ind.target_lines
    percent = ind.percent
    n = len(values)
    slot = 56.0 if n <= 2 else 40.0 if n <= 4 else 28.0 if n <= 12 else max(8.0, 336.0 / n)
    plot_left, plot_right = _PAD, _PAD + slot * n
    top = max([v for v in values if v is not None] + list(targets) + [0.0])
    scale_top = top * 1.08 if top > 0 else 1.0

    def y(v: float) -> float:
        return _BASELINE - max(v, 0.0) / scale_top * (_BASELINE - _TOP)

    bars: list[Bar] = []
    for i, (period, value) in enumerate(zip(ind.periods, values, strict=True)):
        x = plot_left + i * slot + slot * 0.15
        width = slot * 0.7
        shown = format_value(value, lang, percent=percent) if value is not None else "—"
        if value is None:
            bars.append(
                Bar(x, _BASELINE, width, 0.0, "none", _short(period.label, n, lang), shown, _BASELINE - 3)
            )
            continue
        top_y = y(value)
        height = max(_BASELINE - top_y, 1.0)  # a zero still shows as a line
        bars.append(
            Bar(
                x,
                _BASELINE - height,
                width,
                height,
                STATUS_CLASS[period.status],
                _short(period.label, n, lang),
                shown,
                _BASELINE - height - 3,
            )
        )
    lines = tuple(
        TargetLine(y(t), f"{word('target_short', lang)} {format_value(t, lang, percent=percent)}")
        for t in targets
    )
    band = (y(targets[1]), y(targets[0])) if len(targets) == 2 else None
    title = word("chart_title", lang, wording=ind.wording or ind.id)
    return Chart(
        width=plot_right + _PAD + (_TARGET_ROOM if lines else 0.0),
        height=_CHART_HEIGHT,
        baseline=_BASELINE,
        plot_left=plot_left,
        plot_right=plot_right,
        bars=tuple(bars),
        targets=lines,
        band=band,
        title=title,
        show_values=slot >= 20,
        label_y=_LABEL_Y,
    )


def _short(label: str, count: int, lang: Lang) -> str:
    """A period's name under its bar: `T2`, `mai`, or the full label for a single period."""
    return period_label(label, lang, short=count > 1)


__all__ = ["Chart", "chart", "render_html"]
