"""Fuzzing the front door: whatever the text, `load_plan` returns a Plan or raises PlanError.

Three sources of input: plans generated from the grammar itself (hypothesis.extra.lark), the
shipped plans with random characters deleted, duplicated or inserted, and pathological nesting.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from indicateurs import PlanError, load_plan
from indicateurs.keywords import is_reserved
from indicateurs.parse import grammar_text, parser

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def load_or_plan_error(text: str) -> PlanError | None:
    """Load `text` as plan text; a PlanError is returned, anything else raised fails the test."""
    if "\n" not in text:
        text += "\n"  # a one-line string may be taken for a path
    try:
        load_plan(text, name="fuzz.plan")
    except PlanError as error:
        assert error.errors
        lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        for diag in error.errors:
            assert 1 <= diag.line <= lines, diag
            assert diag.column >= 1, diag
            assert diag.text("fr") and diag.text("en")
        assert error.render("fr") and error.render("en")
        return error
    return None


# ---------------------------------------------------------------------------- from the grammar


def fuzz_grammar() -> Lark:
    """The project's grammar with the project's options (the cached parser has no `.grammar`)."""
    options = parser().options
    return Lark(
        grammar_text(),
        parser=options.parser,
        lexer=options.lexer,
        propagate_positions=options.propagate_positions,
        maybe_placeholders=options.maybe_placeholders,
    )


def padded(values: list[str]) -> st.SearchStrategy[str]:
    """Tokens surrounded by spaces: from_lark would otherwise glue words together."""
    return st.sampled_from(values).map(lambda v: f" {v} ")


NAMES = [
    "formation", "participants", "catégorie", "colloque", "x", "a_1", "journée_étude", "d'activité",
    "secteur", "objectif", "stratégique", "pôle", "résultat", "attendu", "programme", "outcome",
    "texte", "entier", "décimal", "date", "booléen", "integer", "boolean", "an", "mois", "year",
    "quarter", "semestre", "ouverture", "partenaire", "notes", "etage", "Écoute", "ÉLUS",
]  # fmt: skip
assert not any(is_reserved(name) for name in NAMES)


def explicit_strategies(grammar: Lark, start: str = "start") -> dict[str, st.SearchStrategy[str]]:
    """A strategy for every terminal reachable from `start`."""
    terminals, rules, ignored = grammar.grammar.compile([start], ())
    used = {t.name for t in terminals} | set(ignored)
    used |= {s.name for rule in rules for s in rule.expansion if s.is_term}
    explicit: dict[str, st.SearchStrategy[str]] = {
        "NAME": padded(NAMES),
        "STRING": padded(["« Libellé »", '"Label"', "“Curly”", "« a « b » c »", "«»", "« élus »"]),
        "NUMBER": padded(["0", "1", "3", "10", "2023", "2026", "7,5", "2.5", "80"]),
        "SECNUM": padded(["1", "1.1", "1.2.3", "2.", "1.1.1.1"]),
        "DATE": padded(["2023-06-30", "30/06/2023", "31/02/2023", "2024-01-01", "1/1/2023"]),
        "_NL": st.sampled_from(["\n", "\r\n", "\n\n"]),
        "WS": st.sampled_from([" ", "\t", "\u00a0", "\u202f"]),
        # An ignored comment may be drawn between any two tokens, which would comment out the
        # rest of the line: here it is a space; comments are covered by the mutation fuzzer.
        "COMMENT": st.just(" "),
    }
    for terminal in terminals:
        value = terminal.pattern.value
        if terminal.pattern.type == "str" and value[:1].isalpha():
            explicit[terminal.name] = padded([value, value.upper(), value.capitalize()])
        elif terminal.pattern.type == "re" and terminal.name not in explicit:
            # Keywords of several words (« en baisse », « au moins »): spaced like the others.
            words = st.from_regex(terminal.pattern.to_regexp(), fullmatch=True)
            explicit[terminal.name] = words.filter(lambda v: v.strip() == v and "\n" not in v).map(
                lambda v: f" {v} "
            )
    return {name: strategy for name, strategy in explicit.items() if name in used}


GRAMMAR = fuzz_grammar()
PLANS_FROM_GRAMMAR = from_lark(GRAMMAR, explicit=explicit_strategies(GRAMMAR))


def from_rule(rule: str) -> st.SearchStrategy[str]:
    return from_lark(GRAMMAR, start=rule, explicit=explicit_strategies(GRAMMAR, rule))


def _composite(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One operator of the expression grammar over generated operands, always parenthesised."""

    def infix(*operators: str) -> st.SearchStrategy[str]:
        return st.tuples(children, st.sampled_from(operators), children).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})"
        )

    return st.one_of(
        infix(" >= ", " <= ", " > ", " < ", " = ", " != ", " ≥ ", " ≠ ", " <> "),
        infix(" + ", " - ", " * ", " × ", " / "),
        infix(" et ", " ou ", " and ", " or ", " ET ", " Or "),
        st.tuples(children, st.sampled_from([" entre ", " between "]), children, children).map(
            lambda t: f"({t[0]}{t[1]}{t[2]} {'et' if 'entre' in t[1] else 'and'} {t[3]})"
        ),
        st.tuples(st.sampled_from(["non ", "pas ", "not ", "NON "]), children).map(
            lambda t: f"({t[0]}{t[1]})"
        ),
        children.map(lambda c: f"-{c}"),
    )


