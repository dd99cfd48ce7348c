"""The plan language, construct by construct, in both keyword languages.

Every test goes through the public front door, `indicateurs.load_plan`, and asserts on the
compiled model (`indicateurs.model`): what a plan *means*, not how the parser got there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from indicateurs import PlanError, load_plan
from indicateurs import model as m
from indicateurs.model import AggregateFn as Fn
from indicateurs.model import Comparator as Op
from indicateurs.model import FieldKind as Kind

# ---------------------------------------------------------------------------- helpers

EVENTS_FR = """\
événement formation « Formation ou sensibilisation »
  participants : entier
  public : texte optionnel
  catégorie : colloque | atelier | journée_étude
  confirmé : booléen
  durée : décimal
  jour : date
"""

EVENTS_EN = """\
event formation "Formation ou sensibilisation"
  participants : integer
  public : text optional
  catégorie : colloque | atelier | journée_étude
  confirmé : boolean
  durée : decimal
  jour : date
"""


def one_indicator(line: str, english: bool = False) -> m.Indicator:
    """The indicator `x` of a small plan whose expression line is `line`."""
    head = "period 2023\n" + EVENTS_EN if english else "période 2023\n" + EVENTS_FR
    decl = 'indicator x "X"' if english else "indicateur x « X »"
    plan = load_plan(f"{head}{decl}\n  {line}\n")
    assert [i.id for i in plan.indicators] == ["x"]
    return plan.indicators[0]


def count(where: m.Expr | None = None, event: str = "formation") -> m.Aggregate:
    return m.Aggregate(Fn.COUNT, event, None, where)


def n(value: float, percent: bool = False) -> m.Number:
    return m.Number(value, percent)


def name(text: str) -> m.Name:
    return m.Name(text)


# ---------------------------------------------------------------------------- header


def test_french_header() -> None:
    plan = load_plan(
        """\
plan « Contrat de sécurité et de société 2023 »
commune « Molenbeek-Saint-Jean »
période 2023
base légale « AR du 1er octobre 2023 »
méta pouvoir_subsidiant « SPF Intérieur »
méta « personne de contact » : « Service prévention »
niveaux « secteur » > « objectif » > « action »
granularité trimestre
"""
    )
    assert plan.title == "Contrat de sécurité et de société 2023"
    assert plan.commune == "Molenbeek-Saint-Jean"
    assert plan.period == m.PlanPeriod(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert plan.period.years == (2023,)
    assert plan.legal_basis == "AR du 1er octobre 2023"
    assert plan.meta == (
        ("pouvoir_subsidiant", "SPF Intérieur"),
        ("personne de contact", "Service prévention"),
    )
    assert plan.levels == ("secteur", "objectif", "action")
    assert plan.granularity is m.PeriodUnit.QUARTER
    assert plan.nodes == () and plan.indicators == () and dict(plan.event_types) == {}


def test_english_header_gives_the_same_plan_as_the_french_one() -> None:
    english = load_plan(
        """\
plan "Safety contract"
municipality "Koksijde"
period 2020 to 2025
legal basis "Council decision of 18 December 2019"
meta funder: "FPS Home Affairs"
levels "programme" > "outcome"
granularity semester
"""
    )
    french = load_plan(
        """\
