"""Indicators beyond counting, construct by construct, on hand-computed cases.

Stated statuses (`cible à définir`, milestones), values per year, caps and ranges: each in
both keyword languages, with its checker messages, its evaluation, its result fields (and
their JSON, checked against the schema) and its formatting.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import PlanError, Status, load_plan
from indicateurs import model as m
from indicateurs.format import format_plan
from indicateurs.loader import analyse
from indicateurs.reference import evaluate_reference
from indicateurs.results import Coverage
from indicateurs.statuses import milestone_verdict

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "resultat.schema.json").read_text(encoding="utf-8"))


def codes(text: str) -> list[str]:
    _, diagnostics = analyse(text, "essai.plan")
    return [d.code for d in diagnostics]


def error_codes(text: str | Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(text, name=None if isinstance(text, Path) else "essai.plan")
    return [d.code for d in caught.value.errors]


def both_ways(text: str) -> m.Plan:
    """The plan, after checking that formatting it in either language keeps its meaning."""
    plan = load_plan(text)
    for lang in ("fr", "en"):
        formatted = format_plan(text, lang=lang)
        assert load_plan(formatted) == plan, formatted
        assert format_plan(formatted, lang=lang) == formatted
    return plan


def same_result(plan: m.Plan, rows: list[dict[str, object]], as_of: dt.date) -> indicateurs.PlanResult:
    """The compiled evaluator's result, after checking the reference evaluator gives the same."""
    fast = indicateurs.evaluate(plan, list(rows), as_of=as_of)
    slow = evaluate_reference(plan, list(rows), as_of=as_of)
    assert fast.to_dict() == slow.to_dict()
    jsonschema.validate(fast.to_dict(), SCHEMA)
    return fast


# ---------------------------------------------------------------------------- stated statuses

STATUSES_FR = """\
période 2024
indicateur familles « Accompagnement familial »
  cible à définir
indicateur plan_adopte « Plan d'action adopté par le collège »
  jalon réalisé le 12/03/2024 avant le 30/06/2024
indicateur cellule « Cellule de coordination installée »
  jalon en attente avant le 30/09/2024
indicateur charte « Charte signée »
  jalon en cours
indicateur ancien « Ancien projet »
  jalon abandonné
"""

STATUSES_EN = """\
period 2024
indicator familles "Accompagnement familial"
  target to be defined
indicator plan_adopte "Plan d'action adopté par le collège"
  milestone done on 2024-03-12 by 2024-06-30
indicator cellule "Cellule de coordination installée"
  milestone pending by 2024-09-30
indicator charte "Charte signée"
  milestone in progress
indicator ancien "Ancien projet"
  milestone dropped
"""


def test_stated_statuses_in_both_languages() -> None:
    french, english = both_ways(STATUSES_FR), both_ways(STATUSES_EN)
    assert french == english
    kinds = {i.id: (i.kind, i.milestone, i.to_define) for i in french.indicators}
    assert kinds == {
        "familles": (m.IndicatorKind.UNDEFINED, None, True),
        "plan_adopte": (
            m.IndicatorKind.MILESTONE,
            m.Milestone(m.MilestoneState.DONE, dt.date(2024, 3, 12), dt.date(2024, 6, 30)),
            False,
        ),
        "cellule": (
            m.IndicatorKind.MILESTONE,
            m.Milestone(m.MilestoneState.PENDING, None, dt.date(2024, 9, 30)),
            False,
        ),
        "charte": (m.IndicatorKind.MILESTONE, m.Milestone(m.MilestoneState.ONGOING), False),
        "ancien": (m.IndicatorKind.MILESTONE, m.Milestone(m.MilestoneState.DROPPED), False),
    }


def test_target_to_be_defined_is_said_on_purpose_so_it_is_not_warned_about() -> None:
    assert codes("période 2024\nindicateur a « A »\n") == ["C126"]
    assert codes("période 2024\nindicateur a « A »\n  cible à définir\n") == []
    assert codes("period 2024\nindicator a 'A'\n  TARGET TO BE DEFINED\n".replace("'", '"')) == []
    assert codes("période 2024\nindicateur a « A »\n  Cible a definir\n") == []


@pytest.mark.parametrize(
    ("state", "done", "due", "as_of", "status", "reason"),
    [
        (m.MilestoneState.DONE, None, None, dt.date(2024, 1, 1), "atteint", "jalon réalisé"),
        (m.MilestoneState.DONE, dt.date(2024, 3, 12), dt.date(2024, 6, 30), dt.date(2024, 12, 31), "atteint", "jalon réalisé"),
        (m.MilestoneState.DONE, dt.date(2024, 3, 12), None, dt.date(2024, 3, 12), "atteint", "jalon réalisé"),
        (m.MilestoneState.DONE, dt.date(2024, 7, 1), dt.date(2024, 6, 30), dt.date(2024, 12, 31), "non_atteint", "jalon réalisé après l'échéance"),
        (m.MilestoneState.DONE, dt.date(2024, 9, 1), None, dt.date(2024, 3, 1), "en_cours", "réalisation annoncée après la date d'évaluation"),
        (m.MilestoneState.DONE, dt.date(2024, 9, 1), dt.date(2024, 6, 30), dt.date(2024, 8, 1), "non_atteint", "échéance du jalon dépassée"),
        (m.MilestoneState.PENDING, None, dt.date(2024, 6, 30), dt.date(2024, 6, 30), "en_cours", "jalon en attente"),
        (m.MilestoneState.PENDING, None, dt.date(2024, 6, 30), dt.date(2024, 7, 1), "non_atteint", "échéance du jalon dépassée"),
        (m.MilestoneState.ONGOING, None, None, dt.date(2030, 1, 1), "en_cours", "jalon en cours"),
        (m.MilestoneState.DROPPED, None, dt.date(2030, 1, 1), dt.date(2024, 1, 1), "non_atteint", "jalon abandonné"),
    ],
)  # fmt: skip
def test_milestone_verdicts(
    state: m.MilestoneState,
    done: dt.date | None,
    due: dt.date | None,
    as_of: dt.date,
    status: str,
    reason: str,
) -> None:
    verdict = milestone_verdict(m.Milestone(state, done, due), as_of)
    assert (verdict.status, verdict.reason) == (status, reason)


def test_stated_statuses_in_the_result() -> None:
    plan = load_plan(STATUSES_FR)
    result = same_result(plan, [], dt.date(2024, 8, 1))
    got = {i.id: (i.status, i.reason, i.target, i.periods) for i in result.indicators}
    assert got == {
        "familles": (Status.NOT_EVALUABLE, "cible à définir", None, ()),
        "plan_adopte": (Status.MET, "jalon réalisé", "réalisé avant le 30/06/2024", ()),
        "cellule": (Status.IN_PROGRESS, "jalon en attente", "réalisé avant le 30/09/2024", ()),
        "charte": (Status.IN_PROGRESS, "jalon en cours", "réalisé", ()),
        "ancien": (Status.NOT_MET, "jalon abandonné", "réalisé", ()),
    }
    data = result.to_dict()["tree"]
    assert data[1]["kind"] == "milestone"
    assert data[1]["milestone"] == {"state": "realise", "date": "2024-03-12", "due": "2024-06-30"}
    assert "milestone" not in data[0]  # a key of the new constructs appears only when it says something
    assert result.indicator("cellule").milestone == indicateurs.results.MilestoneInfo(
        "en_attente", None, dt.date(2024, 9, 30)
    )


