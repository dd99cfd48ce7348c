"""A minus before a number, in the four places that take a signed number.

A reference value (`= -5`), a value per year (`[2022: -5]`), a declared baseline (`par rapport
à 2019 = -412`) and a share-of-units threshold (`ayant au moins -4`) read `-N` as one number:
its value negated, its span from the minus, and its unit (%, jours, jours ouvrables) kept, so
that the checker sees `-4 jours` as a number of days (C224 on a share threshold).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicateurs import PlanError, analyse, load_plan
from indicateurs import model as m
from indicateurs.format import format_plan

HEAD = """\
période 2022-2024
événement action « Action »
  quartier : centre | gare
"""
# Each construct with `{n}` where its signed number stands; its number from the analysed plan.
CONSTRUCTS = {
    "refvalue": "valeur de référence a = {n}",
    "by_year": "valeur de référence a = [2022: {n} · 2023: 3]",
    "baseline": "indicateur x « X »\n  nombre(action) en baisse par rapport à 2019 = {n} par an",
    "share": "indicateur x « X »\n  part(action.quartier ayant au moins {n}) >= 80 %",
}


def _number(plan: m.Plan, construct: str) -> m.Number:
    if construct in ("refvalue", "by_year"):
        value = plan.values["a"].value
        if isinstance(value, m.ByYear):
            return value.items[0].value
        assert isinstance(value, m.Number)
        return value
    expr = plan.indicator("x").expr
    if construct == "baseline":
        assert isinstance(expr, m.Trend) and expr.baseline is not None
        assert expr.baseline.declared is not None
        return expr.baseline.declared
    assert isinstance(expr, m.Compare) and isinstance(expr.left, m.UnitShare)
    return expr.left.threshold


def read(construct: str, written: str) -> tuple[m.Number, list[str], tuple[int, int, int]]:
    """The number written in the construct, the plan's diagnostic codes, and where `written`
    stands in the plan's last line (line, first column, end column, 1-based)."""
    text = HEAD + CONSTRUCTS[construct].format(n=written) + "\n"
    plan, diagnostics = analyse(text, "essai.plan")
    start = CONSTRUCTS[construct].splitlines()[-1].index("{n}") + 1
    line = len(text.splitlines())
    return _number(plan, construct), [d.code for d in diagnostics], (line, start, start + len(written))


def where(number: m.Number) -> tuple[int, int, int]:
    assert number.span.line == number.span.end_line
    return number.span.line, number.span.column, number.span.end_column


# (written, value, percent, days): what the parser gave for each before the four copies of
# « minus a number » became one builder; the days were lost then (None), they are kept now.
SIGNED = [
    ("-5", -5.0, False, None),
    ("- 5", -5.0, False, None),
    ("-2,5", -2.5, False, None),
    ("-7.5", -7.5, False, None),
    ("-1 000", -1000.0, False, None),
    ("- 1 000,5", -1000.5, False, None),
    ("-5 %", -5.0, True, None),
    ("-4 jours", -4.0, False, "days"),
    ("-4 jours ouvrables", -4.0, False, "working_days"),
    ("-4 working days", -4.0, False, "working_days"),
]


@pytest.mark.parametrize("construct", sorted(CONSTRUCTS))
@pytest.mark.parametrize(("written", "value", "percent", "days"), SIGNED)
def test_each_construct_reads_a_negative_number(
    construct: str, written: str, value: float, percent: bool, days: str | None
) -> None:
    number, codes, written_at = read(construct, written)
    assert (number.value, number.percent, number.days) == (value, percent, days)
    assert where(number) == written_at  # from the minus to the end of the unit
    threshold_with_unit = construct == "share" and (percent or days is not None)
    assert codes == (["C224"] if threshold_with_unit else [])


def test_a_negative_count_of_days_as_a_unit_threshold_is_reported_with_its_unit() -> None:
    text = HEAD + "indicateur x « X »\n  part(action.quartier ayant au moins -4 jours) >= 80 %\n"
    with pytest.raises(PlanError) as caught:
        load_plan(text, name="essai.plan")
    [error] = caught.value.errors
    assert error.code == "C224"
    # The caret covers « -4 jours »: columns 39 to 46 of « part(… ayant au moins -4 jours) ».
    assert (error.span.line, error.span.column, error.span.end_column) == (5, 39, 47)
    assert text.splitlines()[4][38:46] == "-4 jours"


def test_the_english_keywords_keep_the_unit_too() -> None:
    text = HEAD.replace("période", "period").replace("événement", "event") + (
        "indicator x « X »\n  share(action.quartier having at least -2 working days) >= 80%\n"
    )
    plan, diagnostics = analyse(text, "essai.plan")
    assert [d.code for d in diagnostics] == ["C224"]
    threshold = _number(plan, "share")
    assert (threshold.value, threshold.days) == (-2.0, "working_days")


def test_the_formatter_writes_the_unit_of_a_negative_number_back() -> None:
    text = (
        HEAD
        + "valeur de référence a = [2022: -5 % · 2023: - 3 jours]\n"
        + "indicateur x « X »\n  nombre(action) en baisse par rapport à 2019 = -3 jours ouvrables par an\n"
    )
    english = format_plan(text, lang="en")
    assert "[2022: -5 % · 2023: -3 days]" in english
    assert "down vs 2019 = -3 working days per year" in english
    assert load_plan(english) == load_plan(text)


def test_a_minus_in_an_expression_is_read_as_before() -> None:
    """The other minus (`unary`): a number folds into a negative number (its days kept now),
    a percentage or anything else stays a negation."""
    head = HEAD + "indicateur x « X »\n  "
    plan, _ = analyse(head + "nombre(action) >= -4 %\n", "essai.plan")
    expr = plan.indicator("x").expr
    assert isinstance(expr, m.Compare)
    assert expr.right == m.Negative(m.Number(4.0, True))
    plan, _ = analyse(head + "-nombre(action) <= -2\n", "essai.plan")
    assert plan.indicator("x").expr == m.Compare(
        m.Comparator.LE, m.Negative(m.Aggregate(m.AggregateFn.COUNT, "action", None, None)), m.Number(-2.0)
    )
    # A number of days kept: compared with no duration field, it is reported (C216) as written.
    _, diagnostics = analyse(head + "nombre(action) >= -4 jours\n", "essai.plan")
    c216 = [d for d in diagnostics if d.code == "C216"]
    assert [d.args["number"] for d in c216] == ["-4 jours"]


MAGNITUDES = st.one_of(
    st.integers(0, 999).map(str),
    st.tuples(st.integers(0, 99), st.integers(0, 99)).map(lambda p: f"{p[0]},{p[1]:02d}"),
    st.tuples(st.integers(1, 999), st.integers(0, 999)).map(lambda p: f"{p[0]} {p[1]:03d}"),
)
UNITS = st.sampled_from(["", " %", " jours", " jours ouvrables", " days", " working days"])


@given(st.sampled_from(sorted(CONSTRUCTS)), MAGNITUDES, UNITS, st.sampled_from(["-", "- "]))
def test_a_minus_negates_the_number_and_keeps_the_rest(
    construct: str, magnitude: str, unit: str, minus: str
) -> None:
    positive, positive_codes, positive_at = read(construct, magnitude + unit)
    negative, negative_codes, negative_at = read(construct, minus + magnitude + unit)
    assert negative.value == -positive.value
    assert (negative.percent, negative.days) == (positive.percent, positive.days)
    assert (where(positive), where(negative)) == (positive_at, negative_at)
    assert negative_codes == positive_codes
