"""A deterministic synthetic gazetteer for benchmarking :mod:`bot.core.matching`.

``synthetic_names(n, seed)`` returns ``n`` entries: the project's real jurisdictions
and countries first (so the labelled queries below keep their meaning), then
realistic-looking invented places built from English, Spanish, French, Italian,
German and Armenian-looking parts, with aliases ("Mt." forms, other-language
forms, postal-code-like short codes, an Armenian-script spelling) and a few
deliberately repeated names (several "Springfields").

No synthetic name or alias normalizes to a project name, a labelled query or a
false friend, so every label stays true at any size.

``write_dataset(folder, entries)`` writes those entries as a real data folder
(``resolutions.yaml`` and ``events.yaml``, docs/data-format.md) with records for
some of the places, so the benchmark can time ``load_dataset`` and the engine.
"""

from __future__ import annotations

import calendar
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.matching import NameEntry, strip_designators
from bot.core.normalize import normalize

Expected = str | frozenset[str] | None


def _e(key: str, label: str, *names: str, rank: float = 1.0) -> NameEntry:
    return NameEntry(key=key, label=label, names=names, rank=rank)


# The shipped dataset's jurisdictions and countries, named as people name them.
# "LA" and "Fresno" are ambiguous names given to several entries, as the engine does.
PROJECT_ENTRIES: tuple[NameEntry, ...] = (
    _e("j:california", "California (state, United States)", "California", "CA", "Calif"),
    _e("j:michigan", "Michigan (state, United States)", "Michigan", "MI"),
    _e("j:hawaii", "Hawaii (state, United States)", "Hawaii", "HI", "Hawaiʻi"),
    _e("j:georgia-us", "Georgia (state, United States)", "Georgia", "GA"),
    _e("j:louisiana", "Louisiana (state, United States)", "Louisiana", "LA"),
    _e("j:maine", "Maine (state, United States)", "Maine", "ME"),
    _e("j:massachusetts", "Massachusetts (state, United States)", "Massachusetts", "MA",
       "Commonwealth of Massachusetts"),
    _e("j:rhode-island", "Rhode Island (state, United States)", "Rhode Island", "RI"),
    _e("j:colorado", "Colorado (state, United States)", "Colorado", "CO"),
    _e("j:minnesota", "Minnesota (state, United States)", "Minnesota", "MN"),
    _e("j:arizona", "Arizona (state, United States)", "Arizona", "AZ"),
    _e("j:los-angeles", "Los Angeles (city, United States)", "Los Angeles", "City of Los Angeles", "LA"),
    _e("j:glendale", "Glendale (city, United States)", "Glendale"),
    _e("j:west-hollywood", "West Hollywood (city, United States)", "West Hollywood", "WeHo"),
    _e("j:fresno-county", "Fresno County (county, United States)", "Fresno County", "Fresno"),
    _e("j:fresno-city", "Fresno (city, United States)", "City of Fresno", "Fresno"),
    _e("j:orange-county", "Orange County (county, United States)", "Orange County"),
    _e("j:highland", "Highland (city, United States)", "Highland"),
    _e("j:honolulu", "Honolulu (city, United States)", "Honolulu"),
    _e("j:new-south-wales", "New South Wales (state, Australia)", "New South Wales", "NSW"),
    _e("j:basque-country", "Basque Country (region, Spain)", "Basque Country", "Euskadi", "País Vasco"),
    _e("j:navarre", "Navarre (region, Spain)", "Navarre", "Navarra", "Nafarroa"),
    _e("j:gipuzkoa", "Gipuzkoa (province, Spain)", "Gipuzkoa", "Guipúzcoa"),
    _e("j:lombardy", "Lombardy (region, Italy)", "Lombardy", "Lombardia"),
    _e("j:milan", "Milan (city, Italy)", "Milan", "Milano"),
    _e("j:palermo", "Palermo (city, Italy)", "Palermo"),
    _e("j:asolo", "Asolo (city, Italy)", "Asolo"),
    _e("j:cesena", "Cesena (city, Italy)", "Cesena"),
    _e("j:montevideo", "Montevideo (city, Uruguay)", "Montevideo"),
    _e("j:limonest", "Limonest (city, France)", "Limonest"),
    _e("j:valence", "Valence (city, France)", "Valence"),
    _e("j:lille", "Lille (city, France)", "Lille"),
    _e("j:villeurbanne", "Villeurbanne (city, France)", "Villeurbanne"),
    _e("j:montpellier", "Montpellier (city, France)", "Montpellier"),
    _e("j:lyon", "Lyon (city, France)", "Lyon", "Lyons"),
    _e("j:hauts-de-france", "Hauts-de-France (region, France)", "Hauts-de-France"),
    _e("j:auvergne-rhone-alpes", "Auvergne-Rhône-Alpes (region, France)", "Auvergne-Rhône-Alpes"),
    _e("c:us", "United States (country)", "United States", "USA", "US", "United States of America",
       "America", rank=2.0),
    _e("c:fr", "France (country)", "France", "French Republic", rank=2.0),
    _e("c:be", "Belgium (country)", "Belgium", "Belgique", "België", rank=2.0),
    _e("c:es", "Spain (country)", "Spain", "España", rank=2.0),
    _e("c:it", "Italy (country)", "Italy", "Italia", rank=2.0),
    _e("c:au", "Australia (country)", "Australia", rank=2.0),
    _e("c:uy", "Uruguay (country)", "Uruguay", rank=2.0),
    _e("c:eu", "European Union (union)", "European Union", "EU", rank=2.0),
)

