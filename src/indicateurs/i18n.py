"""Language selection: French first, English on request (`--lang en`, INDICATEURS_LANG=en)."""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "en")

_override: Lang | None = None


def set_language(lang: str | None) -> None:
    """Force the language of messages for this process (the CLI's --lang)."""
    global _override
    _override = _normalise(lang) if lang else None


def current_language() -> Lang:
    if _override is not None:
        return _override
    return _normalise(os.environ.get("INDICATEURS_LANG", "fr"))


def _normalise(lang: str) -> Lang:
    return "en" if lang.strip().lower().startswith("en") else "fr"