plan « Safety contract »
commune « Koksijde »
période 2020 à 2025
base légale « Council decision of 18 December 2019 »
méta funder « FPS Home Affairs »
niveaux « programme » > « outcome »
granularité semestre
"""
    )
    assert english == french
    assert english.period == m.PlanPeriod(dt.date(2020, 1, 1), dt.date(2025, 12, 31))
    assert english.period.years == (2020, 2021, 2022, 2023, 2024, 2025)
    assert english.granularity is m.PeriodUnit.SEMESTER
    assert english.meta == (("funder", "FPS Home Affairs"),)


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("période 2023", (2023, 1, 1), (2023, 12, 31)),
        ("periode 2023", (2023, 1, 1), (2023, 12, 31)),
        ("période 2020 à 2025", (2020, 1, 1), (2025, 12, 31)),
        ("période 2020 - 2025", (2020, 1, 1), (2025, 12, 31)),
        ("période 2020-2025", (2020, 1, 1), (2025, 12, 31)),
        ("period 2020 to 2025", (2020, 1, 1), (2025, 12, 31)),
        ("period 2020..2025", (2020, 1, 1), (2025, 12, 31)),
        ("PÉRIODE 2024 À 2026", (2024, 1, 1), (2026, 12, 31)),
        ("période 2023-04-01 à 2024-03-31", (2023, 4, 1), (2024, 3, 31)),
        ("période 01/04/2023 à 31/03/2024", (2023, 4, 1), (2024, 3, 31)),
        ("period 2023-07-01 to 2025", (2023, 7, 1), (2025, 12, 31)),
    ],
)
def test_period_forms(line: str, start: tuple[int, int, int], end: tuple[int, int, int]) -> None:
    plan = load_plan(line + "\n")
    assert plan.period == m.PlanPeriod(dt.date(*start), dt.date(*end))


def test_default_levels_and_granularity() -> None:
    plan = load_plan("période 2023\nobjectif stratégique 1 « S »\n  objectif opérationnel 1.1 « O »\n")
    assert plan.levels[:3] == ("secteur d'activité", "objectif général", "objectif stratégique")
    assert "objectif opérationnel" in plan.levels and "résultat attendu" in plan.levels
    assert plan.granularity is m.PeriodUnit.MONTH
    assert [n.level for n in plan.nodes[0].walk()] == ["objectif stratégique", "objectif opérationnel"]


# ---------------------------------------------------------------------------- event types


EXPECTED_FORMATION = m.EventType(
    "formation",
    "Formation ou sensibilisation",
    (
        m.FieldDecl("participants", Kind.INTEGER),
        m.FieldDecl("public", Kind.TEXT, optional=True),
        m.FieldDecl("catégorie", Kind.ENUM, ("colloque", "atelier", "journée_étude")),
        m.FieldDecl("confirmé", Kind.BOOLEAN),
        m.FieldDecl("durée", Kind.DECIMAL),
        m.FieldDecl("jour", Kind.DATE),
    ),
)


@pytest.mark.parametrize("events", [EVENTS_FR, EVENTS_EN], ids=["fr", "en"])
def test_event_declaration_with_every_field_type(events: str) -> None:
    plan = load_plan("période 2023\n" + events)
    assert dict(plan.event_types) == {"formation": EXPECTED_FORMATION}
    formation = plan.event_types["formation"]
    assert formation.field("durée") == m.FieldDecl("durée", Kind.DECIMAL)
    assert formation.field("absent") is None
    assert [f.kind.numeric for f in formation.fields] == [True, False, False, False, True, False]


def test_field_type_spellings_and_event_without_label() -> None:
    plan = load_plan(
        """\
période 2023
evenement a
  t : Texte
  b : booleen optional
  d : decimal optionnel
  e : ENTIER
