"""Écrit les fichiers d'exemple : le journal d'activités 2023 du service de prévention de
Molenbeek-Saint-Jean (fictif), tel qu'un tableur l'exporte, et sa correspondance.

    python exemples/generer_exemples.py [dossier]

Le tirage est fixé (graine 2023) : relancer le script redonne les mêmes fichiers, octet pour
octet. Les volumes sont choisis pour que certains indicateurs du plan
plans/molenbeek-2023.plan soient atteints et d'autres non (voir exemples/README.md), et
quelques lignes sont abîmées exprès.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

SEED = 2023
YEAR = 2023
FIXED_TIME = dt.datetime(2024, 1, 15, 9, 0, 0)

# Colonnes du tableur, avec le nom du plan que la correspondance leur donne (None : non utilisée).
COLUMNS: list[tuple[str, str | None]] = [
    ("N° fiche", "id"),
    ("Date de l'activité", "date"),
    ("Type d'activité", "type"),
    ("Code personne", "personne"),
    ("Forme du suivi", "forme"),
    ("Service contacté", "service"),
    ("Nombre de participants", "participants"),
    ("Public", "public"),
    ("Catégorie", "catégorie"),
    ("Intitulé", "intitulé"),
    ("Instance", "instance"),
    ("Titre du projet", "titre"),
    ("Lieu", "lieu"),
    ("Sujet", "sujet"),
    ("Destinataire", "destinataire"),
    ("Encodé par", None),
    ("Remarques", None),
]
HEADERS = [name for name, _ in COLUMNS]
PLAN_NAME = dict(COLUMNS)

# Types d'activité du tableur → types d'événements du plan.
TYPES = {
    "Permanence espace d'écoute": "espace_ecoute",
    "Suivi individuel": "prise_en_charge",
    "Entretien familial": "prise_en_charge",
    "Contact extra-local": "contact_extra_local",
    "Formation collective": "formation",
    "Sensibilisation professionnels": "formation",
    "Supervision / intervision": "expertise",
    "Documentation": "expertise",
    "Participation colloque / formation": "participation",
    "Constat de terrain": "constat",
    "Recommandation": "recommandation",
    "Réunion de coordination": "concertation",
    "Projet collectif": "projet",
}
IGNORED_TYPES = ["Réunion d'équipe", "Tâches administratives"]
INSTANCES = {
    "Groupe de travail SPF Intérieur": "groupe_autorités",
    "Groupe de travail Région bruxelloise": "groupe_autorités",
    "CSIL-R zone Bruxelles-Ouest": "csil",
    "Cellule radicalisation police": "cellule_police",
    "Réseau local de prévention": "autre",
}
CATEGORIES = {"Journée d'étude": "journée_étude", "Webinaire": "autre"}
FORMES = {"Individuelle": "individuelle", "Familiale": "familiale"}

STAFF = ["S. El Amrani", "J. Peeters", "M. Dubois", "K. Benali"]
LIEUX = ["Antenne Maritime", "Maison de quartier Heyvaert", "Rue du Comte de Flandre 20"]


def _day(rng: random.Random, month: int, first: int = 1, last: int = 28) -> dt.date:
    """A working day of the month."""
    while True:
        day = dt.date(YEAR, month, rng.randint(first, last))
        if day.weekday() < 5:
            return day


def activities(rng: random.Random) -> list[dict[str, Any]]:
    """The log, in date order. Each row: the sheet's columns, dates as `datetime.date`; a key
    `_date_texte` replaces the date by text (a date no calendar has), `_date_jsonl` gives the
    JSONL's spelling of a bad date."""
    rows: list[dict[str, Any]] = []

    def add(day: dt.date, kind: str, **cells: Any) -> dict[str, Any]:
        row = {"Date de l'activité": day, "Type d'activité": kind, "Encodé par": rng.choice(STAFF), **cells}
        rows.append(row)
        return row

    # Espace d'écoute : deux permanences par mois (indicateur Oui/Non : atteint).
    for month in range(1, 13):
        add(_day(rng, month, 1, 14), "Permanence espace d'écoute", Lieu=rng.choice(LIEUX))
        add(_day(rng, month, 15, 28), "Permanence espace d'écoute", Lieu=rng.choice(LIEUX))

    # Prises en charge : 12 personnes suivies en 2023, de 3 à 6 entretiens chacune (distinct = 12 ≥ 10).
    for n in range(1, 13):
        code = f"P-23{n:02d}"
        familial = n in (4, 9)
        start = rng.randint(1, 7)
        for month in sorted(rng.sample(range(start, 13), rng.randint(3, min(6, 13 - start)))):
            add(
                _day(rng, month),
                "Entretien familial" if familial else "Suivi individuel",
                **{"Code personne": code, "Forme du suivi": "Familiale" if familial else "Individuelle"},
            )
    # Une personne suivie seulement en 2022 et un entretien de janvier 2024 : hors période.
    add(
        dt.date(2022, 12, 14),
        "Suivi individuel",
        **{"Code personne": "P-2213", "Forme du suivi": "Individuelle"},
    )
    add(
        dt.date(2024, 1, 5),
        "Suivi individuel",
        **{"Code personne": "P-2305", "Forme du suivi": "Individuelle"},
    )
    # Ligne abîmée : entretien sans code personne (champ obligatoire manquant).
    add(
        dt.date(2023, 6, 12),
        "Suivi individuel",
        **{"Forme du suivi": "Individuelle", "Remarques": "Code à compléter ; voir dossier papier"},
    )

    # Réseau extra-local : 7 contacts.
    services = ["CAPREV (FWB)", "Maison de justice de Bruxelles", "Réseau RAR Vilvoorde", "BPS Coordination"]
    for month in (2, 3, 5, 6, 9, 10, 11):
        add(_day(rng, month), "Contact extra-local", **{"Service contacté": rng.choice(services)})

    # Formations : 4 valables (nombre 4 ≥ 2 ; participants 56 ≥ 5), et deux lignes abîmées.
    publics = [
        "Enseignants du secondaire",
        "Éducateurs de rue",
        "Agents de prévention",
        "Travailleurs sociaux CPAS",
    ]
    for month, participants in ((3, 14), (5, 9), (10, 22), (11, 11)):
        add(
            _day(rng, month),
            rng.choice(["Formation collective", "Sensibilisation professionnels"]),
            **{"Nombre de participants": participants, "Public": rng.choice(publics)},
        )
    add(
        dt.date(2023, 4, 20),
        "Formaton collective",
        **{"Nombre de participants": 8, "Public": "Animateurs jeunesse"},
    )
    add(
        dt.date(2023, 9, 14),
        "Formation collective",
        **{"Nombre de participants": "douze", "Public": "Enseignants du primaire"},
    )

    # Expertise : 6 actions.
    sujets = [
        "Supervision clinique",
        "Intervision régionale",
        "Lecture : rapport OCAM",
        "Mise à jour de la documentation",
    ]
    for month in (1, 3, 4, 7, 9, 12):
        add(
            _day(rng, month),
            rng.choice(["Supervision / intervision", "Documentation"]),
            Sujet=rng.choice(sujets),
        )

    # Participations : 2 dans les catégories comptées (colloque, journée d'étude) sur 5 (2 < 3).
    for month, category, title in (
        (2, "Colloque", "Colloque « Polarisation et jeunesse »"),
        (4, "Webinaire", "Webinaire EFUS"),
        (6, "Journée d'étude", "Journée d'étude RAN Belgique"),
        (8, "Autre", "Visite d'étude à Malines"),
        (10, "Webinaire", "Webinaire BELSPO"),
    ):
        add(
            _day(rng, month),
            "Participation colloque / formation",
            **{"Catégorie": category, "Intitulé": title},
        )

    # Constats : 5, et un sixième daté du mauvais siècle.
    for month in (2, 5, 7, 10, 12):
        add(
            _day(rng, month),
            "Constat de terrain",
            Sujet=rng.choice(["Écoles", "Clubs sportifs", "Réseaux sociaux"]),
        )
    add(
        dt.date(2023, 3, 15),
        "Constat de terrain",
        Sujet="Mosquées et associations",
        _date_texte="15/03/1923",
        _date_jsonl="1923-03-15",
        _date_xlsx=dt.datetime(1923, 3, 15),
    )

    # Recommandations : 3.
    for month, to in ((4, "Collège des bourgmestre et échevins"), (9, "Service jeunesse"), (12, "CSIL-R")):
        add(_day(rng, month), "Recommandation", Destinataire=to)

    # Concertation : 4 groupes de travail, 2 CSIL (2 < 3), 6 contacts police, 5 autres.
    meetings = (
        [rng.choice(list(INSTANCES)[:2]) for _ in range(4)]
        + ["CSIL-R zone Bruxelles-Ouest"] * 2
        + ["Cellule radicalisation police"] * 6
        + ["Réseau local de prévention"] * 5
    )
    for i, instance in enumerate(meetings):
        add(_day(rng, 1 + (i * 7) % 12), "Réunion de coordination", Instance=instance)

    # Projets : 7 (7 < 10), et un huitième à la date impossible.
    titles = [
        "Ateliers théâtre-forum",
        "Club de boxe éducative",
        "Podcast « Nos quartiers »",
        "Fresque participative",
        "Groupe de parole des mères",
        "Tournoi de mini-foot interquartiers",
        "Ateliers d'écriture",
    ]
    for month, title in zip((2, 3, 4, 6, 7, 9, 11), titles, strict=True):
        add(
            _day(rng, month),
            "Projet collectif",
            **{"Titre du projet": title, "Nombre de participants": rng.randint(8, 30)},
        )
    add(
        dt.date(2023, 2, 28),
        "Projet collectif",
        **{"Titre du projet": "Sortie au Parlement européen", "Nombre de participants": 15},
        _date_texte="31/02/2023",
        _date_jsonl="2023-02-31",
        _date_xlsx="31/02/2023",
    )

    # Activités sans indicateur, que la correspondance écarte.
    for month in range(1, 13):
        add(_day(rng, month), "Réunion d'équipe")
    for month in (1, 3, 4, 6, 8, 9, 11, 12):
        add(
            _day(rng, month), "Tâches administratives", Remarques="Rapport d'activités\nClassement des fiches"
        )
    add(dt.date(2024, 1, 9), "Permanence espace d'écoute", Lieu=LIEUX[0])

    rows.sort(key=lambda r: r["Date de l'activité"])
    for number, row in enumerate(rows, start=1):
        row["N° fiche"] = number
    # Une ligne laissée vide au milieu du tableau (le 1er juillet).
    middle = next(i for i, r in enumerate(rows) if r["Date de l'activité"] >= dt.date(2023, 7, 1))
    rows.insert(middle, {})
    return rows


