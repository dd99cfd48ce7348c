"""Cells of measured values written with a percent sign (issue 8): `66 %`, `66%`, `66,5 %`,
`66 %` with a no-break space.

The rule: the plan's declaration says what a number means. In a value declared `en %`, a number
is a number of percent, with or without its sign (`66 %` and `66` are both 66 %, compared with a
target of `65 %` as 0.66); a bare `0,5` is 0,5 % as declared. In any other decimal field a
percent sign is refused, row by row, with its reason: the plan does not say whether `75 %` of a
score out of ten is 0.75 or 75, and the officer is told to declare the value `en %` or to write
the number.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import indicateurs
from indicateurs.convert import ConversionError, FieldError, field_converter, field_reader
from indicateurs.model import FieldDecl, FieldKind
from indicateurs.results import PlanResult, Status
from indicateurs.row_messages import row_message
from indicateurs.sources import read_csv, read_jsonl, read_xlsx

PLAN = """\
plan « Enquêtes »
période 2021 à 2024
valeur mesurée sentiment « Habitants qui se sentent en sécurité » en %
valeur mesurée score « Score de propreté (0 à 10) »

indicateur sentiment_securite « 65 % des habitants se sentent en sécurité »
  dernier(sentiment) >= 65 % par an
indicateur score_proprete « Score de propreté d'au moins 7 »
  dernier(score) au moins 7 par an
"""

NBSP, NNBSP = "\u00a0", "\u202f"
# (date, type, cell): the survey in every spelling, and a score written in percent (row 7).
ROWS = [
    ("2021-05-01", "sentiment", "66 %"),
    ("2022-05-01", "sentiment", "64,5%"),
    ("2023-05-01", "sentiment", f"70{NBSP}%"),
    ("2024-05-01", "sentiment", "63"),
    ("2023-03-01", "score", "7,5"),
    ("2024-03-01", "score", "75 %"),
]
AS_OF = dt.date(2025, 1, 15)


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    path = tmp_path / "enquetes.plan"
    path.write_text(PLAN, encoding="utf-8")
    return path


def write_csv(folder: Path) -> Path:
    path = folder / "mesures.csv"
    lines = ["type;date;valeur"] + [f"{kind};{date};{cell}" for date, kind, cell in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(folder: Path) -> Path:
    path = folder / "mesures.jsonl"
    lines = [
        json.dumps({"type": kind, "date": date, "valeur": cell}, ensure_ascii=False)
        for date, kind, cell in ROWS
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(folder: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["type", "date", "valeur"])
    for date, kind, cell in ROWS:
        sheet.append([kind, dt.date.fromisoformat(date), cell])
    path = folder / "mesures.xlsx"
    workbook.save(path)
    return path


def check(result: PlanResult, row: int = 7) -> None:
    """`row`: the rejected score's row number, as the file shows it (a header line, or none)."""
    survey = result.indicator("sentiment_securite")
    # 66 %, 64,5 %, 70 %, 63 %: against 65 %, met, not met, met, not met.
    assert [p.value for p in survey.periods] == pytest.approx([0.66, 0.645, 0.70, 0.63])
    assert [p.status for p in survey.periods] == [Status.MET, Status.NOT_MET, Status.MET, Status.NOT_MET]
    score = result.indicator("score_proprete")
    assert [p.value for p in score.periods] == [None, None, 7.5, None]  # 2024: its row is rejected
    assert [p.status for p in score.periods][2:] == [Status.MET, Status.NO_DATA]
    (rejection,) = result.rejections
    assert (rejection.row, rejection.code, rejection.field, rejection.value) == (
        row,
        "pourcentage_non_declare",
        "valeur",
        "75 %",
    )
    assert result.read == 6 and result.used == 5 and result.rejected == 1


@pytest.mark.parametrize("write", [write_csv, write_jsonl, write_xlsx], ids=["csv", "jsonl", "xlsx"])
def test_percent_cells_in_every_file_format(plan_path: Path, tmp_path: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path)
    reader = {".csv": read_csv, ".jsonl": read_jsonl, ".xlsx": read_xlsx}[path.suffix]
    # The sixth record: line 7 under a header (CSV, the workbook), line 6 of the JSON Lines.
    check(indicateurs.evaluate(plan_path, reader(path), as_of=AS_OF), 6 if path.suffix == ".jsonl" else 7)


