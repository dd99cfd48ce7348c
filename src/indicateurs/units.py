"""Shares of units: of the neighbourhoods, partners or schools (the values of a field), how many
have enough events.

    part(action.quartier ayant au moins 4) >= 80 % par an
    nombre(action.ecole où public = eleves ayant au moins 2) >= 10

The units are the declared values of the field when it is a list of values (`quartier : centre
| gare | …`): a neighbourhood without any action counts, and fails `au moins 4`. For a text
field they are the values its events show in the period (whatever the filter says), so a
unit with no event at all is not seen: declare the list when it matters. Both evaluators read
the counts per unit from an internal aggregate (`AggregateFn.UNITS`) and use these rules.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import model as m

# The plan's comparators as Python functions; compile's conditions use this table too.
COMPARE: dict[m.Comparator, Callable[[Any, Any], bool]] = {
    m.Comparator.GE: operator.ge,
    m.Comparator.GT: operator.gt,
    m.Comparator.LE: operator.le,
    m.Comparator.LT: operator.lt,
    m.Comparator.EQ: operator.eq,
    m.Comparator.NE: operator.ne,
}

Detail = tuple[int, int, tuple[str, ...]]  # units meeting the count, units in all, those short of it


def declared_units(plan: m.Plan, share: m.UnitShare) -> tuple[str, ...] | None:
    """The field's declared values when it is a list of values, else None (the units seen)."""
    event = plan.event_types.get(share.event_type)
    decl = None if event is None else event.field(share.field)
    return decl.values if decl is not None and decl.kind is m.FieldKind.ENUM else None


def detail(share: m.UnitShare, counts: Mapping[Any, int], universe: Iterable[Any]) -> Detail:
    """How many units meet the count, out of how many, and which fall short (in order)."""
    compare = COMPARE[share.op]
    threshold = share.threshold.effective
    units = list(dict.fromkeys(universe))
    short = tuple(str(u) for u in units if not compare(counts.get(u, 0), threshold))
    return len(units) - len(short), len(units), short


def value(share: m.UnitShare, found: Detail) -> float | None:
    """The share (None without any unit) or the number of units meeting the count."""
    met, total, _ = found
    if share.fn is m.AggregateFn.SHARE:
        return met / total if total else None
    return float(met)


def merged_counts(parts: Iterable[Mapping[Any, int] | None]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for part in parts:
        for unit, n in (part or {}).items():
            out[unit] = out.get(unit, 0) + n
    return out


def ordered_universe(declared: tuple[str, ...] | None, seen: Mapping[Any, int]) -> list[Any]:
    """The units in a stable order: declared order, else sorted as texts."""
    if declared is not None:
        return list(declared)
    return sorted(seen, key=str)
