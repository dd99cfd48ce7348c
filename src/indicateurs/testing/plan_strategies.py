"""Hypothesis strategies for plan texts that compile: property tests need valid plans, not noise.

Plans are built constructively, never filtered: every identifier is fresh and not a keyword,
every node number extends its numbered ancestor's, every aggregate names a declared event type
and a field of the right kind, every condition compares a field with a literal of its type,
every threshold lies strictly inside the range the checker computes for the other side (so no
target is impossible), every reference points to an earlier indicator of the right type, and
no period is finer than the plan's granularity.

The text is deliberately untidy: keywords in French, English or both (with their accepted
variants and random case), random indentation and spacing, redundant parentheses, decimal
commas and points, dates in both notations, comments (with `#` and quotes inside labels) and
runs of blank lines. That is what a formatter has to cope with.

Structural choices (how many nodes, which expression form) are Hypothesis draws, so failures
shrink to small plans; cosmetic ones (spacing, spelling variants, label text, comments) come
from one seeded `random.Random`, which makes a plan five times cheaper to draw.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import string
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Literal, TypeVar

import attrs
from hypothesis import strategies as st

from .. import check
from ..assemble import DEFAULT_LEVELS
from ..keywords import RESERVED, fold
from ..loader import load_plan
from ..model import Plan
from ..parse import PERIOD_WORDS
from ..statements import FIELD_KINDS

Flavour = Literal["fr", "en", "mixed"]
_FLAVOURS: tuple[Flavour, ...] = ("fr", "fr", "en", "mixed")
T = TypeVar("T")

__all__ = [
    "EXPRESSION_CONTEXT",
    "Flavour",
    "compile_plan",
    "conditions",
    "expressions",
    "identifiers",
    "labels",
    "plan_with_expression",
    "plans",
]

# ---------------------------------------------------------------------------- spellings

# Concept → (French spellings, English spellings): every variant the grammar accepts.
_SPELLINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "plan": (("plan",), ("plan",)),
    "commune": (("commune",), ("municipality",)),
    "period": (("période", "periode"), ("period",)),
    "range": (("à", "-", ".."), ("to", "-", "..")),
    "legal_basis": (("base légale", "base legale"), ("legal basis",)),
    "meta": (("méta",), ("meta",)),
    "levels": (("niveaux",), ("levels",)),
    "granularity": (("granularité", "granularite"), ("granularity",)),
    "event": (("événement", "evenement"), ("event",)),
    "optional": (("optionnel",), ("optional",)),
    "indicator": (("indicateur",), ("indicator",)),
    "note": (("note",), ("note",)),
    "unit": (("unité", "unite"), ("unit",)),
    "monitor": (("suivi",), ("monitor",)),
    "per": (("par",), ("per",)),
    "by": (("avant le", "avant"), ("by",)),
    "and": (("et",), ("and",)),
    "or": (("ou",), ("or",)),
    "not": (("non", "pas"), ("not",)),
    "in": (("dans",), ("in",)),
    "between": (("entre",), ("between",)),
    "where": (("où",), ("where",)),
    "true": (("vrai", "oui"), ("true", "yes")),
    "false": (("faux",), ("false", "no")),
    "count": (("nombre",), ("count",)),
    "distinct": (("distinct", "distincts"), ("distinct",)),
    "sum": (("somme",), ("sum",)),
    "avg": (("moyenne",), ("avg", "average")),
    "min": (("min",), ("min",)),
    "max": (("max",), ("max",)),
    "exists": (("existe",), ("exists",)),
    "share": (("part",), ("share",)),
    "year": (("an", "année", "annee"), ("year",)),
    "semester": (("semestre",), ("semester",)),
    "quarter": (("trimestre",), ("quarter",)),
    "month": (("mois",), ("month",)),
    "text": (("texte",), ("text",)),
    "integer": (("entier",), ("integer",)),
    "decimal": (("décimal",), ("decimal",)),
    "date": (("date",), ("date",)),
    "boolean": (("booléen", "booleen"), ("boolean",)),
    # beyond counting
    "down": (("en baisse",), ("down",)),
    "up": (("en hausse",), ("up",)),
    "stable": (("stable à",), ("stable within",)),
    "vs": (("par rapport à",), ("vs",)),
    "average": (("la moyenne",), ("average",)),
    "of": (("de",), ("",)),
    "having": (("ayant",), ("having",)),
    "at_least": (("au moins",), ("at least",)),
    "at_most": (("au plus",), ("at most",)),
    "latest": (("dernier", "dernière"), ("latest",)),
    "days": (("jours",), ("days",)),
    "working_days": (("jours ouvrables",), ("working days",)),
    "school_year": (("année scolaire",), ("school year",)),
    "fiscal_year": (("exercice",), ("fiscal year",)),
    "cumulative": (("cumulé",), ("cumulative",)),
    "refvalue": (("valeur de référence",), ("reference value",)),
    "measure": (("valeur mesurée",), ("measured value",)),
    "duration": (("durée",), ("duration",)),
    "from": (("de",), ("from",)),
    "until": (("à",), ("to",)),
    "in_unit": (("en",), ("in",)),
}
_COMPARATOR_SPELLINGS = {
    ">=": (">=", "≥"),
    "<=": ("<=", "≤"),
    "!=": ("!=", "≠", "<>"),
    ">": (">",),
    "<": ("<",),
    "=": ("=",),
}
_MONTHS = {"month": 1, "quarter": 3, "semester": 6, "year": 12}

# Words no generated identifier may take: keywords, period and type words, row keys.
_FORBIDDEN = frozenset(
    fold(w)
    for w in (
        *RESERVED,
        *PERIOD_WORDS,
        *FIELD_KINDS,
        *getattr(check, "RESERVED_FIELD_NAMES", ()),
        "le",
        "à",
        "to",
        "non",
        "pas",
        "oui",
        "no",
        "yes",
    )
)

_SYLLABLES = (
    "ba", "bé", "ca", "ço", "de", "dé", "fa", "fi", "ga", "ja", "lu", "lé", "ma", "mi", "mo",
    "na", "nu", "pa", "po", "ra", "ré", "ri", "sa", "so", "ta", "tè", "vi", "vo", "za", "zu",
    "ar", "ol", "ic", "eu", "ou", "ai", "ân", "ür",
)  # fmt: skip
_LEVEL_WORDS = (
    "axe", "volet", "mesure", "action", "programme", "chantier", "priorité", "cible", "terrain",
    "local", "général", "stratégique", "opérationnel", "sous", "projet", "thème", "domaine",
    "d'action", "d’intervention", "de", "du", "zone",
)  # fmt: skip
_LABEL_CHARS = string.ascii_letters + string.digits + " éèàçôûœÉÀ'’,;:!?()-—/%#&@*+=<>[]{}."
_COMMENT_CHARS = _LABEL_CHARS + '«»"“”'


# ---------------------------------------------------------------------------- small pieces


def _rng(draw: st.DrawFn) -> random.Random:
    return random.Random(draw(st.integers(0, 2**32 - 1)))


def _pick_flavour(draw: st.DrawFn, flavour: Flavour | None) -> Flavour:
    return flavour if flavour is not None else draw(st.sampled_from(_FLAVOURS))


def _random_identifier(rng: random.Random) -> str:
    name = "".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4)))
    if rng.random() < 0.5:
        name += "_" + rng.choice(("a", "b", "x", "total", "été", "n"))
    if rng.random() < 0.2:
        name += str(rng.randint(0, 99))
    if rng.random() < 0.15:
        name = name.capitalize()
    while fold(name) in _FORBIDDEN:
        name += "x"
    return name


def _seeded(build: Callable[[random.Random], T]) -> st.SearchStrategy[T]:
    """A strategy for cosmetic values: one drawn seed, then plain `random` (cheap to draw)."""
    return st.integers(0, 2**32 - 1).map(lambda seed: build(random.Random(seed)))


def identifiers() -> st.SearchStrategy[str]:
    """A fresh-looking identifier (accents allowed) that is no keyword of either language."""
    return _seeded(_random_identifier)


def _guillemets_fit(content: str) -> bool:
    depth = 0
    for char in content:
        if char == "«":
            depth += 1
            if depth > 1:  # one level of inner guillemets, as the grammar allows
                return False
        elif char == "»":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _quote_styles(content: str) -> list[tuple[str, str]]:
    styles: list[tuple[str, str]] = []
    if _guillemets_fit(content):
        styles.append(("«", "»"))
    if '"' not in content:
        styles.append(('"', '"'))
    if "”" not in content:
        styles.append(("“", "”"))
    return styles


def _random_label_content(rng: random.Random) -> str:
    pieces: list[str] = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.randint(0, 9)
        if kind == 0:
            pieces.append(f"« {_random_text(rng, _LABEL_CHARS, 1, 10)} »")
        elif kind == 1:
            pieces.append(rng.choice(('"', "»", "“", "”", "#", "«x»")))
        else:
            pieces.append(_random_text(rng, _LABEL_CHARS, 1, 16))
    content = "".join(pieces)
    if not _quote_styles(content):
        content = content.replace("”", "")
    return content


def _random_text(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choices(alphabet, k=rng.randint(low, high)))


def _random_label(rng: random.Random) -> str:
    content = _random_label_content(rng)
    opening, closing = rng.choice(_quote_styles(content))
    pad = rng.choice(("", " ", " ", "\u00a0")) if opening == "«" else ""
    return f"{opening}{pad}{content}{pad}{closing}"


def labels() -> st.SearchStrategy[str]:
    """A quoted label: « », "..." or “...”, whichever fit its content (labels may hold `#`)."""
    return _seeded(_random_label)


def _plain_number(value: float) -> str:
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _random_date_text(rng: random.Random, date: dt.date) -> str:
    if rng.random() < 0.5:
        return date.isoformat()
    day = f"{date.day:02d}" if rng.random() < 0.5 else str(date.day)
    month = f"{date.month:02d}" if rng.random() < 0.5 else str(date.month)
    return f"{day}/{month}/{date.year}"


# ---------------------------------------------------------------------------- context


@attrs.define
class _Field:
    name: str
    kind: str  # text, integer, decimal, date, boolean, enum
    values: tuple[str, ...] = ()


@attrs.define
class _Event:
    name: str
    fields: list[_Field]


@attrs.frozen
class _Piece:
    """A piece of expression text with what the generator must know to combine it safely."""

    text: str
    prec: int  # 1 or, 2 and, 3 not, 4 comparison, 5 sum, 6 product, 7 unary, 8 atom
    lo: float = -math.inf
    hi: float = math.inf


_ANY = (-math.inf, math.inf)


@attrs.define
class _Context:
    """What has been declared so far, and how this plan spells its keywords."""

    draw: st.DrawFn
    flavour: Flavour
    rng: random.Random  # cosmetic choices only: spelling, spacing, comments
    events: list[_Event] = attrs.Factory(list)
    numeric_refs: list[str] = attrs.Factory(list)
    bool_refs: list[str] = attrs.Factory(list)
    granularity_months: int = 1
    period: tuple[dt.date, dt.date] = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    used_names: set[str] = attrs.Factory(set)
    node_numbers: set[tuple[str, str]] = attrs.Factory(set)
    budget: int = 10  # nodes and indicators still to generate
    # Declarations the constructs beyond counting use (empty: counting only).
    refvalues: list[str] = attrs.Factory(list)  # reference values, one number per year
    measures: list[tuple[str, bool]] = attrs.Factory(list)  # measured values, and whether in %
    durations: list[tuple[_Event, str, bool]] = attrs.Factory(list)  # event, duration field, working days
    fiscal: bool = False  # `exercice avril` declared
    beyond_chance: int = 0  # percent of expression lines with a construct beyond counting

    def kw(self, concept: str) -> str:
        fr, en = _SPELLINGS[concept]
        if self.flavour == "fr":
            choices = fr
        elif self.flavour == "en":
            choices = en
        else:
            choices = fr + en
        word = self.rng.choice(choices)
        case = self.rng.randint(0, 19)
        if case == 0:
            return word.upper()
        if case == 1:
            return word.capitalize()
        return word

    def name(self) -> str:
        name = _random_identifier(self.rng)
        while name.casefold() in self.used_names:
            name += "_" + str(len(self.used_names))
        self.used_names.add(name.casefold())
        return name

    def gap(self) -> str:
        """Optional white space, where the grammar needs none (around symbols)."""
        return self.rng.choice(("", " ", " ", " ", "  "))

    def sep(self) -> str:
        """Mandatory white space (between words)."""
        return self.rng.choice((" ", " ", " ", " ", "  ", "\t"))

    def one_of(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))

    def chance(self, percent: int) -> bool:
        """A structural choice, drawn so that Hypothesis can shrink it."""
        return self.draw(st.integers(0, 99)) < percent

    def maybe(self, percent: int) -> bool:
        """A cosmetic choice."""
        return self.rng.randint(0, 99) < percent

    def label(self) -> str:
        return _random_label(self.rng)

    # -- literals
    def number(self, value: float, percent: bool = False) -> str:
        text = _plain_number(value)
        if "." in text and self.maybe(50):
            text = text.replace(".", ",")
        if percent:
            text += self.rng.choice(("%", " %", " %"))
        return text

    def date(self, date: dt.date) -> str:
        return _random_date_text(self.rng, date)

    def comparator(self, op: str) -> str:
        return self.rng.choice(_COMPARATOR_SPELLINGS[op])

    def paren(self, piece: _Piece, tightest: int, *, allow_extra: bool = True) -> str:
        """The piece in parentheses when the grammar needs them, sometimes when it does not."""
        if piece.prec < tightest or (allow_extra and self.maybe(8)):
            return f"({self.gap()}{piece.text}{self.gap()})"
        return piece.text


# ---------------------------------------------------------------------------- intervals


def _arith_range(op: str, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The checker's interval arithmetic (check.py), so that thresholds stay reachable."""
    if op == "+":
        return (a[0] + b[0], a[1] + b[1])
    if op == "-":
        return (a[0] - b[1], a[1] - b[0])
    if op == "*" and a[0] >= 0 and b[0] >= 0:
        return (a[0] * b[0], a[1] * b[1])
    if op == "/" and a[0] >= 0 and b[0] >= 0:
        return (0.0, math.inf)
    return _ANY


