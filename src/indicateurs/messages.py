"""Every message of the plan checker, in French first and in English, keyed by stable code.

Codes `S…` are syntax errors (the line does not parse), `C…` are checks on a plan that parses.
A message says what is wrong in the officer's terms; the suggestion says what to write instead.
When a template uses `{guess}` and no close name exists, the `fix0` variant is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .messages_more import MESSAGES as _MORE_MESSAGES

_M: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ syntax
    "S001": {
        "fr": "caractère inattendu « {char} »",
        "en": "unexpected character '{char}'",
        "fix_fr": "supprimez ce caractère ou mettez le texte entre « » s'il fait partie d'un libellé",
        "fix_en": "remove this character, or put the text in quotes if it belongs to a label",
    },
    "S002": {
        "fr": "libellé non fermé : il manque le guillemet fermant {close} sur cette ligne",
        "en": "unclosed label: the closing quote {close} is missing on this line",
        "fix_fr": "un libellé tient sur une ligne : fermez-le par {close} avant la fin de la ligne",
        "fix_en": "a label fits on one line: close it with {close} before the end of the line",
    },
    "S003": {
        "fr": "« {token} » inattendu ici",
        "en": "unexpected '{token}' here",
        "fix_fr": "vouliez-vous dire « {guess} » ? (attendu ici : {expected})",
        "fix_en": "did you mean '{guess}'? (expected here: {expected_en})",
        "fix0_fr": "attendu ici : {expected}",
        "fix0_en": "expected here: {expected_en}",
    },
    "S004": {
        "fr": "ligne incomplète",
        "en": "incomplete line",
        "fix_fr": "la ligne doit continuer par : {expected}",
        "fix_en": "the line must go on with: {expected_en}",
    },
    "S005": {
        "fr": "valeur manquante après le comparateur",
        "en": "a value is missing after the comparison",
        "fix_fr": "écrivez la cible après le comparateur, par exemple « >= 10 »",
        "fix_en": "write the target after the comparison, for example '>= 10'",
    },
    "S010": {
        "fr": "« {op} » n'est pas un comparateur du langage",
        "en": "'{op}' is not a comparison of the language",
        "fix_fr": "écrivez « {meant} » (comparateurs : >=, <=, >, <, =, !=) et la période en mots : « {meant} 10 par an »",
        "fix_en": "write '{meant}' (comparisons: >=, <=, >, <, =, !=) and the period in words: '{meant} 10 per year'",
    },
    "S011": {
        "fr": "parenthèse non fermée",
        "en": "unclosed parenthesis",
        "fix_fr": "ajoutez « ) » à la fin de l'agrégat, par exemple « nombre(formation) >= 2 »",
        "fix_en": "add ')' at the end of the aggregate, for example 'count(formation) >= 2'",
    },
    "S012": {
        "fr": "type d'événement manquant dans l'agrégat",
        "en": "the event type is missing in the aggregate",
        "fix_fr": "nommez le type d'événement compté : « nombre(formation) »",
        "fix_en": "name the event type to count: 'count(formation)'",
    },
    "S013": {
        "fr": "après « dans », la liste de valeurs doit être entre crochets",
        "en": "after 'in', the list of values must be in brackets",
        "fix_fr": "écrivez « dans [colloque, formation] »",
        "fix_en": "write 'in [colloque, formation]'",
    },
    "S014": {
        "fr": "liste de valeurs mal formée ou non fermée",
        "en": "malformed or unclosed list of values",
        "fix_fr": "séparez les valeurs par des virgules et fermez la liste par « ] » : « [a, b] »",
        "fix_en": "separate the values with commas and close the list with ']': '[a, b]'",
    },
    "S015": {
        "fr": "fonction inconnue « {name} »",
        "en": "unknown function '{name}'",
        "fix_fr": "fonctions connues : nombre, distinct, somme, moyenne, min, max, existe, part",
        "fix_en": "known functions: count, distinct, sum, avg, min, max, exists, share",
    },
    "S016": {
        "fr": "période inconnue « {word} »",
        "en": "unknown period '{word}'",
        "fix_fr": "vouliez-vous dire « {guess} » ? (périodes : an, semestre, trimestre, mois)",
        "fix_en": "did you mean '{guess}'? (periods: year, semester, quarter, month)",
        "fix0_fr": "périodes : an, semestre, trimestre, mois, par exemple « par an »",
        "fix0_en": "periods: year, semester, quarter, month, for example 'per year'",
    },
    "S017": {
        "fr": "date impossible « {date} »",
        "en": "impossible date '{date}'",
        "fix_fr": "vérifiez le jour et le mois : 2023-06-30 ou 30/06/2023",
        "fix_en": "check the day and the month: 2023-06-30 or 30/06/2023",
    },
    "S018": {
        "fr": "une échéance demande une date complète",
        "en": "a deadline needs a full date",
        "fix_fr": "écrivez « avant le 2023-06-30 » ou « avant le 30/06/2023 »",
        "fix_en": "write 'by 2023-06-30'",
    },
    "S019": {
        "fr": "« entre » demande deux bornes reliées par « et »",
        "en": "'between' needs two bounds joined by 'and'",
        "fix_fr": "écrivez « entre 3 et 5 »",
        "fix_en": "write 'between 3 and 5'",
    },
    "S020": {
        "fr": "libellé attendu entre guillemets",
        "en": "a label in quotes is expected",
        "fix_fr": "mettez le texte entre « » : plan « Contrat de sécurité et de société »",
        "fix_en": 'put the text in quotes: plan "Safety contract"',
    },
    "S021": {
        "fr": "le libellé du niveau doit être entre guillemets",
        "en": "the label of the level must be in quotes",
        "fix_fr": "écrivez par exemple : objectif opérationnel 1.1.2 « Assurer le suivi … »",
        "fix_en": 'write for example: objectif opérationnel 1.1.2 "Ensure the follow-up …"',
    },
    "S022": {
        "fr": "identifiant attendu",
        "en": "an identifier is expected",
        "fix_fr": "donnez un nom court sans espace puis le libellé : indicateur prises_en_charge « Nombre de prises en charge »",
        "fix_en": 'give a short name without spaces, then the label: indicator follow_ups "Number of follow-ups"',
    },
    "S023": {
        "fr": "type de champ manquant",
        "en": "the field type is missing",
        "fix_fr": "types : texte, entier, décimal, date, booléen, ou une liste de valeurs « a | b | c »",
        "fix_en": "types: text, integer, decimal, date, boolean, or a list of values 'a | b | c'",
    },
    "S024": {
        "fr": "« {token} » de trop après l'expression",
        "en": "'{token}' is one too many after the expression",
        "fix_fr": "une ligne d'indicateur contient une seule expression, puis éventuellement « par an » et « avant le DATE »",
        "fix_en": "an indicator line holds one expression, then optionally 'per year' and 'by DATE'",
    },
    "S025": {
        "fr": "période du plan mal formée",
        "en": "malformed plan period",
        "fix_fr": "écrivez « période 2023 » ou « période 2020 à 2025 »",
        "fix_en": "write 'period 2023' or 'period 2020 to 2025'",
    },
    "S026": {
        "fr": "mot inattendu « {word} »",
        "en": "unexpected word '{word}'",
        "fix_fr": "un mot-clé est un mot entier : si vous vouliez « {keyword} », séparez-le de « {rest} » par une espace ; sinon retirez ce mot",
        "fix_en": "a keyword is a whole word: if you meant '{keyword}', separate it from '{rest}' with a space; otherwise remove this word",
    },
    "S027": {
        "fr": "« {word} » n'est pas une expression : c'est le type de réponse du document d'origine",
        "en": "'{word}' is not an expression: it is the answer type of the original document",
        "fix_fr": "écrivez la condition qui rend l'indicateur vrai, par exemple « existe(formation) » ou « nombre(formation) >= 1 »",
        "fix_en": "write the condition that makes the indicator true, for example 'exists(training)' or 'count(training) >= 1'",
    },
    "S028": {
        "fr": 'apostrophe inattendue « {char} » : un texte se met entre « » ou entre " "',
        "en": "unexpected apostrophe '{char}': text goes between \" \" or « »",
        "fix_fr": "écrivez par exemple « colloque » ou \"colloque\" ; une apostrophe n'est permise qu'à l'intérieur d'un mot (d'activité)",
        "fix_en": 'write for example "colloquium"; an apostrophe may only stand inside a word (d\'activité)',
    },
    "S029": {
        "fr": "parenthèse fermante « ) » en trop",
        "en": "one closing parenthesis ')' too many",
        "fix_fr": "retirez cette parenthèse, ou ajoutez la « ( » qui lui correspond",
        "fix_en": "remove this parenthesis, or add the matching '('",
    },
    "S030": {
        "fr": "« {name} » s'écrit avec des parenthèses autour du type d'événement",
        "en": "'{name}' takes the event type in parentheses",
        "fix_fr": "écrivez par exemple « {name}(formation) » : le libellé officiel va entre « » sur la ligne « indicateur »",
        "fix_en": "write for example '{name}(training)': the official wording goes in quotes on the 'indicator' line",
    },
    "S031": {
        "fr": "le numéro d'un niveau se place avant son libellé",
        "en": "a level's number goes before its label",
        "fix_fr": "écrivez par exemple : objectif opérationnel 1.1.2 « Assurer le suivi … »",
        "fix_en": 'write for example: objectif opérationnel 1.1.2 "Ensure the follow-up …"',
    },
    "S032": {
        "fr": "guillemet fermant {quote} sans guillemet ouvrant",
        "en": "closing quote {quote} without an opening quote",
        "fix_fr": "ouvrez le libellé par {open} : un libellé s'écrit {open} … {quote} sur une ligne",
        "fix_en": "open the label with {open}: a label is written {open} … {quote} on one line",
    },
    "S099": {
        "fr": "trop d'erreurs de syntaxe ; la suite du fichier n'est pas analysée",
        "en": "too many syntax errors; the rest of the file is not analysed",
        "fix_fr": "corrigez les premières erreurs puis relancez",
        "fix_en": "fix the first errors and run again",
    },
    # ------------------------------------------------------------------ checks
    "C101": {
        "fr": "type d'événement inconnu « {name} »",
        "en": "unknown event type '{name}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "déclarez-le avec « événement {name} » (types connus : {known})",
        "fix0_en": "declare it with 'event {name}' (known types: {known})",
    },
    "C102": {
        "fr": "champ inconnu « {field} » pour l'événement « {event} »",
        "en": "unknown field '{field}' for event '{event}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "champs déclarés : {known}",
        "fix0_en": "declared fields: {known}",
    },
    "C103": {
        "fr": "valeur « {value} » inconnue pour le champ « {field} »",
        "en": "unknown value '{value}' for field '{field}'",
        "fix_fr": "vouliez-vous dire « {guess} » ? (valeurs : {values})",
        "fix_en": "did you mean '{guess}'? (values: {values})",
        "fix0_fr": "valeurs déclarées : {values}",
        "fix0_en": "declared values: {values}",
    },
    "C104": {
        "fr": "« {fn} » demande un champ numérique ; « {field} » est de type {kind}",
        "en": "'{fn}' needs a numeric field; '{field}' is of type {kind}",
        "fix_fr": "champs numériques de cet événement : {numeric} ; pour compter, utilisez nombre(…) ou distinct(…)",
        "fix_en": "numeric fields of this event: {numeric}; to count, use count(…) or distinct(…)",
    },
    "C105": {
        "fr": "le champ « {field} » ({kind}) ne peut pas être comparé à {value}",
        "en": "field '{field}' ({kind}) cannot be compared with {value}",
        "fix_fr": "comparez-le à une valeur du même type",
        "fix_en": "compare it with a value of the same type",
    },
    "C106": {
        "fr": "identifiant d'indicateur « {name} » déjà utilisé (ligne {first})",
        "en": "indicator id '{name}' already used (line {first})",
        "fix_fr": "donnez un identifiant unique à chaque indicateur, par exemple « {name}_2 »",
        "fix_en": "give each indicator a unique id, for example '{name}_2'",
    },
    "C107": {
        "fr": "numéro {number} déjà utilisé pour un « {level} » (ligne {first})",
        "en": "number {number} already used for a '{level}' (line {first})",
        "fix_fr": "renumérotez l'un des deux",
        "fix_en": "renumber one of them",
    },
    "C108": {
        "fr": "le numéro {number} ne prolonge pas celui de son parent « {parent_level} » {parent} (ligne {line})",
        "en": "number {number} does not extend its parent's '{parent_level}' {parent} (line {line})",
        "fix_fr": "un « {level} » placé sous {parent} se numérote {parent}.1, {parent}.2, …",
        "fix_en": "a '{level}' under {parent} is numbered {parent}.1, {parent}.2, …",
    },
    "C109": {
        "fr": "indicateur inconnu « {name} »",
        "en": "unknown indicator '{name}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "un nom seul désigne un autre indicateur ; pour compter des événements, écrivez nombre({name})",
        "fix0_en": "a bare name refers to another indicator; to count events, write count({name})",
    },
    "C110": {
        "fr": "référence circulaire entre indicateurs : {cycle}",
        "en": "circular reference between indicators: {cycle}",
        "fix_fr": "un indicateur ne peut dépendre de lui-même ; supprimez une des références",
        "fix_en": "an indicator cannot depend on itself; remove one of the references",
    },
    "C111": {
        "fr": "cette cible ne peut jamais être atteinte : la valeur mesurée est comprise entre {low} et {high}",
        "en": "this target can never be met: the measured value lies between {low} and {high}",
        "fix_fr": "vérifiez le sens du comparateur et la valeur de la cible",
        "fix_en": "check the direction of the comparison and the target value",
    },
    "C112": {
        "fr": "période « {period} » plus fine que la granularité du plan ({granularity})",
        "en": "period '{period}' is finer than the plan's granularity ({granularity})",
        "fix_fr": "utilisez une période au moins égale à la granularité, ou changez la ligne « granularité »",
        "fix_en": "use a period at least as long as the granularity, or change the 'granularity' line",
    },
    "C113": {
        "fr": "niveau inconnu « {level} »",
        "en": "unknown level '{level}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "niveaux de ce plan : {levels} ; déclarez les vôtres avec « niveaux « a » > « b » »",
        "fix0_en": 'levels of this plan: {levels}; declare your own with \'levels "a" > "b"\'',
    },
    "C114": {
        "fr": "expression sans indicateur",
        "en": "expression without an indicator",
        "fix_fr": "placez l'expression sous une ligne « indicateur identifiant « libellé » »",
        "fix_en": "put the expression under an 'indicator id \"label\"' line",
    },
    "C115": {
        "fr": "champ « {name} » déclaré hors d'un événement",
        "en": "field '{name}' declared outside an event",
        "fix_fr": "placez les champs juste sous la ligne « événement … » qu'ils décrivent",
        "fix_en": "put the fields right under the 'event …' line they describe",
    },
    "C116": {
        "fr": "« {name} » est déjà déclaré (ligne {first})",
        "en": "'{name}' is already declared (line {first})",
        "fix_fr": "supprimez ou renommez la seconde déclaration",
        "fix_en": "remove or rename the second declaration",
    },
    "C117": {
        "fr": "« {name} » est un mot réservé du langage et ne peut pas servir d'identifiant",
        "en": "'{name}' is a reserved word and cannot be used as an identifier",
        "fix_fr": "choisissez un autre nom, par exemple « {name}_1 »",
        "fix_en": "choose another name, for example '{name}_1'",
    },
    "C118": {
        "fr": "type de champ inconnu « {type} »",
        "en": "unknown field type '{type}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "types : texte, entier, décimal, date, booléen, ou des valeurs « a | b »",
        "fix0_en": "types: text, integer, decimal, date, boolean, or values 'a | b'",
    },
    "C119": {
        "fr": "l'indicateur « {name} » a déjà une expression (ligne {first})",
        "en": "indicator '{name}' already has an expression (line {first})",
        "fix_fr": "combinez les conditions avec « et », ou déclarez un second indicateur",
        "fix_en": "combine the conditions with 'and', or declare a second indicator",
    },
    "C120": {
        "fr": "la période du plan n'est pas déclarée",
        "en": "the plan period is not declared",
        "fix_fr": "ajoutez en tête du fichier une ligne « période 2023 » (ou « période 2020 à 2025 »)",
        "fix_en": "add a line 'period 2023' (or 'period 2020 to 2025') at the top of the file",
    },
    "C122": {
        "fr": "borne de période invalide « {value} »",
        "en": "invalid period bound '{value}'",
        "fix_fr": "une année (2023) ou une date (2023-04-01)",
        "fix_en": "a year (2023) or a date (2023-04-01)",
    },
    "C123": {
        "fr": "période à l'envers : {start} est après {end}",
        "en": "reversed period: {start} is after {end}",
        "fix_fr": "écrivez la première année d'abord : « période {end} à {start} »",
        "fix_en": "write the first year first: 'period {end} to {start}'",
    },
    "C124": {
        "fr": "l'échéance {date} est hors de la période du plan ({start} – {end})",
        "en": "deadline {date} is outside the plan period ({start} – {end})",
        "fix_fr": "vérifiez l'année de l'échéance",
        "fix_en": "check the year of the deadline",
    },
    "C125": {
        "fr": "« {fn} » porte sur un champ de l'événement « {event} »",
        "en": "'{fn}' applies to a field of event '{event}'",
        "fix_fr": "écrivez « {fn}({event}.{example}) »",
        "fix_en": "write '{fn}({event}.{example})'",
    },
    "C126": {
        "fr": "l'indicateur « {name} » n'a pas d'expression : il sera « cible à définir »",
        "en": "indicator '{name}' has no expression: it will be 'target to be defined'",
        "fix_fr": "ajoutez sous l'indicateur une ligne comme « nombre(formation) >= 2 par an », ou « cible à définir » si c'est voulu",
        "fix_en": "add a line such as 'count(formation) >= 2 per year' under the indicator, or 'target to be defined' if that is intended",
    },
    "C128": {
        "fr": "expression trop imbriquée (plus de {limit} niveaux)",
        "en": "expression nested too deeply (more than {limit} levels)",
        "fix_fr": "découpez-la en plusieurs indicateurs reliés par des références",
        "fix_en": "split it into several indicators joined by references",
    },
    "C129": {
        "fr": "« {what} » est déjà déclaré (ligne {first})",
        "en": "'{what}' is already declared (line {first})",
        "fix_fr": "gardez une seule ligne « {what} »",
        "fix_en": "keep a single '{what}' line",
    },
    "C130": {
        "fr": "« {what} » ne se rattache à rien",
        "en": "'{what}' is not attached to anything",
        "fix_fr": "placez-la sous le niveau ou l'indicateur qu'elle décrit",
        "fix_en": "put it under the level or indicator it describes",
    },
    "C131": {
        "fr": "les niveaux doivent être déclarés avant le premier nœud (ligne {line})",
        "en": "levels must be declared before the first node (line {line})",
        "fix_fr": "déplacez la ligne « niveaux » dans l'en-tête du plan",
        "fix_en": "move the 'levels' line to the plan header",
    },
    "C132": {
        "fr": "niveau « {level} » déclaré deux fois",
        "en": "level '{level}' declared twice",
        "fix_fr": "chaque niveau n'apparaît qu'une fois dans « niveaux »",
        "fix_en": "each level appears once in 'levels'",
    },
    "C133": {
        "fr": "mot inconnu « {word} » en début de ligne",
        "en": "unknown word '{word}' at the start of the line",
        "fix_fr": "vouliez-vous dire « {keyword} » ?",
        "fix_en": "did you mean '{keyword}'?",
    },
    "C134": {
        "fr": "l'identifiant « {name} » contient une apostrophe",
        "en": "identifier '{name}' contains an apostrophe",
        "fix_fr": "remplacez l'apostrophe par « _ » ; le libellé entre « » peut en contenir",
        "fix_en": "replace the apostrophe with '_'; the quoted label may contain one",
    },
    "C135": {
        "fr": "« suivi » s'applique à une valeur, pas à une condition (indicateur « {name} »)",
        "en": "'monitor' applies to a value, not to a condition (indicator '{name}')",
        "fix_fr": "retirez « suivi » pour un indicateur Oui/Non, ou suivez une valeur : « suivi nombre(x) »",
        "fix_en": "remove 'monitor' for a yes/no indicator, or monitor a value: 'monitor count(x)'",
    },
    "C136": {
        "fr": "cette expression donne un nombre sans cible (indicateur « {name} »)",
        "en": "this expression gives a number without a target (indicator '{name}')",
        "fix_fr": "ajoutez une cible (« >= 10 ») ou écrivez « suivi » devant pour un indicateur de suivi",
        "fix_en": "add a target ('>= 10') or write 'monitor' in front for a monitored indicator",
    },
    "C137": {
        "fr": "« part » sans condition vaut toujours 100 %",
        "en": "'share' without a condition is always 100 %",
        "fix_fr": "ajoutez « où … » : part(dossier où délai <= 21)",
        "fix_en": "add 'where …': share(case where delay <= 21)",
    },
    "C138": {
        "fr": "l'indicateur « {name} » n'a pas d'expression et ne peut pas être référencé",
        "en": "indicator '{name}' has no expression and cannot be referenced",
        "fix_fr": "donnez-lui une expression ou retirez la référence",
        "fix_en": "give it an expression or remove the reference",
    },
    "C139": {
        "fr": "« /{word} » n'est pas une période du langage",
        "en": "'/{word}' is not a period of the language",
        "fix_fr": "écrivez la période en mots après la cible : « >= 10 par an »",
        "fix_en": "write the period in words after the target: '>= 10 per year'",
    },
    "C140": {
        "fr": "le champ « {field} » ({kind}) n'est pas une condition à lui seul",
        "en": "field '{field}' ({kind}) is not a condition on its own",
        "fix_fr": "comparez-le : « {field} = … »",
        "fix_en": "compare it: '{field} = …'",
    },
    "C141": {
        "fr": "liste vide : la condition n'est jamais vraie",
        "en": "empty list: the condition is never true",
        "fix_fr": "ajoutez des valeurs entre les crochets",
        "fix_en": "add values between the brackets",
    },
    "C142": {
        "fr": "cette partie de l'expression n'a pas de sens ici",
        "en": "this part of the expression makes no sense here",
        "fix_fr": "une condition compare un champ à une valeur : « catégorie = colloque »",
        "fix_en": "a condition compares a field with a value: 'category = colloquium'",
    },
    "C143": {
        "fr": "la condition ne porte sur aucun champ",
        "en": "the condition refers to no field",
        "fix_fr": "champs de l'événement : {known}",
        "fix_en": "fields of the event: {known}",
    },
    "C144": {
        "fr": "le champ « {field} » ({kind}) ne se compare qu'avec = , != ou dans",
        "en": "field '{field}' ({kind}) can only be compared with =, != or in",
        "fix_fr": "utilisez « = », « != » ou « dans [...] »",
        "fix_en": "use '=', '!=' or 'in [...]'",
    },
    "C145": {
        "fr": "« non » est la négation ; la valeur fausse s'écrit « faux »",
        "en": "'non' is the negation; the false value is written 'false'",
        "fix_fr": "écrivez « = faux » (ou « = vrai »)",
        "fix_en": "write '= false' (or '= true')",
    },
    "C146": {
        "fr": "texte sans guillemets « {value} »",
        "en": "unquoted text '{value}'",
        "fix_fr": "écrivez le texte entre guillemets : « {value} »",
        "fix_en": 'put the text in quotes: "{value}"',
    },
    "C147": {
        "fr": "un nombre est attendu ici, pas une condition Oui/Non",
        "en": "a number is expected here, not a yes/no condition",
        "fix_fr": "utilisez nombre(…) pour compter, ou retirez la comparaison",
        "fix_en": "use count(…) to count, or remove the comparison",
    },
    "C148": {
        "fr": "une condition Oui/Non est attendue ici, pas un nombre",
        "en": "a yes/no condition is expected here, not a number",
        "fix_fr": "ajoutez une cible : « nombre(x) >= 1 », ou utilisez existe(x)",
        "fix_en": "add a target: 'count(x) >= 1', or use exists(x)",
    },
    "C149": {
        "fr": "cette cible est toujours atteinte, quelles que soient les données",
        "en": "this target is always met, whatever the data",
        "fix_fr": "vérifiez la valeur de la cible",
        "fix_en": "check the target value",
    },
    "C150": {
        "fr": "bornes à l'envers dans « entre »",
        "en": "reversed bounds in 'between'",
        "fix_fr": "écrivez la plus petite borne d'abord : « entre 3 et 5 »",
        "fix_en": "write the lower bound first: 'between 3 and 5'",
    },
    "C151": {
        "fr": "« {name} » est déjà une colonne de tout événement (type, date, id, fin) et ne peut pas être un champ",
        "en": "'{name}' is already a column of every event (type, date, id, end) and cannot be a field",
        "fix_fr": "renommez le champ, par exemple « {name}_detail » ou « forme »",
        "fix_en": "rename the field, for example '{name}_detail'",
    },
    "C153": {
        "fr": "un nombre d'événements comparé à un pourcentage : 80 % vaut 0,8",
        "en": "a number of events compared with a percentage: 80 % is 0.8",
        "fix_fr": "pour une proportion, écrivez « part({event} où …) » avec la condition ; pour un nombre, retirez le « % »",
        "fix_en": "for a proportion, write 'share({event} where …)' with the condition; for a number, remove the '%'",
    },
    "C154": {
        "fr": "mot réservé du langage parmi les valeurs du champ « {field} » : {values}",
        "en": "reserved word of the language among the values of field '{field}': {values}",
        "fix_fr": "choisissez d'autres mots (« {first}_1 ») ; pour une réponse oui/non, déclarez le champ « booléen »",
        "fix_en": "choose other words ('{first}_1'); for a yes/no answer, declare the field 'boolean'",
    },
    "C155": {
        "fr": "le niveau « {level} » contient le mot réservé « {word} » : ses lignes ne pourraient pas être lues",
        "en": "level '{level}' contains the reserved word '{word}': its lines could not be read",
        "fix_fr": "renommez le niveau sans ce mot, par exemple « action » plutôt que « plan d'action »",
        "fix_en": "rename the level without this word, for example 'action' rather than 'plan of action'",
    },
    "C156": {
        "fr": "« {number} » dans une liste se lit comme un seul nombre décimal",
        "en": "'{number}' in a list reads as a single decimal number",
        "fix_fr": "pour deux valeurs, écrivez « {a}; {b} » ou « {a}, {b} » (avec une espace) ; pour le décimal, écrivez « {a}.{b} »",
        "fix_en": "for two values, write '{a}; {b}' or '{a}, {b}' (with a space); for the decimal, write '{a}.{b}'",
    },
    "C157": {
        "fr": "« {number} » se lit {value} : le point et la virgule marquent les décimales",
        "en": "'{number}' reads as {value_en}: the dot and the comma mark decimals",
        "fix_fr": "pour un nombre entier, écrivez-le sans séparateur de milliers : {thousand}",
        "fix_en": "for a whole number, write it without a thousands separator: {thousand}",
    },
    "C152": {
        "fr": "les espaces à l'intérieur des guillemets font partie du texte comparé (« {value} » entouré d'espaces)",
        "en": "the spaces inside the quotes are part of the compared text ('{value}' with spaces around)",
        "fix_fr": 'collez le texte aux guillemets : «{value}» ou "{value}"',
        "fix_en": 'write the text against the quotes: "{value}"',
    },
}

_M.update(_MORE_MESSAGES)  # stated statuses, values per year, reference values, measures…


def _template(code: str, key: str) -> str | None:
    return _M.get(code, {}).get(key)


# Argument values that are vocabulary, shown in the reader's language.
_WORDS: dict[str, tuple[str, str]] = {
    "text": ("texte", "text"),
    "integer": ("entier", "integer"),
    "decimal": ("décimal", "decimal"),
    "date": ("date", "date"),
    "boolean": ("booléen", "boolean"),
    "enum": ("liste de valeurs", "list of values"),
    "count": ("nombre", "count"),
    "distinct": ("distinct", "distinct"),
    "sum": ("somme", "sum"),
    "avg": ("moyenne", "avg"),
    "min": ("min", "min"),
    "max": ("max", "max"),
    "exists": ("existe", "exists"),
    "share": ("part", "share"),
    "last": ("dernier", "latest"),
    "days": ("jours", "days"),
    "working_days": ("jours ouvrables", "working days"),
    "year": ("an", "year"),
    "semester": ("semestre", "semester"),
    "quarter": ("trimestre", "quarter"),
    "month": ("mois", "month"),
}
_TRANSLATED_ARGS = ("kind", "fn", "period", "granularity", "day_unit")


def _localise(args: Mapping[str, Any], lang: str) -> _Args:
    out = _Args(args)
    for key in _TRANSLATED_ARGS:
        value = out.get(key)
        if isinstance(value, str) and value in _WORDS:
            out[key] = _WORDS[value][0 if lang == "fr" else 1]
    for key, value in list(out.items()):
        if value == "":
            out[key] = "aucun" if lang == "fr" else "none"
    return out


def format_message(code: str, args: Mapping[str, Any], lang: str) -> str:
    template = _template(code, lang) or _template(code, "fr") or code
    return template.format_map(_localise(args, lang))


def format_suggestion(code: str, args: Mapping[str, Any], lang: str) -> str | None:
    key = f"fix_{lang}"
    if "guess" in args and not args["guess"]:
        key = f"fix0_{lang}"
    template = _template(code, key)
    return None if template is None else template.format_map(_localise(args, lang))


def known_codes() -> tuple[str, ...]:
    return tuple(_M)


class _Args(dict[str, Any]):
    def __init__(self, args: Mapping[str, Any]):
        super().__init__(args)

    def __missing__(self, key: str) -> str:
        return "…"
