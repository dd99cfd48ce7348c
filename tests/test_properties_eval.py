"""Properties of the evaluator, checked on event streams drawn with `indicateurs.testing`.

Adding a matching event never lowers a count, a distinct count or a sum of positive values;
the result depends neither on the order of the events nor on the kind of source (records, CSV,
JSON Lines, .xlsx); periods partition the year; the turn of the year and 29 February land where
the calendar says; a threshold that is met stays met when lowered; and for every indicator of
every plan in plans/, the streams built to meet it meet it and those built to miss it miss it.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import IndicatorKind, Status
from indicateurs import model as m
from indicateurs.details import beyond_counting
from indicateurs.reference import evaluate_reference
from indicateurs.results import IndicatorResult, PeriodResult
from indicateurs.testing import (
    around_threshold,
    buildable_indicators,
    evaluation_window,
    events_for,
    matching_event,
    meeting,
    missing,
)

REPO = Path(__file__).resolve().parents[1]

PLAN = indicateurs.load_plan(
    """plan « Propriétés de l'évaluateur »
période 2023 à 2024

événement visite « Visite à domicile »
    durée : décimal
    personnes : entier
    lieu : texte optionnel
    confirmé : booléen
    genre : a | b | c
    le_jour : date optionnel
événement atelier « Atelier collectif »
    participants : entier optionnel
    thème : sport | culture | autre
événement memo « Note de service »
    texte : texte

indicateur n_an
  suivi nombre(visite) par an
indicateur n_semestre
  suivi nombre(visite) par semestre
indicateur n_trimestre
  suivi nombre(visite) par trimestre
indicateur n_mois
  suivi nombre(visite) par mois
indicateur s_an
  suivi somme(visite.durée) par an
indicateur s_trimestre
  suivi somme(visite.durée) par trimestre
indicateur filtre
  suivi nombre(visite où personnes >= 3 et genre dans [a, b]) par trimestre
indicateur lieux
  suivi distinct(visite.lieu) par semestre
indicateur participants
  suivi somme(atelier.participants où thème != autre) par an
indicateur cible
  nombre(visite où confirmé) >= 4 par trimestre
indicateur taux
  part(visite où confirmé) >= 60 %
indicateur durée_moyenne
  moyenne(visite.durée) >= 2,5 par semestre
indicateur sport
  existe(atelier où thème = sport) avant le 2024-06-30
indicateur bornes
  min(visite.personnes) >= 1 et max(visite.personnes) <= 30
indicateur ratio
  nombre(visite où personnes >= 3) / nombre(visite) >= 75 % par an
"""
)
WINDOW = evaluation_window(PLAN)
AFTER = WINDOW.end + dt.timedelta(days=1)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(plan: m.Plan, events: Any, **kwargs: Any) -> indicateurs.PlanResult:
    kwargs.setdefault("as_of", AFTER)
    return indicateurs.evaluate(plan, events, **kwargs)


def signature(result: indicateurs.PlanResult) -> list[tuple[Any, ...]]:
    """What must not change: every indicator's status, and each period's status, value and count."""
    out: list[tuple[Any, ...]] = []
    for ind in result.indicators:
        periods = tuple((p.label, p.status, p.value, p.evidence.count) for p in ind.periods)
        out.append((ind.id, ind.status, ind.at_risk, periods))
    return out


def values(result: indicateurs.PlanResult, ident: str) -> dict[str, float]:
    """Each period's value of an indicator, with an empty period counting as 0."""
    return {p.label: float(p.value or 0) for p in result.indicator(ident).periods}


# ---------------------------------------------------------------------------- adding an event