def _verdict(op: str, a: tuple[float, float], b: tuple[float, float]) -> bool | None:
    if math.inf in (abs(b[0]), abs(b[1])) and a == _ANY:
        return None
    if op == ">=":
        return False if a[1] < b[0] else (True if a[0] >= b[1] else None)
    if op == ">":
        return False if a[1] <= b[0] else (True if a[0] > b[1] else None)
    if op == "<=":
        return False if a[0] > b[1] else (True if a[1] <= b[0] else None)
    if op == "<":
        return False if a[0] >= b[1] else (True if a[1] < b[0] else None)
    if op == "=":
        return False if a[1] < b[0] or a[0] > b[1] else None
    return None


def _inside(ctx: _Context, lo: float, hi: float) -> float:
    """A round value strictly between lo and hi (the range of the other side)."""
    if lo == -math.inf and hi == math.inf:
        return float(ctx.draw(st.integers(-20, 500)))
    if hi == math.inf:
        return math.floor(lo) + float(ctx.draw(st.integers(1, 50)))
    if lo == -math.inf:
        return math.ceil(hi) - float(ctx.draw(st.integers(1, 50)))
    fraction = ctx.one_of((0.25, 0.5, 0.75))
    value = lo + (hi - lo) * fraction
    return value if lo < value < hi else (lo + hi) / 2


