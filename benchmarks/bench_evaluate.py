"""Evaluation speed, side by side, in one run: indicateurs against the same work done by hand,
with pandas and with DuckDB.

    python benchmarks/bench_evaluate.py [--events 1000000] [--repeat 3]

The events are synthetic (benchmarks/synth.py): the ten event types of
plans/molenbeek-2023.plan, dated 2020-01-01..2025-12-31. The plan's own period is 2023, so
every contestant evaluates it over 2020-01-01..2025-12-31 (`period=`), as of 2026-01-01.

The work, for everyone: read each row, parse its date (ISO text), keep the rows within the
period, then per year count the rows of each type (and so whether each type occurs), count the
distinct persons followed, count the trainings and sum their participants, count the
participations of three categories, count the meetings of three bodies, count the projects.
The hand loop converts what the figures need (dates, participants as integers, persons with
surrounding spaces removed) and nothing more; indicateurs also checks every declared field,
keeps the evidence and accounts for every row. Every contestant's figures are checked equal.

Ratios are against the first row of each table (the hand-written baseline), measured in the
same process; each time is the best of --repeat runs, wall-clock and CPU time of this process
(DuckDB works on several threads: its CPU time is not comparable). On a busy machine the CPU
ratios are the steadier ones. Nothing here belongs in the test suite.

    python benchmarks/bench_evaluate.py --against REV [--repeat 7]

measures a change of the CSV reader instead: `indicateurs.evaluate(read_csv(...))` and the
reader alone, with src/indicateurs/sources/csv_source.py as it was at git revision REV and as
it is now, alternately in this process (same evaluator, same file), best of --repeat each.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import gc
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

import indicateurs
from indicateurs.sources import read_csv

Figures = dict[str, list[float]]
PERIOD = (synth.START, synth.END)
YEARS = synth.YEARS
WANTED_CATEGORIES = frozenset({"colloque", "formation", "journée_étude"})
BODIES = {"groupe_autorités": "groupes_travail", "csil": "csil", "cellule_police": "contacts_police"}
PRESENCE = {
    "espace_ecoute": "espace_ecoute",
    "contact_extra_local": "reseau_extra_local",
    "expertise": "expertise",
    "constat": "constats",
    "recommandation": "recommandations",
}


# ---------------------------------------------------------------------------- contestants


def hand_loop(rows: Iterable[dict[str, Any]], dates_are_text: bool = True) -> Figures:
    """What a careful analyst writes for this plan, in plain Python."""
    start, end = PERIOD
    parse = dt.date.fromisoformat
    per_type_year: dict[tuple[str, int], int] = {}
    persons: dict[int, set[str]] = {}
    trainings: dict[int, int] = {}
    trained: dict[int, int] = {}
    participations: dict[int, int] = {}
    meetings: dict[tuple[str, int], int] = {}
    for row in rows:
        kind = row["type"]
        date = parse(row["date"]) if dates_are_text else row["date"]
        if date < start or date > end:
            continue
        year = date.year
        key = (kind, year)
        per_type_year[key] = per_type_year.get(key, 0) + 1
        if kind == "prise_en_charge":
            seen = persons.get(year)
            if seen is None:
                seen = persons[year] = set()
            seen.add(row["personne"].strip())
        elif kind == "concertation":
            body = (row["instance"], year)
            meetings[body] = meetings.get(body, 0) + 1
        elif kind == "formation":
            trainings[year] = trainings.get(year, 0) + 1
            trained[year] = trained.get(year, 0) + int(row["participants"])
        elif kind == "participation" and row["catégorie"] in WANTED_CATEGORIES:
            participations[year] = participations.get(year, 0) + 1
    figures: Figures = {
        "prises_en_charge": [len(persons.get(y, ())) for y in YEARS],
        "formations": [trainings.get(y, 0) for y in YEARS],
        "personnes_formees": [trained.get(y, 0) for y in YEARS],
        "participations": [participations.get(y, 0) for y in YEARS],
        "projets": [per_type_year.get(("projet", y), 0) for y in YEARS],
    }
    for body, ident in BODIES.items():
        figures[ident] = [meetings.get((body, y), 0) for y in YEARS]
    for kind, ident in PRESENCE.items():
        figures[ident] = [any(per_type_year.get((kind, y), 0) for y in YEARS)]
    return figures


def indicateurs_figures(result: indicateurs.PlanResult) -> Figures:
    return {i.id: [p.value for p in i.periods] for i in result.indicators}  # type: ignore[misc]


def run_indicateurs(plan: indicateurs.Plan, sources: Any) -> Figures:
    result = indicateurs.evaluate(plan, sources, period=PERIOD, as_of=synth.AS_OF)
    assert result.rejected == 0 and result.ignored == 0, result.sources
    return indicateurs_figures(result)


def dict_reader(path: Path) -> Figures:
    with path.open(encoding="utf-8", newline="") as f:
        return hand_loop(csv.DictReader(f))


def pandas_figures(df: Any) -> Figures:
    import pandas as pd

    dates = pd.to_datetime(df["date"], format="%Y-%m-%d")
    keep = (dates >= pd.Timestamp(synth.START)) & (dates <= pd.Timestamp(synth.END))
    df, year = df[keep], dates[keep].dt.year
    kind = df["type"]
    by_type = df.groupby([kind, year]).size()
    care = kind == "prise_en_charge"
    persons = df.loc[care, "personne"].str.strip().groupby(year[care]).nunique()
    training = kind == "formation"
    participants = pd.to_numeric(df.loc[training, "participants"]).groupby(year[training])
    chosen = (kind == "participation") & df["catégorie"].isin(WANTED_CATEGORIES)
    meeting = kind == "concertation"
    meetings = df[meeting].groupby([df.loc[meeting, "instance"], year[meeting]]).size()

    def per_year(series: Any) -> list[float]:
        return [float(series.get(y, 0)) for y in YEARS]

    figures: Figures = {
        "prises_en_charge": per_year(persons),
        "formations": per_year(participants.size()),
        "personnes_formees": per_year(participants.sum()),
        "participations": per_year(year[chosen].value_counts()),
        "projets": [float(by_type.get(("projet", y), 0)) for y in YEARS],
    }
    for body, ident in BODIES.items():
        figures[ident] = [float(meetings.get((body, y), 0)) for y in YEARS]
    for k, ident in PRESENCE.items():
        figures[ident] = [bool((kind == k).any())]
    return figures


DUCKDB_SQL = """
WITH rows AS (
    SELECT type, CAST(date AS DATE) AS d, personne, participants, "catégorie" AS categorie, instance
    FROM {source}
), kept AS (
    SELECT *, year(d) AS y FROM rows WHERE d BETWEEN DATE '{start}' AND DATE '{end}'
)
SELECT 'type' AS what, type AS k, y, count(*) AS n FROM kept GROUP BY type, y
UNION ALL SELECT 'persons', NULL, y, count(DISTINCT trim(personne)) FROM kept
    WHERE type = 'prise_en_charge' GROUP BY y
