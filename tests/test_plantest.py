"""Plan tests: the .tests format (good and bad inputs, with positions), the runner, the
`indicateurs tester` command and the pytest plugin that collects .tests files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import indicateurs
from indicateurs import Status
from indicateurs.cli import main
from indicateurs.diagnostics import Severity, render_diagnostic
from indicateurs.testing.plantest import (
    case_records,
    check_tests,
    known_codes,
    load_tests,
    parse_tests,
    plan_path_for,
    run_case,
    run_tests,
)

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
MOLENBEEK = REPO / "plans" / "molenbeek-2023.plan"
MOLENBEEK_TESTS = REPO / "plans" / "molenbeek-2023.tests"


@pytest.fixture(scope="module")
def plan() -> indicateurs.Plan:
    return indicateurs.load_plan(MOLENBEEK)


def parse_ok(text: str) -> indicateurs.testing.plantest.PlanTests:
    tests, diagnostics = parse_tests(text, "t.tests")
    assert diagnostics == [], [render_diagnostic(d, text) for d in diagnostics]
    return tests


# ---------------------------------------------------------------------------- the format


def test_a_full_file_reads_into_cases() -> None:
    tests = parse_ok(
        """# en-tête
plan « ../plans/molenbeek-2023.plan »
évaluation le 31/12/2023
période 2023

cas « 9 personnes : non atteint »   # commentaire
  9 × prise_en_charge le 15/03/2023 : personne = « P{n} », forme = individuelle
  attendu prises_en_charge : non atteint, valeur 9

cas « formations »
  évaluation le 2023-06-30
  période 01/01/2023 à 30/06/2023
  formation : participants = 2, public = « écoles, # pas un commentaire »
  2 x formation le 2023-02-01 : participants = 3
  attendu formations, personnes_formees : atteint
  attendu espace_ecoute : sans données
"""
    )
    assert tests.plan == "../plans/molenbeek-2023.plan"
    assert tests.as_of == dt.date(2023, 12, 31)
    assert tests.period == indicateurs.model.PlanPeriod(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    first, second = tests.cases
    assert first.title == "9 personnes : non atteint" and first.line == 6
    (line,) = first.events
    assert (line.count, line.type, line.date) == (9, "prise_en_charge", dt.date(2023, 3, 15))
    assert [(v.field, v.text) for v in line.values] == [("personne", "P{n}"), ("forme", "individuelle")]
    assert (line.type_span.line, line.type_span.column) == (7, 7)
    (expected,) = first.expectations
    assert (expected.indicator, expected.status, expected.value) == ("prises_en_charge", Status.NOT_MET, 9.0)
    assert second.as_of == dt.date(2023, 6, 30)
    assert second.period == indicateurs.model.PlanPeriod(dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    one, two = second.events
    assert one.count == 1 and one.date is None
    assert [(v.field, v.text) for v in one.values] == [
        ("participants", "2"),
        ("public", "écoles, # pas un commentaire"),
    ]
    assert (two.count, two.date) == (2, dt.date(2023, 2, 1))
    assert [(e.indicator, e.status, e.value) for e in second.expectations] == [
        ("formations", Status.MET, None),
        ("personnes_formees", Status.MET, None),
        ("espace_ecoute", Status.NO_DATA, None),
    ]


def test_english_keywords_and_spellings() -> None:
    tests = parse_ok(
        """as of 2023-12-31
period 2023 to 2024
case "two trainings"
  2 times formation on 2023-03-15: participants = 4
  expect formations and personnes_formees: met
  expect projets: no data, value no
  expected espace_ecoute: not evaluable
  expect csil: in progress, value 2.5
  expect constats : monitored