# ---------------------------------------------------------------------------- conditions


def _cond_atom(ctx: _Context, event: _Event) -> _Piece:
    field = ctx.one_of(event.fields)
    kind = field.kind
    form = ctx.draw(st.integers(0, 9))
    if kind == "boolean" and form < 3:
        return _Piece(field.name, 8)
    if form < 2 and kind != "boolean":
        items = [_literal(ctx, field) for _ in range(ctx.draw(st.integers(0 if form else 1, 3)))]
        # A decimal comma inside a comma-separated list would read as one number (C156):
        # French decimals go with semicolons, as an officer is told to write them.
        decimal_comma = any("," in item for item in items)
        separator = ctx.rng.choice((";", "; ", " ; ") if decimal_comma else (", ", " , ", ";", "; "))
        listed = "[" + ctx.gap() + separator.join(items) + ctx.gap() + "]"
        negated = ctx.chance(40)
        words = f"{ctx.kw('not')}{ctx.sep()}{ctx.kw('in')}" if negated else ctx.kw("in")
        return _Piece(f"{field.name}{ctx.sep()}{words}{ctx.gap()}{listed}", 4)
    ordered = kind in ("integer", "decimal", "date")
    if ordered and form == 2:
        low, high = sorted((_ordered_value(ctx, field), _ordered_value(ctx, field)))
        text = (
            f"{field.name}{ctx.sep()}{ctx.kw('between')}{ctx.sep()}{_ordered_text(ctx, field, low)}"
            f"{ctx.sep()}{ctx.kw('and')}{ctx.sep()}{_ordered_text(ctx, field, high)}"
        )
        return _Piece(text, 4)
    ops = (">=", "<=", ">", "<", "=", "!=") if ordered else ("=", "!=")
    op = ctx.one_of(ops)
    partners = [f for f in event.fields if f is not field and _comparable(f, field)]
    if partners and form == 3 and kind not in ("enum",):
        other = ctx.one_of(partners).name
    else:
        other = _literal(ctx, field)
    left, right = (other, field.name) if ctx.chance(20) else (field.name, other)
    return _Piece(f"{left}{ctx.gap()}{ctx.comparator(op)}{ctx.gap()}{right}", 4)


def _comparable(a: _Field, b: _Field) -> bool:
    numeric = ("integer", "decimal")
    return a.kind == b.kind != "enum" or (a.kind in numeric and b.kind in numeric)


def _ordered_value(ctx: _Context, field: _Field) -> float:
    if field.kind == "date":
        return float(ctx.draw(st.integers(0, 700)))
    if field.kind == "integer":
        return float(ctx.draw(st.integers(-5, 200)))
    return ctx.draw(st.integers(-500, 5000)) / 10


def _ordered_text(ctx: _Context, field: _Field, value: float) -> str:
    if field.kind == "date":
        return ctx.date(ctx.period[0] + dt.timedelta(days=int(value)))
    return ctx.number(value)


def _literal(ctx: _Context, field: _Field) -> str:
    """A literal that fits the field's type, in one of its spellings."""
    match field.kind:
        case "integer" | "decimal" | "date":
            return _ordered_text(ctx, field, _ordered_value(ctx, field))
        case "boolean":
            return ctx.kw(ctx.one_of(("true", "false")))
        case "enum":
            value = ctx.one_of(field.values)
            if ctx.chance(70):
                return value
            opening, closing = ctx.rng.choice((('"', '"'), ("«", "»"), ("“", "”")))
            return f"{opening}{value}{closing}"  # no padding: the parser keeps it in text literals
    content = _random_label_content(ctx.rng)
    opening, closing = ctx.rng.choice(_quote_styles(content))
    return f"{opening}{content}{closing}"


