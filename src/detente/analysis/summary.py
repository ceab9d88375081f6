"""The document view: for one article, the relations it speaks of and the shifts it claims.

Dyads come from the article's coded events: each actor party (country, else IGO or group code)
with each recipient party, or the actors among themselves when there is no recipient. A dyad's
sign is that of its mean PLOVER score over the article's non-modal events: + above
SIGN_SCORE, - below -SIGN_SCORE, else 0 (mixed or neutral).

Claims are what the text itself says about a relationship changing, found with the phrases of
``detente/analysis/data/claims.tsv`` (`claim_rules`): warming ("detente", "a thaw", "ties were
restored", "normalisation", "mended fences", "re-established diplomatic relations", "reset
relations", "reconciliation") and cooling ("tensions rose", "relations collapsed", "severed
ties", "froze relations", "a rift", "downgraded ties", "expelled the ambassador"). Most words
count only when said of a relationship (their targets: ties, relations, embassies,
ambassadors), so "restored power" or "an asset freeze" is no claim. A claim preceded closely by a
negation ("no sign of a thaw", "denied any rift"), or with one inside it ("relations have not
been restored"), is kept with negated=True, and one feared or warned against ("steps that could
lead to escalation") with hedged=True: neither is a shift the article asserts. The dyad of a
claim is the pair of parties its sentence names (found with the actor tables; of several, the
pair the article has most events on), else the parties of the events coded in that sentence,
else, when the sentence speaks of "the two countries" or "relations" without naming them, the
article's main dyad. `store_claims` finds the claims a store's articles make, by dyad; `dyad_claims`
about one dyad.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import combinations
from typing import Any

from detente.events.dates import resolve_date

SIGN_SCORE = 1.0

_WORDS_BEFORE_TARGET = 3  # "restored full diplomatic ties"
_WORDS_AFTER_TARGET = 6  # "ties between Riyadh and Tehran were restored"


@dataclass(frozen=True)
class ClaimRule:
    """One row of claims.tsv, compiled."""

    direction: str  # warming or cooling
    name: str
    pattern: re.Pattern[str]
    deed: bool = False  # a diplomatic act (ties cut, envoys expelled), not a description


def _claim_pattern(words: str, targets: str) -> re.Pattern[str]:
    if targets == "-":
        return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    # The words between may not open another clause ("summoned a diplomat and demanded that
    # Japan withdraw the claim" withdraws no diplomat).
    gap = r"(?:[\s,]+(?!(?:that|which|who|whom|because|while|but|if|unless)\b)[\w'’-]+)"
    return re.compile(rf"\b(?:{words})\b{gap}{{0,{_WORDS_BEFORE_TARGET}}}?[\s,]+(?:{targets})\b|"
                      rf"\b(?:{targets})\b{gap}{{0,{_WORDS_AFTER_TARGET}}}?[\s,]+(?:{words})\b", re.IGNORECASE)


@cache
def claim_rules() -> tuple[ClaimRule, ...]:
    """The relation-change phrases of data/claims.tsv, loaded once."""
    path = resources.files("detente.analysis") / "data" / "claims.tsv"
    with path.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    rules = []
    for row in csv.DictReader(lines, delimiter="\t"):
        direction = row["direction"].strip()
        if direction not in ("warming", "cooling"):
            raise ValueError(f"claims.tsv: direction must be warming or cooling, not {direction!r}")
        rules.append(ClaimRule(direction, row["name"].strip(),
                               _claim_pattern(row["words"].strip(), row["targets"].strip() or "-"),
                               (row.get("deed") or "no").strip() == "yes"))
    return tuple(rules)


# A time told beside the phrase: "froze its ties two decades ago", "broken off by Caracas in 2019".
_TIME_BEFORE, _TIME_AFTER = 30, 60
_AGO = re.compile(r"\b(?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|a\s+few)\s+"
                  r"(?:years|decades)\s+(?:ago|earlier|before)|(?:a|one)\s+year\s+(?:ago|earlier|before)|"
                  # "restored close ties last year": the article recalls the shift, it does not report it
                  r"last\s+year|the\s+(?:previous|preceding)\s+year|the\s+year\s+before)\b", re.IGNORECASE)
# "a year after Saudi Arabia expelled Canada's ambassador": the anniversary, not the act
_AFTER = re.compile(r"\b(?:(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|several|"
                    r"many|a\s+few)\s+(?:months|years?|decades?)\s+(?:after|since)|(?:months|years)\s+after)\b",
                    re.IGNORECASE)
# "in 2013", "in November 2013", "since early 2016": the year a claim is told of
_YEAR = re.compile(r"\b(?:in|since|from|until|between)\s+(?:(?:early|late|mid-?)\s*)?(?:(?:jan|feb|mar|apr|may|jun|jul|"
                   r"aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?)?((?:19|20)\d\d)\b", re.IGNORECASE)
# "on Sunday", "this week": the claim is dated as news
_NEWS_DAY = re.compile(r"\b(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|today|yesterday|"
                       r"this\s+week)\b", re.IGNORECASE)


def _recalled(sentence: str, m: re.Match[str], near: str) -> bool:
    """Whether a claim is told as the past: "cut ties two years ago", "a year after Riyadh expelled
    the ambassador", "remain frozen a year after the war"; but "reopened its embassy on Sunday,
    four years after it was stormed" reports the reopening."""
    if _AGO.search(near):
        return True
    if _AFTER.search(sentence[max(0, m.start() - _TIME_BEFORE):m.end()]):
        return True
    return bool(_AFTER.search(near)) and not _NEWS_DAY.search(near)


