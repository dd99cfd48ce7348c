"""The column mapping: the TOML format, matching without case or accents, value translations,
ignored types, and errors that name the file and the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import attrs
import pytest

import indicateurs
from indicateurs.events import SkippedRow
from indicateurs.sources import (
    ColumnMapping,
    MappingError,
    SourceWarning,
    load_mapping,
    read_csv,
    read_jsonl,
    read_xlsx,
)

AS_OF = dt.date(2024, 1, 15)

PLAN = """
plan « Essai de la correspondance »
période 2023
événement concertation « Réunion »
    instance : groupe_autorités | csil | autre
événement formation « Formation »
    participants : entier
événement participation « Participation »
    catégorie : colloque | journée_étude | autre
indicateur csil « CSIL »
    nombre(concertation où instance = csil) >= 2 par an
indicateur groupes « Groupes de travail »
    nombre(concertation où instance = groupe_autorités) >= 1 par an
indicateur formes « Personnes formées »
    somme(formation.participants) >= 5 par an
indicateur journees « Journées d'étude »
    nombre(participation où catégorie = journée_étude) >= 1 par an
"""

MAPPING = """
# correspondance d'essai
[fichier]
delimiter = ";"
encoding = "cp1252"
format_date = "%d/%m/%Y"

[colonnes]
"Date de l'activité" = "date"
"Type d'activité" = "type"
"Nombre de participants" = "participants"
"Réunion (instance)" = "instance"

[valeurs.type]
"Réunion de coordination" = "concertation"
"Formation collective" = "formation"
"Participation colloque" = "participation"

[valeurs.instance]
"CSIL-R" = "csil"
"Groupe de travail SPF Intérieur" = "groupe_autorités"

[valeurs."catégorie"]
"Journée d'étude" = "journée_étude"