def _condition(ctx: _Context, event: _Event, depth: int) -> _Piece:
    if depth <= 0 or ctx.chance(45):
        return _cond_atom(ctx, event)
    form = ctx.draw(st.integers(0, 2))
    if form == 0:
        operand = _condition(ctx, event, depth - 1)
        return _Piece(f"{ctx.kw('not')}{ctx.sep()}{ctx.paren(operand, 3)}", 3)
    left, right = _condition(ctx, event, depth - 1), _condition(ctx, event, depth - 1)
    if form == 1:
        text = f"{ctx.paren(left, 2)}{ctx.sep()}{ctx.kw('and')}{ctx.sep()}{ctx.paren(right, 3)}"
        return _Piece(text, 2)
    text = f"{ctx.paren(left, 1)}{ctx.sep()}{ctx.kw('or')}{ctx.sep()}{ctx.paren(right, 2)}"
    return _Piece(text, 1)


def _where(ctx: _Context, event: _Event, required: bool = False) -> str:
    if not event.fields or not (required or ctx.chance(50)):
        return ""
    condition = _condition(ctx, event, 2)
    text = f"({condition.text})" if ctx.chance(5) else condition.text
    return f"{ctx.sep()}{ctx.kw('where')}{ctx.sep()}{text}"


# ---------------------------------------------------------------------------- expressions


def _aggregate(ctx: _Context, *, boolean: bool) -> _Piece:
    event = ctx.one_of(ctx.events)
    numeric = [f for f in event.fields if f.kind in ("integer", "decimal")]
    if boolean:
        fn, field, low, high = "exists", None, -math.inf, math.inf
        if event.fields and ctx.chance(30):
            field = ctx.one_of(event.fields)
    else:
        fns = ["count", "share"]
        if event.fields:
            fns.append("distinct")
        if numeric:
            fns += ["sum", "avg", "min", "max"]
        fn = ctx.one_of(fns)
        field = None
        if fn in ("sum", "avg", "min", "max"):
            field = ctx.one_of(numeric)
        elif fn == "distinct" or (fn == "count" and event.fields and ctx.chance(20)):
            field = ctx.one_of(event.fields)
        low, high = {"count": (0.0, math.inf), "distinct": (0.0, math.inf), "share": (0.0, 1.0)}.get(fn, _ANY)
    target = event.name if field is None else f"{event.name}{ctx.gap()}.{ctx.gap()}{field.name}"
    where = _where(ctx, event, required=fn == "share")
    return _Piece(f"{ctx.kw(fn)}{ctx.gap()}({ctx.gap()}{target}{where}{ctx.gap()})", 8, low, high)


def _numeric(ctx: _Context, depth: int) -> _Piece:
    """A numeric expression whose value depends on data (an aggregate or a reference)."""
    if depth <= 0 or ctx.chance(40):
        if ctx.numeric_refs and ctx.chance(20):
            return _Piece(ctx.one_of(ctx.numeric_refs), 8)
        return _aggregate(ctx, boolean=False)
    form = ctx.draw(st.integers(0, 5))
    if form == 0:
        operand = _numeric(ctx, depth - 1)
        return _Piece(f"-{ctx.gap()}{ctx.paren(operand, 7)}", 7, -operand.hi, -operand.lo)
    op = ctx.one_of(("+", "-", "*", "/"))
    left = _numeric(ctx, depth - 1)
    if form <= 2:
        right = _numeric(ctx, depth - 1)
    else:  # a constant: never zero, so that no product collapses to a single value
        percent = ctx.chance(25)
        value = ctx.draw(st.integers(1, 400)) / ctx.one_of((1, 1, 2, 4, 10))
        effective = value / 100 if percent else value
        right = _Piece(ctx.number(value, percent), 8, effective, effective)
        if ctx.chance(30):
            left, right = right, left
    low, high = _arith_range(op, (left.lo, left.hi), (right.lo, right.hi))
    prec = 5 if op in "+-" else 6
    text = f"{ctx.paren(left, prec)}{ctx.gap()}{op}{ctx.gap()}{ctx.paren(right, prec + 1)}"
    return _Piece(text, prec, low, high)


def _threshold(ctx: _Context, side: _Piece) -> tuple[str, float]:
    """A literal strictly inside the range of `side`, as a percentage when that reads well."""
    if (side.lo, side.hi) == (0.0, 1.0) and ctx.chance(60):
        percent = float(ctx.draw(st.integers(1, 99)))
        return ctx.number(percent, percent=True), percent / 100
    if side.lo >= 0 and side.hi == math.inf and ctx.chance(30):  # a ratio of counts, say
        percent = float(math.ceil(side.lo * 100) + ctx.draw(st.integers(1, 150)))
        return ctx.number(percent, percent=True), percent / 100
    value = _inside(ctx, side.lo, side.hi)
    return ctx.number(value), value


def _ratio(ctx: _Context) -> _Piece:
    """`nombre(e où …) / nombre(e)`: the share of an event type's rows that meet a condition."""
    event = ctx.one_of(ctx.events)
    part = f"{ctx.kw('count')}({event.name}{_where(ctx, event, required=True)})"
    whole = f"{ctx.kw('count')}({event.name}{_where(ctx, event)})"
    return _Piece(f"{part}{ctx.gap()}/{ctx.gap()}{whole}", 6, 0.0, math.inf)


def _comparison(ctx: _Context, depth: int) -> _Piece:
    left = _ratio(ctx) if ctx.chance(10) else _numeric(ctx, depth)
    form = ctx.draw(st.integers(0, 5))
    if form == 0:  # between two thresholds
        (low_text, low), (high_text, high) = _threshold(ctx, left), _threshold(ctx, left)
        if low > high:
            low_text, high_text = high_text, low_text
        text = (
            f"{ctx.paren(left, 5)}{ctx.sep()}{ctx.kw('between')}{ctx.sep()}{low_text}"
            f"{ctx.sep()}{ctx.kw('and')}{ctx.sep()}{high_text}"
        )
        return _Piece(text, 4)
    op = ctx.one_of((">=", ">", "<=", "<", "=", "!="))
    if form == 1:  # two data-dependent sides
        right = _numeric(ctx, depth - 1)
        if _verdict(op, (left.lo, left.hi), (right.lo, right.hi)) is False:
            op = "!="
        right_text = ctx.paren(right, 5)
    else:
        right_text, _ = _threshold(ctx, left)
    left_text = ctx.paren(left, 5)
    if ctx.chance(20):
        left_text, right_text = right_text, left_text
        op = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}.get(op, op)
    return _Piece(f"{left_text}{ctx.gap()}{ctx.comparator(op)}{ctx.gap()}{right_text}", 4)