event b
"""
    )
    assert plan.event_types["a"] == m.EventType(
        "a",
        None,
        (
            m.FieldDecl("t", Kind.TEXT),
            m.FieldDecl("b", Kind.BOOLEAN, optional=True),
            m.FieldDecl("d", Kind.DECIMAL, optional=True),
            m.FieldDecl("e", Kind.INTEGER),
        ),
    )
    assert plan.event_types["b"] == m.EventType("b", None, ())
    assert list(plan.event_types) == ["a", "b"]


def test_enumeration_values_keep_their_declared_order() -> None:
    plan = load_plan(
        "période 2023\névénement c\n  instance : groupe_autorités | csil | cellule_police | autre\n"
    )
    field = plan.event_types["c"].field("instance")
    assert field is not None
    assert field.kind is Kind.ENUM
    assert field.values == ("groupe_autorités", "csil", "cellule_police", "autre")


# ---------------------------------------------------------------------------- expressions

# (French line, English line, expected expression): one row per construct.
EXPRESSIONS: list[tuple[str, str, m.Expr]] = [
    ("nombre(formation) >= 3", "count(formation) >= 3", m.Compare(Op.GE, count(), n(3))),
    (
        "nombre(formation où confirmé) >= 3",
        "count(formation where confirmé) >= 3",
        m.Compare(Op.GE, count(m.BoolField("confirmé")), n(3)),
    ),
    (
        "nombre(formation où non confirmé) <= 2",
        "count(formation where not confirmé) <= 2",
        m.Compare(Op.LE, count(m.Not(m.BoolField("confirmé"))), n(2)),
    ),
    (
        "nombre(formation où catégorie = colloque et participants > 10) >= 1",
        "count(formation where catégorie = colloque and participants > 10) >= 1",
        m.Compare(
            Op.GE,
            count(
                m.And(
                    m.Compare(Op.EQ, name("catégorie"), name("colloque")),
                    m.Compare(Op.GT, name("participants"), n(10)),
                )
            ),
            n(1),
        ),
    ),
    (
        "nombre(formation où catégorie = colloque ou catégorie = atelier) >= 1",
        "count(formation where catégorie = colloque or catégorie = atelier) >= 1",
        m.Compare(
            Op.GE,
            count(
                m.Or(
                    m.Compare(Op.EQ, name("catégorie"), name("colloque")),
                    m.Compare(Op.EQ, name("catégorie"), name("atelier")),
                )
            ),
            n(1),
        ),
    ),
    (
        "nombre(formation où catégorie dans [colloque, atelier]) >= 3",
        "count(formation where catégorie in [colloque, atelier]) >= 3",
        m.Compare(Op.GE, count(m.InList(name("catégorie"), (name("colloque"), name("atelier")))), n(3)),
    ),
    (
        "nombre(formation où catégorie pas dans [colloque; atelier]) >= 3",
        "count(formation where catégorie not in [colloque; atelier]) >= 3",
        m.Compare(
            Op.GE, count(m.InList(name("catégorie"), (name("colloque"), name("atelier")), negated=True)), n(3)
        ),
    ),
    (
        "nombre(formation où participants entre 5 et 10) >= 1",
        "count(formation where participants between 5 and 10) >= 1",
        m.Compare(Op.GE, count(m.Between(name("participants"), n(5), n(10))), n(1)),
    ),
    ("nombre(formation) entre 2 et 4", "count(formation) between 2 and 4", m.Between(count(), n(2), n(4))),
    (
        "somme(formation.participants) >= 5",
        "sum(formation.participants) >= 5",
        m.Compare(Op.GE, m.Aggregate(Fn.SUM, "formation", "participants"), n(5)),
    ),
    (
        "moyenne(formation.durée) <= 7,5",
        "avg(formation.durée) <= 7.5",
        m.Compare(Op.LE, m.Aggregate(Fn.AVG, "formation", "durée"), n(7.5)),
    ),
    (
        "min(formation.participants) >= 2",
        "min(formation.participants) >= 2",
        m.Compare(Op.GE, m.Aggregate(Fn.MIN, "formation", "participants"), n(2)),
    ),
    (
        "max(formation.durée où confirmé) < 8",
        "max(formation.durée where confirmé) < 8",
        m.Compare(Op.LT, m.Aggregate(Fn.MAX, "formation", "durée", m.BoolField("confirmé")), n(8)),
    ),
    (
        "distinct(formation.public) >= 4",
        "distinct(formation.public) >= 4",
        m.Compare(Op.GE, m.Aggregate(Fn.DISTINCT, "formation", "public"), n(4)),
    ),
    ("existe(formation)", "exists(formation)", m.Aggregate(Fn.EXISTS, "formation")),
    (
        "part(formation où confirmé) >= 80 %",
        "share(formation where confirmé) >= 80 %",
        m.Compare(
            Op.GE, m.Aggregate(Fn.SHARE, "formation", None, m.BoolField("confirmé")), n(80, percent=True)
        ),
    ),
    (
        "existe(formation où catégorie = colloque) et non existe(formation où catégorie = atelier)",
        "exists(formation where catégorie = colloque) and not exists(formation where catégorie = atelier)",
        m.And(
            m.Aggregate(Fn.EXISTS, "formation", None, m.Compare(Op.EQ, name("catégorie"), name("colloque"))),
            m.Not(
                m.Aggregate(
                    Fn.EXISTS, "formation", None, m.Compare(Op.EQ, name("catégorie"), name("atelier"))
                )
            ),
        ),
    ),
    (
        "nombre(formation) >= 3 ou existe(formation où confirmé)",
        "count(formation) >= 3 or exists(formation where confirmé)",
        m.Or(
            m.Compare(Op.GE, count(), n(3)),
            m.Aggregate(Fn.EXISTS, "formation", None, m.BoolField("confirmé")),
        ),
    ),
    (
        "nombre(formation où confirmé = vrai et public = «élus») >= 1",
        'count(formation where confirmé = true and public = "élus") >= 1',
        m.Compare(
            Op.GE,
            count(
                m.And(
                    m.Compare(Op.EQ, name("confirmé"), m.Boolean(True)),
                    m.Compare(Op.EQ, name("public"), m.Text("élus")),
                )
            ),
            n(1),
        ),
    ),
    (
        "nombre(formation où jour >= 2023-06-01 et jour < 01/07/2023) >= 1",
        "count(formation where jour >= 2023-06-01 and jour < 01/07/2023) >= 1",
        m.Compare(
            Op.GE,
            count(
                m.And(
                    m.Compare(Op.GE, name("jour"), m.DateValue(dt.date(2023, 6, 1))),
                    m.Compare(Op.LT, name("jour"), m.DateValue(dt.date(2023, 7, 1))),
                )
            ),
            n(1),
        ),
    ),
    (
        "nombre(formation) - nombre(formation où confirmé) <= 2",
        "count(formation) - count(formation where confirmé) <= 2",
        m.Compare(Op.LE, m.Arithmetic("-", count(), count(m.BoolField("confirmé"))), n(2)),
    ),
    (
        "somme(formation.participants) / nombre(formation) >= 5 + 1",
        "sum(formation.participants) / count(formation) >= 5 + 1",
        m.Compare(
            Op.GE,
            m.Arithmetic("/", m.Aggregate(Fn.SUM, "formation", "participants"), count()),
            m.Arithmetic("+", n(5), n(1)),
        ),
    ),
    (
        "nombre(formation) × 2 >= (3 + 1) * 2",
        "count(formation) * 2 >= (3 + 1) * 2",
        m.Compare(
            Op.GE,
            m.Arithmetic("*", count(), n(2)),
            m.Arithmetic("*", m.Arithmetic("+", n(3), n(1)), n(2)),
        ),
    ),
]


@pytest.mark.parametrize(("french", "english", "expected"), EXPRESSIONS, ids=[e[1] for e in EXPRESSIONS])
def test_expression_in_both_keyword_languages(french: str, english: str, expected: m.Expr) -> None:
    fr = one_indicator(french)
    en = one_indicator(english, english=True)
    assert fr.expr == expected
    assert en.expr == expected
    assert fr == en


@pytest.mark.parametrize(
    ("symbol", "op"),
    [
        (">=", Op.GE),
        ("≥", Op.GE),
        (">", Op.GT),
        ("<=", Op.LE),
        ("≤", Op.LE),
        ("<", Op.LT),
        ("=", Op.EQ),
        ("!=", Op.NE),
        ("≠", Op.NE),
        ("<>", Op.NE),
    ],
)
def test_comparators(symbol: str, op: Op) -> None:
    assert one_indicator(f"nombre(formation) {symbol} 3").expr == m.Compare(op, count(), n(3))


@pytest.mark.parametrize(
    ("text", "value", "percent", "effective"),
    [
        ("7,5", 7.5, False, 7.5),
        ("7.5", 7.5, False, 7.5),
        ("80 %", 80.0, True, 0.8),
        ("80%", 80.0, True, 0.8),
        ("12,5 %", 12.5, True, 0.125),
        ("1000", 1000.0, False, 1000.0),
    ],
)
def test_french_number_notation(text: str, value: float, percent: bool, effective: float) -> None:
    expr = one_indicator(f"part(formation où confirmé) <= {text}").expr
    assert isinstance(expr, m.Compare)
    assert expr.right == m.Number(value, percent)
    assert expr.right.effective == pytest.approx(effective)


def test_negative_numbers_and_unary_minus() -> None:
    assert one_indicator("nombre(formation où participants > -1) >= 1").expr == m.Compare(
        Op.GE, count(m.Compare(Op.GT, name("participants"), n(-1))), n(1)
    )
    assert one_indicator("-nombre(formation) <= -2").expr == m.Compare(Op.LE, m.Negative(count()), n(-2))


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("vrai", True),
        ("oui", True),
        ("true", True),
        ("yes", True),
        ("faux", False),
        ("false", False),
        ("no", False),
    ],
)
def test_boolean_literals(literal: str, value: bool) -> None:
    expr = one_indicator(f"nombre(formation où confirmé = {literal}) >= 1").expr
    assert expr == m.Compare(Op.GE, count(m.Compare(Op.EQ, name("confirmé"), m.Boolean(value))), n(1))


@pytest.mark.parametrize(
    ("french", "english", "unit"),
    [
        ("par an", "per year", m.PeriodUnit.YEAR),
        ("par année", "per year", m.PeriodUnit.YEAR),
        ("par semestre", "per semester", m.PeriodUnit.SEMESTER),
        ("par trimestre", "per quarter", m.PeriodUnit.QUARTER),
        ("par mois", "per month", m.PeriodUnit.MONTH),
    ],
)
def test_periods(french: str, english: str, unit: m.PeriodUnit) -> None:
    fr = one_indicator(f"nombre(formation) >= 2 {french}")
    en = one_indicator(f"count(formation) >= 2 {english}", english=True)
    assert fr.period is en.period is unit
    assert fr == en


def test_an_indicator_without_period_covers_the_whole_plan_period() -> None:
    assert one_indicator("nombre(formation) >= 2").period is m.PeriodUnit.WHOLE


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("existe(formation) avant le 30/06/2023", "exists(formation) by 2023-06-30"),
        ("existe(formation) avant 2023-06-30", "exists(formation) by 30/06/2023"),
        ("existe(formation) avant le 2023-06-30", "exists(formation) by 2023-06-30"),
    ],
)
def test_deadlines(french: str, english: str) -> None:
    fr = one_indicator(french)
    en = one_indicator(english, english=True)
    assert fr.deadline == en.deadline == dt.date(2023, 6, 30)
    assert fr.kind is m.IndicatorKind.YES_NO
    assert fr == en


def test_period_and_deadline_together() -> None:
    ind = one_indicator("nombre(formation) >= 1 par trimestre avant le 31/12/2023")
    assert ind.period is m.PeriodUnit.QUARTER
    assert ind.deadline == dt.date(2023, 12, 31)


@pytest.mark.parametrize(
    ("line", "english", "kind"),
    [
        ("nombre(formation) >= 3", False, m.IndicatorKind.TARGET),
        ("nombre(formation) entre 1 et 3", False, m.IndicatorKind.TARGET),
        ("existe(formation)", False, m.IndicatorKind.YES_NO),
        ("non existe(formation)", False, m.IndicatorKind.YES_NO),
        ("existe(formation) et nombre(formation) >= 2", False, m.IndicatorKind.YES_NO),
        ("oui", False, m.IndicatorKind.YES_NO),
        ("suivi nombre(formation) par trimestre", False, m.IndicatorKind.MONITORED),
        ("monitor sum(formation.participants) per quarter", True, m.IndicatorKind.MONITORED),
        ("monitor avg(formation.durée)", True, m.IndicatorKind.MONITORED),
    ],
)
def test_indicator_kinds(line: str, english: bool, kind: m.IndicatorKind) -> None:
    assert one_indicator(line, english=english).kind is kind


def test_monitored_indicator_in_both_languages() -> None:
    fr = one_indicator("suivi nombre(formation où confirmé) par trimestre")
    en = one_indicator("monitor count(formation where confirmé) per quarter", english=True)
    assert fr == en
    assert fr.kind is m.IndicatorKind.MONITORED
    assert fr.expr == count(m.BoolField("confirmé"))
    assert fr.period is m.PeriodUnit.QUARTER


def test_an_indicator_without_expression_is_a_target_to_define() -> None:
    plan = load_plan("période 2023\nindicateur a_definir « Cible à définir »\n")
    ind = plan.indicator("a_definir")
    assert ind.kind is m.IndicatorKind.UNDEFINED
    assert ind.expr is None
    assert ind.wording == "Cible à définir"


def test_indicator_references() -> None:
    plan = load_plan(
        f"""\
