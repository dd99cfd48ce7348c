"""The file readers on damaged input, judged through `indicateurs.evaluate`: every row is
accounted for (read = used + ignored + rejected), and each rejection names its row as a
spreadsheet shows it and the reason."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import indicateurs
from indicateurs import Status
from indicateurs.events import RowProblem, SkippedRow
from indicateurs.sources import (
    SourceError,
    SourceWarning,
    open_file_source,
    read_csv,
    read_jsonl,
    read_xlsx,
)

AS_OF = dt.date(2024, 1, 15)

PLAN = """
plan « Essai des lecteurs »
période 2023
événement formation « Formation »
    participants : entier
    public : texte optionnel
événement concertation « Réunion »
    instance : csil | autre
indicateur formations « Formations : >= 2 par an »
    nombre(formation) >= 2 par an
indicateur personnes « Personnes formées : >= 5 par an »
    somme(formation.participants) >= 5 par an
indicateur csil « CSIL : >= 1 par an »
    nombre(concertation où instance = csil) >= 1 par an
"""

HEADER = ["date", "type", "participants", "public"]
GOOD = [
    ["01/03/2023", "formation", "12", "Enseignants"],
    ["2023-04-05", "formation", "3", ""],
    ["45000", "formation", "1", "Éducateurs"],  # Excel serial: 15/03/2023
]


def evaluate(source: Any) -> indicateurs.PlanResult:
    result = indicateurs.evaluate(PLAN, source, as_of=AS_OF)
    for report in result.sources:
        assert report.read == report.used + report.ignored + report.rejected
    return result


def counts(result: indicateurs.PlanResult) -> tuple[int, int, int, int]:
    return result.read, result.used, result.ignored, result.rejected


def rejected(result: indicateurs.PlanResult) -> list[tuple[int, str]]:
    return [(r.row, r.code) for r in result.rejections]


def ignored(result: indicateurs.PlanResult) -> dict[str, int]:
    out: dict[str, int] = {}
    for report in result.sources:
        for reason, n in report.ignored_reasons:
            out[reason] = out.get(reason, 0) + n
    return out


def write_text(path: Path, lines: list[str], delimiter: str = ";", encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(line.replace(";", delimiter) + "\r\n" for line in lines).encode(encoding))
    return path


def csv_lines(rows: list[list[str]], header: list[str] = HEADER) -> list[str]:
    return [";".join(header)] + [";".join(r) for r in rows]


# ---------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = write_text(tmp_path / "a.csv", csv_lines(GOOD), delimiter)
    source = read_csv(path)
    assert source.delimiter == delimiter
    result = evaluate(source)
    assert counts(result) == (3, 3, 0, 0)
    assert result.indicator("personnes").value == 16


def test_semicolon_file_with_decimal_commas_is_not_taken_for_commas(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a.csv",
        ["date;type;participants;durée", "01/03/2023;formation;12;1,5", "02/03/2023;formation;3;2,25"],
    )
    assert read_csv(path).delimiter == ";"


def test_declared_delimiter_wins(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", ["date,type;participants", "01/03/2023,formation;2"])
    with pytest.warns(SourceWarning, match="aucune colonne ne donne le type"):
        rows = list(read_csv(path, delimiter=",").rows())
    assert rows == [(2, {"date": "01/03/2023", "type;participants": "formation;2"})]


# ---------------------------------------------------------------------------- encodings


def test_cp1252_file_is_detected(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a.csv",
        ["Date;Type;Public;participants", "01/03/2023;formation;Éducateurs de rue — Molenbeek;12"],
        encoding="cp1252",
    )
    source = read_csv(path)
    assert source.encoding == "cp1252"
    (number, record), *_ = list(source.rows())
    assert number == 2
    assert record == {
        "date": "01/03/2023",
        "type": "formation",
        "Public": "Éducateurs de rue — Molenbeek",
        "participants": "12",
    }


def test_cp1252_file_with_mapping_matches_accented_columns(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a.csv",
        [
            "Date de l'activité;Type d'activité;Nombre de participants",
            "01/03/2023;Séance;12",
            "02/03/2023;Séance;3",
        ],
        encoding="cp1252",
    )
    mapping = {
        "colonnes": {
            "Date de l'activité": "date",
            "Type d'activité": "type",
            "Nombre de participants": "participants",
        },
        "valeurs": {"type": {"séance": "formation"}},
    }
    result = evaluate(read_csv(path, mapping=mapping))
    assert counts(result) == (2, 2, 0, 0)
    assert result.indicator("formations").status is Status.MET


def test_utf8_with_bom_header_is_clean(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", csv_lines(GOOD), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    source = read_csv(path)
    assert source.encoding == "utf-8-sig"
    result = evaluate(source)
    assert counts(result) == (3, 3, 0, 0)  # the first column is `date`, not `\ufeffdate`


def test_utf8_with_bom_and_declared_utf8(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", csv_lines(GOOD), encoding="utf-8-sig")
    assert counts(evaluate(read_csv(path, encoding="utf-8"))) == (3, 3, 0, 0)


def test_utf8_without_bom(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", csv_lines(GOOD), encoding="utf-8")
    source = read_csv(path)
    assert source.encoding == "utf-8-sig"  # reads a BOM if there is one, harmless otherwise
    rows = list(source.rows())
    assert rows[2][1]["public"] == "Éducateurs"  # type: ignore[index]


def test_excel_unicode_text_utf16_tab(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.txt", csv_lines(GOOD), delimiter="\t", encoding="utf-16")
    source = open_file_source(path)
    assert source.delimiter == "\t"  # type: ignore[attr-defined]
    assert counts(evaluate(source)) == (3, 3, 0, 0)


def test_bytes_that_do_not_decode_reject_their_row_only(tmp_path: Path) -> None:
    data = "\r\n".join(csv_lines(GOOD)).encode("utf-8") + b"\r\n02/05/2023;formation;4;Educ\xe9\r\n"
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    result = evaluate(read_csv(path, encoding="utf-8"))
    assert counts(result) == (4, 3, 0, 1)
    assert rejected(result) == [(5, "encodage")]


def test_declared_encoding_in_the_mapping(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a.csv", csv_lines([["01/03/2023", "formation", "2", "Élèves"]]), encoding="cp1252"
    )
    source = read_csv(path, mapping={"fichier": {"encoding": "latin-1", "delimiter": ";"}})
    assert source.encoding == "iso8859-1"
    assert next(iter(source.rows()))[1]["public"] == "Élèves"  # type: ignore[index]


# ---------------------------------------------------------------------------- damaged rows


def test_truncated_file_cut_in_the_middle_of_a_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\r\n".join(csv_lines(GOOD)) + "\r\n05/05/2023;forma", encoding="utf-8")
    result = evaluate(read_csv(path))
    assert counts(result) == (4, 3, 0, 1)
    assert rejected(result) == [(5, "ligne_tronquee")]
    assert result.rejections[0].value == "2 colonnes sur 4"


def test_short_and_long_rows(tmp_path: Path) -> None:
    lines = [
        *csv_lines(GOOD),
        "01/06/2023;formation;4",  # one cell missing
        "02/06/2023;formation;4;Élus;en trop",  # one cell too many
        "03/06/2023;formation;4;Élus;;",  # empty cells past the header: harmless
    ]
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    assert counts(result) == (6, 4, 0, 2)
    assert rejected(result) == [(5, "ligne_tronquee"), (6, "colonnes_en_trop")]


def test_unclosed_quote_is_reported_not_silently_swallowed(tmp_path: Path) -> None:
    lines = [*csv_lines(GOOD), '01/06/2023;"formation;4;x', "02/06/2023;formation;4;x"]
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    assert rejected(result) == [(5, "ligne_tronquee")]
    assert "guillemet non fermé" in (result.rejections[0].value or "")


def test_unclosed_quote_in_a_large_file_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [*csv_lines(GOOD[:1]), '01/06/2023;"formation;4;x'] + ["02/06/2023;formation;1;x"] * 20_000
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    assert result.rejections[0].row == 3
    assert result.rejections[0].code == "ligne_illisible"
    assert "guillemet non fermé" in (result.rejections[0].value or "")
    assert result.used > 1  # the rows after the damage are read again


def test_a_cell_on_several_lines_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        'date;type;participants;public\r\n01/03/2023;formation;2;"Ligne 1\r\nLigne 2"\r\n'
        "31/02/2023;formation;2;x\r\n",
        encoding="utf-8",
    )
    result = evaluate(read_csv(path))
    assert rejected(result) == [(3, "date_invalide")]  # the spreadsheet's row 3, the file's line 4


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    result = evaluate(read_csv(path))
    assert counts(result) == (0, 0, 0, 0)
    assert result.indicator("formations").status is Status.NO_DATA


@pytest.mark.parametrize(
    "content", [b"date;type;participants", b"date;type;participants\r\n", b"\r\n\r\ndate;type\r\n\r\n"]
)
def test_header_only(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "entete.csv"
    path.write_bytes(content)
    assert counts(evaluate(read_csv(path))) == (0, 0, 0, 0)


def test_duplicate_column_names_keep_both_and_warn(tmp_path: Path) -> None:
    lines = ["date;type;participants;participants", "01/03/2023;formation;12;99", "02/03/2023;formation;3;"]
    source = read_csv(write_text(tmp_path / "a.csv", lines))
    with pytest.warns(SourceWarning, match=r"colonnes 3 « participants » et 4 « participants »"):
        rows = list(source.rows())
    assert rows[0] == (
        2,
        {"date": "01/03/2023", "type": "formation", "participants": "12", "participants (2)": "99"},
    )
    assert any("participants (2)" in w for w in source.warnings)
    with pytest.warns(SourceWarning):
        result = evaluate(source)
    assert result.indicator("personnes").value == 15  # the first column counts, never silently the last


def test_blank_lines_are_counted_as_ignored(tmp_path: Path) -> None:
    lines = ["", "", *csv_lines(GOOD[:1]), "", ";;;", GOOD[1][0] + ";" + ";".join(GOOD[1][1:]), "   ", "", ""]
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    # header on row 3, data on rows 4 and 7, blank rows 5 and 6; blank rows at the end are no rows
    assert counts(result) == (4, 2, 2, 0)
    assert ignored(result) == {"ligne_vide": 2}
    rows = list(read_csv(tmp_path / "a.csv").rows())
    assert [n for n, _ in rows] == [4, 5, 6, 7]
    assert isinstance(rows[1][1], SkippedRow) and rows[1][1].reason == "ligne_vide"


def test_date_in_the_wrong_century(tmp_path: Path) -> None:
    lines = csv_lines([*GOOD, ["15/03/1923", "formation", "4", ""], ["15/03/2123", "formation", "4", ""]])
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    assert rejected(result) == [(5, "date_improbable"), (6, "date_improbable")]
    assert "erreur de siècle" in result.rejections[0].message


def test_date_forms_dd_mm_yyyy_iso_and_excel_serial(tmp_path: Path) -> None:
    lines = csv_lines([*GOOD, ["31/02/2023", "formation", "1", ""], ["le 3 mars", "formation", "1", ""]])
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    assert counts(result) == (5, 3, 0, 2)
    assert rejected(result) == [(5, "date_invalide"), (6, "date_invalide")]
    evidence = result.indicator("formations").evidence.items
    assert [e.date for e in evidence] == [dt.date(2023, 3, 1), dt.date(2023, 4, 5), dt.date(2023, 3, 15)]


def test_date_format_of_the_mapping(tmp_path: Path) -> None:
    lines = csv_lines([["03/15/2023", "formation", "2", ""], ["15/03/2023", "formation", "2", ""]])
    mapping = {"fichier": {"format_date": "%m/%d/%Y"}}
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines), mapping=mapping))
    assert counts(result) == (2, 1, 0, 1)
    assert rejected(result) == [(3, "date_invalide")]  # not silently read as 15 March
    assert result.indicator("formations").evidence.items[0].date == dt.date(2023, 3, 15)


def test_field_errors_name_the_row(tmp_path: Path) -> None:
    lines = csv_lines(
        [
            *GOOD,
            ["01/05/2023", "formation", "douze", ""],
            ["01/05/2023", "formaton", "2", ""],
            ["", "formation", "2", ""],
            ["01/05/2023", "", "2", ""],
            ["01/05/2023", "formation", "", ""],
        ]
    )
    result = evaluate(read_csv(write_text(tmp_path / "a.csv", lines)))
    assert rejected(result) == [
        (5, "entier_invalide"),
        (6, "type_inconnu"),
        (7, "date_manquante"),
        (8, "type_manquant"),
        (9, "champ_manquant"),
    ]


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        read_csv("nulle-part.csv")


# ---------------------------------------------------------------------------- JSONL


def test_jsonl_invalid_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"date": "2023-03-01", "type": "formation", "participants": 12}),
        '{"date": "2023-03-02", "type": "formation", "participants": 3',  # cut
        "",
        '["2023-03-03", "formation", 3]',
        "42",
        "null",
        "{'date': '2023-03-04'}",
        json.dumps({"date": "2023-03-05", "type": "formation", "participants": "douze"}),
        json.dumps({"date": "2023-03-06", "type": "concertation", "instance": "csil"}),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    result = evaluate(read_jsonl(path))
    assert counts(result) == (9, 2, 1, 6)
    assert rejected(result) == [
        (2, "json_invalide"),
        (4, "json_invalide"),
        (5, "json_invalide"),
        (6, "json_invalide"),
        (7, "json_invalide"),
        (8, "entier_invalide"),
    ]
    details = [r.value for r in result.rejections]
    assert details[0] == "virgule attendue (caractère 63)"
    assert details[1] == "un objet {…} est attendu, pas une liste"
    assert details[2] == "un objet {…} est attendu, pas un nombre"
    assert details[4] == "nom de propriété entre guillemets doubles attendu (caractère 2)"
    assert "JSON invalide" in result.rejections[0].message
    assert ignored(result) == {"ligne_vide": 1}


def test_jsonl_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"Date": "2023-03-01", "Activité": "Réunion CSIL", "Instance": "CSIL"},
                {"Date": "2023-03-02", "Activité": "Réunion d'équipe"},
                {"Date": "2023-03-03", "Activité": "Formation", "Nb": 7},
            ]
        ),
        encoding="utf-8",
    )
    mapping = {
        "colonnes": {"activite": "type", "nb": "participants"},
        "valeurs": {"type": {"Réunion CSIL": "concertation"}, "instance": {"csil": "csil"}},
        "types": {"ignorer": ["Réunion d'équipe"]},
    }
    result = evaluate(open_file_source(path, mapping=mapping))
    assert counts(result) == (3, 2, 1, 0)
    assert ignored(result) == {"ignore_par_correspondance": 1}
    assert result.indicator("csil").status is Status.MET


# ---------------------------------------------------------------------------- XLSX


def _workbook(path: Path, rows: list[list[Any]], title: str = "Feuil1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def test_xlsx_merged_cells_are_not_filled_down(tmp_path: Path) -> None:
    """A type cell merged over three rows: openpyxl gives its value to the first row only.
    The two rows below have no type and are rejected at their own row numbers; no guess."""
    path = tmp_path / "fusion.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Date", "Type", "Participants"])
    ws.append([dt.datetime(2023, 3, 1), "formation", 4])
    ws.append([dt.datetime(2023, 3, 2), None, 5])
    ws.append([dt.datetime(2023, 3, 3), None, 6])
    ws.append([dt.datetime(2023, 3, 4), "concertation", None])
    ws.merge_cells("B2:B4")
    ws.merge_cells("A5:C5")  # a merged row: the date only, in its top-left cell
    wb.save(path)
    mapping = {"colonnes": {"participants": "participants"}}
    result = evaluate(read_xlsx(path, mapping=mapping))
    assert counts(result) == (4, 1, 0, 3)
    assert rejected(result) == [(3, "type_manquant"), (4, "type_manquant"), (5, "type_manquant")]
    assert result.indicator("personnes").value == 4


def test_xlsx_header_detection_and_row_numbers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        [
            [],
            [None, None],
            ["Date", "Type", "participants", "Public"],  # row 3
            [dt.datetime(2023, 3, 1), "formation", 12, "Élus"],
            [],  # row 5: blank
            ["01/04/2023", "formation", 2, None],  # row 6: a date typed as text
            [45000, "formation", 1],  # row 7: a serial number, no date format
            [dt.datetime(1923, 3, 15), "formation", 1],  # row 8: wrong century
            ["2023-02-31", "formation", 1],  # row 9
            [dt.datetime(2023, 5, 1), "formation", "douze"],  # row 10
        ],
    )
    result = evaluate(read_xlsx(path))
    assert counts(result) == (7, 3, 1, 3)
    assert rejected(result) == [(8, "date_improbable"), (9, "date_invalide"), (10, "entier_invalide")]
    assert ignored(result) == {"ligne_vide": 1}
    assert result.indicator("personnes").value == 15


def test_xlsx_trailing_formatted_rows_are_not_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["date", "type", "participants"])
    ws.append([dt.datetime(2023, 3, 1), "formation", 12])
    ws.cell(row=40, column=8).number_format = "0.00"  # formatting far below the data
    wb.save(path)
    assert counts(evaluate(read_xlsx(path))) == (1, 1, 0, 0)


def test_xlsx_cells_beyond_the_header(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        [
            ["date", "type", "participants"],
            [dt.datetime(2023, 3, 1), "formation", 12, None, "note sans colonne"],
            [dt.datetime(2023, 3, 2), "formation"],
        ],
    )
    result = evaluate(read_xlsx(path))
    assert rejected(result) == [(2, "colonnes_en_trop"), (3, "champ_manquant")]


def test_xlsx_sheet_named_in_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Consignes"
    wb.active.append(["Remplir la feuille Activités"])
    ws = wb.create_sheet("Activités")
    ws.append(["date", "type", "participants"])
    ws.append([dt.datetime(2023, 3, 1), "formation", 12])
    wb.save(path)
    source = read_xlsx(path, mapping={"fichier": {"feuille": "ACTIVITES"}})
    assert source.sheet == "Activités"
    assert counts(evaluate(source)) == (1, 1, 0, 0)
    with pytest.raises(SourceError, match=r"pas de feuille « Bilan ».*« Consignes », « Activités »"):
        read_xlsx(path, sheet="Bilan")
    with pytest.warns(SourceWarning, match="aucune colonne ne donne"):
        assert counts(evaluate(read_xlsx(path))) == (0, 0, 0, 0)  # the first sheet has one line: a header


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "faux.xlsx"
    path.write_text("date;type\n", encoding="utf-8")
    with pytest.raises(SourceError, match="n'est pas un classeur Excel"):
        read_xlsx(path)


# ---------------------------------------------------------------------------- by extension


def test_open_file_source_by_extension(tmp_path: Path) -> None:
    csv_path = write_text(tmp_path / "a.TSV", csv_lines(GOOD), delimiter="\t")
    xlsx_path = _workbook(tmp_path / "a.xlsx", [HEADER, [dt.datetime(2023, 3, 1), "formation", 3]])
    jsonl_path = tmp_path / "a.jsonl"
    jsonl_path.write_text(json.dumps({"date": "2023-03-01", "type": "formation", "participants": 3}), "utf-8")
    result = evaluate([csv_path, str(xlsx_path), jsonl_path])
    assert [s.read for s in result.sources] == [3, 1, 1]
    assert counts(result) == (5, 5, 0, 0)
    for bad, message in (
        ("a.xls", "enregistrez le fichier au format .xlsx"),
        ("a.pdf", "extension « .pdf » inconnue"),
    ):
        (tmp_path / bad).write_bytes(b"")
        with pytest.raises(SourceError, match=message):
            open_file_source(tmp_path / bad)


def test_evaluate_passes_the_mapping_to_file_paths(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a.csv", ["Quand;Quoi;Combien", "01/03/2023;Atelier;7", "02/03/2023;Atelier;1"]
    )
    mapping = tmp_path / "c.toml"
    mapping.write_text(
        '[colonnes]\nquand = "date"\nquoi = "type"\ncombien = "participants"\n[valeurs.type]\natelier = "formation"\n',
        encoding="utf-8",
    )
    result = indicateurs.evaluate(PLAN, path, mapping=mapping, as_of=AS_OF)
    assert counts(result) == (2, 2, 0, 0)
    assert result.indicator("personnes").value == 8


def test_sources_are_re_iterable(tmp_path: Path) -> None:
    source = read_csv(write_text(tmp_path / "a.csv", csv_lines(GOOD)))
    assert list(source.rows()) == list(source.rows())


def test_row_problems_are_plain_values(tmp_path: Path) -> None:
    source = read_csv(write_text(tmp_path / "a.csv", [*csv_lines(GOOD), "x"]))
    assert list(source.rows())[-1] == (5, RowProblem("ligne_tronquee", "1 colonnes sur 4"))


# ---------------------------------------------------------------------------- streaming


def test_reading_a_large_csv_does_not_hold_rows(tmp_path: Path) -> None:
    path = tmp_path / "grand.csv"
    rows = 200_000
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Date de l'activité;Type d'activité;Participants;Public\r\n")
        chunk = [
            f"{d % 28 + 1:02d}/{d % 12 + 1:02d}/2023;Formation collective;{d % 30};Public {d % 7}\r\n"
            for d in range(1000)
        ]
        for _ in range(rows // 1000):
            f.write("".join(chunk))
    assert path.stat().st_size > 8_000_000
    mapping = {
        "colonnes": {"Date de l'activité": "date", "Type d'activité": "type", "Participants": "participants"},
        "valeurs": {"type": {"Formation collective": "formation"}},
    }
    tracemalloc.start()
    try:
        start = time.perf_counter()
        source = read_csv(path, mapping=mapping)
        n = 0
        last = 0
        for number, record in source.rows():
            n += 1
            last = number
            assert not isinstance(record, RowProblem | SkippedRow)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (n, last) == (rows, rows + 1)
    assert peak < 3_000_000, f"pic mémoire {peak} octets"
    assert elapsed < 60


# ---------------------------------------------------------------------------- row numbering, shared


def _kinds(rows: list[Any]) -> list[tuple[int, Any]]:
    """Each row as (number, record or reason) for comparisons across readers."""
    out: list[tuple[int, Any]] = []
    for number, item in rows:
        reason = getattr(item, "reason", None) or getattr(item, "code", None)
        out.append((number, reason if reason is not None else dict(item)))
    return out


def test_csv_and_xlsx_number_rows_alike_and_jsonl_by_line(tmp_path: Path) -> None:
    """Leading blank rows, the header, blank rows between data rows, a row with a value past the
    header, blank rows at the end: one numbering for the CSV and XLSX readers, as a spreadsheet
    shows it; JSON Lines has no header and numbers its lines."""
    table: list[list[str]] = [
        [],  # 1
        ["date", "type", "participants", "public"],  # 2: the header
        ["2023-03-01", "formation", "12", "Élus"],  # 3
        [],  # 4: ignored
        ["", "", "", ""],  # 5: ignored
        ["2023-03-02", "formation", "2", ""],  # 6
        ["2023-03-03", "formation", "1", "", "note"],  # 7: a value past the header
        [],  # 8: the end of the file, not a row
    ]
    first = {"date": "2023-03-01", "type": "formation", "participants": "12", "public": "Élus"}
    second = {"date": "2023-03-02", "type": "formation", "participants": "2", "public": ""}
    expected = [(3, first), (4, "ligne_vide"), (5, "ligne_vide"), (6, second), (7, "colonnes_en_trop")]
    csv_path = write_text(tmp_path / "a.csv", [";".join(row) for row in table])
    xlsx_path = _workbook(tmp_path / "a.xlsx", [[cell or None for cell in row] for row in table])
    assert _kinds(list(read_csv(csv_path).rows())) == expected
    assert _kinds(list(read_xlsx(xlsx_path).rows())) == [
        (n, {k: (v or None) for k, v in item.items()} if isinstance(item, dict) else item)
        for n, item in expected
    ]  # a workbook's empty cells are None
    lines = ["", json.dumps(first), "", "  ", json.dumps(second), "", ""]
    jsonl_path = tmp_path / "a.jsonl"
    jsonl_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _kinds(list(read_jsonl(jsonl_path).rows())) == [
        (1, "ligne_vide"),
        (2, first),
        (3, "ligne_vide"),
        (4, "ligne_vide"),
        (5, second),
    ]


def test_csv_rows_with_an_empty_first_cell_are_data_rows(tmp_path: Path) -> None:
    """A blank row is one whose cells are all blank, whatever its first cell says."""
    lines = [
        "id;date;type;participants",
        ";2023-03-01;formation;4",
        "  ;2023-03-02;formation;5",
        " ; ;\t; ",
        "x;2023-03-03;formation;6",
    ]
    rows = _kinds(list(read_csv(write_text(tmp_path / "a.csv", lines)).rows()))
    assert [(n, item if isinstance(item, str) else item["participants"]) for n, item in rows] == [
        (2, "4"),
        (3, "5"),
        (4, "ligne_vide"),
        (5, "6"),
    ]
    assert rows[1][1]["id"] == "  "  # cells are given as written


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_header_warnings_point_at_the_line_that_reads_the_source(tmp_path: Path, suffix: str) -> None:
    table = [["type", "date", "type"], ["formation", "2023-03-01", "x"]]
    if suffix == ".csv":
        path = write_text(tmp_path / "a.csv", [";".join(row) for row in table])
    else:
        path = _workbook(tmp_path / "a.xlsx", table)
    source = open_file_source(path)
    with pytest.warns(SourceWarning, match="donnent toutes deux « type »") as caught:
        rows = list(source.rows())
    assert [Path(w.filename).name for w in caught] == [Path(__file__).name]
    assert rows == [(2, {"type": "formation", "date": "2023-03-01", "type (2)": "x"})]
    assert len(source.warnings) == 1


_CELL = st.text(alphabet="ab \t", max_size=3)


@pytest.mark.filterwarnings("ignore::indicateurs.sources.SourceWarning")  # headers without type or date
@given(
    lead=st.integers(0, 2),
    width=st.integers(1, 4),
    grid=st.lists(st.lists(_CELL, min_size=1, max_size=6), max_size=12),
)
def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(
    lead: int, width: int, grid: list[list[str]]
) -> None:
    """Any layout of blank, short, long and ordinary rows: each row keeps its line number; blank
    rows count as ignored only before a data row; short rows are truncated, long rows with a
    value past the header have too many columns, empty cells past the header are dropped."""
    names = [f"c{i}" for i in range(width)]
    lines = [""] * lead + [";".join(names)] + [";".join(row) for row in grid]
    expected: list[tuple[int, Any]] = []
    waiting: list[int] = []
    for number, row in enumerate(grid, start=lead + 2):
        if not "".join(row).strip():
            waiting.append(number)
            continue
        expected += [(n, "ligne_vide") for n in waiting]
        waiting = []
        if len(row) < width:
            expected.append((number, "ligne_tronquee"))
        elif "".join(row[width:]).strip():
            expected.append((number, "colonnes_en_trop"))
        else:
            expected.append((number, dict(zip(names, row[:width], strict=False))))
    with tempfile.TemporaryDirectory() as folder:
        path = write_text(Path(folder) / "a.csv", lines)
        assert _kinds(list(read_csv(path, delimiter=";").rows())) == expected


def test_xlsx_numbers_shown_in_percent_come_as_percent_cells(tmp_path: Path) -> None:
    """Only a number whose format shows it in percent is marked; texts, dates, other numbers and
    a number with a quoted `%` come as stored, and empty cells stay None."""
    from indicateurs.convert import PercentCell

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["type", "date", "valeur", "note"])
    sheet.append(["sentiment", dt.date(2023, 5, 1), 0.66, "66 %"])
    sheet.append(["sentiment", dt.date(2024, 5, 1), 12, None])
    sheet.append(["sentiment", dt.date(2024, 6, 1), 70, 0.5])
    sheet["C2"].number_format = "0%"
    sheet["D2"].number_format = "0%"  # a text in a percent-formatted cell stays its text
    sheet["C3"].number_format = "0.00"
    sheet["C4"].number_format = '0" %"'
    sheet["D4"].number_format = "0.0%"
    sheet["B2"].number_format = "dd/mm/yyyy"
    workbook.save(tmp_path / "p.xlsx")
    rows = list(read_xlsx(tmp_path / "p.xlsx").rows())
    values = [(n, r["valeur"], r["note"]) for n, r in rows]
    assert values == [(2, 0.66, "66 %"), (3, 12, None), (4, 70, 0.5)]
    assert [type(v).__name__ for _, v, _ in values] == ["PercentCell", "int", "int"]
    assert isinstance(values[2][2], PercentCell) and str(values[2][2]) == "50 %"
    assert rows[0][1]["date"] == dt.datetime(2023, 5, 1)
