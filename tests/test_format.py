"""The formatter on hand-written plans, and the `indicateurs formater` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicateurs import PlanError, load_plan
from indicateurs.cli import main
from indicateurs.format import (
    detect_language,
    format_expression,
    format_plan,
    format_source,
    quote_label,
    split_comment,
)
from indicateurs.parse import parse_statements
from indicateurs.statements import ExpressionLine

UNTIDY = """

# Plan de test
PLAN   "Plan d'essai"     # titre
Periode 1/1/2023 .. 31/12/2024
méta source: « Conseil »
niveaux « axe » > « objectif d'action » > « mesure »
GRANULARITE mois



evenement visite « Visite de terrain »
      quartier:centre|nord|sud
  durée : Decimal optionnel
   jour : date
 confirmé: booleen

# section 1
        axe 1. « Sécurité »
note "Priorité du collège"
 objectif d’action 1.1 « Prévenir »
  mesure 1.1.1 « Visites »
indicateur visites « Nombre de visites : >/= 10/an »
NOMBRE(visite où quartier dans [centre,nord] et non (confirmé ou durée>=7.5)) ≥ 10 par année avant 30/6/2024  # cible
unite « visites »
   indicateur part_nord
       (part(visite where quartier = nord) >= 80%) and (((exists(visite))))
indicateur moyenne_duree
suivi ((moyenne(visite.durée) - 1,0) - (2 - 3)) * -(nombre(visite) + 2) / 4
"""

CANONICAL_FR = """\
# Plan de test
plan « Plan d'essai »  # titre
période 2023-01-01 à 2024-12-31
méta source « Conseil »
niveaux « axe » > « objectif d'action » > « mesure »
granularité mois

événement visite « Visite de terrain »
    quartier : centre | nord | sud
    durée : décimal optionnel
    jour : date
    confirmé : booléen

# section 1
axe 1 « Sécurité »
  note « Priorité du collège »
  objectif d'action 1.1 « Prévenir »
    mesure 1.1.1 « Visites »
      indicateur visites « Nombre de visites : >/= 10/an »
        nombre(visite où quartier dans [centre, nord] et non (confirmé ou durée >= 7,5)) >= 10 par an avant le 2024-06-30  # cible
        unité « visites »
      indicateur part_nord
        part(visite où quartier = nord) >= 80 % et existe(visite)
      indicateur moyenne_duree
        suivi (moyenne(visite.durée) - 1 - (2 - 3)) * -(nombre(visite) + 2) / 4
"""

CANONICAL_EN = """\
# Plan de test
plan « Plan d'essai »  # titre
period 2023-01-01 to 2024-12-31
meta source « Conseil »
levels « axe » > « objectif d'action » > « mesure »
granularity month

event visite « Visite de terrain »
    quartier : centre | nord | sud
    durée : decimal optional
    jour : date
    confirmé : boolean

# section 1
axe 1 « Sécurité »
  note « Priorité du collège »
  objectif d'action 1.1 « Prévenir »
    mesure 1.1.1 « Visites »
      indicator visites « Nombre de visites : >/= 10/an »
        count(visite where quartier in [centre, nord] and not (confirmé or durée >= 7.5)) >= 10 per year by 2024-06-30  # cible
        unit « visites »
      indicator part_nord
        share(visite where quartier = nord) >= 80 % and exists(visite)
      indicator moyenne_duree
        monitor (avg(visite.durée) - 1 - (2 - 3)) * -(count(visite) + 2) / 4