_LA = frozenset({"j:los-angeles", "j:louisiana"})
_FRESNO = frozenset({"j:fresno-county", "j:fresno-city"})

# Labelled queries: the key a lookup should settle on, a set (the answer must be
# "ambiguous" between these), or None (no confident answer: these places have no record).
LABELLED: tuple[tuple[str, Expected], ...] = (
    ("California", "j:california"),
    ("calfornia", "j:california"),
    ("califronia", "j:california"),
    ("Calif", "j:california"),
    ("state of california", "j:california"),
    ("los angelos", "j:los-angeles"),
    ("Los Angeles", "j:los-angeles"),
    ("city of los angeles", "j:los-angeles"),
    ("hawai'i", "j:hawaii"),
    ("hawai", "j:hawaii"),
    ("Hawaiʻi", "j:hawaii"),
    ("RI", "j:rhode-island"),
    ("rhode iland", "j:rhode-island"),
    ("Euskadi", "j:basque-country"),
    ("País Vasco", "j:basque-country"),
    ("basque", "j:basque-country"),
    ("massachusets", "j:massachusetts"),
    ("massachussetts", "j:massachusetts"),
    ("louisianna", "j:louisiana"),
    ("mishigan", "j:michigan"),
    ("michigan", "j:michigan"),
    ("new south wales", "j:new-south-wales"),
    ("NSW", "j:new-south-wales"),
    ("new south whales", "j:new-south-wales"),
    ("lombardia", "j:lombardy"),
    ("lombardi", "j:lombardy"),
    ("milano", "j:milan"),
    ("navara", "j:navarre"),
    ("Nafarroa", "j:navarre"),
    ("glendal", "j:glendale"),
    ("west hollywod", "j:west-hollywood"),
    ("orange county", "j:orange-county"),
    ("honolulu", "j:honolulu"),
    ("honolullu", "j:honolulu"),
    ("montevideo", "j:montevideo"),
    ("montevido", "j:montevideo"),
    ("belgique", "c:be"),
    ("european union", "c:eu"),
    ("EU", "c:eu"),
    ("europian union", "c:eu"),
    ("georgia", "j:georgia-us"),
    ("gergia", "j:georgia-us"),
    ("colarado", "j:colorado"),
    ("minnesotta", "j:minnesota"),
    ("arizonna", "j:arizona"),
    ("gipuzcoa", "j:gipuzkoa"),
    ("Guipúzcoa", "j:gipuzkoa"),
    ("palermo", "j:palermo"),
    ("asolo", "j:asolo"),
    ("cesena", "j:cesena"),
    ("limonest", "j:limonest"),
    ("valence", "j:valence"),
    ("lille", "j:lille"),
    ("villeurbane", "j:villeurbanne"),
    ("montpelier", "j:montpellier"),
    ("lyon", "j:lyon"),
    ("hauts de france", "j:hauts-de-france"),
    ("auvergne rhone alpes", "j:auvergne-rhone-alpes"),
    ("auvergne-rhone-alps", "j:auvergne-rhone-alpes"),
    ("uruguai", "c:uy"),
    ("united states", "c:us"),
    ("usa", "c:us"),
    ("austalia", "c:au"),
    ("italia", "c:it"),
    ("highland", "j:highland"),
    ("maine", "j:maine"),
    ("la", _LA),
    ("L.A.", _LA),
    ("fresno", _FRESNO),
    ("texas", None),
    ("idaho", None),
    ("new york", None),
    ("germany", None),
    ("paris", None),
    ("ohio", None),
    ("london", None),
    ("L", None),
    ("tokyo", None),
    ("berlin", None),
    ("moscow", None),
    ("quebec", None),
    ("nevada", None),
    ("oregon", None),
    ("florida", None),
    ("mexico", None),
    ("canada", None),
    ("xyzzy", None),
    # real places one or two letters away from a place in the data
    ("oslo", None),
    ("mainz", None),
    ("milas", None),
    ("valencia", None),
    ("salerno", None),
)

