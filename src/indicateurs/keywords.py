"""The keywords of the plan language in both languages, for the formatter and the checker.

The grammar accepts every spelling listed here; this table says which spelling the formatter
writes in each language, and which words cannot serve as identifiers.
"""

from __future__ import annotations

import unicodedata

from .i18n import Lang
from .model import AggregateFn, MilestoneState, PeriodUnit

# Concept → (French spelling, English spelling), as the formatter writes them.
KEYWORDS: dict[str, tuple[str, str]] = {
    "plan": ("plan", "plan"),
    "commune": ("commune", "municipality"),
    "period": ("période", "period"),
    "range": ("à", "to"),
    "legal_basis": ("base légale", "legal basis"),
    "meta": ("méta", "meta"),
    "levels": ("niveaux", "levels"),
    "granularity": ("granularité", "granularity"),
    "event": ("événement", "event"),
    "optional": ("optionnel", "optional"),
    "indicator": ("indicateur", "indicator"),
    "note": ("note", "note"),
    "unit": ("unité", "unit"),
    "monitor": ("suivi", "monitor"),
    "per": ("par", "per"),
    "by": ("avant le", "by"),
    "and": ("et", "and"),
    "or": ("ou", "or"),
    "not": ("non", "not"),
    "in": ("dans", "in"),
    "not_in": ("pas dans", "not in"),
    "between": ("entre", "between"),
    "where": ("où", "where"),
    "true": ("vrai", "true"),
    "false": ("faux", "false"),
    "to_define": ("cible à définir", "target to be defined"),
    "milestone": ("jalon", "milestone"),
    "on": ("le", "on"),
    "refvalue": ("valeur de référence", "reference value"),
    "table": ("table", "table"),
    "measure": ("valeur mesurée", "measured value"),
    "percent_unit": ("en", "in"),
    "duration": ("durée", "duration"),
    "from": ("de", "from"),
    "days": ("jours", "days"),
    "working_days": ("jours ouvrables", "working days"),
    "school_year": ("année scolaire", "school year"),
    "fiscal_year": ("exercice", "fiscal year"),
    "cumulative": ("cumulé", "cumulative"),
    "down": ("en baisse", "down"),
    "up": ("en hausse", "up"),
    "stable": ("stable", "stable"),
    "trend_of": ("de", ""),
    "within": ("à ±", "within ±"),
    "vs": ("par rapport à", "vs"),
    "average": ("la moyenne", "average"),
    "having": ("ayant", "having"),
    "at_least": ("au moins", "at least"),
    "at_most": ("au plus", "at most"),
}

MONTH_WORDS: tuple[tuple[str, str], ...] = (
    ("janvier", "january"), ("février", "february"), ("mars", "march"), ("avril", "april"),
    ("mai", "may"), ("juin", "june"), ("juillet", "july"), ("août", "august"),
    ("septembre", "september"), ("octobre", "october"), ("novembre", "november"),
    ("décembre", "december"),
)  # fmt: skip

MILESTONE_STATE_WORDS: dict[MilestoneState, tuple[str, str]] = {
    MilestoneState.DONE: ("réalisé", "done"),
    MilestoneState.ONGOING: ("en cours", "in progress"),
    MilestoneState.PENDING: ("en attente", "pending"),
    MilestoneState.DROPPED: ("abandonné", "dropped"),
}

AGGREGATE_WORDS: dict[AggregateFn, tuple[str, str]] = {
    AggregateFn.COUNT: ("nombre", "count"),
    AggregateFn.DISTINCT: ("distinct", "distinct"),
    AggregateFn.SUM: ("somme", "sum"),
    AggregateFn.AVG: ("moyenne", "avg"),
    AggregateFn.MIN: ("min", "min"),
    AggregateFn.MAX: ("max", "max"),
    AggregateFn.EXISTS: ("existe", "exists"),
    AggregateFn.SHARE: ("part", "share"),
    AggregateFn.LAST: ("dernier", "latest"),
}

PERIOD_UNIT_WORDS: dict[PeriodUnit, tuple[str, str]] = {
    PeriodUnit.YEAR: ("an", "year"),
    PeriodUnit.SEMESTER: ("semestre", "semester"),
    PeriodUnit.QUARTER: ("trimestre", "quarter"),
    PeriodUnit.MONTH: ("mois", "month"),
}

FIELD_TYPE_WORDS: dict[str, tuple[str, str]] = {
    "text": ("texte", "text"),
    "integer": ("entier", "integer"),
    "decimal": ("décimal", "decimal"),
    "date": ("date", "date"),
    "boolean": ("booléen", "boolean"),
}

# Every word the grammar treats as a keyword somewhere: not usable as an identifier.
RESERVED: frozenset[str] = frozenset(
    {
        "plan", "commune", "municipality", "période", "periode", "period", "base", "legal",
        "méta", "meta", "niveaux", "levels", "granularité", "granularite", "granularity",
        "événement", "evenement", "event", "indicateur", "indicator", "note", "unité", "unite",
        "unit", "suivi", "monitor", "par", "per", "avant", "by", "le", "et", "and", "ou", "or",
        "non", "pas", "not", "dans", "in", "entre", "between", "où", "where", "vrai", "faux",
        "oui", "true", "false", "yes", "no", "nombre", "count", "distinct", "distincts",
        "somme", "sum", "moyenne", "avg", "average", "min", "max", "existe", "exists", "part",
        "share", "optionnel", "optional", "jalon", "milestone", "dernier", "dernière", "derniere",
        "latest",
    }
)  # fmt: skip

# Words that start a statement, for "did you mean" on a misspelt statement keyword.
STATEMENT_WORDS: tuple[str, ...] = (
    "plan", "commune", "période", "base légale", "méta", "niveaux", "granularité", "événement",
    "indicateur", "note", "unité", "suivi", "municipality", "period", "legal basis", "meta",
    "levels", "granularity", "event", "indicator", "unit", "monitor", "jalon", "milestone",
    "cible à définir", "target to be defined",
)  # fmt: skip


def word(concept: str, lang: Lang) -> str:
    fr, en = KEYWORDS[concept]
    return fr if lang == "fr" else en


def fold(text: str) -> str:
    """Case- and accent-insensitive form, for matching level names and suggestions."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def is_reserved(name: str) -> bool:
    return name.casefold() in RESERVED or fold(name) in RESERVED