def test_stated_status_mistakes() -> None:
    head = "période 2024\nindicateur a « A »\n"
    assert error_codes("période 2024\njalon réalisé\n") == ["C202"]
    assert error_codes(head + "  jalon réalisé\n  jalon en cours\n") == ["C203"]
    assert error_codes(head + "  cible à définir\n  jalon en cours\n") == ["C203"]
    assert error_codes("période 2024\névénement e\n" + head[13:] + "  existe(e)\n  cible à définir\n") == [
        "C204"
    ]
    assert error_codes(head + "  jalon en attente le 2024-03-01\n") == ["C205"]
    assert error_codes(head + "  jalon réalisé le 2024-02-30\n") == ["S017"]
    referenced = head + "  jalon réalisé\nindicateur b « B »\n  a\n"
    assert error_codes(referenced) == ["C206"]


def test_milestone_words_are_reserved() -> None:
    assert error_codes("période 2024\nindicateur jalon « J »\n  cible à définir\n") == ["C117"]


def test_a_word_that_starts_like_a_status_is_not_one() -> None:
    # « cible » and « en » alone stay ordinary names: a field may be called « cible ».
    plan = load_plan(
        "période 2024\névénement e\n  cible : entier\nindicateur a « A »\n  somme(e.cible) >= 2\n"
    )
    assert plan.indicators[0].expr == m.Compare(
        m.Comparator.GE, m.Aggregate(m.AggregateFn.SUM, "e", "cible"), m.Number(2)
    )


# ---------------------------------------------------------------------------- caps and ranges


def _expr(line: str, english: bool = False) -> m.Expr:
    head = (
        "period 2024\nevent e\n  n : integer\nindicator x\n"
        if english
        else "période 2024\névénement e\n  n : entier\nindicateur x\n"
    )
    plan = load_plan(f"{head}  {line}\n")
    assert plan.indicators[0].expr is not None
    return plan.indicators[0].expr


SUM = m.Aggregate(m.AggregateFn.SUM, "e", "n")


@pytest.mark.parametrize(
    ("french", "english", "expected"),
    [
        ("somme(e.n) au moins 4", "sum(e.n) at least 4", m.Compare(m.Comparator.GE, SUM, m.Number(4))),
        ("somme(e.n) au plus 150", "sum(e.n) at most 150", m.Compare(m.Comparator.LE, SUM, m.Number(150))),
        ("somme(e.n) AU  PLUS 150", "sum(e.n) AT MOST 150", m.Compare(m.Comparator.LE, SUM, m.Number(150))),
        (
            "somme(e.n) entre 100 000 et 120 000",
            "sum(e.n) between 100 000 and 120 000",
            m.Between(SUM, m.Number(100_000), m.Number(120_000)),
        ),
        ("somme(e.n) <= 1 250 000,50", "sum(e.n) <= 1 250 000.50", m.Compare(m.Comparator.LE, SUM, m.Number(1_250_000.5))),
        ("somme(e.n) <= 1\u00a0250\u202f000", "sum(e.n) <= 1250000", m.Compare(m.Comparator.LE, SUM, m.Number(1_250_000))),
        ("somme(e.n) entre 1 000 et 2 000", "sum(e.n) between 1000 and 2000", m.Between(SUM, m.Number(1000), m.Number(2000))),
    ],
)  # fmt: skip
def test_caps_and_ranges(french: str, english: str, expected: m.Expr) -> None:
    assert _expr(french) == expected
    assert _expr(english, english=True) == expected


def test_level_names_keep_their_ordinary_words() -> None:
    # Words of the new constructs are keywords only where a level name cannot stand.
    plan = load_plan(
        "période 2024\nniveaux « volet de » > « action en cours »\nvolet de 1 « A »\naction en cours 1.1 « B »\n"
    )
    assert [n.level for n in plan.nodes] == ["volet de"]


@pytest.mark.parametrize(
    "comment",
    ['#"x»', "# note « y »", '# voir "z"', "# « a » et « b »", "# »", ""],
)
def test_a_comment_holding_quotes_does_not_turn_a_keyword_into_a_level_name(comment: str) -> None:
    # The multi-word keywords are told from level names by the label that ends a level's line;
    # a quote inside a trailing comment is not such a label.
    for line, english in (
        (f"somme(e.n) au moins 4 {comment}", False),
        (f"sum(e.n) at least 4 {comment}", True),
    ):
        assert _expr(line, english) == m.Compare(m.Comparator.GE, SUM, m.Number(4))
    for line, english in (
        (f"somme(e.n) en baisse par an {comment}", False),
        (f"sum(e.n) down per year {comment}", True),
    ):
        assert _expr(line, english) == m.Trend(SUM, "down")


def test_a_level_whose_name_holds_a_keyword_keeps_a_label_with_a_hash() -> None:
    plan = load_plan(
        "période 2024\nniveaux « axe en hausse » > « au moins »\n"
        'axe en hausse 1 « Axe #1 » # commentaire « x »\nau moins 1.1 "Point #2"\n'
    )
    assert [(n.level, n.label) for n in plan.nodes] == [("axe en hausse", "Axe #1")]
    assert [(n.level, n.label) for n in plan.nodes[0].children] == [("au moins", "Point #2")]


def test_thousands_need_groups_of_three_digits() -> None:
    with pytest.raises(PlanError):
        _expr("somme(e.n) <= 1 25")  # not a number: two numbers in a row


# ---------------------------------------------------------------------------- values per year

PER_YEAR = """\
période 2019 à 2024
événement cambriolage « Cambriolage de domicile constaté »
indicateur cambriolages « Au plus 7 cambriolages par an dès 2019, 6,5 dès 2022 »
  nombre(cambriolage) au plus [2019: 7 · 2022: 6,5] par an
"""


def test_a_value_per_year_in_both_languages() -> None:
    french = both_ways(PER_YEAR)
    english = both_ways(
        PER_YEAR.replace("période 2019 à 2024", "period 2019 to 2024")
        .replace("événement", "event")
        .replace("indicateur", "indicator")
        .replace("nombre(cambriolage) au plus [2019: 7 · 2022: 6,5] par an", "count(cambriolage) at most [2019: 7; 2022: 6.5] per year")
    )  # fmt: skip
    assert french == english
    table = m.ByYear((m.YearValue(2019, m.Number(7)), m.YearValue(2022, m.Number(6.5))))
    assert french.indicators[0].expr == m.Compare(
        m.Comparator.LE, m.Aggregate(m.AggregateFn.COUNT, "cambriolage"), table
    )
    assert table.at(2018) is None
    assert table.at(2019) == (2019, m.Number(7))
    assert table.at(2021) == (2019, m.Number(7))
    assert table.at(2030) == (2022, m.Number(6.5))


def test_a_value_per_year_applies_year_by_year() -> None:
    plan = load_plan(PER_YEAR)
    rows = [
        {"type": "cambriolage", "date": f"{year}-05-01"}
        for year, n in ((2019, 7), (2021, 8), (2022, 7), (2023, 6))
        for _ in range(n)
    ]
    result = same_result(plan, rows, dt.date(2024, 6, 30))
    ind = result.indicator("cambriolages")
    got = [(p.label, p.value, p.target_value, p.status) for p in ind.periods]
    assert got == [
        ("2019", 7.0, 7.0, Status.MET),
        ("2020", 0.0, 7.0, Status.MET),
        ("2021", 8.0, 7.0, Status.NOT_MET),
        ("2022", 7.0, 6.5, Status.NOT_MET),
        ("2023", 6.0, 6.5, Status.MET),
        ("2024", 0.0, 6.5, Status.IN_PROGRESS),
    ]  # fmt: skip
    assert ind.target == "≤ 7 (2019) · 6,5 (dès 2022) par an"
    assert result.to_dict()["tree"][0]["periods"][3]["target_value"] == 6.5