UNION ALL SELECT 'trained', NULL, y, sum(CAST(participants AS BIGINT)) FROM kept
    WHERE type = 'formation' GROUP BY y
UNION ALL SELECT 'participations', NULL, y, count(*) FROM kept
    WHERE type = 'participation' AND categorie IN ('colloque', 'formation', 'journée_étude') GROUP BY y
UNION ALL SELECT 'meetings', instance, y, count(*) FROM kept WHERE type = 'concertation' GROUP BY instance, y
"""


def duckdb_figures(con: Any, source: str) -> Figures:
    sql = DUCKDB_SQL.format(source=source, start=synth.START, end=synth.END)
    table: dict[tuple[str, str | None, int], float] = {
        (what, k, y): float(n) for what, k, y, n in con.execute(sql).fetchall()
    }

    def per_year(what: str, k: str | None = None) -> list[float]:
        return [table.get((what, k, y), 0.0) for y in YEARS]

    figures: Figures = {
        "prises_en_charge": per_year("persons"),
        "formations": per_year("type", "formation"),
        "personnes_formees": per_year("trained"),
        "participations": per_year("participations"),
        "projets": per_year("type", "projet"),
    }
    for body, ident in BODIES.items():
        figures[ident] = per_year("meetings", body)
    for kind, ident in PRESENCE.items():
        figures[ident] = [any(per_year("type", kind))]
    return figures


# ---------------------------------------------------------------------------- harness


Times = tuple[float, float]  # best wall-clock time, best CPU time of this process


def best_of(repeat: int, fn: Callable[[], Figures]) -> tuple[Times, Figures]:
    wall = cpu = float("inf")
    figures: Figures = {}
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        figures = fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return (wall, cpu), figures


def same(a: Figures, b: Figures) -> bool:
    return {k: [float(x) for x in v] for k, v in a.items()} == {
        k: [float(x) for x in v] for k, v in b.items()
    }


class Table:
    """Wall-clock and CPU times, each with its ratio to the baseline (the first row)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, Times]] = []
        print(f"  {'':52} {'wall':>9} {'ratio':>6} {'CPU':>9} {'ratio':>6}")

    def add(self, label: str, times: Times) -> None:
        self.rows.append((label, times))
        wall, cpu = times
        base_wall, base_cpu = self.rows[0][1]
        print(
            f"  {label:52} {wall:7.3f} s {wall / base_wall:5.2f}x {cpu:7.3f} s {cpu / base_cpu:5.2f}x",
            flush=True,
        )

    def ratio(self, row: int) -> Times:
        (wall, cpu), (base_wall, base_cpu) = self.rows[row][1], self.rows[0][1]
        return wall / base_wall, cpu / base_cpu


