"""The column mapping: how a real file's columns and values become the plan's names.

A mapping file is TOML, read with the standard library:

    [fichier]                      # optional: how to read the file
    delimiter = ";"                # CSV only; otherwise sniffed among ; , tab |
    encoding = "cp1252"            # CSV only; otherwise detected
    feuille = "Activités"          # XLSX only; otherwise the first sheet
    format_date = "%d/%m/%Y"       # optional strptime format of the date columns

    [colonnes]                     # source column = plan name
    "Date de l'activité" = "date"
    "Type d'activité" = "type"

    [valeurs.type]                 # per plan name: source value = plan value
    "Formation collective" = "formation"

    [types]
    ignorer = ["Réunion d'équipe"] # rows of these source types are counted as ignored

Column names and values match whatever their case, accents and spacing. Columns the mapping
does not name pass through under their own (trimmed) name, so a column already called like
the plan's field needs no line. English spellings of the keys are accepted too (`[file]`,
`[columns]`, `[values]`, `ignore`, `sheet`, `date_format`).
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from ..keywords import fold
from ..suggest import closest

_SPACES = re.compile(r"\s+")
_NAME = re.compile(r"[^\W\d]\w*$")

# Row keys the evaluator reads besides the plan's field names.
ROW_KEYS = ("type", "date", "id", "fin", "end")
DATE_KEYS = ("date", "fin", "end")

_TABLES = {"fichier": "fichier", "file": "fichier", "colonnes": "colonnes", "columns": "colonnes"}
_TABLES |= {"valeurs": "valeurs", "values": "valeurs", "types": "types"}
_FILE_KEYS = {
    "delimiter": "delimiter",
    "delimiteur": "delimiter",
    "separateur": "delimiter",
    "séparateur": "delimiter",
    "encoding": "encoding",
    "encodage": "encoding",
    "feuille": "sheet",
    "sheet": "sheet",
    "format_date": "date_format",
    "date_format": "date_format",
}
_TYPES_KEYS = {"ignorer": "ignore", "ignore": "ignore"}
_DELIMITER_WORDS = {"tab": "\t", "tabulation": "\t", "\\t": "\t"}


def norm(text: str) -> str:
    """The form in which names and values are compared: no case, no accents, single spaces."""
    return _SPACES.sub(" ", fold(text))


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""

    def __init__(self, file: str, key: str | None, message: str):
        self.file = file
        self.key = key
        self.detail = message
        where = f"{file} [{key}]" if key else file
        super().__init__(f"{where} : {message}")


def _frozen_dict(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _frozen_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _frozen_values(value: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in value.items()})


@attrs.frozen
class ColumnMapping:
    """A parsed mapping. Keys of `columns`, of each `values` table and `ignored_types` are
    normalised (`norm`); targets are plan names as written."""

    columns: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_dict, hash=False)
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict, converter=_frozen_values, hash=False)
    ignored_types: frozenset[str] = attrs.field(factory=frozenset, converter=_frozen_set)
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    date_format: str | None = None
    file: str = "<correspondance>"

    def target(self, column: str) -> str | None:
        """The plan name a source column is mapped to, if the mapping names it."""
        return self.columns.get(norm(column))

    def known_name(self, column: str) -> str | None:
        """The plan name this mapping knows (a target, a `[valeurs.X]` table or a row key) that
        an unmapped column spells with other case or accents: `Instance` for `instance`."""
        return self._known.get(norm(column))

    @property
    def _known(self) -> Mapping[str, str]:
        names = [*ROW_KEYS, *self.columns.values(), *self.values]
        return {norm(n): n for n in names}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], file: str = "<correspondance>") -> ColumnMapping:
        """A mapping from the parsed TOML (or an equivalent dict), checked key by key."""
        return _build(data, file)


def load_mapping(path: str | os.PathLike[str]) -> ColumnMapping:
    """Read and check a TOML mapping file; raise `MappingError` naming the file and the key."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise MappingError(file, None, "fichier de correspondance introuvable") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(file, None, f"TOML invalide : {exc}") from None
    return _build(parsed, file)


def as_mapping(
    mapping: ColumnMapping | str | os.PathLike[str] | Mapping[str, Any] | None,
) -> ColumnMapping | None:
    """What readers accept as `mapping=`: a ColumnMapping, a path to a TOML file, or a dict."""
    if mapping is None or isinstance(mapping, ColumnMapping):
        return mapping
    if isinstance(mapping, str | os.PathLike):
        return load_mapping(mapping)
    if isinstance(mapping, Mapping):
        return ColumnMapping.from_dict(mapping)
    raise TypeError(f"correspondance inattendue : {type(mapping).__name__}")


# ---------------------------------------------------------------------------- checking


