"""The fast classification of DuckDB text cells (indicateurs.sql.fast): what it settles in SQL
is exactly what Python's converters give, and everything else is left to Python."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import model as m
from indicateurs.convert import ConversionError, parse_date
from indicateurs.results import Status
from test_sql_helpers import need_duckdb


def duck_values(expr_of: Any, values: list[Any]) -> list[Any]:
    """`expr_of(column x)` computed by DuckDB for each value, in order (through SQLAlchemy, with
    bound parameters, as the engine sends it)."""
    need_duckdb()
    import sqlalchemy as sa

    source = (
        sa.text("SELECT unnest(:xs) AS x, generate_subscripts(:xs, 1) AS i")
        .bindparams(xs=values)
        .columns(sa.column("x"), sa.column("i"))
        .subquery("v")
    )
    engine = sa.create_engine("duckdb:///:memory:")
    try:
        with engine.connect() as conn:
            stmt = sa.select(expr_of(source.c.x)).order_by(source.c.i)
            return [row[0] for row in conn.execute(stmt)]
    finally:
        engine.dispose()


def test_text_edges_are_never_what_strip_removes() -> None:
    """The cheap end test, on every code point: a character it accepts is never one str.strip()
    removes, and it accepts the ordinary characters (else nothing would be settled)."""
    need_duckdb()
    from indicateurs.sql.fast import _edge_ok

    codes = [c for c in range(-1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    accepted = duck_values(_edge_ok, codes)
    for code, ok in zip(codes, accepted, strict=True):
        if ok:
            assert code >= 0 and not chr(code).isspace(), hex(code)
    assert all(ok for code, ok in zip(codes, accepted, strict=True) if 33 <= code < 127)
    assert not any(ok for code, ok in zip(codes, accepted, strict=True) if code >= 0 and chr(code).isspace())


def test_first_character_test_on_every_code_point() -> None:
    """The end tests on every code point starting a text: they never accept what str.strip()
    removes, and accept every printable ASCII character."""
    need_duckdb()
    from indicateurs.sql.fast import filled_text, plain_text

    codes = [c for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    texts = [chr(c) + "x" for c in codes]
    filled = duck_values(filled_text, texts)
    plain = duck_values(plain_text, texts)
    for text, is_filled, is_plain in zip(texts, filled, plain, strict=True):
        if is_filled or is_plain:
            assert not text[0].isspace(), hex(ord(text[0]))
    assert all(filled[c - 1] and plain[c - 1] for c in range(ord("!"), ord("~") + 1))


def test_plain_text_is_its_own_stripped_value() -> None:
    need_duckdb()
    from indicateurs.sql.fast import filled_text, plain_text

    texts = [
        "Alice",
        " Alice",
        "Alice ",
        "A\u00a0",
        "\u3000A",
        "é",
        "e\u0301",
        "",
        "\t",
        "x\u2028",
        "0",
        "A B",
    ]
    plain = duck_values(plain_text, texts)
    filled = duck_values(filled_text, texts)
    for text, is_plain, is_filled in zip(texts, plain, filled, strict=True):
        assert bool(is_plain) == (text != "" and text.strip() == text), repr(text)
        if is_filled:
            assert text.strip(), repr(text)
    assert plain[0] and plain[5] and plain[6]


DATE_TEXTS = st.one_of(
    st.text(alphabet="0123456789-/. T:", max_size=12),
    st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99), st.sampled_from("-/")).map(
        lambda t: f"{t[0]:04d}{t[3]}{t[1]:02d}{t[3]}{t[2]:02d}"
    ),
    st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 9999), st.sampled_from(" /")).map(
        lambda t: f"{t[0]:02d}/{t[1]:02d}/{t[2]:04d}".replace("/", t[3], 1)
    ),
    # an ISO date with one character put in, taken out or replaced (spaces, signs, letters…)
    st.tuples(
        st.dates(dt.date(1960, 1, 1), dt.date(2110, 12, 31)).map(dt.date.isoformat),
        st.integers(0, 10),
        st.sampled_from([" ", "+", "-", "0", "1", "T", "/", "\u00a0", ""]),
        st.booleans(),
    ).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + int(t[3]) :]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(DATE_TEXTS, min_size=1, max_size=40))
def test_a_date_settled_in_sql_is_pythons_date(texts: list[str]) -> None:
    need_duckdb()
    from indicateurs.sql.fast import plain_date

    for text, got in zip(texts, duck_values(plain_date, texts), strict=True):
        if got is None:
            continue  # left to Python: always allowed
        assert got == parse_date(text), text


def test_common_dates_are_settled_in_sql() -> None:
    need_duckdb()
    from indicateurs.sql.fast import plain_date

    texts = ["2023-03-15", "15/03/2023", "1970-01-01", "2100-12-31", "2024-02-29"]
    assert duck_values(plain_date, texts) == [parse_date(t) for t in texts]
    odd = ["2023-02-29", "1969-12-31", "2101-01-01", " 2023-03-15", "2023-3-15", "15/3/2023", "45000", ""]
    # what DuckDB's date reading accepts and a plain date is not
    odd += ["2023-03- 5", "2023-03-15 ", "+2023-03-15", "2023-03-15 (BC)", "2023-03-15T00:00", "02023-03-15"]
    assert duck_values(plain_date, odd) == [None] * len(odd)
    for text in odd[:3]:
        with pytest.raises(ConversionError):
            parse_date(text)


def test_iso_shaped_texts_are_settled_only_as_python_reads_them() -> None:
    """Every ten-character text with its dashes in place around a few dates, one or two
    characters changed (spaces, signs, letters, separators): a date settled in SQL is always
    the one Python reads, and the plain ones are settled."""
    need_duckdb()
    from indicateurs.sql.fast import plain_date

    changes = [" ", "T", "+", ".", "/", ":", "a", "\t", "0", "9", "-", "Z", ",", "e", "\u00a0", "٣"]
    bases = ["2023-01-05", "1999-12-31", "2100-12-31", "1970-01-01", "2024-02-29", "2000-10-10"]
    texts = set(bases)
    places = [k for k in range(10) if k not in (4, 7)]
    for base in bases:
        for i in places:
            texts.update(base[:i] + c + base[i + 1 :] for c in changes)
        for i, j in itertools.combinations(places, 2):
            for a, b in itertools.product([" ", "T", "+", ".", "a"], [" ", "T", "0", ":"]):
                chars = list(base)
                chars[i], chars[j] = a, b
                texts.add("".join(chars))
    ordered = sorted(texts)
    settled = 0
    for text, got in zip(ordered, duck_values(plain_date, ordered), strict=True):
        if got is None:
            continue  # left to Python: always allowed
        settled += 1
        assert got == parse_date(text), text
    assert settled >= len(bases)
    assert duck_values(plain_date, bases) == [parse_date(t) for t in bases]


def test_clean_rows_are_settled_in_sql_and_odd_rows_by_python(tmp_path: Path) -> None:
    """On a file of plain rows with a few odd ones, Python checks the odd rows only, and the
    result is the Python path's."""
    need_duckdb()
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    from indicateurs.sql import evaluate_duckdb_explained
    from indicateurs.sql.api import SAMPLE_ROWS

    plan = indicateurs.load_plan(synth.PLAN)
    # fewer rows than Python samples: the odd spelling appended below is in the sample
    path = synth.write_csv(tmp_path / "molenbeek.csv", SAMPLE_ROWS - 100)
    odd = [
        "formation,2023-02-30,,,,,4,,,,,,,",  # no such day: rejected
        "formation,2023-03-02,,,,,12 ,,,,,,,",  # a space after the number: accepted
        "prise_en_charge,03/03/2023,, Zed ,individuelle,,,,,,,,,",  # spaces around a name
        "concertation,2023-03-04,,,,,,,,,,,CSIL,",  # capitals: settled by the lookup
    ]
    window = (synth.START, synth.END)
    for extra, checked in ([], 3), ([" formation,2023-03-01,,,,,4,,,,,,,"], 3):
        # A type written with a space: the lookup is then built from the values the file holds
        # (converted by Python), and the row is settled in SQL too.
        with path.open("a", encoding="utf-8", newline="") as f:
            f.write("".join(line + "\r\n" for line in odd + extra))
        expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
        got, pushdown = evaluate_duckdb_explained(plan, path, period=window, as_of=synth.AS_OF)
        assert pushdown.reason is None
        assert got.to_dict() == expected.to_dict()
        assert pushdown.rows_checked_in_python == checked * (2 if extra else 1)
        assert [r.code for r in got.rejections] == ["date_invalide"] * (2 if extra else 1)


