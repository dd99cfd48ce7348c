"""The SQL engines against the Python evaluator: same result, rows accounted for alike.

SQLite (standard library), DuckDB (tables and files) and PostgreSQL (INDICATEURS_PG_URL; a
local cluster on 127.0.0.1:54329 by default) each evaluate the evaluator's own hand-computed
test plan, with bad rows mixed in, and must give exactly what `indicateurs.evaluate` gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import indicateurs
from indicateurs.sources import from_records
from test_evaluate import PLAN, records
from test_sql_helpers import (
    Table,
    assert_same,
    duckdb_engine,
    need,
    need_duckdb,
    pg_engine,
    sqlite_engine,
    write_csv,
)

AS_OF = dt.date(2024, 1, 31)
BAD_ROWS: list[dict[str, Any]] = [
    {"type": "formation", "date": "31/02/2023", "participants": "3"},
    {"type": "formation", "date": "2023-03-01", "participants": "douze"},
    {"type": "formaton", "date": "2023-03-01"},
    {"type": "suivi_ind", "date": "2023-03-01", "forme": "individuelle"},
    {"type": "suivi_ind", "date": "2023-03-01", "personne": "A", "forme": "collective"},
    {"type": "Formation", "date": "15/03/1923", "participants": "3"},
    {"type": "", "date": "2023-01-01"},
    {"type": None, "date": "2023-01-01"},
    {"type": "formation", "date": "2022-12-31", "participants": "3"},
    {"type": "Suivi_Ind", "date": "5/3/2023 10:00", "personne": " Zed ", "forme": "FAMILIALE"},
    {"type": "formation", "date": "45000", "participants": "7"},
    {"type": "formation", "date": "2023-04-04", "participants": "1 000"},
    {"type": "formation", "date": " 2023-04-05 ", "participants": " 4 "},
    {"type": "formation", "date": "2023-4-6", "participants": "4.0"},
    {"type": "dossier", "date": "01.06.2023", "délai": "-3"},
    {"type": "formation", "date": "", "participants": "2"},
    {"type": "formation", "date": "2023-02-29", "participants": "2"},
    {
        "type": "suivi_ind",
        "date": "2023-06-01",
        "personne": "B",
        "forme": "familiale",
        "confirmé": "peut-être",
    },
    {"type": "suivi_ind", "date": "2023-06-02", "personne": "B", "forme": "familiale", "durée": "1.234,5"},
    {"type": "suivi_ind", "date": "2023-06-03", "personne": "C", "forme": "familiale", "durée": "2,25"},
    {"type": "suivi_ind", "date": "2023-06-04", "personne": "D", "forme": "familiale", "confirmé": "Non"},
    {"type": "formation", "date": "2024-01-15", "participants": "5"},  # after the evaluation date
    {"type": "rapport", "date": "2023-06-30"},
    {"type": "rapport", "date": "2023-07-01"},
]


@pytest.fixture(scope="module")
def plan() -> indicateurs.Plan:
    return indicateurs.load_plan(PLAN)


def rows() -> list[dict[str, Any]]:
    return [{k: (None if v is None else str(v)) for k, v in r.items()} for r in records()] + BAD_ROWS


def reference(
    plan: indicateurs.Plan, data: list[dict[str, Any]], name: str, **kw: Any
) -> indicateurs.PlanResult:
    return indicateurs.evaluate(plan, from_records(data, name=name), as_of=AS_OF, **kw)


@pytest.fixture(params=["sqlite", "duckdb", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Any:
    make = {"sqlite": sqlite_engine, "duckdb": duckdb_engine, "postgresql": pg_engine}[request.param]
    eng = make()
    yield eng
    eng.dispose()


def test_table_gives_the_python_result(plan: indicateurs.Plan, engine: Any) -> None:
    from indicateurs.sql import evaluate_sql_explained

    data = rows()
    table = Table(engine, data)
    try:
        got, pushdown = evaluate_sql_explained(
            plan, engine, table=table.name, row_column="ligne", as_of=AS_OF, name="saisie"
        )
    finally:
        table.drop()
    assert_same(reference(plan, data, "saisie"), got, engine.dialect.name)
    assert got.read == len(data)
    assert got.read == got.used + got.ignored + got.rejected
    # Only unusual rows were looked at by Python; every indicator ran in SQL.
    assert 0 < pushdown.rows_checked_in_python < len(data)
    assert {p.engine for p in pushdown.indicators} == {"sql"}


def test_query_source_and_default_row_order(plan: indicateurs.Plan, engine: Any) -> None:
    from indicateurs.sql import evaluate_sql

    data = rows()
    table = Table(engine, data)
    try:
        quoted = engine.dialect.identifier_preparer.quote(table.name)
        got = evaluate_sql(
            plan, engine, query=f"SELECT * FROM {quoted} ORDER BY ligne", as_of=AS_OF, name="requête"
        )
        by_order = evaluate_sql(
            plan, engine, table=table.name, order_by=["ligne"], as_of=AS_OF, name="requête"
        )
    finally:
        table.drop()
    expected = reference(plan, data, "requête")
    assert_same(expected, got, "requête")
    assert_same(expected, by_order, "order_by")


def test_mapping_renames_columns_and_translates_values(plan: indicateurs.Plan, engine: Any) -> None:
    from indicateurs.sql import evaluate_sql

    renamed = {"type": "Type d'activité", "date": "Date", "participants": "Nombre de participants"}
    mapping = {
        "colonnes": {v: k for k, v in renamed.items()},
        "valeurs": {"type": {"Formation collective": "formation"}, "forme": {"Fam.": "familiale"}},
        "types": {"ignorer": ["Réunion d'équipe"]},
    }
    data = [
        *rows(),
        {"type": "Formation collective", "date": "2023-09-09", "participants": "9"},
        {"type": "Réunion d'équipe", "date": "2023-09-09"},
        {"type": "suivi_ind", "date": "2023-09-10", "personne": "Q", "forme": "fam."},
    ]
    source_rows = [{renamed.get(k, k): v for k, v in r.items()} for r in data]
    table = Table(engine, source_rows)
    try:
        got = evaluate_sql(
            plan, engine, table=table.name, row_column="ligne", mapping=mapping, as_of=AS_OF, name="x"
        )
    finally:
        table.drop()
    from indicateurs.sources.columns import finisher
    from indicateurs.sources.mapping import as_mapping

    cmap = as_mapping(mapping)
    finish = finisher(None, cmap)
    assert finish is not None
    expected = indicateurs.evaluate(plan, Finished([finish(dict(r)) for r in data], "x"), as_of=AS_OF)
    assert_same(expected, got, "correspondance")
    assert dict(got.sources[0].ignored_reasons)["ignore_par_correspondance"] == 1


class Finished:
    """Rows as a reader yields them after its mapping: records, or SkippedRow/RowProblem."""

    def __init__(self, rows: list[Any], name: str):
        self.items, self.name = rows, name

    def rows(self) -> Any:
        yield from enumerate(self.items, start=1)


def test_streaming_an_indicator_through_python_gives_the_same(plan: indicateurs.Plan) -> None:
    from indicateurs.sql import evaluate_sql_explained

    engine = duckdb_engine()
    data = rows()
    table = Table(engine, data)
    try:
        got, pushdown = evaluate_sql_explained(
            plan,
            engine,
            table=table.name,
            row_column="ligne",
            as_of=AS_OF,
            name="saisie",
            force_python=["personnes", "delais_part", "durée_moyenne"],
        )
    finally:
        table.drop()
    assert_same(reference(plan, data, "saisie"), got, "python")
    assert pushdown.indicator("personnes").engine == "python"
    assert pushdown.indicator("suivis").engine == "sql"
    assert pushdown.rows_streamed > 0
    text = pushdown.render("fr")
    assert "personnes" in text and "Python" in text


def test_strict_mode_raises_with_every_rejection(plan: indicateurs.Plan) -> None:
    from indicateurs.sql import evaluate_sql

    engine = sqlite_engine()
    data = rows()
    table = Table(engine, data)
    try:
        with pytest.raises(indicateurs.DataError) as info:
            evaluate_sql(plan, engine, table=table.name, row_column="ligne", as_of=AS_OF, strict=True)
    finally:
        table.drop()
    with pytest.raises(indicateurs.DataError) as expected:
        reference(plan, data, "x", strict=True)
    assert [(r.row, r.code) for r in info.value.rejections] == [
        (r.row, r.code) for r in expected.value.rejections
    ]


def test_identifiers_are_quoted_and_values_bound(plan: indicateurs.Plan, engine: Any) -> None:
    """Column names and values that would break naive SQL go through untouched."""
    from indicateurs.sql import evaluate_sql_explained

    hostile = "x'); DROP TABLE t; --"
    data = [
        {
            "type": "suivi_ind",
            "date": "2023-01-05",
            "personne": hostile,
            "forme": "familiale",
            'col "odd"': "1",
        },
        {"type": hostile, "date": "2023-01-05"},
    ]
    table = Table(engine, data)
    try:
        got, pushdown = evaluate_sql_explained(
            plan, engine, table=table.name, row_column="ligne", as_of=AS_OF, name="saisie", keep_sql=True
        )
    finally:
        table.drop()
    assert_same(reference(plan, data, "saisie"), got, "hostile")
    assert pushdown.queries
    assert all(hostile not in q for q in pushdown.queries)


def test_duckdb_reads_csv_like_the_python_reader(plan: indicateurs.Plan, tmp_path: Path) -> None:
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained

    path = write_csv(tmp_path / "activites.csv", rows())
    expected = indicateurs.evaluate(plan, str(path), as_of=AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, as_of=AS_OF)
    assert pushdown.reason is None
    assert_same(expected, got, "csv")
    assert got.to_dict() == expected.to_dict()


def test_duckdb_irregular_csv_falls_back_to_the_python_reader(plan: indicateurs.Plan, tmp_path: Path) -> None:
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained

    path = write_csv(tmp_path / "activites.csv", rows())
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(3, "")  # a blank row between data rows: numbering differs from DuckDB's
    text.insert(6, "formation;2023")  # a truncated row
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    expected = indicateurs.evaluate(plan, str(path), as_of=AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, as_of=AS_OF)
    assert pushdown.reason is not None
    assert got.to_dict() == expected.to_dict()


def _synthetic(tmp_path: Path, count: int) -> tuple[Any, indicateurs.Plan, Path]:
    """The benchmarks' rows for the Molenbeek plan: plain values, read in one pass."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    return synth, indicateurs.load_plan(synth.PLAN), synth.write_csv(tmp_path / "molenbeek.csv", count)


