"""The SQL push-down on the Molenbeek plan: `evaluer --moteur duckdb` against a hand-written
DuckDB query computing the same figures, and against the Python evaluator.

    python benchmarks/bench_sql.py                  # 1 000 000 rows, best of 7
    python benchmarks/bench_sql.py --lignes 200000 --sans-python

The rows come from benchmarks/synth.py (deterministic, 2020-2025, written once under
benchmarks/data/). The hand-written query is what an analyst would type: it reads the CSV
with DuckDB's type detection and computes, per year, each indicator's figure; it checks
nothing and accounts for no row. The engine does all the evaluator does (every row
converted and validated as the Python path would, rejections, evidence, verdicts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

import indicateurs

HAND_QUERY = """
SELECT
    year(CAST(date AS DATE)) AS annee,
    count(*) FILTER (WHERE type = 'espace_ecoute') AS espace_ecoute,
    count(DISTINCT personne) FILTER (WHERE type = 'prise_en_charge') AS prises_en_charge,
    count(*) FILTER (WHERE type = 'contact_extra_local') AS reseau_extra_local,
    count(*) FILTER (WHERE type = 'formation') AS formations,
    sum(CAST(participants AS INTEGER)) FILTER (WHERE type = 'formation') AS personnes_formees,
    count(*) FILTER (WHERE type = 'expertise') AS expertise,
    count(*) FILTER (WHERE type = 'participation'
                     AND "catégorie" IN ('colloque', 'formation', 'journée_étude')) AS participations,
    count(*) FILTER (WHERE type = 'constat') AS constats,
    count(*) FILTER (WHERE type = 'recommandation') AS recommandations,
    count(*) FILTER (WHERE type = 'concertation' AND instance = 'groupe_autorités') AS groupes_travail,
    count(*) FILTER (WHERE type = 'concertation' AND instance = 'csil') AS csil,
    count(*) FILTER (WHERE type = 'concertation' AND instance = 'cellule_police') AS contacts_police,
    count(*) FILTER (WHERE type = 'projet') AS projets
FROM {source}
WHERE CAST(date AS DATE) BETWEEN DATE '2020-01-01' AND DATE '2025-12-31'
GROUP BY ALL
ORDER BY annee
"""

YEARLY = {
    "prises_en_charge": "prises_en_charge",
    "formations": "formations",
    "personnes_formees": "personnes_formees",
    "participations": "participations",
    "groupes_travail": "groupes_travail",
    "csil": "csil",
    "contacts_police": "contacts_police",
    "projets": "projets",
}


@attrs.frozen
class Runs:
    """One function's runs: wall and processor times (every thread of the process: on a shared
    machine, other work stretches wall times far more than processor times), last result."""

    walls: list[float]
    cpus: list[float]
    result: Any

    @property
    def wall(self) -> float:
        return min(self.walls)

    @property
    def cpu(self) -> float:
        return min(self.cpus)


def measure(runs: list[tuple[str, Callable[[], Any]]], repeat: int) -> dict[str, Runs]:
    """Each function once per round, `repeat` rounds (functions measured together take turns),
    each label's best times printed."""
    walls: dict[str, list[float]] = {label: [] for label, _ in runs}
    cpus: dict[str, list[float]] = {label: [] for label, _ in runs}
    out: dict[str, Any] = {}
    for _ in range(repeat):
        for label, fn in runs:
            start, start_cpu = time.perf_counter(), time.process_time()
            out[label] = fn()
            walls[label].append(time.perf_counter() - start)
            cpus[label].append(time.process_time() - start_cpu)
    measured = {label: Runs(walls[label], cpus[label], out[label]) for label, _ in runs}
    for label, r in measured.items():
        print(
            f"  {label:<48} {r.wall:8.3f} s   CPU {r.cpu:6.3f} s"
            f"   (essais : {', '.join(f'{t:.3f}' for t in r.walls)})"
        )
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lignes", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--sans-python", action="store_true", help="ne pas mesurer le chemin Python")
    args = parser.parse_args(argv)

    import duckdb

    from indicateurs.sql import evaluate_duckdb

    plan = indicateurs.load_plan(synth.PLAN)
    path = synth.csv_file(args.lignes)
    window = (synth.START, synth.END)
    print(f"{args.lignes:,} lignes : {path} ({path.stat().st_size / 1e6:.0f} Mo)".replace(",", " "))
    print(f"machine : {os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f}, duckdb {duckdb.__version__}")
    print(
        "(temps processeur : celui de tous les fils du processus, moins sensible à la charge de la machine)"
    )

    def hand_csv() -> list[Any]:
        con = duckdb.connect()
        return con.execute(HAND_QUERY.format(source="read_csv(?)"), [str(path)]).fetchall()

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])

    def hand_table() -> list[Any]:
        return con.execute(HAND_QUERY.format(source="t")).fetchall()

    def engine() -> indicateurs.PlanResult:
        return evaluate_duckdb(plan, path, period=window, as_of=synth.AS_OF)

    engine()  # a first run outside the measure: imports, caches
    print("temps (meilleur de", args.repetitions, "essais) :")
    table_label = "requête DuckDB écrite à la main (table en mémoire)"
    table = measure([(table_label, hand_table)], args.repetitions)[table_label]
    # The CSV query and the engine take turns, pair after pair: the speed of a shared machine
    # drifts, and two blocks measured one after the other would carry that drift into the ratio.
    hand_label, engine_label = "requête DuckDB écrite à la main (CSV)", "indicateurs --moteur duckdb (CSV)"
    pairs = measure([(hand_label, hand_csv), (engine_label, engine)], args.repetitions)
    hand, eng = pairs[hand_label], pairs[engine_label]
    rows, result = hand.result, eng.result

    # The engine's figures are the hand query's.
    columns = [d[0] for d in con.execute(HAND_QUERY.format(source="t")).description]
    by_year = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    for ident, column in YEARLY.items():
        for period in result.indicator(ident).periods:
            expected = by_year[int(period.label)][column] or 0
            assert period.value == expected, (ident, period.label, period.value, expected)
    print("  chiffres identiques à ceux de la requête écrite à la main : oui")

    print("rapports (temps mur ; temps processeur) :")
    print(
        f"  moteur duckdb / requête à la main (CSV)         {eng.wall / hand.wall:6.2f} x ;"
        f" {eng.cpu / hand.cpu:5.2f} x   (objectif ≤ 1,5)"
    )
    walls = [e / h for e, h in zip(eng.walls, hand.walls, strict=True)]
    cpus = [e / h for e, h in zip(eng.cpus, hand.cpus, strict=True)]
    print(
        f"  moteur duckdb / requête à la main (CSV), essai par essai : médiane {statistics.median(walls):.2f} x ;"
        f" {statistics.median(cpus):.2f} x   (de {min(walls):.2f} à {max(walls):.2f} x en temps mur)"
    )
    print(f"  moteur duckdb / requête à la main (table)       {eng.wall / table.wall:6.2f} x")
    if not args.sans_python:
        label = "chemin Python (indicateurs.evaluate)"
        python = measure(
            [(label, lambda: indicateurs.evaluate(plan, str(path), period=window, as_of=synth.AS_OF))], 1
        )[label]
        same = python.result.to_dict() == result.to_dict()
        print(
            f"  chemin Python / moteur duckdb                   {python.wall / eng.wall:6.2f} x ;"
            f" {python.cpu / eng.cpu:5.2f} x plus lent"
        )
        print(f"  résultat identique au chemin Python : {'oui' if same else 'NON'}")
        if not same:
            return 1
    print(f"date : {dt.datetime.now():%Y-%m-%d %H:%M}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