def test_a_year_before_the_first_value_has_no_target() -> None:
    plan = load_plan(PER_YEAR.replace("[2019: 7 · 2022: 6,5]", "[2022: 6,5]"))
    result = same_result(plan, [{"type": "cambriolage", "date": "2021-03-01"}], dt.date(2025, 1, 1))
    periods = result.indicator("cambriolages").periods
    assert [(p.label, p.status, p.target_value) for p in periods[1:4]] == [
        ("2020", Status.NOT_EVALUABLE, None),
        ("2021", Status.NOT_EVALUABLE, None),
        ("2022", Status.MET, 6.5),
    ]


def test_value_per_year_mistakes() -> None:
    assert error_codes(PER_YEAR.replace(" par an\n", "\n")) == ["C207"]
    assert error_codes(PER_YEAR.replace("2022: 6,5", "2019: 6,5")) == ["C208"]
    assert error_codes(PER_YEAR.replace("2022: 6,5", "22: 6,5")) == ["C201"]
    # One year: a value per year needs no « par an ».
    load_plan(PER_YEAR.replace("période 2019 à 2024", "période 2023").replace(" par an\n", "\n"))


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.integers(2015, 2030), st.decimals(0, 1000, places=2), min_size=1, max_size=5),
    st.sampled_from(["fr", "en"]),
)
def test_values_per_year_format_back_to_themselves(values: dict[int, object], lang: str) -> None:
    entries = " · ".join(f"{year}: {str(value).replace('.', ',')}" for year, value in values.items())
    text = f"période 2015 à 2030\névénement e\nindicateur x « X »\n  nombre(e) <= [{entries}] par an\n"
    plan = load_plan(text)
    formatted = format_plan(text, lang=lang)  # type: ignore[arg-type]
    assert load_plan(formatted) == plan
    table = plan.indicators[0].expr.right  # type: ignore[union-attr]
    for year in range(2014, 2032):
        earlier = [y for y in values if y <= year]
        expected = None if not earlier else float(values[max(earlier)])  # type: ignore[arg-type]
        found = table.at(year)
        assert (None if found is None else found[1].effective) == expected


# ---------------------------------------------------------------------------- reference values

RATES = """\
période 2022 à 2024
valeur de référence population « Population au 1er janvier » = [2022: 97 000 · 2024: 98 000]
valeur de référence budget « Budget voté » = 120 000
événement vol_domicile « Vol dans une habitation »
événement depense « Dépense du plan »
  montant : décimal
indicateur taux « Vols dans les habitations pour 1 000 habitants : au plus 3,0 par an »
  nombre(vol_domicile) / population * 1000 <= 3,0 par an
indicateur execution « Budget exécuté à 95 % au moins »
  somme(depense.montant) / budget >= 95 % par an
"""

RATES_EN = """\
period 2022 to 2024
reference value population "Population au 1er janvier" = [2022: 97000; 2024: 98000]
reference value budget "Budget voté" : 120000
event vol_domicile "Vol dans une habitation"
event depense "Dépense du plan"
  montant : decimal
indicator taux "Vols dans les habitations pour 1 000 habitants : au plus 3,0 par an"
  count(vol_domicile) / population * 1000 <= 3.0 per year
indicator execution "Budget exécuté à 95 % au moins"
  sum(depense.montant) / budget >= 95% per year
"""


def test_reference_values_in_both_languages() -> None:
    french, english = both_ways(RATES), both_ways(RATES_EN)
    assert french == english
    assert french.values["budget"] == m.RefValue("budget", "Budget voté", m.Number(120_000))
    rate = french.indicator("taux").expr
    assert isinstance(rate, m.Compare)
    assert rate.left == m.Arithmetic(
        "*",
        m.Arithmetic("/", m.Aggregate(m.AggregateFn.COUNT, "vol_domicile"), m.ValueRef("population")),
        m.Number(1000),
    )


def test_rates_per_thousand_inhabitants_and_budget_execution() -> None:
    plan = load_plan(RATES)
    rows: list[dict[str, object]] = [{"type": "vol_domicile", "date": "2022-02-01"}] * 292  # 3,01 ‰
    rows += [{"type": "vol_domicile", "date": "2023-02-01"}] * 291  # 3,0 ‰ exactly: 291 / 97 000
    rows += [{"type": "depense", "date": "2023-03-01", "montant": 100_000}]
    rows += [{"type": "depense", "date": "2023-09-01", "montant": "14 000,00"}]  # 114 000 = 95 %
    rows += [{"type": "depense", "date": "2024-03-01", "montant": 113_999.99}]
    result = same_result(plan, rows, dt.date(2025, 1, 15))
    taux = result.indicator("taux")
    assert [(p.label, round(p.value, 4), p.status) for p in taux.periods] == [  # type: ignore[arg-type]
        ("2022", 3.0103, Status.NOT_MET),
        ("2023", 3.0, Status.MET),
        ("2024", 0.0, Status.MET),
    ]
    uses = [p.references for p in taux.periods]
    assert uses == [
        (indicateurs.results.ReferenceUse("population", 97_000, 2022),),
        (indicateurs.results.ReferenceUse("population", 97_000, 2022),),  # 2023 takes 2022's value
        (indicateurs.results.ReferenceUse("population", 98_000, 2024),),
    ]
    execution = result.indicator("execution")
    assert [(p.label, p.value, p.status) for p in execution.periods] == [
        ("2022", 0.0, Status.NOT_MET),
        ("2023", 0.95, Status.MET),
        ("2024", 113_999.99 / 120_000, Status.NOT_MET),
    ]
    data = result.to_dict()["tree"][1]["periods"][1]
    assert data["references"] == [{"name": "budget", "value": 120000, "year": None}]


def test_reference_values_from_a_table(tmp_path: Path) -> None:
    (tmp_path / "donnees").mkdir()
    (tmp_path / "donnees" / "references.csv").write_text(
        "année;population;jeunes;budget\n2022;97 000;12 400;120 000\n2023;97 450;;125 000,50\n2024;98 000;12 900;\n",
        encoding="utf-8",
    )
    plan_path = tmp_path / "plan.plan"
    plan_path.write_text(
        "période 2022 à 2024\n"
        "valeur de référence population = table « donnees/references.csv »\n"
        "valeur de référence jeunes « Jeunes de 12 à 25 ans » = table « donnees/references.csv »\n"
        "valeur de référence budget = table « donnees/references.csv »\n",
        encoding="utf-8",
    )
    plan = load_plan(plan_path)
    assert plan.values["jeunes"].value == m.ByYear(
        (m.YearValue(2022, m.Number(12_400)), m.YearValue(2024, m.Number(12_900)))
    )
    assert plan.values["budget"].at(2024) == (2023, 125_000.5)
    assert plan.values["population"].table == "donnees/references.csv"
    assert format_plan(plan_path.read_text(encoding="utf-8")).count("table « donnees/references.csv »") == 3


def test_a_table_with_the_year_and_one_column(tmp_path: Path) -> None:
    (tmp_path / "pop.csv").write_text('year,inhabitants\n2024,"10,500"\n', encoding="utf-8")
    (tmp_path / "p.plan").write_text(
        'period 2024\nreference value population = table "pop.csv"\n', encoding="utf-8"
    )
    assert load_plan(tmp_path / "p.plan").values["population"].at(2024) == (2024, 10.5)


