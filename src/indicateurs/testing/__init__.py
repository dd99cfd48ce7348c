"""Test helpers shipped with the library: Hypothesis strategies for plans that compile."""

from __future__ import annotations

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
    "compile_plan",
    "conditions",
    "expressions",
    "identifiers",
    "labels",
    "plan_with_expression",
    "plans",
]