@pytest.mark.parametrize("prefix", [1, 40, 400, 10**6])
def test_evidence_beyond_the_first_rows(tmp_path: Path, prefix: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Evidence is looked for in the first rows of the file, then in the whole file when some
    slot's first rows are missing there: the same evidence either way."""
    need_duckdb()
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    from indicateurs.sql import engine, evaluate_duckdb

    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.write_csv(tmp_path / "molenbeek.csv", 2000)
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    searched: list[int] = []  # period units whose evidence was searched in the whole file
    original = engine._TopEvidence.search

    def counting(self: Any, ctx: Any, rows: Any, units: Any, found: Any) -> None:
        if rows is not self.first:
            searched.extend(uq.j for uq in units)
        original(self, ctx, rows, units, found)

    monkeypatch.setattr(engine, "PREFIX_ROWS", prefix)
    monkeypatch.setattr(engine._TopEvidence, "search", counting)
    got = evaluate_duckdb(plan, path, period=window, as_of=synth.AS_OF)
    assert got.to_dict() == expected.to_dict()
    if prefix == 1:
        assert sorted(searched) == [0, 1]  # one row is not enough for either unit
    elif prefix > 2000:
        assert searched == []  # the first rows are the whole file


def test_evidence_of_one_unit_beyond_the_first_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first rows hold every slot's evidence of one period unit (the whole period) but not
    of the other (years: the rows of 2025 come last): only that unit is searched again."""
    need_duckdb()
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    from indicateurs.sql import engine, evaluate_duckdb

    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.write_csv(tmp_path / "molenbeek.csv", 3000)
    lines = path.read_text(encoding="utf-8").splitlines()
    late = [line for line in lines[1:] if ",2025-" in line]
    rest = [line for line in lines[1:] if ",2025-" not in line]
    path.write_text("\n".join([lines[0], *rest, *late]) + "\n", encoding="utf-8")
    window = (synth.START, synth.END)
    expected = indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF)
    searched: list[Any] = []
    original = engine._TopEvidence.search

    def counting(self: Any, ctx: Any, rows: Any, units: Any, found: Any) -> None:
        if rows is not self.first:
            searched.extend(uq.unit for uq in units)
        original(self, ctx, rows, units, found)

    monkeypatch.setattr(engine, "PREFIX_ROWS", len(rest))  # every row but those of 2025
    monkeypatch.setattr(engine._TopEvidence, "search", counting)
    got = evaluate_duckdb(plan, path, period=window, as_of=synth.AS_OF)
    assert got.to_dict() == expected.to_dict()
    assert searched == [m.PeriodUnit.YEAR]


WHOLE_WINDOW_PLAN = """\
plan « Comptes sur toute la période »
commune « Commune »
période 2023
niveaux « action »
événement atelier « Atelier »
  lieu : texte optionnel
événement visite « Visite »
  niveau : haut | bas
  personnes : entier optionnel
événement rapport « Rapport »
action 1 « Action »
  indicateur atelier_existe « Un atelier »
    existe(atelier)
  indicateur ateliers « Deux ateliers »
    nombre(atelier) >= 2
  indicateur atelier_tot « Un atelier avant juillet »
    existe(atelier) avant le 30/06/2023
  indicateur visites « Des visites »
    nombre(visite) >= 3
  indicateur visites_hautes « Des visites de haut niveau »
    nombre(visite où niveau = haut) >= 1
  indicateur personnes « Des personnes reçues »
    somme(visite.personnes) >= 10
  indicateur rapports « Un rapport »
    existe(rapport)
  indicateur rapports_an « Deux rapports par an »
    nombre(rapport) >= 2 par an
"""


@pytest.mark.parametrize("with_reports", [True, False])
def test_whole_window_counts_come_from_the_row_accounting(
    tmp_path: Path, with_reports: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A count of every used row of a type over the whole window is the accounting's count of
    those rows (no grouped SELECT of its own); a condition, a deadline, a field or a period unit
    makes it an aggregate again. Same result as the Python path, with or without such rows."""
    need_duckdb()
    from indicateurs.sql import engine, evaluate_duckdb

    plan = indicateurs.load_plan(WHOLE_WINDOW_PLAN)
    lines = ["type,date,lieu,niveau,personnes"]
    lines += [f"atelier,2023-0{m}-1{m},Salle {m},," for m in range(1, 10)]
    lines += [f"visite,2023-0{m}-0{m},,{'haut' if m % 3 else 'bas'},{m}" for m in range(1, 10)]
    lines += ["visite,2022-12-31,,haut,4", "atelier,2024-01-01,,,"]  # outside the window
    if with_reports:
        lines += ["rapport,2023-03-01,,,", "rapport,2023-11-30,,,"]
    path = tmp_path / "activites.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    judged: dict[tuple[str, str, bool, bool], bool] = {}
    original = engine._counts_rows

    def spying(rows: Any, dialect: Any, key: Any, slot_fields: Any, plan: Any) -> bool:
        answer: bool = original(rows, dialect, key, slot_fields, plan)
        judged[(key.fn.value, key.event_type, key.where is not None, key.deadline is not None)] = answer
        return answer

    monkeypatch.setattr(engine, "_counts_rows", spying)
    as_of = dt.date(2024, 3, 1)
    expected = indicateurs.evaluate(plan, str(path), as_of=as_of)
    got = evaluate_duckdb(plan, path, as_of=as_of)
    assert got.to_dict() == expected.to_dict()
    by_id = {r.id: r for r in got.indicators}
    assert by_id["ateliers"].value == 9 and by_id["visites"].value == 9
    assert (by_id["rapports"].status is Status.MET) is with_reports
    plain = {key for key, answer in judged.items() if answer}
    assert plain == {
        ("exists", "atelier", False, False),
        ("count", "atelier", False, False),
        ("count", "visite", False, False),
        ("exists", "rapport", False, False),
    }
    assert ("exists", "atelier", False, True) in judged  # asked, and answered no
    assert not judged[("count", "visite", True, False)]


CODED_PLAN = """\
plan « Codes »
période 2023
niveaux « action »
événement visite « Visite »
  forme : individuelle | familiale
  canal : téléphone | rendez_vous | courrier
  suite : oui_suite | non_suite
  statut : ouvert | clos
  urgent : booléen optionnel
action 1 « Action »
  indicateur a « A »
    nombre(visite où forme = familiale et (canal dans [téléphone, courrier] ou non urgent)) >= 1
  indicateur b « B »
    nombre(visite où canal pas dans [rendez_vous] et suite != non_suite) >= 1
  indicateur c « C »
    distinct(visite.statut) >= 1
  indicateur d « D »
    nombre(visite où statut = clos) >= 1
"""


def test_enumerations_read_only_by_equality_are_held_as_codes(tmp_path: Path) -> None:
    """Enumerations compared to constants by =, ≠, dans, pas dans are held as codes (their
    values in sorted order); one read as a slot's value stays text; the result is Python's."""
    need_duckdb()
    from indicateurs.compile import CompiledPlan
    from indicateurs.evaluate import _window
    from indicateurs.sql import engine, evaluate_duckdb_explained

    plan = indicateurs.load_plan(CODED_PLAN)
    slots = list(CompiledPlan(plan, _window(plan, None)).slots)
    assert {decl.name for decl in engine.coded_fields(plan, slots)} == {"forme", "canal", "suite"}
    rows = ["type,date,forme,canal,suite,statut,urgent"]
    forms, channels, follow = (
        ["familiale", "individuelle", "Familiale"],
        ["téléphone", "courrier", "rendez_vous", ""],
        ["oui_suite", "non_suite"],
    )
    for n, (f, c, s) in enumerate(itertools.product(forms, channels, follow)):
        rows.append(
            f"visite,2023-0{1 + n % 9}-1{n % 10},{f},{c},{s},{'clos' if n % 3 else 'ouvert'},{'oui' if n % 2 else ''}"
        )
    path = tmp_path / "visites.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    as_of = dt.date(2024, 1, 15)
    expected = indicateurs.evaluate(plan, str(path), as_of=as_of)
    got, pushdown = evaluate_duckdb_explained(plan, path, as_of=as_of, keep_sql=True)
    assert got.to_dict() == expected.to_dict()
    assert {p.engine for p in pushdown.indicators} == {"sql"}
    classify = pushdown.queries[0]
    assert classify.count("AS SMALLINT)") == 3  # forme, canal, suite; statut stays text
    by_id = {r.id: r.value for r in got.indicators}
    assert by_id["a"] and by_id["b"] and by_id["d"]  # each condition matched some rows


EMPTY_LIST_PLAN = """\
plan « Listes vides »
période 2023
événement visite « Visite »
    personne : texte optionnel
    canal : tel | mail optionnel
objectif stratégique 1 « O »
    indicateur dans_vide « Dans une liste vide »
        suivi nombre(visite où canal dans [])
    indicateur pas_dans_vide « Pas dans une liste vide »
        suivi nombre(visite où canal pas dans [])
    indicateur non_dans_vide « Non dans une liste vide »
        suivi nombre(visite où non (personne dans []))
"""


def test_empty_lists_as_python_reads_them(tmp_path: Path) -> None:
    """`dans []` is false and `pas dans []` true, except for a missing value, unknown as in
    Python: blank cells are not counted by either (SQL's own empty IN is false even for NULL)."""
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb

    plan = indicateurs.load_plan(EMPTY_LIST_PLAN)
    path = tmp_path / "visites.csv"
    rows = [
        "visite,2023-01-05,A,tel",
        "visite,2023-02-05,,",
        "visite,2023-03-05,B,mail",
        "visite,2023-04-05,C,",
    ]
    path.write_text("type,date,personne,canal\n" + "\n".join(rows) + "\n", encoding="utf-8")
    as_of = dt.date(2024, 1, 15)
    expected = indicateurs.evaluate(plan, str(path), as_of=as_of)
    got = evaluate_duckdb(plan, path, as_of=as_of)
    assert got.to_dict() == expected.to_dict()
    values = {r.id: r.value for r in got.indicators}
    assert values == {"dans_vide": 0, "pas_dans_vide": 2, "non_dans_vide": 3}


def test_a_mapping_that_translates_blank_cells_is_read_by_python(tmp_path: Path) -> None:
    """A mapping that gives blank cells a value (`"" = "mail"`): SQL would hold them as
    missing, so every row goes through Python, which translates them (the reason is given)."""
    need_duckdb()
    from indicateurs.sql import evaluate_duckdb_explained

    plan = indicateurs.load_plan(EMPTY_LIST_PLAN.replace("canal dans []", "canal = mail"))
    mapping = tmp_path / "export.toml"
    mapping.write_text('[valeurs.canal]\n"" = "mail"\n', encoding="utf-8")
    path = tmp_path / "visites.csv"
    path.write_text(
        "type,date,personne,canal\nvisite,2023-01-05,A,\nvisite,2023-02-05,B,mail\n", encoding="utf-8"
    )
    as_of = dt.date(2024, 1, 15)
    expected = indicateurs.evaluate(plan, str(path), as_of=as_of, mapping=str(mapping))
    got, pushdown = evaluate_duckdb_explained(plan, path, as_of=as_of, mapping=str(mapping))
    assert got.to_dict() == expected.to_dict()
    assert {r.id: r.value for r in got.indicators}["dans_vide"] == 2  # the blank cell is « mail »
    assert pushdown.reason is not None and "cellules vides" in pushdown.reason
