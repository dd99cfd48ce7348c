"""Plan tests: small cases an officer writes beside a plan, each a few events and the verdicts expected.

A tests file (`molenbeek-2023.tests` beside `molenbeek-2023.plan`) holds cases:

    # La cible des prises en charge, des deux côtés.
    cas « 9 personnes prises en charge : non atteint »
      9 × prise_en_charge le 15/03/2023 : forme = individuelle
      attendu prises_en_charge : non atteint, valeur 9

    cas « 2 formations pour 5 personnes »
      formation le 10/02/2023 : participants = 2
      formation le 12/10/2023 : participants = 3
      attendu formations, personnes_formees : atteint

One statement per line; indentation is for the eye; `#` starts a comment. Header lines before
the first case: `plan « chemin »` (default: the plan of the same name beside the file),
`évaluation le DATE` (default: the end of the plan's period) and `période 2023` (default: the
plan's period); the last two may also be given inside a case. An event line is
`[N ×] type [le DATE] [: champ = valeur, champ = valeur]`: values are written as in a data file
(`2,5`, `oui`, `15/03/2023`, an enumeration value, a text, quoted or not) and `{n}` in a value
becomes the event's number (1 to N). A required text field left out gets a value of its own
per event (`personne 1`, `personne 2`, …); other required fields must be given. An expectation
is `attendu indicateur[, indicateur…] : statut[, valeur V]`.

Errors are `Diagnostic`s with codes `T…` (messages in this module), rendered like the plan
checker's: `fichier:ligne:colonne`, the line, a caret, a suggestion.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .. import model as m
from ..convert import ConversionError, field_converter
from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from ..evaluate import evaluate, target_text
from ..events import Rejection
from ..i18n import Lang, current_language
from ..keywords import fold
from ..results import IndicatorResult, PlanResult, Status
from ..sources import from_records
from ..spans import Span
from ..suggest import closest

__all__ = [
    "CaseResult",
    "EventLine",
    "Expectation",
    "Mismatch",
    "PlanCase",
    "PlanTestDiagnostic",
    "PlanTests",
    "case_records",
    "check_tests",
    "load_tests",
    "parse_tests",
    "plan_path_for",
    "render_case_result",
    "run_case",
    "run_tests",
]

TESTS_SUFFIX = ".tests"

# ---------------------------------------------------------------------------- messages

_M: dict[str, dict[str, str]] = {
    "T001": {
        "fr": "ligne incomprise : « {text} »",
        "en": "line not understood: '{text}'",
        "fix_fr": "une ligne commence par « cas », « attendu », « évaluation le », « période » ou décrit des "
        "événements : « 3 × formation le 15/03/2023 : participants = 4 »{hint_fr}",
        "fix_en": "a line starts with 'case', 'expect', 'as of', 'period' or describes events: "
        "'3 × formation on 2023-03-15: participants = 4'{hint_en}",
    },
    "T002": {
        "fr": "type d'événement inconnu « {name} »",
        "en": "unknown event type '{name}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "types d'événements du plan : {known}",
        "fix0_en": "event types of the plan: {known}",
    },
    "T003": {
        "fr": "« {field} » n'est pas un champ de {type}",
        "en": "'{field}' is not a field of {type}",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "champs de {type} : {known}",
        "fix0_en": "fields of {type}: {known}",
    },
    "T004": {
        "fr": "valeur « {value} » impossible pour « {field} » ({kind})",
        "en": "value '{value}' not allowed for '{field}' ({kind_en})",
        "fix_fr": "{example_fr}",
        "fix_en": "{example_en}",
    },
    "T005": {
        "fr": "champ obligatoire « {field} » ({kind}) non précisé pour {type}",
        "en": "required field '{field}' ({kind_en}) not given for {type}",
        "fix_fr": "ajoutez-le après le type : « {type} : {field} = … »",
        "fix_en": "add it after the type: '{type}: {field} = …'",
    },
    "T006": {
        "fr": "indicateur inconnu « {name} »",
        "en": "unknown indicator '{name}'",
        "fix_fr": "vouliez-vous dire « {guess} » ?",
        "fix_en": "did you mean '{guess}'?",
        "fix0_fr": "indicateurs du plan : {known}",
        "fix0_en": "indicators of the plan: {known}",
    },
    "T007": {
        "fr": "statut inconnu « {word} »",
        "en": "unknown status '{word}'",
        "fix_fr": "statuts : atteint, non atteint, en cours, sans données, non évaluable, suivi",
        "fix_en": "statuses: met, not met, in progress, no data, not evaluable, monitored",
    },
    "T008": {
        "fr": "date impossible « {text} »",
        "en": "impossible date '{text}'",
        "fix_fr": "écrivez une date du calendrier : 31/12/2023 ou 2023-12-31",
        "fix_en": "write a calendar date: 2023-12-31 or 31/12/2023",
    },
    "T009": {
        "fr": "cette ligne doit être dans un cas",
        "en": "this line must belong to a case",
        "fix_fr": "commencez le cas par une ligne « cas « titre du cas » »",
        "fix_en": "start the case with a line 'case \"title of the case\"'",
    },
    "T010": {
        "fr": "le cas « {title} » n'attend aucun verdict",
        "en": "case '{title}' expects no verdict",
        "fix_fr": "ajoutez une ligne « attendu indicateur : atteint » (ou non atteint, sans données…)",
        "fix_en": "add a line 'expect indicator: met' (or not met, no data…)",
    },
    "T011": {
        "fr": "deux cas portent le titre « {title} » (le premier ligne {first})",
        "en": "two cases have the title '{title}' (the first on line {first})",
        "fix_fr": "donnez à chaque cas son propre titre",
        "fix_en": "give each case a title of its own",
    },
    "T012": {
        "fr": "texte entre guillemets non fermé",
        "en": "unclosed quoted text",
        "fix_fr": "fermez le texte par {close} sur la même ligne",
        "fix_en": "close the text with {close} on the same line",
    },
    "T013": {
        "fr": "nombre d'événements impossible « {text} »",
        "en": "impossible number of events '{text}'",
        "fix_fr": "écrivez un nombre entier d'au moins 1 : « 3 × formation »",
        "fix_en": "write a whole number of at least 1: '3 × formation'",
    },
    "T014": {
        "fr": "« champ = valeur » attendu ici",
        "en": "'field = value' expected here",
        "fix_fr": "écrivez les valeurs après « : », séparées par des virgules : « formation : participants = 4, public = écoles »",
        "fix_en": "write the values after ':', separated by commas: 'formation: participants = 4, public = schools'",
    },
    "T015": {
        "fr": "« {text} » inattendu ici",
        "en": "unexpected '{text}' here",
        "fix_fr": "attendu ici : {expected_fr}",
        "fix_en": "expected here: {expected_en}",
    },
    "T016": {
        "fr": "« {field} » est donné deux fois",
        "en": "'{field}' is given twice",
        "fix_fr": "gardez une seule valeur par champ",
        "fix_en": "keep one value per field",
    },
    "T017": {
        "fr": "valeur manquante pour « {field} »",
        "en": "missing value for '{field}'",
        "fix_fr": "écrivez la valeur après « = », ou retirez le champ s'il est optionnel",
        "fix_en": "write the value after '=', or remove the field if it is optional",
    },
    "T018": {
        "fr": "« {name} » est déjà attendu dans ce cas (ligne {first})",
        "en": "'{name}' is already expected in this case (line {first})",
        "fix_fr": "gardez une seule attente par indicateur et par cas",
        "fix_en": "keep one expectation per indicator and case",
    },
    "T019": {
        "fr": "plan introuvable : {path}",
        "en": "plan not found: {path}",
        "fix_fr": "le chemin est relatif au fichier de tests ; sans ligne « plan », le plan de même nom est cherché à côté",
        "fix_en": "the path is relative to the tests file; without a 'plan' line, the plan of the same name is looked for beside it",
    },
    "T020": {
        "fr": "le fichier ne contient aucun cas",
        "en": "the file holds no case",
        "fix_fr": "un cas commence par « cas « titre » », décrit des événements et les verdicts attendus",
        "fix_en": "a case starts with 'case \"title\"', gives events and the verdicts expected",
    },
    "T021": {
        "fr": "valeur attendue illisible « {text} »",
        "en": "unreadable expected value '{text}'",
        "fix_fr": "écrivez un nombre (10 ou 2,5), ou oui / non pour un indicateur Oui/Non",
        "fix_en": "write a number (10 or 2.5), or yes / no for a yes/no indicator",
    },
    "T022": {
        "fr": "période illisible « {text} »",
        "en": "unreadable period '{text}'",
        "fix_fr": "écrivez une année (« période 2023 »), deux années (« 2023 à 2024 ») ou deux dates (« 01/01/2023 à 30/06/2023 »)",
        "fix_en": "write a year ('period 2023'), two years ('2023 to 2024') or two dates ('2023-01-01 to 2023-06-30')",
    },
    "T023": {
        "fr": "« {field} » n'est pas un champ : la date d'un événement s'écrit après le type",
        "en": "'{field}' is not a field: an event's date follows its type",
        "fix_fr": "écrivez « {type} le 15/03/2023 : … »",
        "fix_en": "write '{type} on 2023-03-15: …'",
    },
    "T024": {
        "fr": "« {what} » est déjà donné (ligne {first})",
        "en": "'{what}' is already given (line {first})",
        "fix_fr": "gardez une seule ligne « {what} » ici",
        "fix_en": "keep a single '{what}' line here",
    },
    "T025": {
        "fr": "la ligne « plan » doit précéder le premier cas",
        "en": "the 'plan' line must come before the first case",
        "fix_fr": "déplacez-la en tête du fichier",
        "fix_en": "move it to the top of the file",
    },
    "T026": {
        "fr": "l'événement du {date} est hors de la période évaluée ({start} – {end}) : il sera ignoré",
        "en": "the event of {date} is outside the evaluated period ({start} – {end}): it will be ignored",
        "fix_fr": "vérifiez l'année de la date, ou la ligne « période »",
        "fix_en": "check the year of the date, or the 'period' line",
    },
    "T027": {
        "fr": "l'événement du {date} est après la date d'évaluation ({as_of}) : il sera ignoré",
        "en": "the event of {date} is after the evaluation date ({as_of}): it will be ignored",
        "fix_fr": "vérifiez la date, ou la ligne « évaluation le »",
        "fix_en": "check the date, or the 'as of' line",
    },
    "T029": {
        "fr": "« {field} » est une durée calculée de {start} à {end} : elle ne se donne pas",
        "en": "'{field}' is a duration computed from {start} to {end}: it is not given",
        "fix_fr": "donnez les deux dates : « {example} »",
        "fix_en": "give both dates: '{example}'",
    },
    "T028": {
        "fr": "le plan de ce fichier de tests a des erreurs",
        "en": "the plan of this tests file has errors",
        "fix_fr": "corrigez d'abord le plan : indicateurs verifier {path}",
        "fix_en": "fix the plan first: indicateurs check {path}",
    },
}

_KINDS = {
    m.FieldKind.TEXT: ("texte", "text"),
    m.FieldKind.INTEGER: ("entier", "integer"),
    m.FieldKind.DECIMAL: ("décimal", "decimal"),
    m.FieldKind.DATE: ("date", "date"),
    m.FieldKind.BOOLEAN: ("oui ou non", "yes or no"),
    m.FieldKind.ENUM: ("liste de valeurs", "list of values"),
}


class _Args(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"


def _template(code: str, key: str) -> str | None:
    return _M.get(code, {}).get(key)


@attrs.frozen
class PlanTestDiagnostic(Diagnostic):
    """A problem in a tests file: a `Diagnostic` whose messages live in this module."""

    def text(self, lang: Lang | None = None) -> str:
        lang = lang or current_language()
        template = _template(self.code, lang) or _template(self.code, "fr") or self.code
        return template.format_map(_Args(self.args))

    def fix(self, lang: Lang | None = None) -> str | None:
        lang = lang or current_language()
        key = f"fix_{lang}"
        if "guess" in self.args and not self.args["guess"]:
            key = f"fix0_{lang}"
        template = _template(self.code, key)
        return None if template is None else template.format_map(_Args(self.args))


def known_codes() -> tuple[str, ...]:
    return tuple(_M)


# ---------------------------------------------------------------------------- the model of a tests file


@attrs.frozen
class FieldValue:
    field: str
    text: str  # as written, `{n}` not yet replaced
    span: Span  # the field name
    value_span: Span


@attrs.frozen
class EventLine:
    """`N × type le DATE : champ = valeur, …`: N events alike (but for `{n}` and text fields left out)."""

    count: int
    type: str
    date: dt.date | None
    values: tuple[FieldValue, ...]
    span: Span  # the whole line
    type_span: Span


@attrs.frozen
class Expectation:
    indicator: str
    status: Status
    value: float | bool | None  # None: the value is not checked
    span: Span  # the indicator's name
    line: int


@attrs.frozen
class PlanCase:
    title: str
    events: tuple[EventLine, ...]
    expectations: tuple[Expectation, ...]
    as_of: dt.date | None
    period: m.PlanPeriod | None
    span: Span

    @property
    def line(self) -> int:
        return self.span.line


@attrs.frozen
class PlanTests:
    """A parsed tests file: its header and its cases, in order."""

    file: str
    plan: str | None  # as written in the `plan` line
    as_of: dt.date | None
    period: m.PlanPeriod | None
    cases: tuple[PlanCase, ...]
    source: str = attrs.field(default="", eq=False, repr=False)  # the normalised text


# ---------------------------------------------------------------------------- lexing one line

_QUOTES = {"«": "»", '"': '"', "“": "”"}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\b|(\d{1,2})/(\d{1,2})/(\d{4})\b")
_NAME = re.compile(r"[^\W\d][\w]*(?:['’][\w]+)*")
_COUNT = re.compile(r"(\d+)\s*(?:×|[xX*](?=\s|$)|fois\b|times\b)")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?$")
_NEXT_FIELD = re.compile(r"\s*[,;]\s*[^\W\d][\w]*(?:['’][\w]+)*\s*=")


class _LineError(Exception):
    def __init__(self, code: str, column: int, width: int = 1, **args: Any):
        super().__init__(code)
        self.code, self.column, self.width, self.details = code, column, width, args


def _strip_comment(text: str) -> str:
    """The line without its `# comment` (a `#` inside quotes is text)."""
    close: str | None = None
    for i, ch in enumerate(text):
        if close is not None:
            if ch == close:
                close = None
        elif ch in _QUOTES:
            close = _QUOTES[ch]
        elif ch == "#":
            return text[:i]
    return text


class _Cursor:
    """A position in one line; columns are 1-based like the plan checker's."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    @property
    def column(self) -> int:
        return self.pos + 1

    def at(self) -> int:
        """The column of the next non-blank character."""
        self.skip()
        return self.pos + 1

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\u00a0\u202f":
            self.pos += 1

    def done(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def rest(self) -> str:
        self.skip()
        return self.text[self.pos :].rstrip()

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self.skip()
        found = pattern.match(self.text, self.pos)
        if found:
            self.pos = found.end()
        return found

    def word(self) -> str | None:
        found = self.match(_NAME)
        return found.group() if found else None

    def keyword(self, *words: str) -> bool:
        """Consume one of the words (accent- and case-insensitive), as a whole word."""
        self.skip()
        found = _NAME.match(self.text, self.pos)
        if found and fold(found.group()) in {fold(w) for w in words}:
            self.pos = found.end()
            return True
        return False

    def char(self, chars: str) -> str | None:
        self.skip()
        if self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1
            return self.text[self.pos - 1]
        return None

    def quoted(self) -> str | None:
        """A quoted text (« », " ", “ ”; « » may hold one level of inner « »), or None."""
        self.skip()
        if self.pos >= len(self.text) or self.text[self.pos] not in _QUOTES:
            return None
        opening = self.text[self.pos]
        close = _QUOTES[opening]
        depth = 0
        for i in range(self.pos + 1, len(self.text)):
            ch = self.text[i]
            if opening == "«" and ch == "«":
                depth += 1
            elif ch == close:
                if depth:
                    depth -= 1
                    continue
                value = self.text[self.pos + 1 : i].strip()
                self.pos = i + 1
                return value
        raise _LineError("T012", self.column, len(self.text) - self.pos, close=close)

    def date(self) -> dt.date | None:
        start = self.at()
        found = self.match(_DATE)
        if not found:
            return None
        return _calendar_date(found, start)


def _calendar_date(found: re.Match[str], column: int) -> dt.date:
    try:
        if found.group(1):
            return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        return dt.date(int(found.group(6)), int(found.group(5)), int(found.group(4)))
    except ValueError:
        raise _LineError("T008", column, len(found.group()), text=found.group()) from None


# ---------------------------------------------------------------------------- parsing

_CASE = ("cas", "case")
_EXPECT = ("attendu", "attendus", "attendue", "attendues", "expect", "expected")
_AS_OF = ("évaluation", "evaluation", "évalué", "evalue")
_PERIOD = ("période", "periode", "period")
_PLAN = ("plan",)
_STATUS_WORDS: dict[str, Status] = {
    "atteint": Status.MET,
    "met": Status.MET,
    "non atteint": Status.NOT_MET,
    "pas atteint": Status.NOT_MET,
    "not met": Status.NOT_MET,
    "en cours": Status.IN_PROGRESS,
    "in progress": Status.IN_PROGRESS,
    "sans donnees": Status.NO_DATA,
    "no data": Status.NO_DATA,
    "non evaluable": Status.NOT_EVALUABLE,
    "not evaluable": Status.NOT_EVALUABLE,
    "suivi": Status.MONITORED,
    "monitored": Status.MONITORED,
}
_KEYWORDS = ("cas", "attendu", "évaluation", "période", "plan")
_KEYWORD_SYNTAX = {
    "cas": ("le titre du cas entre guillemets : cas « … »", 'the title of the case in quotes: case "…"'),
    "case": ("le titre du cas entre guillemets : cas « … »", 'the title of the case in quotes: case "…"'),
    "attendu": ("« attendu indicateur : statut »", "'expect indicator: status'"),
    "expect": ("« attendu indicateur : statut »", "'expect indicator: status'"),
    "evaluation": ("« évaluation le 31/12/2023 »", "'as of 2023-12-31'"),
    "periode": ("une année (« période 2023 ») ou deux dates", "a year ('period 2023') or two dates"),
    "period": ("une année (« période 2023 ») ou deux dates", "a year ('period 2023') or two dates"),
    "plan": ("le chemin du plan entre guillemets : plan « mon-plan.plan »", "the plan's path in quotes"),
}
_YES = {"oui", "yes", "vrai", "true"}
_NO = {"non", "no", "faux", "false"}


@attrs.define
class _DraftCase:
    title: str
    span: Span
    events: list[EventLine] = attrs.Factory(list)
    expectations: list[Expectation] = attrs.Factory(list)
    as_of: dt.date | None = None
    period: m.PlanPeriod | None = None
    seen: dict[str, int] = attrs.Factory(dict)  # header-like lines inside the case: first line
    expect_lines: int = 0  # `attendu` lines, read or not


class _Parser:
    def __init__(self, text: str, file: str):
        self.file = file
        self.lines = text.split("\n")
        self.diagnostics: list[Diagnostic] = []
        self.plan: str | None = None
        self.as_of: dt.date | None = None
        self.period: m.PlanPeriod | None = None
        self.header_seen: dict[str, int] = {}
        self.cases: list[_DraftCase] = []
        self.titles: dict[str, int] = {}

    def error(self, code: str, line: int, column: int, width: int = 1, **args: Any) -> None:
        self.diagnostics.append(PlanTestDiagnostic(code, Span.point(self.file, line, column, width), args))

    def run(self) -> PlanTests:
        for number, raw in enumerate(self.lines, start=1):
            text = _strip_comment(raw)
            if not text.strip():
                continue
            try:
                self.line(number, text)
            except _LineError as exc:
                self.error(exc.code, number, exc.column, exc.width, **exc.details)
        if not self.cases and not any(d.code.startswith("T") for d in self.diagnostics):
            self.error("T020", max(len(self.lines) - 1, 1), 1)
        cases = []
        for draft in self.cases:
            if not draft.expect_lines:
                self.error("T010", draft.span.line, draft.span.column, 3, title=draft.title)
            cases.append(
                PlanCase(
                    draft.title,
                    tuple(draft.events),
                    tuple(draft.expectations),
                    draft.as_of,
                    draft.period,
                    draft.span,
                )
            )
        return PlanTests(self.file, self.plan, self.as_of, self.period, tuple(cases))

    def line(self, number: int, text: str) -> None:
        cur = _Cursor(text)
        cur.skip()
        start = cur.column
        head = _NAME.match(text, cur.pos)
        word = fold(head.group()) if head else ""
        after = text[head.end() :].lstrip() if head else ""
        current = self.cases[-1] if self.cases else None
        if word in _CASE and after[:1] in _QUOTES:
            cur.keyword(*_CASE)
            self.case(number, cur, start)
        elif word in {fold(w) for w in _EXPECT}:
            cur.keyword(*_EXPECT)
            self.expectation(number, cur, start, current)
        elif word in {fold(w) for w in _AS_OF} or (word == "as" and fold(after[:2]) == "of"):
            if not cur.keyword(*_AS_OF):
                cur.keyword("as")
                cur.keyword("of")
            cur.keyword("le", "on")
            self.as_of_line(number, cur, start, current)
        elif word in {fold(w) for w in _PERIOD} and (after[:1].isdigit()):
            cur.keyword(*_PERIOD)
            self.period_line(number, cur, start, current)
        elif word in _PLAN and after[:1] in _QUOTES:
            cur.keyword(*_PLAN)
            if current is not None:
                raise _LineError("T025", start, 4)
            self.once(self.header_seen, "plan", number, start)
            self.plan = cur.quoted()
            self.end(cur, "fin de ligne", "end of line")
        elif head is not None or text.strip()[:1].isdigit():
            try:
                if current is None:
                    raise _LineError("T009", start, len(text.strip()))
                current.events.append(self.event(number, cur, start))
            except _LineError:
                self.keyword_problem(word, text, start, current)
                raise
        else:
            raise _LineError("T001", start, len(text.strip()), text=text.strip(), hint_fr="", hint_en="")

    def keyword_problem(self, word: str, text: str, start: int, current: _DraftCase | None) -> None:
        """A line that is no event line but starts like a keyword: say what the keyword wants."""
        exact = {fold(k): k for k in _KEYWORDS}
        if word in exact or word in ("case", "period", "expect"):
            keyword = exact.get(word, word)
            fr, en = _KEYWORD_SYNTAX[fold(keyword)]
            rest_column = start + len(keyword)
            rest = text[rest_column - 1 :].strip() or "…"
            raise _LineError("T015", rest_column + 1, len(rest), text=rest, expected_fr=fr, expected_en=en)
        guess = closest(word, _KEYWORDS, cutoff=0.7) if word else None
        if guess is not None:
            raise _LineError(
                "T001",
                start,
                len(text.strip()),
                text=text.strip(),
                hint_fr=f" ; vouliez-vous dire « {guess} » ?",
                hint_en=f"; did you mean '{guess}'?",
            )

    def once(self, seen: dict[str, int], what: str, number: int, column: int) -> None:
        if what in seen:
            raise _LineError("T024", column, len(what), what=what, first=seen[what])
        seen[what] = number

    def end(self, cur: _Cursor, expected_fr: str, expected_en: str) -> None:
        if not cur.done():
            rest = cur.rest()
            raise _LineError(
                "T015", cur.column, len(rest), text=rest, expected_fr=expected_fr, expected_en=expected_en
            )

    def case(self, number: int, cur: _Cursor, start: int) -> None:
        title = cur.quoted()
        assert title is not None
        self.end(cur, "fin de ligne après le titre", "end of line after the title")
        span = Span.point(self.file, number, start, 3)
        if title in self.titles:
            self.error("T011", number, start, 3, title=title, first=self.titles[title])
        else:
            self.titles[title] = number
        self.cases.append(_DraftCase(title, span))

    def as_of_line(self, number: int, cur: _Cursor, start: int, current: _DraftCase | None) -> None:
        date = cur.date()
        if date is None:
            rest = cur.rest() or "…"
            raise _LineError(
                "T015",
                cur.column,
                len(rest),
                text=rest,
                expected_fr="une date (31/12/2023 ou 2023-12-31)",
                expected_en="a date (2023-12-31 or 31/12/2023)",
            )
        self.end(cur, "fin de ligne après la date", "end of line after the date")
        if current is None:
            self.once(self.header_seen, "évaluation le", number, start)
            self.as_of = date
        else:
            self.once(current.seen, "évaluation le", number, start)
            current.as_of = date

    def period_line(self, number: int, cur: _Cursor, start: int, current: _DraftCase | None) -> None:
        rest_column = cur.at()
        rest = cur.rest()
        period = _parse_period(rest, rest_column)
        if current is None:
            self.once(self.header_seen, "période", number, start)
            self.period = period
        else:
            self.once(current.seen, "période", number, start)
            current.period = period

    def expectation(self, number: int, cur: _Cursor, start: int, current: _DraftCase | None) -> None:
        if current is None:
            raise _LineError("T009", start, len(cur.text.strip()))
        current.expect_lines += 1
        names: list[tuple[str, Span]] = []
        while True:
            column = cur.at()
            name = cur.word()
            if name is None:
                rest = cur.rest() or "…"
                raise _LineError(
                    "T015",
                    cur.column,
                    len(rest),
                    text=rest,
                    expected_fr="le nom d'un indicateur",
                    expected_en="the name of an indicator",
                )
            names.append((name, Span.point(self.file, number, column, len(name))))
            if cur.char(",;") is None and not cur.keyword("et", "and"):
                break
        if cur.char(":") is None:
            rest = cur.rest() or "…"
            raise _LineError(
                "T015",
                cur.column,
                len(rest),
                text=rest,
                expected_fr="« : » puis le statut attendu",
                expected_en="':' then the expected status",
            )
        status_column = cur.at()
        status_text, sep, value_text = cur.rest().partition(",")
        status = _STATUS_WORDS.get(" ".join(fold(status_text).replace("_", " ").split()))
        if status is None:
            raise _LineError(
                "T007", status_column, max(len(status_text.strip()), 1), word=status_text.strip()
            )
        value: float | bool | None = None
        if sep:
            value_column = status_column + len(status_text)  # the comma's column
            vc = _Cursor(value_text)
            if not vc.keyword("valeur", "value"):
                raise _LineError(
                    "T015",
                    value_column + vc.at(),
                    len(value_text.strip()),
                    text=value_text.strip(),
                    expected_fr="« valeur » et la valeur attendue",
                    expected_en="'value' and the expected value",
                )
            raw = vc.rest()
            word = fold(raw)
            if word in _YES:
                value = True
            elif word in _NO:
                value = False
            elif _NUMBER.match(raw.replace(" ", "")):
                value = float(raw.replace(" ", "").replace(",", "."))
            else:
                raise _LineError("T021", value_column + vc.at(), max(len(raw), 1), text=raw)
        first_lines = {e.indicator: e.line for e in current.expectations}
        for name, span in names:
            if name in first_lines:
                self.error("T018", number, span.column, len(name), name=name, first=first_lines[name])
                continue
            first_lines[name] = number
            current.expectations.append(Expectation(name, status, value, span, number))

    def event(self, number: int, cur: _Cursor, start: int) -> EventLine:
        count = 1
        cur.skip()
        count_column = cur.column
        found = cur.match(_COUNT)
        if found:
            count = int(found.group(1))
            if count < 1:
                raise _LineError("T013", count_column, len(found.group(1)), text=found.group(1))
        elif cur.text[cur.pos : cur.pos + 1].isdigit():
            digits = re.match(r"\d+\S*", cur.text[cur.pos :])
            assert digits is not None
            raise _LineError(
                "T015",
                cur.column,
                len(digits.group()),
                text=digits.group(),
                expected_fr="« N × type » (par exemple « 3 × formation »)",
                expected_en="'N × type' (for example '3 × formation')",
            )
        type_column = cur.at()
        name = cur.word()
        if name is None:
            rest = cur.rest() or "…"
            raise _LineError("T001", cur.column, len(rest), text=cur.text.strip(), hint_fr="", hint_en="")
        type_span = Span.point(self.file, number, type_column, len(name))
        cur.keyword("le", "on", "du")
        date = cur.date()
        values: list[FieldValue] = []
        if cur.char(":") is not None:
            values = self.assignments(number, cur)
        elif not cur.done():
            rest = cur.rest()
            raise _LineError(
                "T015",
                cur.column,
                len(rest),
                text=rest,
                expected_fr="« le DATE » puis « : champ = valeur »",
                expected_en="'on DATE' then ': field = value'",
            )
        span = Span(self.file, number, start, number, len(cur.text.rstrip()) + 1)
        return EventLine(count, name, date, tuple(values), span, type_span)

    def assignments(self, number: int, cur: _Cursor) -> list[FieldValue]:
        out: list[FieldValue] = []
        seen: set[str] = set()
        while True:
            column = cur.at()
            name = cur.word()
            if name is None or cur.char("=") is None:
                cur.skip()
                rest = cur.rest() or "…"
                raise _LineError("T014", column if name else cur.column, max(len(rest), 1))
            span = Span.point(self.file, number, column, len(name))
            if name in seen:
                raise _LineError("T016", column, len(name), field=name)
            seen.add(name)
            value_column = cur.at()
            quoted = cur.quoted()
            if quoted is not None:
                text = quoted
                value_span = Span(self.file, number, value_column, number, cur.column)
            else:
                following = _NEXT_FIELD.search(cur.text, cur.pos)
                stop = following.start() if following else len(cur.text)
                text = cur.text[cur.pos : stop].strip()
                if text.endswith((",", ";")) and following is None:
                    text = text[:-1].rstrip()
                cur.pos = stop
                if not text:
                    raise _LineError("T017", column, len(name), field=name)
                value_span = Span.point(self.file, number, value_column, len(text))
            out.append(FieldValue(name, text, span, value_span))
            if cur.char(",;") is None:
                break
        self.end(cur, "« , » et un autre « champ = valeur »", "',' and another 'field = value'")
        return out


def _parse_period(text: str, column: int) -> m.PlanPeriod:
    bounds = re.fullmatch(r"\s*(\S+)\s*(?:(?:à|a|to|-|\.\.)\s*(\S+))?\s*", text, re.IGNORECASE)

    def bad() -> _LineError:
        return _LineError("T022", column, max(len(text.strip()), 1), text=text.strip())

    if bounds is None:
        raise bad()
    first, second = bounds.group(1), bounds.group(2)

    def one(word: str, start: bool) -> dt.date:
        if re.fullmatch(r"\d{4}", word):
            return dt.date(int(word), 1, 1) if start else dt.date(int(word), 12, 31)
        found = _DATE.fullmatch(word)
        if found is None:
            raise bad()
        return _calendar_date(found, column)

    begin = one(first, True)
    end = one(second or first, False)
    if end < begin:
        raise bad()
    return m.PlanPeriod(begin, end)


def parse_tests(text: str, file: str = "<tests>") -> tuple[PlanTests, list[Diagnostic]]:
    """A tests file's cases, and a diagnostic for every line that does not read."""
    source = _normalise(text)
    parser = _Parser(source, file)
    tests = parser.run()
    return attrs.evolve(tests, source=source), sort_diagnostics(parser.diagnostics)


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def load_tests(path: str | os.PathLike[str]) -> tuple[PlanTests, list[Diagnostic]]:
    """Read and parse a tests file (UTF-8, or cp1252 as Windows tools save it)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return parse_tests(text, str(path))


def plan_path_for(tests: PlanTests, tests_path: str | os.PathLike[str]) -> Path:
    """The plan a tests file is about: its `plan` line (relative to the file), else the plan of the same name."""
    path = Path(tests_path)
    if tests.plan:
        return path.parent / tests.plan
    return path.with_suffix(".plan")


# ---------------------------------------------------------------------------- checking against the plan


def check_tests(tests: PlanTests, plan: m.Plan) -> list[Diagnostic]:
    """Every name and value of the tests checked against the plan: types, fields, values, indicators."""
    out: list[Diagnostic] = []

    def error(code: str, span: Span, severity: Severity = Severity.ERROR, **args: Any) -> None:
        out.append(PlanTestDiagnostic(code, span, args, severity))

    indicator_ids = [i.id for i in plan.indicators]
    for case in tests.cases:
        window = case.period or tests.period or _default_window(plan)
        as_of = case.as_of or tests.as_of or window.end
        for line in case.events:
            et = plan.event_types.get(line.type)
            if et is None:
                guess = closest(line.type, plan.event_types) or closest(line.type, _KEYWORDS) or ""
                error("T002", line.type_span, name=line.type, guess=guess, known=", ".join(plan.event_types))
                continue
            given = {v.field for v in line.values}
            for value in line.values:
                decl = et.field(value.field)
                if decl is None and fold(value.field) in ("fin", "end"):
                    decl = m.FieldDecl(value.field, m.FieldKind.DATE)  # the end of the event
                if decl is None and fold(value.field) == "id":
                    continue
                if decl is None:
                    if fold(value.field) in ("date", "type"):
                        error("T023", value.span, field=value.field, type=et.name)
                        continue
                    names = [f.name for f in et.fields]
                    guess = closest(value.field, names) or ""
                    error(
                        "T003",
                        value.span,
                        field=value.field,
                        type=et.name,
                        guess=guess,
                        known=", ".join(names) or "-",
                    )
                    continue
                if decl.duration is not None:
                    span = decl.duration
                    example = (
                        f"{et.name} le 01/02/2023 : fin = 15/02/2023"
                        if span.start == "date"
                        else f"{span.start} = 01/02/2023, {span.end} = 15/02/2023"
                    )
                    error(
                        "T029", value.span, field=decl.name, start=span.start, end=span.end, example=example
                    )
                    continue
                problem = _value_problem(decl, value.text)
                if problem is not None:
                    fr, en = _KINDS[decl.kind]
                    error(
                        "T004",
                        value.value_span,
                        value=value.text,
                        field=decl.name,
                        kind=fr,
                        kind_en=en,
                        example_fr=_example(decl, "fr"),
                        example_en=_example(decl, "en"),
                    )
            for decl in et.fields:
                if decl.optional or decl.name in given or decl.kind is m.FieldKind.TEXT:
                    continue
                fr, en = _KINDS[decl.kind]
                error("T005", line.type_span, field=decl.name, kind=fr, kind_en=en, type=et.name)
            date = line.date or window.start
            if not window.start <= date <= window.end:
                error(
                    "T026",
                    line.span,
                    Severity.WARNING,
                    date=_fr_date(date),
                    start=_fr_date(window.start),
                    end=_fr_date(window.end),
                )
            elif date > as_of:
                error("T027", line.span, Severity.WARNING, date=_fr_date(date), as_of=_fr_date(as_of))
        for expectation in case.expectations:
            if expectation.indicator not in indicator_ids:
                guess = closest(expectation.indicator, indicator_ids) or ""
                error(
                    "T006",
                    expectation.span,
                    name=expectation.indicator,
                    guess=guess,
                    known=", ".join(indicator_ids),
                )
    return sort_diagnostics(out)


def _value_problem(decl: m.FieldDecl, text: str) -> str | None:
    convert = field_converter(decl)
    for sample in {text.replace("{n}", "1"), text.replace("{n}", "2")}:
        try:
            convert(sample)
        except ConversionError as exc:
            return exc.code
    return None


def _example(decl: m.FieldDecl, lang: str) -> str:
    fr = lang == "fr"
    kind = decl.kind
    if kind is m.FieldKind.INTEGER:
        return f"un nombre entier : « {decl.name} = 4 »" if fr else f"a whole number: '{decl.name} = 4'"
    if kind is m.FieldKind.DECIMAL:
        return f"un nombre : « {decl.name} = 2,5 »" if fr else f"a number: '{decl.name} = 2.5'"
    if kind is m.FieldKind.DATE:
        return f"une date : « {decl.name} = 15/03/2023 »" if fr else f"a date: '{decl.name} = 2023-03-15'"
    if kind is m.FieldKind.BOOLEAN:
        return f"« {decl.name} = oui » ou « non »" if fr else f"'{decl.name} = yes' or 'no'"
    values = ", ".join(decl.values)
    return f"valeurs possibles : {values}" if fr else f"allowed values: {values}"


def _default_window(plan: m.Plan) -> m.PlanPeriod:
    if plan.period is not None:
        return plan.period
    today = dt.date.today()
    return m.PlanPeriod(today.replace(month=1, day=1), today.replace(month=12, day=31))


def _fr_date(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------- running


def case_records(
    plan: m.Plan, case: PlanCase, tests: PlanTests | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """The events of a case as records, each with the line of the tests file it comes from."""
    window = case.period or (tests.period if tests else None) or _default_window(plan)
    out: list[tuple[int, dict[str, Any]]] = []
    counters: dict[tuple[str, str], int] = {}
    for line in case.events:
        et = plan.event_types.get(line.type)
        for n in range(1, line.count + 1):
            record: dict[str, Any] = {"type": line.type, "date": line.date or window.start}
            for value in line.values:
                record[value.field] = value.text.replace("{n}", str(n))
            if et is not None:
                for decl in et.fields:
                    if decl.kind is m.FieldKind.TEXT and not decl.optional and decl.name not in record:
                        k = counters[(et.name, decl.name)] = counters.get((et.name, decl.name), 0) + 1
                        record[decl.name] = f"{decl.name} {k}"
            out.append((line.span.line, record))
    return out


@attrs.frozen
class Mismatch:
    """One expectation the evaluation did not meet, with what it found."""

    expectation: Expectation
    result: IndicatorResult

    @property
    def status_differs(self) -> bool:
        return self.result.status is not self.expectation.status


@attrs.frozen
class CaseResult:
    case: PlanCase
    mismatches: tuple[Mismatch, ...]
    rejections: tuple[tuple[int, Rejection], ...]  # (line of the tests file, rejection)
    result: PlanResult = attrs.field(repr=False)
    as_of: dt.date
    window: m.PlanPeriod
    plan: m.Plan | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.rejections


def run_case(plan: m.Plan, case: PlanCase, tests: PlanTests | None = None) -> CaseResult:
    """Evaluate the case's events and compare every expected verdict (and value)."""
    window = case.period or (tests.period if tests else None) or _default_window(plan)
    as_of = case.as_of or (tests.as_of if tests else None) or window.end
    pairs = case_records(plan, case, tests)
    name = f"cas « {case.title} »"
    result = evaluate(plan, from_records([r for _, r in pairs], name=name), period=window, as_of=as_of)
    by_id = {r.id: r for r in result.indicators}
    mismatches = []
    for expectation in case.expectations:
        got = by_id[expectation.indicator]
        if got.status is not expectation.status or not _same_value(expectation.value, got.value):
            mismatches.append(Mismatch(expectation, got))
    rejections = tuple((pairs[r.row - 1][0] if 0 < r.row <= len(pairs) else 0, r) for r in result.rejections)
    return CaseResult(case, tuple(mismatches), rejections, result, as_of, window, plan)


def _same_value(expected: float | bool | None, got: float | bool | None) -> bool:
    if expected is None:
        return True
    if isinstance(expected, bool) or isinstance(got, bool) or got is None:
        return expected == got
    return abs(float(expected) - float(got)) <= 1e-9 * max(1.0, abs(float(expected)))


def run_tests(plan: m.Plan, tests: PlanTests) -> list[CaseResult]:
    return [run_case(plan, case, tests) for case in tests.cases]


# ---------------------------------------------------------------------------- reports


def _status_word(status: Status, lang: Lang) -> str:
    return status.label(lang)


def _number(value: float | bool | None, lang: Lang) -> str:
    if value is None:
        return "aucune" if lang == "fr" else "none"
    if isinstance(value, bool):
        return ("oui" if value else "non") if lang == "fr" else ("yes" if value else "no")
    text = str(int(value)) if float(value).is_integer() else f"{value:.4g}"
    return text.replace(".", ",") if lang == "fr" else text


def render_case_result(outcome: CaseResult, file: str, lang: Lang | None = None) -> str:
    """Why a case failed, in the officer's terms: expected and obtained, the measure and the target."""
    lang = lang or current_language()
    fr = lang == "fr"
    case = outcome.case
    lines = [f"{file}:{case.line}: " + (f"cas « {case.title} »" if fr else f"case '{case.title}'")]
    for mismatch in outcome.mismatches:
        exp, got = mismatch.expectation, mismatch.result
        head = f"  {exp.indicator} (ligne {exp.line}) : " if fr else f"  {exp.indicator} (line {exp.line}): "
        if mismatch.status_differs:
            if fr:
                head += f"attendu « {_status_word(exp.status, lang)} », obtenu « {_status_word(got.status, lang)} »"
            else:
                head += f"expected '{_status_word(exp.status, lang)}', got '{_status_word(got.status, lang)}'"
        else:
            if fr:
                head += f"valeur attendue {_number(exp.value, lang)}, obtenue {_number(got.value, lang)}"
            else:
                head += f"expected value {_number(exp.value, lang)}, got {_number(got.value, lang)}"
        lines.append(head)
        target = got.target
        if outcome.plan is not None and lang != "fr":
            target = target_text(outcome.plan.indicator(got.id), lang) or target
        lines.extend("    " + detail for detail in _why(got, target, lang))
    for line, rejection in outcome.rejections:
        if fr:
            lines.append(f"  événement de la ligne {line} rejeté : {rejection.message}")
        else:
            lines.append(f"  event of line {line} rejected: {rejection.message}")
    return "\n".join(lines)


def _why(got: IndicatorResult, target: str | None, lang: Lang) -> list[str]:
    fr = lang == "fr"
    out = []
    measured = _number(got.value, lang)
    if fr:
        out.append(f"mesuré : {measured}" + (f" ; cible : {target}" if target else ""))
    else:
        out.append(f"measured: {measured}" + (f"; target: {target}" if target else ""))
    if got.expression:
        out.append(("expression : " if fr else "expression: ") + got.expression)
    if len(got.periods) > 1:
        parts = [f"{p.label} {_number(p.value, lang)} ({_status_word(p.status, lang)})" for p in got.periods]
        out.append(("périodes : " if fr else "periods: ") + ", ".join(parts))
    if got.reason:
        out.append(("raison : " if fr else "reason: ") + got.reason)
    if got.status is Status.NO_DATA:
        types = ", ".join(got.event_types) or "-"
        out.append(
            f"aucun événement de type {types} dans la période"
            if fr
            else f"no event of type {types} in the period"
        )
    return out


def summary_line(outcomes: Sequence[CaseResult], lang: Lang | None = None) -> str:
    lang = lang or current_language()
    total = len(outcomes)
    failed = sum(1 for o in outcomes if not o.passed)
    if lang == "fr":
        return f"{total} cas : {total - failed} réussi{'s' if total - failed > 1 else ''}, {failed} en échec"
    return f"{total} case{'s' if total != 1 else ''}: {total - failed} passed, {failed} failed"


def expectations_by_indicator(tests: PlanTests) -> Mapping[str, list[tuple[PlanCase, Expectation]]]:
    """Which cases pin which indicator: for a coverage view of a tests file."""
    out: dict[str, list[tuple[PlanCase, Expectation]]] = {}
    for case in tests.cases:
        for exp in case.expectations:
            out.setdefault(exp.indicator, []).append((case, exp))
    return out
