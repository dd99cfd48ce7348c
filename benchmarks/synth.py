"""Deterministic synthetic events for plans/molenbeek-2023.plan, shared by the benchmarks.

Every one of the plan's ten event types occurs, dated 2020-01-01..2025-12-31 (the benchmarks
evaluate the plan over that window with `period=(2020-01-01, 2025-12-31)`, not its own 2023).
Rows are what a spreadsheet export holds: ISO date strings, numbers as written, some optional
fields left empty. The same seed always gives the same rows, in memory and on disk.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import random
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "molenbeek-2023.plan"
DATA = Path(__file__).resolve().parent / "data"
START, END = dt.date(2020, 1, 1), dt.date(2025, 12, 31)
AS_OF = dt.date(2026, 1, 1)
YEARS = tuple(range(START.year, END.year + 1))

# (type, weight): follow-ups and meetings dominate, as in real activity logs.
TYPES = (
    ("prise_en_charge", 30),
    ("concertation", 20),
    ("participation", 10),
    ("formation", 8),
    ("projet", 8),
    ("constat", 6),
    ("recommandation", 6),
    ("expertise", 4),
    ("contact_extra_local", 4),
    ("espace_ecoute", 4),
)
COLUMNS = (
    "type",
    "date",
    "lieu",
    "personne",
    "forme",
    "service",
    "participants",
    "public",
    "sujet",
    "catégorie",
    "intitulé",
    "destinataire",
    "instance",
    "titre",
)
PERSONS = 40_000
CATEGORIES = ("colloque", "formation", "journée_étude", "autre")
INSTANCES = ("groupe_autorités", "csil", "cellule_police", "autre")


def records(n: int, seed: int = 2023) -> Iterator[dict[str, object]]:
    """`n` rows as dicts: type, date (ISO text) and the type's own fields only."""
    rng = random.Random(seed)
    names = [t for t, _ in TYPES]
    weights = [w for _, w in TYPES]
    days = (END - START).days + 1
    dates = [(START + dt.timedelta(days=i)).isoformat() for i in range(days)]
    batch = 4096
    done = 0
    while done < n:
        size = min(batch, n - done)
        kinds = rng.choices(names, weights, k=size)
        for kind in kinds:
            row: dict[str, object] = {"type": kind, "date": dates[rng.randrange(days)]}
            if kind == "prise_en_charge":
                row["personne"] = f"P{rng.randrange(PERSONS):05d}"
                row["forme"] = "familiale" if rng.random() < 0.3 else "individuelle"
            elif kind == "concertation":
                row["instance"] = INSTANCES[rng.randrange(4)]
            elif kind == "participation":
                row["catégorie"] = CATEGORIES[rng.randrange(4)]
                if rng.random() < 0.5:
                    row["intitulé"] = f"Journée {rng.randrange(100)}"
            elif kind == "formation":
                row["participants"] = str(rng.randrange(1, 40))
                if rng.random() < 0.5:
                    row["public"] = "éducateurs"
            elif kind == "projet":
                row["titre"] = f"Projet {rng.randrange(300)}"
                if rng.random() < 0.5:
                    row["participants"] = str(rng.randrange(5, 60))
            elif kind == "contact_extra_local":
                row["service"] = ("CAPREV", "Réseau Radicalisme", "BIP")[rng.randrange(3)]
            elif kind in ("constat", "expertise") and rng.random() < 0.5:
                row["sujet"] = "réseaux sociaux"
            elif kind == "recommandation" and rng.random() < 0.5:
                row["destinataire"] = "échevin"
            elif kind == "espace_ecoute" and rng.random() < 0.5:
                row["lieu"] = "Maison de quartier"
            yield row
        done += size


def write_csv(path: Path, n: int, seed: int = 2023) -> Path:
    """Stream `n` rows to a CSV file (comma-separated, UTF-8, header first); nothing held in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, restval="")
        writer.writeheader()
        for row in records(n, seed):
            writer.writerow(row)
    tmp.replace(path)
    return path


def csv_file(n: int, seed: int = 2023) -> Path:
    """The CSV file of `n` rows under benchmarks/data/, written once and reused."""
    path = DATA / f"molenbeek-{n}-{seed}.csv"
    if not path.exists():
        write_csv(path, n, seed)
    return path


def module_at(revision: str, path: str, name: str) -> Any:
    """`path` (under src/indicateurs/) as it was at a git revision, imported as `indicateurs.<name>`
    so that its relative imports resolve against today's package."""
    text = subprocess.run(
        ["git", "show", f"{revision}:src/indicateurs/{path}"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="indicateurs-bench-"))
    (folder / Path(path).name).write_bytes(text)
    spec = importlib.util.spec_from_file_location(f"indicateurs.{name}", folder / Path(path).name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
