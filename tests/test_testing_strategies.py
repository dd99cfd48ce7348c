"""The event strategies of `indicateurs.testing`: valid streams of every field kind, streams that
meet or miss every kind of indicator (each aggregate, filters, periods, ratios, deadlines,
references), the streams around a threshold, and clear errors where no stream can be built."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import IndicatorKind, Status
from indicateurs import model as m
from indicateurs.convert import field_converter, parse_date
from indicateurs.testing import (
    UnsatisfiableError,
    around_threshold,
    evaluation_window,
    events_for,
    field_values,
    matching_event,
    meeting,
    missing,
)
from indicateurs.testing.plan_strategies import compile_plan, expressions, plan_with_expression

PLAN = indicateurs.load_plan(
    """plan « Essai des stratégies »
période 2023

événement visite
    durée : décimal
    personnes : entier
    lieu : texte optionnel
    confirmé : booléen
    genre : a | b | c
    le_jour : date optionnel
événement atelier
    participants : entier optionnel
    thème : sport | culture | autre
événement courrier
    objet : texte

indicateur par_trimestre
  nombre(visite) >= 10 par trimestre
indicateur lieux
  distinct(visite.lieu) >= 3 par semestre
indicateur heures
  somme(visite.durée) >= 12,5 par mois
indicateur duree_moyenne
  moyenne(visite.durée où confirmé) >= 2,5
indicateur minimum
  min(visite.personnes) >= 2
indicateur maximum
  max(visite.personnes où genre != a) <= 20
indicateur sport
  existe(atelier où thème = sport) avant le 2023-06-30
indicateur part_confirmee
  part(visite où confirmé) >= 80 %
indicateur ratio
  nombre(visite où personnes >= 3 et genre dans [a, b]) / nombre(visite) >= 75 %
indicateur bornes
  nombre(atelier) entre 3 et 5 par an
indicateur combine
  existe(atelier) et nombre(visite où non confirmé) < 4
indicateur annuel
  nombre(visite) >= 10
indicateur sport_an
  existe(atelier où thème = sport)
indicateur un_atelier
  existe(atelier)
indicateur reference
  annuel ou sport_an
indicateur volume
  suivi nombre(visite)
indicateur volume_cible
  volume >= 7
indicateur exotique
  nombre(visite où personnes > durée) >= 2
indicateur dates
  nombre(visite où le_jour entre 2023-01-01 et 2023-03-31) >= 2 par semestre
indicateur exclus
  nombre(visite où personnes pas dans [1, 2, 3]) >= 2 par mois
indicateur egal
  nombre(atelier) = 4
indicateur different
  somme(atelier.participants où thème dans [sport, culture]) != 0
indicateur ou_condition
  nombre(visite où genre = a ou (personnes > 5 et non confirmé)) >= 3 par semestre
indicateur peu_autres
  part(atelier où thème = autre) < 20 %
indicateur difference
  nombre(visite) - nombre(atelier) >= 2
indicateur echeance_trimestre
  nombre(visite) >= 2 par trimestre avant le 2023-08-15
indicateur trimestriel
  nombre(atelier) >= 1 par trimestre
indicateur programme
  sport et trimestriel
indicateur suivi_echeance
  suivi nombre(atelier) avant le 2023-03-31
indicateur debut_annee
  suivi_echeance >= 2
