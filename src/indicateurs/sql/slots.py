"""The one place that knows how compiled slots hold their state (compile.Slot).

The SQL engine computes slot states in the database and writes them into the slots of a
`CompiledPlan`, so that `evaluate._results` (verdicts, projections, the result model) is the
very code the Python evaluator runs. Reading and writing slot state goes through here.
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import model as m
from ..compile import CompiledPlan, Slot
from ..events import Event

DISTINCT = m.AggregateFn.DISTINCT


class DistinctCount:
    """Stands for the set of distinct values when only its size came back from SQL."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"DistinctCount({self.n})"


@attrs.define
class KeyState:
    """One slot, one period key: what the evaluator's slot holds for it."""

    count: int = 0
    value: Any = None  # sum (avg: sum), set or DistinctCount (distinct), min or max
    extra: int = 0  # share: all events; avg: values seen
    evidence: list[tuple[int, int, Event]] = attrs.field(factory=list)  # (source index, row, event)


SlotState = dict[int, KeyState]


def read_slot(slot: Slot, source_index: dict[str, int]) -> SlotState:
    """The state of a slot filled by the Python evaluator."""
    out: SlotState = {}
    keys = set(slot.counts) | set(slot.values) | set(slot.extra) | set(slot.evidence)
    for k in keys:
        evidence = [(source_index.get(ev.source, 0), ev.row, ev) for ev in slot.evidence.get(k, ())]
        value = slot.values.get(k)
        if isinstance(value, set):
            value = set(value)
        out[k] = KeyState(slot.counts.get(k, 0), value, slot.extra.get(k, 0), evidence)
    return out


def write_slot(slot: Slot, state: SlotState, cap: int) -> None:
    """Replace a slot's state (slots that share state get the same values: writing is idempotent)."""
    slot.counts.clear()
    slot.values.clear()
    slot.extra.clear()
    slot.evidence.clear()
    for k, st in state.items():
        if st.count:
            slot.counts[k] = st.count
        if st.value is not None:
            slot.values[k] = st.value
        if st.extra:
            slot.extra[k] = st.extra
        if st.evidence:
            slot.evidence[k] = [ev for _, _, ev in sorted(st.evidence, key=lambda x: (x[0], x[1]))[:cap]]


def merge(fn: m.AggregateFn, into: SlotState, other: SlotState) -> None:
    """Add the state of other events (the Python side) to a state computed in SQL."""
    for k, st in other.items():
        mine = into.get(k)
        if mine is None:
            into[k] = KeyState(st.count, st.value, st.extra, list(st.evidence))
            continue
        mine.count += st.count
        mine.extra += st.extra
        mine.evidence.extend(st.evidence)
        if st.value is None:
            continue
        if mine.value is None:
            mine.value = st.value
        elif fn in (m.AggregateFn.SUM, m.AggregateFn.AVG):
            mine.value = mine.value + st.value
        elif fn is m.AggregateFn.MIN:
            mine.value = min(mine.value, st.value)
        elif fn is m.AggregateFn.MAX:
            mine.value = max(mine.value, st.value)
        elif isinstance(mine.value, set) and isinstance(st.value, set):
            mine.value = mine.value | st.value
        # a DistinctCount from SQL is merged by the engine, which asks SQL which values it counted


def seen_counts(compiled: CompiledPlan) -> dict[str, int]:
    """Events used per type, as the evaluator's 'sans données' test reads them."""
    out: dict[str, int] = {}
    programs = getattr(compiled, "programs", None)
    if programs is not None:
        for name, program in programs.items():
            seen = program.seen
            out[name] = int(seen() if callable(seen) else seen)
        return out
    for name, dispatcher in getattr(compiled, "dispatchers", {}).items():
        out[name] = max((sum(p.values()) for p in dispatcher.presence), default=0)
    return out


def set_seen(compiled: CompiledPlan, counts: dict[str, int]) -> None:
    """Tell the compiled plan how many events of each type were used."""
    programs = getattr(compiled, "programs", None)
    if programs is not None:
        for name, program in programs.items():
            n = counts.get(name, 0)
            if callable(program.seen):
                program._count = lambda n=n: n
            else:
                program.seen = n
        return
    for name, dispatcher in getattr(compiled, "dispatchers", {}).items():
        n = counts.get(name, 0)
        for presence in dispatcher.presence:
            presence.clear()
            if n:
                presence[0] = n
