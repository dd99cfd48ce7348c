"""Curated syntax errors: example mistakes mapped to message codes, and terminal display names.

Lark reports the parser state where a line broke; `UnexpectedInput.match_examples` compares it
with the states these examples break in. The first group whose example breaks in the same state
wins, and an example that breaks on the very same token wins over any other, so the generic
group of a state comes before its special cases. No Lark import here: this is data.
"""

from __future__ import annotations

# The spellings of a keyword lead to different parser states: examples cover each of them.
_FUNCTIONS = ("nombre", "count", "distinct", "distincts", "somme", "sum", "moyenne", "avg", "average", "min", "max", "existe", "exists", "part", "share")  # fmt: skip
_LABELLED = ("plan", "commune", "municipality", "note", "unité", "unite", "unit", "base légale", "base legale", "legal basis")  # fmt: skip
_NAMED = ("indicateur", "indicator", "événement", "evenement", "event")
_PERIOD = ("période", "periode", "period")
# A statement in a file's first line and after another line breaks in different states.
_BEFORE = ("", "plan « p »\n")

CURATED_EXAMPLES: dict[str, list[str]] = {
    # A value is missing after a comparator (« nombre(x) >= »).
    "S005": ["indicateur x\nnombre(a) >= \n", "indicateur x\nnombre(a où b = ) >= 1\n"],
    # `>/=` or `</=` pasted from the Word document, and the other ways to misspell a comparator.
    "S010": [
        "indicateur x\nnombre(a) >/= 10\n",
        "indicateur x\nnombre(a) </= 10\n",
        "indicateur x\nnombre(a) => 10\n",
        "indicateur x\nnombre(a) =< 10\n",
        "indicateur x\nnombre(a) == 10\n",
        "indicateur x\nnombre(a) > = 10\n",
        "indicateur x\nnombre(a) < = 10\n",
        "indicateur x\nnombre(a) ! = 10\n",
    ],
    # A closing parenthesis is missing.
    "S011": [
        "indicateur x\nnombre(a >= 3\n",
        "indicateur x\nnombre(a où b = 3 >= 3\n",
        "indicateur x\nnombre(a où b = 3\n",
        "indicateur x\nnombre(a\n",
        "indicateur x\nsomme(a.b\n",
        "indicateur x\nsomme(a.b >= 3\n",
        "indicateur x\n(nombre(a) >= 3\n",
    ],
    # The type of event is missing inside an aggregate (« nombre() »).
    "S012": ["indicateur x\nnombre() >= 3\n", "indicateur x\nnombre(où a = 1) >= 3\n"],
    # A list after « dans » must be in brackets.
    "S013": [
        "indicateur x\nnombre(a où b dans c) >= 1\n",
        "indicateur x\nnombre(a où b dans (c)) >= 1\n",
        "indicateur x\nnombre(a où b in c) >= 1\n",
        "indicateur x\nnombre(a où b in (c)) >= 1\n",
    ],
    # An unclosed list.
    "S014": [
        "indicateur x\nnombre(a où b dans [c, d) >= 1\n",
        "indicateur x\nnombre(a où b dans [c d]) >= 1\n",
    ],
    # An unknown function name: « nombr(x) ».
    "S015": ["indicateur x\nnombr(a) >= 3\n", "indicateur x\nnombre(a) + compte(b) >= 3\n"],
    # A deadline needs a full date.
    "S018": [
        "indicateur x\nexiste(a) avant 2023\n",
        "indicateur x\nexiste(a) avant le 2023\n",
        "indicateur x\nexiste(a) by 2023\n",
    ],
    # « entre X et Y »: the « et » is missing.
    "S019": ["indicateur x\nnombre(a) entre 3 5\n", "indicateur x\nnombre(a) between 3 5\n"],
    # A label in quotes is expected (plan, commune, notes...).
    "S020": [f"{b}{w}{rest}\n" for w in _LABELLED for b in _BEFORE for rest in ("", " Contrat")],
    # A node's label is missing or unquoted: « objectif opérationnel 1.1 Assurer ».
    "S021": [
        f"{b}{line}\n"
        for b in _BEFORE
        for line in (
            "objectif opérationnel 1.1",
            "objectif opérationnel 1.1 Assurer le suivi",
            "objectif opérationnel Assurer le suivi",
        )
    ],
    # An identifier is expected after « indicateur » or « événement ».
    "S022": [f"{b}{w}{rest}\n" for w in _NAMED for b in _BEFORE for rest in ("", " « x »")],
    # A field declaration without its type: « personne : ».
    "S023": [f"{b}personne :\n" for b in _BEFORE],
    # Something follows a complete expression (« >= 10 15 », « par an an »).
    "S024": [
        "indicateur x\nnombre(a) >= 10 15\n",
        "indicateur x\nnombre(a) >= 10 par an 3\n",
        "indicateur x\nnombre(a) >= 10 x\n",
    ],
    # A plan period must be years or dates: « période deux mille ».
    "S025": [f"{b}{w}{rest}\n" for w in _PERIOD for b in _BEFORE for rest in ("", " deux", " 2023 à")],
    # One closing parenthesis too many.
    "S029": [
        "indicateur x\nnombre(a)) >= 1\n",
        "indicateur x\nnombre(a) >= 1)\n",
        "indicateur x\nexiste(a))\n",
        "indicateur x\nnombre(a où b = 1)) >= 1\n",
        "indicateur x\nnombre(a où (b = 1))) >= 1\n",
    ],
    # A function without its parentheses: « nombre de formations >= 2 », « nombre formation ».
    "S030": [f"indicateur x\n{fn} a >= 1\n" for fn in _FUNCTIONS],
    # A node's number written after its label: « objectif opérationnel « Assurer » 1.1 ».
    "S031": [f"{b}objectif « a » {n}\n" for b in _BEFORE for n in ("1.1", "1")],
}

