"""The mistakes officers make, and what the checker tells them.

Each case is one mistake: the plan line as the officer wrote it, the carets the checker must
draw under it, the code, the message and the suggestion (in French, and in English for some).
Then the robustness cases: layouts and encodings that must not be errors, or whose errors must
still point at the right line and column.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicateurs import Diagnostic, PlanError, Severity, analyse, load_plan
from indicateurs.diagnostics import render_diagnostic
from indicateurs.messages import _M as MESSAGES  # the message table itself, for consistency checks
from indicateurs.model import InList, walk

# Eight lines; the line under test is line 9.
HEAD = """\
période 2023
événement formation « Formation »
  participants : entier
  public : texte optionnel
  catégorie : colloque | atelier
  certifiante : booléen
secteur d'activité 1 « Secteur »
indicateur a « A »
"""
BODY_LINE = 9


@attrs.frozen
class Case:
    """One mistake. `source` is the faulty line as written, `caret` the marks expected under it."""

    title: str
    text: str  # the whole plan
    line: int
    source: str
    caret: str
    code: str
    message: str
    suggestion: str | None
    message_en: str | None = None
    suggestion_en: str | None = None

    @property
    def column(self) -> int:
        return len(self.caret) - len(self.caret.lstrip(" \t")) + 1


def body(
    source: str, caret: str, code: str, message: str, suggestion: str | None, title: str, **en: str
) -> Case:
    """A mistake on the line after HEAD."""
    return Case(title, HEAD + source + "\n", BODY_LINE, source, caret, code, message, suggestion, **en)


def whole(
    text: str, line: int, caret: str, code: str, message: str, suggestion: str | None, title: str, **en: str
) -> Case:
    """A mistake anywhere in a plan of its own; `line` is 1-based."""
    source = text.split("\n")[line - 1]
    return Case(title, text, line, source, caret, code, message, suggestion, **en)


CASES: list[Case] = [
    body(
        "  nombre(formation >= 3",
        "                   ^^",
        "S011",
        "parenthèse non fermée",
        "ajoutez « ) » à la fin de l'agrégat, par exemple « nombre(formation) >= 2 »",
        "missing closing parenthesis",
        message_en="unclosed parenthesis",
        suggestion_en="add ')' at the end of the aggregate, for example 'count(formation) >= 2'",
    ),
    body(
        "indicatuer x « Nombre de formations »",
        "^^^^^^^^^^",
        "C133",
        "mot inconnu « indicatuer » en début de ligne",
        "vouliez-vous dire « indicateur » ?",
        "misspelt keyword",
        message_en="unknown word 'indicatuer' at the start of the line",
        suggestion_en="did you mean 'indicateur'?",
    ),
    body(
        "  nombre(formaton) >= 3 par an",
        "  ^^^^^^^^^^^^^^^^",
        "C101",
        "type d'événement inconnu « formaton »",
        "vouliez-vous dire « formation » ?",
        "unknown event type, close to a known one",
        message_en="unknown event type 'formaton'",
        suggestion_en="did you mean 'formation'?",
    ),
    body(
        "  nombre(reunion) >= 3",
        "  ^^^^^^^^^^^^^^^",
        "C101",
        "type d'événement inconnu « reunion »",
        "déclarez-le avec « événement reunion » (types connus : formation)",
        "unknown event type, nothing close",
    ),
    body(
        "  nombre(formation où particpants > 2) >= 1",
        "                      ^^^^^^^^^^^",
        "C102",
        "champ inconnu « particpants » pour l'événement « formation »",
        "vouliez-vous dire « participants » ?",
        "unknown field",
        message_en="unknown field 'particpants' for event 'formation'",
        suggestion_en="did you mean 'participants'?",
    ),
    body(
        "  nombre(formation où catégorie = coloque) >= 1",
        "                                  ^^^^^^^",
        "C103",
        "valeur « coloque » inconnue pour le champ « catégorie »",
        "vouliez-vous dire « colloque » ? (valeurs : colloque, atelier)",
        "unknown enumeration value",
        message_en="unknown value 'coloque' for field 'catégorie'",
        suggestion_en="did you mean 'colloque'? (values: colloque, atelier)",
    ),
    body(
        "  nombre(formation) >/= 10/an",
        "                    ^^^",
        "S010",
        "« >/= » n'est pas un comparateur du langage",
        "écrivez « >= » (comparateurs : >=, <=, >, <, =, !=) et la période en mots : « >= 10 par an »",
        ">/= pasted from the Word document",
        message_en="'>/=' is not a comparison of the language",
        suggestion_en="write '>=' (comparisons: >=, <=, >, <, =, !=) and the period in words: '>= 10 per year'",
    ),
    body(
        "  nombre(formation) >/=à 3/an",
        "                    ^^^",
        "S010",
        "« >/= » n'est pas un comparateur du langage",
        "écrivez « >= » (comparateurs : >=, <=, >, <, =, !=) et la période en mots : « >= 10 par an »",
        ">/=à glued to the number, as in the Word document",
    ),
    body(
        "  nombre(formation) </= 10",
        "                    ^^^",
        "S010",
        "« </= » n'est pas un comparateur du langage",
        "écrivez « <= » (comparateurs : >=, <=, >, <, =, !=) et la période en mots : « <= 10 par an »",
        "</= pasted from the Word document",
    ),
    body(
        "  nombre(formation) => 10",
        "                    ^^",
        "S010",
        "« => » n'est pas un comparateur du langage",
        "écrivez « >= » (comparateurs : >=, <=, >, <, =, !=) et la période en mots : « >= 10 par an »",
        "comparator written backwards",
    ),
    body(
        "  nombre(formation) > = 10",
        "                    ^^^",
        "S010",
        "« > = » n'est pas un comparateur du langage",
        "écrivez « >= » (comparateurs : >=, <=, >, <, =, !=) et la période en mots : « >= 10 par an »",
        "space inside a comparator",
    ),
    body(
        "  nombre(formation) >= 10/an",
        "                          ^^",
        "C139",
        "« /an » n'est pas une période du langage",
        "écrivez la période en mots après la cible : « >= 10 par an »",
        "10/an",
        message_en="'/an' is not a period of the language",
        suggestion_en="write the period in words after the target: '>= 10 per year'",
    ),
    body(
        "  nombre(formation) >= 10 par ans",
        "                              ^^^",
        "S016",
        "période inconnue « ans »",
        "vouliez-vous dire « an » ? (périodes : an, semestre, trimestre, mois)",
        "par ans",
        message_en="unknown period 'ans'",
        suggestion_en="did you mean 'an'? (periods: year, semester, quarter, month)",
    ),
    body(
        "indicateur b « Nombre de formations",
        "             ^",
        "S002",
        "libellé non fermé : il manque le guillemet fermant » sur cette ligne",
        "un libellé tient sur une ligne : fermez-le par » avant la fin de la ligne",
        "unclosed quote",
        message_en="unclosed label: the closing quote » is missing on this line",
    ),
    body(
        "  somme(formation.public) >= 3",
        "  ^^^^^^^^^^^^^^^^^^^^^^^",
        "C104",
        "« somme » demande un champ numérique ; « public » est de type texte",
        "champs numériques de cet événement : participants ; pour compter, utilisez nombre(…) ou distinct(…)",
        "sum over a text field",
        message_en="'sum' needs a numeric field; 'public' is of type text",
    ),
    whole(
        HEAD + "  existe(formation)\nindicateur a « Deuxième A »\n  nombre(formation) >= 2\n",
        10,
        "           ^",
        "C106",
        "identifiant d'indicateur « a » déjà utilisé (ligne 8)",
        "donnez un identifiant unique à chaque indicateur, par exemple « a_2 »",
        "duplicate indicator ids",
        message_en="indicator id 'a' already used (line 8)",
    ),
    whole(
        "période 2023\nsecteur d'activité 1 « S »\n  objectif général « G »\n"
        "    objectif stratégique 1.1 « Premier »\n    objectif stratégique 1.1 « Second »\n",
        5,
        "                         ^^^",
        "C107",
        "numéro 1.1 déjà utilisé pour un « objectif stratégique » (ligne 4)",
        "renumérotez l'un des deux",
        "duplicate node numbers",
    ),
    whole(
        "période 2023\nsecteur d'activité 1 « S »\n  objectif stratégique 2.1 « Sous le secteur 1 »\n",
        3,
        "                       ^^^",
        "C108",
        "le numéro 2.1 ne prolonge pas celui de son parent « secteur d'activité » 1 (ligne 2)",
        "un « objectif stratégique » placé sous 1 se numérote 1.1, 1.2, …",
        "numbering contradicting the hierarchy",
        message_en="number 2.1 does not extend its parent's 'secteur d'activité' 1 (line 2)",
        suggestion_en="a 'objectif stratégique' under 1 is numbered 1.1, 1.2, …",
    ),
    whole(
        HEAD + "  nombre(formation) >= 2\nindicateur b « B »\n  aa et existe(formation)\n",
        11,
        "  ^^",
        "C109",
        "indicateur inconnu « aa »",
        "vouliez-vous dire « a » ?",
        "undefined reference, close to an indicator",
        message_en="unknown indicator 'aa'",
        suggestion_en="did you mean 'a'?",
    ),
    body(
        "  nombre(formation) >= deux",
        "                       ^^^^",
        "C109",
        "indicateur inconnu « deux »",
        "un nom seul désigne un autre indicateur ; pour compter des événements, écrivez nombre(deux)",
        "a number written in words is read as a reference",
    ),
    whole(
        HEAD + "  b et existe(formation)\nindicateur b « B »\n  c\nindicateur c « C »\n  a\n",
        13,
        "  ^",
        "C110",
        "référence circulaire entre indicateurs : a → b → c → a",
        "un indicateur ne peut dépendre de lui-même ; supprimez une des références",
        "circular reference",
        message_en="circular reference between indicators: a → b → c → a",
    ),
    body(
        "  nombre(formation) < 0",
        "  ^^^^^^^^^^^^^^^^^^^^^",
        "C111",
        "cette cible ne peut jamais être atteinte : la valeur mesurée est comprise entre 0 et ∞",
        "vérifiez le sens du comparateur et la valeur de la cible",
        "count(x) < 0 is never met",
        message_en="this target can never be met: the measured value lies between 0 and ∞",
    ),
    body(
        "  part(formation où certifiante) >= 150 %",
        "  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "C111",
        "cette cible ne peut jamais être atteinte : la valeur mesurée est comprise entre 0 et 1",
        "vérifiez le sens du comparateur et la valeur de la cible",
        "a share above 100 %",
    ),
    whole(
        "période 2023\ngranularité trimestre\névénement formation « F »\nindicateur a « A »\n"
        "  nombre(formation) >= 1 par mois\n",
        5,
        "                             ^^^^",
        "C112",
        "période « mois » plus fine que la granularité du plan (trimestre)",
        "utilisez une période au moins égale à la granularité, ou changez la ligne « granularité »",
        "period finer than the granularity",
        message_en="period 'month' is finer than the plan's granularity (quarter)",
    ),
    whole(
        "plan « Plan sans période »\névénement formation « F »\n",
        1,
        "^",
        "C120",
        "la période du plan n'est pas déclarée",
        "ajoutez en tête du fichier une ligne « période 2023 » (ou « période 2020 à 2025 »)",
        "missing période",
        message_en="the plan period is not declared",
        suggestion_en="add a line 'period 2023' (or 'period 2020 to 2025') at the top of the file",
    ),
    body(
        "  nombre(formation où certifiante = non) >= 1",
        "                                    ^^^",
        "C145",
        "« non » est la négation ; la valeur fausse s'écrit « faux »",
        "écrivez « = faux » (ou « = vrai »)",
        "= non on a boolean",
        message_en="'non' is the negation; the false value is written 'false'",
    ),
    body(
        "indicateur somme « Somme des participants »",
        "           ^^^^^",
        "C117",
        "« somme » est un mot réservé du langage et ne peut pas servir d'identifiant",
        "choisissez un autre nom, par exemple « somme_1 »",
        "reserved word as an indicator id",
        message_en="'somme' is a reserved word and cannot be used as an identifier",
    ),
    whole(
        "période 2023\névénement event « E »\n",
        2,
        "          ^^^^^",
        "C117",
        "« event » est un mot réservé du langage et ne peut pas servir d'identifiant",
        "choisissez un autre nom, par exemple « event_1 »",
        "reserved word as an event type",
    ),
    whole(
        HEAD + "  existe(formation)\nobjectif général « G »\n  durée : décimal\n",
        11,
        "  ^^^^^^^^^^^^^^^",
        "C115",
        "champ « durée » déclaré hors d'un événement",
        "placez les champs juste sous la ligne « événement … » qu'ils décrivent",
        "a field outside an event",
        message_en="field 'durée' declared outside an event",
    ),
    whole(
        "période 2023\névénement formation « F »\nsecteur d'activité 1 « S »\n  nombre(formation) >= 2 par an\n",
        4,
        "  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "C114",
        "expression sans indicateur",
        "placez l'expression sous une ligne « indicateur identifiant « libellé » »",
        "an expression outside an indicator",
        message_en="expression without an indicator",
    ),
    body(
        "  existe(formation) avant le 31/02/2023",
        "                             ^^^^^^^^^^",
        "S017",
        "date impossible « 31/02/2023 »",
        "vérifiez le jour et le mois : 2023-06-30 ou 30/06/2023",
        "an impossible date",
        message_en="impossible date '31/02/2023'",
    ),
    whole(
        "période 2023\névénement formation « F »\n  jour : date\nindicateur a « A »\n"
        "  nombre(formation où jour < 2023-13-01) >= 1\n",
        5,
        "                             ^^^^^^^^^^",
        "S017",
        "date impossible « 2023-13-01 »",
        "vérifiez le jour et le mois : 2023-06-30 ou 30/06/2023",
        "an impossible date in a condition",
    ),
    body(
        "  Oui/Non",
        "  ^^^^^^^",
        "S027",
        "« Oui/Non » n'est pas une expression : c'est le type de réponse du document d'origine",
        "écrivez la condition qui rend l'indicateur vrai, par exemple « existe(formation) » ou "
        "« nombre(formation) >= 1 »",
        "Oui/Non pasted as the expression",
    ),
    body(
        "  existe(formation) : Oui/Non",
        "                    ^",
        "S003",
        "« : » inattendu ici",
        "attendu ici : « avant », « entre », « et », « ou », « par », >=, <=, >, <, =, !=, +, -, *, /, fin de ligne",
        "the end of the Word wording pasted after the expression",
    ),
    body(
        "  existe(formation) etb",
        "                    ^^^",
        "S026",
        "mot inattendu « etb »",
        "un mot-clé est un mot entier : si vous vouliez « et », séparez-le de « b » par une espace ; "
        "sinon retirez ce mot",
        "a keyword glued to the next word",
        message_en="unexpected word 'etb'",
    ),
    body(
        "  nombre de formations >= 2",
        "  ^^^^^^",
        "S030",
        "« nombre » s'écrit avec des parenthèses autour du type d'événement",
        "écrivez par exemple « nombre(formation) » : le libellé officiel va entre « » sur la ligne « indicateur »",
        "the official wording pasted as the expression",
    ),
    body(
        "  nombre(formation)) >= 2",
        "                   ^",
        "S029",
        "parenthèse fermante « ) » en trop",
        "retirez cette parenthèse, ou ajoutez la « ( » qui lui correspond",
        "one closing parenthesis too many",
    ),
    body(
        "  nombr(formation) >= 2",
        "  ^^^^^",
        "S015",
        "fonction inconnue « nombr »",
        "fonctions connues : nombre, distinct, somme, moyenne, min, max, existe, part",
        "unknown function",
        message_en="unknown function 'nombr'",
        suggestion_en="known functions: count, distinct, sum, avg, min, max, exists, share",
    ),
    body(
        "  nombre(formation) >= ",
        "                       ^",
        "S005",
        "valeur manquante après le comparateur",
        "écrivez la cible après le comparateur, par exemple « >= 10 »",
        "missing target",
    ),
    body(
        "  nombre(formation où catégorie dans colloque, atelier) >= 1",
        "                                     ^^^^^^^^",
        "S013",
        "après « dans », la liste de valeurs doit être entre crochets",
        "écrivez « dans [colloque, formation] »",
        "list without brackets",
    ),
    body(
        "  nombre(formation) entre 3 5",
        "                            ^",
        "S019",
        "« entre » demande deux bornes reliées par « et »",
        "écrivez « entre 3 et 5 »",
        "between without and",
    ),
    body(
        "  nombre(formation) entre 5 et 3",
        "                          ^^^^^^",
        "C150",
        "bornes à l'envers dans « entre »",
        "écrivez la plus petite borne d'abord : « entre 3 et 5 »",
        "reversed bounds",
    ),
    body(
        "  existe(formation) avant le 2023",
        "                             ^^^^",
        "S018",
        "une échéance demande une date complète",
        "écrivez « avant le 2023-06-30 » ou « avant le 30/06/2023 »",
        "a deadline with a year only",
    ),
    body(
        "  nombre(formation où public = 'élus') >= 1",
        "                               ^",
        "S028",
        'apostrophe inattendue « \' » : un texte se met entre « » ou entre " "',
        "écrivez par exemple « colloque » ou \"colloque\" ; une apostrophe n'est permise qu'à "
        "l'intérieur d'un mot (d'activité)",
        "text in single quotes",
    ),
    body(
        "  nombre(formation où public = élus) >= 1",
        "                               ^^^^",
        "C146",
        "texte sans guillemets « élus »",
        "écrivez le texte entre guillemets : « élus »",
        "unquoted text value",
    ),
    body(
        "  moyenne(formation) >= 2",
        "  ^^^^^^^^^^^^^^^^^^",
        "C125",
        "« moyenne » porte sur un champ de l'événement « formation »",
        "écrivez « moyenne(formation.participants) »",
        "average of an event instead of a field",
        message_en="'avg' applies to a field of event 'formation'",
        suggestion_en="write 'avg(formation.participants)'",
    ),
    body(
        "  suivi existe(formation)",
        "        ^^^^^^^^^^^^^^^^^",
        "C135",
        "« suivi » s'applique à une valeur, pas à une condition (indicateur « a »)",
        "retirez « suivi » pour un indicateur Oui/Non, ou suivez une valeur : « suivi nombre(x) »",
        "monitoring a yes/no condition",
    ),
    body(
        "objectif 1.1 « Objectif »",
        "^^^^^^^^",
        "C113",
        "niveau inconnu « objectif »",
        "vouliez-vous dire « objectif général » ?",
        "unknown level",
    ),
    body(
        "objectif stratégique 1.1 Sensibiliser autour du phénomène",
        "                         ^^^^^^^^^^^^",
        "S021",
        "le libellé du niveau doit être entre guillemets",
        "écrivez par exemple : objectif opérationnel 1.1.2 « Assurer le suivi … »",
        "unquoted node label",
    ),
    body(
        "objectif stratégique « Sensibiliser » 1.1",
        "                                      ^^^",
        "S031",
        "le numéro d'un niveau se place avant son libellé",
        "écrivez par exemple : objectif opérationnel 1.1.2 « Assurer le suivi … »",
        "number after the label",
    ),
    whole(
        "période 2023\névénement formation « F »\n  jour : dat\n",
        3,
        "         ^^^",
        "C118",
        "type de champ inconnu « dat »",
        "vouliez-vous dire « date » ?",
        "unknown field type",
    ),
    whole(
        "période 2023\névénement formation « F »\n  jour : date optionel\n",
        3,
        "              ^^^^^^^^",
        "S003",
        "« optionel » inattendu ici",
        "vouliez-vous dire « optionnel » ? (attendu ici : « optionnel », |, fin de ligne)",
        "misspelt optionnel",
        message_en="unexpected 'optionel' here",
        # The guess is the keyword the officer was spelling, whatever the language of the message.
        suggestion_en="did you mean 'optionnel'? (expected here: 'optional', |, end of line)",
    ),
    whole(
        "période 2023\ncommune Molenbeek\n",
        2,
        "        ^^^^^^^^^",
        "S020",
        "libellé attendu entre guillemets",
        "mettez le texte entre « » : plan « Contrat de sécurité et de société »",
        "unquoted commune",
    ),
    whole(
        "période 2023\nindicateur « Nombre de formations »\n",
        2,
        "           ^^^^^^^^^^^^^^^^^^^^^^^^",
        "S022",
        "identifiant attendu",
        "donnez un nom court sans espace puis le libellé : indicateur prises_en_charge « Nombre de prises en charge »",
        "indicator without id",
    ),
    whole(
        "période 2025 à 2023\n",
        1,
        "        ^^^^^^^^^^^",
        "C123",
        "période à l'envers : 2025 est après 2023",
        "écrivez la première année d'abord : « période 2023 à 2025 »",
        "reversed period",
    ),
    whole(
        "période 2023-02-30\n",
        1,
        "        ^^^^^^^^^^",
        "C122",
        "borne de période invalide « 2023-02-30 »",
        "une année (2023) ou une date (2023-04-01)",
        "impossible period date",
    ),
    whole(
        "période 2023\npériode 2024\n",
        2,
        "^^^^^^^^^^^^",
        "C129",
        "« période » est déjà déclaré (ligne 1)",
        "gardez une seule ligne « période »",
        "two periods",
    ),
    whole(
        "période 2023\névénement enquête « E »\n  réponse : oui | non | ne_sait_pas\n",
        3,
        "            ^^^^^^^^^^^^^^^^^^^^^^^",
        "C154",
        "mot réservé du langage parmi les valeurs du champ « réponse » : « oui », « non »",
        "choisissez d'autres mots (« oui_1 ») ; pour une réponse oui/non, déclarez le champ « booléen »",
        "a reserved word as an enumeration value",
    ),
    whole(
        "période 2023\nniveaux « objectif » > « plan d'action »\n",
        2,
        "                       ^^^^^^^^^^^^^^^^^",
        "C155",
        "le niveau « plan d'action » contient le mot réservé « plan » : ses lignes ne pourraient pas être lues",
        "renommez le niveau sans ce mot, par exemple « action » plutôt que « plan d'action »",
        "a reserved word in a level name",
        message_en="level 'plan d'action' contains the reserved word 'plan': its lines could not be read",
    ),
    body(
        "  nombre(formation où participants dans [1,2,3]) >= 1",
        "                                         ^^^",
        "C156",
        "« 1,2 » dans une liste se lit comme un seul nombre décimal",
        "pour deux valeurs, écrivez « 1; 2 » ou « 1, 2 » (avec une espace) ; pour le décimal, écrivez « 1.2 »",
        "a list of numbers without spaces after the commas",
        message_en="'1,2' in a list reads as a single decimal number",
    ),
    body(
        "  nombre(formation) >= 2 » par an",
        "                         ^",
        "S032",
        "guillemet fermant » sans guillemet ouvrant",
        "ouvrez le libellé par « : un libellé s'écrit « … » sur une ligne",
        "stray closing guillemet",
        message_en="closing quote » without an opening quote",
    ),
    body(
        "  existe(formation) @",
        "                    ^",
        "S001",
        "caractère inattendu « @ »",
        "supprimez ce caractère ou mettez le texte entre « » s'il fait partie d'un libellé",
        "unexpected character",
        message_en="unexpected character '@'",
    ),
    body(
        "  existe(formation) \u2028",
        "                    ^",
        "S001",
        "caractère inattendu « U+2028 »",
        "supprimez ce caractère ou mettez le texte entre « » s'il fait partie d'un libellé",
        "an invisible character is named by its code point",
    ),
    body(
        "  nombre(formation où catégorie = « colloque ») >= 1",
        "                                  ^^^^^^^^^^^^",
        "C152",
        "les espaces à l'intérieur des guillemets font partie du texte comparé (« colloque » entouré d'espaces)",
        'collez le texte aux guillemets : «colloque» ou "colloque"',
        "guillemets with spaces around an enumeration value",
    ),
    # Mistakes about one part of a line: the caret goes under that part, not the line start.
    whole(
        "period 2023\ngranularity quarter\nevent training « T »\nindicator a « A »\n"
        "  monitor count(training) per month by 2023-06-30\n",
        5,
        "                              ^^^^^",
        "C112",
        "période « mois » plus fine que la granularité du plan (trimestre)",
        "utilisez une période au moins égale à la granularité, ou changez la ligne « granularité »",
        "period finer than the granularity, in English, before a deadline",
        message_en="period 'month' is finer than the plan's granularity (quarter)",
        suggestion_en="use a period at least as long as the granularity, or change the 'granularity' line",
    ),
    whole(
        "période 2023 à 2023-02-30\n",
        1,
        "               ^^^^^^^^^^",
        "C122",
        "borne de période invalide « 2023-02-30 »",
        "une année (2023) ou une date (2023-04-01)",
        "impossible date as the second bound",
        message_en="invalid period bound '2023-02-30'",
    ),
    whole(
        "période 2023-12-31 .. 2023-01-01\n",
        1,
        "        ^^^^^^^^^^^^^^^^^^^^^^^^",
        "C123",
        "période à l'envers : 2023-12-31 est après 2023-01-01",
        "écrivez la première année d'abord : « période 2023-01-01 à 2023-12-31 »",
        "reversed period of dates",
    ),
    whole(
        "période 2023\nniveaux « objectif » > « pôle » > « Objectif »\n",
        2,
        "                                  ^^^^^^^^^^^^",
        "C132",
        "niveau « Objectif » déclaré deux fois",
        "chaque niveau n'apparaît qu'une fois dans « niveaux »",
        "a level declared twice",
        message_en="level 'Objectif' declared twice",
    ),
    whole(
        "période 2023\névénement dossier « D »\n  date : texte\n",
        3,
        "  ^^^^",
        "C151",
        "« date » est déjà une colonne de tout événement (type, date, id, fin) et ne peut pas être un champ",
        "renommez le champ, par exemple « date_detail » ou « forme »",
        "a field named like a column of every event",
        suggestion_en="rename the field, for example 'date_detail'",
    ),
    whole(
        "période 2023\névénement dossier « D »\n  statut : texte\n  statut : ouvert | clos\n",
        4,
        "  ^^^^^^",
        "C116",
        "« statut » est déjà déclaré (ligne 3)",
        "supprimez ou renommez la seconde déclaration",
        "a field declared twice",
        message_en="'statut' is already declared (line 3)",
    ),
    whole(
        "période 2023\ngranularité trimestre cumulé\n",
        2,
        "            ^^^^^^^^^^^^^^^^",
        "S016",
        "période inconnue « cumulé »",
        "vouliez-vous dire « trimestre » ? (périodes : an, semestre, trimestre, mois)",
        "a year to date as the plan's granularity",
    ),
    whole(
        "période 2023\névénement dossier « D »\n  reçu : date\n  délai : durée de recu à fin en jours ouvrables\n",
        4,
        "                   ^^^^",
        "C214",
        "« recu » n'est pas une date de l'événement : la durée « délai » se compte entre deux de ses dates",
        "vouliez-vous dire « reçu » ? (dates de l'événement : reçu, « date », « fin »)",
        "unknown first date of a duration",
        message_en="'recu' is not a date of the event: duration 'délai' is counted between two of its dates",
        suggestion_en="did you mean 'reçu'? (dates of the event: reçu, 'date', 'fin')",
    ),
    whole(
        "period 2023\nevent case « C »\n  received : date\n"
        "  delay : duration from received to closed in working days\n",
        4,
        "                                    ^^^^^^",
        "C214",
        "« closed » n'est pas une date de l'événement : la durée « delay » se compte entre deux de ses dates",
        "une durée va d'un champ « date » de l'événement à un autre (ou de « date » à « fin ») : received",
        "unknown second date of a duration, in English, nothing close",
        suggestion_en="a duration goes from one 'date' field of the event to another (or from 'date' to 'fin'): received",
    ),
    whole(
        "période 2023\nvaleur de référence jeunes « Jeunes » = table « absente-g7.csv »\n",
        2,
        " " * 46 + "^" * 18,
        "C211",
        "table « absente-g7.csv » introuvable (absente-g7.csv)",
        "placez le fichier CSV à côté du plan, ou écrivez son chemin depuis le dossier du plan",
        "a table that is not there",
        message_en="table 'absente-g7.csv' not found (absente-g7.csv)",
    ),
    body(
        "  somme(formation.participans) >= 3",
        "                  ^^^^^^^^^^^",
        "C102",
        "champ inconnu « participans » pour l'événement « formation »",
        "vouliez-vous dire « participants » ?",
        "unknown field of a sum",
        message_en="unknown field 'participans' for event 'formation'",
    ),
    whole(
        "période 2023\névénement action « A »\n  quartier : texte\nindicateur a « A »\n"
        "  part(action.quartir ayant au moins 4) >= 80 %\n",
        5,
        "              ^^^^^^^",
        "C102",
        "champ inconnu « quartir » pour l'événement « action »",
        "vouliez-vous dire « quartier » ?",
        "unknown field of a share of units",
    ),
    whole(
        "période 2023\névénement action « A »\n  quartier : texte\nindicateur a « A »\n"
        "  moyenne(action.quartier ayant au moins 4) >= 1\n",
        5,
        "  ^^^^^^^",
        "C223",
        "« moyenne(… ayant …) » : seuls « part » et « nombre » comptent des unités",
        "écrivez « part(action.quartier ayant au moins 4) » (la proportion des unités) ou « nombre(…) » (leur nombre)",
        "units counted by an average",
    ),
    whole(
        "période 2019 à 2021\névénement f « F »\nindicateur a « A »\n  nombre(f) en baisse de 10 %\n",
        4,
        "            ^^^^^^^^^^^^^^^^^",
        "C222",
        "« en baisse », « en hausse » ou « stable » sans année de référence compare chaque période à la "
        "précédente : il faut des périodes (indicateur « a »)",
        "ajoutez « par an » (ou « par trimestre »…), ou une référence : « par rapport à 2022 »",
        "a change without baseline nor periods",
    ),
    whole(
        "period 2019 to 2021\nevent f « F »\nindicator a « A »\n  count(f) stable within ± 5 % # note\n",
        4,
        "           ^^^^^^^^^^^^^^^^^^^",
        "C222",
        "« en baisse », « en hausse » ou « stable » sans année de référence compare chaque période à la "
        "précédente : il faut des périodes (indicateur « a »)",
        "ajoutez « par an » (ou « par trimestre »…), ou une référence : « par rapport à 2022 »",
        "a stable value without baseline nor periods, in English, before a comment",
        message_en="'down', 'up' or 'stable' without a baseline compares each period with the one before: "
        "periods are needed (indicator 'a')",
        suggestion_en="add 'per year' (or 'per quarter'…), or a baseline: 'vs 2022'",
    ),
]

# Warnings about one part of a line, drawn the same way.
WARNING_CASES: list[Case] = [
    whole(
        "période 2023\névénement formation « F »\nindicateur a « A »\n  existe(formation) avant le 30/06/2024\n",
        4,
        "                             ^^^^^^^^^^",
        "C124",
        "l'échéance 2024-06-30 est hors de la période du plan (2023-01-01 – 2023-12-31)",
        "vérifiez l'année de l'échéance",
        "deadline after the plan period",
        message_en="deadline 2024-06-30 is outside the plan period (2023-01-01 – 2023-12-31)",
        suggestion_en="check the year of the deadline",
    ),
    whole(
        "period 2023\ngranularity quarter\nevent training « T »\nindicator a « A »\n"
        "  count(training) >= 1 per quarter cumulative by 2022-12-31\n",
        5,
        "                                                 ^^^^^^^^^^",
        "C124",
        "l'échéance 2022-12-31 est hors de la période du plan (2023-01-01 – 2023-12-31)",
        "vérifiez l'année de l'échéance",
        "deadline before the plan period, after a two-word period",
    ),
    whole(
        "période 2023\névénement f « F »\nindicateur a « A »\n  nombre(f) >= 1 par exercice\n",
        4,
        "                     ^^^^^^^^",
        "C217",
        "« par exercice » (indicateur « a ») sans ligne « exercice » : l'exercice est l'année civile",
        "dites dans l'en-tête le mois où l'exercice commence, par exemple « exercice avril »",
        "fiscal years without the month they start in",
    ),
    whole(
        "period 2023\nevent f « F »\nindicator a « A »\n  count(f) >= 1 per fiscal year by 2023-06-30\n",
        4,
        "                    ^^^^^^^^^^^",
        "C217",
        "« par exercice » (indicateur « a ») sans ligne « exercice » : l'exercice est l'année civile",
        "dites dans l'en-tête le mois où l'exercice commence, par exemple « exercice avril »",
        "fiscal years without their month, in English, before a deadline",
        message_en="'per fiscal year' (indicator 'a') without a 'fiscal year' line: fiscal years are calendar years",
        suggestion_en="say in the header the month fiscal years start in, for example 'fiscal year april'",
    ),
]


def only_error(text: str) -> tuple[Diagnostic, PlanError]:
    with pytest.raises(PlanError) as info:
        load_plan(text, name="essai.plan")
    errors = info.value.errors
    assert len(errors) == 1, info.value.render("fr")
    return errors[0], info.value


def caret_of(rendered: str) -> str:
    """The caret line of a rendered diagnostic, without its gutter."""
    lines = rendered.split("\n")
    assert lines[2].startswith("       | "), rendered
    return lines[2][len("       | ") :]


def test_there_are_many_distinct_mistakes() -> None:
    assert len({(c.code, c.title) for c in CASES}) == len(CASES)
    assert len(CASES) >= 40
    assert len({c.code for c in CASES}) >= 35


@pytest.mark.parametrize("case", CASES, ids=[c.title for c in CASES])
def test_mistake(case: Case) -> None:
    diag, error = only_error(case.text)
    assert (diag.code, diag.line, diag.column) == (case.code, case.line, case.column), error.render("fr")
    assert diag.severity is Severity.ERROR
    assert diag.file == "essai.plan"
    assert diag.text("fr") == case.message
    assert diag.fix("fr") == case.suggestion
    if case.message_en is not None:
        assert diag.text("en") == case.message_en
    if case.suggestion_en is not None:
        assert diag.fix("en") == case.suggestion_en
    # The English text is a translation, never the French one, and no placeholder is left.
    assert diag.text("en") != diag.text("fr")
    for text in (diag.text("fr"), diag.text("en"), diag.fix("fr") or "", diag.fix("en") or ""):
        assert "{" not in text and "}" not in text
    # The rendering: position, the line as written, carets under the exact spot, the fix.
    rendered = render_diagnostic(diag, error.sources["essai.plan"], "fr")
    lines = rendered.split("\n")
    assert lines[0] == f"essai.plan:{case.line}:{case.column}: erreur[{case.code}]: {case.message}"
    shown = case.source.replace("\u2028", "\ufffd")  # a line separator would break the line
    assert lines[1] == f"  {case.line:>4} | {shown}"
    assert caret_of(rendered) == case.caret
    if case.suggestion is not None:
        assert lines[3] == f"       = suggestion : {case.suggestion}"
    assert error.render("fr") == rendered
    english = render_diagnostic(diag, error.sources["essai.plan"], "en")
    assert (
        english.split("\n")[0]
        == f"essai.plan:{case.line}:{case.column}: error[{case.code}]: {diag.text('en')}"
    )
    assert caret_of(english) == case.caret


@pytest.mark.parametrize("case", WARNING_CASES, ids=[c.title for c in WARNING_CASES])
def test_warning_points_at_its_part_of_the_line(case: Case) -> None:
    plan, diagnostics = analyse(case.text, "essai.plan")
    assert [(d.code, d.line, d.column, d.severity) for d in diagnostics] == [
        (case.code, case.line, case.column, Severity.WARNING)
    ]
    diag = diagnostics[0]
    assert (diag.text("fr"), diag.fix("fr")) == (case.message, case.suggestion)
    if case.message_en is not None:
        assert diag.text("en") == case.message_en
    if case.suggestion_en is not None:
        assert diag.fix("en") == case.suggestion_en
    rendered = render_diagnostic(diag, case.text, "fr")
    lines = rendered.split("\n")
    assert lines[0] == f"essai.plan:{case.line}:{case.column}: avertissement[{case.code}]: {case.message}"
    assert lines[1] == f"  {case.line:>4} | {case.source}"
    assert caret_of(rendered) == case.caret
    assert caret_of(render_diagnostic(diag, case.text, "en")) == case.caret
    assert len(plan.indicators) == 1  # a warning: the plan still loads


def test_spans_of_period_and_deadline_do_not_change_what_a_plan_means() -> None:
    """Two layouts of one plan: spans differ, plans compare equal (formatter round-trips rely on it)."""
    tight = (
        "période 2023\névénement f « F »\nindicateur a « A »\n  nombre(f) >= 1 par mois avant le 30/06/2023\n"
    )
    loose = tight.replace("par mois avant le", "par    mois   avant  le")
    first, second = load_plan(tight), load_plan(loose)
    assert first == second
    columns = []
    for plan in (first, second):
        period, deadline = plan.indicators[0].period_span, plan.indicators[0].deadline_span
        assert period is not None and deadline is not None
        columns.append((period.column, period.end_column, deadline.column))
    assert columns == [(22, 26, 36), (25, 29, 42)]


# Reference-value tables: the mistake is in a file next to the plan, the caret on the plan line
# goes under the table's name, or under the value's name when only its column is missing.
TABLE_LINE = "valeur de référence jeunes « Jeunes » = table « t.csv »"
TABLE_CARET = " " * 46 + "^" * 9  # « t.csv »
NAME_CARET = " " * 20 + "^" * 6  # jeunes


@pytest.mark.parametrize(
    ("table", "code", "caret", "message", "message_en"),
    [
        (
            "x;y;z\n2023;5;1\n",
            "C212",
            TABLE_CARET,
            "la table « t.csv » n'a pas de colonne année et « jeunes » (colonnes : x, y, z)",
            "table 't.csv' has no year column and 'jeunes' column (columns: x, y, z)",
        ),
        (
            "année;population;budget\n2023;5;1\n",
            "C212",
            NAME_CARET,
            "la table « t.csv » n'a pas de colonne année et « jeunes » (colonnes : année, population, budget)",
            "table 't.csv' has no year column and 'jeunes' column (columns: année, population, budget)",
        ),
        (
            "année;jeunes\n",
            "C212",
            TABLE_CARET,
            "la table « t.csv » n'a pas de colonne année et « jeunes » (colonnes : année, jeunes)",
            "table 't.csv' has no year column and 'jeunes' column (columns: année, jeunes)",
        ),
        (
            "année;jeunes\n2022;1 200\n2023;beaucoup\n",
            "C213",
            TABLE_CARET,
            "table « t.csv », ligne 3 : « beaucoup » n'est pas un nombre ou une année",
            "table 't.csv', row 3: 'beaucoup' is not a number or a year",
        ),
    ],
    ids=["no year column", "no column of the value", "no row", "not a number"],
)
def test_table_mistakes_point_at_the_table_or_the_value(
    tmp_path: Path, table: str, code: str, caret: str, message: str, message_en: str
) -> None:
    (tmp_path / "t.csv").write_text(table, encoding="utf-8")
    text = f"période 2023\n{TABLE_LINE}\n"
    name = str(tmp_path / "essai.plan")
    _, diagnostics = analyse(text, name)
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        (code, 2, len(caret) - len(caret.lstrip()) + 1)
    ]
    diag = diagnostics[0]
    assert (diag.text("fr"), diag.text("en")) == (message, message_en)
    rendered = render_diagnostic(diag, text, "fr")
    assert rendered.split("\n")[:2] == [
        f"{name}:2:{diag.column}: erreur[{code}]: {message}",
        f"     2 | {TABLE_LINE}",
    ]
    assert caret_of(rendered) == caret
    assert caret_of(render_diagnostic(diag, text, "en")) == caret


def _span_text(text: str, diag: Diagnostic) -> str:
    line = text.split("\n")[diag.line - 1]
    assert diag.span.end_line == diag.line
    return line[diag.column - 1 : diag.span.end_column - 1]


@given(
    gaps=st.lists(st.sampled_from([" ", "  ", "\t", " \t "]), min_size=6, max_size=6),
    unknown_first=st.booleans(),
)
def test_carets_stay_under_the_names_whatever_the_spacing(gaps: list[str], unknown_first: bool) -> None:
    """Spaces and tabs between the words never move the caret off the unknown name."""
    start, end = ("recu", "fin") if unknown_first else ("reçu", "clôture")
    g = gaps
    text = (
        "période 2023\névénement dossier « D »\n  reçu : date\n"
        f"  délai{g[0]}:{g[1]}durée{g[2]}de{g[3]}{start}{g[4]}à{g[5]}{end}\n"
        "indicateur a « A »\n"
        f"  somme({g[0]}dossier.delai{g[1]})  >= 3\n"
    )
    _, diagnostics = analyse(text, "essai.plan")
    found = [(d.code, _span_text(text, d)) for d in diagnostics]
    assert found == [("C214", "recu" if unknown_first else "clôture"), ("C102", "delai")]


def test_spans_of_names_do_not_change_what_a_plan_means() -> None:
    """Durations, aggregates, shares of units and trends laid out two ways compare equal."""
    tight = (
        "période 2019 à 2023\névénement dossier « D »\n  reçu : date\n  quartier : texte\n"
        "  délai : durée de reçu à fin en jours ouvrables\n"
        "indicateur a « A »\n  somme(dossier.délai) en baisse de 10 % par an\n"
        "indicateur b « B »\n  part(dossier.quartier ayant au moins 2) >= 50 %\n"
    )
    loose = (
        tight.replace("de reçu à fin", "de   reçu  à   fin")
        .replace("somme(dossier.délai) en baisse", "somme( dossier.délai )   en  baisse")
        .replace("part(dossier.quartier", "part(  dossier.quartier")
    )
    assert loose != tight
    first, second = load_plan(tight), load_plan(loose)
    assert first == second
    durations = [p.event_types["dossier"].field("délai").duration for p in (first, second)]
    assert [
        (d.start_span.column, d.end_span.column) for d in durations if d and d.start_span and d.end_span
    ] == [
        (20, 27),
        (22, 32),
    ]


# ---------------------------------------------------------------------------- every error at once


def test_every_error_of_a_file_is_reported_in_one_run_sorted_by_position() -> None:
    text = (
        HEAD
        + "  nombre(formaton) >= 3\n"  # 9: unknown event type
        + "indicateur b « B »\n"
        + "  nombre(formation) >/= 10/an\n"  # 11: >/=
        + "indicateur c « C\n"  # 12: unclosed label
        + "  nombre(formation où catégorie = coloque) >= 1\n"  # 13: expression of b? no: of no one
        + "indicateur d « D »\n"
        + "  nombre(formation) >= 10 par ans\n"  # 15: unknown period
        + "indicateur e « E »\n"
        + "  somme(formation.public) >= 1\n"  # 17: sum over text
    )
    with pytest.raises(PlanError) as info:
        load_plan(text)
    found = [(d.line, d.code) for d in info.value.errors]
    assert found == [(9, "C101"), (11, "S010"), (12, "S002"), (13, "C103"), (15, "S016"), (17, "C104")]
    rendered = info.value.render("fr")
    assert rendered.count("erreur[") == 6
    assert str(info.value) == info.value.render()


def test_errors_of_the_same_line_keep_column_order() -> None:
    text = HEAD + "  nombre(formaton) >= 1 et nombre(formation où particpants > 1) >= 1\n"
    with pytest.raises(PlanError) as info:
        load_plan(text)
    assert [(d.code, d.line, d.column) for d in info.value.errors] == [("C101", 9, 3), ("C102", 9, 48)]


def test_many_syntax_errors_are_all_reported_and_capped() -> None:
    broken = "".join(f"indicateur i{k} « I »\n  nombre(formation >= {k}\n" for k in range(150))
    with pytest.raises(PlanError) as info:
        load_plan(HEAD + broken)
    codes = [d.code for d in info.value.errors]
    assert codes.count("S011") == 100
    assert codes[-1] == "S099"
    lines = [d.line for d in info.value.errors]
    assert lines == sorted(lines)


def test_json_of_the_errors() -> None:
    with pytest.raises(PlanError) as info:
        load_plan(HEAD + "  nombre(formaton) >= 3\n", name="essai.plan")
    (entry,) = json.loads(info.value.to_json("en"))
    assert entry["code"] == "C101"
    assert entry["message"] == "unknown event type 'formaton'"
    assert (entry["file"], entry["line"], entry["column"]) == ("essai.plan", 9, 3)
    assert entry["suggestion"] == "did you mean 'formation'?"


def test_warnings_do_not_stop_a_plan_from_loading() -> None:
    text = (
        HEAD
        + "  part(formation) >= 50 %\n"
        + "indicateur sans_expression « Cible à définir »\n"
        + "indicateur pourcentage « 80 % des formations certifiantes »\n"
        + "  nombre(formation où certifiante) >= 80 %\n"
        + "indicateur public « Formations pour les élus »\n"
        + "  nombre(formation où public = « élus ») >= 1\n"
        + "indicateur mille « 1.000 participants »\n"
        + "  somme(formation.participants) >= 1.000\n"
    )
    plan = load_plan(text)
    assert [i.id for i in plan.indicators] == ["a", "sans_expression", "pourcentage", "public", "mille"]
    _, diagnostics = analyse(text)
    assert [(d.code, d.line, d.column, d.severity) for d in diagnostics] == [
        ("C137", 9, 3, Severity.WARNING),
        ("C126", 10, 1, Severity.WARNING),
        ("C153", 12, 39, Severity.WARNING),
        ("C152", 14, 32, Severity.WARNING),
        ("C157", 16, 36, Severity.WARNING),
    ]
    by_code = {d.code: d for d in diagnostics}
    assert by_code["C153"].text("fr") == "un nombre d'événements comparé à un pourcentage : 80 % vaut 0,8"
    assert by_code["C153"].fix("fr") == (
        "pour une proportion, écrivez « part(formation où …) » avec la condition ; pour un nombre, retirez le « % »"
    )
    assert by_code["C152"].fix("en") == 'write the text against the quotes: "élus"'
    assert by_code["C157"].text("fr") == "« 1.000 » se lit 1 : le point et la virgule marquent les décimales"
    assert by_code["C157"].fix("fr") == "pour un nombre entier, écrivez-le sans séparateur de milliers : 1000"


def test_decimal_lists_with_semicolons_and_single_decimals_are_fine() -> None:
    plan = load_plan(
        "période 2023\névénement f « F »\n  d : décimal\nindicateur a « A »\n"
        "  nombre(f où d dans [1,5; 2] ou d dans [0,1] ou d dans [1, 2]) >= 1\n"
    )
    expr = plan.indicators[0].expr
    lists = [node for node in walk(expr) if isinstance(node, InList)]
    assert [[item.value for item in lst.items] for lst in lists] == [[1.5, 2.0], [0.1], [1.0, 2.0]]


# ---------------------------------------------------------------------------- robustness


def test_tabs_are_spaces_and_columns_count_characters() -> None:
    plan = load_plan(HEAD.replace("  ", "\t") + "\t\tnombre(formation)\t>=\t3\tpar an\n")
    assert plan.indicators[0].period.value == "year"
    diag, error = only_error(HEAD + "\t\tnombre(formaton) >= 3\n")
    assert (diag.line, diag.column) == (9, 3)
    # The caret line copies the tabs, so the carets stand under the word in any editor.
    assert caret_of(error.render("fr")) == "\t\t^^^^^^^^^^^^^^^^"


def test_windows_line_endings() -> None:
    text = (HEAD + "  nombre(formation) >= 3\n").replace("\n", "\r\n")
    assert load_plan(text).indicators[0].id == "a"
    diag, error = only_error((HEAD + "  nombre(formaton) >= 3\n").replace("\n", "\r\n"))
    assert (diag.line, diag.column) == (9, 3)
    assert "\r" not in error.render("fr")
    assert error.render("fr").split("\n")[1] == "     9 |   nombre(formaton) >= 3"


def test_utf8_bom() -> None:
    assert load_plan("\ufeff" + HEAD + "  existe(formation)\n").indicators[0].id == "a"
    diag, error = only_error("\ufeffplan Contrat 2023\npériode 2023\n")
    assert (diag.code, diag.line, diag.column) == ("S020", 1, 6)
    assert error.render("fr").split("\n")[1] == "     1 | plan Contrat 2023"
    assert caret_of(error.render("fr")) == "     ^^^^^^^"


def test_utf8_bom_in_a_file(write_plan: Callable[..., Path]) -> None:
    path = write_plan("\ufeff" + HEAD + "  existe(formation)\n")
    assert load_plan(path).indicators[0].id == "a"
    with pytest.raises(PlanError) as info:
        load_plan(write_plan("\ufeffindicatuer x « X »\npériode 2023\n"))
    (diag,) = info.value.errors
    assert (diag.code, diag.line, diag.column) == ("C133", 1, 1)


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2007"], ids=["nbsp", "narrow-nbsp", "figure-space"])
def test_non_breaking_spaces_are_spaces(space: str) -> None:
    line = f"{space}{space}part(formation{space}où{space}certifiante){space}>={space}80{space}%{space}par{space}an"
    plan = load_plan(HEAD + line + "\n")
    assert plan.indicators[0].period.value == "year"
    # Word puts a narrow no-break space before « % » and « : » and inside « »: all fine.
    text = HEAD.replace("« Formation »", f"«{space}Formation{space}»") + f"  existe(formation){space}\n"
    assert load_plan(text).event_types["formation"].label == "Formation"
    diag, _ = only_error(HEAD + f"{space}{space}nombre(formaton){space}>={space}3\n")
    assert (diag.line, diag.column) == (9, 3)


def test_cp1252_file(write_plan: Callable[..., Path]) -> None:
    text = HEAD + "  existe(formation)\n"
    text = text.replace("« Formation »", "« Formation assurée — 2023 »")
    path = write_plan(text, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    plan = load_plan(path)
    assert plan.event_types["formation"].label == "Formation assurée — 2023"
    assert plan.event_types["formation"].field("catégorie") is not None

    bad = write_plan(
        HEAD.replace("période", "période") + "  nombre(formation où catégorie = coloqué) >= 1\n",
        encoding="cp1252",
    )
    with pytest.raises(PlanError) as info:
        load_plan(bad)
    (diag,) = info.value.errors
    assert (diag.code, diag.line, diag.column) == ("C103", 9, 35)
    assert diag.text("fr") == "valeur « coloqué » inconnue pour le champ « catégorie »"
    assert (
        info.value.render("fr").split("\n")[1] == "     9 |   nombre(formation où catégorie = coloqué) >= 1"
    )


def test_line_separators_inside_labels_do_not_shift_the_rendered_line() -> None:
    # U+2028, U+0085 and form feeds are not line ends for the parser: the caret must still sit
    # under the line the message names.
    text = (
        "période 2023\n"
        "événement formation « Formation\u2028assurée\x85 »\n"
        "\x0c\n"
        "indicateur a « A »\n"
        "  nombre(formaton) >= 1\n"
    )
    diag, error = only_error(text)
    assert (diag.line, diag.column) == (5, 3)
    assert error.render("fr").split("\n")[1] == "     5 |   nombre(formaton) >= 1"


def test_a_broken_declaration_line_still_declares_its_name() -> None:
    """An unclosed label on an « indicateur » or « événement » line is one error, not a cascade:
    the fields, expression, unit and references that follow still find their declaration."""
    text = (
        "période 2023\n"
        "événement formation « Formation\n"  # 2: unclosed
        "  participants : entier\n"
        "indicateur a « Nombre de formations\n"  # 4: unclosed
        "  somme(formation.participants) >= 1 par an\n"
        "  unité « participants »\n"
        "indicateur b « B »\n"
        "  a et existe(formation)\n"
    )
    with pytest.raises(PlanError) as info:
        load_plan(text)
    assert [(d.code, d.line) for d in info.value.errors] == [("S002", 2), ("S002", 4)]


def test_control_characters_are_shown_without_breaking_the_rendered_line() -> None:
    diag, error = only_error(HEAD + "  existe(formation) \u2028 \x01\n")
    assert diag.args["char"] == "U+2028"
    rendered = error.render("fr").split("\n")
    assert rendered[1] == "     9 |   existe(formation) \ufffd \ufffd"
    assert caret_of(error.render("fr")) == " " * 20 + "^"


def test_a_keyword_is_a_whole_word() -> None:
    # « ou » must not be read at the start of « ouverture », nor « et » in « etb »: a line that
    # would parse only by splitting a word is an error.
    diag, _ = only_error(HEAD + "  existe(formation) ouverture\n")
    assert (diag.code, diag.column) == ("S026", 21)
    assert diag.args["keyword"] == "ou" and diag.args["rest"] == "verture"
    diag, _ = only_error(HEAD + "  existe(formation) etnon existe(formation)\n")
    assert (diag.code, diag.column) == ("S026", 21)
    diag, _ = only_error(HEAD + "  existe(formation) >= 3 Oui/Non\n")
    assert diag.code == "S027" and diag.column == 26
    # Identifiers that merely begin with a keyword are fine.
    plan = load_plan(
        "période 2023\névénement ouverture « O »\n  partenaire : texte\n  etage : entier\n"
        'indicateur notes « N »\n  nombre(ouverture où etage > 1 et partenaire = "x") >= 1\n'
        "indicateur parts « P »\n  notes ou existe(ouverture)\n"
    )
    assert [i.id for i in plan.indicators] == ["notes", "parts"]


NASTY_INPUTS = [
    "",
    "\n",
    "\ufeff",
    "\x00\n",
    "«\n",
    "»\n",
    "# seulement un commentaire\n",
    "période\n",
    "période 2023\n" + "(" * 50 + "\n",
    "période 2023\nindicateur x « X »\n  " + ")" * 50 + "\n",
    "période 2023\n" + "é" * 10_000 + "\n",
    "période 2023\n\ud800\n",
    "période 2023\nindicateur x « X »\n  nombre(a où b dans [c, [d]]) >= 1\n",
    "période 2023\nindicateur x « X »\n  1 / 0 >= 1\n",
    "période 2023\nindicateur x « X »\n  99999999999999999999999999999999999999 >= 1e400\n",
    "période 2023\nindicateur x « X »\n  " + "9" * 400 + " >= 1\n",
    "période 9999\n",
    "période 0000-00-00\n",
    "période 2023\nniveaux « a » > « a »\na « A »\n",
    "période 2023\nniveaux\n",
    "période 2023\nnote « orpheline »\nunité « rien »\n",
    "\n".join(f"ligne {k} sans sens" for k in range(300)) + "\n",
]


@pytest.mark.parametrize("text", NASTY_INPUTS, ids=range(len(NASTY_INPUTS)))
def test_load_plan_raises_nothing_but_plan_error(text: str) -> None:
    try:
        load_plan(text)
    except PlanError as error:
        assert error.errors
        for diag in error.errors:
            assert diag.line >= 1 and diag.column >= 1
            assert diag.text("fr") and diag.text("en")
        error.render("fr")
        error.render("en")
        error.to_json()


def test_a_file_in_no_known_encoding_gives_a_plan_error(write_plan: Callable[..., Path]) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(write_plan(b"p\xe9riode 2023\n\x81\n"))
    assert [(e.line, e.column) for e in info.value.errors] == [(2, 1)]


def test_old_mac_line_ends_and_long_lines_are_plan_text_not_paths() -> None:
    plan = load_plan("période 2023\révénement a\rindicateur x « X »\r  nombre(a) >= 1\r")
    assert [i.id for i in plan.indicators] == ["x"]
    with pytest.raises(PlanError):
        load_plan("x" * 5000)


# ---------------------------------------------------------------------------- the message table


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    for code, entry in MESSAGES.items():
        assert set(entry) >= {"fr", "en"}, code
        for fr_key in [k for k in entry if k.endswith("_fr")]:
            assert fr_key[:-3] + "_en" in entry, (code, fr_key)
        for fr_key, en_key in (("fr", "en"), ("fix_fr", "fix_en"), ("fix0_fr", "fix0_en")):
            if fr_key in entry:
                english = {f.removesuffix("_en") for f in _fields(entry[en_key])}
                assert _fields(entry[fr_key]) == english, (code, fr_key)
        if any("{guess}" in v for v in entry.values()):
            assert "fix0_fr" in entry, f"{code}: a message with a guess needs a variant without one"