def test_numbers_in_a_workbook_follow_the_declared_unit(plan_path: Path, tmp_path: Path) -> None:
    """Number cells (not text): 66 in a value declared in % is 66 %; 7.5 is a score of 7,5."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["type", "date", "valeur"])
    sheet.append(["sentiment", dt.date(2023, 5, 1), 66])
    sheet.append(["score", dt.date(2023, 3, 1), 7.5])
    workbook.save(tmp_path / "nombres.xlsx")
    result = indicateurs.evaluate(plan_path, read_xlsx(tmp_path / "nombres.xlsx"), as_of=AS_OF)
    assert result.indicator("sentiment_securite").periods[2].value == pytest.approx(0.66)
    assert result.indicator("score_proprete").periods[2].value == 7.5
    assert not result.rejections


def test_the_sql_engine_agrees(plan_path: Path, tmp_path: Path) -> None:
    """DuckDB does not settle `66 %` itself: it hands the row to the same Python rule."""
    pytest.importorskip("duckdb")
    from indicateurs.sql import evaluate_duckdb

    path = write_csv(tmp_path)
    by_files = indicateurs.evaluate(plan_path, read_csv(path), as_of=AS_OF)
    check(by_files)
    by_sql = evaluate_duckdb(plan_path, [path], as_of=AS_OF)
    assert by_sql.to_dict()["tree"] == by_files.to_dict()["tree"]
    assert [r.to_dict() for r in by_sql.rejections] == [r.to_dict() for r in by_files.rejections]


def test_the_reason_tells_what_to_do() -> None:
    fr = row_message("pourcentage_non_declare", "fr", field="valeur", value="75 %")
    en = row_message("pourcentage_non_declare", "en", field="valeur", value="75 %")
    assert fr.startswith(
        "« valeur » : « 75 % » est un pourcentage, mais le plan ne déclare pas ce champ en %"
    )
    assert "« en % »" in fr
    assert en.startswith("'valeur': '75 %' is a percentage, but the plan does not declare this field in %")


PERCENT = FieldDecl("valeur", FieldKind.DECIMAL, percent=True)
PLAIN = FieldDecl("valeur", FieldKind.DECIMAL)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("66", 66.0),
        ("66 %", 66.0),
        ("66%", 66.0),
        ("66,5 %", 66.5),
        ("66.5%", 66.5),
        (f"66{NBSP}%", 66.0),
        (f"66{NNBSP}%", 66.0),
        (" 66 % ", 66.0),
        ("0,5", 0.5),  # the declared unit: 0,5 %
        ("0,5 %", 0.5),
        (66, 66.0),
        (0.66, 0.66),
    ],
)
def test_a_value_declared_in_percent(cell: object, expected: float) -> None:
    assert field_converter(PERCENT)(cell) == expected


@pytest.mark.parametrize("cell", ["%", " % ", "66 %%", "% 66", "66 % 5", "soixante %"])
def test_what_is_not_a_percentage(cell: str) -> None:
    with pytest.raises(ConversionError) as caught:
        field_converter(PERCENT)(cell)
    assert caught.value.code == "decimal_invalide"


@pytest.mark.parametrize("cell", ["75 %", "75%", f"7,5{NBSP}%", "0 %"])
def test_a_percentage_where_the_plan_declares_none(cell: str) -> None:
    with pytest.raises(FieldError) as caught:
        field_reader(PLAIN)(cell)
    assert (caught.value.code, caught.value.field, caught.value.value) == (
        "pourcentage_non_declare",
        "valeur",
        cell,
    )
    assert field_converter(PLAIN)("7,5") == 7.5  # without its sign, the number is read


@given(
    number=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    comma=st.booleans(),
    space=st.sampled_from(["", " ", NBSP, NNBSP]),
)
def test_the_sign_never_changes_the_number(number: object, comma: bool, space: str) -> None:
    """In a value declared in %, `N %` is N whatever its spelling, and equal to `N` alone."""
    text = str(number).replace(".", ",") if comma else str(number)
    convert = field_converter(PERCENT)
    assert convert(f"{text}{space}%") == convert(text) == pytest.approx(float(str(number)))
    with pytest.raises(ConversionError):
        field_converter(PLAIN)(f"{text}{space}%")


def test_explanations_show_the_percent(plan_path: Path, tmp_path: Path) -> None:
    from indicateurs.explain import explain

    plan = indicateurs.load_plan(plan_path)
    path = write_csv(tmp_path)
    french = explain(plan, "sentiment_securite", [read_csv(path)], AS_OF, "fr").render("fr")
    assert f"compté (valeur = 66{NBSP}%)" in french and f"compté (valeur = 64,5{NBSP}%)" in french
    english = explain(plan, "sentiment_securite", [read_csv(path)], AS_OF, "en").render("en")
    assert "counted (valeur = 64.5%)" in english
    score = explain(plan, "score_proprete", [read_csv(path)], AS_OF, "fr").render("fr")
    (counted,) = [line for line in score.splitlines() if "compté (valeur = " in line]
    assert "%" not in counted  # a score is not in %: the number alone


# ---------------------------------------------------------------------------- Excel percent cells
#
# A number cell formatted in percent: Excel stores 0.66 and shows 66 %. In a value declared `en %`
# it is the 66 % the officer sees (not 0,66 %); in a decimal field not declared in % it is refused
# like the text `66 %`, with the percentage the officer sees in the message.


def write_percent_workbook(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["type", "date", "valeur"])
    for kind, day, value, number_format in (
        ("sentiment", dt.date(2021, 5, 1), 0.66, "0%"),  # shown 66 %
        ("sentiment", dt.date(2022, 5, 1), 0.645, "0.0%"),  # shown 64,5 %
        ("sentiment", dt.date(2023, 5, 1), 70, '0" %"'),  # the sign is literal text: 70 as written
        ("sentiment", dt.date(2024, 5, 1), 63, "General"),  # a bare 63: 63 % as declared
        ("score", dt.date(2023, 3, 1), 7.5, "0.0"),
        ("score", dt.date(2024, 3, 1), 0.75, "0%"),  # shown 75 %: a score is not declared in %
    ):
        sheet.append([kind, day, value])
        sheet.cell(row=sheet.max_row, column=3).number_format = number_format
    workbook.save(path)
    return path


def test_excel_percent_cells_are_the_percentage_shown(plan_path: Path, tmp_path: Path) -> None:
    path = write_percent_workbook(tmp_path / "pourcents.xlsx")
    result = indicateurs.evaluate(plan_path, read_xlsx(path), as_of=AS_OF)
    check(result)  # the same values as the text cells `66 %`, `64,5%`…: 0.66, 0.645, 0.70, 0.63


def test_read_only_mode_gives_the_number_format(tmp_path: Path) -> None:
    """The premise, checked on this openpyxl: in read-only mode a cell still has its format."""
    import openpyxl

    from indicateurs.sources.xlsx_source import percent_styles

    path = write_percent_workbook(tmp_path / "pourcents.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        assert sheet is not None
        formats = [row[2].number_format for row in sheet.iter_rows(min_row=2)]
        assert formats == ["0%", "0.0%", '0" %"', "General", "0.0", "0%"]
        percent = percent_styles(workbook)
        assert percent  # and each cell's style says whether it shows its number in percent
        shown = [row[2]._style_id in percent for row in sheet.iter_rows(min_row=2)]
        assert shown == [True, True, False, False, False, True]  # `0" %"`: a quoted sign, no ×100
    finally:
        workbook.close()
    plain = openpyxl.Workbook()
    assert plain.active is not None
    plain.active.append(["type", "date", "valeur"])
    plain.active.append(["sentiment", dt.date(2023, 5, 1), 0.5])
    plain.save(tmp_path / "sans.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "sans.xlsx", read_only=True, data_only=True)
    try:
        assert percent_styles(workbook) == frozenset()  # read by values, the quicker way
    finally:
        workbook.close()


@pytest.mark.parametrize(
    ("number_format", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%;[Red]-#,##0.0%", True),
        ("General", False),
        ("0.00", False),
        ('0" %"', False),  # a quoted sign is shown as written: no scaling
        ("0\\%", False),  # an escaped one too
        ("[Red]0.0", False),
        (None, False),
    ],
)
def test_which_number_formats_are_in_percent(number_format: str | None, percent: bool) -> None:
    from indicateurs.sources.xlsx_source import is_percent_format

    assert is_percent_format(number_format) is percent


def test_a_percent_cell_in_each_kind_of_field() -> None:
    from indicateurs.convert import PercentCell

    cell = PercentCell(0.645)
    assert field_converter(PERCENT)(cell) == 64.5
    with pytest.raises(FieldError) as caught:
        field_reader(PLAIN)(cell)
    assert caught.value.code == "pourcentage_non_declare" and str(caught.value.value) == "64.5 %"
    assert field_converter(FieldDecl("note", FieldKind.TEXT))(cell) == "64.5 %"  # as the officer sees it
    assert field_converter(FieldDecl("n", FieldKind.INTEGER))(PercentCell(1.0)) == 1
    assert cell == 0.645 and cell + 1 == pytest.approx(1.645)  # otherwise the number it stores