# "will exchange ambassadors for the first time since 2011": the year of the last time, not of the claim
_FIRST = re.compile(r"\bfirst(?:\s+\w+){0,3}\s*$", re.IGNORECASE)


def _told_years(text: str) -> list[int]:
    """The years `text` tells a claim of (`_YEAR`), not those of a 'first time since'."""
    return [int(m.group(1)) for m in _YEAR.finditer(text) if not _FIRST.search(text[max(0, m.start() - 30):m.start()])]


# "withdrawn last November", "frozen since August", "earlier this month": the month a claim is
# told of, resolved against the article's date (full month names: "may" is a modal)
_MONTH_TOLD = re.compile(r"\b(?:in|last|since|early|late|mid-?|by)\s+(?:(?:early|late|mid-?)\s*)?(?:January|February|"
                         r"March|April|May|June|July|August|September|October|November|December)"
                         r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+(?:19|20)\d\d)?\b|"
                         r"\blast\s+month\b|\bearlier\s+this\s+month\b")
_NEGATION = re.compile(r"(?:\b(?:no|not|never|without|denied|denies|deny|denying|rules?\s+out|ruled\s+out|far\s+from|"
                       r"little|nor)\b|n't\b)[\w\s,'-]{0,25}$", re.IGNORECASE)
# "ending a rift", "healed the rupture": the shift claimed is the end of what the phrase names.
_ENDED = re.compile(r"\b(?:end(?:s|ed|ing)?|heal(?:s|ed|ing)?|overc[oa]m(?:e|es|ing)|after|"
                    r"recover(?:s|ed|ing)?\s+from|mov(?:e|es|ed|ing)\s+past|put\s+behind)\s+(?:the\s+|a\s+|their\s+|"
                    r"its\s+)?(?:\w+\s+)?$|"
                    # "sealing the end of a crisis that had frozen relations"
                    r"\b(?:end(?:s|ed|ing)?|resolv\w*|settl\w*|overc[oa]m\w*)\s+(?:of\s+|to\s+)?(?:the\s+|a\s+|their\s+|"
                    r"its\s+)?(?:\w+\s+){0,2}(?:that|which)\s+(?:had\s+|has\s+|have\s+)?$", re.IGNORECASE)