"""
    )
    (case,) = tests.cases
    assert tests.period is not None and tests.period.end == dt.date(2024, 12, 31)
    assert case.events[0].count == 2
    assert [(e.indicator, e.status, e.value) for e in case.expectations] == [
        ("formations", Status.MET, None),
        ("personnes_formees", Status.MET, None),
        ("projets", Status.NO_DATA, False),
        ("espace_ecoute", Status.NOT_EVALUABLE, None),
        ("csil", Status.IN_PROGRESS, 2.5),
        ("constats", Status.MONITORED, None),
    ]


def test_values_are_kept_as_written_decimal_commas_included() -> None:
    tests = parse_ok(
        "cas « v »\n"
        "  visite : durée = 2,5, note = un texte libre, lieu = « a, b »; confirmé = oui\n"
        "  attendu x : pas atteint, valeur 2,5\n"
    )
    (case,) = tests.cases
    assert [(v.field, v.text) for v in case.events[0].values] == [
        ("durée", "2,5"),
        ("note", "un texte libre"),
        ("lieu", "a, b"),
        ("confirmé", "oui"),
    ]
    assert case.expectations[0].value == 2.5 and case.expectations[0].status is Status.NOT_MET


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("cas « sans fin\n", "T012", 1, 5),
        ("attendu formations : atteint\n", "T009", 1, 1),
        ("formation : participants = 2\n", "T009", 1, 1),
        ("cas « a »\n  0 × formation\n  attendu formations : atteint\n", "T013", 2, 3),
        ("cas « a »\n  formation le 31/02/2023\n  attendu formations : atteint\n", "T008", 2, 16),
        ("cas « a »\n  formation : participants\n  attendu formations : atteint\n", "T014", 2, 15),
        (
            "cas « a »\n  formation : participants = 1, participants = 2\n  attendu x : atteint\n",
            "T016",
            2,
            33,
        ),
        ("cas « a »\n  formation : participants = \n  attendu x : atteint\n", "T017", 2, 15),
        ("cas « a »\n  attendu formations : réussi\n", "T007", 2, 24),
        ("cas « a »\n  attendu formations : atteint, valeur beaucoup\n", "T021", 2, 40),
        ("cas « a »\n  attendu formations : atteint, 3\n", "T015", 2, 33),
        ("cas « a »\n  attendu formations atteint\n", "T015", 2, 22),
        ("cas « a »\n  attendu : atteint\n", "T015", 2, 11),
        ("cas « a »\n  atendu formations : atteint\n", "T001", 2, 3),
        ("cas « a »\n  « formation »\n  attendu formations : atteint\n", "T001", 2, 3),
        ("cas « a »\n  formation le 01/02/2023 participants = 3\n  attendu x : atteint\n", "T015", 2, 27),
        ("cas « a »\n  3 formations\n  attendu x : atteint\n", "T015", 2, 3),
        ("cas « a »\n", "T010", 1, 1),
        ("cas « a »\n  attendu x : atteint\ncas « a »\n  attendu x : atteint\n", "T011", 3, 1),
        ("cas « a »\n  attendu x : atteint\n  attendu x : non atteint\n", "T018", 3, 11),
        ("cas « a »\n  plan « x.plan »\n  attendu x : atteint\n", "T025", 2, 3),
        ("période 2023\npériode 2024\ncas « a »\n  attendu x : atteint\n", "T024", 2, 1),
        ("période 2024 à 2023\ncas « a »\n  attendu x : atteint\n", "T022", 1, 9),
        ("période deux mille\ncas « a »\n  attendu x : atteint\n", "T015", 1, 9),
        ("cas sans guillemets\n  attendu x : atteint\n", "T015", 1, 5),
        ("cas « a »\n  évaluation le demain\n  attendu x : atteint\n", "T015", 2, 17),
        ("# rien\n\n", "T020", 2, 1),
    ],
)
def test_bad_lines_are_reported_where_they_are(text: str, code: str, line: int, column: int) -> None:
    _, diagnostics = parse_tests(text, "t.tests")
    found = [(d.code, d.line, d.column) for d in diagnostics]
    assert (code, line, column) in found, found
    assert all(d.file == "t.tests" for d in diagnostics)


def test_every_line_with_a_problem_is_reported_and_the_others_are_kept() -> None:
    tests, diagnostics = parse_tests(
        "cas « a »\n  0 × formation\n  formation : participants = 2\n  attendu formations : nul\n"
        "  attendu projets : atteint\n",
        "t.tests",
    )
    assert [d.code for d in diagnostics] == ["T013", "T007"]
    (case,) = tests.cases
    assert len(case.events) == 1 and [e.indicator for e in case.expectations] == ["projets"]


def test_a_misspelt_keyword_gets_a_suggestion() -> None:
    _, diagnostics = parse_tests(
        "cas « a »\n  atendu formations : atteint\n  attendu projets : atteint\n", "t.tests"
    )
    (diag,) = diagnostics
    assert diag.code == "T001"
    assert "attendu" in (diag.fix("fr") or "") and "attendu" in (diag.fix("en") or "")


def test_diagnostics_render_like_the_plan_checker() -> None:
    text = "cas « a »\n  attendu formations : réussi\n"
    _, diagnostics = parse_tests(text, "mon.tests")
    rendered = render_diagnostic(diagnostics[0], text, "fr")
    assert rendered.splitlines() == [
        "mon.tests:2:24: erreur[T007]: statut inconnu « réussi »",
        "     2 |   attendu formations : réussi",
        "       |                        ^^^^^^",
        "       = suggestion : statuts : atteint, non atteint, en cours, sans données, non évaluable, suivi",
    ]
    english = render_diagnostic(diagnostics[0], text, "en")
    assert "error[T007]: unknown status 'réussi'" in english


def test_every_code_has_both_languages() -> None:
    for code in known_codes():
        from indicateurs.testing.plantest import _M

        assert {"fr", "en", "fix_fr", "fix_en"} <= set(_M[code]), code


# ---------------------------------------------------------------------------- against the plan


def test_names_and_values_are_checked_against_the_plan(plan: indicateurs.Plan) -> None:
    text = """cas « a »
  formatoin : participants = 2
  formation : participant = 2
  formation : participants = deux
  formation : public = « x »
  prise_en_charge : forme = indiv
  prise_en_charge : date = 2023-01-01, forme = familiale
  attendu projet : atteint