période 2023
{EVENTS_FR}
indicateur formations « Formations : >/= 2/an »
  nombre(formation) >= 2 par an
indicateur colloques « Participation à un colloque : Oui/Non »
  existe(formation où catégorie = colloque)
indicateur participants « Participants »
  suivi somme(formation.participants)
indicateur ensemble « Formations et colloques : Oui/Non »
  formations et (colloques ou non formations)
indicateur moyenne_par_formation « Au moins 5 participants par formation en moyenne »
  participants / 4 >= 5
"""
    )
    ensemble = plan.indicator("ensemble")
    assert ensemble.expr == m.And(
        m.IndicatorRef("formations"),
        m.Or(m.IndicatorRef("colloques"), m.Not(m.IndicatorRef("formations"))),
    )
    assert ensemble.kind is m.IndicatorKind.YES_NO
    ratio = plan.indicator("moyenne_par_formation")
    assert ratio.expr == m.Compare(Op.GE, m.Arithmetic("/", m.IndicatorRef("participants"), n(4)), n(5))
    assert ratio.kind is m.IndicatorKind.TARGET
    with pytest.raises(KeyError):
        plan.indicator("absent")


def test_keywords_are_case_insensitive() -> None:
    upper = load_plan(
        "PÉRIODE 2023\nÉVÉNEMENT formation\n  participants : ENTIER\nINDICATEUR x « X »\n"
        "  NOMBRE(formation OÙ participants > 2) >= 3 PAR AN AVANT LE 31/12/2023\n"
    )
    lower = load_plan(
        "période 2023\névénement formation\n  participants : entier\nindicateur x « X »\n"
        "  nombre(formation où participants > 2) >= 3 par an avant le 31/12/2023\n"
    )
    assert upper == lower
    assert upper.indicators[0].period is m.PeriodUnit.YEAR


def test_both_keyword_languages_may_be_mixed_in_one_file() -> None:
    plan = load_plan(
        "period 2023\névénement formation\n  participants : integer\nindicator x « X »\n"
        "  count(formation où participants > 2) >= 3 par an\n"
    )
    assert plan.indicators[0].expr == m.Compare(
        Op.GE, count(m.Compare(Op.GT, name("participants"), n(2))), n(3)
    )


# ---------------------------------------------------------------------------- labels and comments


def test_label_quotes() -> None:
    plan = load_plan(
        """\