_INNER_NEGATION = re.compile(r"\b(?:not|never|no\s+longer)\b|n't\b", re.IGNORECASE)
# A change feared, warned against or only worked towards is not a change claimed: "to avoid a
# dangerous escalation".
_HEDGE = re.compile(r"\b(?:avoid\w*|prevent\w*|avert\w*|could|might|may|would|risk\w*|fear\w*|warn\w*\s+of|"
                    r"danger\s+of|threat\s+of|threaten(?:s|ed|ing)?|if|hop(?:e|es|ed|ing)\s+to|seek(?:s|ing)?\s+to|sought\s+to|"
                    r"want(?:s|ed|ing)?\s+to|wish(?:es|ed|ing)?\s+to|aim(?:s|ed|ing)?\s+to|promis(?:e|es|ed|ing)\s+to|"
                    # "a first step toward restoring ties": on the way, not there
                    r"(?:steps?|progress|path|road)\s+towards?|bid\s+to|efforts?\s+to)\b"
                    r"[\w\s,'\"-]{0,40}$",
                    re.IGNORECASE)
# "announced that their countries would restore relations": a decision reported, not a hedge.
_ANNOUNCED = re.compile(r"\b(?:announc\w*|agree[sd]?|decided|decides|confirm\w*)\b[^.;]{0,60}\bwould\s+(?:\w+\s+){0,2}$",
                        re.IGNORECASE)
_UNNAMED = re.compile(r"\b(?:the\s+two\s+(?:countries|sides|nations|neighbours|neighbors|governments|capitals)|"
                      r"both\s+(?:countries|sides|nations|capitals)|bilateral|relations|ties|relationship)\b",
                      re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Lt|Sgt|Capt|Adm|Prof|Sen|Rep|Gov|Pres|Amb|No|Jan|Feb|"
                           r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|Inc|Ltd|Co)|\b[A-Z](?:\.[A-Z])*)\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text: paragraphs split at sentence-final punctuation before a capital,
    except after abbreviations (Mr., U.S.)."""
    out = []
    for para in re.split(r"\n\s*\n", text or ""):
        para = " ".join(para.split())
        pending = ""
        for piece in _SENTENCE_END.split(para):
            pending = f"{pending} {piece}".strip() if pending else piece.strip()
            if pending and not _ABBREVIATION.search(pending):
                out.append(pending)
                pending = ""
        if pending:
            out.append(pending)
    return out


def _norm(text: str) -> str:
    return " ".join((text or "").split())


# -- parties of events and sentences ------------------------------------------------------------

def _party(actor: dict[str, Any]) -> str | None:
    """Its country, else its IGO or group code; None for a bare role ("the government")."""
    from detente.analysis.series import sector_codes

    if actor.get("country"):
        return actor["country"]
    code = actor.get("code")
    if not code or actor.get("kind") == "role" or code in sector_codes():
        return None
    return code


def event_parties(event: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(actor parties, recipient parties) of an event record."""
    actors = sorted({p for a in event.get("actor") or [] if (p := _party(a))})
    recipients = sorted({p for r in event.get("recipient") or [] if (p := _party(r))})
    return actors, recipients


def event_dyads(event: dict[str, Any]) -> list[tuple[str, str]]:
    """The undirected dyads (a < b) of an event, self-pairs skipped."""
    actors, recipients = event_parties(event)
    if recipients:
        pairs = {tuple(sorted((x, y))) for x in actors for y in recipients if x != y}
    else:
        pairs = {(x, y) for x in actors for y in actors if x < y}
    return sorted(pairs)  # type: ignore[arg-type]


@cache
def _sentence_matcher() -> Callable[[str], list[str]] | None:
    """Parties named in a sentence, from the actor tables (tokenizer only, no parse)."""
    try:
        from detente.nlp import load_pipeline
        from detente.run.pipeline import actor_matcher

        nlp = load_pipeline()
        matcher = actor_matcher()
    except Exception:  # noqa: BLE001 - without the model, claims fall back on event actors
        return None

    def parties(sentence: str) -> list[str]:
        doc = nlp.make_doc(sentence)
        found: list[str] = []
        for mention in matcher.mentions(doc):
            entry = mention.entries[0]
            party = entry.country or entry.code
            if party and party not in found:
                found.append(party)
        return found

    return parties


def sentence_parties(sentence: str) -> list[str]:
    """Countries (or IGO/group codes) a sentence names, in order of mention."""
    matcher = _sentence_matcher()
    return matcher(sentence) if matcher else []


# -- claims -------------------------------------------------------------------------------------

