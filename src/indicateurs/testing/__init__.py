"""Test helpers shipped with the library: Hypothesis strategies for plans that compile, and for
event streams built from a plan (random, meeting or missing an indicator, around its threshold)."""

from __future__ import annotations

from .events import (
    Threshold,
    ThresholdCase,
    UnsatisfiableError,
    around_threshold,
    buildable_indicators,
    evaluation_window,
    events_for,
    field_values,
    matching_event,
    meeting,
    missing,
)
from .plan_strategies import (
    EXPRESSION_CONTEXT,
    compile_plan,
    conditions,
    expressions,
    identifiers,
    labels,
    plan_with_expression,
    plans,
)

__all__ = [
    "EXPRESSION_CONTEXT",
    "Threshold",
    "ThresholdCase",
    "UnsatisfiableError",
    "around_threshold",
    "buildable_indicators",
    "compile_plan",
    "conditions",
    "evaluation_window",
    "events_for",
    "expressions",
    "field_values",
    "identifiers",
    "labels",
    "matching_event",
    "meeting",
    "missing",
    "plan_with_expression",
    "plans",
]