def _unknown(file: str, key: str, known: Mapping[str, str], where: str) -> MappingError:
    guess = closest(key.rpartition(".")[2], known)
    hint = f" ; vouliez-vous dire « {guess} » ?" if guess else ""
    choices = ", ".join(sorted(dict.fromkeys(known)))
    return MappingError(file, key, f"clé inconnue {where}{hint} (clés possibles : {choices})")


def _text(file: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise MappingError(file, key, f"un texte entre guillemets est attendu, pas {value!r}")
    return value


def _target(file: str, key: str, value: Any) -> str:
    target = _text(file, key, value).strip()
    if not _NAME.match(target):
        raise MappingError(
            file, key, f"« {value} » n'est pas un nom du plan (lettres, chiffres et _, sans espace)"
        )
    return target


def _table(file: str, key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MappingError(file, key, "une table est attendue (une section entre crochets)")
    return value


def _build(data: Mapping[str, Any], file: str) -> ColumnMapping:
    tables: dict[str, Any] = {}
    for key, value in data.items():
        canonical = _TABLES.get(norm(key)) or _TABLES.get(key)
        if canonical is None:
            raise _unknown(file, key, _TABLES, "(sections possibles)")
        tables[canonical] = value

    settings: dict[str, str | None] = {}
    for key, value in _table(file, "fichier", tables.get("fichier", {})).items():
        setting = _FILE_KEYS.get(key) or _FILE_KEYS.get(norm(key))
        if setting is None:
            raise _unknown(file, f"fichier.{key}", _FILE_KEYS, "dans [fichier]")
        settings[setting] = _file_setting(file, f"fichier.{key}", setting, value)

    columns: dict[str, str] = {}
    for key, value in _table(file, "colonnes", tables.get("colonnes", {})).items():
        target = _target(file, f"colonnes.{key}", value)
        folded = norm(key)
        if not folded:
            raise MappingError(file, f"colonnes.{key}", "nom de colonne vide")
        if columns.get(folded, target) != target:
            raise MappingError(
                file,
                f"colonnes.{key}",
                f"colonne déjà associée à « {columns[folded]} » (les noms sont comparés sans "
                "casse ni accents)",
            )
        columns[folded] = target

    values: dict[str, dict[str, str]] = {}
    for column, table in _table(file, "valeurs", tables.get("valeurs", {})).items():
        target = _target(file, f"valeurs.{column}", column)
        translations = values.setdefault(target, {})
        for source, plan_value in _table(file, f"valeurs.{column}", table).items():
            key = f"valeurs.{column}.{source}"
            plan_text = _text(file, key, plan_value).strip()
            if not plan_text:
                raise MappingError(file, key, "valeur cible vide")
            folded = norm(source)
            if translations.get(folded, plan_text) != plan_text:
                raise MappingError(
                    file,
                    key,
                    f"valeur déjà traduite par « {translations[folded]} » (comparaison sans casse ni accents)",
                )
            translations[folded] = plan_text

    ignored: set[str] = set()
    for key, value in _table(file, "types", tables.get("types", {})).items():
        if (_TYPES_KEYS.get(key) or _TYPES_KEYS.get(norm(key))) is None:
            raise _unknown(file, f"types.{key}", _TYPES_KEYS, "dans [types]")
        if not isinstance(value, list):
            raise MappingError(file, f"types.{key}", 'une liste est attendue, par ex. ["Réunion d\'équipe"]')
        for item in value:
            ignored.add(norm(_text(file, f"types.{key}", item)))

    return ColumnMapping(
        columns=columns,
        values=values,
        ignored_types=frozenset(ignored),
        delimiter=settings.get("delimiter"),
        encoding=settings.get("encoding"),
        sheet=settings.get("sheet"),
        date_format=settings.get("date_format"),
        file=file,
    )


def _file_setting(file: str, key: str, setting: str, value: Any) -> str:
    text = _text(file, key, value)
    if setting == "delimiter":
        text = _DELIMITER_WORDS.get(text.strip().lower(), text)
        if len(text) != 1:
            raise MappingError(file, key, f'un seul caractère est attendu (par ex. ";"), pas « {text} »')
        return text
    if setting == "encoding":
        try:
            return codecs.lookup(text.strip()).name
        except LookupError:
            raise MappingError(file, key, f"encodage inconnu « {text} » (par ex. utf-8, cp1252)") from None
    if setting == "date_format":
        if "%" not in text:
            raise MappingError(file, key, f"format de date sans directive « {text} » (par ex. %d/%m/%Y)")
        return text
    if not text.strip():
        raise MappingError(file, key, "valeur vide")
    return text.strip()


__all__ = ["DATE_KEYS", "ROW_KEYS", "ColumnMapping", "MappingError", "as_mapping", "load_mapping", "norm"]