def test_reference_value_mistakes(tmp_path: Path) -> None:
    head = "période 2024\névénement e\n"
    assert error_codes(head + "valeur de référence a = 1\nvaleur de référence a = 2\n") == ["C210"]
    assert error_codes(head + "valeur de référence a = 1\nindicateur a « A »\n  existe(e)\n") == ["C209"]
    assert error_codes(head + "valeur de référence somme = 1\n") == ["C117"]
    assert error_codes(head + "valeur de référence a = table « absente.csv »\n") == ["C211"]
    (tmp_path / "t.csv").write_text("année;autre;encore\n2024;1;2\n", encoding="utf-8")
    (tmp_path / "u.csv").write_text("année;a\n2024;beaucoup\n", encoding="utf-8")
    (tmp_path / "p.plan").write_text(head + "valeur de référence a = table « t.csv »\n", encoding="utf-8")
    assert error_codes(tmp_path / "p.plan") == ["C212"]
    (tmp_path / "p.plan").write_text(head + "valeur de référence a = table « u.csv »\n", encoding="utf-8")
    assert error_codes(tmp_path / "p.plan") == ["C213"]
    several = "période 2022 à 2024\névénement e\nvaleur de référence p = [2022: 1]\nindicateur x « X »\n  nombre(e) / p >= 1\n"
    assert error_codes(several) == ["C207"]
    load_plan(several.replace("[2022: 1]", "1"))  # one value for every year: no period needed
    assert error_codes(head + "valeur de référence p = 1\nindicateur x « X »\n  p\n") == ["C136"]


# ---------------------------------------------------------------------------- measured values

MEASURES = """\
période 2021 à 2024
valeur mesurée sentiment « Habitants qui se sentent en sécurité (enquête locale) » en %
  quartier : texte optionnel
valeur mesurée proprete « Score de propreté des rues (0 à 10) »
indicateur sentiment_securite « 70 % des habitants se sentent en sécurité »
  dernier(sentiment) >= 70 % par an
indicateur sentiment_centre « 70 % au centre, à la dernière enquête »
  dernière(sentiment où quartier = "centre") >= 70 %
indicateur score « Score de propreté d'au moins 7 »
  dernier(proprete) au moins 7 par an
indicateur moyenne_sentiment « Sentiment de sécurité, moyenne des enquêtes (suivi) »
  suivi moyenne(sentiment) par an
"""

MEASURES_EN = """\
period 2021 to 2024
measured value sentiment "Habitants qui se sentent en sécurité (enquête locale)" in %
  quartier : text optional
measured value proprete "Score de propreté des rues (0 à 10)"
indicator sentiment_securite "70 % des habitants se sentent en sécurité"
  latest(sentiment) >= 70% per year
indicator sentiment_centre "70 % au centre, à la dernière enquête"
  latest(sentiment where quartier = "centre") >= 70%
indicator score "Score de propreté d'au moins 7"
  latest(proprete) at least 7 per year
indicator moyenne_sentiment "Sentiment de sécurité, moyenne des enquêtes (suivi)"
  monitor avg(sentiment) per year
"""

SURVEYS: list[dict[str, object]] = [
    {"type": "sentiment", "date": "2021-05-01", "valeur": 64, "quartier": "centre"},
    {"type": "sentiment", "date": "2023-02-01", "valeur": 80, "quartier": "gare"},
    {"type": "sentiment", "date": "2023-05-01", "valeur": "71,5", "quartier": "centre"},
    {"type": "proprete", "date": "2022-03-01", "valeur": 6},
    {"type": "proprete", "date": "2022-03-01", "valeur": 7.5},  # same day: the later row counts
    {"type": "proprete", "date": "2024-01-10", "valeur": 6.9},
]


def test_measured_values_in_both_languages() -> None:
    french, english = both_ways(MEASURES), both_ways(MEASURES_EN)
    assert french == english
    sentiment = french.event_types["sentiment"]
    assert sentiment.measure and sentiment.fields[0] == m.FieldDecl(
        "valeur", m.FieldKind.DECIMAL, percent=True
    )
    assert french.indicator("score").expr == m.Compare(
        m.Comparator.GE, m.Aggregate(m.AggregateFn.LAST, "proprete", "valeur"), m.Number(7)
    )


def test_the_latest_measurement_is_compared_and_a_year_without_one_has_no_data() -> None:
    result = same_result(load_plan(MEASURES), SURVEYS, dt.date(2025, 1, 15))
    sentiment = result.indicator("sentiment_securite")
    assert [(p.label, p.value, p.status, p.reason) for p in sentiment.periods] == [
        ("2021", 0.64, Status.NOT_MET, None),
        ("2022", None, Status.NO_DATA, "aucune mesure sur la période"),
        ("2023", 0.715, Status.MET, None),  # May's survey, not February's
        ("2024", None, Status.NO_DATA, "aucune mesure sur la période"),
    ]
    assert sentiment.status is Status.MET  # the latest period with a measurement decides
    centre = result.indicator("sentiment_centre")
    assert (centre.status, centre.value) == (Status.MET, 0.715)
    score = result.indicator("score")
    assert [(p.label, p.value, p.status) for p in score.periods] == [
        ("2021", None, Status.NO_DATA),
        ("2022", 7.5, Status.MET),
        ("2023", None, Status.NO_DATA),
        ("2024", 6.9, Status.NOT_MET),
    ]
    assert score.status is Status.NOT_MET
    monitored = result.indicator("moyenne_sentiment")
    assert [p.value for p in monitored.periods] == [0.64, None, pytest.approx(0.7575), None]


def test_a_measured_value_without_any_measurement() -> None:
    result = same_result(load_plan(MEASURES), [], dt.date(2025, 1, 15))
    assert result.indicator("sentiment_securite").status is Status.NO_DATA
    assert {p.status for p in result.indicator("score").periods} == {Status.NO_DATA}


def test_a_period_in_progress_shows_its_latest_measurement_without_a_pace() -> None:
    result = same_result(load_plan(MEASURES), SURVEYS, dt.date(2024, 6, 30))
    latest = result.indicator("score").periods[-1]
    assert (latest.status, latest.value, latest.projection) == (Status.IN_PROGRESS, 6.9, None)


def test_latest_of_an_event_field_and_its_mistakes() -> None:
    plan = load_plan(
        "période 2024\névénement enquete\n  score : entier\nindicateur a « A »\n  dernier(enquete.score) >= 7\n"
    )
    assert plan.indicators[0].expr.left.fn is m.AggregateFn.LAST  # type: ignore[union-attr]
    head = "période 2024\névénement enquete\n  score : entier\n  avis : texte\nindicateur a « A »\n"
    assert error_codes(head + "  dernier(enquete) >= 7\n") == ["C125"]
    assert error_codes(head + "  dernier(enquete.avis) >= 7\n") == ["C104"]
    assert error_codes("période 2024\nvaleur mesurée s\n  valeur : entier\n") == ["C116"]
    assert error_codes("période 2024\nvaleur mesurée dernier\n") == ["C117"]


def test_the_sql_engine_leaves_the_latest_measurement_to_python_and_agrees() -> None:
    from indicateurs.sources import from_records
    from indicateurs.sql import evaluate_sql_explained
    from test_sql_helpers import Table, assert_same, sqlite_engine

    plan = load_plan(MEASURES)
    data = [{k: (None if v is None else str(v)) for k, v in r.items()} for r in SURVEYS]
    engine = sqlite_engine()
    table = Table(engine, data)
    try:
        got, pushdown = evaluate_sql_explained(
            plan, engine, table=table.name, row_column="ligne", as_of=dt.date(2025, 1, 15), name="saisie"
        )
    finally:
        table.drop()
        engine.dispose()
    assert_same(
        indicateurs.evaluate(plan, from_records(data, name="saisie"), as_of=dt.date(2025, 1, 15)),
        got,
        "sqlite",
    )
    engines = {p.id: p.engine for p in pushdown.indicators}
    assert engines["sentiment_securite"] == "python" and engines["moyenne_sentiment"] == "sql"


