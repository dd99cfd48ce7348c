"""Curated syntax errors: example mistakes mapped to message codes, and terminal display names.

Lark reports the parser state where a line broke; `UnexpectedInput.match_examples` compares it
with the states these examples break in. The first group whose example breaks in the same state
wins, and an example that breaks on the very same token wins over any other, so the generic
group of a state comes before its special cases. No Lark import here: this is data.
"""

from __future__ import annotations

CURATED_EXAMPLES: dict[str, list[str]] = {
    # A value is missing after a comparator (« nombre(x) >= »).
    "S005": ["indicateur x\nnombre(a) >= \n", "indicateur x\nnombre(a où b = ) >= 1\n"],
    # `>/=` or `</=` pasted from the Word document.
    "S010": ["indicateur x\nnombre(a) >/= 10\n", "indicateur x\nnombre(a) </= 10\n"],
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
    "S013": ["indicateur x\nnombre(a où b dans c) >= 1\n", "indicateur x\nnombre(a où b dans (c)) >= 1\n"],
    # An unclosed list.
    "S014": [
        "indicateur x\nnombre(a où b dans [c, d) >= 1\n",
        "indicateur x\nnombre(a où b dans [c d]) >= 1\n",
    ],
    # An unknown function name: « nombr(x) ».
    "S015": ["indicateur x\nnombr(a) >= 3\n", "indicateur x\nnombre(a) + compte(b) >= 3\n"],
    # A deadline needs a full date.
    "S018": ["indicateur x\nexiste(a) avant 2023\n", "indicateur x\nexiste(a) avant le 2023\n"],
    # « entre X et Y »: the « et » is missing.
    "S019": ["indicateur x\nnombre(a) entre 3 5\n"],
    # A label in quotes is expected (plan, commune, notes...).
    "S020": ["plan\n", "plan Contrat\n", "commune Molenbeek\n", "note\n", "note texte\n"],
    # A node's label is missing or unquoted: « objectif opérationnel 1.1 Assurer ».
    "S021": ["objectif opérationnel 1.1\n", "objectif opérationnel 1.1 Assurer le suivi\n"],
    # An identifier is expected after « indicateur » or « événement ».
    "S022": ["indicateur « x »\n", "événement « x »\n", "indicateur\n", "événement\n"],
    # A field declaration without its type: « personne : ».
    "S023": ["personne :\n", "personne : \n"],
    # Something follows a complete expression (« >= 10 15 », « par an an »).
    "S024": [
        "indicateur x\nnombre(a) >= 10 15\n",
        "indicateur x\nnombre(a) >= 10 par an 3\n",
        "indicateur x\nnombre(a) >= 10 x\n",
    ],
    # A plan period must be years or dates: « période deux mille ».
    "S025": ["période\n", "période deux\n", "période 2023 à\n"],
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


def display_terminal(name: str, keyword_texts: dict[str, str]) -> str:
    """A terminal's name for people: `RPAR` → `)`, `NAME` → `un identifiant`, `__ANON_1` → `« à »`."""
    if name in TERMINAL_NAMES:
        return TERMINAL_NAMES[name]
    keyword = keyword_texts.get(name)
    return f"« {keyword} »" if keyword else name.lower()