période 2023
indicateur a « Mise en place d'un espace d'écoute pour les personnes « suspectées » »
indicateur b "Nombre de prises en charge : >/= 10/an"
indicateur c “Existence de constats : Oui/Non”
indicateur d «Sans espaces»
"""
    )
    assert [i.wording for i in plan.indicators] == [
        "Mise en place d'un espace d'écoute pour les personnes « suspectées »",
        "Nombre de prises en charge : >/= 10/an",
        "Existence de constats : Oui/Non",
        "Sans espaces",
    ]


def test_comments_are_ignored_wherever_they_stand() -> None:
    with_comments = load_plan(
        """\
# Plan de test — un commentaire peut contenir « guillemets », nombre(x) >= 3 et tout le reste
période 2023  # la période
événement formation « F »  # un type d'événement
  # un commentaire entre deux champs
  participants : entier # le nombre de personnes
indicateur x « X # ceci fait partie du libellé »
  # le commentaire avant l'expression
  nombre(formation où participants > 2) >= 3 par an # la cible
    # commentaire final, indenté
"""
    )
    without = load_plan(
        """\
période 2023
événement formation « F »
  participants : entier
indicateur x « X # ceci fait partie du libellé »
  nombre(formation où participants > 2) >= 3 par an
"""
    )
    assert with_comments == without
    assert with_comments.indicators[0].wording == "X # ceci fait partie du libellé"


# ---------------------------------------------------------------------------- the tree


TREE_PLAN = """\
période 2023
granularité trimestre
niveaux « programme » > « doelstelling » > « outcome » > « output » > « action »

