""" "Did you mean …?": the closest known name, accent- and case-insensitive."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .keywords import fold


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    options = list(dict.fromkeys(candidates))
    folded = {fold(c): c for c in options}
    target = fold(name)
    if target in folded:
        return folded[target]
    match = difflib.get_close_matches(target, list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None