@pytest.mark.parametrize(
    ("ident", "fn"),
    [("filtre", "nombre"), ("lieux", "distinct"), ("participants", "somme"), ("n_mois", "nombre")],
)
@FAST
@given(data=st.data())
def test_adding_a_matching_event_never_lowers_the_measure(ident: str, fn: str, data: st.DataObject) -> None:
    expr = PLAN.indicator(ident).expr
    assert isinstance(expr, m.Aggregate)
    stream = data.draw(events_for(PLAN, max_size=25), label="stream")
    extra = data.draw(matching_event(PLAN, expr), label="extra")
    at = data.draw(st.integers(0, len(stream)), label="position")
    before = values(run(PLAN, stream), ident)
    after = values(run(PLAN, [*stream[:at], extra, *stream[at:]]), ident)
    assert before.keys() == after.keys()
    assert all(after[k] >= before[k] for k in before), (before, after)
    if fn == "nombre":  # a count grows by exactly one, in the event's period
        assert sum(after.values()) == sum(before.values()) + 1


@FAST
@given(data=st.data())
def test_an_event_failing_the_condition_changes_no_count(data: st.DataObject) -> None:
    expr = PLAN.indicator("filtre").expr
    assert isinstance(expr, m.Aggregate)
    stream = data.draw(events_for(PLAN, max_size=25))
    extra = data.draw(matching_event(PLAN, expr, matching=False))
    assert values(run(PLAN, [*stream, extra]), "filtre") == values(run(PLAN, stream), "filtre")


# ---------------------------------------------------------------------------- order and sources


@FAST
@given(data=st.data())
def test_the_result_does_not_depend_on_the_order_of_events(data: st.DataObject) -> None:
    stream = data.draw(events_for(PLAN, max_size=40), label="stream")
    shuffled = data.draw(st.permutations(stream), label="shuffled")
    first, second = run(PLAN, stream), run(PLAN, shuffled)
    assert _rounded(signature(first)) == _rounded(signature(second))
    assert (first.read, first.used, first.ignored, first.rejected) == (
        second.read,
        second.used,
        second.ignored,
        second.rejected,
    )


