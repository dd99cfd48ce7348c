"""Figures computed with floats, settled before they are shown or compared with a target.

Decimals from the data (`0,1`, `12,50`) are binary floats, so their sum depends on the order of
the additions: 0.1 + 0.2 + 0.3 is 0.6000000000000001, 0.3 + 0.2 + 0.1 is 0.6. Rows come in file
order in Python and in any order from a database working in parallel, and a verdict must not
depend on either. A float figure is therefore rounded to 12 significant digits: far below what
a report shows, far above the error of adding a few million decimals.
"""

from __future__ import annotations

import math
from typing import TypeVar, cast

SIGNIFICANT_DIGITS = 12

T = TypeVar("T")


def settle(x: T) -> T:
    """A float rounded to 12 significant digits; anything else (int, bool, None) unchanged."""
    if isinstance(x, float) and math.isfinite(x):
        return cast(T, float(f"{x:.{SIGNIFICANT_DIGITS}g}"))
    return x