@pytest.mark.parametrize("odd_row", ["formation,2023-03-03", "formation,2023-03-03" + ",x" * 40])
def test_duckdb_irregular_row_beyond_the_first_rows_falls_back(tmp_path: Path, odd_row: str) -> None:
    """A row with too few or too many cells after the rows read to choose the pass: DuckDB's
    reader refuses the file in the middle of the statement, and the Python reader reads it."""
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained
    from indicateurs.sql.api import SAMPLE_ROWS

    synth, plan, path = _synthetic(tmp_path, SAMPLE_ROWS + 50)
    window = (synth.START, synth.END)
    _, clean = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF, keep_sql=True)
    assert clean.reason is None and any("read_csv" in q for q in clean.queries)  # one pass
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(SAMPLE_ROWS + 20, odd_row)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF)
    # DuckDB's own refusal (its words), not the check of the first rows
    assert pushdown.reason is not None and pushdown.reason.startswith("lu par le lecteur Python (")
    assert got.to_dict() == expected.to_dict()
    assert got.rejected == expected.rejected == 1


@pytest.mark.parametrize(
    ("odd_row", "pushed_down"),
    [
        (" ," + "\u00a0," + "\t," * 11 + " ", False),  # blank cells only: `ligne_vide`, Python numbering
        (" ,2023-03-03" + "," * 12, True),  # a blank type: rejected, by Python's own code
        # a blank type, and text only in `lieu`, an optional text column nothing reads (not
        # parsed in the one pass): the row looks blank there, the Python reader decides
        (",,Maison de quartier" + "," * 11, False),
    ],
)
def test_duckdb_blank_cells_beyond_the_first_rows(tmp_path: Path, odd_row: str, pushed_down: bool) -> None:
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained
    from indicateurs.sql.api import SAMPLE_ROWS

    synth, plan, path = _synthetic(tmp_path, SAMPLE_ROWS + 50)
    text = path.read_text(encoding="utf-8").splitlines()
    assert len(odd_row.split(",")) == len(text[0].split(","))
    text.insert(SAMPLE_ROWS + 20, odd_row)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF)
    assert (pushdown.reason is None) is pushed_down
    assert got.to_dict() == expected.to_dict()