# A curated label that only fits some tokens: any other token gets the generic message.
CURATED_TOKEN_TYPES: dict[str, frozenset[str]] = {
    "S029": frozenset({"RPAR"}),
    "S031": frozenset({"SECNUM", "NUMBER"}),
}

# How terminals are named in messages (expected-token lists). Anonymous keywords show as text.
TERMINAL_NAMES: dict[str, str] = {
    "NAME": "un identifiant",
    "STRING": "un libellé entre « »",
    "NUMBER": "un nombre",
    "SECNUM": "un numéro (1.2)",
    "DATE": "une date (2023-06-30)",
    "PERCENT": "%",
    "_NL": "fin de ligne",
    "LPAR": "(",
    "RPAR": ")",
    "LSQB": "[",
    "RSQB": "]",
    "COMMA": ",",
    "SEMICOLON": ";",
    "COLON": ":",
    "DOT": ".",
    "MINUS": "-",
    "PLUS": "+",
    "STAR": "*",
    "SLASH": "/",
    "VBAR": "|",
    "MORETHAN": ">",
    "LESSTHAN": "<",
    "EQUAL": "=",
}


# Keywords of one language only: an expected-token list shows the reader's language alone.
# Alternative spellings (« distincts », « average », « periode ») are never listed.
ENGLISH_ONLY: frozenset[str] = frozenset(
    {
        "municipality", "period", "to", "legal", "basis", "meta", "levels", "granularity",
        "event", "optional", "unit", "indicator", "monitor", "per", "by", "and", "or", "not",
        "in", "between", "where", "true", "false", "yes", "no", "count", "sum", "avg",
        "exists", "share",
    }
)  # fmt: skip
FRENCH_ONLY: frozenset[str] = frozenset(
    {
        "commune", "période", "à", "base", "légale", "méta", "niveaux", "granularité",
        "événement", "optionnel", "unité", "indicateur", "suivi", "par", "avant", "le", "et",
        "ou", "non", "pas", "dans", "entre", "où", "vrai", "faux", "oui", "nombre", "somme",
        "moyenne", "existe", "part",
    }
)  # fmt: skip
# Symbols in the order a reader looks for them; the Unicode variants (≥, ≤, ≠, <>, ×) are
# accepted but never listed.
SYMBOL_ORDER: tuple[str, ...] = (">=", "<=", ">", "<", "=", "!=", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ";", ":", "|", ".", "..")  # fmt: skip
ALTERNATIVE_SPELLINGS: frozenset[str] = frozenset(
    {"distincts", "average", "periode", "legale", "evenement", "granularite", "unite"}
)
# Terminals never listed: other words for what the list already shows (« au moins » for >=).
HIDDEN_TERMINALS: frozenset[str] = frozenset(
    {"AT_LEAST", "AT_MOST", "TREND_DOWN", "TREND_UP", "TREND_STABLE"}
)
# Newer functions, not listed among what may come next (the lists stay short): « dernier ».
HIDDEN_KEYWORDS: frozenset[str] = frozenset({"dernier", "dernière", "derniere", "latest"})

# The same names in English messages.
TERMINAL_NAMES_EN: dict[str, str] = {
    "NAME": "an identifier",
    "STRING": "a label in quotes",
    "NUMBER": "a number",
    "SECNUM": "a number (1.2)",
    "DATE": "a date (2023-06-30)",
    "_NL": "end of line",
}


def expected_lists(terminals: object, keyword_texts: dict[str, str]) -> tuple[str, str, list[str]]:
    """What may come next, for French and for English readers, and the keywords among it.

    Keywords come first, in alphabetical order, then symbols, then kinds of token (« un
    nombre »), then the end of the line.
    """
    names = sorted(terminals) if isinstance(terminals, set | frozenset | list | tuple) else []
    names = [name for name in names if name not in HIDDEN_TERMINALS]
    keywords: list[str] = []
    symbols: list[str] = []
    kinds: list[str] = []
    for name in names:
        text = keyword_texts.get(name)
        if name in TERMINAL_NAMES and not (text and text[:1].isalpha()):
            (kinds if name in TERMINAL_NAMES_EN else symbols).append(name)
        elif text and text[:1].isalpha():
            keywords.append(text.lower())
        elif text:
            symbols.append(name)
        else:
            kinds.append(name)
    keywords = sorted(set(keywords) - ALTERNATIVE_SPELLINGS - HIDDEN_KEYWORDS)
    shown_symbols = {TERMINAL_NAMES.get(n) or keyword_texts.get(n, "") for n in symbols}
    order = list(TERMINAL_NAMES_EN)
    kinds.sort(key=lambda n: order.index(n) if n in order else len(order))

    def show(lang: str) -> str:
        skip = ENGLISH_ONLY if lang == "fr" else FRENCH_ONLY
        parts = [f"« {k} »" if lang == "fr" else f"'{k}'" for k in keywords if k not in skip]
        parts += [text for text in SYMBOL_ORDER if text in shown_symbols]
        for n in kinds:
            parts.append(
                TERMINAL_NAMES.get(n, n.lower()) if lang == "fr" else TERMINAL_NAMES_EN.get(n, n.lower())
            )
        return ", ".join(dict.fromkeys(parts))

    return show("fr"), show("en"), keywords


def display_terminal(name: str, keyword_texts: dict[str, str]) -> str:
    """A terminal's name for people: `RPAR` → `)`, `NAME` → `un identifiant`, `__ANON_1` → `« à »`."""
    if name in TERMINAL_NAMES:
        return TERMINAL_NAMES[name]
    keyword = keyword_texts.get(name)
    return f"« {keyword} »" if keyword else name.lower()
