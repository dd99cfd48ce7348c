"""Peak memory while streaming a large CSV file through the evaluator.

    python benchmarks/bench_memory.py [--events 10000000]

The file (benchmarks/data/, git-ignored) is written once, row by row, from the synthetic
events of benchmarks/synth.py; it is about 55 bytes a row. Each measurement runs in a fresh
subprocess, which reports its own peak resident set size (resource.getrusage, ru_maxrss):
first the interpreter with indicateurs imported and the plan loaded (the floor), then the same
plus the whole file evaluated (plans/molenbeek-2023.plan over 2020-2025). Target: < 150 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

TARGET_MB = 150


def child(path: str | None) -> None:
    import indicateurs
    from indicateurs.sources import read_csv

    plan = indicateurs.load_plan(synth.PLAN)
    started = time.perf_counter()
    out: dict[str, float] = {}
    if path is not None:
        result = indicateurs.evaluate(
            plan, read_csv(path, delimiter=","), period=(synth.START, synth.END), as_of=synth.AS_OF
        )
        out.update(read=result.read, used=result.used, rejected=result.rejected)
        distinct = result.indicator("prises_en_charge").periods
        out["distinct_persons_2023"] = float(distinct[3].value or 0)
    out["seconds"] = time.perf_counter() - started
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps(out))


def measure(path: Path | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(path) if path else "-"]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(None if args.child == "-" else args.child)
        return
    started = time.perf_counter()
    path = synth.csv_file(args.events)
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB, ready in {time.perf_counter() - started:.0f} s)")
    floor = measure(None)
    print(f"  interpreter + indicateurs + plan loaded     peak RSS {floor['peak_mb']:7.1f} MB")
    run = measure(path)
    rate = run["read"] / run["seconds"]
    print(
        f"  + {int(run['read']):,} events streamed and evaluated   peak RSS {run['peak_mb']:7.1f} MB"
        f"   ({run['seconds']:.1f} s, {rate:,.0f} events/s)"
    )
    print(f"  growth while streaming: {run['peak_mb'] - floor['peak_mb']:.1f} MB")
    verdict = "met" if run["peak_mb"] < TARGET_MB else "NOT met"
    print(f"target peak RSS < {TARGET_MB} MB: {run['peak_mb']:.1f} MB {verdict}")


if __name__ == "__main__":
    main()