[types]
ignorer = ["Réunion d'équipe", "Congé"]
"""

ROWS = [
    "Date de l'activité;Type d'activité;Nombre de participants;Réunion (instance);Catégorie;Remarque",
    "01/03/2023;Réunion de coordination;;CSIL-R;;",
    "02/03/2023;  réunion   de COORDINATION ;;csil-r;;",  # other case and spacing
    "03/03/2023;Reunion de coordination;;Groupe de travail SPF Interieur;;sans accents",
    "04/03/2023;Formation collective;7;;;",
    "05/03/2023;Réunion d'équipe;;;;",
    "06/03/2023;CONGÉ;;;;",
    "07/03/2023;Participation colloque;;;Journée d'étude;",
]


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "correspondance.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "journal.csv"
    path.write_bytes("\r\n".join(ROWS).encode("cp1252") + b"\r\n")
    return path


def test_load_mapping(mapping_file: Path) -> None:
    mapping = load_mapping(mapping_file)
    assert isinstance(mapping, ColumnMapping)
    assert mapping.delimiter == ";"
    assert mapping.encoding == "cp1252"
    assert mapping.date_format == "%d/%m/%Y"
    assert mapping.sheet is None
    assert mapping.target("DATE DE L'ACTIVITE") == "date"
    assert mapping.target("  Type   d’activité ") == "type"  # typographic apostrophe, spaces
    assert mapping.target("Remarque") is None
    assert mapping.file == str(mapping_file)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mapping.delimiter = ","  # type: ignore[misc]
    with pytest.raises(TypeError):
        mapping.columns["x"] = "y"  # type: ignore[index]
    assert mapping == load_mapping(mapping_file)
    assert len({mapping, load_mapping(mapping_file)}) == 1


def test_mapping_applied_to_a_csv(mapping_file: Path, log_file: Path) -> None:
    result = indicateurs.evaluate(PLAN, read_csv(log_file, mapping=mapping_file), as_of=AS_OF)
    assert (result.read, result.used, result.ignored, result.rejected) == (7, 5, 2, 0)
    assert dict(result.sources[0].ignored_reasons) == {"ignore_par_correspondance": 2}
    assert result.indicator("csil").value == 2
    assert result.indicator("groupes").value == 1
    assert result.indicator("formes").value == 7
    assert result.indicator("journees").value == 1  # `Catégorie` found as the plan's `catégorie`


def test_records_carry_plan_names_and_unmapped_columns(mapping_file: Path, log_file: Path) -> None:
    rows = list(read_csv(log_file, mapping=mapping_file).rows())
    number, first = rows[0]
    assert number == 2
    assert first == {
        "date": dt.datetime(2023, 3, 1),  # read with the mapping's date format
        "type": "concertation",
        "participants": "",
        "instance": "csil",
        "catégorie": "",
        "Remarque": "",
    }
    assert rows[4] == (6, SkippedRow("ignore_par_correspondance"))
    assert rows[5] == (7, SkippedRow("ignore_par_correspondance"))


def test_same_mapping_for_a_workbook(tmp_path: Path, mapping_file: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in ROWS:
        ws.append([cell or None for cell in line.split(";")])
    ws["A2"] = dt.datetime(2023, 3, 1)  # a real date: the date format does not touch it
    wb.save(tmp_path / "journal.xlsx")
    result = indicateurs.evaluate(
        PLAN, read_xlsx(tmp_path / "journal.xlsx", mapping=mapping_file), as_of=AS_OF
    )
    assert (result.read, result.used, result.ignored, result.rejected) == (7, 5, 2, 0)
    assert result.indicator("csil").value == 2


def test_mapping_for_jsonl_renames_keys(tmp_path: Path, mapping_file: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"Date de l\'activité": "01/03/2023", "Type d\'activité": "Réunion de coordination", "Instance": "CSIL-R"}\n'
        '{"date": "02/03/2023", "type": "concertation", "instance": "csil"}\n'
        '{"date": "03/03/2023", "type": "Congé"}\n',
        encoding="utf-8",
    )
    result = indicateurs.evaluate(PLAN, read_jsonl(path, mapping=mapping_file), as_of=AS_OF)
    assert (result.read, result.used, result.ignored, result.rejected) == (3, 2, 1, 0)
    assert result.indicator("csil").value == 2


def test_mapping_as_a_dict_with_english_keys(log_file: Path) -> None:
    mapping = {
        "file": {"delimiter": ";", "date_format": "%d/%m/%Y"},
        "columns": {
            "date de l'activite": "date",
            "type d'activite": "type",
            "reunion (instance)": "instance",
        },
        "values": {
            "type": {"reunion de coordination": "concertation"},
            "instance": {"csil-r": "csil", "groupe de travail spf interieur": "groupe_autorités"},
        },
        "types": {"ignore": ["reunion d'equipe", "conge", "formation collective", "participation colloque"]},
    }
    result = indicateurs.evaluate(PLAN, read_csv(log_file, mapping=mapping), as_of=AS_OF)
    assert (result.read, result.used, result.ignored, result.rejected) == (7, 3, 4, 0)
    assert result.indicator("csil").value == 2


def test_ignored_types_match_after_translation_too(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("date;type\n01/03/2023;Réunion interne\n02/03/2023;Autre réunion\n", encoding="utf-8")
    mapping = {"valeurs": {"type": {"Réunion interne": "interne"}}, "types": {"ignorer": ["interne"]}}
    rows = [r for _, r in read_csv(path, mapping=mapping).rows()]
    assert rows == [SkippedRow("ignore_par_correspondance"), {"date": "02/03/2023", "type": "Autre réunion"}]


def test_mapped_column_wins_over_a_column_of_the_same_name(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("date;type;participants;Nb\n01/03/2023;formation;99;7\n", encoding="utf-8")
    source = read_csv(path, mapping={"colonnes": {"Nb": "participants"}})
    with pytest.warns(
        SourceWarning,
        match=re.escape(
            "seule la colonne 4 est utilisée, la colonne 3 est lue sous le nom « participants (2) »"
        ),
    ) as caught:
        rows = list(source.rows())
    assert rows == [
        (2, {"date": "01/03/2023", "type": "formation", "participants (2)": "99", "participants": "7"})
    ]
    assert len(caught) == 1


def test_two_synonyms_present_in_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Date;Date de l'activité;type\n01/03/2023;02/03/2023;formation\n", encoding="utf-8")
    source = read_csv(path, mapping={"colonnes": {"Date": "date", "Date de l'activité": "date"}})
    with pytest.warns(SourceWarning, match="seule la colonne 1 est utilisée"):
        rows = list(source.rows())
    assert rows[0][1] == {"date": "01/03/2023", "Date de l'activité (2)": "02/03/2023", "type": "formation"}


def test_a_mapping_without_the_date_column_warns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Quand;Quoi\n01/03/2023;formation\n", encoding="utf-8")
    with pytest.warns(SourceWarning, match="aucune colonne ne donne la date"):
        result = indicateurs.evaluate(
            PLAN, read_csv(path, mapping={"colonnes": {"Quoi": "type"}}), as_of=AS_OF
        )
    assert [(r.row, r.code) for r in result.rejections] == [(2, "date_manquante")]


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[colones]\n", "colones", "vouliez-vous dire « colonnes »"),
        ('[fichier]\nseparateur = ";;"\n', "fichier.separateur", "un seul caractère"),
        ('[fichier]\nencoding = "klingon"\n', "fichier.encoding", "encodage inconnu « klingon »"),
        ('[fichier]\nfeuile = "A"\n', "fichier.feuile", "vouliez-vous dire « feuille »"),
        ('[fichier]\nformat_date = "JJ/MM/AAAA"\n', "fichier.format_date", "sans directive"),
        ('[colonnes]\n"Date" = 3\n', "colonnes.Date", "un texte entre guillemets est attendu"),
        ('[colonnes]\n"Date" = "date de début"\n', "colonnes.Date", "n'est pas un nom du plan"),
        ('[colonnes]\n"Date" = "date"\n"DATE" = "fin"\n', "colonnes.DATE", "déjà associée à « date »"),
        ('[valeurs]\ntype = "formation"\n', "valeurs.type", "une table est attendue"),
        ('[valeurs.type]\n"A" = "x"\n"a" = "y"\n', "valeurs.type.a", "déjà traduite par « x »"),
        ('[types]\nignorer = "Congé"\n', "types.ignorer", "une liste est attendue"),
        ('[types]\nignore_types = ["Congé"]\n', "types.ignore_types", "clé inconnue"),
        ("colonnes = 3\n", "colonnes", "une table est attendue"),
    ],
)
def test_bad_mapping_names_file_and_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = tmp_path / "mauvaise.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.file == str(path)
    assert error.key == key
    assert str(error).startswith(f"{path} [{key}] : ")
    assert words in str(error)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cassee.toml"
    path.write_text('[colonnes]\n"Date = "date"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"cassee\.toml : TOML invalide"):
        load_mapping(path)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="introuvable"):
        load_mapping(tmp_path / "absente.toml")
    path = tmp_path / "a.csv"
    path.write_text("date;type\n", encoding="utf-8")
    with pytest.raises(MappingError):
        read_csv(path, mapping=tmp_path / "absente.toml")


def test_cp1252_mapping_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "windows.toml"
    path.write_bytes('[colonnes]\n"Date de l\'activité" = "date"\n'.encode("cp1252"))
    assert load_mapping(path).target("date de l'activite") == "date"