indicateur a_definir
"""
)
WINDOW = evaluation_window(PLAN)
AFTER = WINDOW.end + dt.timedelta(days=1)
JUDGED = [
    i.id
    for i in PLAN.indicators
    if i.kind not in (IndicatorKind.MONITORED, IndicatorKind.UNDEFINED) and i.id != "echeance_trimestre"
]
SOME = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def first(strategy: st.SearchStrategy[Any], condition: Any = lambda x: True) -> Any:
    """The first drawn value that satisfies the condition (not shrunk: shrinking rebuilds streams)."""
    return find(
        strategy, condition, settings=settings(database=None, phases=[Phase.generate], max_examples=300)
    )


def status(events: list[dict[str, Any]], ident: str, plan: m.Plan = PLAN) -> indicateurs.IndicatorResult:
    window = evaluation_window(plan)
    result = indicateurs.evaluate(plan, events, as_of=window.end + dt.timedelta(days=1), strict=True)
    return result.indicator(ident)


# ---------------------------------------------------------------------------- random streams


@SOME
@given(stream=events_for(PLAN, max_size=30))
def test_random_streams_are_valid_and_inside_the_window(stream: list[dict[str, Any]]) -> None:
    result = indicateurs.evaluate(PLAN, stream, as_of=AFTER, strict=True)
    assert result.rejected == 0 and result.read == len(stream)
    for record in stream:
        assert WINDOW.start <= parse_date(record["date"]) <= WINDOW.end
        assert record["type"] in PLAN.event_types


@SOME
@given(stream=events_for(PLAN, 2023, types=["atelier"], min_size=3, max_size=5, as_text=True))
def test_random_streams_as_text_are_text_and_read_back(stream: list[dict[str, Any]]) -> None:
    assert 3 <= len(stream) <= 5
    assert {r["type"] for r in stream} == {"atelier"}
    assert all(isinstance(v, str) for r in stream for v in r.values() if v is not None)
    assert indicateurs.evaluate(PLAN, stream, as_of=AFTER, strict=True).rejected == 0


@pytest.mark.parametrize(
    "decl",
    [
        m.FieldDecl("t", m.FieldKind.TEXT),
        m.FieldDecl("i", m.FieldKind.INTEGER),
        m.FieldDecl("d", m.FieldKind.DECIMAL),
        m.FieldDecl("j", m.FieldKind.DATE),
        m.FieldDecl("b", m.FieldKind.BOOLEAN),
        m.FieldDecl("e", m.FieldKind.ENUM, ("journée_étude", "colloque")),
    ],
    ids=lambda d: d.kind.value,
)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_field_values_convert_to_their_kind(decl: m.FieldDecl, data: st.DataObject) -> None:
    typed = data.draw(field_values(decl))
    text = data.draw(field_values(decl, as_text=True))
    convert = field_converter(decl)
    assert convert(typed) == typed
    assert isinstance(text, str)
    convert(text)  # raises ConversionError if the text does not read


def test_events_for_refuses_unknown_types() -> None:
    with pytest.raises(ValueError, match="inconnus"):
        events_for(PLAN, types=["visite", "inconnu"])


# ---------------------------------------------------------------------------- meeting and missing


@pytest.mark.parametrize("ident", JUDGED)
@SOME
@given(data=st.data())
def test_meeting_and_missing_streams_get_their_verdict_in_every_period(
    ident: str, data: st.DataObject
) -> None:
    as_text = data.draw(st.booleans(), label="as_text")
    met = status(data.draw(meeting(PLAN, ident, noise=True, as_text=as_text), label="meeting"), ident)
    assert met.status is Status.MET and all(p.status is Status.MET for p in met.periods)
    missed = status(data.draw(missing(PLAN, ident, noise=True, as_text=as_text), label="missing"), ident)
    assert missed.status in (Status.NOT_MET, Status.NO_DATA)
    if missed.status is Status.NOT_MET:
        assert all(p.status is Status.NOT_MET for p in missed.periods)


def test_missing_an_unfiltered_existence_leaves_no_data() -> None:
    stream = first(missing(PLAN, "un_atelier"))
    assert not [
        r for r in stream if r["type"] == "atelier" and WINDOW.start <= parse_date(r["date"]) <= WINDOW.end
    ]
    assert status(stream, "un_atelier").status is Status.NO_DATA


def test_missing_a_filtered_existence_is_not_met() -> None:
    assert status(first(missing(PLAN, "sport_an")), "sport_an").status is Status.NOT_MET


def test_meeting_streams_can_sit_exactly_on_the_threshold() -> None:
    stream = first(meeting(PLAN, "par_trimestre"), lambda s: len(s) <= 40)
    assert [p.value for p in status(stream, "par_trimestre").periods] == [10, 10, 10, 10]


def test_missing_a_deadline_can_be_by_lateness() -> None:
    deadline = dt.date(2023, 6, 30)
    late = first(
        missing(PLAN, "sport"),
        lambda s: any(r["type"] == "atelier" and parse_date(r["date"]) > deadline for r in s),
    )
    assert status(late, "sport").status is Status.NOT_MET


@SOME
@given(stream=meeting(PLAN, "sport"))
def test_meeting_a_deadline_puts_a_counted_event_before_it(stream: list[dict[str, Any]]) -> None:
    assert any(
        r["type"] == "atelier" and r["thème"] == "sport" and parse_date(r["date"]) <= dt.date(2023, 6, 30)
        for r in stream
    )


@SOME
@given(stream=meeting(PLAN, "lieux"))
def test_distinct_values_may_repeat(stream: list[dict[str, Any]]) -> None:
    result = status(stream, "lieux")
    assert result.status is Status.MET
    assert all(p.value is not None and p.value >= 3 for p in result.periods)


def test_distinct_streams_include_repeated_values() -> None:
    def repeats(stream: list[dict[str, Any]]) -> bool:
        places = [r["lieu"] for r in stream if r["type"] == "visite" and r.get("lieu")]
        return len(places) > len(set(places))

    stream = first(meeting(PLAN, "lieux"), repeats)
    assert status(stream, "lieux").status is Status.MET


@pytest.mark.parametrize("period", [2024, (dt.date(2023, 3, 1), dt.date(2023, 8, 31))])
def test_another_window(period: Any) -> None:
    window = evaluation_window(PLAN, period)
    stream = first(meeting(PLAN, "par_trimestre", period=period))
    result = indicateurs.evaluate(PLAN, stream, period=period, as_of=window.end + dt.timedelta(days=1))
    periods = result.indicator("par_trimestre").periods
    # Quarters the window cuts are shown but not judged; the complete ones are met.
    assert periods and all(p.status is Status.MET for p in periods if p.partial is None)
    assert all(p.status is Status.NOT_EVALUABLE for p in periods if p.partial is not None)
    assert result.indicator("par_trimestre").status is Status.MET
    assert all(window.start <= parse_date(r["date"]) <= window.end for r in stream)


# ---------------------------------------------------------------------------- around the threshold


@pytest.mark.parametrize(
    ("ident", "met"),
    [
        ("par_trimestre", [False, True, True]),
        ("maximum", [True, True, False]),
        ("sport", [False, True, True]),
        ("part_confirmee", [False, True, True]),
        ("ratio", [False, True, True]),
        ("egal", [False, True, False]),
        ("different", [True, False, True]),
        ("peu_autres", [True, False, False]),
        ("bornes", [False, True, True, False]),
        ("duree_moyenne", [False, True, True]),
        ("heures", [False, True, True]),
    ],
)
@FEW
@given(data=st.data())
def test_around_the_threshold(ident: str, met: list[bool], data: st.DataObject) -> None:
    threshold = data.draw(around_threshold(PLAN, ident))
    assert threshold.indicator == ident
    assert [c.met for c in threshold] == met
    assert all(c.exact for c in threshold)
    for case in threshold:
        assert status(case.events, ident).status is case.status, case.label
    measured = [c.measured for c in threshold]
    assert None not in measured and measured == sorted(measured) and len(set(measured)) == len(measured)
    if ident == "bornes":
        assert [c.position for c in threshold] == ["below_low", "at_low", "at_high", "above_high"]
        assert [c.target for c in threshold] == [3, 3, 5, 5]
        assert threshold.case("at_low").measured == 3 and threshold.case("at_high").measured == 5
    else:
        assert [c.position for c in threshold] == ["below", "at", "above"]
        at = threshold.case("at")
        assert at.label == "au seuil" and at.measured == pytest.approx(at.target)


@FEW
@given(threshold=around_threshold(PLAN, "par_trimestre"))
def test_one_below_and_one_above_a_count_in_every_quarter(threshold: Any) -> None:
    assert [c.measured for c in threshold] == [9, 10, 11]
    for case, expected in zip(threshold, (9, 10, 11), strict=True):
        assert [p.value for p in status(case.events, "par_trimestre").periods] == [expected] * 4


@FEW
@given(threshold=around_threshold(PLAN, "part_confirmee"))
def test_a_share_steps_by_one_event(threshold: Any) -> None:
    below, at, above = threshold
    assert at.measured == 0.8 and below.measured < 0.8 < above.measured


@SOME
@given(data=st.data())
def test_around_the_threshold_when_drawn(data: st.DataObject) -> None:
    ident = data.draw(st.sampled_from(["par_trimestre", "ratio", "combine", "reference", "programme"]))
    threshold = data.draw(around_threshold(PLAN, ident))
    verdicts = {c.met for c in threshold}
    assert verdicts == {True, False}
    for case in threshold:
        assert status(case.events, ident).status is case.status


# ---------------------------------------------------------------------------- errors


def test_monitored_and_undefined_indicators_raise() -> None:
    for strategy in (meeting, missing, around_threshold):
        with pytest.raises(ValueError, match="suivi sans cible"):
            strategy(PLAN, "volume")
        with pytest.raises(ValueError, match="pas d'expression"):
            strategy(PLAN, "a_definir")
        with pytest.raises(ValueError, match="indicateur inconnu « nulle_part »"):
            strategy(PLAN, "nulle_part")


def test_a_period_wholly_after_the_deadline_cannot_be_met() -> None:
    with pytest.raises(UnsatisfiableError, match=r"2023-Q4.*entièrement après l.échéance du 15/08/2023"):
        meeting(PLAN, "echeance_trimestre")
    stream = first(missing(PLAN, "echeance_trimestre"))
    assert status(stream, "echeance_trimestre").status is Status.NOT_MET


def test_impossible_constructions_say_why() -> None:
    plan = indicateurs.load_plan(
        "période 2023\névénement visite\n    personnes : entier\n    durée : décimal\n"
        "indicateur jamais\n  nombre(visite où personnes > personnes) >= 1\n"
        "indicateur vide\n  non existe(visite)\n"
        "indicateur annuel\n  nombre(visite) >= 1 par an\n"
        "indicateur trimestre\n  annuel par trimestre\n"
    )
    with pytest.raises(UnsatisfiableError, match="jamais"):
        meeting(plan, "jamais")
    with pytest.raises(UnsatisfiableError, match="tout événement de ses types le fait manquer"):
        meeting(plan, "vide")


LONGER = indicateurs.load_plan(
    "période 2023 à 2024\névénement visite\n    personnes : entier\n"
    "indicateur annuel\n  nombre(visite) >= 3 par an\n"
    "indicateur trimestre\n  annuel et existe(visite où personnes > 2) par trimestre\n"
)


@FEW
@given(data=st.data())
def test_a_reference_judged_over_longer_periods_is_built_year_by_year(data: st.DataObject) -> None:
    """A quarterly target that refers to a yearly one reads the whole year: the streams are
    built a year at a time, every quarter of it met (or missed) by the year's events."""
    met = status(data.draw(meeting(LONGER, "trimestre")), "trimestre", LONGER)
    assert met.status is Status.MET and len(met.periods) == 8
    assert all(p.status is Status.MET for p in met.periods)
    missed = status(data.draw(missing(LONGER, "trimestre")), "trimestre", LONGER)
    assert missed.status is Status.NOT_MET and all(p.status is Status.NOT_MET for p in missed.periods)
    with pytest.raises(ValueError, match="périodes plus longues"):
        around_threshold(LONGER, "trimestre")


