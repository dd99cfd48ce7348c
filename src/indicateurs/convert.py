"""Input values to typed values: dates in every form a spreadsheet produces, numbers with a
decimal comma, yes/no words, enumeration values. A value that does not convert raises
`ConversionError` with a reason code, which the evaluator turns into a row rejection.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from .keywords import fold
from .model import FieldDecl, FieldKind

MIN_YEAR, MAX_YEAR = 1970, 2100
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EU = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL = re.compile(r"\d{4,5}(?:[.,]\d+)?$")

TRUE_WORDS = frozenset({"oui", "o", "vrai", "true", "yes", "y", "1", "x", "ja"})
FALSE_WORDS = frozenset({"non", "n", "faux", "false", "no", "0", "nee", ""})


class ConversionError(ValueError):
    def __init__(self, code: str, value: object):
        super().__init__(code)
        self.code = code
        self.value = value


class FieldError(Exception):
    """A field of a row that cannot be used: the reason code, the field's name and its raw value."""

    def __init__(self, code: str, field: str, value: object):
        super().__init__(code)
        self.code, self.field, self.value = code, field, value


def parse_date(value: object) -> dt.date:
    """ISO dates, dd/mm/yyyy (Belgian order), date-times, Excel serial numbers."""
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = _from_serial(float(value))
    elif isinstance(value, str):
        result = _parse_date_text(value.strip())
    else:
        raise ConversionError("date_invalide", value)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ConversionError("date_improbable", value)
    return result


def _parse_date_text(text: str) -> dt.date:
    if not text:
        raise ConversionError("date_manquante", text)
    try:
        iso = _ISO.match(text)
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        eu = _EU.match(text)
        if eu:
            year = int(eu[3])
            if len(eu[3]) == 2:
                year += 2000
            elif len(eu[3]) == 3:
                raise ConversionError("date_improbable", text)
            return dt.date(year, int(eu[2]), int(eu[1]))
    except ValueError as exc:
        if isinstance(exc, ConversionError):
            raise
        raise ConversionError("date_invalide", text) from None
    if _SERIAL.match(text):
        return _from_serial(float(text.replace(",", ".")))
    raise ConversionError("date_invalide", text)


