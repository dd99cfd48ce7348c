"""Baselines and trends: a value compared with a baseline year, the average of baseline years,
a baseline declared in the plan, or the previous period.

    nombre(cambriolage) en baisse de 10 % par rapport à 2022 par an
    nombre(cambriolage) en baisse de 2 % par rapport à la moyenne 2015-2019 = 412 par an
    nombre(incivilite) en hausse par trimestre
    dernier(sentiment) stable à ± 5 % par an

`en baisse de 10 %` holds when the value is at most 90 % of the baseline, `en hausse de 5 %`
when it is at least 105 %, `stable à ± 5 %` when it is within 5 % of it either way; without a
percentage, `en baisse` and `en hausse` hold for any decrease or increase. A baseline computed
from the events is the value of the same expression over the baseline year (or the average of
its values over the baseline years): those years must lie within the evaluated period, and
they are not judged themselves (status `suivi`, reason « période de référence »). Without
`par rapport à`, each period is compared with the one before it; the first has nothing to be
compared with. Both evaluators use these rules with the values they compute.

A baseline is never taken from data that was not read: baseline years not wholly within the
evaluated period, a baseline year in which the value counted no event, and a previous period
the window cuts (partial) leave the period without a baseline, unjudged, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from . import model as m
from .calendars import PeriodSpec
from .i18n import Lang
from .periods import Bucket
from .results import plan_number

Value = float | bool | None
ValueFn = Callable[[int], Value]

Counted = Callable[[int], int]  # the events the trend's value counted in a period key

REFERENCE_PERIOD = "période de référence"
FIRST_PERIOD = "première période : rien à comparer"
BASELINE_OUTSIDE = "référence hors de la période évaluée : déclarez sa valeur"
BASELINE_EMPTY = "référence sans données : aucun événement compté l'année de référence"
PREVIOUS_PARTIAL = "période précédente partielle : rien à comparer"
PREVIOUS_UNKNOWN = "période précédente sans valeur"
REASONS = {
    REFERENCE_PERIOD: "baseline period",
    FIRST_PERIOD: "first period: nothing to compare with",
    BASELINE_OUTSIDE: "baseline outside the evaluated period: declare its value",
    BASELINE_EMPTY: "baseline without data: no event counted in the baseline year",
    PREVIOUS_PARTIAL: "previous period partial: nothing to compare with",
    PREVIOUS_UNKNOWN: "previous period without a value",
}


def computed_years(trend: m.Trend) -> tuple[int, ...]:
    """The years a baseline is computed from (none when declared or against the previous period)."""
    base = trend.baseline
    if base is None or base.declared is not None:
        return ()
    return tuple(range(base.first, base.last + 1))


def baseline_at(
    trend: m.Trend,
    value: ValueFn,
    spec: PeriodSpec,
    window: m.PlanPeriod,
    key: int,
    counted: Counted | None = None,
) -> float | None:
    """The baseline a period `key` is compared with; None when it cannot be known."""
    return baseline_state(trend, value, spec, window, key, counted)[0]


def baseline_state(
    trend: m.Trend,
    value: ValueFn,
    spec: PeriodSpec,
    window: m.PlanPeriod,
    key: int,
    counted: Counted | None = None,
) -> tuple[float | None, str | None]:
    """The baseline a period `key` is compared with, or None and why (None when there is
    nothing to say: the first period of a comparison with the previous one).

    `counted`: the events the value counted per period key, None when it reads no event (a
    trend of reference values); a computed baseline year with none is empty, not zero.
    """
    base = trend.baseline
    if base is not None and base.declared is not None:
        return base.declared.effective, None
    if base is not None:
        years = computed_years(trend)
        if not (window.start <= dt.date(years[0], 1, 1) and dt.date(years[-1], 12, 31) <= window.end):
            return None, BASELINE_OUTSIDE  # the baseline years are not all within the evaluated period
        if counted is not None and any(counted(year) == 0 for year in years):
            return None, BASELINE_EMPTY
        found = [value(year) for year in years]
        numbers = [float(v) for v in found if v is not None and not isinstance(v, bool)]
        if len(numbers) != len(found):
            return None, BASELINE_EMPTY
        return sum(numbers) / len(numbers), None
    _, before = _place(spec, window, key)
    if before is None:
        return None, None
    if before.partial:
        return None, PREVIOUS_PARTIAL
    previous = value(before.key)
    if previous is None or isinstance(previous, bool):
        return None, PREVIOUS_UNKNOWN
    return float(previous), None


def verdict(trend: m.Trend, value: Value, base: float | None) -> bool | None:
    """Whether the value meets the trend against the baseline; None when either is unknown."""
    if value is None or base is None or isinstance(value, bool):
        return None
    x = float(value)
    amount = None if trend.amount is None else trend.amount.effective
    slack = 1e-9 * max(abs(base), 1.0)  # 9 is 10 % less than 10, whatever the binary fractions say
    if trend.direction == "down":
        return x <= base * (1 - amount) + slack if amount is not None else x < base
    if trend.direction == "up":
        return x >= base * (1 + amount) - slack if amount is not None else x > base
    tolerance = amount or 0.0
    return abs(x - base) <= tolerance * abs(base) + slack


def text(trend: m.Trend, fr: bool) -> str:
    """The target of a trend as an officer says it: `−10 % par rapport à 2022`, `en baisse`."""
    words = {"down": ("en baisse", "down"), "up": ("en hausse", "up"), "stable": ("stable", "stable")}
    out = words[trend.direction][0 if fr else 1]
    lang: Lang = "fr" if fr else "en"
    if trend.amount is not None:
        amount = plan_number(trend.amount.value, lang, percent=True)
        if trend.direction == "stable":
            out += f" {'à' if fr else 'within'} ± {amount}"
        else:
            out += f" {'de ' if fr else ''}{amount}"
    base = trend.baseline
    if base is None:
        return out + (" par rapport à la période précédente" if fr else " vs the previous period")
    years = str(base.first) if base.first == base.last else f"{base.first}-{base.last}"
    if base.first != base.last:
        years = ("la moyenne " if fr else "the average of ") + years
    out += (" par rapport à " if fr else " vs ") + years
    if base.declared is not None:  # a number, where the years above are years: never grouped
        out += f" ({plan_number(base.declared.value, lang, percent=base.declared.percent)})"
    return out


def reference_reason(trend: m.Trend, spec: PeriodSpec, window: m.PlanPeriod, key: int) -> str | None:
    """Why a period is not judged but followed (`suivi`): it is a baseline year, the first
    period of a comparison with the previous one, or comes after a period the window cuts
    (which starts the comparisons again, as a first period does)."""
    if computed_years(trend) and spec.unit is m.PeriodUnit.YEAR and key in computed_years(trend):
        return REFERENCE_PERIOD
    if trend.baseline is None:
        place, before = _place(spec, window, key)
        if place == 0:
            return FIRST_PERIOD
        if before is not None and before.partial:
            return PREVIOUS_PARTIAL
    return None


def _place(spec: PeriodSpec, window: m.PlanPeriod, key: int) -> tuple[int | None, Bucket | None]:
    """(where the period `key` is among the window's periods, the period before it); None for
    a period outside the window, and before the first."""
    periods = spec.buckets(window)
    for place, bucket in enumerate(periods):
        if bucket.key == key:
            return place, (periods[place - 1] if place else None)
    return None, None


def compiled(
    trend: m.Trend,
    value: ValueFn,
    spec: PeriodSpec,
    window: m.PlanPeriod,
    counted: Counted | None = None,
) -> tuple[ValueFn, ValueFn, Callable[[int], str | None]]:
    """The verdict, the baseline and why a baseline is missing, per period key, from the value's
    function (and the events it counted per period key)."""
    memo: dict[int, tuple[float | None, str | None]] = {}

    def state(key: int) -> tuple[float | None, str | None]:
        if key not in memo:
            memo[key] = baseline_state(trend, value, spec, window, key, counted)
        return memo[key]

    def base(key: int) -> Value:
        return state(key)[0]

    def judge(key: int) -> Value:
        return verdict(trend, value(key), state(key)[0])

    def why(key: int) -> str | None:
        return state(key)[1]

    return judge, base, why


def change(value: Value, base: float | None) -> tuple[float | None, str | None]:
    """The relative change from the baseline (-0.12 for 12 % less) and its direction."""
    if value is None or base is None or isinstance(value, bool):
        return None, None
    x = float(value)
    direction = "baisse" if x < base else "hausse" if x > base else "stable"
    return (None if base == 0 else x / base - 1), direction