"""
    tests = parse_ok(text)
    diagnostics = check_tests(tests, plan)
    found = [(d.code, d.line, d.column) for d in diagnostics]
    assert found == [
        ("T002", 2, 3),
        ("T005", 3, 3),
        ("T003", 3, 15),
        ("T004", 4, 30),
        ("T005", 5, 3),
        ("T004", 6, 29),
        ("T023", 7, 21),
        ("T006", 8, 11),
    ], found
    by_code = {d.code: d for d in diagnostics}
    assert "formation" in (by_code["T002"].fix("fr") or "")
    assert "participants" in (by_code["T003"].fix("fr") or "")
    assert "individuelle, familiale" in (by_code["T004"].fix("fr") or "")
    assert "projets" in (by_code["T006"].fix("fr") or "")
    assert all(d.severity is Severity.ERROR for d in diagnostics)


def test_dates_outside_the_period_or_after_the_evaluation_are_warnings(plan: indicateurs.Plan) -> None:
    tests = parse_ok(
        "cas « a »\n  évaluation le 30/06/2023\n  formation le 01/01/2024 : participants = 2\n"
        "  formation le 01/09/2023 : participants = 2\n  attendu formations : sans données\n"
    )
    diagnostics = check_tests(tests, plan)
    assert [(d.code, d.line, d.severity) for d in diagnostics] == [
        ("T026", 3, Severity.WARNING),
        ("T027", 4, Severity.WARNING),
    ]


def test_records_number_the_events_and_fill_required_texts(plan: indicateurs.Plan) -> None:
    tests = parse_ok(
        "cas « a »\n  3 × prise_en_charge : personne = « P{n} », forme = familiale\n"
        "  2 × prise_en_charge le 01/03/2023 : forme = individuelle\n  projet\n  attendu projets : atteint\n"
    )
    records = case_records(plan, tests.cases[0], tests)
    assert [line for line, _ in records] == [2, 2, 2, 3, 3, 4]
    assert [r["personne"] for _, r in records[:5]] == ["P1", "P2", "P3", "personne 1", "personne 2"]
    assert records[0][1]["date"] == dt.date(2023, 1, 1)  # the first day of the evaluated period
    assert records[3][1]["date"] == dt.date(2023, 3, 1)
    assert records[5][1] == {"type": "projet", "date": dt.date(2023, 1, 1), "titre": "titre 1"}


def test_a_case_passes_or_says_what_it_got(plan: indicateurs.Plan) -> None:
    tests = parse_ok(
        "cas « 9 »\n  9 × prise_en_charge : forme = individuelle\n  attendu prises_en_charge : atteint\n"
        "  attendu formations : sans données\n"
        "cas « 10 »\n  10 × prise_en_charge : forme = individuelle\n  attendu prises_en_charge : atteint, valeur 11\n"
        "cas « ok »\n  10 × prise_en_charge : forme = individuelle\n  attendu prises_en_charge : atteint, valeur 10\n"
    )
    nine, ten, ok = run_tests(plan, tests)
    assert not nine.passed and [m.expectation.indicator for m in nine.mismatches] == ["prises_en_charge"]
    assert nine.mismatches[0].result.status is Status.NOT_MET and nine.mismatches[0].status_differs
    assert not ten.passed and not ten.mismatches[0].status_differs and ten.mismatches[0].result.value == 10
    assert ok.passed and ok.as_of == dt.date(2023, 12, 31)


def test_a_rejected_event_fails_the_case_and_names_its_line(plan: indicateurs.Plan) -> None:
    """check_tests catches bad values first; run alone, the runner still reports a rejected row."""
    tests = parse_ok(
        "cas « a »\n  formation : participants = 2\n  formation : participants = beaucoup\n"
        "  attendu formations : non atteint\n"
    )
    assert [d.code for d in check_tests(tests, plan)] == ["T004"]
    outcome = run_case(plan, tests.cases[0], tests)
    assert not outcome.passed and not outcome.mismatches
    ((line, rejection),) = outcome.rejections
    assert line == 3 and rejection.code == "entier_invalide"


def test_the_plan_of_a_tests_file(tmp_path: Path) -> None:
    tests = parse_ok("plan « ../p/x.plan »\ncas « a »\n  attendu x : atteint\n")
    assert plan_path_for(tests, tmp_path / "t" / "y.tests") == tmp_path / "t" / ".." / "p" / "x.plan"
    bare = parse_ok("cas « a »\n  attendu x : atteint\n")
    assert plan_path_for(bare, tmp_path / "y.tests") == tmp_path / "y.plan"


def test_tests_files_in_windows_encoding_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.tests"
    path.write_bytes("cas « prévu »\n  attendu x : sans données\n".encode("cp1252"))
    tests, diagnostics = load_tests(path)
    assert diagnostics == [] and tests.cases[0].title == "prévu"


# ---------------------------------------------------------------------------- the shipped Molenbeek tests


def test_the_molenbeek_tests_pass(plan: indicateurs.Plan) -> None:
    tests, diagnostics = load_tests(MOLENBEEK_TESTS)
    assert diagnostics == []
    assert check_tests(tests, plan) == []
    outcomes = run_tests(plan, tests)
    assert [o.case.title for o in outcomes if not o.passed] == []


def test_the_molenbeek_tests_pin_every_threshold_on_both_sides(plan: indicateurs.Plan) -> None:
    tests, _ = load_tests(MOLENBEEK_TESTS)
    seen: dict[str, set[Status]] = {}
    for case in tests.cases:
        if case.as_of is not None:
            continue
        for expectation in case.expectations:
            seen.setdefault(expectation.indicator, set()).add(expectation.status)
    for indicator in plan.indicators:
        statuses = seen.get(indicator.id, set())
        assert Status.MET in statuses, indicator.id
        assert statuses & {Status.NOT_MET, Status.NO_DATA}, indicator.id
        if indicator.kind is indicateurs.IndicatorKind.TARGET:
            assert Status.NOT_MET in statuses, indicator.id


def test_molenbeek_counted_thresholds_are_tested_one_below_and_at() -> None:
    """For every `>= n` target, a case gives the value n-1 (not met) and another the value n (met)."""
    tests, _ = load_tests(MOLENBEEK_TESTS)
    plan = indicateurs.load_plan(MOLENBEEK)
    values: dict[str, set[tuple[Status, float]]] = {}
    for case in tests.cases:
        for e in case.expectations:
            if e.value is not None and not isinstance(e.value, bool):
                values.setdefault(e.indicator, set()).add((e.status, e.value))
    for indicator in plan.indicators:
        if indicator.kind is not indicateurs.IndicatorKind.TARGET:
            continue
        expr = indicator.expr
        assert isinstance(expr, indicateurs.model.Compare) and isinstance(
            expr.right, indicateurs.model.Number
        )
        n = expr.right.value
        pairs = values.get(indicator.id, set())
        assert (Status.NOT_MET, n - 1) in pairs, (indicator.id, pairs)
        assert (Status.MET, n) in pairs or any(s is Status.MET for s, _ in pairs), (indicator.id, pairs)


# ---------------------------------------------------------------------------- the command


def test_tester_passes_on_molenbeek(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tester", str(MOLENBEEK)]) == 0
    out = capsys.readouterr().out
    assert "✔ cas « 10 personnes prises en charge : atteint »" in out
    assert out.rstrip().endswith("en échec") and " 0 en échec" in out


def test_tester_reports_failures_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(MOLENBEEK, tmp_path / "m.plan")
    (tmp_path / "m.tests").write_text(
        "cas « faux »\n  9 × prise_en_charge le 15/03/2023 : forme = individuelle\n"
        "  attendu prises_en_charge : atteint\n"
        "cas « juste »\n  attendu projets : sans données\n",
        encoding="utf-8",
    )
    assert main(["tester", str(tmp_path / "m.plan")]) == 1
    out = capsys.readouterr().out
    assert "✘ " in out and "m.tests:1: cas « faux »" in out
    assert "prises_en_charge (ligne 3) : attendu « atteint », obtenu « non atteint »" in out
    assert "mesuré : 9 ; cible : ≥ 10 par an" in out
    assert "✔ cas « juste »" in out
    assert "2 cas : 1 réussi, 1 en échec" in out


def test_test_alias_english_and_a_tests_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(MOLENBEEK, tmp_path / "m.plan")
    (tmp_path / "m.tests").write_text(
        'case "wrong"\n  formation on 2023-02-01: participants = 4\n  expect personnes_formees: met\n',
        encoding="utf-8",
    )
    assert main(["--lang", "en", "test", str(tmp_path / "m.tests")]) == 1
    out = capsys.readouterr().out
    assert "personnes_formees (line 3): expected 'met', got 'not met'" in out
    assert "measured: 4; target: ≥ 5 per year" in out
    assert "1 case: 0 passed, 1 failed" in out


def test_tester_exits_2_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(MOLENBEEK, tmp_path / "m.plan")
    (tmp_path / "m.tests").write_text(
        "cas « a »\n  formation : participants = x\n  attendu formations : atteint\n"
    )
    assert main(["tester", str(tmp_path / "m.plan")]) == 2
    err = capsys.readouterr().err
    assert "m.tests:2:30: erreur[T004]" in err and "les tests ne sont pas lancés" in err


def test_tester_exits_2_without_tests_file_or_with_a_broken_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(MOLENBEEK, tmp_path / "m.plan")
    assert main(["tester", str(tmp_path / "m.plan")]) == 2
    assert "fichier de tests introuvable" in capsys.readouterr().err
    (tmp_path / "broken.plan").write_text("indicateur x\n  nombre(y) >= 1\n", encoding="utf-8")
    (tmp_path / "broken.tests").write_text("cas « a »\n  attendu x : atteint\n", encoding="utf-8")
    assert main(["tester", str(tmp_path / "broken.plan")]) == 2
    err = capsys.readouterr().err
    assert "erreur[C101]" in err and "T028" in err
    (tmp_path / "orphan.tests").write_text("cas « a »\n  attendu x : atteint\n", encoding="utf-8")
    assert main(["tester", str(tmp_path / "orphan.tests")]) == 2
    assert "plan introuvable" in capsys.readouterr().err


# ---------------------------------------------------------------------------- the pytest plugin

PLAN_TEXT = MOLENBEEK.read_text(encoding="utf-8")
TESTS_TEXT = """cas « 10 projets »
  10 × projet le 01/06/2023
  attendu projets : atteint
