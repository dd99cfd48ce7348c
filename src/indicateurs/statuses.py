"""Stated statuses: `cible à définir` and milestones (`jalon réalisé le …`, `jalon en attente`).

An indicator of a plan is not always measured from events: its target may still be to be set,
or it may be a milestone whose status the officer states in the plan itself. The assembler
builds such indicators here (`stated_indicator`), and the evaluator asks `milestone_result` for
the verdict of a milestone on the evaluation date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import attrs

from . import model as m
from . import statements as st
from . import trends
from .parse import parse_plan_date
from .results import Evidence, IndicatorResult, MilestoneInfo, Status
from .spans import Span


class _Reporter(Protocol):
    def error(self, code: str, span: Span, *args: Any, **kwargs: Any) -> None: ...


def stated_indicator(
    reporter: _Reporter,
    decl: st.IndicatorDecl,
    status: st.ToDefineLine | st.MilestoneLine,
    line: st.ExpressionLine | None,
) -> m.Indicator:
    """The indicator of a `cible à définir` or `jalon …` line (which replaces the expression)."""
    if line is not None:
        first, second = sorted([status.span, line.span], key=lambda span: span.line)
        reporter.error("C204", second, name=decl.name, first=first.line)
    if isinstance(status, st.ToDefineLine):
        return m.Indicator(
            decl.name, decl.wording, None, m.IndicatorKind.UNDEFINED, span=decl.span, to_define=True
        )
    done = _date(reporter, status.date, status.date_span or status.span)
    due = _date(reporter, status.due, status.due_span or status.span)
    if status.date is not None and status.state is not m.MilestoneState.DONE:
        reporter.error("C205", status.date_span or status.span, date=status.date)
    milestone = m.Milestone(status.state, done, due)
    return m.Indicator(
        decl.name, decl.wording, None, m.IndicatorKind.MILESTONE, span=decl.span, milestone=milestone
    )


def _date(reporter: _Reporter, text: str | None, span: Span) -> dt.date | None:
    if text is None:
        return None
    date = parse_plan_date(text)
    if date is None:
        reporter.error("S017", span, date=text)
    return date


# ---------------------------------------------------------------------------- verdicts


@attrs.frozen
class MilestoneVerdict:
    """What a milestone's stated status means on the evaluation date."""

    status: str  # a results.Status value
    reason: str  # a short phrase, French (translated by the renderers)


# The reasons, French first, English second (the renderers translate them).
REASONS: dict[str, str] = {
    **trends.REASONS,  # a trend's periods without a verdict
    "aucune mesure sur la période": "no measurement in the period",
    "période partielle": "partial period",
    "jalon réalisé": "milestone achieved",
    "jalon réalisé après l'échéance": "milestone achieved after its due date",
    "jalon en cours": "milestone in progress",
    "jalon en attente": "milestone pending",
    "jalon abandonné": "milestone dropped",
    "échéance du jalon dépassée": "milestone past its due date",
    "réalisation annoncée après la date d'évaluation": "achievement stated after the evaluation date",
}


def milestone_verdict(milestone: m.Milestone, as_of: dt.date) -> MilestoneVerdict:
    """The status of a milestone on `as_of`.

    `réalisé` is met, unless it was reached after its due date (not met) or on a day after the
    evaluation date (not reached yet: in progress, or not met once the due date has passed).
    `en cours` and `en attente` are in progress until the due date, not met after it.
    `abandonné` is not met.
    """
    state, done, due = milestone.state, milestone.date, milestone.due
    overdue = due is not None and due < as_of
    if state is m.MilestoneState.DROPPED:
        return MilestoneVerdict("non_atteint", "jalon abandonné")
    if state is m.MilestoneState.DONE:
        if done is None or done <= as_of:
            if done is not None and due is not None and done > due:
                return MilestoneVerdict("non_atteint", "jalon réalisé après l'échéance")
            return MilestoneVerdict("atteint", "jalon réalisé")
        if overdue:
            return MilestoneVerdict("non_atteint", "échéance du jalon dépassée")
        return MilestoneVerdict("en_cours", "réalisation annoncée après la date d'évaluation")
    if overdue:
        return MilestoneVerdict("non_atteint", "échéance du jalon dépassée")
    if state is m.MilestoneState.ONGOING:
        return MilestoneVerdict("en_cours", "jalon en cours")
    return MilestoneVerdict("en_cours", "jalon en attente")


def milestone_target(milestone: m.Milestone, lang: str = "fr") -> str:
    """The target of a milestone as an officer says it: `réalisé avant le 30/06/2024`."""
    fr = lang == "fr"
    text = "réalisé" if fr else "achieved"
    if milestone.due is not None:
        due = milestone.due.strftime("%d/%m/%Y" if fr else "%Y-%m-%d")
        text += (" avant le " if fr else " by ") + due
    return text


def milestone_result(ind: m.Indicator, as_of: dt.date, common: dict[str, Any]) -> IndicatorResult:
    """The result of a milestone indicator: its verdict on `as_of`, no period, no evidence."""
    milestone = ind.milestone
    assert milestone is not None
    verdict = milestone_verdict(milestone, as_of)
    info = MilestoneInfo(milestone.state.value, milestone.date, milestone.due)
    fields = {**common, "target": milestone_target(milestone)}
    return IndicatorResult(
        status=Status(verdict.status),
        periods=(),
        evidence=Evidence(0),
        reason=verdict.reason,
        milestone=info,
        **fields,
    )