def find_claims(text: str) -> list[dict[str, Any]]:
    """Relation changes a text claims: one per sentence and direction, with the phrases found."""
    claims = []
    for i, sentence in enumerate(split_sentences(text)):
        by_direction: dict[str, dict[str, Any]] = {}
        for rule in claim_rules():
            for m in rule.pattern.finditer(sentence):
                before = sentence[max(0, m.start() - 50):m.start()]
                negated = bool(_NEGATION.search(before) or _INNER_NEGATION.search(m.group(0))
                               or (rule.direction == "cooling" and _ENDED.search(before)))
                near = sentence[max(0, m.start() - _TIME_BEFORE):m.end() + _TIME_AFTER]
                claim = by_direction.setdefault(rule.direction, {
                    "sentence": sentence, "sentence_number": i, "direction": rule.direction, "phrase": m.group(0),
                    "rule": rule.name, "phrases": [], "negated": negated,
                    "hedged": bool(_HEDGE.search(before)) and not _ANNOUNCED.search(before), "start": m.start(), "end": m.end(), "deed": False,
                    "past": _recalled(sentence, m, near),
                    "years": _told_years(near),
                    "month": (found.group(0) if (found := _MONTH_TOLD.search(near)) else None)})
                claim["deed"] = claim["deed"] or rule.deed
                if m.group(0) not in claim["phrases"]:
                    claim["phrases"].append(m.group(0))
        claims += sorted(by_direction.values(), key=lambda c: c["start"])
    return claims


# -- the summary --------------------------------------------------------------------------------

def _sign(mean: float | None) -> str:
    if mean is None:
        return "0"
    return "+" if mean > SIGN_SCORE else "-" if mean < -SIGN_SCORE else "0"


def _modal(event: dict[str, Any]) -> bool:
    return bool(event.get("negated") or event.get("hypothetical"))


def summarize_events(events: list[dict[str, Any]], text: str, title: str | None = None) -> dict[str, Any]:
    """The relations one article speaks of: dyads with sign and evidence, and the claimed shifts.

    events are the article's event records (Event.model_dump(mode="json") or store records);
    text is its text. Returns dyads (dyad, a, b, sign, n_events, mean_score, events), claims
    (sentence, direction, phrase, phrases, negated, hedged, background, dyad, dyad_source), n_events and a
    readable ``text`` rendering.
    """
    from detente.analysis.series import code_name

    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for ev in events:
        for pair in event_dyads(ev):
            grouped.setdefault(pair, []).append(ev)
    dyads = []
    for (a, b), evs in grouped.items():
        # The sign is the news: negated, hypothetical and background events are listed, not counted.
        scores = [float(e.get("plover_score") or 0.0) for e in evs if not _modal(e) and not e.get("historical")]
        mean = sum(scores) / len(scores) if scores else None
        dyads.append({
            "dyad": f"{a}-{b}", "a": a, "b": b, "name": f"{code_name(a)} – {code_name(b)}", "sign": _sign(mean),
            "n_events": len(scores), "mean_score": mean,
            "events": [{"id": e.get("id"), "event_type": e.get("event_type"), "score": e.get("plover_score"),
                        "quad_class": e.get("quad_class"), "trigger": e.get("trigger"), "sentence": e.get("sentence"),
                        "date": str(e.get("date") or e.get("pub_date") or "") or None, "modal": _modal(e), "background": bool(e.get("historical")),
                        "actor": event_parties(e)[0], "recipient": event_parties(e)[1]}
                       for e in sorted(evs, key=lambda e: (e.get("sentence_index") or 0, e.get("id") or ""))],
        })
    dyads.sort(key=lambda d: (-d["n_events"], d["dyad"]))
    main = (dyads[0]["a"], dyads[0]["b"]) if dyads else None

    by_sentence: dict[str, list[dict[str, Any]]] = {}
    for ev in events:
        by_sentence.setdefault(_norm(ev.get("sentence") or ""), []).append(ev)
    claims = []
    for claim in find_claims(text):
        claim.pop("start", None)
        claim.pop("end", None)
        named = sentence_parties(claim["sentence"])
        source = None
        pair: tuple[str, str] | None = None
        if len(named) >= 2:
            # Of the pairs the sentence names, the one the article reports most on: in "Russia
            # urged Baku and Yerevan to ..." the relation at stake is Armenia-Azerbaijan.
            candidates = sorted({tuple(sorted(p)) for p in combinations(named, 2)},
                                key=lambda p: (-len(grouped.get(p, [])), named.index(p[0]) + named.index(p[1])))
            pair, source = candidates[0], "sentence"  # type: ignore[assignment]
            if not grouped.get(candidates[0]) and main and set(main) & set(named):
                # "the rapprochement would be tested by whether Tehran restrains the Houthis":
                # the article's own relation, not a pair it has no events on.
                pair, source = main, "article"
        else:
            pairs = sorted({p for ev in by_sentence.get(_norm(claim["sentence"]), []) for p in event_dyads(ev)})
            if pairs:
                pair, source = pairs[0], "events"
            elif main and (set(named) <= set(main)) and (named or _UNNAMED.search(claim["sentence"])):
                pair, source = main, "article"
        sentence_events = by_sentence.get(_norm(claim["sentence"]), [])
        claim.update(dyad=f"{pair[0]}-{pair[1]}" if pair else None, a=pair[0] if pair else None,
                     b=pair[1] if pair else None, dyad_source=source, parties=named,
                     # "the two countries restored ties in 2016": the coder marks its events historical
                     background=claim.pop("past") or any(ev.get("historical") for ev in sentence_events))
        claims.append(claim)
    summary = {"title": title, "n_events": len(events), "dyads": dyads, "claims": claims}
    summary["text"] = render_summary(summary)
    return summary


