"""Event location accuracy on the labelled gold, and the gazetteer's cost.

    .venv/bin/python benchmarks/location.py [--errors FILE] [--json] [--realtext ../shared/realtext]

Gold: records of data/gold/*.jsonl that carry a `location` field, and the real-text sentences
of ../shared/realtext/news-quad-dev.jsonl labelled by id in data/realtext/*.locations.jsonl (the
text stays in shared/). A label is {"name", "country"} (name null: the country is all the text
says) or null (the sentence places its event nowhere). Each record's first coded event is
scored; records where the coder finds no event are counted apart.

- country accuracy: of the events placed both by the gold and by detente, the share in the
  same country;
- place accuracy: of those whose gold names a place finer than a country, the share where
  detente names the same place (same name, or the gold name's gazetteer entry within 25 km);
- coverage: of the events the gold places, the share detente places at all;
- placed without gold place: of the events the gold places nowhere, the share detente places;
- end to end: country (place) right over every event the gold places (names), unplaced = wrong.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "realtext"
NEAR_KM = 25.0


def gold_records(shared: Path = SHARED) -> list[tuple[str, str, str, str | None, dict | None]]:
    """(set, id, text, date, label) for every labelled record."""
    out = []
    for path in sorted((ROOT / "data" / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if "location" in rec:
                    out.append((path.stem, rec["id"], rec["text"], rec.get("date"), rec["location"]))
    for path in sorted((ROOT / "data" / "realtext").glob("*.locations.jsonl")):
        source = shared / path.name.replace(".locations", "")
        if not source.is_file():
            print(f"warning: {source} not found; its labels are skipped", file=sys.stderr)
            continue
        texts = {r["id"]: r["text"] for r in map(json.loads, source.read_text(encoding="utf-8").splitlines())}
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            out.append((source.stem, rec["id"], texts[rec["id"]], None, rec["location"]))
    return out


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def same_place(gold: dict, loc) -> bool:
    from detente.geo.gazetteer import fold, resolve

    if loc.name and fold(loc.name) == fold(gold["name"]):
        return True
    if loc.lat is None:
        return False
    place = resolve(gold["name"], (gold["country"],) if gold["country"] else (), towns=True)
    return place is not None and km((place.lat, place.lon), (loc.lat, loc.lon)) <= NEAR_KM


def score(records, coded) -> tuple[dict, list[dict]]:
    n = {"records": len(records), "no_event": 0, "gold_placed": 0, "gold_named": 0, "gold_unplaced": 0, "placed": 0,
         "country_right": 0, "named": 0, "place_right": 0, "false_placed": 0}
    errors = []
    for subset, rid, _, _, gold in records:
        events = coded[rid]
        if not events:
            n["no_event"] += 1
            continue
        loc = events[0].location
        if gold is None:
            n["gold_unplaced"] += 1
            if loc is not None:
                n["false_placed"] += 1
                errors.append({"id": rid, "set": subset, "gold": None, "got": loc.model_dump()})
            continue
        n["gold_placed"] += 1
        n["gold_named"] += bool(gold["name"])
        if loc is None:
            errors.append({"id": rid, "set": subset, "gold": gold, "got": None})
            continue
        n["placed"] += 1
        country_ok = loc.country == gold["country"]
        n["country_right"] += country_ok
        place_ok = True
        if gold["name"]:
            n["named"] += 1
            place_ok = same_place(gold, loc)
            n["place_right"] += place_ok
        if not (country_ok and place_ok):
            errors.append({"id": rid, "set": subset, "gold": gold, "got": loc.model_dump()})

    def share(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    result = {
        **n,
        "country_accuracy": share(n["country_right"], n["placed"]),
        "place_accuracy": share(n["place_right"], n["named"]),
        "coverage": share(n["placed"], n["gold_placed"]),
        "placed_without_gold_place": share(n["false_placed"], n["gold_unplaced"]),
        # End to end: an event the gold places but detente does not counts as wrong.
        "country_of_all_gold_placed": share(n["country_right"], n["gold_placed"]),
        "place_of_all_gold_named": share(n["place_right"], n["gold_named"]),
    }
    return result, errors


def gazetteer_cost() -> dict:
    """Load time of the gazetteer (both tiers) and the resident memory it adds, in a fresh process.

    Resident memory is read from /proc (ru_maxrss is inherited from the forking parent)."""
    import subprocess

    code = ("import gc, time\n"
            "from detente.geo import gazetteer\n"
            "def rss():\n"
            "    gc.collect()\n"
            "    line = next(x for x in open('/proc/self/status') if x.startswith('VmRSS'))\n"
            "    return int(line.split()[1])\n"
            "before = rss()\n"
            "t = time.perf_counter()\n"
            "n = gazetteer.warm()\n"
            "cities = rss()\n"
            "t1 = time.perf_counter()\n"
            "gazetteer._towns()\n"
            "print(n, t1 - t, time.perf_counter() - t1, before, cities, rss())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    before, cities, towns = (int(x) for x in out[3:6])
    return {"names": int(out[0]), "cities_load_seconds": round(float(out[1]), 2),
            "towns_load_seconds": round(float(out[2]), 2), "cities_rss_mb": round((cities - before) / 1024),
            "towns_rss_mb": round((towns - cities) / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", help="write the mis-placed records (JSON Lines) here")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--realtext", default=str(SHARED), help="the shared real-text folder (default: %(default)s)")
    args = parser.parse_args()
    import datetime as dt

    from detente.evaluate import GoldRecord, code_gold

    records = gold_records(Path(args.realtext))
    started = time.perf_counter()
    coded = code_gold([GoldRecord(id=rid, text=text, event=None, actor=[], recipient=[], date=dt.date.fromisoformat(date) if date else None)
                       for _, rid, text, date, _ in records])
    result, errors = score(records, coded)
    result["by_set"] = {}
    for subset in sorted({r[0] for r in records}):
        part = [r for r in records if r[0] == subset]
        result["by_set"][subset] = score(part, {r[1]: coded[r[1]] for r in part})[0]
    result["coding_seconds"] = round(time.perf_counter() - started, 1)
    result["gazetteer"] = gazetteer_cost()
    if args.errors:
        Path(args.errors).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors),
                                     encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key in ("records", "no_event", "gold_placed", "gold_unplaced", "country_accuracy", "place_accuracy",
                "coverage", "placed_without_gold_place", "country_of_all_gold_placed", "place_of_all_gold_named"):
        print(f"{key:28} {result[key]}")
    for subset, part in result["by_set"].items():
        print(f"  {subset:26} country {part['country_accuracy']}  place {part['place_accuracy']}  "
              f"coverage {part['coverage']}  placed without gold place {part['placed_without_gold_place']}  "
              f"({part['records']} records, {part['no_event']} without an event)")
    print(f"gazetteer: {result['gazetteer']}")


if __name__ == "__main__":
    main()
