"""`indicateurs verifier` (alias `check`): exit codes, text and JSON output, both languages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from indicateurs.cli import main

BROKEN = """\
période 2023
événement formation « Formation »
  participants : entier
  public : texte
indicateur a « A »
  nombre(formaton) >= 3
indicateur b « B »
  nombre(formation) >/= 10/an
indicateur c « C
indicateur d « D »
  somme(formation.public) >= 1
indicateur e « E »
  nombre(formation) >= 10 par ans
"""
BROKEN_ERRORS = [(6, 3, "C101"), (8, 21, "S010"), (9, 14, "S002"), (11, 3, "C104"), (13, 31, "S016")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------------- valid plans


@pytest.mark.parametrize("command", ["verifier", "check", "vérifier"])
def test_valid_plan_exit_0_with_the_outline(
    command: str, capsys: pytest.CaptureFixture[str], repo_root: Path
) -> None:
    path = str(repo_root / "plans" / "molenbeek-2023.plan")
    code, out, err = run(capsys, command, path)
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == f"{path} : plan valide"
    assert lines[1].startswith("  Contrat de sécurité et de société")
    assert lines[2] == (
        "  2 × secteur d'activité, 2 × objectif général, 8 × objectif stratégique, 4 × pôle, "
        "10 × objectif opérationnel, 11 × résultat attendu"
    )
    assert lines[3] == "  13 indicateurs, 10 types d'événements"


def test_every_shipped_plan_is_valid(capsys: pytest.CaptureFixture[str], plan_paths: list[Path]) -> None:
    code, out, err = run(capsys, "verifier", *map(str, plan_paths))
    assert code == 0, err
    assert err == ""
    assert out.count(": plan valide") == len(plan_paths)
    assert "erreur" not in out
    # The only warnings: the programme's school and fiscal years cut by its 2019–2024 window.
    assert set(re.findall(r"avertissement\[(\w+)\]", out)) <= {"C225"}


def test_the_english_plan_outline_uses_its_own_levels(
    capsys: pytest.CaptureFixture[str], repo_root: Path
) -> None:
    code, out, _ = run(capsys, "check", str(repo_root / "plans" / "westkust-2024-2026.plan"), "--lang", "en")
    assert code == 0
    assert ": valid plan" in out
    assert "5 × programme, 5 × doelstelling, 4 × outcome, 3 × output, 1 × action" in out
    assert "15 indicators, 8 event types" in out


def test_warnings_are_printed_but_the_plan_is_valid(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path]
) -> None:
    path = write_plan("période 2023\nindicateur a « A définir »\n")
    code, out, err = run(capsys, "verifier", str(path))
    assert code == 0
    assert err == ""
    assert f"{path}:2:1: avertissement[C126]: l'indicateur « a » n'a pas d'expression" in out
    assert out.rstrip().endswith("1 avertissement")


# ---------------------------------------------------------------------------- plans with errors


def test_plan_with_errors_exit_1_and_every_error_printed(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path]
) -> None:
    path = write_plan(BROKEN, name="essai.plan")
    code, out, err = run(capsys, "verifier", str(path))
    assert code == 1
    assert out.strip() == f"{path} : 5 erreurs"
    heads = [line for line in err.splitlines() if "erreur[" in line]
    assert heads == [
        f"{path}:6:3: erreur[C101]: type d'événement inconnu « formaton »",
        f"{path}:8:21: erreur[S010]: « >/= » n'est pas un comparateur du langage",
        f"{path}:9:14: erreur[S002]: libellé non fermé : il manque le guillemet fermant » sur cette ligne",
        f"{path}:11:3: erreur[C104]: « somme » demande un champ numérique ; « public » est de type texte",
        f"{path}:13:31: erreur[S016]: période inconnue « ans »",
    ]
    # Each error shows its line and carets.
    assert "     8 |   nombre(formation) >/= 10/an\n       |                     ^^^\n" in err
    assert "       = suggestion : vouliez-vous dire « formation » ?" in err


def test_several_files_one_bad(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path], repo_root: Path
) -> None:
    good = str(repo_root / "plans" / "molenbeek-2023.plan")
    bad = str(write_plan(BROKEN))
    code, out, err = run(capsys, "check", good, bad)
    assert code == 1
    assert f"{good} : plan valide" in out
    assert f"{bad} : 5 erreurs" in out
    assert err.count("erreur[") == 5


# ---------------------------------------------------------------------------- usage errors


def test_missing_file_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "absent.plan"
    code, out, err = run(capsys, "verifier", str(missing))
    assert code == 2
    assert out == ""
    assert err.strip() == f"indicateurs : {missing} : fichier introuvable"


def test_missing_file_in_english(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "absent.plan"
    code, _, err = run(capsys, "--lang", "en", "check", str(missing))
    assert code == 2
    assert str(missing) in err and err.strip().endswith("file not found")
    assert "introuvable" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["verifier", "--format", "xml", "plans/molenbeek-2023.plan"],
        ["verifier", "--no-such-option", "plans/molenbeek-2023.plan"],
        ["verifier"],
        ["--lang", "de", "verifier", "plans/molenbeek-2023.plan"],
        ["no-such-command"],
        [],
    ],
    ids=["bad-format", "unknown-option", "no-plan", "bad-language", "unknown-command", "nothing"],
)
def test_bad_usage_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "usage" in (out + err).lower()
    assert "Traceback" not in err


def test_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verifier", "--help")
    assert code == 0
    assert "--format" in out


# ---------------------------------------------------------------------------- JSON


def test_json_lists_every_error(capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path]) -> None:
    path = str(write_plan(BROKEN))
    code, out, err = run(capsys, "verifier", "--format", "json", path)
    assert code == 1
    assert err == ""
    entries = json.loads(out)
    assert isinstance(entries, list) and len(entries) == 5
    for entry in entries:
        assert {"code", "message", "file", "line", "column", "suggestion"} <= set(entry)
        assert entry["file"] == path
        assert isinstance(entry["line"], int) and isinstance(entry["column"], int)
        assert isinstance(entry["message"], str) and entry["message"]
    assert [(e["line"], e["column"], e["code"]) for e in entries] == BROKEN_ERRORS
    assert entries[0]["message"] == "type d'événement inconnu « formaton »"
    assert entries[0]["suggestion"] == "vouliez-vous dire « formation » ?"


def test_json_of_a_valid_plan_is_an_empty_list(capsys: pytest.CaptureFixture[str], repo_root: Path) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(repo_root / "plans" / "molenbeek-2023.plan"))
    assert code == 0
    assert json.loads(out) == []


def test_json_of_several_files_is_one_list(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path]
) -> None:
    first = str(write_plan(BROKEN))
    second = str(write_plan("plan « sans période »\n"))
    code, out, _ = run(capsys, "check", "--format", "json", first, second)
    assert code == 1
    entries = json.loads(out)
    assert [e["file"] for e in entries] == [first] * 5 + [second]
    assert entries[-1]["code"] == "C120"


# ---------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "en", "verifier", "{path}"],
        ["verifier", "--lang", "en", "{path}"],
        ["check", "{path}", "--lang", "en"],
    ],
    ids=["global", "subcommand", "after-the-file"],
)
def test_english_messages_with_lang(
    argv: list[str], capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path]
) -> None:
    path = str(write_plan(BROKEN))
    code, out, err = run(capsys, *[a.replace("{path}", path) for a in argv])
    assert code == 1
    assert out.strip() == f"{path}: 5 errors"
    assert f"{path}:6:3: error[C101]: unknown event type 'formaton'" in err
    assert "       = help: did you mean 'formation'?" in err
    assert "erreur" not in err and "suggestion :" not in err


def test_english_messages_with_the_environment(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDICATEURS_LANG", "en")
    path = str(write_plan(BROKEN))
    code, out, err = run(capsys, "verifier", "--format", "json", path)
    assert code == 1
    entries = json.loads(out)
    assert entries[0]["message"] == "unknown event type 'formaton'"
    assert entries[0]["suggestion"] == "did you mean 'formation'?"
    code, out, err = run(capsys, "verifier", path)
    assert out.strip() == f"{path}: 5 errors"
    assert "error[S010]: '>/=' is not a comparison of the language" in err


def test_lang_option_wins_over_the_environment(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDICATEURS_LANG", "en")
    path = str(write_plan(BROKEN))
    _, out, err = run(capsys, "--lang", "fr", "verifier", path)
    assert out.strip() == f"{path} : 5 erreurs"
    assert "erreur[C101]: type d'événement inconnu « formaton »" in err


def test_encodings_and_line_ends_from_the_command_line(
    capsys: pytest.CaptureFixture[str], write_plan: Callable[..., Path]
) -> None:
    text = BROKEN.replace("« A »", "« Réalisé — 2023 »")
    for path in (
        write_plan(text, encoding="cp1252"),
        write_plan("\ufeff" + text.replace("\n", "\r\n")),
    ):
        code, out, err = run(capsys, "verifier", "--format", "json", str(path))
        assert (code, err) == (1, "")
        entries = json.loads(out)
        assert [(e["line"], e["column"], e["code"]) for e in entries] == BROKEN_ERRORS


# ---------------------------------------------------------------------------- as a program


def test_python_dash_m(repo_root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "INDICATEURS_LANG"}
    result = subprocess.run(
        [sys.executable, "-m", "indicateurs", "verifier", "plans/molenbeek-2023.plan"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("plans/molenbeek-2023.plan : plan valide\n")
    assert "13 indicateurs, 10 types d'événements" in result.stdout
    assert result.stderr == ""


def test_python_dash_m_with_errors(repo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "essai.plan"
    path.write_text(BROKEN, encoding="utf-8")
    env = {**os.environ, "INDICATEURS_LANG": "en"}
    result = subprocess.run(
        [sys.executable, "-m", "indicateurs", "check", str(path)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.strip() == f"{path}: 5 errors"
    assert result.stderr.count("error[") == 5
    assert "Traceback" not in result.stderr