# ---------------------------------------------------------------------------- durations

from indicateurs.durations import days_between, is_working_day, working_days_between  # noqa: E402

DURATIONS = """\
période 2024
événement dossier « Dossier de médiation »
    reçu : date
    clôturé : date optionnel
    délai : durée de reçu à clôturé en jours ouvrables
    traitement : durée
indicateur rapides « 80 % des dossiers traités en 21 jours ouvrables »
  part(dossier où délai <= 21 jours ouvrables) >= 80 % par trimestre
indicateur duree_moyenne « Durée moyenne de traitement : 30 jours au plus »
  moyenne(dossier.traitement) <= 30 jours
"""

DURATIONS_EN = """\
period 2024
event dossier "Dossier de médiation"
    reçu : date
    clôturé : date optional
    délai : duration from reçu to clôturé in working days
    traitement : duration in days
indicator rapides "80 % des dossiers traités en 21 jours ouvrables"
  share(dossier where délai <= 21 working days) >= 80% per quarter
indicator duree_moyenne "Durée moyenne de traitement : 30 jours au plus"
  avg(dossier.traitement) <= 30 days
"""

CASES: list[dict[str, object]] = [
    # Friday 5 January to Monday 5 February: 21 working days exactly; 20 days from date to fin
    {
        "type": "dossier",
        "date": "2024-01-05",
        "reçu": "2024-01-05",
        "clôturé": "2024-02-05",
        "fin": "2024-01-25",
    },
    # Thursday 1 February to Tuesday 20 February: 13 working days; 53 days from date to fin
    {
        "type": "dossier",
        "date": "2024-02-01",
        "reçu": "2024-02-01",
        "clôturé": "2024-02-20",
        "fin": "2024-03-25",
    },
    # closed before it was received: rejected
    {"type": "dossier", "date": "2024-02-01", "reçu": "2024-02-01", "clôturé": "2024-01-20"},
    # still open: no duration, so not within 21 working days; no `fin`: not in the average
    {"type": "dossier", "date": "2024-04-01", "reçu": "2024-04-01"},
    # Tuesday 26 March to Friday 26 April, over Easter Monday: 22 working days
    {"type": "dossier", "date": "2024-04-02", "reçu": "2024-03-26", "clôturé": "2024-04-26"},
]


@pytest.mark.parametrize(
    ("start", "end", "working"),
    [
        ("2024-05-03", "2024-05-03", 0),  # the same day
        ("2024-05-03", "2024-05-06", 1),  # Friday to Monday
        ("2024-05-04", "2024-05-05", 0),  # Saturday to Sunday
        ("2024-03-29", "2024-04-02", 1),  # Good Friday to Tuesday: Easter Monday is a holiday
        ("2024-05-08", "2024-05-10", 1),  # Ascension Thursday (9 May)
        ("2024-07-19", "2024-07-23", 2),  # National Day falls on a Sunday in 2024: nothing to subtract
        ("2023-07-20", "2023-07-24", 1),  # 21 July 2023 was a Friday
        ("2024-12-20", "2025-01-03", 8),  # Christmas and New Year
        ("2024-10-31", "2024-11-12", 6),  # All Saints (Friday 1 Nov) and Armistice (Monday 11 Nov)
    ],
)
def test_working_days_by_hand(start: str, end: str, working: int) -> None:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    assert working_days_between(a, b) == working
    assert days_between(a, b, working=False) == (b - a).days


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 400), st.integers(0, 400))
def test_working_days_count_the_working_days_one_by_one(start: dt.date, first: int, second: int) -> None:
    middle = start + dt.timedelta(days=first)
    end = middle + dt.timedelta(days=second)
    one_by_one = sum(is_working_day(start + dt.timedelta(days=i)) for i in range(1, first + second + 1))
    assert working_days_between(start, end) == one_by_one
    assert working_days_between(start, end) == working_days_between(start, middle) + working_days_between(
        middle, end
    )


def test_durations_in_both_languages() -> None:
    french, english = both_ways(DURATIONS), both_ways(DURATIONS_EN)
    assert french == english
    fields = {f.name: f for f in french.event_types["dossier"].fields}
    assert fields["délai"].duration == m.Duration("reçu", "clôturé", working=True)
    assert fields["traitement"].duration == m.Duration("date", "fin", working=False)
    share = french.indicator("rapides").expr
    assert share.left.where == m.Compare(  # type: ignore[union-attr]
        m.Comparator.LE, m.Name("délai"), m.Number(21, days="working_days")
    )


def test_share_of_cases_handled_within_working_days_and_average_duration() -> None:
    result = same_result(load_plan(DURATIONS), CASES, dt.date(2025, 1, 15))
    rapides = result.indicator("rapides")
    assert [(p.label, p.value, p.status) for p in rapides.periods] == [
        ("2024-Q1", 1.0, Status.MET),  # 21 and 13 working days
        ("2024-Q2", 0.0, Status.NOT_MET),  # open (unknown) and 22 working days
        ("2024-Q3", None, Status.NOT_EVALUABLE),
        ("2024-Q4", None, Status.NOT_EVALUABLE),
    ]
    assert result.indicator("duree_moyenne").value == 36.5  # (20 + 53) / 2
    [rejection] = result.rejections
    assert (rejection.row, rejection.code, rejection.field) == (3, "duree_negative", "délai")
    assert rejection.message == "« délai » : la seconde date précède la première (2024-02-01 → 2024-01-20)"


def test_duration_mistakes() -> None:
    head = DURATIONS.split("indicateur")[0]
    assert error_codes(head.replace("de reçu à", "de recu à")) == ["C214"]
    assert error_codes(head + "indicateur x « X »\n  part(dossier où délai <= 21 jours) >= 80 %\n") == [
        "C215"
    ]
    assert error_codes(head + "indicateur x « X »\n  moyenne(dossier.traitement) <= 3 jours ouvrables\n") == [
        "C215"
    ]
    assert error_codes(head + "indicateur x « X »\n  nombre(dossier) >= 3 jours\n") == ["C216"]
    with_number = head.replace("    traitement : durée\n", "    n : entier\n")
    assert error_codes(with_number + "indicateur x « X »\n  part(dossier où n <= 3 jours) >= 1 %\n") == [
        "C216"
    ]
    # Without a unit, the number is in the field's own unit.
    load_plan(head + "indicateur x « X »\n  part(dossier où délai <= 21) >= 80 %\n")


def test_the_sql_engine_leaves_durations_to_python_and_agrees() -> None:
    from indicateurs.sources import from_records
    from indicateurs.sql import evaluate_sql_explained
    from test_sql_helpers import Table, assert_same, sqlite_engine

    plan = load_plan(DURATIONS)
    data = [{k: (None if v is None else str(v)) for k, v in r.items()} for r in CASES]
    engine = sqlite_engine()
    table = Table(engine, data)
    try:
        got, pushdown = evaluate_sql_explained(
            plan, engine, table=table.name, row_column="ligne", as_of=dt.date(2025, 1, 15), name="saisie"
        )
    finally:
        table.drop()
        engine.dispose()
    assert_same(
        indicateurs.evaluate(plan, from_records(data, name="saisie"), as_of=dt.date(2025, 1, 15)),
        got,
        "sqlite",
    )
    assert {p.engine for p in pushdown.indicators} == {"python"}


