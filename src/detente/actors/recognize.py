"""Find actor mentions in parsed text and code noun phrases as actors.

A mention is a span that names an actor (country, demonym, capital, metonym, IGO, group,
office holder). A noun phrase is coded from the mentions and role words in its modifiers:
"Russian Deputy Foreign Minister Sergei Ryabkov" -> RUS + GOV, named "Sergei Ryabkov".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from detente.actors.tables import (
    ActorEntry,
    country_entries,
    divided_countries,
    group_entries,
    halves,
    igo_entries,
    leader_entries,
    place_entries,
    sector_words,
    surnames,
)
from detente.lexicon import cue_words
from detente.models import Actor
from detente.nlp import entities_in, entity_at


def non_agents() -> frozenset[str]:
    """Nouns that a country can own but that do not act: "Kenya's rainy season"."""
    return cue_words().get("nonagent", frozenset()) | cue_words().get("nonactor", frozenset())

# Role words that name an office in the leaders table: "the Pakistani prime minister" is
# coded by who held that office on the event's date.
OFFICES: dict[str, str] = {
    "prime minister": "head_of_government", "premier": "head_of_government",
    "chancellor": "head_of_government", "president": "head_of_state", "king": "head_of_state",
    "emir": "head_of_state", "supreme leader": "head_of_state",
    "foreign minister": "foreign_minister", "foreign secretary": "foreign_minister",
    "external affairs minister": "foreign_minister", "secretary of state": "foreign_minister",
    "defence minister": "defence_minister", "defense minister": "defence_minister",
    "defense secretary": "defence_minister", "defence secretary": "defence_minister",
    "secretary-general": "secretary_general", "secretary general": "secretary_general",
}
# Modifiers that attach an actor to a noun phrase.
MODIFIER_DEPS = {"amod", "compound", "poss", "nmod", "npadvmod", "nummod"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}
# Armed non-state sectors: with no place named, those of the state fighting them.
ARMED_SECTORS = {"REB", "INS"}
# "Chinese-born", "Iranian-born": where someone was born, not whose national they are.
BIRTH_WORDS = {"born", "origin"}
# Metonyms that other countries' institutions share: placed by the sentence when it names another.
SHARED_INSTITUTIONS = {"congress"}
OF_HEADS = {"people", "citizen", "resident", "member", "leader", "head", "chief", "representative", "delegation",
            "thousand", "hundred", "dozen", "group", "team", "unit", "contingent", "ten", "tens", "million", "score",
            "crowd", "band", "column", "convoy", "panel", "commission", "board", "mission", "body"}
LOCATIVE = {"in", "across", "of", "to", "into", "through", "near", "outside", "at", "around", "along", "inside"}
GROUP_SIZES = {"two": 2, "three": 3, "four": 4, "five": 5, "both": 2}
IGO_ANAPHORS = {"bloc", "alliance", "organisation", "organization", "grouping", "body", "union", "agency", "fund",
                "bank", "court", "council", "mission"}
ORGANISATION_NOUNS = {"movement", "group", "party", "organisation", "organization", "militia", "coalition", "alliance",
                      "front", "faction", "network"}
TITLE_NOUNS = {"figure", "leader", "official", "envoy", "spokesman", "spokeswoman", "spokesperson", "chief", "head"}
FACILITIES = {"base", "embassy", "consulate", "mission", "camp", "compound", "headquarters", "outpost", "garrison"}
# "the two sides", "the three leaders": head word -> the sector the pair acts as.
RECIPROCAL_HEADS: dict[str, str | None] = {
    "junta": "GOV", "side": None, "country": None, "nation": None, "neighbour": None, "neighbor": None,
    "government": "GOV", "capital": "GOV", "state": None, "party": None, "leader": "GOV", "ally": None,
    "rival": None, "power": None, "partner": None, "adversary": None, "foe": None, "delegation": "GOV",
    "army": "MIL", "military": "MIL",
}
# "the two foreign ministers", "both presidents": the pair's office holders, not those of the place
# they met in; unlike "the two sides" they need the article or "both" ("two ministers resigned").
RECIPROCAL_ROLES = {"minister": "GOV", "president": "GOV", "premier": "GOV", "chancellor": "GOV",
                    "ambassador": "GOV", "envoy": "GOV"}
PAIR_SECTORS = {**RECIPROCAL_ROLES, **RECIPROCAL_HEADS}


@dataclass
class Mention:
    start: int
    end: int
    entries: list[ActorEntry]


def _case_ok(pattern: str, span: Span) -> bool:
    letters = [c for c in pattern if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) <= 6:
        return span.text.replace(" ", "") == pattern.replace(" ", "")
    if pattern[:1].isupper():
        first = span[0].text
        return first[:1].isupper() or first[:1].isdigit()
    return True


class ActorMatcher:
    """Compiled phrase patterns for every table entry; built once per vocabulary."""

    def __init__(self, vocab: Vocab, make_doc, extra: tuple[ActorEntry, ...] = ()) -> None:
        self.by_key: dict[str, list[ActorEntry]] = defaultdict(list)
        entries = country_entries() + igo_entries() + group_entries() + leader_entries() + place_entries() + extra
        for e in entries:
            self.by_key[e.pattern.lower()].append(e)
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        # Tokenize each pattern as written: tokenizer exceptions are case-sensitive ("U.S.").
        for key in sorted(self.by_key):
            forms = sorted({e.pattern for e in self.by_key[key]} | {key})
            self.matcher.add(key, [make_doc(f) for f in forms])
        sectors = sector_words()
        self.sector_single = {k: v for k, v in sectors.items() if " " not in k}
        self.sector_multi = PhraseMatcher(vocab, attr="LOWER")
        for phrase, sector in sectors.items():
            if " " in phrase:
                self.sector_multi.add(sector, [make_doc(phrase), make_doc(phrase + "s")])
        self.offices = PhraseMatcher(vocab, attr="LOWER")
        for phrase, office in OFFICES.items():
            self.offices.add(office, [make_doc(phrase), make_doc(phrase + "s")])

    def mentions(self, doc: Doc) -> list[Mention]:
        spans = []
        # "Nancy Pelosi", "Fernando Villavicencio", "Hassan Rashad": a city or country inside a
        # longer person's name is part of the name.
        in_person = {(ent.start, ent.end) for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1}
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            span = doc[start:end]
            entries = [e for e in self.by_key[key] if _case_ok(e.pattern, span)]
            if any(s <= start and end <= e and end - start < e - s for s, e in in_person):
                entries = [e for e in entries if e.kind != "place"]
            if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in BIRTH_WORDS:
                entries = [e for e in entries if e.form != "adjective"]  # "the Chinese-born writer": origin
            if entries:
                spans.append(Span(doc, start, end, label=match_id))
        out = []
        for span in filter_spans(spans):
            key = doc.vocab.strings[span.label]
            out.append(Mention(span.start, span.end, [e for e in self.by_key[key] if _case_ok(e.pattern, span)]))
        return out

    def multiword_roles(self, doc: Doc) -> tuple[dict[int, str], dict[int, str]]:
        """token index -> sector, token index -> office, for multiword role phrases."""
        sectors: dict[int, str] = {}
        for match_id, start, end in self.sector_multi(doc):
            for i in range(start, end):
                sectors[i] = doc.vocab.strings[match_id]
        offices: dict[int, str] = {}
        for match_id, start, end in self.offices(doc):
            for i in range(start, end):
                offices[i] = doc.vocab.strings[match_id]
        return sectors, offices


def acl_agents(noun: Token) -> list[Token]:
    """Who a participle on a noun names as its doer: "drones operated by Mali's army"."""
    return [g for c in noun.children if c.dep_ == "acl" for a in c.children if a.dep_ == "agent"
            for g in a.children if g.dep_ == "pobj"]


def _pick(entries: list[ActorEntry], day: dt.date | None) -> ActorEntry:
    valid = [e for e in entries if e.valid_on(day)]
    pool = valid or entries
    # Prefer the most specific kind: people and groups over states, and names over adjectives.
    rank = {"person": 0, "group": 1, "igo": 2, "state": 3, "place": 4}
    return sorted(pool, key=lambda e: (rank.get(e.kind, 9), e.form != "name"))[0]


FOREIGN_WORDS = {"foreign", "overseas", "international", "multinational", "expatriate"}


@dataclass
class DocumentActors:
    """Actor coding for one parsed document, with memory of people and recent actors."""

    doc: Doc
    matcher: ActorMatcher
    day: dt.date | None = None
    token_mention: dict[int, Mention] = field(default_factory=dict)
    people: dict[str, Actor] = field(default_factory=dict)
    recent: list[Actor] = field(default_factory=list)

    def __post_init__(self) -> None:
        for m in self.matcher.mentions(self.doc):
            for i in range(m.start, m.end):
                self.token_mention[i] = m
        self.multi_sector, self.multi_office = self.matcher.multiword_roles(self.doc)
        # The country an article is mostly about: the fallback home of unplaced role words.
        counts = Counter(e.country for m in {id(m): m for m in self.token_mention.values()}.values()
                         for e in m.entries[:1] if e.kind in ("state", "place") and e.country)
        self.named = set(counts)
        top = counts.most_common(2)
        self.home = top[0][0] if top and top[0][1] >= 2 and (len(top) == 1 or top[0][1] > top[1][1]) else None

    def prefer_home(self, country: str | None) -> None:
        """A wire story's dateline ("MOSCOW (Reuters) -") says whose officials "the foreign
        ministry" and "the government" are, when the story names that country."""
        if country and country in self.named:
            self.home = country

    # -- noun phrases -------------------------------------------------------------------

    def modifiers(self, head: Token) -> list[Token]:
        """Tokens that modify `head` and can carry actor evidence, nearest first."""
        out: list[Token] = []
        stack = [c for c in head.children if c.dep_ in MODIFIER_DEPS | {"appos"}]
        # "the army of Pakistan", "troops from Chad", "negotiators for the government": only role
        # words take their country from an of-phrase.
        if self.sector_of(head) is not None or head.lemma_.lower() in OF_HEADS:
            # "for" only when nothing else names the side: "Russia's envoy for Afghanistan" is Russian.
            owned = any(c.i in self.token_mention for c in head.children if c.dep_ in MODIFIER_DEPS)
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ in (("of", "from") if owned else ("of", "from", "for")):
                    stack += [g for g in child.children if g.dep_ == "pobj"]
        while stack:
            tok = stack.pop(0)
            out.append(tok)
            stack += [c for c in tok.children if c.dep_ in MODIFIER_DEPS | {"conj", "appos"}]
            if tok.dep_ == "pobj" or tok.dep_ == "appos":
                stack += [c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("of", "from")]
                stack += [g for c in tok.children if c.dep_ == "prep" and c.lower_ in ("of", "from")
                          for g in c.children if g.dep_ == "pobj"]
        return out

    def appositive_sector(self, head: Token) -> str | None:
        """The sector an organisation's appositive names: "..., an exiled opposition movement"."""
        for ap in (c for c in head.children if c.dep_ == "appos" and c.lemma_.lower() in ORGANISATION_NOUNS):
            for t in (ap, *(m for m in ap.children if m.dep_ in ("amod", "compound"))):
                if role := self.sector_of(t):
                    return role
        return None

    def sector_of(self, tok: Token) -> str | None:
        if tok.i in self.multi_sector:
            return self.multi_sector[tok.i]
        if tok.pos_ == "ADJ" and tok.lower_ == "general":
            return None  # "a general strike", "the general election": no army general
        single = self.matcher.sector_single
        found = single.get(tok.lemma_.lower()) or single.get(tok.lower_)
        if found is None and tok.tag_ in ("NNS", "NNPS") and tok.lower_.endswith("s"):
            found = single.get(tok.lower_[:-1])  # "Pensioners" opening a sentence, tagged as a name
        return found

    def _mention_actor(self, m: Mention, text: str, sector: str | None) -> Actor:
        e = _pick(m.entries, self.day)
        if e.kind == "person":
            in_office = any(x.valid_on(self.day) for x in m.entries if x.name == e.name)
            sec = sector or ("GOV" if in_office else None)
            return Actor(text=text, code=(e.code + (sec or "")) if e.country else e.code,
                         country=e.country, sector=sec, name=e.name, kind="person")
        if e.kind == "state":
            sec = e.sector if e.form in ("capital", "metonym") else None
            sec = sector or sec
            return Actor(text=text, code=e.code + (sec or ""), country=e.country, sector=sec,
                         name=e.name, kind="state")
        sec = e.sector or sector if e.kind == "group" else (sector or e.sector)
        return Actor(text=text, code=e.code, country=e.country, sector=sec, name=e.name, kind=e.kind)

    def phrase_text(self, head: Token) -> str:
        left = head.left_edge.i
        right = head.i
        for tok in head.subtree:
            if tok.i > head.i and (tok.dep_ in ("compound", "flat") or tok.ent_iob_ == "I"):
                right = max(right, tok.i)
        while left < head.i and self.doc[left].dep_ in ("det", "punct", "cc", "predet"):
            left += 1
        return self.doc[left : right + 1].text

    def resolve(self, head: Token, as_actor: bool = False) -> list[Actor]:
        """Code the noun phrase headed by `head` as zero or more actors.

        As an actor, a phrase must name an agent ("Kenya's army", not "Kenya's rainy season");
        as a recipient, a country modifier is enough ("shelled Armenian positions").
        """
        if (split := self._halves(head)) is not None:
            return split
        if head.lower_ in PERSON_PRONOUNS:
            for actor in reversed(self.recent):
                if actor.kind == "person":
                    return [actor.model_copy(update={"text": head.text})]
            return []
        head_mention = self.token_mention.get(head.i)
        mods = self.modifiers(head)
        # A role word inside a name is not a role: "Soviet Union", "African Union".
        sector = self.sector_of(head) if head_mention is None else None
        if head_mention is not None:
            mods = [t for t in mods if not head_mention.start <= t.i < head_mention.end]
        office = self.multi_office.get(head.i)
        if office is None:
            office = next((self.multi_office[t.i] for t in mods if t.i in self.multi_office), None)
        if sector is None:
            sector = next((s for t in mods if t.dep_ in ("compound", "amod") and (s := self.sector_of(t))), None)
        if sector is None and head_mention is not None and head.tag_ in ("NNS", "NNPS") and \
                _pick(head_mention.entries, self.day).form == "adjective":
            sector = "CVL"  # "Young Kenyans stormed parliament": people of a nationality
        if sector is None and head_mention is None and head.lemma_.lower() in OF_HEADS:
            sector = self._of_sector(head)  # "thousands of Kenyan protesters" -> CVL
        text = self.phrase_text(head)
        if head_mention is not None:
            e = _pick(head_mention.entries, self.day)
            if e.kind == "place" and head_mention.end - head_mention.start == 1 and head.text in self.people:
                # "Obama praised Santos" after "Colombian President Juan Manuel Santos": the person
                # the text named in full, not the city.
                return [self.people[head.text].model_copy(update={"text": head.text})]
            if e.kind == "place":
                # A city or region is where something happens, or what is hit: never an actor.
                if as_actor:
                    return []
                return [Actor(text=text, code=e.country or e.code, country=e.country, sector=None, name=e.name,
                              kind="place")]
            if e.kind == "state" and e.form in ("metonym", "capital"):
                # "Pakistan's Foreign Office": the owner decides the country, the metonym the sector.
                owner = next((self.token_mention[t.i] for t in mods if t.dep_ in ("poss", "amod", "compound")
                              and t.i in self.token_mention), None)
                if owner is not None:
                    o = _pick(owner.entries, self.day)
                    if o.kind == "state" and o.country and o.country != e.country:
                        sec = e.sector or "GOV"
                        return [Actor(text=text, code=o.country + sec, country=o.country, sector=sec,
                                      name=o.name, kind="state")]
                elif e.pattern.lower() in SHARED_INSTITUTIONS:
                    # Many countries have a Congress: "picketed the Congress building in Lima" is Peru's.
                    here = self.location_country(head)
                    if here and here != e.country:
                        sec = "PTY" if any(t.lower_ == "party" for t in head.doc[head.i:head.i + 2]) else e.sector
                        return [Actor(text=text, code=here + (sec or ""), country=here, sector=sec, name=None,
                                      kind="state")]
            if e.kind == "igo":
                # "Armenia's Security Council": a state's own body that shares an IGO organ's name;
                # "the African Union's Peace and Security Council" is the AU's.
                owner = next((self.token_mention[t.i] for t in mods if t.dep_ == "poss" and t.i in self.token_mention), None)
                o = _pick(owner.entries, self.day) if owner is not None else None
                if o is not None and o.kind == "igo" and o.code != e.code:
                    return [Actor(text=text, code=o.code, country=None, sector=None, name=o.name, kind="igo")]
                if o is not None and o.kind == "state" and o.country:
                    return [Actor(text=text, code=o.country + "GOV", country=o.country, sector="GOV", name=o.name,
                                  kind="state")]
            if e.kind in ("igo", "group") or (e.kind == "person" and (e.country or e.code.startswith("IGO"))):
                found_actor = self._mention_actor(head_mention, text, None if e.kind != "person" else sector)
                if e.kind == "person" and head_mention.end - head_mention.start > 1:
                    # "Raul Castro" named in full: "Castro" alone is him later in the document.
                    for short in surnames(self.doc[head_mention.start:head_mention.end].text, e.country):
                        self.people.setdefault(short, found_actor)
                return [found_actor]
            if e.kind == "state" and e.form != "adjective":
                return [self._mention_actor(head_mention, text, sector if e.form in ("name", "alias") else None)]
        # Countries named in the modifiers ("Pakistani troops", "India's foreign ministry").
        if as_actor and head_mention is None and sector is None and head.lemma_.lower() in non_agents():
            return []
        found: list[Mention] = []
        for tok in ([head] if head_mention else []) + mods:
            m = self.token_mention.get(tok.i)
            if m is not None and m not in found:
                found.append(m)
        actors: list[Actor] = []
        person_name = self._person_name(head)
        if head_mention is None and head.pos_ == "PROPN":
            # "President Xi Jinping" where the table matched "President Xi": the name's own mention.
            for tok in mods:
                m = self.token_mention.get(tok.i)
                if m is not None and tok.dep_ == "compound" and _pick(m.entries, self.day).kind == "person":
                    return [self._mention_actor(m, text, sector)]
        # "Somalia's al-Shabaab militants": a named group stands for itself, not beside its home.
        groups = [_pick(m.entries, self.day) for m in found if _pick(m.entries, self.day).kind in ("group", "igo")]
        if groups:
            homes = {g.country for g in groups}
            found = [m for m in found if _pick(m.entries, self.day).kind in ("group", "igo")
                     or _pick(m.entries, self.day).country not in homes | {None}]
        for m in found:
            e = _pick(m.entries, self.day)
            if e.kind == "person":
                continue
            base = self._mention_actor(m, text, None)
            if e.kind == "state" and e.form == "metonym" and e.pattern.lower() in SHARED_INSTITUTIONS:
                here = self.location_country(head)
                if here and here != e.country:
                    base = base.model_copy(update={"code": here + (base.sector or ""), "country": here, "name": None})
            if base.kind in ("igo", "group"):
                actors.append(base.model_copy(update={"sector": base.sector or sector}))
                continue
            sec = sector or base.sector
            name = person_name or (self._office_holder(e.country, office) if office else None) or base.name
            kind = "person" if person_name or (office and name != base.name) else "state"
            actors.append(Actor(text=text, code=(base.country or base.code) + (sec or ""), country=base.country,
                                sector=sec, name=name, kind=kind))
        if not actors and head.lemma_.lower() in RECIPROCAL_HEADS and self._is_reciprocal(head):
            actors = self._pair_as(head, text)
        if not actors and head.lemma_.lower() in RECIPROCAL_ROLES and self._is_reciprocal(head) and \
                any(c.lower_ in ("the", "both", "their") for c in head.children):
            actors = self._pair_as(head, text)
        if not actors and head.lemma_.lower() in IGO_ANAPHORS and any(c.lower_ == "the" for c in head.children):
            actors = [a.model_copy(update={"text": text}) for a in self._last_igo()]
        if not actors and not as_actor and head_mention is None and sector is None:
            # "bombed a camp of ELN guerrillas": what is hit belongs to whoever the of-phrase names.
            for g in (g for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                      for g in c.children if g.dep_ == "pobj"):
                owned = self.resolve(g)
                if any(a.kind in ("group", "igo", "state", "person") for a in owned):
                    actors = owned
                    break
        if not actors and not person_name and head.pos_ in ("NOUN", "PROPN"):
            role = sector or self._of_sector(head)
            # "trade officials of the two countries": both sides' officials, wherever they met.
            pair = next((g for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                         if g.dep_ == "pobj" and g.lemma_.lower() in RECIPROCAL_HEADS and self._is_reciprocal(g)), None)
            if role and pair is not None:
                actors = [a.model_copy(update={"text": text, "sector": role, "code": (a.country or "") + role})
                          for a in self._pair_as(pair, text)]
            if role and not actors and pair is None:
                # "drones operated by Mali's army", "gunmen paid by the cartel": whose they are (a
                # pair the text has not named yet is not the place they met in: no role then).
                owner = next((a.country for g in acl_agents(head) for a in self.resolve(g) if a.country), None)
                # as an actor, "its ambassador" is the owner's; as what is acted on ("pulled its
                # troops out of Chad"), where it is stands for whom the act concerns
                country = owner or (self._pronoun_owner(head) if as_actor else None) or \
                    self._shared_country(head) or (None if self._foreign(head) else
                                                   self.location_country(head, role in ARMED_SECTORS))
                code = (country or "") + role
                actors.append(Actor(text=text, code=code, country=country, sector=role, name=None, kind="role"))
        if not actors and person_name and not self.people.get(person_name):
            # "Mozambique's main opposition figure Venancio Mondlane": a title phrase just before an
            # unknown name (which the parser may not attach) says who the person is.
            ent = entity_at(self.doc, head.i)
            title = self.doc[ent.start - 1] if ent is not None and ent.start > 0 else None
            if title is not None and title.pos_ == "NOUN" and title.i not in self.token_mention and \
                    (self.sector_of(title) or title.lemma_.lower() in TITLE_NOUNS):
                found = [a for a in self.resolve(title, as_actor) if a.country]
                if found:
                    actors = [found[0].model_copy(update={"text": text, "name": person_name, "kind": "person"})]
        if not actors and person_name:
            known = self.people.get(person_name) or self.people.get(person_name.split()[-1])
            if known is not None:
                actors.append(known.model_copy(update={"text": text}))
            elif not as_actor:
                # A named person of unknown nationality: placed later (their country is often the actor's).
                actors.append(Actor(text=text, code="", country=None, sector=None, name=person_name, kind="role"))
        if not actors and head.lemma_.lower() in RECIPROCAL_HEADS and self._is_reciprocal(head):
            actors = self._pair_as(head, text)
        if not actors and as_actor and head.pos_ == "NOUN":
            # "car bombs detonated by al-Shabaab", "shells fired by the RSF": the agent acts.
            actors = [a for g in acl_agents(head) for a in self.resolve(g, True)
                      if a.country or a.kind in ("group", "igo")]
        if person_name and actors and actors[0].country:
            memo = actors[0].model_copy(update={"kind": "person", "name": person_name})
            self.people[person_name] = memo
            for short in surnames(person_name, memo.country):
                self.people[short] = memo
        return actors

    def _foreign(self, head: Token) -> bool:
        """"foreign firms", "overseas investors": of no country the text places them in ("the
        foreign ministry", an office, is the home's)."""
        return head.i not in self.multi_sector and head.i not in self.multi_office and \
            any(c.dep_ == "amod" and c.lower_ in FOREIGN_WORDS for c in head.children)

    def _pronoun_owner(self, head: Token) -> str | None:
        """"Saudi Arabia said its ambassador would return to Beirut": a role owned by "its" or
        "their" is the country of the state subject of an enclosing clause before it (by "his" or
        "her", also of the leader subject), not of the place the sentence names."""
        poss = next((c.lower_ for c in head.children if c.dep_ == "poss" and c.lower_ in ("its", "their", "his", "her")),
                    None)
        if poss is None:
            return None
        # "Kiir said he had ordered his troops to withdraw": his, her: of the leader named
        return self._subject_country(head, ("state", "person") if poss in ("his", "her") else ("state",))

    def _subject_country(self, head: Token, kinds: tuple[str, ...], deps: tuple[str, ...] = ("nsubj", "nsubjpass"),
                         clauses: int | None = None) -> str | None:
        """The country of the first named subject (an entry of one of `kinds`) of the clauses
        enclosing `head`, before it: of all of them, or of the first `clauses`. None at a
        coordinated subject ("Australia and Indonesia ... their forces": whose is not said)."""
        for n, anc in enumerate(a for a in head.ancestors if a.pos_ in ("VERB", "AUX")):
            if clauses is not None and n >= clauses:
                break
            for subj in (c for c in anc.children if c.dep_ in deps and c.i < head.i):
                if any(c.dep_ == "conj" for c in subj.children):
                    return None
                m = self.token_mention.get(subj.i)
                e = _pick(m.entries, self.day) if m is not None else None
                if e is not None and e.kind in kinds and e.country:
                    return e.country
        return None

    def _halves(self, head: Token) -> list[Actor] | None:
        """A divided country's halves: "the North" and "the South" in a text naming both Koreas,
        "the two Koreas" (both), "North and South Korea" (both); None for anything else."""
        table, wholes = halves(), divided_countries()
        # most phrases are none of these: a cheap test first, on the resolver's hot path
        if head.text not in table and head.text not in wholes and head.text[:-1] not in wholes:
            return None

        def state(country: str) -> Actor:
            return Actor(text=self.phrase_text(head), code=country, country=country, sector=None,
                         name=None, kind="state")

        if head.text in table and head.dep_ not in ("compound", "nmod", "amod") and \
                any(c.lower_ == "the" for c in head.children):
            country, whole = table[head.text]
            return [state(country)] if set(wholes[whole]) <= self.named else None
        for whole, countries in wholes.items():
            if head.text == whole + "s":
                return [state(c) for c in countries]
            mention = self.token_mention.get(head.i)
            if head.text == whole and mention is not None and _pick(mention.entries, self.day).country in countries:
                # "North and South Korea": the first half hangs on the name as a modifier
                split = [t for c in head.children if c.dep_ in ("nmod", "compound") and c.text in table
                         for t in (c, *c.conjuncts) if t.text in table and table[t.text][1] == whole]
                if len(split) >= 2:
                    return [state(table[t.text][0]) for t in split]
        return None

    def _of_sector(self, head: Token) -> str | None:
        """Sector of a quantity phrase: "tens of thousands of people" -> CVL; "thousands of Palestinians" too."""
        tok = head
        for _ in range(3):
            nxt = next((g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                        for g in c.children if g.dep_ == "pobj"), None)
            if nxt is None:
                return None
            if (sector := self.sector_of(nxt)) is not None:
                return sector
            m = self.token_mention.get(nxt.i)
            if m is not None and _pick(m.entries, self.day).form == "adjective" and nxt.tag_ in ("NNS", "NNPS"):
                return "CVL"  # a crowd of a nationality
            tok = nxt
        return None

    def _shared_country(self, head: Token) -> str | None:
        """"Russian tanks and troops": a bare second conjunct shares the first's nationality."""
        if head.dep_ != "conj" or head.head.pos_ not in ("NOUN", "PROPN") or any(
                c.dep_ in ("det", "poss", "amod", "compound") for c in head.children):
            return None
        for mod in (c for c in head.head.children if c.dep_ in ("amod", "compound", "poss")):
            m = self.token_mention.get(mod.i)
            if m is not None and (e := _pick(m.entries, self.day)).kind == "state" and e.country:
                return e.country
        return None

    def location_country(self, head: Token, armed: bool = False) -> str | None:
        """Country of a role-only phrase from where it is: "police in Karachi", else the sentence;
        `armed` (rebels, militants) with no place named: those of the state fighting them ("Colombia
        was fighting terrorists", in a story filed from Washington), before the dateline's."""
        sent = head.sent
        near = [g for c in head.children if c.dep_ == "prep" and c.lower_ in LOCATIVE | {"from"}
                for g in c.subtree]
        # Places the sentence puts things in; a foreign facility is not where it stands ("outside
        # the French military base in Niamey" is in Niger).
        placed = [w for t in sent if t.dep_ == "pobj" and t.head.lower_ in LOCATIVE for w in t.subtree
                  if w.i == t.i or w.dep_ in ("compound", "poss", "amod") and w.head.lemma_.lower() not in FACILITIES]
        own = self.token_mention.get(head.i)
        for tok in near + placed:
            m = self.token_mention.get(tok.i)
            if m is not None and m is not own:
                e = _pick(m.entries, self.day)
                if e.form == "metonym" and e.pattern.lower() in SHARED_INSTITUTIONS:
                    continue  # "outside Congress in Buenos Aires": a name many countries share places nothing
                if e.kind in ("state", "place") and e.country:
                    return e.country
        # armed: only the clause the phrase is in
        return (self._subject_country(head, ("state",), ("nsubj",), clauses=1) if armed else None) or self.home

    def _person_name(self, head: Token) -> str | None:
        if head.ent_type_ == "PERSON":
            ent = entity_at(self.doc, head.i)
            return ent.text if ent is not None else head.text
        return None

    def _office_holder(self, country: str | None, office: str | None) -> str | None:
        if not country or not office:
            return None
        for e in leader_entries():
            if e.country == country and e.role == office and e.valid_on(self.day) and self.day is not None:
                return e.name
        return None

    def _is_reciprocal(self, head: Token) -> bool:
        words = {c.lower_ for c in head.children}
        # "the two sides", "both countries", "their countries" (of a pair just named)
        return bool(words & (set(GROUP_SIZES) | {"both"})) or head.lower_ in ("both",) or \
            head.tag_ in ("NNS", "NNPS") and any(c.dep_ == "poss" and c.lower_ == "their" for c in head.children)

    def _pair_as(self, head: Token, text: str) -> list[Actor]:
        sector = PAIR_SECTORS[head.lemma_.lower()]
        return [a.model_copy(update={"text": text, "sector": sector, "kind": "state", "name": None,
                                     "code": a.country + (sector or "")}) for a in self._last_pair(head)]

    def _last_pair(self, head: Token | None = None) -> list[Actor]:
        """The last N distinct countries mentioned: "the two sides", "the three countries"."""
        size = 2
        if head is not None:
            size = next((GROUP_SIZES[c.lower_] for c in head.children if c.lower_ in GROUP_SIZES), 2)
        seen: list[Actor] = []
        # Countries named earlier in the same sentence come first: "Russia lifted ..., and the two governments".
        earlier: list[Actor] = []
        if head is not None:
            governing = {a.i for a in head.ancestors}
            for tok in head.sent:
                if tok.i >= head.i:
                    break
                m = self.token_mention.get(tok.i)
                if m is not None and tok.i == m.start:
                    # "the United States urged both countries": who addresses the pair is not in it.
                    addresses = head.dep_ not in ("nsubj", "nsubjpass") and any(
                        t.dep_ in ("nsubj", "nsubjpass") and t.head.i in governing for t in head.doc[m.start:m.end])
                    e = _pick(m.entries, self.day)
                    if e.kind == "state" and e.country and e.form not in ("metonym", "capital") and not addresses:
                        earlier.append(Actor(text=tok.text, code=e.country, country=e.country, sector=None,
                                             name=e.name, kind="state"))
        if head is not None:
            # "Russia, China and Pakistan held talks on Afghanistan, and the three countries ...": a
            # coordination of exactly N countries before the phrase is the group it names.
            for tok in reversed([t for t in head.sent if t.i < head.i and t.dep_ != "conj"]):
                group = [a for t in [tok, *tok.conjuncts] if t.i < head.i for a in self._state_at(t, people=True)]
                if len({a.country for a in group}) == size == len(group):
                    return group
        # "the two leaders": the last leaders named, not the places their talks were held in
        kinds = [("person",), ("state", "person")] if head is not None and head.lemma_.lower() == "leader" \
            else [("state", "person")]
        for allowed in kinds:
            seen = []
            for actor in reversed(self.recent + earlier):
                key = actor.country or actor.code
                if actor.kind in allowed and actor.country and all((a.country or a.code) != key for a in seen):
                    seen.append(actor)
                if len(seen) == size:
                    return list(reversed(seen))
        return []

    def _state_at(self, tok: Token, people: bool = False) -> list[Actor]:
        """The state a token names; with `people`, also the state of a leader it names ("Obama and
        Castro announced that their countries would ...")."""
        m = self.token_mention.get(tok.i)
        if m is None:
            return []
        e = _pick(m.entries, self.day)
        if not e.country or not (e.kind == "state" and e.form not in ("metonym", "capital", "adjective")
                                 or people and e.kind == "person"):
            return []
        return [Actor(text=tok.text, code=e.country, country=e.country, sector=None,
                      name=e.name if e.kind == "state" else None, kind="state")]

    def _last_igo(self) -> list[Actor]:
        """"The bloc", "the alliance": the organisation the text last named."""
        for actor in reversed(self.recent):
            if actor.kind == "igo":
                return [actor]
        return []

    def learn_people(self, sent: Span) -> None:
        """Note the known people a sentence names in full ("Cuban President Raul Castro"), so that
        their surname alone ("Castro welcomed the move") is them later in the document, even
        when no event of this sentence had them as a party."""
        for ent in entities_in(sent):  # listed once per parse: Span.ents walks every token
            if ent.label_ == "PERSON" and len(ent) > 1 and ent.root.i in self.token_mention \
                    and ent[-1].text not in self.people:
                self.resolve(ent.root)

    def remember(self, actors: list[Actor]) -> None:
        self.recent.extend(actors)
        del self.recent[:-12]