event burglary "Woninginbraak"
    attempt : boolean

indicator loose "Declared before any node"
    exists(burglary)
programme 1 "Inbraken"
  note "Programme note"
  doelstelling 1.1 "Minder inbraken"
    outcome 1.1.1 "Minder voltooide inbraken"
      indicator completed "Voltooide inbraken"
        count(burglary where not attempt) <= 60 per year
        unit "inbraken"
        note "Indicator note"
      output 1.1.1.1 "Adviezen"
        action "Graveersessies"
          indicator attempts "Pogingen"
            monitor count(burglary where attempt) per quarter
  doelstelling 1.2 "Tweede doelstelling"
    output 1.2.1 "Output directly under a doelstelling"
programme 2 "Overlast"
"""


def test_level_names_are_data_and_the_hierarchy_follows_their_order() -> None:
    plan = load_plan(TREE_PLAN)
    assert plan.levels == ("programme", "doelstelling", "outcome", "output", "action")
    assert [(node.level, node.number, node.label) for node in plan.nodes] == [
        ("programme", "1", "Inbraken"),
        ("programme", "2", "Overlast"),
    ]
    programme = plan.nodes[0]
    assert programme.notes == ("Programme note",)
    first, second = programme.children
    assert isinstance(first, m.Node) and isinstance(second, m.Node)
    assert (first.level, first.number, second.level, second.number) == (
        "doelstelling",
        "1.1",
        "doelstelling",
        "1.2",
    )
    (outcome,) = first.children
    assert isinstance(outcome, m.Node)
    completed, output = outcome.children
    assert isinstance(completed, m.Indicator) and completed.id == "completed"
    assert isinstance(output, m.Node) and output.level == "output"
    (action,) = output.children
    assert isinstance(action, m.Node) and action.level == "action" and action.number is None
    assert [c.id for c in action.children if isinstance(c, m.Indicator)] == ["attempts"]
    (skipping,) = second.children
    assert isinstance(skipping, m.Node) and (skipping.level, skipping.number) == ("output", "1.2.1")
    walked = [x.label if isinstance(x, m.Node) else x.id for x in programme.walk()]
    assert walked == [
        "Inbraken",
        "Minder inbraken",
        "Minder voltooide inbraken",
        "completed",
        "Adviezen",
        "Graveersessies",
        "attempts",
        "Tweede doelstelling",
        "Output directly under a doelstelling",
    ]


def test_indicators_in_plan_order_with_their_path_unit_and_notes() -> None:
    plan = load_plan(TREE_PLAN)
    assert [i.id for i in plan.indicators] == ["loose", "completed", "attempts"]
    assert [i.id for i in plan.loose_indicators] == ["loose"]
    loose, completed, attempts = plan.indicators
    assert loose.path == ()
    assert completed.path == ("Inbraken", "Minder inbraken", "Minder voltooide inbraken")
    assert completed.unit == "inbraken"
    assert completed.notes == ("Indicator note",)
    assert completed.period is m.PeriodUnit.YEAR
    assert attempts.path[-2:] == ("Adviezen", "Graveersessies")
    assert attempts.kind is m.IndicatorKind.MONITORED
    assert attempts.period is m.PeriodUnit.QUARTER
    assert list(plan.event_types) == ["burglary"]


def test_level_words_match_without_accents_or_case() -> None:
    plan = load_plan(
        "période 2023\nObjectif Strategique 1 « S »\n  objectif operationnel 1.1 « O »\n"
        "    résultat attendu « R »\n"
    )
    (root,) = plan.nodes
    assert root.level == "objectif stratégique"  # the declared spelling, not the written one
    assert [x.level for x in root.walk() if isinstance(x, m.Node)] == [
        "objectif stratégique",
        "objectif opérationnel",
        "résultat attendu",
    ]


def test_numbers_with_a_trailing_dot_and_nodes_without_number() -> None:
    plan = load_plan(
        "période 2023\nsecteur d'activité 1. « S »\n  objectif général « G »\n    objectif stratégique 1.2. « O »\n"
    )
    (sector,) = plan.nodes
    assert sector.number == "1"
    (general,) = sector.children
    assert isinstance(general, m.Node) and general.number is None
    (strategic,) = general.children
    assert isinstance(strategic, m.Node) and strategic.number == "1.2"


# ---------------------------------------------------------------------------- layout


def _reindent(text: str, style: str) -> str:
    lines = []
    for i, line in enumerate(text.splitlines()):
        body = line.lstrip(" \t")
        if style == "none":
            lines.append(body)
        elif style == "tabs":
            depth = (len(line) - len(line.lstrip(" "))) // 2
            lines.append("\t" * depth + body)
        elif style == "chaos":
            lines.append(("\t", " ", "    ", "", "\t  ", "\u00a0")[i % 6] + body)
        else:  # pragma: no cover
            raise AssertionError(style)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("style", ["none", "tabs", "chaos"])
def test_indentation_never_changes_meaning(style: str, plan_paths: list[Path]) -> None:
    for path in [*plan_paths, None]:
        text = TREE_PLAN if path is None else path.read_text(encoding="utf-8")
        reference = load_plan(text)
        assert load_plan(_reindent(text, style)) == reference, path


def test_windows_line_endings_bom_and_blank_lines_give_the_same_plan(write_plan: Callable[..., Path]) -> None:
    reference = load_plan(TREE_PLAN)
    assert load_plan("\ufeff" + TREE_PLAN.replace("\n", "\r\n")) == reference
    # Old Mac line ends: from a file (a one-line string would be taken for a path).
    assert load_plan(write_plan(TREE_PLAN.replace("\n", "\r"))) == reference
    assert load_plan("\n\n" + TREE_PLAN.replace("\n", "\n\n") + "\n\n") == reference
    assert load_plan(TREE_PLAN.rstrip("\n")) == reference


def test_a_plan_in_french_keywords_equals_the_same_plan_in_english_keywords() -> None:
    french = """\