# ---------------------------------------------------------------------------- calendars

CALENDARS = """\
période 2023-01-01 à 2025-06-30
exercice avril
événement atelier « Atelier de prévention en classe »
  participants : entier
indicateur ateliers « 10 ateliers par année scolaire »
  nombre(atelier) >= 10 par année scolaire
indicateur participants « Participants par exercice (avril à mars) »
  suivi somme(atelier.participants) par exercice
indicateur cumul « Ateliers depuis janvier : 3 en 2023, 4 à partir de 2024 »
  nombre(atelier) >= [2023: 3 · 2024: 4] par trimestre cumulé
"""

CALENDARS_EN = """\
period 2023-01-01 to 2025-06-30
fiscal year april
event atelier "Atelier de prévention en classe"
  participants : integer
indicator ateliers "10 ateliers par année scolaire"
  count(atelier) >= 10 per school year
indicator participants "Participants par exercice (avril à mars)"
  monitor sum(atelier.participants) per fiscal year
indicator cumul "Ateliers depuis janvier : 3 en 2023, 4 à partir de 2024"
  count(atelier) >= [2023: 3; 2024: 4] per quarter cumulative
"""

WORKSHOPS: list[dict[str, object]] = [
    {"type": "atelier", "date": date, "participants": n}
    for date, n in (
        ("2023-03-15", 10),  # school year 2022-2023, fiscal year 2022-2023, 2023-Q1
        ("2023-04-03", 20),  # fiscal year 2023-2024 begins in April
        ("2023-08-31", 5),  # last day of the school year 2022-2023
        ("2023-09-01", 7),  # first day of the school year 2023-2024
        ("2024-03-31", 1),  # last day of the fiscal year 2023-2024
        ("2024-04-01", 2),
        ("2025-02-01", 3),
    )
]


def test_calendars_in_both_languages() -> None:
    french, english = both_ways(CALENDARS), both_ways(CALENDARS_EN)
    assert french == english
    assert french.fiscal_start == 4
    got = [(i.id, i.period, i.calendar, i.cumulative) for i in french.indicators]
    assert got == [
        ("ateliers", m.PeriodUnit.YEAR, "school_year", False),
        ("participants", m.PeriodUnit.YEAR, "fiscal_year", False),
        ("cumul", m.PeriodUnit.QUARTER, None, True),
    ]


def test_school_years_fiscal_years_and_years_to_date() -> None:
    result = same_result(load_plan(CALENDARS), WORKSHOPS, dt.date(2025, 7, 1))
    ateliers = result.indicator("ateliers")
    assert [(p.label, str(p.start), str(p.end), p.value) for p in ateliers.periods] == [
        ("2022-2023", "2023-01-01", "2023-08-31", 3.0),
        ("2023-2024", "2023-09-01", "2024-08-31", 3.0),
        ("2024-2025", "2024-09-01", "2025-06-30", 1.0),
    ]
    assert ateliers.target == "≥ 10 par année scolaire"
    assert result.to_dict()["tree"][0]["calendar"] == "school_year"
    # The plan runs from 1 January 2023 to 30 June 2025: it cuts the first and the last school
    # years, which are shown but not judged; 2023-2024, complete, decides (3 < 10).
    assert [(p.partial, p.status) for p in ateliers.periods] == [
        (Coverage(dt.date(2022, 9, 1), dt.date(2023, 8, 31)), Status.NOT_EVALUABLE),
        (None, Status.NOT_MET),
        (Coverage(dt.date(2024, 9, 1), dt.date(2025, 8, 31)), Status.NOT_EVALUABLE),
    ]
    assert ateliers.status is Status.NOT_MET and ateliers.value == 3.0
    participants = result.indicator("participants")
    assert [(p.label, p.value) for p in participants.periods] == [
        ("2022-2023", 10.0),
        ("2023-2024", 33.0),  # 20 + 5 + 7 + 1
        ("2024-2025", 5.0),  # 2 + 3
        ("2025-2026", 0.0),  # April to June 2025, within the plan
    ]
    assert [p.partial is not None for p in participants.periods] == [True, False, False, True]
    assert {p.status for p in participants.periods} == {Status.MONITORED}
    cumul = result.indicator("cumul")
    got = [(p.label, str(p.start), p.value, p.target_value, p.status) for p in cumul.periods]
    assert got == [
        ("2023-Q1", "2023-01-01", 1.0, 3.0, Status.NOT_MET),
        ("2023-Q2", "2023-01-01", 2.0, 3.0, Status.NOT_MET),
        ("2023-Q3", "2023-01-01", 4.0, 3.0, Status.MET),
        ("2023-Q4", "2023-01-01", 4.0, 3.0, Status.MET),
        ("2024-Q1", "2024-01-01", 1.0, 4.0, Status.NOT_MET),
        ("2024-Q2", "2024-01-01", 2.0, 4.0, Status.NOT_MET),
        ("2024-Q3", "2024-01-01", 2.0, 4.0, Status.NOT_MET),
        ("2024-Q4", "2024-01-01", 2.0, 4.0, Status.NOT_MET),
        ("2025-Q1", "2025-01-01", 1.0, 4.0, Status.NOT_MET),
        ("2025-Q2", "2025-01-01", 1.0, 4.0, Status.NOT_MET),
    ]
    assert cumul.to_dict()["cumulative"] is True
    assert all(p.partial is None for p in cumul.periods)  # each year to date starts on 1 January
    assert cumul.periods[2].evidence.count == 4


def test_calendar_mistakes() -> None:
    _, diagnostics = analyse(CALENDARS.replace("exercice avril\n", ""), "essai.plan")
    assert [(d.code, d.severity.value, d.args.get("periods")) for d in diagnostics] == [
        ("C225", "warning", "2022-2023, 2024-2025"),  # school years, cut by a plan from January to June
        ("C217", "warning", None),
        ("C225", "warning", "2025"),  # fiscal years are calendar years then: 2025 stops in June
    ]
    assert error_codes(CALENDARS.replace("par année scolaire", "par année scolair")) == ["S016"]
    assert error_codes(CALENDARS.replace("par trimestre cumulé", "par trimestre cumul")) == ["S016"]
    # « exercice » stays an ordinary word where no month follows it: a field, a level.
    load_plan("période 2024\nniveaux « exercice »\nexercice 1 « Budget »\névénement e\n  exercice : entier\n")


# ---------------------------------------------------------------------------- both evaluators agree

_UNITS = ["par an", "par semestre", "par trimestre", "par mois", "", "par année scolaire", "par exercice", "par trimestre cumulé", "par mois cumulé", "par semestre cumulé"]  # fmt: skip
_TARGETS = [  # (a target, the value it measures, monitored)
    ("nombre(e) >= 2", "nombre(e)"),
    ("somme(e.n) <= [2023: 20 · 2024: 15]", "somme(e.n)"),
    ("dernier(mesure) >= 50 %", "dernier(mesure)"),
    ("moyenne(e.n) / pop * 1000 >= 1", "moyenne(e.n) / pop * 1000"),
    ("part(e où délai <= 10 jours ouvrables) >= 50 %", "part(e où délai <= 10 jours ouvrables)"),
    ("distinct(e.lieu) >= 2", "distinct(e.lieu)"),
    ("max(e.délai) au plus 30", "max(e.délai)"),
    ("existe(e où n entre 2 et 5)", "nombre(e où n entre 2 et 5)"),
    ("min(e.n) au moins 1", "min(e.n)"),
    ("nombre(e) en hausse", "nombre(e)"),
    ("somme(e.n) stable à ± 20 %", "somme(e.n)"),
    ("nombre(e) en baisse de 10 % par rapport à 2022 = 8", "nombre(e)"),
    ("part(e.lieu ayant au moins 2) >= 50 %", "part(e.lieu où n > 3 ayant au moins 1)"),
    ("nombre(e.quartier où n >= 2 ayant au plus 1) >= 1", "nombre(e.quartier ayant > 0)"),
]

