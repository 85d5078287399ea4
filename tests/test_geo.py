"""The outlines and the location check: a place must lie in its country (a guard against typos)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_loader_names import HEAD, RECORDS, line_of, problems, write

from bot.core.geo import LOCATION_TOLERANCE_KM, country_outlines, location_problem
from bot.core.loader import RESOLUTIONS_FILE, check_file, load_dataset


@pytest.fixture(scope="module")
def outlines() -> dict:
    found = country_outlines()
    assert len(found) > 170
    return found


@pytest.mark.parametrize(
    ("country", "lat", "lon"),
    [
        ("fr", 48.86, 2.35),  # Paris
        ("us", 21.31, -157.86),  # Honolulu: islands are in the 1:110m outline
        ("us", 41.82, -71.41),  # Providence
        ("au", -42.88, 147.33),  # Hobart, Tasmania
        ("fj", -17.8, 178.0),  # Fiji, whose outline crosses the antimeridian
        ("ru", 65.0, -175.0),  # Chukotka, east of the antimeridian
        ("es", 43.26, -2.93),  # Bilbao
        ("it", 38.12, 13.36),  # Palermo, on a coast 1:110m draws coarsely
    ],
)
def test_places_lie_in_their_country(outlines: dict, country: str, lat: float, lon: float) -> None:
    assert location_problem(lat, lon, outlines[country]) is None


def test_a_place_elsewhere_is_a_problem_that_says_how_far(outlines: dict) -> None:
    assert outlines["fr"].contains(48.86, 2.35)
    assert not outlines["us"].contains(48.86, 2.35)
    assert location_problem(48.86, 2.35, outlines["us"]) == (
        "[48.86, 2.35] is more than 500 km outside United States of America"
    )
    assert location_problem(2.35, 48.86, outlines["fr"]) == (
        "[2.35, 48.86] is more than 500 km outside France (latitude and longitude swapped?)"
    )
    near = location_problem(50.0, -3.0, outlines["fr"])  # the Channel, off Brittany
    assert near is not None
    assert near.startswith("[50, -3] is about ")


def test_a_coast_point_within_the_tolerance_is_accepted(outlines: dict) -> None:
    montevideo = (-34.90, -56.16)
    distance = outlines["uy"].distance_km(*montevideo)
    assert 0 < distance < LOCATION_TOLERANCE_KM
    assert location_problem(*montevideo, outlines["uy"]) is None


def test_check_data_reports_a_location_outside_its_country(tmp_path: Path) -> None:
    text = HEAD.replace("location: [46.6, 2.2]", "location: [2.2, 46.6]") + RECORDS
    found = problems(tmp_path, text)
    line = line_of(text, "- id: france")
    expected = (
        f"resolutions.yaml:{line}: jurisdiction 'france': location [2.2, 46.6] is more than 500 km "
        "outside France (latitude and longitude swapped?)"
    )
    assert found == [expected]
    single = check_file(tmp_path / RESOLUTIONS_FILE)  # check-data on the one file finds it too
    assert [p.line for p in single.problems] == [line]


def test_the_european_union_has_no_outline_and_is_not_checked(tmp_path: Path) -> None:
    text = HEAD.replace(
        "jurisdictions:\n",
        "  - id: eu\n    name: European Union\njurisdictions:\n"
        "  - id: european-parliament\n    name: European Parliament\n    level: supranational\n"
        "    country: eu\n    location: [48.6, 7.77]\n",
    )
    result = load_dataset(write(tmp_path, text + RECORDS))
    assert result.problems == ()


def test_the_shipped_locations_lie_in_their_countries() -> None:
    result = load_dataset(Path(__file__).resolve().parent.parent / "data")
    assert result.problems == ()
    assert result.dataset is not None
