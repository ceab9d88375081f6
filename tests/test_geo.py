"""Where events happened: the gazetteer, the location rules, place filters, GDELT/ICEWS exports."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from detente.errors import DetenteError
from detente.geo.area import parse_bbox, parse_near
from detente.geo.gazetteer import country_place, fold, lookup, resolve
from detente.geo.outline import country_points, svg_paths
from detente.run.ingest import ingest_documents
from detente.store import EventFilter, open_store
from detente.store.exchange import GDELT_COLUMNS, ICEWS_COLUMNS
from detente.store.export import write_records


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


# -- gazetteer ------------------------------------------------------------------------------

def test_gazetteer_places_cities_with_coordinates_and_region():
    kabul = resolve("Kabul")
    assert (kabul.country, kabul.feature, kabul.admin1) == ("AFG", "city", "Kabul")
    assert km((kabul.lat, kabul.lon), (34.53, 69.17)) < 10
    assert kabul.geonames_id == 1138958


@pytest.mark.parametrize("name, countries, country", [
    ("Punjab", ("PAK",), "PAK"),
    ("Punjab", ("IND",), "IND"),
    ("Odessa", ("UKR",), "UKR"),  # an alternate name of Odesa; Odessa, Texas is a primary name
    ("Odessa", ("USA",), "USA"),
    ("Kashmir", ("PAK", "IND"), "PAK"),  # a shared feature takes the side the text is about
    ("Kashmir", ("IND", "PAK"), "IND"),
])
def test_ambiguous_names_follow_the_document_countries(name, countries, country):
    assert resolve(name, countries).country == country


def test_small_towns_come_from_the_second_tier_only_when_asked():
    assert resolve("Vardenis") is None
    vardenis = resolve("Vardenis", ("ARM",), towns=True)
    assert vardenis is not None and vardenis.country == "ARM" and vardenis.population < 15000


def test_curated_seas_win_over_regions_of_the_same_name():
    assert {p.feature for p in lookup("Red Sea")} >= {"sea", "region"}  # Egypt's Red Sea governorate
    assert resolve("Red Sea").feature == "sea"


def test_fold_ignores_case_accents_and_article():
    assert fold("The Gaza Strip") == fold("gaza strip")
    assert fold("Asunción") == "asuncion"


def test_country_points_lie_inside_the_country():
    points = country_points()
    assert km(points["RUS"], (61.5, 99.0)) < 800  # not dragged across the antimeridian
    assert km(points["USA"], (39.5, -98.5)) < 500  # the contiguous states, not Alaska
    assert "SGP" in points  # small states the 1:110m outline lacks: their capital
    assert country_place("PAK").feature == "country"


def test_world_outline_paths_are_svg_in_degrees():
    paths = svg_paths()
    assert len(paths) > 170
    assert paths["PAK"].startswith("M") and paths["PAK"].endswith("Z")


# -- the location rules ----------------------------------------------------------------------

CASES = [
    # sentence, expected (name, country, feature, precision)
    ("Azerbaijani artillery shelled the Armenian town of Jermuk on Tuesday.", ("Jermuk", "ARM", "city", "event")),
    ("Police in Karachi arrested 20 protesters on Monday.", ("Karachi", "PAK", "city", "event")),
    ("Indian and Pakistani troops exchanged fire near the Line of Control on Sunday.",
     ("Line of Control", None, "border", "event")),
    ("Houthi rebels attacked a cargo ship off the coast of Yemen.", ("Yemen", "YEM", "sea", "event")),
    ("Prime Minister Shehbaz Sharif visited Moscow in June.", ("Moscow", "RUS", "city", "event")),
    ("Russian and Pakistani special forces held joint drills near Cherat in Khyber Pakhtunkhwa.",
     ("Cherat", "PAK", "city", "event")),
    ("Azerbaijani forces shelled Armenian positions.", ("Armenia", "ARM", "country", "target")),
    ("Netanyahu met Putin at the Kremlin on Wednesday.", ("Moscow", "RUS", "city", "event")),
    ("The two presidents held talks in the Turkish capital.", ("Ankara", "TUR", "city", "event")),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_event_location_rules(code, text, expected):
    events = code(text, "2025-03-12")
    assert events, text
    loc = events[0].location
    assert loc is not None, text
    name, country, feature, precision = expected
    assert (loc.name, loc.feature, loc.precision) == (name, feature, precision)
    if country is not None:
        assert loc.country == country
    assert loc.lat is not None and loc.lon is not None


def test_statements_are_not_placed_where_their_topic_is(code):
    # "the bombing of hospitals in Idlib" is what the statement is about, not where it was made.
    events = code("The United States condemned the Syrian government over the bombing of hospitals in Idlib.",
                  "2025-03-12")
    assert events and events[0].location is None


def test_a_sentence_phrase_places_an_event_without_its_own(code):
    events = code("Shooting was heard in Tavush after Azerbaijani troops fired on Armenian positions.", "2025-03-12")
    loc = events[0].location
    assert (loc.name, loc.country, loc.precision) == ("Tavush", "ARM", "sentence")


def test_dateline_places_the_article(code_docs, make_doc):
    doc = make_doc("KABUL, March 3 (Meridian Wire) - Officials said the talks would resume next week.\n\n"
                   "The Taliban administration criticised Pakistan over the border closure.", "dl-1", "2025-03-03")
    events = code_docs([doc])
    assert events
    loc = events[-1].location
    assert (loc.name, loc.country, loc.precision) == ("Kabul", "AFG", "dateline")


def test_location_is_in_the_json_schema():
    from detente.models import event_json_schema

    schema = event_json_schema()
    assert "location" in schema["properties"]
    docs = json.loads((Path(__file__).parents[1] / "docs" / "event.schema.json").read_text())
    assert docs == schema, "docs/event.schema.json is stale: run detente schema -o docs/event.schema.json"


# -- store filters ---------------------------------------------------------------------------

TEXTS = {
    "g1": ("2025-02-11", "Azerbaijani troops shelled Armenian positions near Jermuk on Wednesday."),
    "g2": ("2025-02-12", "Police in Karachi arrested 20 protesters on Monday."),
    "g3": ("2025-02-13", "Russia and Pakistan held talks in Islamabad on Tuesday."),
    "g4": ("2025-02-14", "Japan and South Korea agreed to expand trade."),
}


@pytest.fixture(scope="module")
def geo_db(tmp_path_factory, make_doc) -> Path:
    db = tmp_path_factory.mktemp("geo") / "events.duckdb"
    docs = [make_doc(text, doc_id, pub, url=f"https://example.org/{doc_id}", source="Example Wire")
            for doc_id, (pub, text) in TEXTS.items()]
    ingest_documents(docs, str(db), progress="none")
    return db


def _docs(db: Path, flt: EventFilter) -> set[str]:
    with open_store(db, read_only=True) as store:
        return {r["doc_id"] for r in store.events(flt)}


@pytest.mark.parametrize("flt, expected", [
    (EventFilter(place="ARM"), {"g1"}),
    (EventFilter(place="sindh"), {"g2"}),  # admin1, any case
    (EventFilter(place="Islamabad"), {"g3"}),
    (EventFilter(near=(39.84, 45.67, 30)), {"g1"}),  # Jermuk
    (EventFilter(near=(24.86, 67.01, 5)), {"g2"}),  # Karachi
    (EventFilter(bbox=(60.0, 23.0, 78.0, 37.0)), {"g2", "g3"}),  # Pakistan's box
    (EventFilter(bbox=(170.0, -50.0, -170.0, 50.0)), set()),  # across the antimeridian: nothing there
])
def test_location_filters(geo_db, flt, expected):
    assert _docs(geo_db, flt) == expected


def test_stored_location_round_trips(geo_db):
    with open_store(geo_db, read_only=True) as store:
        (rec,) = list(store.events(EventFilter(doc_id="g2")))
    assert rec["location"]["name"] == "Karachi" and rec["location"]["admin1"] == "Sindh"
    assert "location_lat" not in rec  # query columns stay out of the public record


def test_old_store_gets_location_columns(tmp_path, geo_db):
    import duckdb

    from detente.store.schema import SCHEMA

    before = SCHEMA.replace(",\n    location JSON, location_country VARCHAR, location_admin1 VARCHAR, location_name VARCHAR,"
                            "\n    location_lat DOUBLE, location_lon DOUBLE", "")
    assert before != SCHEMA
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(before)
    con.close()
    with open_store(old, read_only=True) as store, pytest.raises(DetenteError, match="no event locations"):
        store.count(EventFilter(place="PAK"))
    with open_store(old) as store:  # writable: the columns are added
        assert store.count(EventFilter(place="PAK")) == 0


@pytest.mark.parametrize("spec, expected", [
    ("34.5,69.2:25", (34.5, 69.2, 25.0)),
    ("34.5,69.2", (34.5, 69.2, 50.0)),
])
def test_parse_near_coordinates(spec, expected):
    assert parse_near(spec) == expected


def test_parse_near_place_name():
    lat, lon, radius = parse_near("Kabul:100")
    assert km((lat, lon), (34.53, 69.17)) < 10 and radius == 100


@pytest.mark.parametrize("spec, message", [
    ("Nowhereville", "unknown place"), ("Kabul:-4", "between 0 and 20000"), ("Kabul:far", "invalid radius"),
    ("95,10", "not a latitude"),
])
def test_parse_near_errors(spec, message):
    with pytest.raises(DetenteError, match=message):
        parse_near(spec)


@pytest.mark.parametrize("spec", ["1,2,3", "a,b,c,d", "0,50,10,40", "0,0,200,10"])
def test_parse_bbox_errors(spec):
    with pytest.raises(DetenteError):
        parse_bbox(spec)


def test_cli_place_filters(cli, geo_db):
    out = cli("events", "--db", geo_db, "--in", "PAK")
    assert out.returncode == 0, out.stderr
    assert {json.loads(line)["doc_id"] for line in out.stdout.splitlines()} == {"g2", "g3"}
    out = cli("events", "--db", geo_db, "--near", "Jermuk:30")
    assert {json.loads(line)["doc_id"] for line in out.stdout.splitlines()} == {"g1"}
    bad = cli("events", "--db", geo_db, "--bbox", "1,2,3")
    assert bad.returncode != 0 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


# -- GDELT and ICEWS -------------------------------------------------------------------------

def _records(db: Path) -> list[dict]:
    with open_store(db, read_only=True) as store:
        return list(store.events())


def test_gdelt_export_loads_in_pandas_with_gdelt_columns(tmp_path, geo_db):
    out = tmp_path / "events.gdelt.tsv"
    docs = {d: {"url": f"https://example.org/{d}", "source": "Example Wire"} for d in TEXTS}
    n = write_records(_records(geo_db), "gdelt", str(out), documents=docs)
    frame = pd.read_csv(out, sep="\t", dtype={"EventCode": str, "EventBaseCode": str, "EventRootCode": str})
    assert list(frame.columns) == GDELT_COLUMNS and len(frame) == n
    shelling = frame[frame["ActionGeo_FullName"].str.startswith("Jermuk", na=False)].iloc[0]
    assert shelling["Actor1CountryCode"] == "AZE" and shelling["Actor2CountryCode"] == "ARM"
    assert shelling["QuadClass"] == 4 and shelling["EventRootCode"] == shelling["EventCode"][:2]
    assert shelling["ActionGeo_CountryCode"] == "AM"  # FIPS, as GDELT's geo columns are
    assert abs(shelling["ActionGeo_Lat"] - 39.84) < 0.1 and abs(shelling["ActionGeo_Long"] - 45.67) < 0.1
    assert shelling["ActionGeo_Type"] == 4
    assert str(shelling["SQLDATE"]).startswith("2025")
    assert shelling["SOURCEURL"] == "https://example.org/g1"
    karachi = frame[frame["ActionGeo_FullName"].str.startswith("Karachi", na=False)].iloc[0]
    assert karachi["ActionGeo_ADM1Code"] == "PK05"  # Sindh


def test_icews_export_loads_in_pandas_with_icews_columns(tmp_path, geo_db):
    out = tmp_path / "events.icews.tsv"
    write_records(_records(geo_db), "icews", str(out), documents={"g2": {"source": "Example Wire"}})
    frame = pd.read_csv(out, sep="\t", dtype={"CAMEO Code": str})
    assert list(frame.columns) == ICEWS_COLUMNS
    arrest = frame[frame["Story ID"] == "g2"].iloc[0]
    assert (arrest["City"], arrest["Province"], arrest["Country"]) == ("Karachi", "Sindh", "Pakistan")
    assert arrest["Source Sectors"] == "Police" and arrest["Source Country"] == "Pakistan"
    assert arrest["Publisher"] == "Example Wire" and arrest["Sentence Number"] == 1
    assert arrest["Event Text"] and isinstance(arrest["Intensity"], float)


def test_cli_exports_exchange_formats(cli, geo_db, tmp_path):
    out = tmp_path / "g.tsv"
    res = cli("events", "--db", geo_db, "--format", "gdelt", "-o", out)
    assert res.returncode == 0, res.stderr
    frame = pd.read_csv(out, sep="\t")
    assert list(frame.columns) == GDELT_COLUMNS
    assert set(frame["SOURCEURL"]) <= {f"https://example.org/{d}" for d in TEXTS}