@pytest.mark.parametrize("at", [3, 6000], ids=["in the rows read first", "after them"])
def test_duckdb_cell_longer_than_the_python_reader_accepts(tmp_path: Path, at: int) -> None:
    """A cell longer than `csv.field_size_limit()`: the Python reader rejects its row, DuckDB
    would read it; the file is read by the Python reader, wherever the row is."""
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained

    synth, plan, path = _synthetic(tmp_path, 6050)
    text = path.read_text(encoding="utf-8").splitlines()
    cells = text[at].split(",")
    cells[2] = "y" * (csv.field_size_limit() + 10)  # `lieu`, a column nothing reads
    text[at] = ",".join(cells)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF)
    assert expected.rejected == 1 and pushdown.reason is not None
    assert got.to_dict() == expected.to_dict()


def test_duckdb_bytes_not_utf8_in_a_column_nothing_reads(tmp_path: Path) -> None:
    """DuckDB does not parse the columns nothing reads, nor check their encoding: the thread
    that counts the lines does, and the Python reader reads such a file."""
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained
    from indicateurs.sql.api import SAMPLE_ROWS

    synth, plan, path = _synthetic(tmp_path, SAMPLE_ROWS * 8)
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) - 5000) + 1
    odd = b"espace_ecoute,2023-05-10,caf\xe9" + b"," * 11 + b"\n"  # cp1252 in `lieu`
    path.write_bytes(data[:cut] + odd + data[cut:])
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF)
    assert expected.rejected == 1
    assert pushdown.reason is not None and "UTF-8" in pushdown.reason
    assert got.to_dict() == expected.to_dict()