# Expression lines: the top layers of the expression grammar branch so much that from_lark
# draws ever larger trees (and takes minutes); they are composed here, operator by operator, over
# aggregates, periods and deadlines drawn by from_lark from the project's own rules.
EXPRESSION_LEAVES = st.one_of(
    from_rule("aggregate"),
    from_rule("number"),
    from_rule("boolean"),
    padded(NAMES),
)
EXPRESSIONS_FROM_GRAMMAR = st.tuples(
    st.recursive(EXPRESSION_LEAVES, _composite, max_leaves=10),
    st.one_of(st.just(""), from_rule("period")),
    st.one_of(st.just(""), from_rule("deadline")),
).map("".join)
# A grammar-generated file always parses; these are value checks made while parsing.
VALUE_CODES = {"S016", "S017", "S027"}


@FUZZ_SETTINGS
@given(PLANS_FROM_GRAMMAR)
def test_plans_generated_from_the_grammar(text: str) -> None:
    error = load_or_plan_error(text)
    if error is not None:
        syntax = {d.code for d in error.errors if d.code.startswith("S")}
        assert syntax <= VALUE_CODES, error.render("fr")


@FUZZ_SETTINGS
@given(PLANS_FROM_GRAMMAR)
def test_grammar_generated_plans_with_a_header(text: str) -> None:
    """With a period and a few event types, generated lines reach the semantic checks."""
    head = "période 2023\névénement formation « F »\n  participants : entier\n  catégorie : colloque | x\n"
    load_or_plan_error(head + text)


@FUZZ_SETTINGS
@given(EXPRESSIONS_FROM_GRAMMAR, st.booleans())
def test_expression_lines_generated_from_the_grammar(line: str, monitored: bool) -> None:
    """Generated expressions under an indicator: they reach the type and value checks."""
    head = (
        "période 2023\névénement formation « F »\n  participants : entier\n  catégorie : colloque | x\n"
        "indicateur x « X »\n  suivi nombre(formation)\nindicateur y « Y »\n"
    )
    error = load_or_plan_error(head + ("  suivi " if monitored else "  ") + line + "\n")
    if error is not None:
        syntax = {d.code for d in error.errors if d.code.startswith("S")}
        assert syntax <= VALUE_CODES, error.render("fr")


@FUZZ_SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text(text: str) -> None:
    load_or_plan_error(text)


# ---------------------------------------------------------------------------- mutations of real plans

PLANS = sorted((Path(__file__).resolve().parents[1] / "plans").glob("*.plan"))
INSERTIONS = [
    "«", "»", '"', "“", "”", "(", ")", "[", "]", ",", ";", ":", ".", "%", "/", ">", "<", "=", "!",
    "#", "\n", "\r", "\t", "\u00a0", "\ufeff", "\x00", "\u2028", "é", "0", "7", "a", "Z", "_", "'",
    " et ", " ou ", " non ", "où", " par an", " per ", "nombre(", "count(", ">/=", "/an", " entre ",
    "indicateur ", "événement ", "suivi ", "2023-02-31", "«x", "\n  x : texte\n", "\n)\n",
]  # fmt: skip