"""

HEADER = "période 2023\névénement e\n    n : entier\n    k : a | b\n    t : texte\n    d : date\n"


def _line(expression: str, lang: str = "fr") -> str:
    """The canonical spelling of one expression line, inside a minimal plan."""
    text = f"{HEADER}indicateur x\n{expression}\n"
    out = format_plan(text, lang="en" if lang == "en" else "fr")
    assert load_plan(out) == load_plan(text)
    return out.splitlines()[-1].strip()


# ---------------------------------------------------------------------------- layout


def test_canonical_layout_in_french() -> None:
    assert format_plan(UNTIDY) == CANONICAL_FR


def test_canonical_layout_in_english() -> None:
    assert format_plan(UNTIDY, lang="en") == CANONICAL_EN
    assert format_plan(CANONICAL_EN) == CANONICAL_EN  # stays English: its dominant language
    assert format_plan(CANONICAL_EN, lang="fr") == CANONICAL_FR


def test_meaning_is_kept() -> None:
    plan = load_plan(UNTIDY)
    assert load_plan(CANONICAL_FR) == plan
    assert load_plan(CANONICAL_EN) == plan


def test_idempotent() -> None:
    assert format_plan(CANONICAL_FR) == CANONICAL_FR
    assert format_plan(CANONICAL_FR, lang="fr") == CANONICAL_FR


def test_indentation_follows_the_hierarchy_not_the_author() -> None:
    text = (
        "période 2023\n"
        "niveaux « a » > « b » > « c »\n"
        "            c 1 « skipped levels: a root of the deepest level »\n"
        "a « root »\n"
        "c « grand-child directly under a »\n"
        "b « child »\n"
        "        indicateur i\n"
        "vrai\n"
        "note « of i »\n"
        "c « child of b »\n"
        "note « of the node »\n"
        "a « second root »\n"
    )
    assert format_plan(text).splitlines()[2:] == [
        "c 1 « skipped levels: a root of the deepest level »",
        "a « root »",
        "  c « grand-child directly under a »",
        "  b « child »",
        "    indicateur i",
        "      vrai",
        "      note « of i »",
        "    c « child of b »",
        "      note « of the node »",
        "a « second root »",
    ]


def test_indicators_before_any_node_and_events_after_the_tree() -> None:
    text = (
        "période 2023\n"
        "    indicateur libre\n"
        "  suivi nombre(e)\n"
        "pôle « p »\n"
        "indicateur lié\n"
        "existe(e)\n"
        "  événement e\n"
        "n : entier\n"
    )
    assert format_plan(text) == (
        "période 2023\n"
        "indicateur libre\n"
        "  suivi nombre(e)\n"
        "pôle « p »\n"
        "  indicateur lié\n"
        "    existe(e)\n"
        "événement e\n"
        "    n : entier\n"
    )


def test_level_words_take_the_declared_spelling() -> None:
    text = "période 2023\nniveaux « objectif général »\nOBJECTIF   GENERAL 2. « x »\n"
    assert format_plan(text).splitlines()[-1] == "objectif général 2 « x »"


# ---------------------------------------------------------------------------- comments, blank lines


def test_comments_are_kept_and_indented_like_the_next_statement() -> None:
    text = (
        "# en-tête\n"
        "période 2023   #   fin de ligne   \n"
        "pôle « p # pas un commentaire »\n"
        "         # avant l'indicateur\n"
        'indicateur i « a "#" b »# collé\n'
        "vrai\n"
        "\n"
        "\n"
        "\n"
        "# tout à la fin\n"
        "\n"
    )
    assert format_plan(text) == (
        "# en-tête\n"
        "période 2023  #   fin de ligne\n"
        "pôle « p # pas un commentaire »\n"
        "  # avant l'indicateur\n"
        '  indicateur i « a "#" b »  # collé\n'
        "    vrai\n"
        "\n"
        "# tout à la fin\n"
    )


def test_blank_lines_collapse_and_edges_are_trimmed() -> None:
    text = "\n\n\npériode 2023\n\n\n\nplan « p »\ncommune « c »\n\n\n"
    assert format_plan(text) == "période 2023\n\nplan « p »\ncommune « c »\n"


def test_split_comment_ignores_hash_inside_every_kind_of_quote() -> None:
    assert split_comment("note « a « # » b » # c") == ("note « a « # » b » ", "# c")
    assert split_comment('note "a # b" #c') == ('note "a # b" ', "#c")
    assert split_comment("note “a # b” # c") == ("note “a # b” ", "# c")
    assert split_comment("note « a » b") == ("note « a » b", None)


def test_empty_and_comment_only_files() -> None:
    assert format_plan("") == ""
    assert format_plan("\n\n  \n") == ""
    assert format_plan("  # seul\n\n") == "# seul\n"


def test_line_ends_and_bom_are_normalised() -> None:
    text = "\ufeffpériode 2023\r\nplan « p »\r\n"
    assert format_plan(text) == "période 2023\nplan « p »\n"


# ---------------------------------------------------------------------------- labels, numbers, dates


@pytest.mark.parametrize(
    ("content", "quoted"),
    [
        ("simple", "« simple »"),
        ("avec « guillemets » dedans", "« avec « guillemets » dedans »"),
        ("chevron » seul", '"chevron » seul"'),
        ('chevron » et "guillemets"', '“chevron » et "guillemets"”'),
        ("", "« »"),
    ],
)
def test_quote_label(content: str, quoted: str) -> None:
    assert quote_label(content) == quoted


def test_labels_are_requoted_losslessly() -> None:
    text = 'période 2023\nplan "a » b"\ncommune “x » "y"”\nnote "« z »"\n'
    out = format_plan(text)
    assert out.splitlines()[1:3] == ['plan "a » b"', 'commune “x » "y"”']
    statements, _ = parse_statements(out, "t")
    assert [getattr(s, "text", None) for s in statements[1:]] == ["a » b", 'x » "y"', "« z »"]


def test_text_literals_keep_their_spaces() -> None:
    # Spaces inside the quotes of a text literal are part of the value (C152 warns about them).
    assert _line("nombre(e où t = « centre »)") == "nombre(e où t = « centre »)"
    assert _line("nombre(e où t = «centre»)") == 'nombre(e où t = "centre")'
    assert _line('nombre(e où k dans ["a", “b”])') == 'nombre(e où k dans ["a", "b"])'


@pytest.mark.parametrize(
    ("written", "fr", "en"),
    [
        ("nombre(e) >= 7.5", "nombre(e) >= 7,5", "count(e) >= 7.5"),
        ("nombre(e) >= 7,50", "nombre(e) >= 7,5", "count(e) >= 7.5"),
        ("part(e où n > 3) >= 80%", "part(e où n > 3) >= 80 %", "share(e où n > 3) >= 80 %"),
        ("nombre(e) <= 10000000000000000", "nombre(e) <= 10000000000000000", "count(e) <= 10000000000000000"),
        ("nombre(e) > 0.00001", "nombre(e) > 0,00001", "count(e) > 0.00001"),
        ("nombre(e où n > - 3)", "nombre(e où n > -3)", "count(e where n > -3)"),
        ("nombre(e où n dans [1,5; 2])", "nombre(e où n dans [1,5; 2])", "count(e where n in [1.5, 2])"),
        ("nombre(e où n dans [1, 5])", "nombre(e où n dans [1, 5])", "count(e where n in [1, 5])"),
    ],
)
def test_numbers(written: str, fr: str, en: str) -> None:
    assert _line(written) == fr
    assert _line(written, "en") == en.replace(" où ", " where ")


def test_dates_are_written_in_iso() -> None:
    text = f"{HEADER}indicateur x\nnombre(e où d entre 1/2/2023 et 28/02/2023) > 1 avant 5/6/2023\n"
    assert format_plan(text).splitlines()[-1].strip() == (
        "nombre(e où d entre 2023-02-01 et 2023-02-28) > 1 avant le 2023-06-05"
    )
    assert format_plan("période 1/1/2023 - 30/6/2024\n") == "période 2023-01-01 à 2024-06-30\n"


# ---------------------------------------------------------------------------- expressions


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("(((nombre(e))))", "nombre(e)"),
        ("(nombre(e) + 1) * 2 > 3", "(nombre(e) + 1) * 2 > 3"),
        ("nombre(e) + (1 * 2) > 3", "nombre(e) + 1 * 2 > 3"),
        ("(nombre(e) - 1) - 2 > 3", "nombre(e) - 1 - 2 > 3"),
        ("nombre(e) - (1 - 2) > 3", "nombre(e) - (1 - 2) > 3"),
        ("nombre(e) / (2 / 4) > 3", "nombre(e) / (2 / 4) > 3"),
        ("nombre(e) / (2 * 4) > 3", "nombre(e) / (2 * 4) > 3"),
        ("-(nombre(e) + 1) < 3", "-(nombre(e) + 1) < 3"),
        ("- - nombre(e) < 3", "--nombre(e) < 3"),
        ("(existe(e) ou existe(e)) et existe(e)", "(existe(e) ou existe(e)) et existe(e)"),
        ("existe(e) ou (existe(e) et existe(e))", "existe(e) ou existe(e) et existe(e)"),
        ("existe(e) ou (existe(e) ou existe(e))", "existe(e) ou (existe(e) ou existe(e))"),
        ("non (existe(e) et vrai)", "non (existe(e) et vrai)"),
        ("pas (nombre(e) > 1)", "non nombre(e) > 1"),
        ("nombre(e) entre 1 et (2 + 3)", "nombre(e) entre 1 et 2 + 3"),
        ("nombre(e où (k = a ou k = b) et non (n > 1))", "nombre(e où (k = a ou k = b) et non n > 1)"),
        ("nombre(e où k non dans [a])", "nombre(e où k pas dans [a])"),
        ("nombre(e où non (k dans [a]))", "nombre(e où non k dans [a])"),
        ("nombre(e où n <> 1 ou n ≤ 2 ou n ≠ 3)", "nombre(e où n != 1 ou n <= 2 ou n != 3)"),
        ("suivi distincts(e.t) PAR Trimestre", "suivi distinct(e.t) par trimestre"),
        ("oui et non faux", "vrai et non faux"),
    ],
)
def test_minimal_parentheses_and_canonical_words(written: str, canonical: str) -> None:
    assert _line(written) == canonical


def test_format_expression() -> None:
    statements, _ = parse_statements("(nombre(e où n > 1) + 2,5) * 3 >= 80 %\n", "t")
    line = statements[0]
    assert isinstance(line, ExpressionLine)
    assert format_expression(line.expr) == "(nombre(e où n > 1) + 2,5) * 3 >= 80 %"
    assert format_expression(line.expr, "en") == "(count(e where n > 1) + 2.5) * 3 >= 80 %"


# ---------------------------------------------------------------------------- language, errors


def test_language_detection() -> None:
    assert detect_language(CANONICAL_FR) == "fr"
    assert detect_language(CANONICAL_EN) == "en"
    # Mostly English keywords, a French one here and there; words inside labels do not count.
    mixed = "period 2023\nplan « période où et par »\nevent e\nindicator x\nnombre(e) >= 1 per year\n"
    assert detect_language(mixed) == "en"
    assert format_plan(mixed).splitlines()[-1] == "  count(e) >= 1 per year"
    assert detect_language("période 2023\nmunicipality « x »\n") == "fr"  # a tie stays French


def test_syntax_errors_are_refused() -> None:
    text = "période 2023\nindicateur x\nnombre(( > 3\nplan « ok »\nnote « pas fermé\n"
    with pytest.raises(PlanError) as caught:
        format_plan(text, file="p.plan")
    assert [(d.line, d.code.startswith("S")) for d in caught.value.errors] == [(3, True), (5, True)]
    assert "p.plan:3:" in str(caught.value)


def test_bad_period_word_is_refused_rather_than_rewritten() -> None:
    with pytest.raises(PlanError):
        format_plan("période 2023\nindicateur x\nnombre(e) > 1 par ans\n")


def test_semantic_errors_do_not_stop_the_formatter() -> None:
    text = "période 2023\nindicateur x\nnombre(inconnu) >   1\nniveau_inconnu « x »\n"
    assert format_plan(text) == "période 2023\nindicateur x\n  nombre(inconnu) > 1\nniveau_inconnu « x »\n"


def test_a_line_without_canonical_spelling_keeps_its_own() -> None:
    huge = "9" * 400  # beyond the largest float: no decimal spelling reads back the same
    text = f"période 2023\nindicateur x\n     suivi nombre(e) + {huge}\n"
    result = format_source(text)
    assert result.text == f"période 2023\nindicateur x\n  suivi nombre(e) + {huge}\n"
    assert result.kept_lines == (3,)


# ---------------------------------------------------------------------------- command line


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.plan"
    path.write_text(UNTIDY, encoding="utf-8")
    return path


def test_cli_rewrites_in_place(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["formater", str(plan_file)]) == 0
    assert plan_file.read_text(encoding="utf-8") == CANONICAL_FR
    out = capsys.readouterr().out
    assert f"{plan_file} : reformaté" in out
    assert main(["fmt", str(plan_file)]) == 0  # idempotent: nothing more to do
    assert "0 fichier reformaté, 1 inchangé" in capsys.readouterr().out


def test_cli_check(plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tidy = tmp_path / "tidy.plan"
    tidy.write_text(CANONICAL_FR, encoding="utf-8")
    assert main(["fmt", "--check", str(tidy)]) == 0
    capsys.readouterr()
    assert main(["fmt", "--check", str(tidy), str(plan_file)]) == 1
    out = capsys.readouterr().out
    assert f"{plan_file} : serait reformaté" in out
    assert str(tidy) + " :" not in out
    assert plan_file.read_text(encoding="utf-8") == UNTIDY  # --check never writes
    assert main(["--lang", "en", "format", "--check", str(plan_file)]) == 1
    assert f"would reformat {plan_file}" in capsys.readouterr().out


def test_cli_diff(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--diff", str(plan_file)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"--- {plan_file}\t(original)\n+++ {plan_file}\t(formaté)\n@@ ")
    assert "-        axe 1. « Sécurité »\n" in captured.out
    assert "+axe 1 « Sécurité »\n" in captured.out
    assert "1 fichier à reformater" in captured.err  # status lines keep stdout a clean patch
    assert plan_file.read_text(encoding="utf-8") == UNTIDY
    assert main(["fmt", "--diff", "--check", str(plan_file)]) == 1


def test_cli_language(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--langue", "en", str(plan_file)]) == 0
    assert plan_file.read_text(encoding="utf-8") == CANONICAL_EN
    assert main(["fmt", "--check", str(plan_file)]) == 0  # English is now its dominant language
    assert main(["fmt", "--language", "fr", str(plan_file)]) == 0
    assert plan_file.read_text(encoding="utf-8") == CANONICAL_FR
    capsys.readouterr()


def test_cli_keeps_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.plan"
    path.write_text("# haut\npériode 2023 # à droite\n   # bas\nplan « p »\n", encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == "# haut\npériode 2023  # à droite\n# bas\nplan « p »\n"
    capsys.readouterr()


def test_cli_keeps_windows_line_ends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "w.plan"
    path.write_bytes("période   2023\r\nplan « p »\r\n".encode())
    assert main(["fmt", str(path)]) == 0
    assert path.read_bytes() == "période 2023\r\nplan « p »\r\n".encode()
    assert main(["fmt", "--check", str(path)]) == 0
    capsys.readouterr()


def test_cli_leaves_a_file_with_syntax_errors_untouched(
    plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.plan"
    content = "période 2023\n  indicateur x\n    nombre(( > 3\n"
    broken.write_text(content, encoding="utf-8")
    assert main(["fmt", str(broken), str(plan_file)]) == 1
    assert broken.read_text(encoding="utf-8") == content
    assert plan_file.read_text(encoding="utf-8") == CANONICAL_FR  # the other file is still done
    err = capsys.readouterr().err
    assert f"{broken}:3:" in err
    assert "erreur[S" in err
    assert "nombre(( > 3" in err  # the diagnostic shows the line
    assert f"{broken} : erreurs de syntaxe, fichier laissé tel quel" in err


def test_cli_missing_file_is_a_usage_error(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", str(plan_file), str(plan_file.parent / "absent.plan")]) == 2
    assert plan_file.read_text(encoding="utf-8") == UNTIDY  # nothing written when a file is missing
    assert "absent.plan : fichier introuvable" in capsys.readouterr().err
    assert main(["fmt"]) == 2
    assert main(["fmt", "--langue", "nl", str(plan_file)]) == 2


def test_cli_unwritable_file_is_reported(
    plan_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)  # where the formatter makes its temporary file
    assert main(["fmt", str(plan_file)]) == 2
    assert plan_file.read_text(encoding="utf-8") == UNTIDY
    assert "écriture impossible (Permission denied)" in capsys.readouterr().err
