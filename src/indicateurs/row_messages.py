"""Why a row was rejected or ignored, in words an officer reads (French first, English second)."""

from __future__ import annotations

from typing import Any

from .i18n import Lang, current_language

_REJECTIONS: dict[str, tuple[str, str]] = {
    "ligne_illisible": ("ligne illisible", "unreadable row"),
    "ligne_tronquee": ("ligne tronquée : il manque des colonnes", "truncated row: columns are missing"),
    "colonnes_en_trop": (
        "la ligne a plus de colonnes que l'en-tête",
        "the row has more columns than the header",
    ),
    "encodage": ("caractères illisibles (encodage)", "unreadable characters (encoding)"),
    "json_invalide": ("JSON invalide : {value}", "invalid JSON: {value}"),
    "type_manquant": ("type d'activité manquant", "activity type missing"),
    "type_inconnu": (
        "type d'activité inconnu « {value} »{guess_fr}",
        "unknown activity type '{value}'{guess_en}",
    ),
    "date_manquante": ("date manquante", "date missing"),
    "date_invalide": (
        "date illisible « {value} » (attendu : 15/03/2023 ou 2023-03-15)",
        "unreadable date '{value}' (expected 2023-03-15 or 15/03/2023)",
    ),
    "date_improbable": (
        "date improbable « {value} » (erreur de siècle ?)",
        "implausible date '{value}' (wrong century?)",
    ),
    "champ_manquant": ("champ obligatoire « {field} » manquant", "required field '{field}' missing"),
    "entier_invalide": (
        "« {field} » doit être un nombre entier, pas « {value} »",
        "'{field}' must be a whole number, not '{value}'",
    ),
    "decimal_invalide": (
        "« {field} » doit être un nombre, pas « {value} »",
        "'{field}' must be a number, not '{value}'",
    ),
    "pourcentage_non_declare": (
        "« {field} » : « {value} » est un pourcentage, mais le plan ne déclare pas ce champ en % "
        "(écrivez le nombre sans %, ou déclarez la valeur mesurée « en % »)",
        "'{field}': '{value}' is a percentage, but the plan does not declare this field in % "
        "(write the number without %, or declare the measured value 'in %')",
    ),
    "booleen_invalide": (
        "« {field} » doit valoir oui ou non, pas « {value} »",
        "'{field}' must be yes or no, not '{value}'",
    ),
    "duree_negative": (
        "« {field} » : la seconde date précède la première ({value})",
        "'{field}': the second date comes before the first ({value})",
    ),
    "valeur_hors_liste": (
        "valeur « {value} » non prévue pour « {field} »",
        "value '{value}' not allowed for '{field}'",
    ),
}

IGNORED_REASONS: dict[str, tuple[str, str]] = {
    "type_non_utilise": ("type sans indicateur dans ce plan", "type used by no indicator of this plan"),
    "hors_periode": ("date hors de la période évaluée", "date outside the evaluated period"),
    "apres_date_evaluation": ("date postérieure à la date d'évaluation", "date after the evaluation date"),
    "ignore_par_correspondance": ("type ignoré par la correspondance", "type ignored by the mapping"),
    "ligne_vide": ("ligne vide", "blank row"),
}


def row_message(code: str, lang: Lang | None = None, **args: Any) -> str:
    lang = lang or current_language()
    fr, en = _REJECTIONS.get(code, (code, code))
    guess = args.get("guess") or ""
    values = {
        "field": args.get("field") or "",
        "value": args.get("value") if args.get("value") is not None else "",
        "guess_fr": f" ; vouliez-vous dire « {guess} » ?" if guess else "",
        "guess_en": f"; did you mean '{guess}'?" if guess else "",
    }
    return (fr if lang == "fr" else en).format(**values)


def ignored_label(code: str, lang: Lang | None = None) -> str:
    fr, en = IGNORED_REASONS.get(code, (code, code))
    return fr if (lang or current_language()) == "fr" else en