BEYOND_HEAD = """\
période 2023-03-01 à 2024-12-31
exercice juillet
valeur de référence pop = [2023: 1 000 · 2024: 1 100]
valeur mesurée mesure « Mesure » en %
événement e « E »
  n : entier
  lieu : texte optionnel
  quartier : nord | sud | centre
  reçu : date
  délai : durée de reçu à date en jours ouvrables
"""


@st.composite
def beyond_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for _ in range(draw(st.integers(0, 25))):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 760)))
        if draw(st.booleans()):
            received = day - dt.timedelta(days=draw(st.integers(-3, 40)))
            row: dict[str, object] = {"type": "e", "date": day.isoformat(), "n": draw(st.integers(0, 9))}
            row["reçu"] = received.isoformat()
            if draw(st.booleans()):
                row["lieu"] = draw(st.sampled_from(["a", "b", "c"]))
            row["quartier"] = draw(st.sampled_from(["nord", "sud"]))
        else:
            row = {"type": "mesure", "date": day.isoformat(), "valeur": draw(st.integers(0, 100))}
        rows.append(row)
    return rows


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_TARGETS), st.sampled_from(_UNITS), st.booleans()), min_size=1, max_size=4
    ),
    beyond_rows(),
    st.dates(dt.date(2023, 2, 1), dt.date(2025, 2, 1)),
)
def test_the_compiled_and_the_reference_evaluators_agree_beyond_counting(
    indicators: list[tuple[tuple[str, str], str, bool]], rows: list[dict[str, object]], as_of: dt.date
) -> None:
    lines = [BEYOND_HEAD]
    for i, (target, unit, monitored) in enumerate(indicators):
        needs_periods = any(word in target[0] for word in ("[", "pop", "hausse", "stable"))
        if needs_periods and unit == "":
            unit = "par an"
        expression = f"suivi {target[1]}" if monitored else target[0]
        lines.append(f"indicateur i{i} « I{i} »\n  {expression} {unit}\n")
    lines.append(
        "indicateur tous « Tous »\n  "
        + " et ".join(f"i{i}" for i, (_, _, mon) in enumerate(indicators) if not mon)
        + "\n"
    )
    text = "".join(lines)
    if text.endswith("  \n"):
        text = text.replace("indicateur tous « Tous »\n  \n", "")
    plan = load_plan(text)
    assert load_plan(format_plan(text, lang="en")) == plan
    same_result(plan, rows, as_of)


# ---------------------------------------------------------------------------- baselines and trends

TRENDS = """\
période 2022 à 2024
événement cambriolage « Cambriolage de domicile »
valeur mesurée sentiment « Se sentent en sécurité » en %
indicateur baisse « −10 % par rapport à 2022 »
  nombre(cambriolage) en baisse de 10 % par rapport à 2022 par an
indicateur baisse_moyenne « −2 % par rapport à la moyenne 2015-2019 (412, avant le système) »
  nombre(cambriolage) en baisse de 2 % par rapport à la moyenne 2015-2019 = 412 par an
indicateur direction « En baisse d'une année à l'autre »
  nombre(cambriolage) en baisse par an
indicateur hausse « En hausse d'un semestre à l'autre »
  nombre(cambriolage) en hausse par semestre
indicateur stable « Sentiment de sécurité stable à ± 5 % »
  dernier(sentiment) stable à ± 5 % par an
"""

TRENDS_EN = """\
period 2022 to 2024
event cambriolage "Cambriolage de domicile"
measured value sentiment "Se sentent en sécurité" in %
indicator baisse "−10 % par rapport à 2022"
  count(cambriolage) down 10 % vs 2022 per year
indicator baisse_moyenne "−2 % par rapport à la moyenne 2015-2019 (412, avant le système)"
  count(cambriolage) down 2% compared to average 2015 to 2019 = 412 per year
indicator direction "En baisse d'une année à l'autre"
  count(cambriolage) down per year
indicator hausse "En hausse d'un semestre à l'autre"
  count(cambriolage) up per semester
indicator stable "Sentiment de sécurité stable à ± 5 %"
  latest(sentiment) stable within +/- 5 % per year
"""

BURGLARIES: list[dict[str, object]] = [
    *[{"type": "cambriolage", "date": "2022-03-01"}] * 10,
    *[{"type": "cambriolage", "date": "2023-09-01"}] * 9,
    *[{"type": "cambriolage", "date": "2024-03-01"}] * 4,
    {"type": "sentiment", "date": "2022-05-01", "valeur": 60},
    {"type": "sentiment", "date": "2023-05-01", "valeur": 62},
    {"type": "sentiment", "date": "2024-05-01", "valeur": 70},
]


def test_trends_in_both_languages() -> None:
    french, english = both_ways(TRENDS), both_ways(TRENDS_EN)
    assert french == english
    count = m.Aggregate(m.AggregateFn.COUNT, "cambriolage")
    assert [i.expr for i in french.indicators[:3]] == [
        m.Trend(count, "down", m.Number(10, True), m.Baseline(2022, 2022)),
        m.Trend(count, "down", m.Number(2, True), m.Baseline(2015, 2019, m.Number(412))),
        m.Trend(count, "down"),
    ]
    assert french.indicator("baisse").kind is m.IndicatorKind.TARGET


def test_baselines_changes_and_directions() -> None:
    result = same_result(load_plan(TRENDS), BURGLARIES, dt.date(2025, 1, 15))

    def rows(ident: str) -> list[tuple[object, ...]]:
        return [
            (
                p.label,
                p.value,
                p.baseline,
                None if p.change is None else round(p.change, 4),
                p.direction,
                p.status,
                p.reason,
            )
            for p in result.indicator(ident).periods
        ]

    reference, first = "période de référence", "première période : rien à comparer"
    assert rows("baisse") == [
        ("2022", 10.0, 10.0, 0.0, "stable", Status.MONITORED, reference),  # the baseline year is not judged
        ("2023", 9.0, 10.0, -0.1, "baisse", Status.MET, None),  # exactly 10 % less
        ("2024", 4.0, 10.0, -0.6, "baisse", Status.MET, None),
    ]
    assert result.indicator("baisse").status is Status.MET
    assert result.indicator("baisse").target == "en baisse de 10\u00a0% par rapport à 2022 par an"
    assert rows("baisse_moyenne")[0] == (
        "2022",
        10.0,
        412.0,
        round(10 / 412 - 1, 4),
        "baisse",
        Status.MET,
        None,
    )
    assert rows("direction") == [
        ("2022", 10.0, None, None, None, Status.MONITORED, first),
        ("2023", 9.0, 10.0, -0.1, "baisse", Status.MET, None),
        ("2024", 4.0, 9.0, round(4 / 9 - 1, 4), "baisse", Status.MET, None),
    ]
    assert [(p.label, p.baseline, p.status) for p in result.indicator("hausse").periods] == [
        ("2022-S1", None, Status.MONITORED),
        ("2022-S2", 10.0, Status.NOT_MET),
        ("2023-S1", 0.0, Status.NOT_MET),  # 0 is not more than 0
        ("2023-S2", 0.0, Status.MET),
        ("2024-S1", 9.0, Status.NOT_MET),
        ("2024-S2", 4.0, Status.NOT_MET),
    ]
    stable = result.indicator("stable")
    assert [(p.label, p.status) for p in stable.periods] == [
        ("2022", Status.MONITORED),
        ("2023", Status.MET),  # 62 % against 60 %: +3,3 %
        ("2024", Status.NOT_MET),  # 70 % against 62 %: +12,9 %
    ]
    data = result.to_dict()["tree"][0]["periods"][1]
    assert (data["baseline"], data["change"], data["direction"]) == (10, -0.1, "baisse")