plan « Plan »
commune « Commune »
période 2024 à 2026
base légale « Base »
méta clé « valeur »
niveaux « programme » > « action »
granularité trimestre
événement dossier « Dossier »
  délai : décimal
  statut : ouvert | clos
  urgent : booléen optionnel
programme 1 « Programme »
  note « Une note »
  action 1.1 « Action »
    indicateur rapide « Dossiers rapides »
      part(dossier où délai <= 21 et statut pas dans [ouvert]) >= 80 % par semestre
      unité « % »
    indicateur urgents « Dossiers urgents »
      suivi nombre(dossier où urgent ou délai entre 0 et 2) par trimestre
    indicateur fait « Fait »
      existe(dossier) avant le 30/06/2024
    indicateur tout « Tout »
      rapide et non fait
"""
    english = """\
plan "Plan"
municipality "Commune"
period 2024 to 2026
legal basis "Base"
meta clé "valeur"
levels "programme" > "action"
granularity quarter
event dossier "Dossier"
  délai : decimal
  statut : ouvert | clos
  urgent : boolean optional
programme 1 "Programme"
  note "Une note"
  action 1.1 "Action"
    indicator rapide "Dossiers rapides"
      share(dossier where délai <= 21 and statut not in [ouvert]) >= 80 % per semester
      unit "%"
    indicator urgents "Dossiers urgents"
      monitor count(dossier where urgent or délai between 0 and 2) per quarter
    indicator fait "Fait"
      exists(dossier) by 2024-06-30
    indicator tout "Tout"
      rapide and not fait