def store_claims(store: Any, dyad: tuple[str, str] | None = None, date_from: dt.date | None = None,
                 date_to: dt.date | None = None, direction: str | None = None) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The shifts the store's articles claim, by dyad (sorted pair), from one pass over the
    articles published from date_from to date_to that code an event (of either party of the
    dyad, if given; of any kind: the claim, not the event, is the evidence): the claims (see `summarize_events`)
    asserted (not negated, hedged or background, nor told with a year before the article's last),
    of the given direction (warming or cooling) if any. Each: doc_id, title, date (the
    article's), direction, phrase, rule, deed, sentence, told (when the sentence says it happened,
    see `_told`); oldest first, one per article, dyad and direction."""
    from detente.store import EventFilter, row_to_record

    pair = (min(dyad), max(dyad)) if dyad else None
    # With a dyad, the articles with an event of either party: a claim's pair comes from its
    # sentence ("relations between the two Koreas have improved, with three summits between Moon
    # and Kim"), so an article may claim a dyad's shift without coding an event of the pair, and
    # one dyad's claims must be those the whole store gives it.
    where, params = "", []
    if pair:
        sides = [EventFilter(**{side: party}).where() for party in pair for side in ("actor", "recipient")]
        where = " WHERE (" + " OR ".join(w.removeprefix(" WHERE ") for w, _ in sides) + ")"
        params = [p for _, ps in sides for p in ps]
    for bound, op in ((date_from, ">="), (date_to, "<=")):
        if bound:
            where += f"{' AND' if where else ' WHERE'} COALESCE(pub_date, date) {op} ?"
            params.append(bound)
    docs = store.query("SELECT doc_id, title, text, pub_date FROM documents WHERE doc_id IN "
                       f"(SELECT DISTINCT doc_id FROM events{where}) ORDER BY pub_date, doc_id", params)
    # most articles claim nothing: only those with a claim phrase are read with their events
    docs = [d for d in docs if any(rule.pattern.search(d.get("text") or "") for rule in claim_rules())]
    if not docs:
        return {}
    rows = store.query("SELECT * FROM events WHERE doc_id IN (SELECT unnest(?)) ORDER BY doc_id, sentence_index, id",
                       [[d["doc_id"] for d in docs]])
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row_to_record(row))
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for doc in docs:
        seen: set[tuple[str, str, str]] = set()
        day = doc.get("pub_date")
        events = by_doc.get(doc["doc_id"], [])
        for claim in summarize_events(events, doc.get("text") or "")["claims"]:
            key = (claim["a"], claim["b"])
            # a year told beside the phrase, before the article's, is the past the article recalls
            # ("Riyadh, which cut ties with Tehran in 2016"), unless a month dates it (`_month_told`)
            month = _month_told(claim, day)
            recalled = isinstance(day, dt.date) and any(y < day.year for y in claim["years"]) and month is None
            if (claim["a"] is None or (pair and key != pair) or claim["negated"] or claim["hedged"]
                    or claim["background"] or recalled or (direction and claim["direction"] != direction)
                    or (*key, claim["direction"]) in seen):
                continue
            seen.add((*key, claim["direction"]))
            out.setdefault(key, []).append({
                "doc_id": doc["doc_id"], "title": doc.get("title"),
                "date": day.isoformat() if isinstance(day, dt.date) else day,
                "direction": claim["direction"], "phrase": claim["phrase"], "rule": claim["rule"],
                "deed": bool(claim.get("deed")), "sentence": claim["sentence"],
                "told": _told(claim, events) or month})
    return out


def _told(claim: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    """When the claim's sentence says the shift happened: the date of an event coded from its
    phrase ("Algiers broke off relations with Rabat in August" in a November article), if dated
    to the day, week or month; else None (the article's date stands)."""
    words = set(claim["phrase"].lower().split())
    days = [str(ev.get("date"))[:10] for ev in events
            if _norm(ev.get("sentence") or "") == _norm(claim["sentence"]) and ev.get("date")
            and ev.get("date_precision") in ("day", "week", "month")
            and words & set((ev.get("trigger") or "").lower().split())]
    return min(days) if days else None


def _month_told(claim: dict[str, Any], day: Any) -> str | None:
    """The month the claim's sentence names beside the phrase ("the envoys were withdrawn last
    November" in an August article), resolved against the article's date: within the year
    before it, else None."""
    if not claim.get("month") or not isinstance(day, dt.date):
        return None
    found = resolve_date(claim["month"], day)
    if found is None or not day - dt.timedelta(days=366) <= found[0] <= day:
        return None
    return found[0].isoformat()


def dyad_claims(store: Any, a: str, b: str, date_from: dt.date | None = None, date_to: dt.date | None = None,
                direction: str | None = None) -> list[dict[str, Any]]:
    """The shifts the store's articles claim for the dyad a-b (`store_claims`), oldest first."""
    return store_claims(store, (a, b), date_from, date_to, direction).get((min(a, b), max(a, b)), [])


def render_summary(summary: dict[str, Any], max_events: int = 4) -> str:
    """A short plain-text rendering of a summary."""
    lines = []
    if summary.get("title"):
        lines.append(str(summary["title"]))
    lines.append(f"{summary['n_events']} events, {len(summary['dyads'])} dyads, {len(summary['claims'])} claimed shifts")
    if summary["dyads"]:
        lines.append("")
        lines.append("Dyads:")
    for d in summary["dyads"]:
        mean = "n/a" if d["mean_score"] is None else f"{d['mean_score']:+.1f}"
        lines.append(f"  {d['sign']} {d['dyad']} ({d['name']}): {d['n_events']} events, mean score {mean}")
        for e in d["events"][:max_events]:
            flag = " (negated/hypothetical)" if e["modal"] else " (background)" if e.get("background") else ""
            lines.append(f"      {e['event_type']} {e['score']:+}{flag} [{e['trigger']}] {_short(e['sentence'])}")
        if len(d["events"]) > max_events:
            lines.append(f"      ... {len(d['events']) - max_events} more")
    if summary["claims"]:
        lines.append("")
        lines.append("Claimed shifts:")
    for c in summary["claims"]:
        who = c["dyad"] or "(no dyad named)"
        neg = (" [negated]" if c["negated"] else " [hedged, not claimed]" if c["hedged"]
               else " [background]" if c.get("background") else "")
        lines.append(f"  {c['direction']} {who}: \"{c['phrase']}\"{neg} - {_short(c['sentence'])}")
    return "\n".join(lines)


def _short(text: str | None, n: int = 110) -> str:
    text = _norm(text or "")
    return text if len(text) <= n else text[: n - 1] + "…"