cas « 9 projets, faux »
  9 × projet le 01/06/2023
  attendu projets : atteint
cas « rien »
  attendu projets : sans données
"""


def test_the_plugin_collects_each_case_as_an_item(pytester: pytest.Pytester) -> None:
    pytester.makefile(".plan", mon_plan=PLAN_TEXT)
    pytester.makefile(".tests", mon_plan=TESTS_TEXT)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*mon_plan.tests::10 projets PASSED*",
            "*mon_plan.tests::9 projets, faux FAILED*",
            "*mon_plan.tests:4: cas « 9 projets, faux »",
            "*projets (ligne 6) : attendu « atteint », obtenu « non atteint »",
            "*mesuré : 9 ; cible : ≥ 10 par an",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_plugin_follows_a_plan_line_and_selects_by_name(pytester: pytest.Pytester) -> None:
    pytester.mkdir("plans")
    (pytester.path / "plans" / "p.plan").write_text(PLAN_TEXT, encoding="utf-8")
    pytester.makefile(".tests", verifs="plan « plans/p.plan »\n" + TESTS_TEXT)
    result = pytester.runpytest("-k", "rien")
    result.assert_outcomes(passed=1, deselected=2)


def test_the_plugin_leaves_other_tests_files_alone(pytester: pytest.Pytester) -> None:
    pytester.makefile(".tests", autre="ceci n'est pas un fichier de tests de plan\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_plugin_reports_file_errors_at_collection(pytester: pytest.Pytester) -> None:
    pytester.makefile(".plan", p=PLAN_TEXT)
    pytester.makefile(".tests", p="cas « a »\n  attendu projet : atteint\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert "p.tests:2:11: erreur[T006]: indicateur inconnu « projet »" in result.stdout.str()
    assert "vouliez-vous dire « projets » ?" in result.stdout.str()


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makefile(".plan", p=PLAN_TEXT)
    pytester.makefile(".tests", p=TESTS_TEXT)
    result = pytester.runpytest("-p", "no:indicateurs")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


# ---------------------------------------------------------------------------- the documentation


def test_the_cases_shown_in_the_documentation_pass(plan: indicateurs.Plan) -> None:
    doc = (REPO / "docs" / "tester.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in doc.split("```text\n")[1:]]
    shown = [b for b in blocks if b.lstrip().startswith(("#", "cas"))]
    assert shown, "docs/tester.md shows no tests file"
    for text in shown:
        tests = parse_ok(text)
        assert check_tests(tests, plan) == []
        assert all(o.passed for o in run_tests(plan, tests))


def test_the_example_property_tests_are_collected_and_run(pytester: pytest.Pytester) -> None:
    (pytester.path / "plans").mkdir()
    (pytester.path / "exemples").mkdir()
    shutil.copy(MOLENBEEK, pytester.path / "plans" / "molenbeek-2023.plan")
    shutil.copy(REPO / "exemples" / "test_mon_plan.py", pytester.path / "exemples" / "test_mon_plan.py")
    collected = pytester.runpytest("exemples", "--collect-only", "-q", "-p", "no:indicateurs")
    collected.stdout.fnmatch_lines(["*test_ce_qui_est_prevu_atteint_l_indicateur[[]prises_en_charge[]]*"])
    result = pytester.runpytest("exemples", "-q", "-k", "tableur or prises_en_charge")
    result.assert_outcomes(passed=4)