# Real places that must never be in the synthetic data (the labelled misses above).
FALSE_FRIENDS: tuple[str, ...] = tuple(q for q, expected in LABELLED if expected is None)

_PREFIXES: dict[str, tuple[str, ...]] = {
    "en": ("New", "North", "South", "East", "West", "Lake", "Mount", "Port", "Fort", "Little", "Great",
           "Upper", "Lower", "Old", "Saint"),
    "es": ("San", "Santa", "Los", "Las", "El", "Villa", "Puerto", "Nueva"),
    "fr": ("Saint", "Sainte", "Le", "La", "Les", "Mont", "Villeneuve", "Bourg"),
    "it": ("San", "Santa", "Monte", "Castel", "Borgo", "Villa", "Porto"),
    "de": ("Bad", "Ober", "Unter", "Neu", "Alt", "Sankt"),
    "hy": ("Nor", "Verin", "Nerkin", "Mets", "Pokr"),
}
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("ville", "burg", "ford", "ton", "field", "wood", "dale", "port", "mouth", "haven", "view",
           "ridge", "land", "chester", "ham", "bury", "ley", "stone", "brook", "worth", "wick", "by",
           "more", "well", "side", "hurst", "ington", "borough"),
    "es": ("ada", "ales", "illo", "illa", "eros", "oza", "era", "ejo", "ueña", "aya", "ón", "ito", "ares"),
    "fr": ("ville", "court", "mont", "ac", "ieu", "ais", "ette", "y", "ières", "eux", "ange", "bourg",
           "elles", "ignan"),
    "it": ("ano", "ino", "ella", "etto", "ona", "ago", "ate", "engo", "asco", "olo", "ia", "ese", "ore"),
    "de": ("berg", "burg", "dorf", "hausen", "heim", "stadt", "feld", "bach", "au", "ingen", "rode"),
    "hy": ("ashen", "avan", "adzor", "ut", "ik", "aberd", "ashat", "kert", "avank", "van", "ovit",
           "ni", "amer", "berd"),
}
_ONSETS: dict[str, tuple[str, ...]] = {
    "en": ("B", "Br", "C", "Ch", "Cl", "D", "F", "Fr", "G", "Gr", "H", "K", "L", "M", "N", "P", "Pr",
           "R", "S", "Sh", "St", "T", "Th", "W", "Wh", "Y", "Ash", "Oak", "Elm"),
    "es": ("B", "C", "Ch", "D", "G", "J", "L", "Ll", "M", "N", "P", "R", "S", "T", "V", "Z", "Alc",
           "Alm", "Or"),
    "fr": ("B", "Ch", "D", "F", "G", "J", "L", "M", "N", "P", "R", "S", "T", "V", "Br", "Gr", "Pl",
           "Roch", "Beau", "Mar"),
    "it": ("B", "C", "D", "F", "G", "L", "M", "N", "P", "R", "S", "T", "V", "Sc", "Tr", "Castr", "Ser"),
    "de": ("B", "D", "F", "G", "H", "K", "L", "M", "N", "R", "S", "Sch", "St", "W", "Kr", "Gr", "Ob"),
    "hy": ("Ar", "Vard", "Gyum", "Ij", "Sev", "Ab", "Kap", "Ash", "Mar", "Gor", "Dil", "Tsagh", "Yegh",
           "Khach", "Ts", "Ch", "G", "K", "M", "N", "S", "V", "Z", "H"),
}
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "ie", "au")
_CODAS = ("", "", "n", "r", "l", "m", "nd", "rt", "s", "st", "v", "sh", "g")
_LANG_WEIGHTS = (("en", 30), ("es", 15), ("fr", 20), ("it", 15), ("de", 10), ("hy", 10))
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "en": ("Arcadia", "Northland", "Westmark", "Calder"),
    "es": ("Esteria", "Navalia"),
    "fr": ("Bellerive", "Auvenne"),
    "it": ("Italica", "Serenia"),
    "de": ("Ostmark", "Rheinau"),
    "hy": ("Ararat Republic", "Sevania"),
}
_LEVELS = ("city", "city", "city", "town", "county", "region", "state", "province")
_FR_RIVERS = ("Loire", "Marne", "Seine", "Saône", "Rhône", "Lot", "Meuse", "Oise")
_ARMENIAN = {
    "a": "ա", "b": "բ", "g": "գ", "d": "դ", "e": "ե", "z": "զ", "i": "ի", "l": "լ", "k": "կ", "h": "հ",
    "m": "մ", "y": "յ", "n": "ն", "o": "ո", "p": "պ", "r": "ր", "s": "ս", "v": "վ", "t": "տ", "u": "ու",
    "f": "ֆ", "c": "ց", "j": "ջ", "w": "վ", "x": "խ", "q": "ք",
}