def _csv_date(row: dict[str, Any]) -> str:
    day: dt.date = row["Date de l'activité"]
    return str(row.get("_date_texte") or day.strftime("%d/%m/%Y"))


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Comme Excel l'enregistre en « CSV (séparateur : point-virgule) » : cp1252, `;`, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        if not row:
            out.write("\r\n")
            continue
        cells = []
        for name in HEADERS:
            value = _csv_date(row) if name == "Date de l'activité" else row.get(name, "")
            cells.append(value)
        writer.writerow(cells)
    path.write_bytes(out.getvalue().encode("cp1252"))


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    """Le même tableau dans un classeur : une feuille de consignes, puis « Activités »."""
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "Mode d'emploi"
    guide.append(["Une ligne par activité. Dates au format JJ/MM/AAAA. Ne pas modifier les en-têtes."])
    sheet = wb.create_sheet("Activités")
    sheet.append(HEADERS)
    for row in rows:
        if not row:
            sheet.append([])
            continue
        values = []
        for name in HEADERS:
            if name == "Date de l'activité":
                value = row.get("_date_xlsx") or dt.datetime.combine(row[name], dt.time())
            else:
                value = row.get(name)
            values.append(value)
        sheet.append(values)
    for cell in sheet["B"][1:]:
        if isinstance(cell.value, dt.datetime):
            cell.number_format = "DD/MM/YYYY"
    wb.properties.creator = "Service prévention"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps, so that two runs give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                start = text.find("<dcterms:modified")
                end = text.find("</dcterms:modified>")
                if start != -1 and end != -1:
                    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
                    text = text[:start] + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}' + text[end:]
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content)
    return out.getvalue()


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> None:
    """Le même journal exporté d'une base : noms du plan, dates ISO ; les types sans
    indicateur gardent leur nom du tableur (la correspondance les écarte)."""
    lines = []
    values = {"type": TYPES, "instance": INSTANCES, "catégorie": CATEGORIES, "forme": FORMES}
    for row in rows:
        if not row:
            lines.append("")
            continue
        record: dict[str, Any] = {}
        for name in HEADERS:
            key = PLAN_NAME[name]
            value = row.get(name)
            if key is None or value is None:
                continue
            if key == "date":
                value = row.get("_date_jsonl") or value.isoformat()
            elif key in values:
                table = values[key]
                value = table.get(value, value.lower() if key == "catégorie" else value)
            record[key] = value
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_mapping(path: Path) -> None:
    lines = [
        "# Correspondance entre le journal d'activités du service de prévention et le plan",
        "# plans/molenbeek-2023.plan. Les noms de colonnes et les valeurs sont comparés sans",
        "# tenir compte des majuscules, des accents ni des espaces.",
        "",
        "[fichier]",
        "# Facultatif : sans ces lignes, le séparateur et l'encodage sont détectés.",
        'delimiter = ";"',
        'encoding = "cp1252"',
        'feuille = "Activités"',
        "",
        "[colonnes]",
        "# colonne du tableur = nom dans le plan ; « Encodé par » et « Remarques » ne servent pas.",
    ]
    lines += [f"{_toml_string(name)} = {_toml_string(target)}" for name, target in COLUMNS if target]
    lines += ["", "[valeurs.type]", "# type d'activité du tableur = type d'événement du plan"]
    lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in TYPES.items()]
    lines += ["", "[valeurs.instance]"]
    lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in INSTANCES.items()]
    lines += [
        "",
        '[valeurs."catégorie"]',
        "# « Colloque », « Formation » et « Autre » sont déjà des valeurs du plan.",
    ]
    lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in CATEGORIES.items()]
    lines += ["", "[types]", "# activités sans indicateur : lignes comptées comme ignorées"]
    lines += ["ignorer = [" + ", ".join(_toml_string(t) for t in IGNORED_TYPES) + "]", ""]
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    rows = activities(random.Random(SEED))
    write_csv(rows, folder / "activites-2023.csv")
    write_xlsx(rows, folder / "activites-2023.xlsx")
    write_jsonl(rows, folder / "activites-2023.jsonl")
    write_mapping(folder / "correspondance.toml")
    print(f"{len(rows)} lignes écrites dans {folder}")


if __name__ == "__main__":
    main(sys.argv)