def _boolean(ctx: _Context, depth: int) -> _Piece:
    if depth <= 0 or ctx.chance(40):
        form = ctx.draw(st.integers(0, 9))
        if form == 0 and ctx.bool_refs:
            return _Piece(ctx.one_of(ctx.bool_refs), 8)
        if form == 1:
            return _Piece(ctx.kw(ctx.one_of(("true", "false"))), 8)
        if form <= 3:
            return _aggregate(ctx, boolean=True)
        return _comparison(ctx, max(depth - 1, 0))
    form = ctx.draw(st.integers(0, 2))
    if form == 0:
        operand = _boolean(ctx, depth - 1)
        return _Piece(f"{ctx.kw('not')}{ctx.sep()}{ctx.paren(operand, 3)}", 3)
    left, right = _boolean(ctx, depth - 1), _boolean(ctx, depth - 1)
    if form == 1:
        return _Piece(f"{ctx.paren(left, 2)}{ctx.sep()}{ctx.kw('and')}{ctx.sep()}{ctx.paren(right, 3)}", 2)
    return _Piece(f"{ctx.paren(left, 1)}{ctx.sep()}{ctx.kw('or')}{ctx.sep()}{ctx.paren(right, 2)}", 1)


def _years(ctx: _Context) -> tuple[int, int]:
    return ctx.period[0].year, ctx.period[1].year


def _whole_years(ctx: _Context) -> list[int]:
    """The plan's years it covers from January to December."""
    start, end = ctx.period
    return [
        y for y in range(start.year, end.year + 1) if start <= dt.date(y, 1, 1) and dt.date(y, 12, 31) <= end
    ]


def _per(ctx: _Context, unit: str) -> str:
    return f"{ctx.sep()}{ctx.kw('per')}{ctx.sep()}{ctx.kw(unit)}"


def _trend(ctx: _Context) -> str | None:
    """`X en baisse de 10 % par rapport à 2023 par an`, `X stable à ± 5 % par trimestre`…"""
    value = _numeric(ctx, 1)
    direction = ctx.one_of(("down", "up", "stable"))
    text = f"{ctx.paren(value, 5)}{ctx.sep()}"
    amount = ctx.draw(st.sampled_from((None, 2, 5, 10, 12.5)))
    if direction == "stable":
        amount = amount or 5
        sign = ctx.rng.choice(("±", "+/-"))
        text += f"{ctx.kw('stable')}{ctx.sep()}{sign}{ctx.gap()}{ctx.number(amount, percent=True)}"
    else:
        text += ctx.kw(direction)
        if amount is not None:
            of = ctx.kw("of")
            text += f"{ctx.sep()}{of + ctx.sep() if of else ''}{ctx.number(amount, percent=True)}"
    form = ctx.draw(st.integers(0, 2))
    whole = _whole_years(ctx)
    if form == 0 and len(whole) >= 2:  # a baseline year computed from the events
        year = ctx.one_of(whole[:-1])
        return f"{text}{ctx.sep()}{ctx.kw('vs')}{ctx.sep()}{year}{_per(ctx, 'year')}"
    if form == 1:  # a baseline declared: the data predates the system
        first = _years(ctx)[0] - ctx.draw(st.integers(1, 6))
        last = first + ctx.draw(st.integers(0, 3))
        years = str(first) if first == last else f"{ctx.kw('average')}{ctx.sep()}{first}-{last}"
        declared = ctx.number(float(ctx.draw(st.integers(1, 400))) / ctx.one_of((1, 2, 4)))
        return f"{text}{ctx.sep()}{ctx.kw('vs')}{ctx.sep()}{years}{ctx.gap()}={ctx.gap()}{declared}{_per(ctx, 'year')}"
    units = [u for u, months in _MONTHS.items() if months >= ctx.granularity_months]
    return text + _per(ctx, ctx.one_of(units))


def _unit_share(ctx: _Context) -> str | None:
    """`part(action.quartier ayant au moins 4) >= 80 %`, `nombre(atelier.ecole ayant > 2) >= 3`."""
    candidates = [(e, f) for e in ctx.events for f in e.fields if f.kind in ("enum", "text")]
    if not candidates:
        return None
    event, field = ctx.one_of(candidates)
    count = ctx.draw(st.integers(1, 5))
    having = ctx.one_of(("at_least", ">=", ">", "at_most"))
    threshold = (
        f"{ctx.kw(having)}{ctx.sep()}{count}" if having.startswith("at_") else f"{having}{ctx.gap()}{count}"
    )
    where = _where(ctx, event)
    inner = f"{event.name}{ctx.gap()}.{ctx.gap()}{field.name}{where}{ctx.sep()}{ctx.kw('having')}{ctx.sep()}{threshold}"
    if ctx.chance(50):
        target = ctx.number(float(ctx.draw(st.integers(1, 99))), percent=True)
        return f"{ctx.kw('share')}({inner}){ctx.gap()}{ctx.comparator(ctx.one_of(('>=', '<=')))}{ctx.gap()}{target}"
    target = str(ctx.draw(st.integers(1, 6)))
    return (
        f"{ctx.kw('count')}({inner}){ctx.gap()}{ctx.comparator(ctx.one_of(('>=', '<=')))}{ctx.gap()}{target}"
    )


