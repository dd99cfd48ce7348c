"""Écrit les données d'exemple du programme communal de sécurité 2019-2024 (commune fictive) :
un fichier CSV par type d'activité serait plus courant, mais un seul journal montre qu'un plan
lit tout dans un même fichier, chaque ligne ne remplissant que les colonnes de son type.

    python exemples/generer_programme_securite.py [dossier]

Le tirage est fixé (graine 2019) : relancer le script redonne le même fichier, octet pour
octet. Les volumes sont choisis pour que le plan plans/programme-securite-2019-2024.plan ait
des indicateurs atteints et d'autres non (voir exemples/README.md) : taux de cambriolages sous
le plafond, baisse de 10 % par rapport à 2019 atteinte certaines années seulement, un quartier
délaissé certaines années, des délais de médiation parfois trop longs, des enquêtes tous les
deux ans, un budget sous-exécuté en 2021.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path

SEED = 2019
FIRST, LAST = 2019, 2024
FILE = "programme-securite-2019-2024.csv"
COLUMNS = ["type", "date", "fin", "quartier", "partenaire", "genre", "reçu", "clôturé", "ecole", "eleves", "montant", "valeur"]  # fmt: skip

BURGLARIES = {2019: 128, 2020: 119, 2021: 121, 2022: 112, 2023: 108, 2024: 118}
QUARTERS = ("centre", "gare", "faubourg", "plateau", "rives")
PARTNERS = ("Maison de jeunes", "AMO Le Relais", "CPAS", "Plan de cohésion sociale", "Club sportif")
SCHOOLS = ("Athénée royal", "Institut Saint-Joseph", "École communale du Centre", "École des Rives", "Collège du Plateau", "École du Faubourg")  # fmt: skip
BUDGET = {2019: 410_000, 2020: 410_000, 2021: 410_000, 2022: 445_000, 2023: 445_000, 2024: 445_000}
EXECUTION = {2019: 0.962, 2020: 0.951, 2021: 0.918, 2022: 0.973, 2023: 0.955, 2024: 0.981}
SURVEYS = {2019: 58, 2021: 63, 2023: 67}  # % of inhabitants who feel safe
AUDITS = {2019: 6.5, 2020: 6.8, 2021: 7.1, 2022: 7.4, 2023: 6.9, 2024: 7.2}  # cleanliness, out of 10


def day_in(
    rng: random.Random, year: int, start: tuple[int, int] = (1, 1), end: tuple[int, int] = (12, 31)
) -> dt.date:
    first, last = dt.date(year, *start), dt.date(year, *end)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def rows(rng: random.Random) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(kind: str, date: dt.date, **fields: str) -> None:
        out.append({"type": kind, "date": date.isoformat(), **fields})

    for year, n in BURGLARIES.items():
        for _ in range(n):
            add("cambriolage", day_in(rng, year))

    for year in range(FIRST, LAST + 1):
        # Four to six actions per neighbourhood, but « rives » is left aside in 2020 and 2023.
        for quartier in QUARTERS:
            count = 2 if quartier == "rives" and year in (2020, 2023) else rng.randint(4, 6)
            for _ in range(count):
                partner = rng.choice(PARTNERS)
                genre = rng.choice(("rue", "rue", "ecole", "festive"))
                add("action", day_in(rng, year), quartier=quartier, partenaire=partner, genre=genre)

        # Mediation: forty cases a year, most closed within 21 working days, some still open.
        slow = {2019: 4, 2020: 6, 2021: 11, 2022: 5, 2023: 3, 2024: 7}[year]
        for i in range(40):
            received = day_in(rng, year, end=(11, 30))
            if i < slow:
                closed: dt.date | None = received + dt.timedelta(days=rng.randint(35, 60))
            elif i == 39:
                closed = None  # still open at the evaluation date
            else:
                closed = received + dt.timedelta(days=rng.randint(1, 26))
            add(
                "dossier",
                received,
                reçu=received.isoformat(),
                clôturé="" if closed is None else closed.isoformat(),
            )

        # Interventions of the wardens: one to three days each, about a hundred a year.
        for _ in range(rng.randint(95, 110)):
            start = day_in(rng, year, end=(12, 28))
            add(
                "intervention",
                start,
                fin=(start + dt.timedelta(days=rng.choice((0, 1, 1, 2, 2, 3)))).isoformat(),
            )

        # Workshops in schools, from September to June.
        for _ in range(rng.randint(30, 36)):
            date = day_in(rng, year)
            if date.month in (7, 8):
                date = date.replace(month=9)
            add("atelier", date, ecole=rng.choice(SCHOOLS), eleves=str(rng.randint(18, 26)))

        # Spending: one expense a month, the year's execution spread over them.
        total = round(BUDGET[year] * EXECUTION[year], 2)
        shares = [rng.uniform(0.8, 1.2) for _ in range(12)]
        amounts = [round(total * s / sum(shares), 2) for s in shares]
        amounts[-1] = round(total - sum(amounts[:-1]), 2)
        for month, amount in enumerate(amounts, 1):
            add("depense", dt.date(year, month, 25), montant=f"{amount:.2f}".replace(".", ","))

        if year in SURVEYS:
            add("sentiment", dt.date(year, 5, 15), valeur=str(SURVEYS[year]))
        add("proprete", dt.date(year, 10, 1), valeur=f"{AUDITS[year]:.1f}".replace(".", ","))

    out.sort(key=lambda row: (row["date"], row["type"]))
    return out


def write(folder: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, delimiter=";", lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows(random.Random(SEED)))
    path = folder / FILE
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    print(write(folder))


if __name__ == "__main__":
    main(sys.argv)
