"""Tests de propriétés d'un plan, à copier à côté de votre plan (voir docs/tester.md).

Lancer : `python -m pytest exemples/test_mon_plan.py`. Pour votre plan, copiez ce fichier dans
votre dépôt et changez `FICHIER_PLAN`. Les flux d'événements sont tirés par Hypothesis avec les
stratégies de `indicateurs.testing` : des activités quelconques, des activités construites pour
atteindre (ou manquer) un indicateur, et les activités juste sous, au et juste au-dessus d'un seuil.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import indicateurs
from indicateurs import Status
from indicateurs.testing import (
    around_threshold,
    buildable_indicators,
    evaluation_window,
    events_for,
    meeting,
    missing,
)

FICHIER_PLAN = Path(__file__).resolve().parent.parent / "plans" / "molenbeek-2023.plan"
PLAN = indicateurs.load_plan(FICHIER_PLAN)
FENETRE = evaluation_window(PLAN)  # la période du plan
APRES = FENETRE.end + dt.timedelta(days=1)  # évalué une fois la période finie
CIBLES = buildable_indicators(PLAN)  # les indicateurs à cible ou Oui/Non
QUELQUES = settings(max_examples=30, deadline=None)


def resultat(evenements: list[dict[str, Any]], indicateur: str) -> indicateurs.IndicatorResult:
    """Le verdict d'un indicateur ; strict=True : une ligne refusée fait échouer le test."""
    return indicateurs.evaluate(PLAN, evenements, as_of=APRES, strict=True).indicator(indicateur)


@pytest.mark.parametrize("indicateur", CIBLES)
@QUELQUES
@given(data=st.data())
def test_ce_qui_est_prevu_atteint_l_indicateur(indicateur: str, data: st.DataObject) -> None:
    evenements = data.draw(meeting(PLAN, indicateur))
    assert resultat(evenements, indicateur).status is Status.MET


@pytest.mark.parametrize("indicateur", CIBLES)
@QUELQUES
@given(data=st.data())
def test_en_dessous_de_ce_qui_est_prevu_l_indicateur_n_est_pas_atteint(
    indicateur: str, data: st.DataObject
) -> None:
    evenements = data.draw(missing(PLAN, indicateur))
    # « sans données » quand aucune activité de ce type n'a été encodée (un Oui/Non sans activité)
    assert resultat(evenements, indicateur).status in (Status.NOT_MET, Status.NO_DATA)


@pytest.mark.parametrize("indicateur", CIBLES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_le_seuil_est_bien_place(indicateur: str, data: st.DataObject) -> None:
    seuil = data.draw(around_threshold(PLAN, indicateur))
    for cas in seuil:  # juste sous le seuil, au seuil, juste au-dessus
        assert resultat(cas.events, indicateur).status is cas.status, cas.label
    assert [c.met for c in seuil] == [False, True, True]  # toutes les cibles de ce plan sont « au moins »


@QUELQUES
@given(evenements=events_for(PLAN, max_size=40))
def test_une_personne_suivie_deux_fois_compte_une_fois(evenements: list[dict[str, Any]]) -> None:
    """Une règle propre à ce plan : répéter une prise en charge déjà encodée ne change rien."""
    deja = [e for e in evenements if e["type"] == "prise_en_charge"]
    avant = resultat(evenements, "prises_en_charge").value
    apres = resultat(evenements + deja, "prises_en_charge").value
    assert avant == apres


@QUELQUES
@given(evenements=events_for(PLAN, max_size=40, as_text=True))
def test_les_valeurs_ecrites_comme_dans_un_tableur_sont_lues(evenements: list[dict[str, Any]]) -> None:
    """« 12,5 », « oui », « 15/03/2023 » : chaque ligne est acceptée, aucune n'est ignorée."""
    rapport = indicateurs.evaluate(PLAN, evenements, as_of=APRES)
    assert rapport.rejected == 0 and rapport.ignored == 0
    assert rapport.used == len(evenements)