def _armenian(name: str) -> str:
    return "".join(_ARMENIAN.get(ch, ch) for ch in name.lower())


def _pick_lang(rng: random.Random) -> str:
    total = sum(w for _, w in _LANG_WEIGHTS)
    roll = rng.uniform(0, total)
    for lang, weight in _LANG_WEIGHTS:
        roll -= weight
        if roll <= 0:
            return lang
    return "en"


def _stem(rng: random.Random, lang: str) -> str:
    syllables = rng.choice((1, 1, 2, 2, 2, 3))
    parts = [rng.choice(_ONSETS[lang])]
    for i in range(syllables):
        parts.append(rng.choice(_NUCLEI))
        if i < syllables - 1:
            parts.append(rng.choice(("l", "r", "n", "m", "v", "s", "t", "d", "g", "ch", "")))
    parts.append(rng.choice(_CODAS))
    return "".join(parts)


def _name(rng: random.Random, lang: str) -> str:
    core = _stem(rng, lang) + rng.choice(_SUFFIXES[lang])
    roll = rng.random()
    if roll < 0.35:
        return f"{rng.choice(_PREFIXES[lang])} {core}"
    if lang == "fr" and roll < 0.45:
        return f"{core}-sur-{rng.choice(_FR_RIVERS)}"
    if lang == "es" and roll < 0.42:
        return f"{core} de {_stem(rng, lang).capitalize()}a"
    if lang == "en" and roll < 0.40:
        return f"{core} County"
    return core


def _aliases(rng: random.Random, name: str, lang: str) -> list[str]:
    aliases: list[str] = []
    if name.startswith("Mount "):
        aliases.append("Mt. " + name[6:])
    if name.startswith("Saint ") and rng.random() < 0.5:
        aliases.append("San " + name[6:])
    if rng.random() < 0.10:
        letters = [w[0] for w in name.replace("-", " ").split() if w[0].isalpha()]
        code = "".join(letters[:2]).upper()
        while len(code) < 3:
            code += rng.choice("ABCDEFGHIKLMNOPRSTVWXYZ")
        aliases.append(code)
    if lang == "hy" and rng.random() < 0.4:
        aliases.append(_armenian(name))
    if rng.random() < 0.05:
        aliases.append(name.replace(" ", "").replace("-", ""))
    return aliases


