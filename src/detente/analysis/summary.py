"""The document view: for one article, the relations it speaks of and the shifts it claims.

Dyads come from the article's coded events: each actor party (country, else IGO or group code)
with each recipient party, or the actors among themselves when there is no recipient. A dyad's
sign is that of its mean PLOVER score over the article's non-modal events: + above
SIGN_SCORE, - below -SIGN_SCORE, else 0 (mixed or neutral).

Claims are what the text itself says about a relationship changing, found with phrase rules
(CLAIM_RULES): "detente", "rapprochement", "thaw", "warming ties", "turning from competitive to
cooperative", "normalisation" (warming); "tensions rise", "escalation", "deteriorating
relations", "rift", "strained ties", "cooling" (cooling). A claim preceded closely by a
negation ("no sign of a thaw", "denied any rift") is kept with negated=True, and one feared or
warned against ("steps that could lead to escalation") with hedged=True: neither is a shift the
article asserts. The dyad of a
claim is the pair of parties its sentence names (found with the actor tables; of several, the
pair the article has most events on), else the
parties of the events coded in that sentence, else, when the sentence speaks of "the two
countries" or "relations" without naming them, the article's main dyad.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from itertools import combinations
from typing import Any

SIGN_SCORE = 1.0

# (pattern, direction, name). Patterns are case-insensitive and matched on word boundaries.
_REL = r"(?:ties|relations|relationship|links|cooperation)"
CLAIM_RULES: list[tuple[str, str, str]] = [
    (r"d[ée]tente", "warming", "detente"),
    (r"rapprochement", "warming", "rapprochement"),
    (r"thaw(?:s|ed|ing)?", "warming", "thaw"),
    (rf"warm(?:ing|ed|er)?\s+(?:\w+\s+){{0,2}}{_REL}", "warming", "warming ties"),
    (rf"{_REL}\s+(?:\w+\s+){{0,3}}(?:warm(?:s|ed|ing)?|improv(?:e|es|ed|ing))", "warming", "warming ties"),
    (r"(?:turn(?:s|ed|ing)?|shift(?:s|ed|ing)?|mov(?:e|es|ed|ing)|went|going|evolv(?:e|es|ed|ing))\s+"
     r"from\s+(?:a\s+)?(?:competitive|hostile|adversarial|confrontational|cool|frosty|rival(?:ry)?|competition|hostility)"
     r"\s+(?:\w+\s+)?to\s+(?:a\s+)?(?:cooperative|cooperation|friendly|partnership|warm|close)",
     "warming", "from competitive to cooperative"),
    (r"from\s+(?:\w+\s+){0,3}(?:rivals?|adversar(?:y|ies)|enem(?:y|ies)|foes?)\s+to\s+(?:\w+\s+){0,2}"
     r"(?:partners?|allies|friends)", "warming", "from rivals to partners"),
    (r"(?:emerging|new|growing)\s+(?:alignment|axis|partnership|alliance|entente)", "warming", "emerging alignment"),
    (r"normali[sz](?:ation|e|es|ed|ing)", "warming", "normalisation"),
    (rf"(?:improv(?:ed|ing|ement in)|better|closer|deepening|deepened|strengthening|strengthened)\s+{_REL}",
     "warming", "improving ties"),
    (r"mend(?:s|ed|ing)?\s+(?:\w+\s+)?(?:ties|fences|relations)", "warming", "mending ties"),
    (r"reconcil(?:iation|e|ed|ing)", "warming", "reconciliation"),
    (r"new\s+(?:era|chapter|page)", "warming", "new era"),
    (r"de-?escalat(?:e|es|ed|ing|ion)", "warming", "de-escalation"),
    (r"tensions?\s+(?:have\s+|has\s+|had\s+)?(?:rise[ns]?|rising|rose|escalat\w*|mount\w*|flare[ds]?|flaring|grow\w*|grew|"
     r"soar\w*|spik\w*|heighten\w*|deepen\w*|sharpen\w*)", "cooling", "tensions rise"),
    (r"(?:rising|mounting|growing|escalating|heightened|renewed|soaring)\s+tensions?", "cooling", "tensions rise"),
    (r"(?<!de-)(?<!de)escalat(?:e|es|ed|ing|ion)", "cooling", "escalation"),
    (rf"deteriorat(?:e|es|ed|ing|ion)(?:\s+(?:in|of)\s+{_REL})?", "cooling", "deteriorating relations"),
    (r"rifts?", "cooling", "rift"),
    (rf"strain(?:ed|s|ing)?\s+(?:the\s+)?{_REL}", "cooling", "strained ties"),
    (rf"{_REL}\s+(?:\w+\s+){{0,2}}(?:strained|soured|cooled|worsened|deteriorated|frayed)", "cooling", "strained ties"),
    (r"cool(?:ing|ed)", "cooling", "cooling"),
    (rf"(?:sour(?:ed|ing)|worsen(?:ed|ing)|fraying|frayed|frosty|frostier|chilly|chilled)\s+(?:\w+\s+)?{_REL}",
     "cooling", "souring ties"),
    (rf"(?:sever(?:s|ed|ing)?|cut|cuts|downgrad(?:e|es|ed|ing)|suspend(?:s|ed|ing)?|freez(?:e|es|ing)|froze)\s+"
     rf"(?:\w+\s+)?(?:diplomatic\s+)?{_REL}", "cooling", "ties cut"),
    (r"war\s+of\s+words|stand-?off|low\s+point|nadir", "cooling", "standoff"),
]
_RULES = [(re.compile(rf"\b{p}\b", re.IGNORECASE), d, n) for p, d, n in CLAIM_RULES]
_NEGATION = re.compile(r"(?:\b(?:no|not|never|without|denied|denies|deny|denying|rules?\s+out|ruled\s+out|far\s+from|"
                       r"little|nor)\b|n't\b)[\w\s,'-]{0,25}$", re.IGNORECASE)
# A change feared or warned against is not a change claimed: "to avoid a dangerous escalation".
_HEDGE = re.compile(r"\b(?:avoid\w*|prevent\w*|avert\w*|could|might|may|would|risk\w*|fear\w*|warn\w*\s+of|"
                    r"danger\s+of|threat\s+of|if)\b[\w\s,'\"-]{0,40}$", re.IGNORECASE)
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
        for pattern, direction, name in _RULES:
            for m in pattern.finditer(sentence):
                before = sentence[max(0, m.start() - 50):m.start()]
                claim = by_direction.setdefault(direction, {
                    "sentence": sentence, "sentence_number": i, "direction": direction, "phrase": m.group(0),
                    "rule": name, "phrases": [], "negated": bool(_NEGATION.search(before)),
                    "hedged": bool(_HEDGE.search(before)), "start": m.start(), "end": m.end()})
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
    (sentence, direction, phrase, phrases, negated, hedged, dyad, dyad_source), n_events and a
    readable ``text`` rendering.
    """
    from detente.analysis.series import code_name

    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for ev in events:
        for pair in event_dyads(ev):
            grouped.setdefault(pair, []).append(ev)
    dyads = []
    for (a, b), evs in grouped.items():
        scores = [float(e.get("plover_score") or 0.0) for e in evs if not _modal(e)]
        mean = sum(scores) / len(scores) if scores else None
        dyads.append({
            "dyad": f"{a}-{b}", "a": a, "b": b, "name": f"{code_name(a)} – {code_name(b)}", "sign": _sign(mean),
            "n_events": len(scores), "mean_score": mean,
            "events": [{"id": e.get("id"), "event_type": e.get("event_type"), "score": e.get("plover_score"),
                        "quad_class": e.get("quad_class"), "trigger": e.get("trigger"), "sentence": e.get("sentence"),
                        "date": str(e.get("date") or e.get("pub_date") or "") or None, "modal": _modal(e),
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
        claim.update(dyad=f"{pair[0]}-{pair[1]}" if pair else None, a=pair[0] if pair else None,
                     b=pair[1] if pair else None, dyad_source=source, parties=named)
        claims.append(claim)
    summary = {"title": title, "n_events": len(events), "dyads": dyads, "claims": claims}
    summary["text"] = render_summary(summary)
    return summary


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
            flag = " (negated/hypothetical)" if e["modal"] else ""
            lines.append(f"      {e['event_type']} {e['score']:+}{flag} [{e['trigger']}] {_short(e['sentence'])}")
        if len(d["events"]) > max_events:
            lines.append(f"      ... {len(d['events']) - max_events} more")
    if summary["claims"]:
        lines.append("")
        lines.append("Claimed shifts:")
    for c in summary["claims"]:
        who = c["dyad"] or "(no dyad named)"
        neg = " [negated]" if c["negated"] else " [feared, not claimed]" if c["hedged"] else ""
        lines.append(f"  {c['direction']} {who}: \"{c['phrase']}\"{neg} - {_short(c['sentence'])}")
    return "\n".join(lines)


def _short(text: str | None, n: int = 110) -> str:
    text = _norm(text or "")
    return text if len(text) <= n else text[: n - 1] + "…"