def test_a_baseline_outside_the_evaluated_period_is_unknown_unless_declared() -> None:
    plan = load_plan(TRENDS)
    result = same_result(
        indicateurs.load_plan(TRENDS), BURGLARIES, dt.date(2025, 1, 15)
    )  # the plan's own period reads 2022
    assert result.indicator("baisse").periods[1].baseline == 10.0
    narrowed = indicateurs.evaluate(plan, list(BURGLARIES), period=2024, as_of=dt.date(2025, 1, 15))
    slow = evaluate_reference(plan, list(BURGLARIES), period=2024, as_of=dt.date(2025, 1, 15))
    assert narrowed.to_dict() == slow.to_dict()
    [only] = narrowed.indicator("baisse").periods
    assert (only.baseline, only.status) == (None, Status.NOT_EVALUABLE)
    assert only.reason == "référence hors de la période évaluée : déclarez sa valeur"  # not read, not zero
    assert narrowed.indicator("baisse_moyenne").periods[0].baseline == 412.0


def test_trend_mistakes() -> None:
    head = "période 2022 à 2024\névénement c\nindicateur x « X »\n  "
    assert error_codes(head + "nombre(c) en baisse de 10 par rapport à 2022 par an\n") == ["C218"]
    assert error_codes(head + "nombre(c) en baisse par rapport à la moyenne 2019-2015 = 3 par an\n") == [
        "C219"
    ]
    assert error_codes(head + "nombre(c) en baisse par rapport à 2022\n") == ["C220"]
    assert error_codes(head + "nombre(c) en baisse par rapport à 2022 par trimestre\n") == ["C220"]
    assert error_codes(head + "nombre(c) en baisse par rapport à 2020 par an\n") == ["C221"]
    assert error_codes(head + "nombre(c) en baisse par rapport à 2024 par an\n") == ["C226"]
    assert error_codes(head + "nombre(c) en baisse\n") == ["C222"]
    assert error_codes(head + "existe(c) en baisse par an\n") == ["C147"]
    # A declared baseline needs no data, and no « par an ».
    load_plan(head + "nombre(c) en baisse de 10 % par rapport à 2020 = 40\n")


# ---------------------------------------------------------------------------- shares of units

UNITS = """\
période 2024
événement action « Action de prévention de quartier »
  quartier : centre | gare | maritime | nord | sud
  partenaire : texte
  genre : rue | ecole
indicateur quartiers « Part des quartiers ayant au moins 4 actions dans l'année : 80 % »
  part(action.quartier ayant au moins 4) >= 80 % par an
indicateur partenaires « Au moins 2 partenaires avec 2 actions de rue ou plus »
  nombre(action.partenaire où genre = rue ayant au moins 2) >= 2
indicateur calmes « Aucun quartier avec plus de 5 actions d'école »
  part(action.quartier où genre = ecole ayant > 5) au plus 0 %
"""

UNITS_EN = """\
period 2024
event action "Action de prévention de quartier"
  quartier : centre | gare | maritime | nord | sud
  partenaire : text
  genre : rue | ecole
indicator quartiers "Part des quartiers ayant au moins 4 actions dans l'année : 80 %"
  share(action.quartier having at least 4) >= 80% per year
indicator partenaires "Au moins 2 partenaires avec 2 actions de rue ou plus"
  count(action.partenaire where genre = rue having at least 2) >= 2
indicator calmes "Aucun quartier avec plus de 5 actions d'école"
  share(action.quartier where genre = ecole having > 5) at most 0%
"""


def _actions() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    plan = {
        "centre": ("A", "rue", 4),
        "gare": ("B", "rue", 5),
        "maritime": ("C", "ecole", 4),
        "nord": ("A", "ecole", 3),
    }
    for quartier, (partenaire, genre, n) in plan.items():  # « sud »: no action at all
        for i in range(n):
            rows.append(
                {
                    "type": "action",
                    "date": f"2024-0{1 + i}-15",
                    "quartier": quartier,
                    "partenaire": partenaire,
                    "genre": genre,
                }
            )
    return rows


def test_shares_of_units_in_both_languages() -> None:
    french, english = both_ways(UNITS), both_ways(UNITS_EN)
    assert french == english
    assert french.indicator("quartiers").expr.left == m.UnitShare(  # type: ignore[union-attr]
        m.AggregateFn.SHARE, "action", "quartier", None, m.Comparator.GE, m.Number(4)
    )


def test_units_without_events_count_and_units_short_are_named() -> None:
    result = same_result(load_plan(UNITS), _actions(), dt.date(2025, 1, 15))
    [year] = result.indicator("quartiers").periods
    # centre 4, gare 5, maritime 4: three of five; nord (3) and sud (0) are short.
    assert (year.value, year.status) == (0.6, Status.NOT_MET)
    assert year.units == indicateurs.results.UnitsInfo(3, 5, ("nord", "sud"))
    [partners] = result.indicator("partenaires").periods
    # Street actions: A 4 (centre), B 5 (gare); C and A's school actions do not count.
    assert (partners.value, partners.status, partners.units) == (
        2.0,
        Status.MET,
        indicateurs.results.UnitsInfo(2, 3, ("C",)),  # the units of a text field are the partners seen
    )
    calm = result.indicator("calmes").periods[0]
    assert (calm.value, calm.status) == (0.0, Status.MET)
    assert result.to_dict()["tree"][0]["periods"][0]["units"] == {
        "met": 3,
        "total": 5,
        "short": ["nord", "sud"],
    }


def test_share_of_units_mistakes() -> None:
    head = UNITS.split("indicateur")[0] + "indicateur x « X »\n  "
    assert error_codes(head + "somme(action.quartier ayant au moins 4) >= 1\n") == ["C223"]
    assert error_codes(head + "part(action.quartier ayant au moins 40 %) >= 1 %\n") == ["C224"]
    assert error_codes(head + "part(action.quartir ayant au moins 4) >= 80 %\n") == ["C102"]
    assert error_codes(head + "part(action.quartier où genre = velo ayant au moins 4) >= 80 %\n") == ["C103"]


def test_the_sql_engine_counts_units_in_python_and_agrees() -> None:
    from indicateurs.sources import from_records
    from indicateurs.sql import evaluate_sql_explained
    from test_sql_helpers import Table, assert_same, sqlite_engine

    plan = load_plan(UNITS)
    data = [{k: str(v) for k, v in r.items()} for r in _actions()]
    engine = sqlite_engine()
    table = Table(engine, data)
    try:
        got, _ = evaluate_sql_explained(
            plan, engine, table=table.name, row_column="ligne", as_of=dt.date(2025, 1, 15), name="saisie"
        )
    finally:
        table.drop()
        engine.dispose()
    assert_same(
        indicateurs.evaluate(plan, from_records(data, name="saisie"), as_of=dt.date(2025, 1, 15)),
        got,
        "sqlite",
    )