def reserved_forms() -> set[str]:
    """Normalized strings no synthetic name may take (real names, labelled queries)."""
    reserved = {normalize(q) for q, _ in LABELLED}
    for entry in PROJECT_ENTRIES:
        reserved.update(normalize(n) for n in entry.names)
    return reserved


def synthetic_names(n: int, seed: int = 0) -> list[NameEntry]:
    """``n`` entries: the project's entries first, then invented places (deterministic)."""
    rng = random.Random(seed)
    reserved = reserved_forms()
    entries: list[NameEntry] = list(PROJECT_ENTRIES[:n])
    made: list[tuple[str, str]] = []
    number = 0
    while len(entries) < n:
        number += 1
        if made and rng.random() < 0.02:  # the Springfield effect: one name, several places
            name, lang = rng.choice(made)
        else:
            lang = _pick_lang(rng)
            name = _name(rng, lang)
        names = [name, *_aliases(rng, name, lang)]
        forms = {normalize(x) for x in names}
        forms |= {s for f in forms if (s := strip_designators(f)) is not None}
        if forms & reserved:
            continue
        made.append((name, lang))
        level = rng.choice(_LEVELS)
        country = rng.choice(_COUNTRIES[lang])
        entries.append(NameEntry(
            key=f"s:{number}",
            label=f"{name} ({level}, {country})",
            names=tuple(dict.fromkeys(names)),
            rank=round(rng.random() * 0.9, 3),
        ))
    return entries


# ---------------------------------------------------------------------------- a whole dataset, as YAML

_BODIES: dict[str, tuple[str, ...]] = {
    "city": ("City Council", "Municipal Council", "Mayor and City Council"),
    "county": ("Board of Supervisors", "County Council"),
    "region": ("Regional Council", "Regional Parliament", "General Assembly"),
    "state": ("State Senate", "House of Representatives", "State Assembly", "Legislature"),
    "national": ("Senate", "National Assembly", "Chamber of Deputies"),
    "supranational": ("Parliament",),
}
_LEVEL_OF_WORD = {"city": "city", "town": "city", "county": "county", "region": "region",
                  "province": "region", "state": "state", "country": "national", "union": "supranational"}
_TITLES = {
    "recognition": "{body} of {place} resolution recognizing the Republic of Artsakh",
    "call-for-recognition": "{body} of {place} motion calling for recognition of Artsakh",
    "self-determination": "{body} of {place} statement on the self-determination of Artsakh",
    "condemnation": "{body} of {place} resolution condemning the attacks on Artsakh",
    "statement": "{body} of {place} statement on Nagorno-Karabakh",
}
_REFERENCES = ("HR", "SR", "AJR", "Res.", "Motion")
_SURNAMES = ("Petrosyan", "Hovhannisyan", "Garcia", "Martin", "Rossi", "Müller", "Smith", "Dupont",
             "Bianchi", "Fernández", "Sargsyan", "Johnson", "Moreau", "Weber", "Khachatryan")


@dataclass(frozen=True, slots=True)
class WrittenDataset:
    """What :func:`write_dataset` wrote: counts, and the engine value each entry's key became."""

    folder: Path
    countries: int
    jurisdictions: int
    records: int
    events: int
    ambiguous_names: int
    value_of: dict[str, str]  # NameEntry key -> jurisdiction id, or "country:<id>"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _iso(rng: random.Random, year: int) -> tuple[str, str]:
    """A date at a random precision (mostly days), and its precision."""
    roll = rng.random()
    month = rng.randint(1, 12)
    if roll < 0.07:
        return f"{year:04d}", "year"
    if roll < 0.25:
        return f"{year:04d}-{month:02d}", "month"
    return f"{year:04d}-{month:02d}-{rng.randint(1, calendar.monthrange(year, month)[1]):02d}", "day"