def _beyond_line(ctx: _Context) -> str | None:
    """An expression line with a construct beyond counting, or None when the plan declares
    nothing it needs."""
    forms = ["trend", "units", "by_year", "calendar"]
    if ctx.refvalues:
        forms.append("refvalue")
    if ctx.measures:
        forms.append("measure")
    if ctx.durations:
        forms.append("duration")
    form = ctx.one_of(forms)
    if form == "trend":
        return _trend(ctx)
    if form == "units":
        found = _unit_share(ctx)
        return None if found is None else found + (_per(ctx, "year") if ctx.chance(50) else "")
    if form == "by_year":  # a target per year: the first year given is the plan's first
        first, last = _years(ctx)
        years = sorted({first, *(y for y in range(first + 1, last + 1) if ctx.chance(40))})
        values = [ctx.number(float(ctx.draw(st.integers(1, 30)))) for _ in years]
        table = f"{ctx.rng.choice((' · ', '; ', ' ; '))}".join(
            f"{y}:{ctx.sep()}{v}" for y, v in zip(years, values, strict=True)
        )
        event = ctx.one_of(ctx.events)
        op = ctx.one_of(("at_least", "at_most", ">="))
        word = ctx.kw(op) if op.startswith("at_") else op
        return f"{ctx.kw('count')}({event.name}){ctx.sep()}{word}{ctx.sep()}[{table}]{_per(ctx, 'year')}"
    if form == "refvalue":
        event = ctx.one_of(ctx.events)
        name = ctx.one_of(ctx.refvalues)
        limit = ctx.number(float(ctx.draw(st.integers(1, 40))) / 2)
        return (
            f"{ctx.kw('count')}({event.name}){ctx.gap()}/{ctx.gap()}{name}{ctx.gap()}*{ctx.gap()}1000"
            f"{ctx.sep()}{ctx.comparator(ctx.one_of(('<=', '>=')))}{ctx.sep()}{limit}{_per(ctx, 'year')}"
        )
    if form == "measure":
        name, percent = ctx.one_of(ctx.measures)
        value = float(ctx.draw(st.integers(1, 99)))
        target = ctx.number(value, percent=True) if percent else ctx.number(value / 10)
        return f"{ctx.kw('latest')}({name}){ctx.gap()}{ctx.comparator(ctx.one_of(('>=', '<=')))}{ctx.gap()}{target}{_per(ctx, 'year')}"
    if form == "duration":
        event, field, working = ctx.one_of(ctx.durations)
        days = f"{ctx.draw(st.integers(0, 30))}{ctx.sep()}{ctx.kw('working_days' if working else 'days')}"
        if ctx.chance(50):
            share = ctx.number(float(ctx.draw(st.integers(1, 99))), percent=True)
            return f"{ctx.kw('share')}({event.name}{ctx.sep()}{ctx.kw('where')}{ctx.sep()}{field}{ctx.gap()}<={ctx.gap()}{days}){ctx.gap()}>={ctx.gap()}{share}"
        return f"{ctx.kw('avg')}({event.name}{ctx.gap()}.{ctx.gap()}{field}){ctx.sep()}<={ctx.sep()}{days}"
    # another calendar: a count per school year, per fiscal year, or cumulated per quarter
    event = ctx.one_of(ctx.events)
    target = f"{ctx.kw('count')}({event.name}){ctx.gap()}>={ctx.gap()}{ctx.draw(st.integers(1, 12))}"
    kinds = ["cumulative"] if ctx.granularity_months <= 3 else []
    if ctx.granularity_months == 1:
        kinds += ["school_year", "fiscal_year"] if ctx.fiscal else ["school_year"]
    if not kinds:
        return target + _per(ctx, "year")
    kind = ctx.one_of(kinds)
    if kind == "cumulative":
        return f"{target}{_per(ctx, 'quarter')}{ctx.sep()}{ctx.kw('cumulative')}"
    return target + _per(ctx, kind)


def _expression_line(ctx: _Context) -> tuple[str, bool]:
    """An indicator's expression line, and whether it is numeric (a monitored value)."""
    if ctx.beyond_chance and ctx.chance(ctx.beyond_chance):
        found = _beyond_line(ctx)
        if found is not None:
            return found, False
    numeric = ctx.chance(35)
    if numeric:
        piece = _numeric(ctx, 2)
        # A bare reference would be read as a yes/no indicator: monitor it explicitly.
        monitored = ctx.chance(50) or piece.text in ctx.numeric_refs
        text = f"{ctx.kw('monitor')}{ctx.sep()}{piece.text}" if monitored else piece.text
    else:
        text = _boolean(ctx, 2).text
    units = [u for u, months in _MONTHS.items() if months >= ctx.granularity_months]
    if ctx.chance(50):
        text += f"{ctx.sep()}{ctx.kw('per')}{ctx.sep()}{ctx.kw(ctx.one_of(units))}"
    if ctx.chance(30):
        start, end = ctx.period
        day = start + dt.timedelta(days=ctx.draw(st.integers(0, (end - start).days)))
        text += f"{ctx.sep()}{ctx.kw('by')}{ctx.sep()}{ctx.date(day)}"
    return text, numeric


# ---------------------------------------------------------------------------- plan structure


