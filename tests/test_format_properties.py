"""Properties of the formatter on generated plans and on every plan shipped in plans/.

Formatting must keep the meaning (`load_plan(format(t)) == load_plan(t)`), be idempotent,
translate keywords both ways without loss, keep every comment, and never fall back to an
author's spelling on a plan whose identifiers are ordinary.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicateurs import load_plan
from indicateurs.format import format_plan, format_source, split_comment
from indicateurs.i18n import LANGUAGES, Lang
from indicateurs.loader import read_plan_text
from indicateurs.parse import normalise_text
from indicateurs.testing import (
    compile_plan,
    conditions,
    expressions,
    plan_with_expression,
    plans,
)

PLANS = sorted((Path(__file__).resolve().parents[1] / "plans").glob("*.plan"))

# Generated plans run to a hundred lines: enough examples to find slips, few enough to keep the
# file under ten seconds; no per-example deadline on a busy CI machine.
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _comments(text: str) -> list[str]:
    found = []
    for line in normalise_text(text).split("\n"):
        _, comment = split_comment(line)
        if comment is not None and comment.strip():
            found.append(comment.rstrip(" \t\f\u00a0\u2007\u202f\ufeff"))
    return found


@PROPERTY
@given(plans())
def test_generated_plans_compile(text: str) -> None:
    compile_plan(text)  # a PlanError here is a bug of the strategy


@PROPERTY
@given(plans())
def test_format_keeps_meaning_and_is_idempotent(text: str) -> None:
    plan = compile_plan(text)
    result = format_source(text)
    assert result.kept_lines == ()
    assert load_plan(result.text) == plan
    assert format_plan(result.text) == result.text
    assert _comments(result.text) == _comments(text)


@PROPERTY
@given(plans(), st.sampled_from(LANGUAGES))
def test_language_round_trip(text: str, first: Lang) -> None:
    plan = compile_plan(text)
    second: Lang = "en" if first == "fr" else "fr"
    result = format_source(text, lang=first)
    translated = result.text
    back = format_plan(translated, lang=second)
    assert result.kept_lines == ()
    assert load_plan(translated) == plan
    assert load_plan(back) == plan
    assert format_plan(back, lang=first) == translated
    assert format_plan(translated) == translated  # the dominant language is the one written


@settings(PROPERTY, max_examples=60)
@given(plans(language="en"))
def test_english_plans_stay_english(text: str) -> None:
    assert format_source(text).lang == "en"


@settings(PROPERTY, max_examples=60)
@given(plans(language="fr"))
def test_french_plans_stay_french(text: str) -> None:
    assert format_source(text).lang == "fr"


@PROPERTY
@given(expressions(), st.sampled_from(LANGUAGES))
def test_expression_lines(expression: str, lang: Lang) -> None:
    text = plan_with_expression(expression)
    plan = compile_plan(text)
    result = format_source(text, lang=lang)
    assert result.kept_lines == ()
    assert load_plan(result.text) == plan
    assert format_plan(result.text, lang=lang) == result.text


@PROPERTY
@given(expressions("bool"), conditions())
def test_conditions_inside_aggregates(expression: str, condition: str) -> None:
    text = plan_with_expression(f"{expression} et existe(signalement où {condition})")
    plan = compile_plan(text)
    for lang in LANGUAGES:
        result = format_source(text, lang=lang)
        assert result.kept_lines == ()
        assert load_plan(result.text) == plan


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_shipped_plans(path: Path) -> None:
    text = read_plan_text(path)
    plan = load_plan(text)
    result = format_source(text)
    assert result.kept_lines == ()
    assert load_plan(result.text) == plan
    assert format_plan(result.text) == result.text
    assert _comments(result.text) == _comments(text)
    other: Lang = "en" if result.lang == "fr" else "fr"
    translated = format_plan(text, lang=other)
    assert load_plan(translated) == plan
    assert format_plan(translated, lang=result.lang) == result.text