def test_duckdb_quoted_empty_cells_are_blank(tmp_path: Path) -> None:
    """`""` is an empty cell for the Python reader: DuckDB reads it as one too."""
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained

    synth, plan, path = _synthetic(tmp_path, 3000)
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(table)  # every cell quoted: "" when empty
    assert '""' in path.read_text(encoding="utf-8")
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF, keep_sql=True)
    assert pushdown.reason is None and any("read_csv" in q for q in pushdown.queries)
    assert got.to_dict() == expected.to_dict()
    assert got.used == expected.used > 2900


def test_duckdb_reads_parquet_and_jsonl(plan: indicateurs.Plan, tmp_path: Path) -> None:
    duckdb = need_duckdb()
    from indicateurs.sql import evaluate_duckdb

    data = rows()
    csv_path = write_csv(tmp_path / "a.csv", data)
    parquet = tmp_path / "a.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM read_csv(?, all_varchar=true, header=true)) TO '"
        + str(parquet)
        + "' (FORMAT parquet)",
        [str(csv_path)],
    )
    got = evaluate_duckdb(plan, parquet, as_of=AS_OF)
    as_read = [{k: (v or None) for k, v in r.items()} for r in data]  # CSV → Parquet: empty is NULL
    expected = indicateurs.evaluate(plan, from_records(as_read, name=str(parquet)), as_of=AS_OF)
    assert_same(expected, got, "parquet")

    jsonl = tmp_path / "a.jsonl"
    clean = [r for r in data if r.get("type") is not None]
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in clean) + "\n", encoding="utf-8")
    got = evaluate_duckdb(plan, jsonl, as_of=AS_OF)
    expected = indicateurs.evaluate(plan, str(jsonl), as_of=AS_OF)
    assert comparable_counts(got) == comparable_counts(expected)


def comparable_counts(result: indicateurs.PlanResult) -> list[tuple[str, str, Any]]:
    return [(i.id, i.status.value, i.value) for i in result.indicators] + [
        ("rows", str(result.read), (result.used, result.ignored, result.rejected))
    ]


def test_molenbeek_plan_on_synthetic_rows(tmp_path: Path) -> None:
    need_duckdb()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    from indicateurs.sql import evaluate_duckdb

    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.write_csv(tmp_path / "molenbeek.csv", 5000)
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    got = evaluate_duckdb(plan, path, period=window, as_of=synth.AS_OF)
    assert got.to_dict() == expected.to_dict()


def test_whitespace_is_what_python_strips() -> None:
    need("sqlalchemy")
    from indicateurs.sql.dialects import WHITESPACE

    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITESPACE


def test_importing_indicateurs_does_not_import_the_sql_libraries() -> None:
    code = "import sys, indicateurs, indicateurs.sql; print(sorted(m for m in ('sqlalchemy', 'duckdb') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
