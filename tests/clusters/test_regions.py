"""A cluster's states: every Indian city of the gazetteer has one, foreign places their country."""

from __future__ import annotations

from trafficscan.clusters.regions import CITY_STATE, state_of
from trafficscan.features.places import load_gazetteer


def test_every_indian_city_and_area_of_the_gazetteer_has_a_state() -> None:
    places = {p.name: p for p in load_gazetteer().values()}
    states = {name for name, p in places.items() if p.kind == "state"} | {"Chandigarh"}  # a UT
    local = [name for name, p in places.items() if p.country == "IN" and p.kind in ("city", "area")]
    assert [name for name in local if state_of(name) is None] == []  # add new cities to CITY_STATE
    assert {state_of(name) for name in local} <= states
    assert set(CITY_STATE) <= set(places)  # no mapping for a place the gazetteer lost


def test_states_of_indian_foreign_and_unknown_places() -> None:
    assert state_of("Sonagachi") == state_of("Siliguri") == "West Bengal"
    assert state_of("Assam") == "Assam"
    assert state_of("Bangkok") == state_of("Mae Sot") == "Thailand"
    assert state_of("India") is None  # the whole country places nothing
    assert state_of("Nowhere Nagar") is None  # unknown: counted as a city, never as a state
