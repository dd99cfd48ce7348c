"""Loading a large plan: 1,000 indicators parsed, assembled, checked, then compiled for evaluation.

    python benchmarks/bench_plan_load.py [--indicators 1000] [--repeat 5] [--profile]

The plan is generated: the ten event types of plans/molenbeek-2023.plan, then sectors,
strategic and operational objectives and expected results, with indicators cycling through
every kind of expression the language has (counts with conditions, distinct, sums, averages
with `entre`, shares, ratios, deadlines, every period, monitored values, references).

Times: `load_plan(text)` (parse, assemble, checks: the plan an officer loads), the first one
in the process apart (it also loads the grammar), then the best of --repeat; then
`CompiledPlan` (slots and closures) and the generation of the evaluation pass. The target,
< 0.3 s, is for `load_plan`. --profile prints where the time goes (cProfile).

    python benchmarks/bench_plan_load.py --against REV [--repeat 15]

measures a change of the parser instead: `load_plan` and `parse_statements` with
src/indicateurs/parse.py as it was at git revision REV and as it is now, alternately in this
process (one Lark parser for both), best of --repeat each.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

TARGET_SECONDS = 0.3

EXPRESSIONS = (
    "nombre(concertation où instance = csil) >= 3 par an",
    "distinct(prise_en_charge.personne) >= {n} par an",
    "somme(formation.participants) >= {n} par trimestre",
    "existe(constat) avant le 30/06/2023",
    "nombre(participation où catégorie dans [colloque, formation, journée_étude]) >= 3 par semestre",
    "part(prise_en_charge où forme = familiale) >= 30 %",
    "moyenne(formation.participants) entre 5 et 15",
    "nombre(projet où participants >= 10 et non (titre = « Fête »)) >= 2 par mois",
    "suivi nombre(expertise) par mois",
    "{ref} et existe(recommandation)",
)


def plan_text(indicators: int) -> str:
    """A plan of `indicators` indicators, 10 per operational objective."""
    molenbeek = synth.PLAN.read_text(encoding="utf-8")
    head = molenbeek[: molenbeek.index("\nsecteur d'activité 1 ")]  # header and event types
    lines = [head]
    count = 0
    sector = 0
    while count < indicators:
        sector += 1
        lines.append(f"secteur d'activité {sector} « Secteur {sector} »")
        lines.append(f"  objectif général « Objectif général {sector} »")
        for strategic in range(1, 6):
            lines.append(
                f"    objectif stratégique {sector}.{strategic} « Objectif stratégique {sector}.{strategic} »"
            )
            lines.append("      pôle « Radicalisme »")
            for operational in range(1, 5):
                number = f"{sector}.{strategic}.{operational}"
                lines.append(f"        objectif opérationnel {number} « Objectif opérationnel {number} »")
                lines.append(f"          résultat attendu « Résultat {number} »")
                for _ in range(10):
                    if count >= indicators:
                        break
                    template = EXPRESSIONS[count % len(EXPRESSIONS)]
                    if "{ref}" in template and count < 10:
                        template = EXPRESSIONS[0]
                    expr = template.format(n=count % 7 + 2, ref=f"i{count - 7}")
                    lines.append(
                        f"            indicateur i{count} « Indicateur {count} : >= {count % 7 + 2}/an »"
                    )
                    lines.append(f"              {expr}")
                    if count % 3 == 0:
                        lines.append("              unité « actions »")
                    count += 1
    return "\n".join(lines) + "\n"


def best_of(repeat: int, fn: object) -> tuple[float, float]:
    """The best wall-clock time and the best CPU time of `repeat` calls."""
    assert callable(fn)
    wall = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def against(revision: str, text: str, repeat: int) -> None:
    """`load_plan` with the parser of `revision` against today's, alternately, in this process."""
    import indicateurs
    from indicateurs import loader, parse

    old = synth.module_at(revision, "parse.py", "_parse_then")
    old.parser = parse.parser  # type: ignore[attr-defined]  # one Lark parser (and grammar) for both
    if old.parse_statements(text, "p") != parse.parse_statements(text, "p"):
        raise SystemExit("the two parsers give different statements")
    modules = {revision: old, "now": parse}

    def load(module: object) -> None:
        loader.parse_statements = module.parse_statements  # type: ignore[attr-defined]
        indicateurs.load_plan(text)

    def statements(module: object) -> None:
        module.parse_statements(text, "p")  # type: ignore[attr-defined]

    try:
        for label, work in (("load_plan", load), ("parse_statements", statements)):
            best = {name: (float("inf"), float("inf")) for name in modules}
            for _ in range(repeat):
                for name, module in modules.items():
                    gc.collect()
                    wall, cpu = best_of(1, functools.partial(work, module))
                    best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
            (then_wall, then_cpu), (now_wall, now_cpu) = best[revision], best["now"]
            print(
                f"  {label:18} CPU {then_cpu * 1e3:6.1f} ms -> {now_cpu * 1e3:6.1f} ms ({now_cpu / then_cpu:.3f}x)"
                f"   wall {then_wall * 1e3:6.1f} ms -> {now_wall * 1e3:6.1f} ms ({now_wall / then_wall:.3f}x)",
                flush=True,
            )
    finally:
        loader.parse_statements = parse.parse_statements  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--against", metavar="REV", help="the parser of git revision REV against today's")
    args = parser.parse_args()
    text = plan_text(args.indicators)
    if args.against:
        print(
            f"{args.indicators} indicators, parse.py of {args.against} against today's, best of {args.repeat}"
        )
        against(args.against, text, args.repeat)
        return

    started = time.perf_counter()
    import indicateurs
    from indicateurs import compile as compile_module
    from indicateurs.compile import CompiledPlan

    imported = time.perf_counter() - started
    started = time.perf_counter()
    plan = indicateurs.load_plan(text)
    first = time.perf_counter() - started
    assert len(plan.indicators) == args.indicators, len(plan.indicators)
    print(
        f"{args.indicators} indicators, {len(text.splitlines())} lines, {len(text) / 1e3:.0f} kB of plan text"
    )
    print(f"  import indicateurs                               {imported:7.3f} s")
    print(f"  load_plan, first in the process (grammar too)    {first:7.3f} s")
    print("                                                      wall       CPU")
    warm, warm_cpu = best_of(args.repeat, lambda: indicateurs.load_plan(text))
    print(f"  load_plan: parse, assemble, check                {warm:7.3f} s {warm_cpu:7.3f} s")
    compiled, compiled_cpu = best_of(args.repeat, lambda: CompiledPlan(plan))
    print(f"  CompiledPlan: slots and value closures           {compiled:7.3f} s {compiled_cpu:7.3f} s")

    def generate() -> None:
        compile_module._compiled.cache_clear()  # as for a plan never seen in this process
        CompiledPlan(plan).run(numbered=True)

    generated, generated_cpu = best_of(args.repeat, generate)
    print(f"  CompiledPlan + generated pass                    {generated:7.3f} s {generated_cpu:7.3f} s")
    source = CompiledPlan(plan).pass_source()
    print(f"  (the pass: {len(source.splitlines())} lines of generated Python)")
    verdict = "met" if warm < TARGET_SECONDS else "NOT met"
    print(f"target load_plan < {TARGET_SECONDS} s: {warm:.3f} s wall ({warm_cpu:.3f} s CPU) {verdict}")
    print(f"      load_plan + compilation for evaluation: {warm + generated:.3f} s")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(3):
            indicateurs.load_plan(text)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.strip_dirs()
        print("\nload_plan x3, by own time:")
        stats.sort_stats("tottime").print_stats(20)
        print("\nload_plan x3, by cumulative time:")
        stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