def _from_serial(serial: float) -> dt.date:
    """Excel's day count (1900 system, with its phantom 29/02/1900 accounted for by the epoch)."""
    if not 1 <= serial < 2_958_466:
        raise ConversionError("date_invalide", serial)
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _to_int(value: object) -> int:
    if isinstance(value, bool):
        raise ConversionError("entier_invalide", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ConversionError("entier_invalide", value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ConversionError("entier_invalide", value) from None
    if number.is_integer():
        return int(number)
    raise ConversionError("entier_invalide", value)


class PercentCell(float):
    """A number a spreadsheet shows in percent: stored 0.66, shown `66 %` (an Excel cell whose
    number format has a `%`). The officer sees 66 %, so a value declared `en %` takes 66
    (`percent`), and any other decimal field refuses it as it refuses the text `66 %`; as text
    it is what the officer sees. Elsewhere it is the number it stores."""

    __slots__ = ()

    @property
    def percent(self) -> float:
        """The number of percent shown: 66 for 0.66 (rounded off the binary fraction's noise)."""
        return round(float(self) * 100, 10)

    def __str__(self) -> str:
        return f"{self.percent:.10g} %"

    def __repr__(self) -> str:
        return f"PercentCell({float(self)!r})"


# A percent sign at the end of a cell, after any spaces (no-break ones too): `66 %`, `66%`.
_PERCENT_SIGN = re.compile(r"[\s\u00a0\u202f]*%[\s\u00a0\u202f]*$")


def _to_float(value: object) -> float:
    """A decimal field: `7,5`, `1 234,5`, `1.234,5`; a cell in percent (`66 %`) is refused, the
    plan not saying what a percentage means for this field (see `_to_percent`)."""
    if isinstance(value, PercentCell):
        raise ConversionError("pourcentage_non_declare", str(value))
    try:
        return _decimal(value, value)
    except ConversionError:  # only then look for a sign: no number ever reads with one
        if isinstance(value, str) and _PERCENT_SIGN.search(value) and value.strip() != "%":
            raise ConversionError("pourcentage_non_declare", value) from None
        raise


def _to_percent(value: object) -> float:
    """A value declared in percent (`valeur mesurée … en %`): `66`, `66 %`, `66%` and `66,5 %`
    are 66 and 66,5 percent, stored as the number of percent (the aggregates scale it to 0.66);
    a bare number is in the declared unit too (`0,5` is 0,5 %); a spreadsheet's number shown in
    percent (`PercentCell`, stored 0.66) is the 66 it shows."""
    if isinstance(value, PercentCell):
        return value.percent
    if isinstance(value, str):
        sign = _PERCENT_SIGN.search(value)
        if sign is not None and sign.start() > 0:
            return _decimal(value[: sign.start()], value)
    return _decimal(value, value)


def _decimal(value: object, raw: object) -> float:
    if isinstance(value, bool):
        raise ConversionError("decimal_invalide", raw)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if text.count(",") == 1 and "." in text:  # 1.234,5 → 1234.5
        text = text.replace(".", "")
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ConversionError("decimal_invalide", raw) from None


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(str(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConversionError("booleen_invalide", value)


def _to_text(value: object) -> str:
    return str(value).strip()


def field_converter(decl: FieldDecl) -> Callable[[Any], Any]:
    """The conversion for one declared field; enumeration values match accent- and case-insensitively."""
    kind = decl.kind
    if kind is FieldKind.INTEGER:
        return _to_int
    if kind is FieldKind.DECIMAL:
        return _to_percent if decl.percent else _to_float
    if kind is FieldKind.DATE:
        return parse_date
    if kind is FieldKind.BOOLEAN:
        return _to_bool
    if kind is FieldKind.ENUM:
        canonical = {fold(v): v for v in decl.values}
        canonical.update({fold(v.replace("_", " ")): v for v in decl.values})

        def to_enum(value: object) -> str:
            text = str(value).strip()
            if text in decl.values:
                return text
            found = canonical.get(fold(text))
            if found is None:
                raise ConversionError("valeur_hors_liste", value)
            return found

        return to_enum
    return _to_text


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


LEARNED_LIMIT = 4096  # spellings remembered per field: bounded, whatever the input


def field_reader(decl: FieldDecl, learned: dict[Any, Any] | None = None) -> Callable[[Any], Any]:
    """A field's raw value to its typed value: None for a blank optional field, `FieldError` for
    a blank required field or a value that does not convert.

    This is the rule every reader gets. With `learned`, each text that converts is remembered
    there (raw text → value, up to LEARNED_LIMIT entries) so that a caller can look it up first:
    only do so for conversions that depend on the text alone (enumerations, booleans, dates).
    """
    convert = field_converter(decl)
    name, optional = decl.name, decl.optional

    def read(raw: Any) -> Any:
        if raw is None or (raw.__class__ is str and not raw.strip()):
            if optional:
                return None
            raise FieldError("champ_manquant", name, raw)
        try:
            value = convert(raw)
        except ConversionError as exc:
            raise FieldError(exc.code, name, raw) from None
        if learned is not None and raw.__class__ is str and len(learned) < LEARNED_LIMIT:
            learned[raw] = value
        return value

    return read


def end_reader(key: str = "fin") -> Callable[[Any], dt.date | None]:
    """The optional end date of a row (`fin`/`end`): None when blank, `FieldError` when unreadable."""

    def read(raw: Any) -> dt.date | None:
        if is_blank(raw):
            return None
        try:
            return parse_date(raw)
        except ConversionError as exc:
            raise FieldError(exc.code, key, raw) from None

    return read
