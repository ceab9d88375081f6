"""Where an event happened: from its own place phrase, the sentence's, the dateline, or its target.

The rules, in order (the one that fired is the location's `precision`):

- `event`: a place phrase of the predicate or its arguments ("struck a market in Kabul", "police
  in Karachi arrested", "near the Line of Control", "off the coast of Yemen", "across the border
  into Afghanistan"), or the place an attack, raid or visit is aimed at ("shelled Jermuk",
  "visited Moscow");
- `sentence`: a place phrase elsewhere in the sentence ("In Tavush, Azerbaijani forces fired");
- `dateline`: the article's dateline ("KABUL, March 3 (Wire) -");
- `target`: for acts done on a country's territory (attacks, coercion, protests, visits), the
  target's country, else, for protests and repression at home, the actor's.

Names are resolved in the gazetteer (detente.geo.gazetteer) with the countries the actor tables
give them, then the sentence's, then the document's: "Punjab" in an article about Pakistan is
Pakistan's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from detente.actors.recognize import DocumentActors
from detente.geo.gazetteer import Place, capital_place, country_place, resolve
from detente.models import Document, Event, Location
from detente.nlp import entity_at

PREPS = {"in", "at", "near", "outside", "inside", "off", "into", "across", "along", "around", "on", "over",
         "through", "throughout", "within", "to", "towards", "toward", "from", "onto", "upon", "beyond", "by", "of"}
# Prepositions that place an event by themselves; "to", "on", "from", "of" and "by" only with a
# place-like word ("to Moscow" is a place, "to Russia's demands" is not).
STRONG = {"in", "at", "near", "outside", "inside", "off", "into", "across", "along", "around", "over", "through",
          "throughout", "within", "onto", "beyond"}
# Nouns a place phrase is built on: "the town of Gjilan", "the Kharkiv region", "off the coast of Yemen".
PLACE_NOUNS = {
    "town", "city", "village", "capital", "region", "province", "district", "state", "county", "area", "territory",
    "border", "frontier", "coast", "waters", "sea", "port", "harbour", "harbor", "island", "islands", "valley",
    "outskirts", "suburb", "neighbourhood", "neighborhood", "camp", "base", "airport", "airbase", "strait", "gulf",
    "enclave", "zone", "corridor", "crossing", "checkpoint", "highway", "road", "hills", "heights", "mountains",
    "countryside", "oblast", "governorate", "prefecture", "municipality", "settlement", "market", "square",
    "street", "hospital", "mosque", "church", "school", "university", "prison",
    "side", "part", "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "centre",
    "center", "heart", "regency", "department", "parish", "commune", "township", "division", "agency", "emirate",
    "canton", "raion", "tehsil", "woreda", "locality",
}
# Deps a place name can hang from on a place noun, and the phrase walk does not leave a clause by.
INSIDE = {"compound", "amod", "poss", "appos", "prep", "pobj", "nmod", "conj", "cc", "det", "npadvmod", "nummod",
          "case", "punct"}
CLAUSES = {"relcl", "ccomp", "csubj", "advcl", "acl", "parataxis", "xcomp", "conj", "mark", "aux", "auxpass"}
FOCUS_TYPES = {"ASSAULT", "COERCE", "MOBILIZE"}
MOTION_LEMMAS = {"visit", "tour", "arrive", "travel", "fly", "land", "enter", "invade", "reach", "host"}
TERRITORIAL = {"ASSAULT", "COERCE", "PROTEST"}
LOCATIVE_HEADS = {"in", "at", "during", "on"}
TRIP_NOUNS = {"visit", "trip", "tour", "journey", "mission"}
# Said, announced, told: "officials in Skopje said" places what those officials' side did.
SPEECH = {"say", "tell", "announce", "state", "add", "report", "declare", "confirm"}
VERBAL = {"verbal_cooperation", "verbal_conflict"}
# A verbal event's "to" and "on" name whom it addresses or what about ("appealed to Australia",
# "called on Kinshasa", "talks on Abkhazia"), never where.
VERBAL_PREPS = STRONG - {"into", "onto", "across", "through", "throughout", "beyond"}
HOME_TYPES = {"PROTEST", "COERCE"}
ENTITY_LABELS = {"GPE", "LOC", "FAC"}
DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\- ]{2,40}?)(?:\s*,\s*[A-Z][A-Za-z .'\-]{1,30}?)?"
                      r"(?:\s*,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*(?:\([^)]{1,40}\))?\s*(?:[-\u2013\u2014:]+)\s")
SPECIFIC = {"city", "facility", "region", "border", "sea"}


class EventLocator:
    """The locations of one parsed document's events."""

    def __init__(self, parsed: Doc, doc: Document, actors: DocumentActors) -> None:
        self.parsed = parsed
        self.doc = doc
        self.actors = actors
        counts: Counter[str] = Counter()
        for m in {id(m): m for m in actors.token_mention.values()}.values():
            e = m.entries[0]
            if e.kind in ("state", "place") and e.country:
                counts[e.country] += 1
        self.doc_countries = tuple(c for c, _ in counts.most_common())
        self._dateline: Location | None | bool = False

    # -- rules --------------------------------------------------------------------------

    def locate(self, trigger: Token, event: Event) -> Location | None:
        """The event's location, or None when nothing places it."""
        sent = trigger.sent
        hints = self._hints(sent, event)
        found = self._event_phrase(trigger, event, hints)
        if found is not None:
            return found
        found = self._sentence_phrase(sent, trigger, event, hints)
        if found is not None:
            return found
        dateline = self.dateline()
        if dateline is not None:
            return dateline
        return self._target(event)

    def _hints(self, sent: Span, event: Event) -> tuple[str, ...]:
        mentioned: list[str] = []
        for a in event.recipient + event.actor:
            if a.country and a.country not in mentioned:
                mentioned.append(a.country)
        for i in range(sent.start, sent.end):  # by index: no Token objects for the words without a mention
            m = self.actors.token_mention.get(i)
            if m is not None and m.entries[0].country and m.entries[0].kind in ("state", "place") \
                    and m.entries[0].country not in mentioned:
                mentioned.append(m.entries[0].country)
        return tuple(mentioned) + tuple(c for c in self.doc_countries if c not in mentioned)

    def _event_phrase(self, trigger: Token, event: Event, hints: tuple[str, ...]) -> Location | None:
        verbal = event.quad_class in VERBAL
        # A statement's place is where it was made ("met in Geneva"), not the places it is about
        # ("voiced concern about the use of force in Hong Kong"): only the predicate's own phrases.
        scope = self._scope(trigger, shallow=verbal)
        ids = {t.i for t in scope}
        if event.event_type in FOCUS_TYPES | TERRITORIAL or trigger.lemma_.lower() in MOTION_LEMMAS \
                or event.mode == "visit":
            for tok in scope:
                if tok.dep_ in ("dobj", "nsubjpass") and tok.head.i in ids:
                    place = self._noun_place(tok, hints, bare=True) or self._modifier_place(tok, hints)
                    if place is not None and (place[1].feature != "country" or event.event_type != "MOBILIZE"):
                        return self._location(place, "event", tok)
        best = None
        for tok in scope:
            if tok.dep_ == "prep" and tok.lower_ in (VERBAL_PREPS if verbal else PREPS):
                for pobj in (c for c in tok.children if c.dep_ == "pobj"):
                    place = self._phrase_place(tok, pobj, hints)
                    if place is not None and (best is None or _better(place[1], best[0][1])):
                        best = (place, tok)
        return self._location(best[0], "event", best[1]) if best else None

    def _sentence_phrase(self, sent: Span, trigger: Token, event: Event, hints: tuple[str, ...]) -> Location | None:
        verbal = event.quad_class in VERBAL
        best = None
        for tok in sorted(sent, key=lambda t: abs(t.i - trigger.i)):
            if tok.dep_ != "prep" or tok.lower_ not in STRONG:
                continue
            if verbal and not self._attribution(tok):
                continue
            for pobj in (c for c in tok.children if c.dep_ == "pobj"):
                place = self._phrase_place(tok, pobj, hints)
                if place is not None and (best is None or _better(place[1], best[0][1])):
                    best = (place, tok)
        return self._location(best[0], "sentence", best[1]) if best else None

    @staticmethod
    def _attribution(prep: Token) -> bool:
        """A phrase placing who says something: "officials in Monrovia said", "told reporters in Jakarta"."""
        head = prep.head
        if head.lemma_.lower() in SPEECH:
            return True
        return head.dep_ in ("nsubj", "dobj") and head.head.lemma_.lower() in SPEECH

    def dateline(self) -> Location | None:
        """The place of the article's dateline ("KABUL, March 3 (Wire) -"), once per document."""
        if self._dateline is False:
            self._dateline = None
            m = DATELINE.match(self.doc.text[:120])
            if m:
                name = m.group(1).strip().title()
                place = resolve(name, self.doc_countries)
                if place is not None:
                    self._dateline = _as_location(place, m.group(1).strip(), "dateline")
        return self._dateline  # type: ignore[return-value]

    def _target(self, event: Event) -> Location | None:
        homes = {a.country for a in event.actor}
        targets = {r.country for r in event.recipient}
        if len(homes) == 1 and homes == targets and None not in homes:
            # A state acting on its own people (courts, police, pardons, charges) acts at home.
            place = country_place(next(iter(homes)))  # type: ignore[arg-type]
            if place is not None:
                return _as_location(place, event.recipient[0].text, "target")
        if event.event_type not in TERRITORIAL and event.mode != "visit":
            return None
        for r in event.recipient:
            if r.country and (place := country_place(r.country)) is not None:
                return _as_location(place, r.text, "target")
        if event.event_type in HOME_TYPES and len(homes) == 1 and None not in homes:
            place = country_place(next(iter(homes)))  # type: ignore[arg-type]
            if place is not None:
                return _as_location(place, event.actor[0].text, "target")
        return None

    # -- phrases ------------------------------------------------------------------------

    def _scope(self, trigger: Token, shallow: bool = False) -> list[Token]:
        """The predicate and its arguments, without the clauses below it.

        `shallow` (statements, meetings): the predicate's own phrases, its subject's and those its
        objects are placed by ("met the junta leader in Naypyitaw"), not the places its topic is
        about ("voiced concern about the use of force in Hong Kong").
        """
        heads = {trigger.i}
        out, stack = [], [trigger]
        if trigger.dep_ == "advcl" and trigger.tag_ == "VBG" and trigger.head.pos_ == "VERB":
            stack.append(trigger.head)  # "struck Kharkiv, killing seven": where the strike was
            heads.add(trigger.head.i)
        verb = trigger
        for _ in range(3):  # "gathered in Dushanbe for a meeting", "launched an offensive"
            if verb.pos_ in ("VERB", "AUX") or verb.head.i == verb.i or verb.dep_ not in ("pobj", "prep", "dobj",
                                                                                           "nsubj", "nsubjpass"):
                break
            verb = verb.head
        if verb is not trigger and verb.pos_ in ("VERB", "AUX"):
            stack.append(verb)
            heads.add(verb.i)
        seen = set()
        while stack:
            tok = stack.pop()
            if tok.i in seen:
                continue
            seen.add(tok.i)
            out.append(tok)
            children = [c for c in tok.children if c.dep_ not in CLAUSES or c.i == trigger.i or c.dep_ == "xcomp"]
            if shallow and tok.i not in heads:
                if tok.dep_ == "prep":
                    pass  # its object
                elif tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_HEADS:
                    # "at a working lunch in Rome", "during a visit to Ramallah"
                    children = [c for c in children if c.dep_ == "prep" and (
                        c.lower_ in ("in", "at") or c.lower_ == "to" and tok.lemma_.lower() in TRIP_NOUNS)]
                elif tok.dep_ in ("dobj", "nsubj", "nsubjpass", "xcomp"):
                    # "met Hariri in Washington", "police in Karachi", "refused to attend talks in Geneva"
                    children = [c for c in children if c.dep_ == "prep" and c.lower_ in ("in", "at")
                                or tok.dep_ == "xcomp"]
                else:
                    continue
            stack += children
        return out

    def _phrase_place(self, prep: Token, pobj: Token, hints: tuple[str, ...]) -> tuple[str, Place] | None:
        """The place a prepositional phrase names, if it names one."""
        if prep.lower_ in ("of", "by"):
            return None  # "the people of Iran", "attacked by Russia"
        m = self.actors.token_mention.get(pobj.i)
        if m is not None and m.entries[0].form == "metonym" and m.entries[0].country \
                and prep.lower_ in ("at", "in", "inside", "outside"):
            # "met Putin at the Kremlin": the seat of government, in the capital
            capital = capital_place(m.entries[0].country)
            return (self.parsed[m.start:m.end].text, capital) if capital is not None else None
        place = self._noun_place(pobj, hints, bare=prep.lower_ in STRONG or prep.lower_ == "to")
        if place is not None and prep.lower_ in ("on", "from") and place[1].feature == "country" \
                and pobj.lemma_.lower() not in PLACE_NOUNS:
            return None  # "sanctions on Russia", "an envoy from Moscow"
        return place

    def _noun_place(self, noun: Token, hints: tuple[str, ...], bare: bool) -> tuple[str, Place] | None:
        """The place a noun names ("Kabul"), or a place noun is built on ("the town of Gjilan")."""
        place = self._name_place(noun, hints, bare=bare)
        if place is not None:
            return place
        lemma = noun.lemma_.lower()
        if lemma not in PLACE_NOUNS:
            return None
        if lemma == "capital":  # "in the Turkish capital", "in Afghanistan's capital"
            for tok in noun.children:
                m = self.actors.token_mention.get(tok.i)
                if tok.dep_ in ("amod", "poss", "compound") and m is not None and m.entries[0].kind == "state" \
                        and (capital := capital_place(m.entries[0].country or "")) is not None:
                    return self.parsed[noun.left_edge.i:noun.i + 1].text, capital
        # "the town of Gjilan", "the Kharkiv region", "off the coast of Yemen", "border with Iran"
        found = None
        for tok in self._inside(noun):
            place = self._name_place(tok, hints, bare=True, framed=True)
            if place is not None and (found is None or _better(place[1], found[1])):
                found = place
        if found is not None and lemma in ("border", "frontier") and found[1].feature == "country":
            return found[0], Place(found[1].name, found[1].country, None, found[1].lat, found[1].lon, "border")
        if found is not None and lemma in ("coast", "waters") and found[1].feature == "country":
            return found[0], Place(found[1].name, found[1].country, None, found[1].lat, found[1].lon, "sea")
        return found

    def _modifier_place(self, noun: Token, hints: tuple[str, ...]) -> tuple[str, Place] | None:
        """A place naming what was hit or raided: "the Managua offices", "Kabul's airport"."""
        for tok in noun.children:
            if tok.dep_ in ("compound", "poss", "nmod"):
                place = self._name_place(tok, hints, bare=False)
                if place is not None and place[1].feature != "country":
                    return place
        return None

    def _inside(self, head: Token) -> Iterable[Token]:
        stack = [c for c in head.children if c.dep_ in INSIDE]
        while stack:
            tok = stack.pop(0)
            yield tok
            stack += [c for c in tok.children if c.dep_ in INSIDE]

    def _name_place(self, tok: Token, hints: tuple[str, ...], bare: bool, framed: bool = False
                    ) -> tuple[str, Place] | None:
        """The place a token names: an actor-table place or state, or a gazetteer name.

        `bare`: a gazetteer name alone may do; `framed`: inside a place noun ("the town of"), where
        a nationality ("the Armenian town") and small towns count.
        """
        m = self.actors.token_mention.get(tok.i)
        if m is not None:
            e = m.entries[0]
            text = self.parsed[m.start:m.end].text
            if e.kind not in ("state", "place"):
                return None
            if e.form == "adjective":
                if not framed or not e.country:
                    return None
                place = country_place(e.country)
                return (text, place) if place else None
            if e.form == "metonym":
                return None  # "the Kremlin said": an institution, not where
            if e.kind == "state" and e.form in ("name", "alias") and e.country:
                # "in Kosovo" is the country, not Kosovo Polje; "the Gaza Strip" is the strip.
                place = resolve(text, (e.country,))
                if place is None or place.country != e.country or not (place.curated or place.primary) \
                        or place.feature == "city":
                    place = country_place(e.country)
                return (text, place) if place is not None else None
            own = (e.country,) if e.country else ()
            place = resolve(text, own + hints)
            if place is not None and e.country and place.country != e.country:
                place = country_place(e.country) if e.kind == "state" else None
            if place is None and e.country:
                place = country_place(e.country)
            return (text, place) if place is not None else None
        if not bare or tok.pos_ != "PROPN":
            return None
        span = self._proper_span(tok)
        if span is None:
            return None
        owner = next((self._name_place(c, hints, bare=False) for c in tok.children if c.dep_ == "poss"), None)
        if owner is not None:  # "Mosul's Old City" is in Mosul's country
            hints = (owner[1].country or "",) + hints
        place = resolve(span.text, hints, towns=True)
        if owner is not None and (place is None or place.country != owner[1].country):
            return owner
        if place is not None and not place.primary and place.country not in hints[:4]:
            return None  # "Boni" is an old name of Bonn, but the text is about Mali
        if place is not None and place.feature == "country":
            return None  # country names are in the actor tables; a gazetteer alias alone is too weak
        if place is not None and place.country not in hints[:4] and place.feature not in ("sea", "border") \
                and tok.ent_type_ not in ENTITY_LABELS and not framed:
            return None  # a name that does not read as a place, in no country the text is about
        return (span.text, place) if place is not None else None

    def _proper_span(self, tok: Token) -> Span | None:
        ent = entity_at(self.parsed, tok.i)
        if ent is not None and ent.label_ in ENTITY_LABELS | {"ORG", "PERSON", "NORP"}:
            start, end = ent.start, ent.end
        else:
            start = end = tok.i
            while start > tok.sent.start and self.parsed[start - 1].pos_ == "PROPN" \
                    and self.parsed[start - 1].dep_ == "compound":
                start -= 1
            end = tok.i + 1
        while start < end and self.parsed[start].lower_ == "the":
            start += 1
        return self.parsed[start:end] if start < end else None

    def _location(self, found: tuple[str, Place], precision: str, prep: Token) -> Location:
        """A location from a phrase: `prep` heads the words that name it ("near the Line of Control")."""
        text, place = found
        phrase = self.parsed[prep.left_edge.i:prep.right_edge.i + 1].text
        return _as_location(place, phrase if len(phrase) <= 80 else text, precision)


def _better(a: Place, b: Place) -> bool:
    """A city or region says more than a country."""
    return a.feature in SPECIFIC and b.feature not in SPECIFIC


def _as_location(place: Place, text: str, precision: str) -> Location:
    return Location(text=text, name=place.name, country=place.country, admin1=place.admin1, lat=round(place.lat, 5),
                    lon=round(place.lon, 5), feature=place.feature, precision=precision,
                    geonames_id=place.geonames_id)