def _rounded(sig: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Decimal sums added in another order may differ in the last bit (the xfail below): 9 digits."""
    out = []
    for ident, status, risk, periods in sig:
        shown = tuple(
            (label, st_, round(v, 9) if isinstance(v, float) else v, n) for label, st_, v, n in periods
        )
        out.append((ident, status, risk, shown))
    return out


def test_a_decimal_sum_at_its_threshold_does_not_depend_on_order() -> None:
    # In floats, 0.1 + 0.2 + 0.3 is 0.6000000000000001 but 0.3 + 0.2 + 0.1 is 0.6: figures are
    # settled to 12 significant digits before they are shown or compared (precision.settle).
    plan = indicateurs.load_plan(
        "période 2023\névénement visite\n    durée : décimal\n"
        "indicateur total\n  somme(visite.durée) = 0,6\n"
        "indicateur duree_moyenne\n  moyenne(visite.durée) >= 0,2\n"
    )

    def visits(durations: list[float]) -> list[dict[str, Any]]:
        return [{"type": "visite", "date": "2023-03-01", "durée": d} for d in durations]

    for ident in ("total", "duree_moyenne"):
        forward = run(plan, visits([0.1, 0.2, 0.3])).indicator(ident)
        backward = run(plan, visits([0.3, 0.2, 0.1])).indicator(ident)
        assert forward.status is backward.status is Status.MET, ident
        assert forward.value == backward.value
        reference = evaluate_reference(plan, visits([0.1, 0.2, 0.3]), as_of=AFTER).indicator(ident)
        assert (reference.status, reference.value) == (forward.status, forward.value)


@settings(max_examples=200, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=0, max_value=10**11), min_size=1, max_size=60),
    data=st.data(),
)
def test_a_sum_of_amounts_is_exact_to_the_cent_in_any_order(cents: list[int], data: st.DataObject) -> None:
    """Amounts with cents, up to a billion euros each: under ten billion in total, the figure is
    the exact total to the cent whatever the order of the rows; above, within 1e-11 of it.

    Not claimed: amounts of both signs that cancel out (9 999 999,98 − 9 999 422,96 + 0,03) can
    still differ beyond the 12th significant digit of their intermediate sums."""
    plan = indicateurs.load_plan(
        "période 2023\névénement depense\n    montant : décimal\nindicateur total\n  somme(depense.montant) >= 0\n"
    )
    order = data.draw(st.permutations(cents))
    rows = [{"type": "depense", "date": "2023-03-01", "montant": c / 100} for c in cents]
    shuffled = [{"type": "depense", "date": "2023-03-01", "montant": c / 100} for c in order]
    first, second = run(plan, rows).indicator("total"), run(plan, shuffled).indicator("total")
    assert first.status is second.status
    exact = sum(cents) / 100
    if exact < 10**10:
        assert first.value == second.value == exact
    else:
        assert first.value == pytest.approx(exact, rel=1e-11)
        assert second.value == pytest.approx(exact, rel=1e-11)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


def _columns(plan: m.Plan) -> list[str]:
    names = ["type", "date"]
    for et in plan.event_types.values():
        names += [f.name for f in et.fields if f.name not in names]
    return names


def write_csv(path: Path, plan: m.Plan, records: Sequence[dict[str, Any]]) -> Path:
    columns = _columns(plan)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(columns)
        for record in records:
            writer.writerow([_cell_text(record.get(c)) for c in columns])
    return path


def write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps({k: plain(v) for k, v in record.items()}, ensure_ascii=False) + "\n")
    return path


def write_xlsx(path: Path, plan: m.Plan, records: Sequence[dict[str, Any]]) -> Path:
    columns = _columns(plan)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(columns)
    for record in records:
        sheet.append([record.get(c) for c in columns])
    book.save(path)
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_result_does_not_depend_on_the_kind_of_source(data: st.DataObject, tmp_path_factory: Any) -> None:
    stream = data.draw(events_for(PLAN, max_size=30))
    folder = tmp_path_factory.mktemp("sources")
    expected = run(PLAN, stream)
    files = [
        write_csv(folder / "a.csv", PLAN, stream),
        write_jsonl(folder / "a.jsonl", stream),
        write_xlsx(folder / "a.xlsx", PLAN, stream),
    ]
    for path in files:
        got = run(PLAN, str(path))
        assert got.rejected == 0, (path.suffix, [r.message for r in got.rejections])
        assert (got.read, got.used, got.ignored) == (expected.read, expected.used, expected.ignored), (
            path.suffix
        )
        assert _rounded(signature(got)) == _rounded(signature(expected)), path.suffix


# ---------------------------------------------------------------------------- periods


@FAST
@given(stream=events_for(PLAN, max_size=40, types=["visite"]))
def test_periods_partition_the_year(stream: list[dict[str, Any]]) -> None:
    result = run(PLAN, stream)
    years = values(result, "n_an")
    for unit in ("n_semestre", "n_trimestre", "n_mois"):
        parts = values(result, unit)
        for year, total in years.items():
            assert sum(v for label, v in parts.items() if label.startswith(year)) == total, unit
    quarters = values(result, "s_trimestre")
    for year, total in values(result, "s_an").items():
        assert math.isclose(sum(v for k, v in quarters.items() if k.startswith(year)), total, abs_tol=1e-6)
    assert sum(years.values()) == sum(1 for r in stream if r["type"] == "visite")


def _visit(when: Any) -> dict[str, Any]:
    return {"type": "visite", "date": when, "durée": 1.5, "personnes": 2, "confirmé": True, "genre": "a"}


@FAST
@given(
    before=st.integers(0, 4),
    after=st.integers(0, 4),
    style=st.sampled_from(["datetime", "iso", "belge"]),
)
def test_the_turn_of_the_year_splits_at_midnight(before: int, after: int, style: str) -> None:
    last = dt.datetime(2023, 12, 31, 23, 59)
    first = dt.datetime(2024, 1, 1, 0, 0)

    def shown(moment: dt.datetime) -> Any:
        if style == "datetime":
            return moment
        if style == "iso":
            return moment.strftime("%Y-%m-%d %H:%M")
        return moment.strftime("%d/%m/%Y %H:%M")

    stream = [_visit(shown(last)) for _ in range(before)] + [_visit(shown(first)) for _ in range(after)]
    result = run(PLAN, stream, strict=True)
    assert values(result, "n_an") == {"2023": before, "2024": after}
    quarters = values(result, "n_trimestre")
    assert (quarters["2023-Q4"], quarters["2024-Q1"]) == (before, after)
    months = values(result, "n_mois")
    assert (months["2023-12"], months["2024-01"]) == (before, after)
    assert sum(months.values()) == before + after


@pytest.mark.parametrize(
    "when",
    [dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 12), "2024-02-29", "29/02/2024", "29/02/2024 08:30"],
)
def test_29_february_counts_in_its_year_semester_quarter_and_month(when: Any) -> None:
    result = run(PLAN, [_visit(when)], strict=True)
    assert values(result, "n_an") == {"2023": 0, "2024": 1}
    semesters = values(result, "n_semestre")
    assert semesters["2024-S1"] == 1 and sum(semesters.values()) == 1
    quarters = values(result, "n_trimestre")
    assert quarters["2024-Q1"] == 1 and sum(quarters.values()) == 1
    months = values(result, "n_mois")
    assert months["2024-02"] == 1 and months["2024-03"] == 0 and sum(months.values()) == 1


@pytest.mark.parametrize("when", ["2023-02-29", "29/02/2023"])
def test_29_february_of_a_common_year_is_rejected(when: str) -> None:
    result = run(PLAN, [_visit(when)])
    assert result.rejected == 1 and result.rejections[0].code == "date_invalide"
    assert sum(values(result, "n_an").values()) == 0


# ---------------------------------------------------------------------------- thresholds


def _ladder(template: str, steps: Sequence[str]) -> str:
    lines = [f"indicateur t{i}\n  {template.format(step)}\n" for i, step in enumerate(steps)]
    return "".join(lines)


LADDERS = indicateurs.load_plan(
    """période 2023 à 2024
événement visite
    durée : décimal
    personnes : entier
    lieu : texte optionnel
    confirmé : booléen
"""
    + _ladder("nombre(visite où confirmé) >= {} par trimestre", [str(n) for n in range(0, 9)]).replace(
        "indicateur t", "indicateur nombre_"
    )
    + _ladder("distinct(visite.lieu) >= {} par semestre", [str(n) for n in range(0, 9)]).replace(
        "indicateur t", "indicateur distinct_"
    )
    + _ladder("somme(visite.personnes) >= {} par an", [str(n) for n in range(0, 200, 25)]).replace(
        "indicateur t", "indicateur somme_"
    )
    + _ladder("part(visite où confirmé) >= {} %", [str(n) for n in range(0, 101, 10)]).replace(
        "indicateur t", "indicateur part_"
    )
    + _ladder("nombre(visite) <= {} par mois", [str(n) for n in range(0, 6)]).replace(
        "indicateur t", "indicateur auplus_"
    )
)


@FAST
@given(stream=events_for(LADDERS, max_size=40))
def test_a_met_threshold_stays_met_when_lowered(stream: list[dict[str, Any]]) -> None:
    result = run(LADDERS, stream)
    for family in ("nombre_", "distinct_", "somme_", "part_"):
        rungs = [i for i in result.indicators if i.id.startswith(family)]  # increasing thresholds
        for lower, higher in itertools.pairwise(rungs):
            if higher.status is Status.MET:
                assert lower.status is Status.MET, (lower.id, higher.id)
            for lp, hp in zip(lower.periods, higher.periods, strict=True):
                if hp.status is Status.MET:
                    assert lp.status is Status.MET, (lower.id, higher.id, lp.label)
    at_most = [i for i in result.indicators if i.id.startswith("auplus_")]
    for lower, higher in itertools.pairwise(at_most):  # `<= n` met implies `<= n+1` met
        if lower.status is Status.MET:
            assert higher.status is Status.MET, (lower.id, higher.id)


# ---------------------------------------------------------------------------- every indicator of every plan


def _plan_indicators() -> list[Any]:
    params = []
    for path in sorted((REPO / "plans").glob("*.plan")):
        plan = indicateurs.load_plan(path)
        for ind in plan.indicators:
            params.append(pytest.param(path, ind.id, id=f"{path.stem}:{ind.id}"))
    return params


def _buildable(plan: m.Plan, ident: str) -> bool:
    """Whether the strategies build streams for an indicator: a target or a yes/no fact. For the
    others (monitored, without expression, milestones, targets to be defined) they say there is
    no threshold, and for the constructs beyond counting they do not build yet, that they do
    not: a ValueError either way, checked here."""
    ind = plan.indicator(ident)
    judged = ind.expr is not None and ind.kind in (IndicatorKind.TARGET, IndicatorKind.YES_NO)
    if judged and ident in buildable_indicators(plan):
        return True
    assert not judged or beyond_counting(plan, ind)
    why = (
        r"ne s.y appliquent pas|pas d.expression"
        if not judged
        else r"ne construisent pas|non prise en charge"
    )
    for strategy in (meeting, missing, around_threshold):
        with pytest.raises(ValueError, match=why):
            strategy(plan, ident)
    return False


_PLANS: dict[Path, m.Plan] = {}


def _load(path: Path) -> m.Plan:
    if path not in _PLANS:
        _PLANS[path] = indicateurs.load_plan(path)
    return _PLANS[path]


def _after(plan: m.Plan) -> dt.date:
    return evaluation_window(plan).end + dt.timedelta(days=1)


@pytest.mark.parametrize(("path", "ident"), _plan_indicators())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_streams_built_to_meet_or_miss_do_so(path: Path, ident: str, data: st.DataObject) -> None:
    plan = _load(path)
    if not _buildable(plan, ident):
        return
    as_text = data.draw(st.booleans(), label="as_text")
    met = data.draw(meeting(plan, ident, noise=True, as_text=as_text), label="meeting")
    result = indicateurs.evaluate(plan, met, as_of=_after(plan), strict=True).indicator(ident)
    assert result.status is Status.MET, [(p.label, p.status, p.value) for p in result.periods]
    assert all(p.status is Status.MET for p in _judged(result))

    missed = data.draw(missing(plan, ident, noise=True, as_text=as_text), label="missing")
    result = indicateurs.evaluate(plan, missed, as_of=_after(plan), strict=True).indicator(ident)
    if result.status is Status.NO_DATA:  # only when no event of its types can exist without meeting it
        window = evaluation_window(plan)
        assert not any(
            r["type"] in result.event_types and window.start <= _day(r["date"]) <= window.end for r in missed
        )
    else:
        assert result.status is Status.NOT_MET
        assert all(p.status is Status.NOT_MET for p in _judged(result))


@pytest.mark.parametrize(("path", "ident"), _plan_indicators())
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_streams_around_the_threshold_get_the_verdict_they_announce(
    path: Path, ident: str, data: st.DataObject
) -> None:
    plan = _load(path)
    if not _buildable(plan, ident):
        return
    threshold = data.draw(around_threshold(plan, ident))
    verdicts = []
    for case in threshold:
        result = indicateurs.evaluate(plan, case.events, as_of=_after(plan), strict=True).indicator(ident)
        assert result.status is case.status, case.position
        verdicts.append(case.met)
    assert len(set(verdicts)) == 2  # the threshold is crossed


def _judged(result: IndicatorResult) -> list[PeriodResult]:
    """The periods a verdict is asked of: not those the window cuts (partial), nor those a trend
    follows without judging (its baseline year, the first period of its comparisons)."""
    followed = Status.MONITORED if result.kind != IndicatorKind.MONITORED.value else None
    return [p for p in result.periods if p.partial is None and not (p.status is followed and p.reason)]


def _day(value: Any) -> dt.date:
    from indicateurs.convert import parse_date

    return parse_date(value)