def against(revision: str, n: int, repeat: int) -> None:
    """The CSV reader of `revision` against today's, alternately, in this process."""
    old = synth.module_at(revision, "sources/csv_source.py", "sources._csv_source_then")
    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.csv_file(n)
    readers = {revision: old.read_csv, "now": read_csv}
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU, {n:,} rows of {path}, best of {repeat}")

    def evaluated(make: Any) -> Figures:
        return run_indicateurs(plan, make(path, delimiter=","))

    def read_only(make: Any) -> Figures:
        for _ in make(path, delimiter=",").rows():
            pass
        return {}

    if not same(evaluated(old.read_csv), evaluated(read_csv)):
        raise SystemExit("the two readers give different figures")
    for label, work in (
        ("indicateurs.evaluate(read_csv(...))", evaluated),
        ("read_csv(...).rows() alone", read_only),
    ):
        best: dict[str, Times] = {name: (float("inf"), float("inf")) for name in readers}
        for _ in range(repeat):
            for name, make in readers.items():
                (wall, cpu), _ = best_of(1, functools.partial(work, make))
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
        (then_wall, then_cpu), (now_wall, now_cpu) = best[revision], best["now"]
        print(
            f"  {label:38} CPU {then_cpu:6.3f} s -> {now_cpu:6.3f} s ({now_cpu / then_cpu:.3f}x)"
            f"   wall {then_wall:6.3f} s -> {now_wall:6.3f} s ({now_wall / then_wall:.3f}x)",
            flush=True,
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="the CSV reader of git revision REV against today's")
    args = parser.parse_args()
    n, repeat = args.events, args.repeat
    if args.against:
        against(args.against, n, repeat)
        return
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU, {n:,} events, best of {repeat}")
    plan = indicateurs.load_plan(synth.PLAN)
    started = time.perf_counter()
    records = list(synth.records(n))
    with_dates = [{**r, "date": dt.date.fromisoformat(str(r["date"]))} for r in records]
    path = synth.csv_file(n)
    print(
        f"  (data ready in {time.perf_counter() - started:.1f} s; CSV: {path}, {path.stat().st_size / 1e6:.0f} MB)"
    )
    expected = hand_loop(records)

    def check(label: str, figures: Figures) -> None:
        if not same(figures, expected):
            raise SystemExit(f"{label}: figures differ from the hand loop\n{figures}\n{expected}")

    print("\n(1) records in memory (a list of dicts, dates as ISO text)")
    memory = Table()
    t, f = best_of(repeat, lambda: hand_loop(records))
    memory.add("hand-written loop", t)
    t, f = best_of(repeat, lambda: run_indicateurs(plan, records))
    check("indicateurs", f)
    memory.add("indicateurs.evaluate", t)

    print("\n(1b) records in memory, dates as datetime.date objects")
    dated = Table()
    t, f = best_of(repeat, lambda: hand_loop(with_dates, dates_are_text=False))
    check("hand loop (dates)", f)
    dated.add("hand-written loop", t)
    t, f = best_of(repeat, lambda: run_indicateurs(plan, with_dates))
    check("indicateurs (dates)", f)
    dated.add("indicateurs.evaluate", t)
    with_dates.clear()

    print("\n(2) from the CSV file")
    files = Table()
    t, f = best_of(repeat, lambda: dict_reader(path))
    check("DictReader", f)
    files.add("csv.DictReader + hand-written loop", t)
    t, f = best_of(repeat, lambda: run_indicateurs(plan, read_csv(path, delimiter=",")))
    check("indicateurs (CSV)", f)
    files.add("indicateurs.evaluate(read_csv(...))", t)

    def reader_only() -> Figures:
        for _ in read_csv(path, delimiter=",").rows():
            pass
        return expected

    def dict_reader_only() -> Figures:
        with path.open(encoding="utf-8", newline="") as fh:
            for _ in csv.DictReader(fh):
                pass
        return expected

    t, _ = best_of(repeat, dict_reader_only)
    files.add("  of which reading: csv.DictReader alone", t)
    t, _ = best_of(repeat, reader_only)
    files.add("  of which reading: read_csv(...).rows() alone", t)

    print("\n(3) the same work with pandas and DuckDB")
    try:
        import pandas as pd
    except ImportError:
        print("  pandas is not installed: skipped (pip install pandas)")
        pd = None
    if pd is not None:
        t, f = best_of(repeat, lambda: pandas_figures(pd.read_csv(path, dtype=str, keep_default_na=False)))
        check("pandas (CSV)", f)
        files.add("pandas: read_csv + the figures", t)
        frame = pd.DataFrame.from_records(records)
        frame = frame.astype({c: "string" for c in frame.columns}).fillna("")
        t, f = best_of(repeat, lambda: pandas_figures(frame))
        check("pandas (memory)", f)
        memory.add("pandas: the figures, DataFrame already built", t)
    try:
        import duckdb
    except ImportError:
        print("  duckdb is not installed: skipped (pip install duckdb)")
        duckdb = None
    if duckdb is not None:
        con = duckdb.connect()
        source = f"read_csv('{path}', header = true, all_varchar = true)"
        t, f = best_of(repeat, lambda: duckdb_figures(con, source))
        check("DuckDB (CSV)", f)
        files.add("DuckDB: SQL on read_csv", t)
        if pd is not None:
            con.register("events", frame)
            con.execute("CREATE TABLE events_table AS SELECT * FROM events")
            t, f = best_of(repeat, lambda: duckdb_figures(con, "events_table"))
            check("DuckDB (memory)", f)
            memory.add("DuckDB: SQL on a table already loaded", t)
    print("\nfigures: every contestant agrees with the hand loop")
    for label, table, target in (("in memory", memory, 1.2), ("from CSV ", files, 1.1)):
        wall, cpu = table.ratio(1)
        verdict = "met" if wall <= target else "NOT met"
        print(f"target {label} <= {target}x: {wall:.2f}x wall ({cpu:.2f}x CPU) {verdict}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} CPU)")


if __name__ == "__main__":
    main()
