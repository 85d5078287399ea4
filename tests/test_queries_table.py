"""A labelled table of real-looking queries and the answers they must get, on the shipped dataset.

Each row is what a person might type (typos, abbreviations, aliases, foreign names, word
order, accents, partial words, false friends, every date form) and what the bot must answer:
the status, and the record, event or candidate ids. "Today" is 25 November 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.answers import Answer, Status
from bot.core.engine import QueryEngine
from bot.core.loader import load_dataset

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 11, 25)

FOUND, AMBIGUOUS, NOT_FOUND, INVALID = Status.FOUND, Status.AMBIGUOUS, Status.NOT_FOUND, Status.INVALID


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    result = load_dataset(DATA)
    assert result.dataset is not None, [str(p) for p in result.problems]
    return QueryEngine(result.dataset)


@dataclass(frozen=True)
class Q:
    """One query and what it must answer.

    ``records`` are compared by ``mode``: "exact" (same ids, same order), "first" (the
    answer starts with them), "has" (all of them are in the answer) or "set" (same ids).
    """

    command: str
    text: str | None
    status: Status
    records: tuple[str, ...] = ()
    mode: str = "exact"
    events: tuple[str, ...] | None = None  # exact, in order
    candidates: frozenset[str] | None = None
    nearest: tuple[str, ...] | None = None
    count: int | None = None  # number of records, when not all are listed
    message: str | None = None  # a substring of the message
    absent: tuple[str, ...] = ()  # record ids that must NOT be in the answer
    non_acts: tuple[str, ...] | None = None  # acts that never happened, explained, in order


def J(
    text: str, *records: str, mode: str = "exact", count: int | None = None, message: str | None = None
) -> Q:
    return Q("jurisdiction", text, FOUND, records, mode, count=count, message=message)


def JA(text: str, *values: str) -> Q:
    return Q("jurisdiction", text, AMBIGUOUS, candidates=frozenset(values), message=f"'{text}' could mean")


def JN(text: str) -> Q:
    return Q("jurisdiction", text, NOT_FOUND, message=f"Nothing matches '{text}'.")


def NA(text: str, *non_acts: str, command: str = "jurisdiction") -> Q:
    """A name of something that never happened: a private "not found" that explains it, no near name."""
    return Q(command, text, NOT_FOUND, candidates=frozenset(), non_acts=non_acts,
             message=f"No act on record for '{text}':")


def R(text: str, *records: str, mode: str = "first") -> Q:
    return Q("resolution", text, FOUND, records, mode)


def D(
    text: str,
    *records: str,
    events: tuple[str, ...] = (),
    mode: str = "exact",
    message: str | None = None,
    absent: tuple[str, ...] = (),
) -> Q:
    return Q("date", text, FOUND, records, mode, events=events, message=message, absent=absent)


def DN(text: str, nearest: tuple[str, ...], message: str) -> Q:
    return Q("date", text, NOT_FOUND, nearest=nearest, message=message, events=())


def O(text: str | None, *records: str, events: tuple[str, ...] = (), message: str | None = None) -> Q:  # noqa: E743
    return Q("onthisday", text, FOUND, records, "exact", events=events, message=message)


def BAD(command: str, text: str, message: str) -> Q:
    return Q(command, text, INVALID, message=message)


CA = ("us-ca-senate-2014-08-27", "us-ca-assembly-2014-05-08")
LA_CITY = (
    "us-los-angeles-council-2021-03",
    "us-los-angeles-council-2020-12-10",
    "us-los-angeles-council-2020-09-30",
    "us-los-angeles-council-2018-09-07",
    "us-los-angeles-council-2013-09-10",
)
FRESNO_COUNTY = ("us-fresno-county-supervisors-2020-11-03", "us-fresno-county-supervisors-2013-04-23")
FRESNO_CITY = ("us-fresno-city-council-2020-10-12",)
LOUISIANA = ("us-la-senate-2014-05-28", "us-la-senate-2013-05-30")
MICHIGAN = ("us-mi-house-2020-10-14", "us-mi-senate-2017-09-28")
MASSACHUSETTS = ("us-ma-house-2012-08-06", "us-ma-house-2004-11")
US_FIRST = (
    "us-la-county-supervisors-2023-10-03",
    "us-az-speaker-2023-05",
    "us-los-angeles-council-2021-03",
)
FRANCE = (
    "fr-senate-2020-11-25",
    "fr-national-assembly-2020-12-03",
    "fr-lyon-council-2020",
    "fr-limonest-council-2020-10-15",
)
SPAIN = (
    "es-senate-2023-10-17",
    "es-santa-pau-council-2020",
    "es-berga-council-2020",
    "es-congress-committee-2020-11-23",
    "es-catalonia-parliament-2020-10-14",
    "es-navarre-parliament-2014-11-03",
    "es-basque-parliament-2014-09-12",
    "es-gipuzkoa-juntas-2014-09-11",
)
BELGIUM = (
    "be-chamber-2025-07-17",
    "be-chamber-2020-12-18",
    "be-senate-2020-12-11",
    "be-senate-committee-2020-12-07",
)
URUGUAY = (
    "uy-senate-2022-12-20",
    "uy-montevideo-junta-2020-11-12",
    "uy-senate-2020-10-07",
    "uy-foreign-minister-2015-01-04",
    "uy-chamber-1991-07-02",
)
GLENDALE = ("us-glendale-council-2020-10-27", "us-glendale-council-2020-09-29")
WEHO = ("us-west-hollywood-council-2021-01-19", "us-west-hollywood-council-2020-10-19")
AURA = ("fr-auvergne-rhone-alpes-council-2020-12", "fr-auvergne-rhone-alpes-council-2020-10")
# "Sénat" is the French for every senate's name: the French, Belgian, Spanish and Uruguayan ones
SENATES = (
    "body:belgium:senate-plenary",
    "body:france:senate-senat",
    "body:spain:senate-senado-plenary",
    "body:uruguay:senate",
)
NSW = ("au-nsw-assembly-2020-10-22", "au-nsw-council-2012-10-25")
AUSTRALIA = ("au-sa-assembly-2021-02-03", *NSW)
EU = ("eu-parliament-1999-03-11",)
NOVEMBER_2020 = (
    "fr-ile-de-france-council-2020-11",
    "it-cesena-council-2020-11",
    "it-lombardy-council-2020-11-03",
    "us-fresno-county-supervisors-2020-11-03",
    "uy-montevideo-junta-2020-11-12",
    "fr-saint-etienne-council-2020-11-16",
    "fr-paris-council-2020-11-18",
    "it-chamber-foreign-affairs-committee-2020-11-18",
    "ar-moron-council-2020-11-19",
    "fr-aix-marseille-provence-council-2020-11-19",
    "fr-hauts-de-france-council-2020-11-19",
    "es-congress-committee-2020-11-23",
    "fr-senate-2020-11-25",
    "es-berga-council-2020",
    "es-santa-pau-council-2020",
    "fr-lyon-council-2020",
    "it-arco-council-2020",
)
NOV_25 = ("fr-senate-2020-11-25", "fr-ile-de-france-council-2020-11", "it-cesena-council-2020-11")
TWENTY_23 = ("lachin-blockade", "offensive-2023", "exodus-2023", "dissolution-decree")
RECORDS_2023 = (
    "us-az-speaker-2023-05",
    "us-la-county-supervisors-2023-10-03",
    "es-senate-2023-10-17",
    "ar-buenos-aires-legislature-2023-12-07",
)
STATE_SENATES = (
    "body:california:state-senate",
    "body:colorado:state-senate",
    "body:louisiana:state-senate",
    "body:michigan:state-senate",
    "body:minnesota:state-senate",
)

TABLE: list[tuple[str, Q]] = [
    # ---- jurisdictions: names, typos, abbreviations, aliases
    ("typo", J("calfornia", *CA, message="Showing California for 'calfornia'.")),
    ("exact name", J("california", *CA)),
    ("upper case", J("CALIFORNIA", *CA)),
    ("short alias", J("calif", *CA)),
    ("alias with dot", J("Calif.", *CA)),
    ("nickname", J("cali", *CA)),
    ("postal code", J("CA", *CA, message="Showing California for 'CA'.")),
    ("filler words", J("State of California", *CA)),
    ("missing letter", J("californa", *CA)),
    ("k for c", J("kalifornia", *CA)),
    ("postal code RI", J("RI", "us-ri-house-2012-05-17")),
    ("two words", J("rhode island", "us-ri-house-2012-05-17")),
    ("partial last word", J("rhode isl", "us-ri-house-2012-05-17")),
    ("words run together", J("rhodeisland", "us-ri-house-2012-05-17")),
    ("okina apostrophe", J("hawai'i", "us-hi-house-2016-03-29")),
    ("hawaii", J("hawaii", "us-hi-house-2016-03-29")),
    ("postal code HI", J("HI", "us-hi-house-2016-03-29")),
    ("state of hawaii", J("state of hawaii", "us-hi-house-2016-03-29")),
    ("basque name", J("Euskadi", "es-basque-parliament-2014-09-12")),
    ("basque country", J("basque country", "es-basque-parliament-2014-09-12")),
    ("spanish with accent", J("País Vasco", "es-basque-parliament-2014-09-12")),
    ("spanish without accent", J("pais vasco", "es-basque-parliament-2014-09-12")),
    ("french name", J("pays basque", "es-basque-parliament-2014-09-12")),
    ("without designator", J("basque", "es-basque-parliament-2014-09-12")),
    ("typo between a city and its county", JA("los angelos", "los-angeles", "los-angeles-county")),
    ("city", J("los angeles", *LA_CITY)),
    ("city of", J("City of Los Angeles", *LA_CITY)),
    ("city, state", J("Los Angeles, California", *LA_CITY)),
    ("fresno county", J("fresno county", *FRESNO_COUNTY)),
    ("county of", J("county of fresno", *FRESNO_COUNTY)),
    ("word order", J("county fresno", *FRESNO_COUNTY)),
    ("city of fresno", J("city of fresno", *FRESNO_CITY)),
    ("fresno city", J("fresno city", *FRESNO_CITY)),
    ("georgia is the US state", J("georgia", "us-ga-house-2016-03-03")),
    ("georgia usa", J("georgia usa", "us-ga-house-2016-03-03")),
    ("nickname weho", J("weho", *WEHO)),
    ("west hollywood", J("west hollywood", *WEHO)),
    ("massachusetts", J("massachusetts", *MASSACHUSETTS)),
    ("mass", J("mass", *MASSACHUSETTS)),
    ("one s missing", J("massachusets", *MASSACHUSETTS)),
    ("michigan", J("michigan", *MICHIGAN)),
    ("mich", J("mich", *MICHIGAN)),
    ("michgan", J("michgan", *MICHIGAN)),
    ("minnesota", J("minnesota", "us-mn-senate-2020-05")),
    ("double t", J("minnesotta", "us-mn-senate-2020-05")),
    ("louisiana", J("louisiana", *LOUISIANA)),
    ("swapped letters", J("lousiana", *LOUISIANA)),
    ("maine", J("maine", "us-me-legislature-2013-04-10")),
    ("postal code ME", J("ME", "us-me-legislature-2013-04-10")),
    ("colorado", J("colorado", "us-co-senate-2019-04-24")),
    ("arizona", J("arizona", "us-az-speaker-2023-05")),
    ("highland", J("highland", "us-highland-council-2013")),
    ("glendale", J("glendale", *GLENDALE)),
    ("honolulu", J("honolulu", "us-honolulu-council-2016-04-20")),
    ("orange county", J("orange county", "us-orange-county-supervisors-2020-12-08")),
    ("NSW", J("NSW", *NSW)),
    ("new south wales", J("new south wales", *NSW)),
    ("navarra", J("navarra", "es-navarre-parliament-2014-11-03")),
    ("basque for navarre", J("nafarroa", "es-navarre-parliament-2014-11-03")),
    ("gipuzkoa", J("gipuzkoa", "es-gipuzkoa-juntas-2014-09-11")),
    ("spanish spelling", J("guipuzcoa", "es-gipuzkoa-juntas-2014-09-11")),
    ("spanish with accent", J("Guipúzcoa", "es-gipuzkoa-juntas-2014-09-11")),
    ("italian name", J("milano", "it-milan-council-2020-10-15")),
    ("milan", J("milan", "it-milan-council-2020-10-15")),
    ("lombardy", J("lombardy", "it-lombardy-council-2020-11-03")),
    ("italian region name", J("lombardia", "it-lombardy-council-2020-11-03")),
    ("palermo", J("palermo", "it-palermo-council-2020-10-28")),
    ("cesena", J("cesena", "it-cesena-council-2020-11")),
    ("short alias", J("san vito", "it-san-vito-dei-normanni-council-2021-04")),
    ("short alias", J("cerchiara", "it-cerchiara-di-calabria-council-2020-10-28")),
    ("asolo", J("asolo", "it-asolo-council-2020-10-28")),
    ("hyphens as spaces", J("auvergne rhone alpes", *AURA)),
    ("acronym", J("AURA", *AURA)),
    ("hauts de france", J("hauts de france", "fr-hauts-de-france-council-2020-11-19")),
    ("lille", J("lille", "fr-lille-council-2020-12-11")),
    ("lyon (not a recognition)", J("lyon", "fr-lyon-council-2020")),
    ("english spelling", J("lyons", "fr-lyon-council-2020")),
    ("limonest", J("limonest", "fr-limonest-council-2020-10-15")),
    ("valence", J("valence", "fr-valence-council-2020-12-14")),
    ("villeurbanne", J("villeurbanne", "fr-villeurbanne-council-2020-12-17")),
    ("montpellier", J("montpellier", "fr-montpellier-council-2020-12")),
    ("montevideo", J("montevideo", "uy-montevideo-junta-2020-11-12")),
    ("partial word", J("montevid", "uy-montevideo-junta-2020-11-12")),
    # ---- names typed in Armenian or Cyrillic script (aliases, or their Latin forms)
    ("armenian, not an alias", J("Լոս Անջելես", *LA_CITY, message="Showing Los Angeles for 'Լոս Անջելես'.")),
    ("cyrillic, not an alias", J("Глендейл", *GLENDALE, message="Showing Glendale")),
    ("armenian glendale", J("Գլենդեյլ", *GLENDALE)),
    ("cyrillic state", J("Калифорния", *CA, message="Showing California for 'Калифорния'.")),
    ("armenian state", J("Կալիֆոռնիա", *CA)),
    ("cyrillic with hyphen", J("Лос-Анджелес", *LA_CITY)),
    ("cyrillic G for H", J("Гонолулу", "us-honolulu-council-2016-04-20")),
    ("cyrillic michigan", J("Мичиган", *MICHIGAN)),
    ("armenian michigan", J("Միչիգան", *MICHIGAN)),
    ("cyrillic double s", J("Массачусетс", *MASSACHUSETTS)),
    ("cyrillic city", J("Монтевидео", "uy-montevideo-junta-2020-11-12")),
    ("armenian city", J("Մոնտեվիդեո", "uy-montevideo-junta-2020-11-12")),
    ("cyrillic region", J("Ломбардия", "it-lombardy-council-2020-11-03")),
    ("cyrillic country", J("Уругвай", *URUGUAY)),
    ("armenian country", J("Ուրուգվայ", *URUGUAY)),
    ("cyrillic, two places", JA("Фресно", "fresno-county", "fresno-city")),
    ("cyrillic, no record", JN("Москва")),
    ("cyrillic, no record", JN("Азербайджан")),
    # ---- French and Spanish names
    ("french state name", J("Californie", *CA)),
    ("spanish state name", J("Luisiana", *LOUISIANA)),
    ("spanish city name", J("Los Ángeles", *LA_CITY)),
    ("spanish accent", J("Míchigan", *MICHIGAN)),
    ("french region name", J("Lombardie", "it-lombardy-council-2020-11-03")),
    ("french country name", J("Australie", *AUSTRALIA)),
    # ---- countries gather their jurisdictions
    ("country", J("united states", *US_FIRST, mode="first", count=31)),
    ("country abbreviation", J("USA", *US_FIRST, mode="first", count=31)),
    ("country initials with dots", J("u.s.", *US_FIRST, mode="first", count=31)),
    ("country nickname", J("america", *US_FIRST, mode="first", count=31)),
    ("country with article", J("the united states", *US_FIRST, mode="first", count=31)),
    ("country over its nation", J("france", *FRANCE, mode="has", count=17)),
    ("country formal name", J("french republic", *FRANCE, mode="has", count=17)),
    ("spain", J("spain", *SPAIN)),
    ("spanish name", J("España", *SPAIN)),
    ("spanish name without tilde", J("espana", *SPAIN)),
    ("belgium", J("belgium", *BELGIUM)),
    ("french name", J("belgique", *BELGIUM)),
    ("dutch name", J("België", *BELGIUM)),
    ("italy", J("italy", "it-brancaleone-council-2021", mode="first", count=14)),
    ("italian name", J("italia", "it-brancaleone-council-2021", mode="first", count=14)),
    ("uruguay", J("uruguay", *URUGUAY)),
    ("australia", J("australia", *AUSTRALIA)),
    ("union", J("european union", *EU)),
    ("union abbreviation", J("EU", *EU)),
    (
        "autocomplete value",
        J("country:it", "it-brancaleone-council-2021", mode="first", count=14),
    ),
    # ---- bodies
    ("body alias", J("french senate", "fr-senate-2020-11-25")),
    ("body in french", JA("Sénat", *SENATES)),
    ("body without accent", JA("senat", *SENATES)),
    ("state body", J("california senate", "us-ca-senate-2014-08-27")),
    ("word order", J("senate california", "us-ca-senate-2014-08-27")),
    ("full body name", J("california state senate", "us-ca-senate-2014-08-27")),
    ("assembly", J("california assembly", "us-ca-assembly-2014-05-08")),
    ("word order", J("assembly california", "us-ca-assembly-2014-05-08")),
    ("union body", J("european parliament", *EU)),
    ("body abbreviation", J("EP", *EU)),
    ("body alias", J("belgian parliament", "be-chamber-2025-07-17", "be-chamber-2020-12-18")),
    ("body alias", J("basque parliament", "es-basque-parliament-2014-09-12")),
    ("upper house", J("nsw upper house", "au-nsw-council-2012-10-25")),
    ("city council", J("LA city council", *LA_CITY)),
    ("state house", J("michigan house", "us-mi-house-2020-10-14")),
    ("state senate", J("michigan senate", "us-mi-senate-2017-09-28")),
    ("state senate, two records", J("louisiana senate", *LOUISIANA)),
    ("county board", J("fresno county board of supervisors", *FRESNO_COUNTY)),
    ("national body", J("french national assembly", "fr-national-assembly-2020-12-03")),
    ("the only national assembly", J("national assembly", "fr-national-assembly-2020-12-03")),
    ("body alias", J("spanish congress", "es-congress-committee-2020-11-23")),
    ("body alias", J("uruguayan senate", "uy-senate-2022-12-20", "uy-senate-2020-10-07")),
    ("a person's office", J("luis almagro", "uy-foreign-minister-2015-01-04")),
    # ---- several places share the name
    ("LA: city or state", JA("LA", "los-angeles", "louisiana")),
    ("lower case", JA("la", "los-angeles", "louisiana")),
    ("initials with dots", JA("L.A.", "los-angeles", "louisiana")),
    ("fresno: county or city", JA("Fresno", "fresno-county", "fresno-city")),
    ("lower case", JA("fresno", "fresno-county", "fresno-city")),
    ("generic body", JA("state senate", *STATE_SENATES)),
    ("two bodies of one place", J("Massachusetts House", *MASSACHUSETTS)),
    ("one of them", J("massachusetts state house", "us-ma-house-2004-11")),
    (
        "generic body",
        JA(
            "chamber of representatives",
            "body:belgium:chamber-of-representatives-federal",
            "body:uruguay:chamber-of-representatives",
        ),
    ),
    (
        "generic body",
        JA(
            "Board of Supervisors",
            "body:fresno-county:board-of-supervisors",
            "body:los-angeles-county:board-of-supervisors",
            "body:orange-county:board-of-supervisors",
        ),
    ),
    # ---- records added in dataset 2026.12.07, and their places' names in other scripts
    ("new country", J("chile", "cl-chamber-2020-10-01", "cl-chamber-2016-05-18")),
    ("new city", J("buenos aires", "ar-buenos-aires-legislature-2023-12-07")),
    ("new city acronym", J("CABA", "ar-buenos-aires-legislature-2023-12-07")),
    ("new city in russian", J("Буэнос-Айрес", "ar-buenos-aires-legislature-2023-12-07")),
    ("new state", J("south australia", "au-sa-assembly-2021-02-03")),
    ("new region, local name", J("Catalunya", "es-catalonia-parliament-2020-10-14")),
    ("new city, no accent", J("saint etienne", "fr-saint-etienne-council-2020-11-16")),
    ("new department", J("hauts de seine", "fr-hauts-de-seine-council-2020-12-11")),
    ("new county", J("LA County", "us-la-county-supervisors-2023-10-03")),
    ("new city in armenian", J("Վերոնա", "it-verona-council-2021-02-18")),
    ("paris in armenian", J("Փարիզ", "fr-paris-council-2020-11-18")),
    ("accented new city", J("morón", "ar-moron-council-2020-11-19")),
    ("year-precision new record", J("arco", "it-arco-council-2020")),
    ("fresno in armenian is either fresno", JA("Ֆրեզնո", "fresno-city", "fresno-county")),
    ("resolution number in spanish", R("Resolución 1334", "cl-chamber-2020-10-01", mode="exact")),
    (
        "shushi friendship tie",
        R(
            "Shushi friendship", "us-los-angeles-council-2021-03", "us-los-angeles-council-2020-12-10",
            mode="exact",
        ),
    ),
    ("newest record", D("2025-07-17", "be-chamber-2025-07-17")),
    (
        "new event: the 1988 request",
        O("20 February", events=("nkao-transfer-request-1988", "constitutional-referendum-2017")),
    ),
    ("new event: inside the Shushi span", D("1992-05-09", events=("shushi-1992",))),
    (
        "new event: the four-day war",
        D("April 2016", "us-honolulu-council-2016-04-20", events=("four-day-war-2016",)),
    ),
    (
        "venice: no adopted motion found",
        JN("venice"),
    ),
    # ---- false friends and places with no record
    ("no act for texas", NA("texas", "texas-no-act")),
    ("no act for idaho", NA("idaho", "idaho-no-act")),
    ("new york", JN("new york")),
    ("germany", JN("germany")),
    ("postal code TX", NA("TX", "texas-no-act")),
    ("armenia never recognized the NKR", NA("armenia", "armenia-no-recognition")),
    ("in armenian", NA("Հայաստան", "armenia-no-recognition")),
    ("bills never adopted", NA("us congress", "us-hres-1203-2020", "us-hres-320-2023")),
    ("a bill by its number", NA("H.Res.320", "us-hres-320-2023")),
    ("united nations", NA("united nations", "un-members-no-recognition")),
    ("UN", NA("UN", "un-members-no-recognition")),
    ("texas in cyrillic", NA("Техас", "texas-no-act")),
    ("armenia in cyrillic", NA("Армения", "armenia-no-recognition")),
    ("the other bill by its number", NA("H.Res.1203", "us-hres-1203-2020")),
    ("a bill, searched", NA("H.Res.1203", "us-hres-1203-2020", command="resolution")),
    ("texas, searched", NA("texas", "texas-no-act", command="resolution")),
    ("azerbaijan", JN("azerbaijan")),
    ("russia", JN("russia")),
    ("paris (the Council of Paris, 2020)", J("paris", "fr-paris-council-2020-11-18")),
    ("ohio", JN("ohio")),
    ("new mexico", JN("new mexico")),
    ("canada", JN("canada")),
    # ---- resolution search
    ("vote as in the seed", R("305 to 1", "fr-senate-2020-11-25", mode="exact")),
    ("vote with a dash", R("305-1", "fr-senate-2020-11-25", mode="exact")),
    ("bill number", R("AJR 32", *CA, mode="set")),
    ("bill number joined", R("ajr32", *CA, mode="set")),
    (
        "seed headline",
        R("withdrawal of azerbaijani forces", "fr-ile-de-france-council-2022-11-09", "be-chamber-2020-12-18"),
    ),
    ("sister city", R("sister city", "us-highland-council-2013")),
    ("sponsor", R("Mike Gatto", *CA, mode="set")),
    ("sponsor surname", R("gatto", *CA, mode="set")),
    ("sponsor", R("Kiffmeyer", "us-mn-senate-2020-05", mode="exact")),
    ("bill", R("H 8180", "us-ri-house-2012-05-17", mode="exact")),
    ("resolution number", R("S.R. 99", "us-mi-senate-2017-09-28", mode="exact")),
    ("sponsor", R("Knezek", "us-mi-senate-2017-09-28", mode="exact")),
    ("sister city name", R("Berdzor", "us-highland-council-2013", mode="exact")),
    ("minister", R("Almagro", "uy-foreign-minister-2015-01-04", mode="exact")),
    ("accented sponsor", R("Iñarritu", "es-congress-committee-2020-11-23", mode="exact")),
    ("sponsor without tilde", R("inarritu", "es-congress-committee-2020-11-23", mode="exact")),
    ("bill", R("HP 987", "us-me-legislature-2013-04-10")),
    ("resolution number", R("House Resolution 319", "us-mi-house-2020-10-14")),
    ("sponsor", R("Manoogian", "us-mi-house-2020-10-14", mode="exact")),
    ("sponsor", R("Borgeas", "us-fresno-county-supervisors-2013-04-23", mode="exact")),
    ("sponsor", R("Marie Ficarra", "au-nsw-council-2012-10-25", mode="exact")),
    ("sponsor", R("McDermott", "au-nsw-assembly-2020-10-22", mode="exact")),
    ("vote", R("61-2", "au-nsw-assembly-2020-10-22", mode="exact")),
    ("vote in words", R("188 to 3", "fr-national-assembly-2020-12-03", mode="exact")),
    ("vote with abstentions", R("130 for 12 abstentions", "be-chamber-2020-12-18")),
    ("reference", R("SR 19-012", "us-co-senate-2019-04-24", mode="exact")),
    ("reference", R("H.R. 1580", "us-ga-house-2016-03-03", mode="exact")),
    (
        "topic",
        R(
            "peace process caucasus",
            *EU,
            "be-chamber-2025-07-17",
            "fr-ile-de-france-council-2022-11-09",
            "fr-national-assembly-2020-12-03",
            mode="exact",
        ),
    ),
    (
        "topic",
        R(
            "war crimes",
            "it-san-pietro-vernotico-council-2020-12",
            "fr-hauts-de-seine-council-2020-12-11",
            "be-chamber-2020-12-18",
            "es-berga-council-2020",
            "es-santa-pau-council-2020",
            "fr-senate-2020-11-25",
            "us-west-hollywood-council-2020-10-19",
            mode="set",
        ),
    ),
    ("exact id", R("eu-parliament-1999-03-11", *EU, mode="exact")),
    ("exact id, any case", R("FR-SENATE-2020-11-25", "fr-senate-2020-11-25", mode="exact")),
    ("nothing", Q("resolution", "zzzzqqq", NOT_FOUND, message="No record matches 'zzzzqqq'.")),
    # ---- dates
    ("iso day", D("2020-11-25", *NOV_25)),
    ("written day", D("25 November 2020", *NOV_25)),
    ("day first", D("25/11/2020", *NOV_25)),
    ("month first", D("11/25/2020", *NOV_25)),
    ("russian month", D("25 ноября 2020", *NOV_25)),
    ("french month", D("25 novembre 2020", *NOV_25)),
    ("month", D("nov 2020", *NOVEMBER_2020, events=("war-2020", "trilateral-statement-2020"), mode="set")),
    ("iso month", D("2020-11", *NOVEMBER_2020, events=("war-2020", "trilateral-statement-2020"), mode="set")),
    (
        "armenian month",
        D("նոյեմբեր 2020", *NOVEMBER_2020, events=("war-2020", "trilateral-statement-2020"), mode="set"),
    ),
    (
        "french month name",
        D(
            "décembre 2020",
            "fr-national-assembly-2020-12-03",
            "be-chamber-2020-12-18",
            mode="has",
            absent=("fr-senate-2020-11-25",),
        ),
    ),
    (
        "year",
        D(
            "2014",
            "us-ca-assembly-2014-05-08",
            "us-la-senate-2014-05-28",
            "us-ca-senate-2014-08-27",
            "es-gipuzkoa-juntas-2014-09-11",
            "es-basque-parliament-2014-09-12",
            "es-navarre-parliament-2014-11-03",
        ),
    ),
    (
        "range",
        D(
            "2012-2014",
            "us-ri-house-2012-05-17",
            "es-navarre-parliament-2014-11-03",
            mode="has",
            message="from 2012 to 2014",
        ),
    ),
    ("range in words", D("2012 to 2014", "us-ri-house-2012-05-17", "us-ca-senate-2014-08-27", mode="has")),
    (
        "open range",
        D(
            "since 2023",
            *RECORDS_2023,
            "be-chamber-2025-07-17",
            events=(*TWENTY_23, "dissolution-deadline-2024"),
        ),
    ),
    (
        "before",
        D(
            "before 2000",
            "uy-chamber-1991-07-02",
            "eu-parliament-1999-03-11",
            events=(
                "nkao-transfer-request-1988",
                "nkr-proclamation",
                "independence-referendum",
                "declaration-of-independence",
                "shushi-1992",
                "bishkek-protocol",
                "ceasefire-1994",
            ),
        ),
    ),
    (
        "seed's wrong EP date",
        DN("1999-05-11", ("eu-parliament-1999-03-11", "us-ma-house-2004-11"), "Nothing on 11 May 1999."),
    ),
    ("the real EP date", D("1999-03-11", *EU)),
    (
        "two readings",
        D("5/8/2014", "us-ca-assembly-2014-05-08", message="can be read as 5 August 2014 or 8 May 2014"),
    ),
    ("month-precision record on a day", D("2020-05-05", "us-mn-senate-2020-05")),
    ("month-precision record in its month", D(
            "May 2020",
            "us-mn-senate-2020-05",
            "es-berga-council-2020",
            "es-santa-pau-council-2020",
            "fr-lyon-council-2020",
            "it-arco-council-2020",
        )),
    (
        "alternative date",
        D(
            "2020-12-17",
            "fr-villeurbanne-council-2020-12-17",
            "be-chamber-2020-12-18",
            "fr-auvergne-rhone-alpes-council-2020-12",
            "fr-montpellier-council-2020-12",
            mode="first",
        ),
    ),
    ("disputed: other reading", D("2016-03-02", "us-ga-house-2016-03-03")),
    ("disputed: main date", D("2016-03-03", "us-ga-house-2016-03-03")),
    ("highland sister-city day", D("2013-11-26", "us-highland-council-2013")),
    (
        "an unsupported highland day: the record is known to the year, with 26 November as an alternative",
        DN(
            "2013-11-05",
            ("us-los-angeles-council-2013-09-10", "us-ca-assembly-2014-05-08"),
            "Nothing on 5 November 2013.",
        ),
    ),
    (
        "lombardy other dates",
        D(
            "2020-11-04",
            "it-lombardy-council-2020-11-03",
            "fr-ile-de-france-council-2020-11",
            "it-cesena-council-2020-11",
            events=("war-2020",),
        ),
    ),
    ("an event's last day", D("2023-09-20", events=("lachin-blockade", "offensive-2023"))),
    ("inside a span", D("2023-09-25", events=("exodus-2023",))),
    (
        "seed's wrong offensive date",
        DN("2025-09-23", ("be-chamber-2025-07-17",), "Nothing on 23 September 2025."),
    ),
    (
        "year",
        D("2022", "fr-ile-de-france-council-2022-11-09", "uy-senate-2022-12-20", events=("lachin-blockade",)),
    ),
    ("month with events only", D("1994-05", events=("bishkek-protocol", "ceasefire-1994"))),
    (
        "year-only record not on a day (Brancaleone, reported 13 July 2021)",
        DN(
            "2021-07-13",
            ("it-reggio-calabria-metro-council-2021-05-26", "fr-ile-de-france-council-2022-11-09"),
            "Nothing on 13 July 2021.",
        ),
    ),
    (
        "year-only record in its year",
        D(
            "2021",
            "it-brancaleone-council-2021",
            "us-west-hollywood-council-2021-01-19",
            "au-sa-assembly-2021-02-03",
            "it-verona-council-2021-02-18",
            "us-los-angeles-council-2021-03",
            "it-san-vito-dei-normanni-council-2021-04",
            "it-reggio-calabria-metro-council-2021-05-26",
        ),
    ),
    ("a year", D("2023", *RECORDS_2023, events=TWENTY_23)),
    ("dotted day", D("17.05.2012", "us-ri-house-2012-05-17")),
    ("abbreviated month", D("sept 2023", events=TWENTY_23)),
    ("month-day", D("May 8", "us-ca-assembly-2014-05-08", events=("shushi-1992",))),
    ("day-month", D("8 May", "us-ca-assembly-2014-05-08", events=("shushi-1992",))),
    ("numeric month-day", D("05-08", "us-ca-assembly-2014-05-08", events=("shushi-1992",))),
    (
        "month-day of an alternative",
        D("17 December", "be-chamber-2020-12-18", "fr-villeurbanne-council-2020-12-17"),
    ),
    ("no leap-day record", Q("date", "Feb 29", NOT_FOUND, message="Nothing on 29 February in any year.")),
    ("relative", DN("yesterday", ("be-chamber-2025-07-17",), "Nothing on 24 November 2026.")),
    ("a year with nothing", DN("1800", ("uy-chamber-1991-07-02",), "Nothing in 1800.")),
    ("no such day", BAD("date", "31 February 2020", "29 days")),
    ("no such month", BAD("date", "2020-13-01", "month 13")),
    ("out of range", BAD("date", "3000", "1800 to 2100")),
    ("not a date", BAD("date", "hello", "could not read")),
    ("empty", BAD("date", "", "Type a")),
    ("too long", BAD("date", "2020 " * 1000, "too long (max 200 characters)")),
    ("control character", BAD("date", "2020\x00", "control characters")),
    # ---- on this day
    ("day-month", O("25 November", "fr-senate-2020-11-25", message="1 record on 25 November")),
    ("month-day", O("november 25", "fr-senate-2020-11-25")),
    ("russian", O("25 ноября", "fr-senate-2020-11-25")),
    ("a full date's month-day", O("2020-11-25", "fr-senate-2020-11-25")),
    ("today", O(None, "fr-senate-2020-11-25")),
    ("alternative date", O("17 December", "be-chamber-2020-12-18", "fr-villeurbanne-council-2020-12-17")),
    ("event and record", O("28 September", "us-mi-senate-2017-09-28", events=("dissolution-decree",))),
    ("event's end", O("20 September", events=("offensive-2023",))),
    ("war's end and a record", O("10 November", events=("war-2020",))),
    ("blockade start", O("12 December", events=("lachin-blockade",))),
    ("other reading of georgia", O("2 March", "us-ga-house-2016-03-03")),
    (
        "three on one day",
        O(
            "3 November",
            "es-navarre-parliament-2014-11-03",
            "it-lombardy-council-2020-11-03",
            "us-fresno-county-supervisors-2020-11-03",
        ),
    ),
    ("month-precision never on a day", O("5 May", events=("bishkek-protocol",))),
    ("the date set for the dissolution", O("1 January", events=("dissolution-deadline-2024",))),
    ("nothing", Q("onthisday", "2 January", NOT_FOUND, message="Nothing on record for 2 January.")),
    ("a month is not a day", BAD("onthisday", "nov 2020", "needs a day and a month")),
    (
        "two readings",
        Q("onthisday", "5/8/2014", AMBIGUOUS, candidates=frozenset({"2014-05-08", "2014-08-05"})),
    ),
]


def _check(engine: QueryEngine, q: Q) -> Answer:
    if q.command == "jurisdiction":
        assert q.text is not None
        return engine.jurisdiction(q.text)
    if q.command == "resolution":
        assert q.text is not None
        return engine.resolution(q.text)
    if q.command == "date":
        assert q.text is not None
        return engine.date(q.text, today=TODAY)
    assert q.command == "onthisday"
    return engine.on_this_day(q.text, today=TODAY)


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 150
    assert len({(q.command, q.text) for _label, q in TABLE}) == len(TABLE), "duplicate rows"


@pytest.mark.parametrize(("label", "q"), TABLE, ids=[f"{q.command}:{q.text!r:.40}" for _l, q in TABLE])
def test_query(engine: QueryEngine, label: str, q: Q) -> None:
    answer = _check(engine, q)
    got = [r.id for r in answer.records]
    assert answer.status is q.status, (label, answer.message)
    if q.mode == "exact" or not q.records:
        assert got == list(q.records), label
    elif q.mode == "first":
        assert got[: len(q.records)] == list(q.records), label
    elif q.mode == "set":
        assert set(got) == set(q.records), label
    else:
        assert set(q.records) <= set(got), label
    if q.count is not None:
        assert len(got) == q.count, label
    for record_id in q.absent:
        assert record_id not in got, label
    if q.events is not None:
        assert [e.id for e in answer.events] == list(q.events), label
    if q.candidates is not None:
        assert {c.value for c in answer.candidates} == q.candidates, label
    if q.nearest is not None:
        assert [r.id for r in answer.nearest] == list(q.nearest), label
    if q.non_acts is not None:
        assert [n.id for n in answer.non_acts] == list(q.non_acts), label
    if q.message is not None:
        assert q.message in answer.message, (label, answer.message)
    # every shown record has an entry, in order, after what the answer found
    if answer.status is Status.FOUND:
        keys = [e.key for e in answer.entries]
        assert {*got, *(e.id for e in answer.events)} == set(keys)
