"""`indicateurs rapport` / `report`: options, outputs, exit codes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from indicateurs.cli import main
from indicateurs.report_cli import parse_day, parse_year

REPO = Path(__file__).resolve().parents[1]
MOLENBEEK = str(REPO / "plans" / "molenbeek-2023.plan")

CSV = """\
type;date;participants;personne;forme;instance
formation;01/03/2023;4;;;
formation;2023-04-01;3;;;
prise_en_charge;2023-02-01;;A;individuelle;
concertation;2023-02-01;;;;csil
concertation;2023-02-01;;;;conseil
formation;2022-12-01;2;;;
"""


@pytest.fixture
def activities(tmp_path: Path) -> Path:
    path = tmp_path / "activites.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_html_report_to_a_file(tmp_path: Path, activities: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rapport.html"
    code = main(["rapport", MOLENBEEK, str(activities), "-o", str(out), "--au", "30/06/2023"])
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Molenbeek-Saint-Jean" in html and "30/06/2023" in html
    assert "◔ en cours" in html
    assert "activites.csv" in html and "conseil" in html  # the rejected row
    stdout = capsys.readouterr().out
    assert stdout == f"rapport écrit : {out} (13 indicateurs, évaluation au 30/06/2023)\n"


def test_english_alias_and_options(
    tmp_path: Path, activities: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    code = main(
        ["report", MOLENBEEK, str(activities), "--output", str(out), "--as-of", "2023-12-31", "--lang", "en"]
    )
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Evaluation date" in html and "2023-12-31" in html
    assert "report written:" in capsys.readouterr().out


def test_markdown_to_stdout(activities: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rapport", MOLENBEEK, str(activities), "--format", "markdown", "--au", "2023-06-30"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("# Contrat de sécurité")
    assert re.search(r"\| \S*activites\.csv \| 6 \| 4 \| 1 \| 1 \|", out)


def test_html_to_stdout_with_dash(activities: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rapport", MOLENBEEK, str(activities), "-o", "-", "--au", "2023-06-30"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_table_to_a_file_has_no_colour(tmp_path: Path, activities: Path) -> None:
    out = tmp_path / "rapport.txt"
    code = main(
        ["rapport", MOLENBEEK, str(activities), "--format", "table", "-o", str(out), "--au", "2023-06-30"]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert "✔ atteint" in text and "lues : 6 · utilisées : 4 · ignorées : 1 · rejetées : 1" in text


def test_period_option(tmp_path: Path, activities: Path) -> None:
    out = tmp_path / "r.md"
    code = main(
        ["rapport", MOLENBEEK, str(activities), "--periode", "2023", "--format", "md", "-o", str(out)]
    )
    assert code == 0
    assert "01/01/2023 – 31/12/2023" in out.read_text(encoding="utf-8")


def test_mapping_option(tmp_path: Path) -> None:
    data = tmp_path / "export.csv"
    data.write_text(
        "Activité,Jour,Nombre\nFormation collective,01/03/2023,4\nRéunion d'équipe,02/03/2023,\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "correspondance.toml"
    mapping.write_text(
        '[colonnes]\n"Activité" = "type"\n"Jour" = "date"\n"Nombre" = "participants"\n\n'
        '[valeurs.type]\n"Formation collective" = "formation"\n\n'
        '[types]\nignorer = ["Réunion d\'équipe"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.md"
    argv = ["rapport", MOLENBEEK, str(data), "--mapping", str(mapping), "--format", "markdown"]
    code = main([*argv, "-o", str(out), "--au", "31/12/2023"])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert re.search(r"\| \S*export\.csv \| 2 \| 1 \| 1 \| 0 \|", text), text
    assert "type ignoré par la correspondance (1)" in text


def test_html_needs_an_output(activities: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rapport", MOLENBEEK, str(activities)]) == 2
    assert "ajoutez -o rapport.html" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.plan", "{csv}"], "nope.plan : fichier introuvable"),
        ([MOLENBEEK, "absent.csv"], "absent.csv : fichier introuvable"),
        ([MOLENBEEK, "{csv}", "--mapping", "absent.toml"], "absent.toml : fichier introuvable"),
        ([MOLENBEEK, "{csv}", "--au", "31/02/2023"], "--au attend une date"),
        ([MOLENBEEK, "{csv}", "--au", "demain"], "--au attend une date"),
        ([MOLENBEEK, "{csv}", "--periode", "23"], "--periode attend une année"),
        ([MOLENBEEK, "{csv}", "-o", "/nonexistent/dir/r.html"], "dossier inexistant"),
        ([MOLENBEEK, "{ods}", "-o", "-"], "n'est pas lu"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, activities: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ods = tmp_path / "donnees.ods"
    ods.write_bytes(b"PK")
    argv = ["rapport", *(a.format(csv=activities, ods=ods) for a in args)]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "r.html")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_plan_errors_are_shown_and_exit_2(
    tmp_path: Path, activities: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "faux.plan"
    plan.write_text(
        "plan « Faux »\npériode 2023\nniveaux « axe »\naxe « A »\n  indicateur x « X »\n    nombre(inconnu) >= 2\n"
    )
    out = tmp_path / "r.html"
    assert main(["rapport", str(plan), str(activities), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{plan}:6:" in err and "erreur[" in err
    assert not out.exists()


def test_unknown_format_is_a_usage_error(activities: Path) -> None:
    assert main(["rapport", MOLENBEEK, str(activities), "--format", "pdf", "-o", "-"]) == 2


def test_parse_day_and_year() -> None:
    assert parse_day("30/06/2023") == dt.date(2023, 6, 30)
    assert parse_day("1.7.2023") == dt.date(2023, 7, 1)
    assert parse_day(" 2023-06-30 ") == dt.date(2023, 6, 30)
    assert parse_year("2024") == 2024


# ---------------------------------------------------------------------------- --moteur


def test_engine_duckdb_gives_the_python_report(activities: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_sql_helpers import need_duckdb

    need_duckdb()
    argv = ["rapport", MOLENBEEK, str(activities), "--format", "markdown", "--au", "2023-06-30"]
    assert main(argv) == 0
    python = capsys.readouterr().out
    assert main([*argv, "--moteur", "duckdb"]) == 0
    assert capsys.readouterr().out == python
    assert main([*argv, "--engine", "duckdb", "--periode", "2023"]) == 0
    assert re.search(r"\| \S*activites\.csv \| 6 \| 4 \| 1 \| 1 \|", capsys.readouterr().out)


def test_engine_duckdb_reads_parquet_from_the_command_line(
    activities: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parquet is DuckDB's to read: the command does not first open it with the Python readers."""
    from test_sql_helpers import need_duckdb

    duckdb = need_duckdb()
    parquet = tmp_path / "activites.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{activities}', all_varchar=true, header=true)) TO '{parquet}' (FORMAT parquet)"
    )
    argv = ["rapport", MOLENBEEK, "--format", "markdown", "--au", "2023-06-30", "--moteur", "duckdb"]
    assert main([*argv[:2], str(activities), *argv[2:]]) == 0
    from_csv = capsys.readouterr().out
    assert main([*argv[:2], str(parquet), *argv[2:]]) == 0
    from_parquet = capsys.readouterr().out
    assert "activites.parquet" in from_parquet

    # The same verdicts; the Parquet copy has no blank row, so the rows are numbered otherwise.
    def verdicts(report: str) -> str:
        return report.split("## Résumé")[1].split("## Lignes rejetées")[0]

    assert verdicts(from_parquet) == verdicts(from_csv)
    assert "## Lignes rejetées (1)" in from_parquet
    assert main([*argv[:2], str(tmp_path / "absent.parquet"), *argv[2:]]) == 2
    assert "absent.parquet : fichier introuvable" in capsys.readouterr().err


def test_engine_sql_reads_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_sql_helpers import need

    sa = need("sqlalchemy")
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE activites (type TEXT, date TEXT, participants INTEGER)"))
        conn.execute(
            sa.text("INSERT INTO activites VALUES (:t, :d, :p)"),
            [
                {"t": "formation", "d": "2023-03-01", "p": 4},
                {"t": "formation", "d": "01/04/2023", "p": 3},
                {"t": "formation", "d": "31/02/2023", "p": 2},  # rejected: no such day
            ],
        )
    engine.dispose()
    out = tmp_path / "rapport.md"
    argv = ["rapport", MOLENBEEK, url, "--moteur", "sql", "--table", "activites", "--au", "2023-06-30"]
    assert main([*argv, "--format", "markdown", "-o", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert re.search(r"\| activites \| 3 \| 2 \| 0 \| 1 \|", report)
    assert "31/02/2023" in report
    assert "rapport écrit" in capsys.readouterr().out


def test_engine_sql_needs_a_table_or_a_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_sql_helpers import need

    need("sqlalchemy")
    argv = ["rapport", MOLENBEEK, "sqlite://", "--moteur", "sql", "--format", "markdown"]
    assert main(argv) == 2
    assert "--table ou --requete" in capsys.readouterr().err