@attrs.define
class _Writer:
    """Lines of the plan text, with the author's untidiness added."""

    ctx: _Context
    lines: list[str] = attrs.Factory(list)

    def add(self, statement: str) -> None:
        ctx = self.ctx
        rng = ctx.rng
        for _ in range(rng.randint(0, 14) // 5):
            self.lines.append("")
        if ctx.maybe(8):
            self.lines.append(self.indent() + self.comment())
        line = self.indent() + statement
        if ctx.maybe(10):
            line += ctx.gap() + self.comment()
        elif ctx.maybe(10):
            line += rng.choice((" ", "\t", "  "))
        self.lines.append(line)

    def indent(self) -> str:
        return self.ctx.rng.choice(("", "", "  ", "    ", "\t", " ", "      "))

    def comment(self) -> str:
        return "#" + _random_text(self.ctx.rng, _COMMENT_CHARS, 0, 30)

    def label(self) -> str:
        return self.ctx.label()


def _header(w: _Writer) -> list[str]:
    """The header statements in a random order; returns the declared levels."""
    ctx = w.ctx
    sep = ctx.sep
    start_year = ctx.draw(st.integers(2018, 2030))
    years = ctx.draw(st.integers(0, 3))
    statements: list[str] = []
    form = ctx.draw(st.integers(0, 2))
    if form == 0 and years == 0:
        period = str(start_year)
        ctx.period = (dt.date(start_year, 1, 1), dt.date(start_year, 12, 31))
    elif form <= 1:
        period = f"{start_year}{sep()}{ctx.kw('range')}{sep()}{start_year + years}"
        ctx.period = (dt.date(start_year, 1, 1), dt.date(start_year + years, 12, 31))
    else:
        first = dt.date(start_year, ctx.draw(st.integers(1, 12)), ctx.draw(st.integers(1, 28)))
        last = first + dt.timedelta(days=ctx.draw(st.integers(30, 1000)))
        period = f"{ctx.date(first)}{sep()}{ctx.kw('range')}{sep()}{ctx.date(last)}"
        ctx.period = (first, last)
    statements.append(f"{ctx.kw('period')}{sep()}{period}")
    if ctx.chance(80):
        statements.append(f"{ctx.kw('plan')}{sep()}{w.label()}")
    if ctx.chance(60):
        statements.append(f"{ctx.kw('commune')}{sep()}{w.label()}")
    if ctx.chance(40):
        statements.append(f"{ctx.kw('legal_basis')}{sep()}{w.label()}")
    for _ in range(ctx.draw(st.integers(0, 2))):
        key = ctx.name() if ctx.chance(60) else w.label()
        colon = ctx.rng.choice(("", ":", " :"))
        statements.append(f"{ctx.kw('meta')}{sep()}{key}{colon}{sep()}{w.label()}")
    if ctx.chance(15):  # fiscal years from April (the other calendars need no header)
        ctx.fiscal = True
        french = ctx.flavour == "fr" or (
            ctx.flavour == "mixed" and ctx.maybe(50)
        )  # one language for both words
        statements.append(f"exercice{sep()}avril" if french else f"fiscal year{sep()}april")
    if ctx.chance(40):
        unit = ctx.one_of(tuple(_MONTHS))
        ctx.granularity_months = _MONTHS[unit]
        statements.append(f"{ctx.kw('granularity')}{sep()}{ctx.kw(unit)}")
    levels: list[str] = list(DEFAULT_LEVELS)
    if ctx.chance(70):
        levels = []
        for _ in range(ctx.draw(st.integers(1, 4))):
            words = ctx.draw(st.lists(st.sampled_from(_LEVEL_WORDS), min_size=1, max_size=3))
            level = " ".join(words)
            while fold(level) in {fold(x) for x in levels} or words[0] in ("de", "du"):
                words = ["volet", *words]
                level = " ".join(words)
            levels.append(level)
        quoted = [_quote_level(ctx, level) for level in levels]
        joined = f"{ctx.gap()}>{ctx.gap()}".join(quoted)
        statements.append(f"{ctx.kw('levels')}{sep()}{joined}")
    for statement in ctx.draw(st.permutations(statements)):
        w.add(statement)
    return levels


def _quote_level(ctx: _Context, level: str) -> str:
    opening, closing = ctx.rng.choice((("« ", " »"), ("«", "»"), ('"', '"'), ("“", "”")))
    return f"{opening}{level}{closing}"


def _events(w: _Writer) -> None:
    ctx = w.ctx
    for _ in range(ctx.draw(st.integers(1, 3))):
        event = _Event(ctx.name(), [])
        label = f"{ctx.sep()}{w.label()}" if ctx.chance(70) else ""
        w.add(f"{ctx.kw('event')}{ctx.sep()}{event.name}{label}")
        for _ in range(ctx.draw(st.integers(0, 5))):
            kind = ctx.one_of(("text", "integer", "decimal", "date", "boolean", "enum"))
            field = _Field(ctx.name(), kind)
            if kind == "enum":
                field.values = tuple(ctx.name() for _ in range(ctx.draw(st.integers(2, 4))))
                type_text = f"{ctx.gap()}|{ctx.gap()}".join(field.values)
            else:
                type_text = ctx.kw(kind)
            optional = f"{ctx.sep()}{ctx.kw('optional')}" if ctx.chance(30) else ""
            w.add(f"{field.name}{ctx.gap()}:{ctx.gap()}{type_text}{optional}")
            event.fields.append(field)
        if ctx.chance(20):  # a duration between two dates of the event, as a case file has them
            opened, closed, delay = _Field(ctx.name(), "date"), _Field(ctx.name(), "date"), ctx.name()
            working = ctx.chance(50)
            w.add(f"{opened.name}{ctx.gap()}:{ctx.gap()}{ctx.kw('date')}")
            w.add(f"{closed.name}{ctx.gap()}:{ctx.gap()}{ctx.kw('date')}{ctx.sep()}{ctx.kw('optional')}")
            spans = f"{ctx.kw('from')}{ctx.sep()}{opened.name}{ctx.sep()}{ctx.kw('until')}{ctx.sep()}{closed.name}"
            unit = f"{ctx.sep()}{ctx.kw('in_unit')}{ctx.sep()}{ctx.kw('working_days')}" if working else ""
            w.add(f"{delay}{ctx.gap()}:{ctx.gap()}{ctx.kw('duration')}{ctx.sep()}{spans}{unit}")
            event.fields += [opened, closed]
            ctx.durations.append((event, delay, working))
        ctx.events.append(event)


def _declarations(w: _Writer) -> None:
    """Reference values (one number, or one per year) and measured values (surveys, scores)."""
    ctx = w.ctx
    first, last = _years(ctx)
    for _ in range(ctx.draw(st.integers(0, 2))):
        name = ctx.name()
        if ctx.chance(50):
            years = sorted({first, *(y for y in range(first + 1, last + 1) if ctx.chance(50))})
            sep = ctx.rng.choice((" · ", "; ", " ; "))
            value = (
                "["
                + sep.join(f"{y}:{ctx.sep()}{ctx.draw(st.integers(1, 5)) * 1000 + 500}" for y in years)
                + "]"
            )
        else:
            value = ctx.number(float(ctx.draw(st.integers(100, 50_000))))
        w.add(f"{ctx.kw('refvalue')}{ctx.sep()}{name}{ctx.sep()}{w.label()}{ctx.gap()}={ctx.gap()}{value}")
        ctx.refvalues.append(name)
    for _ in range(ctx.draw(st.integers(0, 2))):
        name = ctx.name()
        percent = ctx.chance(50)
        unit = f"{ctx.sep()}{ctx.kw('in_unit')}{ctx.sep()}%" if percent else ""
        w.add(f"{ctx.kw('measure')}{ctx.sep()}{name}{ctx.sep()}{w.label()}{unit}")
        ctx.measures.append((name, percent))


def _indicator(w: _Writer) -> None:
    ctx = w.ctx
    ctx.budget -= 1
    name = ctx.name()
    wording = f"{ctx.sep()}{w.label()}" if ctx.chance(80) else ""
    w.add(f"{ctx.kw('indicator')}{ctx.sep()}{name}{wording}")
    parts: list[str] = []
    numeric: bool | None = None
    if ctx.chance(92):
        line, numeric = _expression_line(ctx)
        parts.append(line)
    if ctx.chance(40):
        parts.append(f"{ctx.kw('unit')}{ctx.sep()}{w.label()}")
    for _ in range(ctx.draw(st.integers(0, 2))):
        parts.append(f"{ctx.kw('note')}{ctx.sep()}{w.label()}")
    for part in ctx.draw(st.permutations(parts)):
        w.add(part)
    if numeric is True:
        ctx.numeric_refs.append(name)
    elif numeric is False:
        ctx.bool_refs.append(name)


def _node(w: _Writer, levels: Sequence[str], rank: int, parent_number: str | None) -> None:
    ctx = w.ctx
    ctx.budget -= 1
    level = levels[rank]
    number: str | None = None
    if ctx.chance(70):  # unique for its level, and extending the closest numbered ancestor's
        prefix = f"{parent_number}." if parent_number else ""
        k = ctx.draw(st.integers(1, 3))
        while (fold(level), f"{prefix}{k}") in ctx.node_numbers:
            k += 1
        number = f"{prefix}{k}"
        ctx.node_numbers.add((fold(level), number))
    spelt = ctx.rng.choice((level, level, fold(level), level.upper(), level.replace("'", "’")))
    spelt = ctx.sep().join(spelt.split(" "))
    numbered = f"{ctx.sep()}{number}{ctx.rng.choice(('', '', '.'))}" if number else ""
    w.add(f"{spelt}{numbered}{ctx.sep()}{w.label()}")
    if ctx.chance(25):
        w.add(f"{ctx.kw('note')}{ctx.sep()}{w.label()}")
    for _ in range(ctx.draw(st.integers(0, 2))):
        if ctx.budget > 0:
            _indicator(w)
    # The assembler attaches a node to the closest preceding node of a higher level: a child
    # that skips a level must come before its siblings of the next level, never after.
    previous = len(levels) - 1
    for _ in range(ctx.draw(st.integers(0, 3))):
        if ctx.budget <= 0 or rank + 1 >= len(levels):
            break
        child_rank = min(rank + (2 if ctx.chance(15) else 1), previous)
        _node(w, levels, child_rank, number or parent_number)
        previous = child_rank


@st.composite
def _plan_text(draw: st.DrawFn, flavour: Flavour | None) -> str:
    chosen = _pick_flavour(draw, flavour)
    ctx = _Context(draw, chosen, _rng(draw), budget=draw(st.integers(2, 14)))
    w = _Writer(ctx)
    if ctx.maybe(30):
        w.lines.append(w.comment())
    levels = _header(w)
    events_last = ctx.chance(20)
    events_block = _Writer(ctx)
    _events(events_block)  # declared first in the context: every aggregate needs one
    if ctx.chance(40):  # constructs beyond counting: reference values, measures, trends, calendars…
        _declarations(events_block)
        ctx.beyond_chance = 35
    if not events_last:
        w.lines.extend(events_block.lines)
    for _ in range(ctx.draw(st.integers(0, 2))):
        if ctx.budget > 0:
            _indicator(w)
    root_rank = 0 if ctx.chance(85) else ctx.draw(st.integers(0, len(levels) - 1))
    while ctx.budget > 0:  # a root of a deeper level than an earlier root would be its child
        root_rank = ctx.draw(st.integers(0, root_rank))
        _node(w, levels, root_rank, None)
    if events_last:
        w.lines.extend(events_block.lines)
    if ctx.maybe(20):
        w.lines.extend(["", "", w.comment(), ""])
    newline = "\r\n" if ctx.maybe(5) else "\n"
    bom = "\ufeff" if ctx.maybe(3) else ""
    return bom + newline.join(w.lines) + (newline if ctx.maybe(90) else "")


def plans(language: Flavour | None = None) -> st.SearchStrategy[str]:
    """Texts of plans that compile (`load_plan` succeeds), in `language` or a random one.

    `language="mixed"` spells each keyword in a random language; None picks a flavour per plan.
    """
    return _plan_text(language)


def compile_plan(text: str) -> Plan:
    """The compiled plan of a generated text (a `PlanError` here is a bug of the generator)."""
    return load_plan(text)


# ---------------------------------------------------------------------------- expressions alone

EXPRESSION_CONTEXT = """\
période 2023 à 2024
exercice avril
valeur de référence population « Population » = [2023: 2 000 · 2024: 2 100]
valeur mesurée score « Score de propreté »
valeur mesurée enquete « Enquête de sécurité » en %
événement signalement « Signalement »
    gravité : entier
    montant : décimal optionnel
    reçu_le : date
    confirmé : booléen
    quartier : texte
    canal : téléphone | courriel | guichet
    traité_le : date optionnel
    délai : durée de reçu_le à traité_le en jours ouvrables
événement réunion
    participants : entier optionnel
indicateur volume « Volume »
    suivi nombre(signalement)
indicateur atteint « Atteint »
    nombre(réunion) >= 4
"""


def _expression_context(draw: st.DrawFn, flavour: Flavour) -> _Context:
    ctx = _Context(draw, flavour, _rng(draw), period=(dt.date(2023, 1, 1), dt.date(2024, 12, 31)))
    ctx.events = [
        _Event(
            "signalement",
            [
                _Field("gravité", "integer"),
                _Field("montant", "decimal"),
                _Field("reçu_le", "date"),
                _Field("confirmé", "boolean"),
                _Field("quartier", "text"),
                _Field("canal", "enum", ("téléphone", "courriel", "guichet")),
            ],
        ),
        _Event("réunion", [_Field("participants", "integer")]),
    ]
    ctx.numeric_refs = ["volume"]
    ctx.bool_refs = ["atteint"]
    ctx.refvalues = ["population"]
    ctx.measures = [("score", False), ("enquete", True)]
    ctx.durations = [(ctx.events[0], "délai", True)]
    ctx.fiscal = True
    ctx.beyond_chance = 30
    return ctx


@st.composite
def _expression_text(draw: st.DrawFn, kind: str, flavour: Flavour | None) -> str:
    ctx = _expression_context(draw, _pick_flavour(draw, flavour))
    if kind == "line":
        return _expression_line(ctx)[0]
    builder: Callable[[_Context, int], _Piece] = _numeric if kind == "number" else _boolean
    text = builder(ctx, 3).text
    if kind == "number" and text in ctx.numeric_refs:
        text = f"-{text}"
    return text


def expressions(
    kind: Literal["bool", "number", "line"] = "line", language: Flavour | None = None
) -> st.SearchStrategy[str]:
    """Expression texts valid in `EXPRESSION_CONTEXT` (see `plan_with_expression`).

    `bool` gives a target or yes/no expression, `number` a numeric one (a monitored value),
    `line` a whole expression line (either, with `suivi`, `par …` and `avant le …`).
    """
    return _expression_text(kind, language)


@st.composite
def _condition_text(draw: st.DrawFn, flavour: Flavour | None) -> str:
    ctx = _expression_context(draw, _pick_flavour(draw, flavour))
    return _condition(ctx, ctx.events[0], 3).text


def conditions(language: Flavour | None = None) -> st.SearchStrategy[str]:
    """Conditions on the `signalement` event type of `EXPRESSION_CONTEXT`."""
    return _condition_text(language)


def plan_with_expression(expression: str) -> str:
    """A valid plan whose one extra indicator, `sujet`, has `expression` as its line."""
    return f"{EXPRESSION_CONTEXT}indicateur sujet\n    {expression}\n"