def mutate(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        position = rng.randrange(len(chars) + 1)
        operation = rng.choice(("delete", "duplicate", "insert", "insert", "swap"))
        if operation == "delete" and chars:
            del chars[min(position, len(chars) - 1) : min(position, len(chars) - 1) + rng.randint(1, 8)]
        elif operation == "duplicate" and chars:
            start = min(position, len(chars) - 1)
            chars[start:start] = chars[start : start + rng.randint(1, 20)]
        elif operation == "swap" and len(chars) > 1:
            i = min(position, len(chars) - 2)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[position:position] = list(rng.choice(INSERTIONS))
    return "".join(chars)


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_mutated_plans(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rng = random.Random(f"mutations of {path.name}")
    errors = 0
    for round_ in range(200):
        mutant = mutate(text, rng, edits=1 + round_ % 5)
        errors += load_or_plan_error(mutant) is not None
    assert errors > 80  # the mutations do break plans: the test exercises the error paths


@FUZZ_SETTINGS
@given(st.data())
def test_mutated_plans_hypothesis(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(PLANS))
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        column = data.draw(st.integers(0, len(line)))
        operation = data.draw(st.sampled_from(["delete", "insert", "duplicate_line", "drop_line"]))
        if operation == "delete":
            lines[i] = line[:column] + line[column + data.draw(st.integers(1, 5)) :]
        elif operation == "insert":
            lines[i] = line[:column] + data.draw(st.sampled_from(INSERTIONS)) + line[column:]
        elif operation == "duplicate_line":
            lines.insert(i, line)
        else:
            del lines[i]
    load_or_plan_error("\n".join(lines))


# ---------------------------------------------------------------------------- deep nesting

HEAD = "période 2023\névénement f « F »\n  n : entier\n  b : booléen\nindicateur a « A »\n"


def nesting_error(line: str) -> tuple[int, int]:
    """Load HEAD + line; it must fail with C128 (too deep), positioned on that line."""
    error = load_or_plan_error(HEAD + line + "\n")
    assert error is not None, "a deeply nested expression was accepted"
    codes = [d.code for d in error.errors]
    assert codes == ["C128"], error.render("fr")[:2000]
    (diag,) = error.errors
    assert diag.line == 6
    assert "expression trop imbriquée" in diag.text("fr")
    assert diag.text("en") == "expression nested too deeply (more than 64 levels)"
    return diag.line, diag.column


@pytest.mark.parametrize(
    ("line", "column"),
    [
        # 2000 « non »: the 65th starts at column 2 + 64 × 4 + 1.
        ("  " + "non " * 2000 + "existe(f)", 259),
        ("  " + "not " * 2000 + "exists(f)", 259),
        ("  " + "(non " * 1000 + "existe(f)" + ")" * 1000, 324),
        ("  " + "(existe(f) et " * 1000 + "existe(f)" + ")" * 1000, None),
        ("  nombre(f où " + "non " * 2000 + "b) >= 1", None),
        ("  nombre(f où " + "(b et " * 1000 + "b" + ")" * 1000 + ") >= 1", None),
        ("  " + "-" * 3000 + "nombre(f) <= 1", None),
        ("  " + " + ".join(["nombre(f)"] * 2000) + " >= 1", None),
        ("  " + " et ".join(["existe(f)"] * 2000), None),
    ],
    ids=["2000-non", "2000-not", "1000-parenthesised-non", "1000-nested-and", "2000-non-in-condition",
         "1000-nested-conditions", "3000-minus", "2000-terms", "2000-conjuncts"],
)  # fmt: skip
def test_deep_nesting_is_a_positioned_error_not_a_recursion_error(line: str, column: int | None) -> None:
    _, found = nesting_error(line)
    if column is not None:
        assert found == column
    assert 3 <= found <= len(line)


def test_redundant_parentheses_are_not_nesting() -> None:
    """1000 parentheses around one comparison change nothing: the plan loads."""
    deep = load_plan(HEAD + "  " + "(" * 1000 + "nombre(f) >= 1" + ")" * 1000 + "\n")
    flat = load_plan(HEAD + "  nombre(f) >= 1\n")
    assert deep == flat
    deep_condition = load_plan(HEAD + "  nombre(f où " + "(" * 1000 + "n > 1" + ")" * 1000 + ") >= 1\n")
    assert deep_condition == load_plan(HEAD + "  nombre(f où n > 1) >= 1\n")


def test_nesting_below_the_limit_loads() -> None:
    plan = load_plan(HEAD + "  " + "non " * 60 + "existe(f)\n")
    depth, expr = 0, plan.indicators[0].expr
    while expr is not None and hasattr(expr, "operand"):
        depth, expr = depth + 1, expr.operand
    assert depth == 60


def test_a_huge_file_of_errors_stays_fast_and_complete() -> None:
    text = HEAD + "".join(f"indicateur i{k} « I »\n  nombre(formaton{k}) >= 1\n" for k in range(400))
    error = load_or_plan_error(text)
    assert error is not None
    assert len(error.errors) == 400
    assert all(d.code == "C101" for d in error.errors)
    assert [d.line for d in error.errors] == list(range(7, 7 + 800, 2))


def test_a_one_line_plan_of_a_megabyte() -> None:
    text = HEAD + "  " + "existe(f) ou " * 500 + "existe(f)" + " " * 1_000_000 + "# fin\n"
    error = load_or_plan_error(text)
    assert error is not None and [d.code for d in error.errors] == ["C128"]
    assert load_plan(HEAD + "  existe(f)" + " " * 1_000_000 + "\n").indicators[0].id == "a"