"""
    assert load_plan(french) == load_plan(english)


# ---------------------------------------------------------------------------- the shipped plans


def test_molenbeek_plan(repo_root: Path) -> None:
    plan = load_plan(repo_root / "plans" / "molenbeek-2023.plan")
    assert plan.commune == "Molenbeek-Saint-Jean"
    assert plan.period == m.PlanPeriod(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert [i.id for i in plan.indicators] == [
        "espace_ecoute",
        "prises_en_charge",
        "reseau_extra_local",
        "formations",
        "personnes_formees",
        "expertise",
        "participations",
        "constats",
        "recommandations",
        "groupes_travail",
        "csil",
        "contacts_police",
        "projets",
    ]
    assert [node.number for node in plan.nodes] == ["1", "2"]
    assert plan.indicator("prises_en_charge").expr == m.Compare(
        Op.GE, m.Aggregate(Fn.DISTINCT, "prise_en_charge", "personne"), n(10)
    )
    assert plan.indicator("espace_ecoute").kind is m.IndicatorKind.YES_NO
    assert all(i.period in (m.PeriodUnit.YEAR, m.PeriodUnit.WHOLE) for i in plan.indicators)


def test_westkust_plan_uses_english_keywords_and_its_own_levels(repo_root: Path) -> None:
    path = repo_root / "plans" / "westkust-2024-2026.plan"
    text = path.read_text(encoding="utf-8")
    for word in (
        "per year",
        "per quarter",
        "per semester",
        "between",
        " by ",
        "monitor",
        "not in",
        " and ",
        " or ",
    ):
        assert word in text, word
    assert not re.search(r"\b(nombre|où|par an|événement|indicateur)\b", text)
    plan = load_plan(path)
    assert plan.levels == ("programme", "doelstelling", "outcome", "output", "action")
    assert plan.period is not None and plan.period.years == (2024, 2025, 2026)
    kinds = {i.id: i.kind for i in plan.indicators}
    assert kinds["beach_nuisance"] is m.IndicatorKind.MONITORED
    assert kinds["action_plan"] is m.IndicatorKind.YES_NO
    assert plan.indicator("action_plan").deadline == dt.date(2024, 6, 30)
    assert plan.indicator("fast_contact").expr == m.Compare(
        Op.GE,
        m.Aggregate(Fn.SHARE, "victim_case", None, m.Compare(Op.LE, name("days_to_first_contact"), n(3))),
        n(80, percent=True),
    )
    assert plan.indicator("on_track").expr == m.And(
        m.IndicatorRef("action_plan"),
        m.Or(m.IndicatorRef("yearly_report"), m.IndicatorRef("engraved_bikes")),
    )
    periods = {i.period for i in plan.indicators}
    assert {m.PeriodUnit.YEAR, m.PeriodUnit.QUARTER, m.PeriodUnit.SEMESTER} <= periods


def test_load_plan_accepts_a_path_a_path_string_or_text(repo_root: Path) -> None:
    path = repo_root / "plans" / "molenbeek-2023.plan"
    from_path = load_plan(path)
    assert load_plan(str(path)) == from_path
    assert load_plan(path.read_text(encoding="utf-8")) == from_path
    assert from_path.source == str(path)
    assert load_plan(path.read_text(encoding="utf-8"), name="molenbeek").source == "molenbeek"


# ---------------------------------------------------------------------------- the documentation


PLAN_BLOCK = re.compile(r"^```plan[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def doc_blocks(repo_root: Path) -> list[str]:
    text = (repo_root / "docs" / "langage.md").read_text(encoding="utf-8")
    return PLAN_BLOCK.findall(text)


def test_every_plan_example_of_the_language_reference_loads(repo_root: Path) -> None:
    blocks = doc_blocks(repo_root)
    assert len(blocks) >= 20, "docs/langage.md should give one runnable example per construct"
    failures = []
    for i, block in enumerate(blocks, 1):
        try:
            load_plan(block, name=f"docs/langage.md bloc {i}")
        except PlanError as error:
            failures.append(error.render("fr"))
    assert not failures, "\n\n".join(failures)


def test_the_language_reference_names_every_english_keyword(repo_root: Path) -> None:
    text = (repo_root / "docs" / "langage.md").read_text(encoding="utf-8")
    for word in (
        "count", "where", "and", "or", "not", "in", "not in", "between", "per year", "semester",
        "quarter", "month", "by", "monitor", "exists", "sum", "avg", "min", "max", "distinct",
        "share", "municipality", "period", "legal basis", "meta", "levels", "granularity",
        "event", "indicator", "optional", "text", "integer", "decimal", "boolean",
    ):  # fmt: skip
        assert re.search(rf"`{re.escape(word)}`|\b{re.escape(word)}\b", text), word


# ---------------------------------------------------------------------------- tree to statements


def test_every_rule_the_parser_can_build_has_its_builder() -> None:
    """The statement builder dispatches on rule names: a rule added to the grammar without its
    method would only fail on the first plan that uses it; a method without its rule is dead."""
    from indicateurs.parse import _builders, parser

    built = set()
    for rule in parser().rules:
        name = str(rule.alias or rule.origin.name)
        kept = [s for s in rule.expansion if not (s.is_term and s.filter_out) and not s.name.startswith("_")]
        if name.startswith("_") or (rule.options.expand1 and not rule.alias and len(kept) <= 1):
            continue  # inlined by Lark: never a node of the tree
        built.add(name)
    assert built == set(_builders()), sorted(built ^ set(_builders()))


def test_deeply_nested_expressions_build_without_recursion() -> None:
    """Two thousand parentheses: the builder walks the tree with a list, not Python's stack (the
    checker then refuses the depth, C128, as a diagnostic)."""
    depth = 2000
    text = (
        EVENTS_FR
        + "période 2023\nindicateur a « A »\n  "
        + "(" * depth
        + "nombre(formation)"
        + ")" * depth
        + " >= 1\n"
    )
    plan = load_plan(text)
    assert plan.indicator("a").expr == m.Compare(Op.GE, m.Aggregate(Fn.COUNT, "formation"), m.Number(1.0))
    deep = (
        EVENTS_FR
        + "période 2023\nindicateur a « A »\n  "
        + "non (" * 100
        + "existe(formation)"
        + ")" * 100
        + "\n"
    )
    with pytest.raises(PlanError) as info:
        load_plan(deep)
    assert [d.code for d in info.value.errors] == ["C128"]