# A point inside each shipped country (the location check needs one); other countries have no
# outline of their own, so any point will do.
_INSIDE: dict[str, tuple[float, float]] = {
    "us": (39.8, -98.6), "fr": (46.6, 2.2), "be": (50.6, 4.7), "es": (40.4, -3.7), "it": (42.8, 12.6),
    "au": (-25.3, 133.8), "uy": (-32.8, -56.0), "eu": (50.85, 4.35), "ca": (56.1, -106.3),
    "ar": (-34.6, -58.4), "br": (-15.8, -47.9), "de": (51.2, 10.4), "gb": (52.4, -1.5),
}


def write_dataset(
    folder: Path, entries: Sequence[NameEntry], *, records_every: int = 10, seed: int = 0
) -> WrittenDataset:
    """Write ``resolutions.yaml`` and ``events.yaml`` (docs/data-format.md) for ``entries``.

    ``c:`` entries become countries and the others jurisdictions, in the country their label
    names. A name or alias that several jurisdictions share becomes an ambiguous name (as the
    shipped data does with "LA" and "Fresno"); a jurisdiction whose own name is shared gets a
    unique one ("Springfield (Arcadia 2)"). Every project jurisdiction and one in
    ``records_every`` of the others get one to three records at random precisions, some
    with votes, references, sponsors and disputed dates; forty events make the timeline.
    """
    rng = random.Random(seed)
    countries: dict[str, tuple[str, tuple[str, ...]]] = {}  # id -> (name, aliases)
    country_by_name: dict[str, str] = {}
    value_of: dict[str, str] = {}
    for entry in entries:
        if entry.key.startswith("c:"):
            own_id = entry.key[2:]
            countries[own_id] = (entry.names[0], tuple(entry.names[1:]))
            country_by_name[entry.names[0]] = own_id
            value_of[entry.key] = f"country:{own_id}"
    places: list[tuple[str, str, str, list[str]]] = []  # (id, level, country id, names)
    for number, entry in enumerate(entries):
        if entry.key.startswith("c:"):
            continue
        inside = entry.label.rsplit("(", 1)[-1].rstrip(")")
        level_word, _, country_name = (part.strip() for part in inside.partition(","))
        country_name = country_name or "Elsewhere"
        cid = country_by_name.get(country_name)
        if cid is None:
            cid = "-".join(normalize(country_name).split()) or f"country-{number}"
            countries.setdefault(cid, (country_name, ()))
            country_by_name[country_name] = cid
        jid = entry.key[2:] if entry.key.startswith("j:") else f"p{number}"
        value_of[entry.key] = jid
        own = list({normalize(n): n for n in reversed(entry.names) if normalize(n)}.values())[::-1]
        places.append((jid, _LEVEL_OF_WORD.get(level_word, "city"), cid, own))

    # Names several places share become ambiguous names; each place keeps a name of its own.
    sharing: dict[str, list[str]] = {}
    for jid, _level, _cid, names in places:
        for name in names:
            sharing.setdefault(normalize(name), []).append(jid)
    shared = {form for form, ids in sharing.items() if len(ids) > 1}
    claimed = set(sharing) - shared
    ambiguous: dict[str, tuple[str, list[str]]] = {}
    rows: list[tuple[str, str, str, str, list[str]]] = []  # (id, name, level, country, aliases)
    for jid, level, cid, names in places:
        for name in names:
            form = normalize(name)
            if form in shared:
                ambiguous.setdefault(form, (name, []))[1].append(jid)
        kept = [n for n in names if normalize(n) not in shared]
        if not kept or normalize(names[0]) in shared:
            base = f"{names[0]} ({countries[cid][0]}"
            unique, k = f"{base})", 1
            while normalize(unique) in claimed or normalize(unique) in shared:
                k += 1
                unique = f"{base} {k})"
            claimed.add(normalize(unique))
            kept.insert(0, unique)
        rows.append((jid, kept[0], level, cid, kept[1:]))

    kinds = tuple(_TITLES)
    records: list[str] = []
    count = 0
    for index, (jid, name, level, _cid, _aliases) in enumerate(rows):
        if not jid.startswith("p") or not jid[1:].isdigit():
            wanted = rng.randint(1, 2)  # a project place
        elif index % records_every == 0:
            wanted = rng.choice((1, 1, 1, 2, 3))
        else:
            continue
        for k in range(wanted):
            count += 1
            body = rng.choice(_BODIES[level])
            date, precision = _iso(rng, rng.randint(1988, 2025))
            chosen = rng.sample(kinds, rng.choice((1, 1, 2)))
            lines = [
                f"  - id: {jid}-{k + 1}",
                f"    jurisdiction: {jid}",
                f"    body: {_q(body)}",
                f'    date: "{date}"',
                f"    kinds: [{', '.join(chosen)}]",
                f"    title: {_q(_TITLES[chosen[0]].format(body=body, place=name))}",
                f"    summary: {_q(f'The {body} of {name} adopted a text on Artsakh (record {count}).')}",
            ]
            if precision != "day":
                note = f"Reported in {date}; the exact day was not established."
                lines.append(f"    date_note: {_q(note)}")
            elif rng.random() < 0.05:
                other, _ = _iso(rng, int(date[:4]))
                if other != date and len(other) == 10:
                    lines += ["    alternative_dates:", f'      - date: "{other}"', "        note: elsewhere"]
            if rng.random() < 0.3:
                yes, no, abstain = rng.randint(5, 400), rng.randint(0, 100), rng.randint(0, 9)
                lines.append(f'    vote: {{"yes": {yes}, "no": {no}, abstain: {abstain}}}')
            if rng.random() < 0.3:
                reference = f"{rng.choice(_REFERENCES)} {rng.randint(1, 400)}"
                lines.append(f"    reference: {_q(reference)}")
            if rng.random() < 0.2:
                lines.append(f"    sponsor: {_q(rng.choice(_SURNAMES))}")
            lines += ["    sources:", f"      - url: https://example.org/{jid}/{k + 1}"]
            records.append("\n".join(lines))

    out = [
        "# Synthetic data for benchmarks (bench/synthetic.py); the format is docs/data-format.md.",
        "dataset:",
        '  version: "synthetic"',
        '  methodology: "Invented places and records for measuring speed; nothing here is true."',
        "countries:",
    ]
    for country_id, (country_name, country_aliases) in countries.items():
        out += [f"  - id: {country_id}", f"    name: {_q(country_name)}"]
        if country_aliases:
            out.append(f"    aliases: [{', '.join(map(_q, country_aliases))}]")
    out.append("jurisdictions:")
    for jid, name, level, cid, aliases in rows:
        lat, lon = _INSIDE.get(cid, (0.0, 0.0))
        out += [f"  - id: {jid}", f"    name: {_q(name)}", f"    level: {level}", f"    country: {cid}"]
        out.append(f"    location: [{lat}, {lon}]")
        if aliases:
            out.append(f"    aliases: [{', '.join(map(_q, aliases))}]")
    if ambiguous:
        out.append("ambiguous_names:")
        for text, ids in ambiguous.values():
            out += [f"  - name: {_q(text)}", f"    jurisdictions: [{', '.join(dict.fromkeys(ids))}]"]
    out.append("resolutions:")
    out.extend(records)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "resolutions.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")

    events = ["events:"]
    for i in range(40):
        start, _ = _iso(rng, rng.randint(1988, 2024))
        events += [f"  - id: event-{i + 1}", f'    title: "Synthetic event {i + 1}"', f'    date: "{start}"']
        if len(start) == 10 and i % 3 == 0:
            events.append(f'    end: "{int(start[:4]) + 1}{start[4:7]}-01"')
        events += [f"    summary: {_q('Something happened.')}", "    sources:",
                   f"      - url: https://example.org/events/{i + 1}"]
    (folder / "events.yaml").write_text("\n".join(events) + "\n", encoding="utf-8")
    return WrittenDataset(folder, len(countries), len(rows), count, 40, len(ambiguous), value_of)
