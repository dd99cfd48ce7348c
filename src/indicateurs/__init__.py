"""indicateurs: a rule engine for the indicators of security and prevention plans.

Load a plan file, evaluate it against any event source, get a structured compliance result:

    >>> import indicateurs
    >>> plan = indicateurs.load_plan("plans/molenbeek-2023.plan")  # doctest: +SKIP
"""

from __future__ import annotations

from .diagnostics import Diagnostic, PlanError, Severity
from .evaluate import DataError, evaluate
from .events import Event, Rejection
from .loader import analyse, load_plan
from .model import Indicator, IndicatorKind, Node, PeriodUnit, Plan
from .results import IndicatorResult, NodeResult, PeriodResult, PlanResult, Status

__all__ = [
    "DataError",
    "Diagnostic",
    "Event",
    "Indicator",
    "IndicatorKind",
    "IndicatorResult",
    "Node",
    "NodeResult",
    "PeriodResult",
    "PeriodUnit",
    "Plan",
    "PlanError",
    "PlanResult",
    "Rejection",
    "Severity",
    "Status",
    "analyse",
    "evaluate",
    "load_plan",
]
__version__ = "0.1.0"
