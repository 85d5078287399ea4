"""Display names that say which place: "Georgia (US state)", "Valence, France"."""

from __future__ import annotations

from pathlib import Path

from bot.core.engine import QueryEngine
from bot.core.loader import load_dataset
from bot.core.model import Country, Jurisdiction, Level, display_names

US = Country("us", "United States", ("USA", "US", "U.S."))
FR = Country("fr", "France", ("French Republic",))
ES = Country("es", "Spain", ("España",))
GE = Country("ge", "Georgia", ("Sakartvelo",))


def test_a_state_named_like_a_country_says_it_is_a_us_state() -> None:
    places = [
        Jurisdiction("georgia-us", "Georgia", Level.STATE, "us"),
        Jurisdiction("france", "France", Level.NATIONAL, "fr"),  # its own country: no qualifier
        Jurisdiction("navarre", "Navarre", Level.REGION, "es"),
    ]
    shown = display_names([US, FR, ES, GE], places)
    assert shown == {"georgia-us": "Georgia (US state)", "france": "France", "navarre": "Navarre"}


def test_a_region_named_like_another_country_without_an_abbreviation() -> None:
    shown = display_names([ES, FR], [Jurisdiction("x", "France", Level.REGION, "es")])
    assert shown == {"x": "France (region of Spain)"}


def test_a_city_in_two_countries_gets_its_country_beside_it() -> None:
    places = [
        Jurisdiction("valence-fr", "Valence", Level.CITY, "fr"),
        Jurisdiction("valence-es", "Valence", Level.CITY, "es"),
        Jurisdiction("lyon", "Lyon", Level.CITY, "fr"),
    ]
    shown = display_names([US, FR, ES], places)
    assert shown == {"valence-fr": "Valence, France", "valence-es": "Valence, Spain", "lyon": "Lyon"}


def test_two_places_of_one_country_with_one_name_get_their_level() -> None:
    places = [
        Jurisdiction("fresno-city", "Fresno", Level.CITY, "us"),
        Jurisdiction("fresno-county", "Fresno", Level.COUNTY, "us"),
    ]
    shown = display_names([US], places)
    assert shown == {
        "fresno-city": "Fresno (city, United States)",
        "fresno-county": "Fresno (county, United States)",
    }


def test_the_datas_own_qualified_alias_wins() -> None:
    place = Jurisdiction("georgia-us", "Georgia", Level.STATE, "us", aliases=("GA", "Georgia (US state)"))
    assert display_names([US], [place]) == {"georgia-us": "Georgia (US state)"}


def test_every_answer_names_georgia_as_the_us_state() -> None:
    result = load_dataset(Path(__file__).resolve().parents[1] / "data")
    assert result.dataset is not None
    engine = QueryEngine(result.dataset)
    answer = engine.jurisdiction("georgia")
    assert answer.title == "Georgia (US state)"
    assert answer.message.startswith("Showing Georgia (US state) for 'georgia'.")
    assert answer.entries[0].heading.startswith("Georgia (US state) — ")
    labels = [c.label for c in engine.suggest_jurisdictions("georg")]
    assert labels[0].startswith("Georgia (US state) (state, United States")
    assert engine.suggest_resolutions("georgia")[0].label.startswith("Georgia (US state) · ")
