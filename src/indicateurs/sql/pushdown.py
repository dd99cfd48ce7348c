"""Where each indicator runs: the structured answer behind `--explain` for the SQL engines."""

from __future__ import annotations

from typing import Any

import attrs

from ..i18n import Lang, current_language


@attrs.frozen
class SlotPlacement:
    """One aggregate (a compiled slot): computed by the database or by the Python evaluator."""

    description: str
    engine: str  # "sql" or "python"
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"aggregate": self.description, "engine": self.engine, "reason": self.reason}


@attrs.frozen
class IndicatorPlacement:
    id: str
    engine: str  # "sql", "python", "mixte" (some aggregates each way) or "aucun" (no aggregate)
    aggregates: tuple[SlotPlacement, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "engine": self.engine, "aggregates": [a.to_dict() for a in self.aggregates]}


@attrs.frozen
class Pushdown:
    """What ran where in one SQL evaluation, and the statements sent (placeholders, no values)."""

    dialect: str
    indicators: tuple[IndicatorPlacement, ...]
    queries: tuple[str, ...] = ()
    rows_checked_in_python: int = 0  # rows SQL did not settle (bad or unusual values)
    rows_streamed: int = 0  # rows streamed to Python for aggregates SQL cannot compute here
    reason: str | None = None  # why everything ran in Python, when it did

    def indicator(self, ident: str) -> IndicatorPlacement:
        for placement in self.indicators:
            if placement.id == ident:
                return placement
        raise KeyError(ident)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "reason": self.reason,
            "rows_checked_in_python": self.rows_checked_in_python,
            "rows_streamed": self.rows_streamed,
            "indicators": [i.to_dict() for i in self.indicators],
            "queries": list(self.queries),
        }

    def render(self, lang: Lang | None = None, queries: bool = False) -> str:
        fr = (lang or current_language()) == "fr"
        where = {"sql": "SQL", "python": "Python", "mixte": "SQL + Python", "aucun": "—"}
        lines = [
            (f"Moteur SQL : {self.dialect}" if fr else f"SQL engine: {self.dialect}"),
        ]
        if self.reason:
            lines.append(("  tout en Python : " if fr else "  all in Python: ") + self.reason)
        for ind in self.indicators:
            lines.append(f"  {ind.id:<28} {where.get(ind.engine, ind.engine)}")
            for agg in ind.aggregates:
                mark = "SQL" if agg.engine == "sql" else "Python"
                extra = f" ({agg.reason})" if agg.reason else ""
                lines.append(f"      {mark:<7}{agg.description}{extra}")
        lines.append(
            (
                f"  lignes vérifiées en Python : {self.rows_checked_in_python} ; "
                f"lignes transmises à Python : {self.rows_streamed}"
            )
            if fr
            else (
                f"  rows checked in Python: {self.rows_checked_in_python}; "
                f"rows streamed to Python: {self.rows_streamed}"
            )
        )
        if queries:
            for i, sql in enumerate(self.queries, start=1):
                lines.append(f"-- {i}\n{sql}")
        return "\n".join(lines)