def test_an_indicator_object_is_accepted() -> None:
    stream = first(meeting(PLAN, PLAN.indicator("egal")))
    assert status(stream, "egal").status is Status.MET


# ---------------------------------------------------------------------------- one matching event


@pytest.mark.parametrize(
    "where",
    [
        "personnes >= 3 et genre dans [a, b]",
        "personnes pas dans [1, 2, 3]",
        "genre = a ou (personnes > 5 et non confirmé)",
        "personnes > durée",
        "le_jour entre 2023-01-01 et 2023-03-31",
        "non (durée < 2,5 ou lieu = « Gare »)",
        "confirmé et genre != c",
    ],
)
@SOME
@given(data=st.data())
def test_matching_event_passes_or_fails_the_condition(where: str, data: st.DataObject) -> None:
    plan = indicateurs.load_plan(
        "période 2023\névénement visite\n    durée : décimal\n    personnes : entier\n"
        "    lieu : texte optionnel\n    confirmé : booléen\n    genre : a | b | c\n"
        f"    le_jour : date optionnel\nindicateur sonde\n  suivi nombre(visite où {where})\n"
    )
    probe = plan.indicator("sonde").expr
    assert isinstance(probe, m.Aggregate)
    matching = data.draw(matching_event(plan, probe))
    failing = data.draw(matching_event(plan, probe, matching=False))
    assert status([matching], "sonde", plan).value == 1
    assert status([failing], "sonde", plan).value == 0


def test_matching_event_needs_a_condition_to_fail() -> None:
    expr = PLAN.indicator("par_trimestre").expr
    assert isinstance(expr, m.Compare) and isinstance(expr.left, m.Aggregate)
    with pytest.raises(UnsatisfiableError):
        matching_event(PLAN, expr.left, matching=False)


# ---------------------------------------------------------------------------- any valid plan


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=expressions("line"), data=st.data())
def test_strategies_never_build_a_wrong_stream_for_any_valid_expression(
    text: str, data: st.DataObject
) -> None:
    """On expressions drawn by `plan_strategies`: a stream is built and gets its verdict, or
    the construction says why it cannot (a ValueError), never a wrong stream."""
    plan = compile_plan(plan_with_expression(text))
    if plan.indicator("sujet").kind is IndicatorKind.MONITORED:
        return
    for want, strategy in ((True, meeting), (False, missing)):
        try:
            built = strategy(plan, "sujet")
        except ValueError:
            continue
        got = status(data.draw(built), "sujet", plan).status
        assert got is Status.MET if want else got in (Status.NOT_MET, Status.NO_DATA), (text, want, got)
