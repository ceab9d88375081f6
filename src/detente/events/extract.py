"""Find event predicates in parsed sentences and their actors and recipients.

Verbal predicates ("Moscow lifted its arms embargo on Pakistan") and nominal ones ("the
lifting of the embargo", "joint military drills", "talks between A and B") are matched
against the trigger lexicon; arguments come from the dependency parse: subjects, objects,
passive agents, prepositions, possessives and coordination. Modality (negated,
hypothetical, future) comes from the clause around the predicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from spacy.tokens import Span, Token

from detente.actors.recognize import FACILITIES, DocumentActors, non_agents
from detente.lexicon import TriggerRule, cue_words, triggers
from detente.models import Actor
from detente.nlp import entities_in

COOPERATIVE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "AGREE"}
RETREATING = {"RETREAT", "CONCEDE"}
# Default prepositions that introduce the recipient, by event type.
RECIPIENT_PREPS: dict[str, tuple[str, ...]] = {
    "AGREE": ("with", "to"), "CONSULT": ("with", "to"), "SUPPORT": ("for", "with", "to"),
    "CONCEDE": ("to", "for"), "COOPERATE": ("with",), "AID": ("to", "for"),
    "RETREAT": ("from", "to", "on"), "REQUEST": ("on", "to", "from"), "ACCUSE": ("against", "of"),
    "REJECT": ("from", "by"), "THREATEN": ("against", "on", "with", "to"), "PROTEST": ("against", "outside"),
    "SANCTION": ("on", "against", "from", "with", "to"), "MOBILIZE": ("against", "near", "along", "to"),
    "COERCE": ("on", "against", "to", "from"), "ASSAULT": ("on", "against", "in", "with", "at", "inside", "into"),
}
# Nouns that carry an event in their of-phrase: "issued a statement of support", "a show of force".
CARRIER_NOUNS = {"statement", "expression", "show", "message", "declaration", "note", "letter", "gesture", "act",
                 "vote", "pledge", "offer", "signal", "sign", "display"}
# Nouns whose of-phrase says what they hold ("its list of trusted trading partners"); "group" is a
# quantity noun already.
LIST_NOUNS = {"list", "register", "registry", "roster", "category", "club"}
QUANTIFIERS = {"any", "none", "some", "all", "most", "many", "several", "few", "each", "both", "one", "dozens",
               "hundreds", "thousands"}
QUANTITY_NOUNS = {"batch", "shipment", "consignment", "number", "series", "round", "wave", "package", "set",
                  "fleet", "squadron", "pair", "dozen", "lot", "tranche", "supply", "delivery", "kind", "type",
                  "range", "host", "string", "spate", "flurry", "volley", "barrage", "thousand", "hundred",
                  "ten", "million", "score", "group", "team", "contingent", "convoy", "unit", "day", "session",
                  "percent", "per", "share", "portion", "half", "third", "billion", "cargo", "load"}
# Verbs that describe rather than act: participles hanging on them describe too.
DESCRIPTIVE = {"be", "become", "remain", "seem", "appear", "flow", "lie", "stand", "rank", "depend", "strengthen",
               "weaken", "rise", "fall", "grow", "shrink", "slide", "slip", "climb", "reach", "hit", "have",
               "expect", "forecast", "predict", "include", "account", "make"}
# Verbs of aspect that pass their complement through ("vowed to keep funding").
# What a noun event's modifier says is not held yet: "a planned visit", "the proposed talks".
PLANNED = {"planned", "proposed", "scheduled", "upcoming", "expected", "possible", "potential", "prospective",
           "mooted", "envisaged", "intended", "would-be"}
# Nouns whose infinitive is what someone wants done, not what was done ("calls to free").
UNDONE_NOUNS = {"call", "demand", "appeal", "request", "plea", "pressure", "push", "bid", "effort", "attempt", "plan",
                "offer", "proposal", "promise", "pledge", "readiness", "willingness", "urging", "campaign", "deadline",
                "ultimatum"}
AUDIENCE_VERBS = {"tell", "address", "brief"}  # "told the meeting that ...": whom it was said to, not an event
ASPECT_VERBS = {"keep", "continue", "resume", "start", "begin"}
# Verbs with no meaning of their own that carry an event noun's actor ("began talks").
CARRIER_VERBS = {"begin", "start", "resume", "continue", "complete", "conclude", "hold", "conduct", "stage", "launch",
                 "carry", "mount", "make", "have", "take", "open", "undertake", "perform", "pay", "issue", "join",
                 "announce", "unveil", "declare", "finish", "end", "wrap", "initiate", "kick", "intensify",
                 "escalate", "step", "expand", "extend", "renew", "restart", "organise", "organize", "host", "be"}
# Verbs that put a measure into force: "the cabinet approved the removal of South Korea from its
# list", "parliament authorised sanctions". The measure is the event, and their subject its actor.
ENACTING_VERBS = {"approve", "authorize", "authorise", "enact", "adopt"}
ENACTED_TYPES = {"THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "RETREAT", "CONCEDE"}
# Nouns that say only that something was undertaken: its purpose says what ("an operation to detain").
GENERIC_OPERATIONS = {"operation", "campaign", "drive", "effort", "mission", "bid", "push", "crackdown"}
# Acts that a journey or deployment can be for: "arrived to help", "flew in to hold talks".
PURPOSE_TYPES = {"AID", "COOPERATE", "CONSULT", "ASSAULT", "COERCE", "RETREAT"}
# Prepositions whose objects can satisfy a rule's object list ("withdrew from the treaty").
OBJECT_PREPS = {"from", "of", "into", "on", "in", "to", "at", "for", "out", "onto", "beyond", "as", "under"}
FUTURE_HEADS = {"expect", "set", "due", "schedule", "poise", "slate", "plan", "intend", "prepare", "aim", "hope", "seek"}
# Verbs that report an event noun happening: "talks began", "an attack killed five".
HAPPENING_VERBS = {"begin", "start", "end", "resume", "continue", "take", "break", "erupt", "occur", "happen",
                   "conclude", "open", "close", "kill", "wound", "injure", "destroy", "damage", "hit", "leave",
                   "claim", "target", "strike", "go", "get", "produce", "yield", "collapse", "fail", "stall",
                   "enter", "come", "finish", "wrap", "last", "follow", "precede", "mark", "see", "bring",
                   "hold", "focus", "cause", "center", "centre", "cover", "touch", "include", "spark", "prompt",
                   "trigger", "draw", "result", "lead", "displace", "uproot", "force", "drive", "land", "spread",
                   "paralyse", "paralyze", "tear"}
TOPIC_PREPS = {"about", "over", "regarding", "concerning", "despite", "amid", "against"}
OWN_PRONOUNS = {"its", "their", "his", "her", "our"}
MESSAGE_NOUNS = {"video", "statement", "message", "letter", "report", "communique", "note", "recording", "audio",
                 "post", "speech", "declaration", "resolution", "announcement"}
META = {"intent", "refuse", "threat", "request", "accuse", "speech", "light", "fail", "deny"}


# Nouns that name a third party's part in an event: "at the request of Qatar", "under the auspices of".
BROKER_NOUNS = {"request", "invitation", "behest", "urging", "initiative", "mediation", "auspices", "suggestion",
                "brokerage", "facilitation"}
JOINT = {"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "CONCEDE", "RETREAT", "AID"}
HOSTILE = {"THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
# Verbs that announce a predicate as their content: "warned that Beijing would", "hinted that".
ANNOUNCING = {"say", "tell", "warn", "caution", "hint", "signal", "indicate", "suggest", "declare", "announce",
              "insist", "state", "add", "threaten", "vow", "raise", "write", "claim"}
# Reporting verbs whose 'X must act' content is a demand on X.
DEMANDING_SPEECH = {"say", "tell", "insist", "state", "add", "declare", "write", "stress", "reiterate", "repeat"}
SOURCE_VERBS = {"say", "tell", "report", "add", "state", "announce", "claim", "write", "confirm"}
# Purposes that make moving forces a form of aid, not a show of force.
HELP_VERBS = {"help", "assist", "support", "aid", "evacuate", "distribute", "deliver", "train", "rebuild",
              "reconstruct", "stabilize", "stabilise", "rescue", "relieve"}
HELPING_FORCES = {"peacekeeper", "peacekeeping", "blue helmet", "medic", "engineer", "rescuer", "relief"}
# Verbs that say whom a measure is aimed at: "the sanctions target Russian banks".
TARGETING = {"target", "hit", "cover", "affect", "apply", "bar", "freeze", "penalize", "penalise"}
PLACE_PREPS = {"in", "across", "near", "outside", "at", "around", "along", "inside", "through", "throughout"}


@dataclass
class Candidate:
    """An event found in a sentence, before scoring and ids."""

    trigger: Token
    rule: TriggerRule
    event: str
    mode: str | None
    cameo: str | None
    actor: list[Actor]
    recipient: list[Actor]
    trigger_text: str
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    depth: int = 0
    nominal: bool = False
    context: set[str] = field(default_factory=set)
    consumed: list[Token] = field(default_factory=list)
    learned_probability: float | None = None
    # Context looked up only when finishing needs it (most events name their recipient):
    # the country where the event happens, who announces it, other parties the sentence names.
    context_of: SentenceCoder | None = None
    modal: Token | None = None
    background: bool = False  # a habit, a long-running state or a recalled past (see SentenceCoder.background)
    judged: Token | None = None  # the act a verdict condemns, when its sentence does not say whose it is

    @property
    def place(self) -> str | None:
        return self.context_of.event_place(self.modal) if self.context_of and self.modal is not None else None

    @property
    def announcer(self) -> list[Actor]:
        return self.context_of.announcer_of(self.modal) if self.context_of and self.modal is not None else []

    @property
    def counterparts(self) -> list[Actor]:
        if self.context_of is None or self.modal is None:
            return []
        return self.context_of.counterparts(self.modal, self.event, self.actor, self.trigger)


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def conjuncts(tok: Token) -> list[Token]:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
            out += conjuncts(c)
    return out


def first_conjunct(tok: Token) -> Token:
    """"Brazil and Colombia, whose ...": the relative clause hangs on the last conjunct."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok


def object_words(tok: Token) -> set[str]:
    """Lemmas that can satisfy a rule's object list: direct objects, passive subjects,
    the noun a participle modifies, and for nouns their modifiers and of-complements."""
    words: set[str] = set()
    heads: list[Token] = []
    if tok.pos_ in ("VERB", "AUX"):
        heads += [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative")
                  or c.dep_ in ("ccomp", "xcomp") and c.pos_ == "ADJ"]  # "found the activist guilty"
        if tok.dep_ == "acl":
            heads.append(tok.head)
        # "ordered its ambassador home": the parse may hang the object on the adverb.
        heads += [g for c in tok.children if c.dep_ == "advmod" and c.i > tok.i
                  for g in c.children if g.dep_ == "compound" and g.pos_ == "NOUN"]
        for p in tok.children:
            if p.dep_ == "prep" and p.lower_ in OBJECT_PREPS - {"under"}:
                heads += [g for g in p.children if g.dep_ == "pobj"]
                # "pulled out of the talks": the object hangs on the second preposition.
                heads += [g for q in p.children if q.dep_ == "prep" for g in q.children if g.dep_ == "pobj"]
        # "lifted its ban on onion exports": what the object is about counts too.
        heads += [g for c in tok.children if c.dep_ == "dobj" for p in c.children if p.dep_ == "prep"
                  and p.lower_ in ("on", "of", "for") for g in p.children if g.dep_ == "pobj"]
        # "sent two ships carrying food": what the object carries counts too.
        heads += [g for c in tok.children if c.dep_ == "dobj" for a in c.children if a.dep_ == "acl"
                  for g in a.children if g.dep_ == "dobj"]
        for x in tok.children:
            if x.dep_ == "xcomp":
                heads += [c for c in x.children if c.dep_ == "dobj"]
            if x.dep_ in ("ccomp", "xcomp"):
                heads += [c for c in x.children if c.dep_ == "nsubj"]
    else:
        heads += [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod")]
        for p in tok.children:
            if p.dep_ == "prep" and p.lower_ in ("of", "on", "against", "with", "for", "to", "from", "over", "in"):
                heads += [g for g in p.children if g.dep_ == "pobj"]
    expanded: list[Token] = []
    for h in heads:
        expanded += conjuncts(h)
        expanded += [c for c in h.children if c.dep_ == "appos"]  # "gave the ambassador 48 hours"
        if _lemma(h) in QUANTITY_NOUNS | QUANTIFIERS | LIST_NOUNS or h.pos_ == "NUM":
            # "shut two of its six crossings", "removed Cuba from its list of state sponsors of terrorism"
            for p in h.children:
                if p.dep_ == "prep" and p.lower_ == "of":
                    expanded += [g for g in p.children if g.dep_ == "pobj"]
    for h in expanded:
        words.add(_lemma(h))
        words.add(h.lower_)
        if h.ent_type_ == "PERSON":
            words.add("PERSON")
        for c in h.children:
            if c.dep_ in ("compound", "amod"):
                if h.lower_.replace("\u2019", "'") == "d'affaires":
                    words.add("chargé")  # "exchange charges d'affaires": envoys, not accusations
                    continue
                words.add(_lemma(c))
                words.add(c.lower_)
                words.add(f"{c.lower_} {h.lower_}")
                words.add(f"{_lemma(c)} {_lemma(h)}")
    return words


def _verb_stems(word: str) -> list[str]:
    stems = []
    for suffix in ("ing", "ed", "es", "s", "d"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)]
            stems += [base, base + "e"]
            if len(base) > 2 and base[-1] == base[-2]:
                stems.append(base[:-1])
    return stems


@cache
def _trigger_lemmas() -> frozenset[str]:
    return frozenset(lemma for _, lemma in triggers())


@lru_cache(maxsize=1 << 16)
def _may_trigger(lower: str, lemma: str) -> bool:
    """Whether any rule could match a word of these forms (any of the lookups match_rule makes).

    Most words are not triggers: this one cached test spares them the rest of match_rule, which
    ran for every token of every sentence.
    """
    lemmas = _trigger_lemmas()
    return lemma in lemmas or lower.rstrip("s") in lemmas or any(s in lemmas for s in _verb_stems(lower))


def _to_infinitive(verb: Token) -> bool:
    """Whether a verb heads a to-infinitive ("ordered the army to withdraw", "arrived to help")."""
    return any(a.dep_ == "aux" and a.lower_ == "to" for a in verb.children)


def _particles(tok: Token, children: list[Token]) -> set[str]:
    """Words that complete a phrasal predicate: a prt child, or a preposition close after the verb
    ("called on", "suspended Guinea from"), and the other ways the parse attaches them."""
    # "on Tuesday" is a date, not the particle of "called on".
    particles = {c.lower_ for c in children if c.dep_ == "prt" or
                 (c.dep_ in ("prep", "advmod", "dative", "agent") and 0 < c.i - tok.i <= 6
                  and not any(g.ent_type_ in ("DATE", "TIME") for g in c.children))}
    # A bare object that completes the phrase: "opened fire", "took part", "set free".
    particles |= {c.lower_ for c in children if c.dep_ in ("dobj", "acomp", "oprd", "npadvmod")
                  and c.i == tok.i + 1 and not any(g.dep_ == "det" for g in c.children)}
    # "sent Israel's envoy home": the parse may make "home" the object, the envoy its modifier.
    particles |= {c.lower_ for c in children if c.dep_ in ("dobj", "npadvmod") and c.lower_ in ("home", "back")}
    # "pushed for Congress to act": the parse may make the particle a clause marker.
    particles |= {m.lower_ for c in children if c.dep_ in ("advcl", "ccomp") and c.i > tok.i
                  for m in c.children if m.dep_ == "mark" and m.lower_ == "for" and m.i == tok.i + 1}
    # "let free 30 supporters": the parse may make the particle a modifier of the object.
    if tok.i + 1 < len(tok.doc):
        nxt = tok.doc[tok.i + 1]
        if nxt.dep_ == "amod" and nxt.head.dep_ == "dobj" and nxt.head.head.i == tok.i:
            particles.add(nxt.lower_)
    # "let the crew go": the parse makes the second verb a clause of its own.
    particles |= {c.lower_ for c in children if c.dep_ == "ccomp" and c.tag_ == "VB" and c.i > tok.i
                  and not any(a.dep_ == "aux" for a in c.children)}
    return particles


@lru_cache(maxsize=4096)
def _object_parts(objects: frozenset[str]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """A rule's object entries: single words, and the words of each joined ("border+refugee") entry."""
    return (frozenset(o for o in objects if "+" not in o),
            tuple(tuple(o.split("+")) for o in sorted(objects) if "+" in o))


# A foreign party ordered to leave is expelled (CAMEO 1661, as "ordered the Americans out").
EXPELLED = TriggerRule(lemma="order", particle=None, pos="VERB", event="SANCTION", mode="expel", cameo="1661",
                       objects=None, preps=(), flags=frozenset(), context=None)


# "would continue to defend its measures": what goes on is under way, not to come
ONGOING = frozenset({"continue", "keep", "remain"})
# "helping domestic workers leave", "evacuated 3,000 of its citizens": the people named are helped
BENEFICIARY_VERBS = frozenset({"help", "assist", "aid", "evacuate", "rescue", "airlift"})
# "stop fighting", "ceased shelling": verbs whose gerund is what ends, not what happens
STOPPING = frozenset({"stop", "cease", "halt", "quit", "end"})
# "ten years after", "32 months after", "only weeks after": the time since a recalled act
ELAPSED = frozenset({"years", "decades", "months", "weeks"})


def _elapsed_since(verb: Token) -> bool:
    """"came ten years after X broke off relations ... and recalled its envoy": a clause told as
    the time since it (the measure hangs on the verb or on "after"; a conjunct shares its mark)."""
    if verb.dep_ == "conj" and not any(c.dep_ == "mark" for c in verb.children):
        verb = verb.head
    marks = [c for c in verb.children if c.dep_ == "mark" and c.lower_ in ("after", "since")]
    # "remain frozen six months after Quito cut ties": the parse may hang the measure elsewhere
    return bool(marks) and (any(c.dep_ == "npadvmod" and c.lower_ in ELAPSED for t in (verb, *marks) for c in t.children)
                            or any(m.i > 0 and verb.doc[m.i - 1].lower_ in ELAPSED for m in marks))


def _described(tok: Token, verb: Token) -> bool:
    """Whether `tok` sits in a description below `verb` (a relative clause, participle or apposition
    on one of its nouns): "share intelligence under an alliance that dates to 1951" is not dated."""
    while tok.i != verb.i and tok.head.i != tok.i:
        if tok.dep_ in ("relcl", "acl", "appos"):
            return verb in tok.ancestors
        tok = tok.head
    return False


def _start_of_a_state(verb: Token) -> bool:
    """"ties have been frozen since Russia annexed Crimea": an undated act in a since-clause of a
    perfect is the start of a state, recalled ("since Pakistan expelled India's envoy last August"
    has a date of its own, which places it)."""
    return verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "since" for c in verb.children) \
        and any(a.dep_ == "aux" and a.lemma_ == "have" for a in verb.head.children) \
        and not any(w.ent_type_ == "DATE" for c in verb.children
                    if c.dep_ == "npadvmod" or c.dep_ == "prep" and c.lower_ in ("in", "on", "at", "during")
                    for w in c.subtree)


def _not_undone(verb: Token, resumption: frozenset[str]) -> bool:
    """"broke off contacts after the award, and they have not resumed": a past act whose undoing
    has not come is the state since."""
    return verb.tag_ == "VBD" and any(
        c.dep_ == "conj" and c.i > verb.i and _lemma(c) in resumption
        and any(a.dep_ == "aux" and a.tag_ in ("VBP", "VBZ") for a in c.children)
        and any(n.dep_ == "neg" for n in c.children) for c in verb.children)


def _naming(tok: Token, children: list[Token]) -> bool:
    """ "called it an accident", "dubbed the plan a trap": a verb naming a thing, calling on no one."""
    return _lemma(tok) in ("call", "dub", "term") and {"oprd", "dobj"} <= {c.dep_ for c in children}


def match_rule(tok: Token) -> TriggerRule | None:
    if not _may_trigger(tok.lower_, _lemma(tok)):
        return None
    pos = "VERB" if tok.pos_ in ("VERB",) or (tok.pos_ == "AUX" and tok.dep_ == "ROOT") else (
        "NOUN" if tok.pos_ in ("NOUN", "PROPN") else "ADJ" if tok.pos_ == "ADJ" and tok.dep_ in ("acomp", "ROOT", "conj", "oprd", "advcl", "xcomp") else None)
    if pos is None or tok.ent_type_ in ("DATE", "TIME", "CARDINAL", "PERSON", "GPE"):
        return None  # "March 23" is a month; "Strike" in a name is not an event
    rules = triggers().get((pos, _lemma(tok)))
    if not rules and pos == "NOUN" and tok.tag_ == "NNS":
        rules = triggers().get((pos, tok.lower_.rstrip("s")))
    if not rules and pos == "VERB":
        # British spellings and rare forms the lemmatizer misses: "funnelled", "channelling".
        for stem in _verb_stems(tok.lower_):
            rules = triggers().get((pos, stem))
            if rules:
                break
    if not rules:
        return None
    if tok.tag_ == "VBG" and tok.dep_ in ("xcomp", "dobj") and _lemma(tok.head) in STOPPING and \
            all(r.event in HOSTILE for r in rules):
        return None  # "ordered the two sides to stop fighting": hostilities ending are no attack
    words: set[str] | None = None
    children = list(tok.children)  # spaCy builds a new Token for each child on every walk
    if _naming(tok, children):
        return None  # "struck what it called militant hideouts": naming, not calling on anyone
    if _lemma(tok) == "provide" and not any(c.dep_ == "dobj" for c in children) and \
            any(c.dep_ == "prep" and c.lower_ == "for" for c in children):
        return None  # "the deal provides for the reopening of embassies": what it stipulates
    if _lemma(tok) == "leave" and any(c.dep_ == "oprd" for c in children):
        return None  # "clashed, leaving twenty soldiers dead": a result, not a withdrawal
    if _lemma(tok) in ("hit", "strike") and any(c.lower_ == "back" for c in children) and \
            any(c.dep_ == "prep" and c.lower_ == "by" and any(g.dep_ == "pcomp" for g in c.children) for c in children):
        return None  # "hit back by barring North Korean diplomats": the measure is the retaliation
    particles = _particles(tok, children) if any(r.particle for r in rules) else set()
    preps_here = {c.lower_ for c in children if c.dep_ in ("prep", "dative", "agent")}
    objs = [c for c in children if c.dep_ == "dobj"]
    first_of_two = {_lemma(objs[0]), objs[0].lower_} if len(objs) > 1 else set()
    best: TriggerRule | None = None
    best_score = -1
    modified_event: set[str] | None = None
    for rule in rules:
        if rule.particle and not set(rule.particle.split()) <= particles:
            continue
        if "plural" in rule.flags and tok.tag_ != "NNS":
            continue
        if "forces" in rule.flags and not _forces_act(tok):
            continue  # "troops crossed into Syria" invades; refugees crossing into Turkey do not
        if "envoy" in rule.flags and not _subject_in(tok, "envoy"):
            continue  # "its ambassador returned to Beirut" restores the envoy; tourists returning do not
        if rule.objects:
            if words is None:
                words = object_words(tok)
            found = words
            if rule.particle:
                # "came under mortar fire": the particle's own object satisfies the rule.
                found = words | {_lemma(g) for c in children if c.dep_ == "prep" and c.lower_ in rule.particle.split()
                                 for g in c.children if g.dep_ == "pobj"}
            # "border+refugee": every word of a joined entry must be there ("opened its borders to refugees").
            single, joined = _object_parts(rule.objects)
            hits = [*(single & found), *("+".join(p) for p in joined if all(w in found for w in p))]
            if not hits:
                continue
            if modified_event is None:
                modified_event = _modified_event_object(tok) if any("light" in r.flags for r in rules) else set()
            if modified_event and all(w in modified_event for o in hits for w in o.split("+")):
                continue  # "launched a cruise-missile attack": the object is the attack, not the missile
        else:
            hits = []
        # Among equally specific rules, prefer one that needs more of the sentence (joined objects) and
        # one whose recipient preposition is present; with two objects (a misparse: "suspend its strike
        # pending negotiations"), one matched by the first.
        direct = rule.objects is not None and bool(rule.objects & first_of_two)
        joined = max((o.count("+") for o in hits), default=0)
        score = (4 if rule.objects else 0) + (5 if rule.particle else 0) + (2 if direct else 0) + 3 * joined + \
            (1 if preps_here & set(rule.preps) else 0)
        if score > best_score:
            best, best_score = rule, score
    if best is not None and not best.flags & GOVERNING and \
            any(c.dep_ == "xcomp" and match_rule(c) is not None for c in children):
        # "ordered the army to withdraw": with an event complement the governing sense wins.
        governing = next((r for r in rules if r.flags & GOVERNING and not r.particle), None)
        best = governing or best
    if best is not None and best.objects and best.particle and not best.flags & ASKING and any(
            c.dep_ in ("xcomp", "ccomp", "advcl") and _to_infinitive(c)
            for c in children):
        # "called on President Zardari" visits him; "called on Zardari to resign" asks him to. Only for a
        # phrasal verb: "called Lavrov to discuss Syria" is still a phone call.
        asking = next((r for r in rules if r.flags & ASKING and r.particle == best.particle), None)
        best = asking or best
    return best


ASKING = frozenset({"request"})
UNDONE_ADJECTIVES = {"important", "necessary", "essential", "vital", "crucial", "imperative", "urgent",  # urged
                    # "the contract made it very difficult to withdraw": hard to do is not done
                    "difficult", "hard", "impossible"}


def _subject_in(tok: Token, cue: str) -> bool:
    """Whether a verb's subject is a word of the cue class `cue` (cues.tsv)."""
    words = cue_words().get(cue, frozenset())
    return any(_lemma(s) in words or s.lower_ in words for s in subject_tokens(tok))


def _forces_act(tok: Token) -> bool:
    """Whether a verb's subject is armed forces ("troops", "tanks", "the army"), for motion verbs that
    are military only when forces move."""
    return _subject_in(tok, "forces")


GOVERNING = frozenset({"execute"})


def _modified_event_object(tok: Token) -> set[str]:
    """For a light verb whose direct object is an event noun ("launched a missile attack"), the
    words that modify that noun; empty when the object names no event. A rule matched only by such a
    modifier ("missile") describes the event, and the light verb carries it instead."""
    for c in tok.children:
        if c.dep_ != "dobj":
            continue
        modifiers = {w for m in c.children if m.dep_ in ("compound", "amod") and m.i < c.i
                     for w in (_lemma(m), m.lower_, *m.lower_.split("-"))} - {_lemma(c), c.lower_}
        if any(r.event and (not r.objects or r.objects & modifiers) for r in triggers().get(("NOUN", _lemma(c)), ())):
            return modifiers
    return set()


def misparsed_active(v: Token) -> bool:
    """"Gunmen on motorcycles killed 30 villagers ..., police said": a past tense the parser took
    for a participle modifying the subject; a participle with a direct object is active."""
    if v.dep_ != "acl" or v.tag_ not in ("VBN", "VBD") or v.head.i > v.i:
        return False
    if v.sent.root.pos_ in ("NOUN", "PROPN") and v.sent.root.i < v.i and \
            not any(c.dep_ == "agent" for c in v.children):
        return True  # the sentence has no verb of its own: "Peruvian lawmakers from several parties called on ..."
    return v.head.dep_ in ("dep", "nsubj", "ROOT") and any(c.dep_ == "dobj" for c in v.children)


def is_passive(v: Token) -> bool:
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children):
        return True
    return v.dep_ == "acl" and v.tag_ == "VBN" and not misparsed_active(v)


DEFINITE = {"the", "this", "that", "these", "those", "such"}


def definite_unowned(t: Token) -> bool:
    """A definite noun with nothing saying whose or which it is ("the decision", "the downing"):
    a thing reported before, whose party the document's earlier events tell."""
    return t.pos_ == "NOUN" and any(d.dep_ == "det" and d.lower_ in DEFINITE for d in t.children) \
        and not any(d.dep_ in ("poss", "prep", "acl", "relcl") for d in t.children)


def _message_participle(v: Token) -> bool:
    """"Erdogan sent a letter to Putin expressing regret": the parser makes the addressee the
    participle's subject (or the participle a modifier of the addressee: "to his counterpart
    expressing regret"); the message speaks for its sender, to the addressee."""
    to = v.head if v.dep_ == "pcomp" else v.head.head if v.dep_ == "acl" and v.head.dep_ == "pobj" else None
    return v.tag_ == "VBG" and to is not None and to.dep_ in ("dative", "prep") and to.lower_ == "to" \
        and any(o.dep_ == "dobj" and _lemma(o) in MESSAGE_NOUNS for o in to.head.children)


def _addressees(v: Token) -> list[Token]:
    """"sent Putin a letter expressing regret": a message's participle is said to whom the
    message was sent."""
    if v.dep_ != "acl" or v.tag_ != "VBG" or v.head.dep_ != "dobj" or _lemma(v.head) not in MESSAGE_NOUNS:
        return []
    verb = v.head.head
    return [c for c in verb.children if c.dep_ == "dative" and c.pos_ != "ADP"] or prep_objects(verb, ("to",))


def _repeated(verb: Token) -> bool:
    """"has backed China at every ASEAN meeting", "meets them every month": a habit, not an act."""
    heads = [verb, *(o for o in verb.children if o.dep_ == "dobj")]  # the parse may hang it on the object
    occasions = [c for c in verb.children if c.dep_ == "npadvmod"] + [
        g for h in heads for c in h.children if c.dep_ == "prep" and c.lower_ in ("at", "on", "in", "during")
        for g in c.children if g.dep_ == "pobj"]
    return any(d.dep_ == "det" and d.lower_ in ("every", "each") for g in occasions for d in g.children)


def subject_tokens(v: Token) -> list[Token]:
    """The (active) subject of a verb, following control, coordination and relative clauses."""
    if _message_participle(v):
        return subject_tokens(v.head.head if v.dep_ == "pcomp" else v.head.head.head)
    for c in v.children:
        if c.dep_ in ("nsubj", "csubj"):
            return [c]
    if v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX", "ADJ"):
        if v.head.dep_ == "ccomp" and v.tag_ == "VBD" and _lemma(v.head.head) in DEMANDING_SPEECH and (
                v.head.lemma_ == "be" or any(s.dep_ == "nsubj" and _lemma(s) in _inert_nouns() for s in v.head.children)):
            # "Japan said its controls were lawful and rejected the complaint", "said the curbs violated
            # trade rules and urged Tokyo to withdraw them": the parser hangs the second verb on the
            # reported clause; who said it is who acts.
            return subject_tokens(v.head.head)
        return subject_tokens(v.head)
    if v.dep_ in ("acomp", "oprd") and v.head.pos_ in ("VERB", "AUX"):
        return subject_tokens(v.head)
    if v.dep_ == "xcomp":
        # "Modi and Xi are expected to meet": the raised subject of a passive head.
        raised = [c for c in v.head.children if c.dep_ == "nsubjpass"]
        if raised:
            return raised
        objs = [c for c in v.head.children if c.dep_ in ("dobj",)]
        if objs and _lemma(v.head) in ("urge", "ask", "call", "press", "tell", "order", "force", "invite",
                                        "encourage", "persuade", "push", "allow", "help", "appeal"):
            return objs
        return subject_tokens(v.head)
    if v.dep_ == "relcl":
        return [v.head]
    if v.dep_ == "acl" and misparsed_active(v) and v.sent.root.pos_ in ("NOUN", "PROPN") and v.sent.root.i < v.i:
        return [v.sent.root]
    if v.dep_ == "acl" and (v.tag_ != "VBN" or misparsed_active(v)):
        # "militants released a video threatening attacks": the video speaks for its makers.
        if v.head.lemma_.lower() in MESSAGE_NOUNS and v.head.head.pos_ in ("VERB", "AUX"):
            return subject_tokens(v.head.head)
        return [v.head]
    if v.dep_ == "advcl" and v.tag_ == "VBG" and v.i > 0:
        # "funnelled weapons to the mujahideen fighting Soviet troops": the noun just before acts.
        prev = v.doc[v.i - 1]
        if prev.pos_ in ("NOUN", "PROPN") and prev.dep_ in ("pobj", "dobj") and prev.head.i != v.i:
            return [prev]
    if v.dep_ in ("advcl", "pcomp", "ccomp") and v.head.pos_ in ("VERB", "AUX", "ADP"):
        head = v.head if v.head.pos_ != "ADP" else v.head.head
        if v.dep_ != "ccomp" or v.tag_ in ("VBG",) or v.tag_ == "VB" and _lemma(head) in ("let", "make", "help") \
                and not any(a.dep_ == "aux" for a in v.children):
            return subject_tokens(head)  # "Ethiopia let free 74 political leaders": the parse makes 'free' a clause
    root = v.sent.root
    if v.dep_ == "advcl" and root.pos_ in ("NOUN", "PROPN") and root.i < v.i and \
            _to_infinitive(v):
        # A sentence the parser left without a verb: "Riot police in Tbilisi used water cannon ... to
        # disperse demonstrators" (root "police"); its noun is who acts.
        return [root]
    return []


@cache
def _inert_nouns() -> frozenset[str]:
    """Nouns that do not act: decisions and measures, and what actors.recognize calls non-agents."""
    return cue_words().get("decision", frozenset()) | non_agents()


def prep_objects(tok: Token, preps: tuple[str, ...]) -> list[Token]:
    out: list[Token] = []
    for c in tok.children:
        if c.dep_ in ("prep", "dative", "agent") and c.lower_ in preps:
            out += [g for g in c.children if g.dep_ == "pobj"]
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("between", "among"):
            continue
    return out


def prep_objects_any(tok: Token, preps: tuple[str, ...]) -> list[Token]:
    """Objects of the prepositions attached to a noun ("calls from Paris")."""
    return [g for c in tok.children if c.dep_ in ("prep", "agent") and c.lower_ in preps
            for g in c.children if g.dep_ == "pobj"]


def _ancestors_below(tok: Token, top: Token) -> list[Token]:
    """Tokens on the path from `tok` up to (not including) `top`."""
    path = []
    while tok.i != top.i and tok.head.i != tok.i and len(path) < 40:
        tok = tok.head
        path.append(tok)
    return path


def clause_chain(tok: Token) -> list[Token]:
    """The trigger and the verbs above it up to the sentence root."""
    chain = [tok]
    while chain[-1].head.i != chain[-1].i and len(chain) < 40:
        chain.append(chain[-1].head)
    return chain


def helps_someone(tok: Token) -> bool:
    """Forces moved to help: "sent troops to help the Philippine army", "deployed peacekeepers"."""
    if object_words(tok) & HELPING_FORCES:
        return True
    return any(c.dep_ in ("advcl", "xcomp") and _lemma(c) in HELP_VERBS and
               _to_infinitive(c) for c in tok.children)


def moves_jointly(tok: Token) -> bool:
    """Forces moved together: "agreed to patrol the area together", "to hold joint patrols"."""
    return any(c.lower_ in ("together", "jointly") for c in tok.children) or any(
        g.lower_ in ("joint", "combined", "coordinated") for c in tok.children if c.dep_ == "dobj" for g in c.children)


class SentenceCoder:
    """Extract event candidates from one sentence of a parsed document."""

    def __init__(self, sent: Span, actors: DocumentActors) -> None:
        self.sent = sent
        self.actors = actors
        self.cues = cue_words()
        self.rules: dict[int, TriggerRule] = {}
        for tok in sent:
            rule = match_rule(tok)
            if rule is not None:
                self.rules[tok.i] = rule
        # A verb the lexicon knows as a statement (a row with no event and no flags: "expressed concern"),
        # or one a rule read as words only ("declined to comment"): the classifier is not asked to guess.
        # A main verb that names a thing ("Greek officials called it an accident") is one too: a
        # verdict in the name is an accusation (events.verdict), anything else no event.
        self.statement = any(r.event is None and not r.flags and r.pos == "VERB" for r in self.rules.values()) \
            or _naming(sent.root, list(sent.root.children))

    # -- arguments ----------------------------------------------------------------------

    def code_tokens(self, toks: list[Token], speaker: list[Actor] | None = None, as_actor: bool = False) -> list[Actor]:
        out: list[Actor] = []
        for tok in toks:
            for t in conjuncts(tok):
                if t.pos_ == "PRON" and t.lower_ in ("it", "they", "we", "its", "their", "our", "who", "which", "that",
                                                     "he", "she", "his", "her"):
                    if t.lower_ in ("who", "which", "that") and t.head.dep_ == "relcl":
                        out += self.code_tokens([first_conjunct(t.head.head)], None, as_actor)
                    elif t.lower_ in ("who", "which", "that"):
                        # "chaos in Kabul that threatens the deal", its clause misparsed as a complement of
                        # "confirmed": a relative pronoun stands for the noun just before it, never for
                        # the subject or speaker of another clause.
                        before = t.doc[t.i - 1] if t.i > 0 else None
                        while before is not None and before.dep_ == "pobj" and before.head.head.pos_ in ("NOUN", "PROPN"):
                            before = before.head.head  # "chaos in Kabul that ...": the phrase's head
                        if before is not None and before.pos_ in ("NOUN", "PROPN"):
                            out += self.code_tokens([first_conjunct(before)], None, as_actor)
                    elif t.dep_ == "nsubj" and (first := self._antecedent_subject(t)):
                        # "The army chief visited Moscow, and he met ...", "flew to Ankara, where he held talks".
                        out += self.code_tokens(first, speaker, as_actor)
                    elif speaker and not (t.lower_ in ("he", "she", "his", "her") and all(a.kind != "person" for a in speaker)):
                        out += speaker
                    elif t.lower_ in ("he", "she", "his", "her"):
                        out += self.actors.resolve(t, as_actor)
                    elif self.actors.recent and t.lower_ in ("it", "its", "they", "their") and \
                            not (t.lower_ == "it" and t.dep_ == "dobj"):
                        # "China backed it", "welcomed it": an object 'it' is a thing said or done.
                        out.append(self.actors.recent[-1].model_copy(update={"text": t.text}))
                    continue
                found = self.actors.resolve(t, as_actor)
                if found and t.ent_type_ == "ORG" and (role := self.actors.appositive_sector(t)):
                    # "the Rwanda National Congress, an exiled opposition movement": the appositive
                    # says what the name is; the country in the name is its home.
                    found = [a.model_copy(update={"sector": role, "code": a.country + role, "kind": "state"})
                             if a.country and a.kind in ("state", "role") else a for a in found]
                if t.lemma_.lower() in FACILITIES and all(a.kind in ("place", "role") for a in found):
                    found = self._facility_owner(t) or found  # where it stands is not whose it is
                owner = next((c for c in t.children if c.lower_ == "whose"), None)
                if owner is not None and t.head.dep_ == "relcl" and all(a.kind == "role" for a in found):
                    # "Brazil and Colombia, whose presidents have urged ...": roles of the countries named.
                    found = [a.model_copy(update={"text": t.text, "sector": s, "kind": "state", "name": None,
                                                  "code": a.country + (s or "")})
                             for a in self.code_tokens([first_conjunct(t.head.head)]) if a.country
                             for s in [found[0].sector if found else a.sector]]
                out += found
        seen: set[str] = set()
        unique = []
        for a in out:
            if a.code not in seen:
                seen.add(a.code)
                unique.append(a)
        return unique

    def _facility_owner(self, noun: Token) -> list[Actor]:
        """"Saudi Arabia cut ties after protesters stormed its embassy": a state's embassy or base
        named by a possessive pronoun is the state that is the subject of an enclosing clause."""
        if not any(c.dep_ == "poss" and c.lower_ in ("its", "their") for c in noun.children):
            return []
        for anc in noun.ancestors:
            if anc.pos_ in ("VERB", "AUX"):
                subj = subject_tokens(anc)
                if subj and subj[0].i < noun.i:
                    states = [a for a in self.code_tokens(subj) if a.kind == "state" and a.country]
                    if states:
                        return [a.model_copy(update={"text": noun.text, "code": a.country + "GOV", "sector": "GOV"})
                                for a in states[:1]]
        return []

    def _antecedent_subject(self, pron: Token) -> list[Token]:
        """For a pronoun subject, the subject of an enclosing clause that comes before it; a
        clause of its own ("said that Mitsotakis no longer existed for him and that he had
        cancelled a meeting") skips the clause it is coordinated with: "he" is who spoke."""
        clause = pron.head
        for anc in pron.head.ancestors:
            skip = clause.dep_ == "conj" and anc.i == clause.head.i and \
                any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)
            clause = anc
            if skip:
                continue
            if anc.pos_ in ("VERB", "AUX"):
                subj = subject_tokens(anc)
                if subj and subj[0].pos_ != "PRON" and subj[0].i < pron.i and \
                        (pron.lower_ not in ("he", "she") or subj[0].tag_ in ("NN", "NNP")):
                    return subj
        return []

    def speaker_of(self, tok: Token) -> list[Actor] | None:
        """For a predicate inside reported speech, the speaker (for 'it', 'they')."""
        for anc in tok.ancestors:
            rule = self.rules.get(anc.i)
            if anc.pos_ in ("VERB", "AUX") and (rule is None or "speech" in rule.flags or rule.flags & META):
                subj = subject_tokens(anc)
                if subj and subj[0].pos_ != "PRON":
                    return self.code_tokens(subj)
        return None

    def verb_arguments(self, v: Token, rule: TriggerRule, event: str,
                       exclude: set[int] | None = None) -> tuple[list[Actor], list[Actor]]:
        speaker = self.speaker_of(v)
        preps = rule.preps or RECIPIENT_PREPS.get(event, ())
        passive = is_passive(v)
        subj = subject_tokens(v)
        if passive:
            agent = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            patient = [c for c in v.children if c.dep_ == "nsubjpass"] or ([v.head] if v.dep_ == "acl" else [])
            actor = self.code_tokens(agent, speaker, as_actor=True)
            recipient = self.code_tokens(patient, speaker)
            if event == "ASSAULT" and not actor:
                # "Twenty soldiers were killed in a clash with Cambodian troops": the other side of
                # the fighting acted.
                fights = [g for g in prep_objects(v, ("in", "during"))
                          if (r := match_rule(g)) is not None and r.event == "ASSAULT"]
                actor = self.code_tokens([x for f in fights for x in prep_objects(f, ("with", "by"))],
                                         speaker, as_actor=True)
            if event == "MOBILIZE" and not actor:
                # "Troops were deployed to the border": what is deployed belongs to the actor.
                actor, recipient = recipient, []
            if (event in ("COOPERATE", "AID", "COERCE") or rule.mode == "expel") and not actor:
                # "was extradited from South Africa to Mozambique", "diplomats were expelled from
                # Estonia": the sender acts.
                actor = self.code_tokens(prep_objects(v, ("from",)), speaker, as_actor=True)
            if not actor and not recipient and rule.objects and event not in ("MOBILIZE", "COOPERATE", "AID"):
                # "Talks between Doha and Riyadh were suspended", "(Qatar said) talks with Saudi Arabia
                # had been suspended": with no agent, the parties of what was stopped are the dyad.
                things = [p for p in patient if _lemma(p) in rule.objects or p.lower_ in rule.objects]
                between = self.code_tokens([g for p in things for g in prep_objects(p, ("between", "among"))])
                partner = self.code_tokens([g for p in things for g in prep_objects(p, ("with",))])
                if len(between) > 1:
                    actor, recipient = between[:1], between[1:]
                elif partner and speaker:
                    actor, recipient = speaker, partner
            if not actor and speaker and recipient and _lemma(v) in self.cues.get("custody", ()) and \
                    all(a.country and a.kind in ("state", "role", "person") for a in speaker) and \
                    all(r.country for r in recipient) and \
                    not {r.country for r in recipient} & {a.country for a in speaker}:
                # "China said the two Canadians had been released on bail": a state telling of
                # foreigners held, freed or sentenced with no agent named tells of its own act.
                actor = speaker
            if not recipient:
                # In the passive, "by" introduces the actor, never the recipient.
                recipient = self.code_tokens(prep_objects(v, tuple(p for p in preps if p != "by")))
        else:
            actor = self.code_tokens(subj, speaker, as_actor=True)
            dative = [c for c in v.children if c.dep_ == "dative" and c.pos_ != "ADP" or
                      c.dep_ == "nsubj" and _message_participle(v)] + \
                ([v.head] if v.dep_ == "acl" and _message_participle(v) else []) + \
                _addressees(v)
            dobj = [c for c in v.children if c.dep_ == "dobj" and c.i not in (exclude or ())] or [
                # "tortured and humiliated Iraqi detainees": coordinated verbs share the object.
                c for x in v.children if x.dep_ == "conj" and x.pos_ == "VERB" and not is_passive(x)
                and not any(y.dep_ in ("nsubj", "nsubjpass") for y in x.children)
                for c in x.children if c.dep_ == "dobj"]
            recipient = self.code_tokens(dative)
            if not recipient and "object-topic" not in rule.flags:
                recipient = self.code_tokens(dobj)
                if rule.objects and any(_lemma(d) in rule.objects for d in dobj):
                    # The object the rule is about is the thing acted with ("reduced military aid to
                    # its allies"): a role word inside it names no recipient, a country may ("expelled
                    # two Russian diplomats").
                    # "lifts US embargo on arms sales to Vietnam": the actor's own country in it is the owner.
                    own = {a.country for a in actor if a.country}
                    recipient = [r for r in recipient if (r.kind != "role" or r.country) and r.country not in own]
            if not recipient or all(r.kind == "role" for r in recipient):
                # "sent workers to Afghanistan": a bare role noun object is the theme, not the recipient;
                # but "beat protesters in Mombasa" beat the protesters, there.
                # "filed a complaint against Japan at the WTO": who the act is against, on its object,
                # comes before where it was brought.
                against = [g for d in dobj for g in prep_objects(d, ("against",))] if "against" in preps else []
                found = self.code_tokens(against) or self.code_tokens(prep_objects(v, preps))
                if recipient and found and event in ("ASSAULT", "COERCE") and \
                        all(f.kind in ("place", "state") and not f.sector and f.country for f in found):
                    where = found[0].country
                    recipient = [r.model_copy(update={"country": r.country or where,
                                                      "code": (r.country or where or "") + (r.sector or "")})
                                 for r in recipient]
                else:
                    recipient = found or recipient
            if not recipient or all(r.kind == "role" for r in recipient):
                # "closed its border with Belarus", "shut two of its crossings with Belarus".
                for o in dobj + [g for d in dobj if d.pos_ == "NUM" or _lemma(d) in QUANTITY_NOUNS
                                 for g in prep_objects(d, ("of",))]:
                    found = self.code_tokens(prep_objects(o, preps + ("with", "between", "into", "from")))
                    if found:
                        recipient = found
                        break
            if not recipient:
                # "spoke by telephone with al-Sisi": the recipient hangs on the means.
                means = [g for c in v.children if c.dep_ == "prep" and c.lower_ in ("by", "via", "over")
                         for g in c.children if g.dep_ == "pobj"]
                recipient = self.code_tokens([g for m in means for g in prep_objects(m, preps)])
            transfer = event == "COOPERATE" and "to" in preps  # "extradited to Poland a Ukrainian man"
            if recipient and "to" in preps and (transfer or all(r.kind in ("group", "person") for r in recipient)):
                # "handed two IS financiers over to Iraqi police": who is handed over is the theme.
                recipient = self.code_tokens(prep_objects(v, ("to",))) or recipient
            if not recipient and "speech" not in rule.flags:
                # "allowed IAEA inspectors to visit", "let Kyiv use the missiles": the one let act.
                clause = [c for c in v.children if c.dep_ == "ccomp" and c.i > v.i
                          and (_to_infinitive(c)
                               or c.tag_ == "VB" and _lemma(v) == "let")]
                recipient = [a for a in self.code_tokens([g for c in clause for g in subject_tokens(c)[:1]])
                             if a.code not in {x.code for x in actor}]
        if not recipient and not (len(actor) > 1 and event in JOINT):
            # "rejected calls from Paris", "demanded the resignation of Sheikh Hasina": whose the thing is.
            patients = [c for c in v.children if c.dep_ == ("nsubjpass" if passive else "dobj")]
            recipient = [a for a in self.code_tokens([g for p in patients for g in self.owners(p)])
                         if a.country or a.kind in ("igo", "group")]
        if not recipient and not passive:
            recipient = self._target_place(v, preps, actor, event)
        if recipient and all(r.kind == "igo" for r in recipient):
            # "sent troops to the UN peacekeeping force in South Sudan": the mission's host receives them.
            recipient = self._mission_host(v) or recipient
        if "inverse" in rule.flags:
            if passive:
                # "X was received in Delhi by Y": the visitor X acts, the host Y receives.
                actor, recipient = recipient, actor
            else:
                # "came under fire from M23 rebels": the source may hang on the particle's object.
                source = self.code_tokens(prep_objects(v, ("from", "by")) or [
                    g for p in v.children if p.dep_ == "prep" for o in p.children if o.dep_ == "pobj"
                    for g in prep_objects(o, ("from", "by"))])
                target = self.code_tokens(subj) or self.code_tokens([g for t in subj for g in self.owners(t)])
                actor, recipient = (source or recipient), target
        return actor, recipient

    def _mission_host(self, v: Token) -> list[Actor]:
        missions = self.cues.get("mission", frozenset())
        for t in v.subtree:
            if t.i > v.i and t.pos_ == "NOUN" and _lemma(t) in missions:
                host = [a for a in self.code_tokens(prep_objects(t, ("in",))) if a.kind in ("state", "place") and a.country]
                if host:
                    return [a.model_copy(update={"code": a.country, "sector": None}) for a in host]
        return []

    def owners(self, noun: Token) -> list[Token]:
        """Who a thing belongs to or comes from: "Pakistan's proposal", "calls from Paris", "the fate of X"."""
        held = [g for c in noun.children if c.dep_ == "acl" for g in prep_objects_any(c, ("by",))]
        return [c for c in noun.children if c.dep_ == "poss" and c.pos_ != "PRON"] + prep_objects_any(
            noun, ("from", "by", "of")) + held

    def _target_place(self, v: Token, preps: tuple[str, ...], actor: list[Actor], event: str) -> list[Actor]:
        """The country of what is acted on: "shelled districts of Kharkiv", "airlifted food to villages in Aceh".

        Talks, drills and agreements only take place somewhere: "resumed talks in Abu Dhabi" has no target.
        """
        own = {a.country for a in actor}
        targets = [c for c in v.children if c.dep_ == "dobj"]
        targets += [g for c in v.children if c.dep_ == "prep" and c.lower_ in preps for g in c.children if g.dep_ == "pobj"]
        for target in targets:
            for tok in target.subtree:
                m = self.actors.token_mention.get(tok.i)
                if m is None:
                    continue
                path = _ancestors_below(tok, target)
                if event in ("CONSULT", "COOPERATE", "AGREE") and any(
                        a.dep_ == "prep" and a.lower_ in PLACE_PREPS | {"over"} for a in path):
                    continue
                if any(_lemma(a) in BROKER_NOUNS for a in path):
                    continue  # "a ceasefire at the request of Qatar": the broker is not the target
                head = tok
                while head.dep_ in ("poss", "compound", "amod") and head.head.i != head.i:
                    head = head.head
                if head.i != tok.i:
                    # "a ceasefire with Yemen's Ansar Allah group": the group, not its home.
                    whole = self.code_tokens([head])
                    if whole and all(a.kind in ("group", "igo") for a in whole):
                        return whole
                e = m.entries[0]
                if e.kind in ("state", "place") and e.country and e.country not in own:
                    # "exports to India and Pakistan": the place's conjuncts are targets too.
                    found: list[Actor] = []
                    for t in conjuncts(tok):
                        mt = self.actors.token_mention.get(t.i)
                        et = mt.entries[0] if mt else None
                        if et and et.kind in ("state", "place") and et.country and et.country not in own and \
                                et.country not in {f.country for f in found}:
                            found.append(Actor(text=self.sent.doc[mt.start:mt.end].text, code=et.country,
                                               country=et.country, sector=None, name=et.name,
                                               kind="place" if et.kind == "place" else "state"))
                    return found
        return []

    def noun_arguments(self, n: Token, rule: TriggerRule, event: str) -> tuple[list[Actor], list[Actor]]:
        preps = rule.preps or RECIPIENT_PREPS.get(event, ())
        actor: list[Actor] = []
        for c in n.children:
            if (c.dep_ == "poss" and c.pos_ != "PRON") or (c.dep_ in ("compound", "amod", "nmod") and c.i in self.actors.token_mention):
                actor += self.code_tokens([c], as_actor=True)
            if c.dep_ == "prep" and c.lower_ in ("between", "among"):
                actor += self.code_tokens([g for g in c.children if g.dep_ == "pobj"])
        actor += self.code_tokens(prep_objects(n, ("by",)))
        if event == "AID" and not actor:
            actor = self.code_tokens(prep_objects(n, ("from",)))
            preps = tuple(p for p in preps if p != "from")
        recipient = self.code_tokens(prep_objects(n, preps))
        if not recipient and n.dep_ == "pobj" and n.head.lower_ == "under":
            # "Iran, a country under US sanctions": what is under the measure is its target.
            holder = n.head.head
            holder = holder.head if holder.dep_ == "appos" else holder
            recipient = [a for a in self.code_tokens([holder]) if a.country or a.kind in ("igo", "group")]
        return actor, recipient

    # -- modality -----------------------------------------------------------------------

    def modality(self, tok: Token) -> tuple[bool, bool, bool]:
        negated = hypothetical = future = False
        chain = clause_chain(tok)
        for depth, t in enumerate(chain):
            # a noun event, or a purpose ("will pay $3 billion to help"), shares its verb's mood
            own = depth == 0 or depth == 1 and (tok.pos_ == "NOUN" or chain[0].dep_ == "advcl" and _to_infinitive(chain[0]))
            # "will try to help Nepal", "Iran will receive gas and deliver it": a complement, or a
            # conjunct with no subject or auxiliary of its own, shares its head's tense and mood
            # (what "would continue" or "keep" going on is under way, not to come)
            shares = depth == 1 and (chain[0].dep_ == "xcomp" and t.lemma_ not in ONGOING or
                                     chain[0].dep_ == "conj" and not any(
                                         c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in chain[0].children))
            # "X did not agree to the plan, and Y withdrew its troops": a negation does not cross into
            # a coordinated clause with a subject of its own.
            independent = depth > 0 and chain[depth - 1].dep_ == "conj" and \
                any(c.dep_ in ("nsubj", "nsubjpass") for c in chain[depth - 1].children)
            for c in t.children:
                low = c.lower_
                if c.dep_ == "neg" and not independent and (own or t.pos_ == "VERB" and self._governs(t)):
                    negated = True
                if c.dep_ == "det" and low == "no" and t.i == tok.i:
                    negated = True
                if c.dep_ == "mark" and low in ("if", "unless", "whether"):
                    hypothetical = True
                if c.dep_ == "aux" and (own or shares):
                    if low in ("will", "shall", "'ll", "wo"):
                        future = True
                    elif low == "would":
                        past_report = any(a.tag_ == "VBD" and self.rules.get(a.i) and "speech" in self.rules[a.i].flags
                                          for a in chain[1:])
                        future = True
                        hypothetical = hypothetical or not past_report
                    elif low in ("could", "might", "may", "must", "should", "ought"):
                        hypothetical = True  # possible, or owed: "agreements must be respected"
            if t.dep_ == "advcl" and any(m.dep_ in ("mark", "advmod") and m.lower_ in ("when", "once", "until", "before")
                                         for m in t.children) and any(
                    a.dep_ == "aux" and a.lower_ in ("could", "would", "can", "will", "may", "might", "should", "must",
                                                     "'ll", "wo")
                    for a in t.head.children):
                hypothetical = True  # "talks could begin only when Turkish ships left": a condition
            if t.dep_ in ("xcomp", "advcl", "ccomp") and _to_infinitive(t) and any(
                    a.lower_ in UNDONE_ADJECTIVES for a in (t.head, *(c for c in t.head.children if c.dep_ == "acomp"))):
                hypothetical = True  # "it was important for India to cooperate", "difficult to withdraw": not done
            if t.lemma_ == "go" and any(c.dep_ == "xcomp" for c in t.children) and t.tag_ == "VBG":
                future = True
            if depth == 0 and _to_infinitive(t) and any(c.dep_ == "auxpass" for c in t.children) and (
                    t.dep_ in ("relcl", "acl") or t.dep_ == "xcomp" and t.head.lemma_ == "be"):
                future = True  # "a treaty to be signed by the two presidents", "talks are to be held"
            if depth == 0 and t.pos_ == "NOUN" and any(c.dep_ == "amod" and c.lower_ in PLANNED for c in t.children):
                hypothetical = True  # "a planned visit", "the proposed talks": not held (yet)
            if t.dep_ == "xcomp" and t.head.lemma_ == "be" and any(
                    c.dep_ in ("prep", "advmod") and c.lower_ == "up" for c in t.head.children):
                hypothetical = True  # "it was up to Canberra to propose steps": asked of it, not done
            if t.dep_ in ("xcomp", "advcl", "ccomp") and _to_infinitive(t) and any(
                    c.lower_ in ("until", "till") for c in t.head.children):
                hypothetical = True  # "gave Thailand until Tuesday to withdraw its soldiers": an ultimatum
            if t.dep_ == "acl" and t.head.lemma_.lower() in self.cues.get("hearsay", ()) and \
                    any(c.dep_ == "mark" and c.lower_ == "that" for c in t.children):
                hypothetical = True  # "accusations that it backed the incursion": alleged, not reported
            if t.dep_ == "pcomp" and t.tag_ == "VBG" and t.head.lower_ == "to" and \
                    t.head.head.lower_ in ("close", "closer", "near", "nearer"):
                hypothetical = True  # "had been close to signing an agreement": nearly, not done
            if t.lemma_.lower() in self.cues.get("wishful", ()) or t.lower_ in self.cues.get("wishful", ()) or \
                    depth > 0 and t.lemma_ == "look" and any(c.lower_ == "forward" for c in t.children):
                hypothetical = True  # "voiced hope that Greece will help", "looked forward to working with him"
            if depth > 0 and t.pos_ == "NOUN" and t.lemma_.lower() in UNDONE_NOUNS and \
                    chain[depth - 1].dep_ in ("acl", "relcl") and _to_infinitive(chain[depth - 1]):
                hypothetical = True  # "Canada's calls to free the activists": asked for, not done
            to = next((c for c in t.children if c.dep_ == "aux" and c.lower_ == "to"), None) if depth == 0 else None
            if to is not None and to.i > 0 and t.doc[to.i - 1].pos_ == "NOUN" and \
                    t.doc[to.i - 1].lemma_.lower() in UNDONE_NOUNS:
                hypothetical = True  # the same, where the parse hangs the infinitive elsewhere
            if depth > 0 and t.lemma_.lower() in FUTURE_HEADS and chain[depth - 1].dep_ == "xcomp":
                future = True  # "are expected to meet", "is set to sign", "plans to visit"

            if depth > 0 and t.lemma_.lower() == "expect" and any(c.dep_ == "nsubj" for c in t.children) and \
                    chain[depth - 1].dep_ in ("xcomp", "ccomp") and (
                        any(c.dep_ == "nsubj" for c in chain[depth - 1].children) or
                        any(c.dep_ == "dobj" for c in t.children)):
                hypothetical = True  # "few diplomats expect the two sides to open talks": a forecast
            if depth > 0 and chain[depth - 1].dep_ == "xcomp":
                # "is reluctant to criticise Moscow" does not criticise; "is likely to meet" may not meet.
                if t.lower_ in self.cues.get("averse", ()):
                    negated = True
                elif t.lower_ in self.cues.get("predictive", ()):
                    hypothetical = True
            if t.dep_ == "ROOT":
                break
        return negated, hypothetical, future

    def background(self, tok: Token) -> bool:
        """Whether a predicate states background rather than news: habits and long-running states
        ("X buys most of its gas from Y", "has long backed", "for years"), what held "before the
        war", and what an anniversary or "N years after" recalls."""
        cues = self.cues.get("habitual", frozenset())
        chain = clause_chain(tok)
        verb = next((t for t in chain if t.pos_ in ("VERB", "AUX")), tok)
        for t in (tok, verb):
            for c in t.children:
                if c.dep_ in ("advmod", "npadvmod") and c.lower_ in cues:
                    return True
                if c.dep_ == "prep" and c.lower_ in ("for", "over") and any(
                        g.dep_ == "pobj" and (g.lower_ in ("years", "decades", "generations", "centuries") or
                                              g.lower_ in ("most", "much", "part", "all") and any(
                                                  w.lemma_.lower() in ("year", "decade", "generation", "century")
                                                  for w in g.subtree))
                        for g in c.children) and _lemma(t) not in self.cues.get("penalty", ()):
                    return True  # "has supplied arms for years", "frozen for most of the past decade";
                    # "jailed for two years" is the penalty
                if c.dep_ == "prep" and c.lower_ in ("before", "prior") and any(
                        g.dep_ == "pobj" and g.lemma_.lower() in self.cues.get("era", ()) for g in c.subtree):
                    return True  # "relations were warm before the war"
            if t.i == verb.i and _repeated(t):
                return True
            if _elapsed_since(t):
                return True  # "ten years after Venezuela broke off relations", "32 months after Quito cut ties"
        if _start_of_a_state(verb) or _not_undone(verb, self.cues.get("resumption", frozenset())):
            return True
        for a in chain:
            if a.dep_ == "relcl" and a.head.dep_ == "pobj" and a.head.head.lower_ == "since" and a.head.ent_type_ != "DATE":
                return True  # "frozen since the shooting, in which guards killed two smugglers": the past recalled
        for a in chain[1:]:
            if a.lemma_.lower() == "anniversary" or (a.dep_ == "prep" and a.lower_ in ("after", "since") and any(
                    g.lower_ in ELAPSED for g in a.head.children if g.dep_ == "npadvmod")):
                return True  # "the 30th anniversary of the massacre", "ten years after X broke off relations"
        # The habitual present: a present-tense event verb with no auxiliary, in a body sentence
        # ("Pakistan imports most of its arms from China"); headlines (the first sentence) use the
        # present for news.
        if verb.tag_ in ("VBZ", "VBP") and verb.i == tok.i and self.sent.start > 0 and _lemma(verb) not in TARGETING and \
                not any(c.dep_ in ("aux", "auxpass", "neg") for c in verb.children) and \
                not any(e.label_ == "DATE" and not _described(e.root, verb) for e in entities_in(self.sent)) and \
                verb.dep_ in ("ROOT", "conj") and \
                not self.sent.text.rstrip().endswith(("?", ":")):
            return True
        return False

    def _governs(self, verb: Token) -> bool:
        rule = self.rules.get(verb.i)
        return rule is not None and bool(rule.flags & {"intent", "light", "threat", "request"})

    # -- candidates ---------------------------------------------------------------------

    def candidates(self) -> list[Candidate]:
        consumed: set[int] = set()
        out: list[Candidate] = []
        doc = self.sent.doc
        for i in sorted(self.rules, key=lambda i: (len(clause_chain(doc[i])), i)):
            if i in consumed:
                continue
            tok, rule = doc[i], self.rules[i]
            if rule.event is None and not rule.flags and rule.pos == "VERB":
                # A statement ("expressed pessimism over holding negotiations with Washington"): what it
                # is about is its topic, not events of its own.
                consumed.update(t.i for c in tok.children if c.dep_ not in ("nsubj", "nsubjpass", "conj", "cc")
                                for t in c.subtree)
            cand = self.verb_candidate(tok, rule, consumed) if rule.pos != "NOUN" else self.noun_candidate(tok, rule)
            consumed.add(i)
            if cand is not None:
                consumed.add(cand.trigger.i)  # "the decision to bring a case" codes "bring" once
                cand.depth = len(clause_chain(tok)) - 1
                out.append(cand)
        return out

    def _event_nouns(self, v: Token) -> list[Token]:
        """Event nouns a light or reporting verb carries: objects, passive subjects, 'in'-objects."""
        nouns: list[Token] = []
        # "hold its rate steady at its next meeting": with an object of its own, an at-phrase is
        # the occasion, not the event the verb carries ("placed him under arrest" is).
        own_object = any(c.dep_ == "dobj" and not (c.i in self.rules and self.rules[c.i].event)
                         and _lemma(c) not in QUANTITY_NOUNS | CARRIER_NOUNS for c in v.children)
        # "recalled its ambassador for consultations": the consultations are the recall's purpose.
        envoy = bool(object_words(v) & cue_words().get("envoy", frozenset()))
        for c in v.children:
            if c.dep_ in ("dobj", "nsubjpass", "attr") and not (c.dep_ == "dobj" and _lemma(v) in AUDIENCE_VERBS):
                nouns += conjuncts(c)
            elif c.dep_ == "prep" and c.lower_ in ("in", "to", "for", "on", "at", "under", "into") and \
                    not (own_object and c.lower_ == "at") and not (envoy and c.lower_ == "for"):
                nouns += [g for g in c.children if g.dep_ == "pobj"]
        if v.dep_ == "acl":
            nouns.append(v.head)
        # "held a second day of trade negotiations": look through the quantity noun.
        nouns += [g for n in nouns if _lemma(n) in QUANTITY_NOUNS | CARRIER_NOUNS for c in n.children
                  if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        return [n for n in nouns if n.i in self.rules and self.rules[n.i].pos == "NOUN" and self.rules[n.i].event]

    def _complement(self, v: Token) -> Token | None:
        for c in v.children:
            if c.dep_ in ("xcomp", "ccomp") and c.i in self.rules:
                return c
            if c.dep_ == "advcl" and c.i in self.rules and c.i > v.i and \
                    _to_infinitive(c) and \
                    any(o.dep_ == "dobj" or o.dep_ == "prep" and o.lower_ in ("on", "upon") for o in v.children):
                return c  # "challenged Putin in May to meet him": the parse may hang the infinitive on the verb
            if c.dep_ == "xcomp" and _lemma(c) in ASPECT_VERBS:
                # "vowed to keep funding the agency": look through the aspect verb.
                inner = next((g for g in c.children if g.dep_ in ("xcomp", "ccomp") and g.i in self.rules), None)
                if inner is not None:
                    return inner
        for c in v.children:
            if c.dep_ == "dobj" and c.i in self.rules and self.rules[c.i].pos == "NOUN" and self.rules[c.i].event:
                return c  # "offered logistical support to French operations": what is offered is the support
        for c in v.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "for", "to", "from", "with", "on", "against", "over"):
                for g in c.children:
                    if g.dep_ in ("pcomp", "pobj") and g.i in self.rules:
                        return g
        for c in v.children:
            if c.dep_ in ("dobj", "xcomp", "ccomp", "nsubjpass") and c.i in self.rules:
                return c
        # "accused the army of bombing civilians": the parse may hang the content on the object.
        for c in v.children:
            if c.dep_ == "dobj":
                for p in c.children:
                    if p.dep_ == "prep" and p.lower_ in ("of", "for"):
                        for g in p.children:
                            if g.dep_ in ("pcomp", "pobj") and g.i in self.rules:
                                return g
        return None

    def _make(self, tok: Token, rule: TriggerRule, event: str, actor: list[Actor], recipient: list[Actor],
              modal_tok: Token, words: list[Token], nominal: bool = False) -> Candidate:
        negated, hypothetical, future = self.modality(modal_tok)
        if "fail" in rule.flags:
            negated = True
        background = self.background(modal_tok) and not future
        text = " ".join(t.text for t in sorted(set(words), key=lambda t: t.i))
        return Candidate(
            trigger=tok, rule=rule, event=event, mode=rule.mode, cameo=rule.cameo, actor=actor,
            recipient=recipient, trigger_text=text, negated=negated, hypothetical=hypothetical,
            future=future, nominal=nominal, context={rule.context} if rule.context else set(),
            context_of=self, modal=modal_tok, background=background,
        )

    def announcer_of(self, tok: Token) -> list[Actor]:
        """The subject of the reporting or warning verb a predicate is the content of."""
        for anc in tok.ancestors:
            rule = self.rules.get(anc.i)
            if anc.pos_ in ("VERB", "AUX") and (_lemma(anc) in ANNOUNCING or rule is not None and
                                                 rule.flags & {"speech", "threat"}):
                subj = subject_tokens(anc)
                return self.code_tokens(subj, as_actor=True) if subj else []
        return []

    def counterparts(self, tok: Token, event: str, actor: list[Actor], trigger: Token | None = None) -> list[Actor]:
        """Parties a predicate is aimed at when its arguments name none, best first.

        "mediate between Azerbaijan and Armenia" (both sides); "threatened strikes if Washington
        pressed ahead" (the party the condition is about); else the nearest other country,
        organisation or group in the sentence, outside the attribution ("..., Kigali said").
        """
        own = {a.country for a in actor if a.country} | {a.code for a in actor}
        if not actor or len(actor) > 1 and event in JOINT:
            return []  # nobody acts, or several parties act together: no third party is implied
        if event == "AID" and trigger is not None and _lemma(trigger) in BENEFICIARY_VERBS:
            # "embassy staff helping domestic workers leave their employers", "evacuated 3,000 of its
            # citizens from Vietnam": the actor's own people helped are its recipient, not a state nearby
            helped = [g for c in trigger.children for g in ([c] if c.dep_ == "dobj" else
                      [x for x in c.children if x.dep_ == "nsubj"] if c.dep_ in ("ccomp", "xcomp") else [])]
            helped += [g for h in helped if h.pos_ == "NUM" for p in h.children if p.dep_ == "prep" and p.lower_ == "of"
                       for g in p.children if g.dep_ == "pobj"]  # "3,000 of its citizens"
            if helped and all(g.pos_ in ("NOUN", "NUM") for g in helped):
                found = self.code_tokens(helped)
                # "its citizens" are the actor's, not those of the place they leave
                if any(c.dep_ == "poss" and c.lower_ in ("its", "their") for g in helped for c in g.children) or \
                        found and all(a.country in own for a in found):
                    return []
                if not found:  # people of no country named: only where the help itself went counts
                    return [a for a in self.code_tokens(prep_objects(trigger, ("from", "in", "to")))
                            if a.country and a.country not in own]
        # Where a hostile act happens is its target ("attacks inside Kenya"); where talks or
        # pledges happen is only a venue ("agreed to talks in Ecuador").
        venue_ok = event in HOSTILE or event == "AID"
        for t in tok.subtree:
            if t.dep_ == "prep" and t.lower_ in ("between", "among"):
                found = [a for g in t.children if g.dep_ == "pobj" for a in self.code_tokens([g])
                         if a.code not in own]
                if found:
                    return found
        for t in clause_chain(tok)[:3]:
            for c in t.children:
                if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children):
                    found = [a for a in self.code_tokens(subject_tokens(c)[:1]) if a.country not in own]
                    if found:
                        return found
        skip: set[int] = set()
        chain = clause_chain(tok)
        for below, t in zip([None, *chain], chain):
            rule = self.rules.get(t.i)
            # "X told lawmakers ..., but Y dismissed the remarks": a coordinated clause is not reported by X.
            is_source = below is not None and below.dep_ != "conj" and \
                (t.lemma_.lower() in SOURCE_VERBS or rule is not None and "speech" in rule.flags)
            for c in t.children:
                # The subject that holds the event itself ("Honduras's establishment of relations with
                # China was presented as ...") is where its counterpart is.
                if c.dep_ in ("nsubj", "nsubjpass") and (t.i == tok.i or is_source) and \
                        not c.left_edge.i <= (trigger or tok).i <= c.right_edge.i:
                    skip.update(w.i for w in c.subtree)
                if c.dep_ == "prep" and c.lower_ == "according":
                    skip.update(w.i for w in c.subtree)
            if is_source:
                skip.update(w.i for c in t.children if c.dep_ in ("nsubj", "prep", "npadvmod", "dobj", "dative")
                            for w in c.subtree)  # "..., the head of the mission told reporters in Geneva"
        # Companions are not targets: "sailed into the Gulf, escorted by a British frigate".
        companions = self.cues.get("companion", frozenset())
        for t in self.sent:
            if t.dep_ in ("advcl", "acl") and t.tag_ == "VBN" and _lemma(t) in companions:
                skip.update(w.i for w in t.subtree)
        # Descriptions are not targets: "the levy, a tax that the IMF had once held up as an example".
        for t in self.sent:
            aside = t.dep_ == "appos" or t.dep_ == "relcl" and t.left_edge.i > 0 and \
                self.sent.doc[t.left_edge.i - 1].text == ","
            if aside and tok.i not in {w.i for w in t.subtree}:
                skip.update(w.i for w in t.subtree)
        seen: set[int] = set()
        options: list[tuple[int, Token]] = []
        for t in self.sent:
            m = self.actors.token_mention.get(t.i)
            if m is None or id(m) in seen or t.i in skip:
                continue
            seen.add(id(m))
            e = m.entries[0]
            if e.kind in ("person", "place") or e.country in own or e.code in own or not (e.country or e.code):
                continue
            root = next((w for w in self.sent.doc[m.start:m.end] if not m.start <= w.head.i < m.end), t)
            if not venue_ok and root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPS and \
                    _lemma(root.head.head) not in ("embassy", "consulate", "mission"):
                continue  # a venue, but "its embassy in Tehran" names the host
            if any(_lemma(a) in BROKER_NOUNS for a in root.ancestors):
                continue
            options.append((abs(t.i - tok.i) + (0 if t.i > tok.i else 1), root))
        for _, root in sorted(options, key=lambda x: x[0]):
            found = [a for a in self.code_tokens([root]) if a.country not in own and a.code not in own]
            if found:
                return found
        return []

    def event_place(self, tok: Token) -> str | None:
        """Country of where a predicate happens: "beat commuters in Mombasa", "police in Karachi arrested"."""
        for t in tok.subtree:
            if t.dep_ == "pobj" and t.head.lower_ in PLACE_PREPS | {"to", "into", "towards", "toward"}:
                if (country := self._place_country(t)) is not None:
                    return country
        if tok.dep_ == "advcl" and tok.tag_ == "VBG" and tok.head.pos_ == "VERB":
            # "missiles struck Kharkiv, killing seven civilians": where the head event happened.
            for c in tok.head.children:
                if c.dep_ in ("dobj", "pobj") or c.dep_ == "prep" and c.lower_ in PLACE_PREPS:
                    if (country := self._place_country(c)) is not None:
                        return country
        return None

    def _place_country(self, phrase: Token) -> str | None:
        """The country of the first state or place named inside a phrase."""
        for w in phrase.subtree:
            m = self.actors.token_mention.get(w.i)
            e = m.entries[0] if m is not None else None
            if e is not None and e.kind in ("state", "place") and e.country:
                return e.country
        return None

    def verb_candidate(self, v: Token, rule: TriggerRule, consumed: set[int]) -> Candidate | None:
        flags = rule.flags
        if v.dep_ == "amod" and v.tag_ == "VBN":
            return None  # "returns the seized embassy compound", "the Israeli-occupied sector": a description
        if v.dep_ == "pcomp" and v.head.lower_ == "from" and _lemma(v.head.head) in self.cues.get("preventing", ()):
            return None  # "banned its citizens from travelling there": what is stopped does not happen
        if _lemma(v) in ENACTING_VERBS and any(
                c.dep_ == "dobj" and (r := self.rules.get(c.i)) is not None and r.pos == "NOUN" and r.event in ENACTED_TYPES
                for c in v.children):
            return None  # the measure approved is the event (noun_candidate takes this verb's subject)
        particle = [c for c in v.children if c.dep_ == "prt"]
        if flags & {"light", "speech", "motion"}:
            for n in self._event_nouns(v):
                if n.i in consumed:
                    continue
                if _lemma(n) in GENERIC_OPERATIONS and self._purpose_event(v, n):
                    consumed.add(n.i)  # "launched operations to detain 110 soldiers": the detentions are the event
                    continue
                nrule = self.rules[n.i]
                assert nrule.event is not None
                own_actor, own_recipient = self.noun_arguments(n, nrule, nrule.event)
                actor, recipient = self.verb_arguments(v, nrule, nrule.event, exclude={n.i})
                if "inverse" in flags:
                    # "Pakistan received military aid from Russia": the giver acts.
                    source = self.code_tokens(prep_objects(v, ("from", "by")) or prep_objects(n, ("from",)),
                                              as_actor=True)
                    if not source and not own_actor:
                        continue  # "the coup attracted little criticism": from nobody in particular
                    actor, recipient = source, actor
                if is_passive(v) and n.dep_ == "nsubjpass":
                    actor = self.code_tokens([g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"])
                    recipient = self.code_tokens(prep_objects(v, nrule.preps or RECIPIENT_PREPS.get(nrule.event, ())))
                actor = own_actor or actor
                recipient = own_recipient or recipient
                consumed.add(n.i)
                cand = self._make(n, nrule, nrule.event, actor, recipient, v, [v, *particle, n])
                if "speech" in flags and not own_actor:
                    cand.future = cand.future or v.lemma_ in ("announce", "unveil")
                return cand
            if "claim" in flags:
                # "claimed responsibility for the sabotage": the claimed act, an attack unless the noun
                # names another event, is the claimant's.
                claimed = [g for h in (v, *(c for c in v.children if c.dep_ == "dobj")) for c in h.children
                           if c.dep_ == "prep" and c.lower_ == "for" for g in c.children
                           if g.dep_ == "pobj" and g.i not in consumed]
                if not claimed:
                    return None
                noun = claimed[0]
                if not (noun.i in self.rules and self.rules[noun.i].event) and \
                        _lemma(noun) not in self.cues.get("violence", ()):
                    self.statement = True
                    return None  # "claimed credit for the efforts of the Nobel winner": no attack claimed
                attack = self.rules[noun.i] if noun.i in self.rules and self.rules[noun.i].event else TriggerRule(
                    lemma=_lemma(noun), particle=None, pos="NOUN", event="ASSAULT", mode=None, cameo="180",
                    objects=None, preps=(), flags=frozenset({"claimed"}), context=None)
                assert attack.event is not None
                actor = self.code_tokens(subject_tokens(v), self.speaker_of(v), as_actor=True)
                consumed.update(t.i for t in noun.subtree)
                return self._make(noun, attack, attack.event, actor,
                                  self.noun_arguments(noun, attack, attack.event)[1], v, [v, noun])
            if "speech" in flags and _lemma(v) in DEMANDING_SPEECH:
                demand = self._demand(v, consumed)
                if demand is not None:
                    return demand
            if rule.event is None or "motion" not in flags and flags & {"light", "speech"} and rule.event is None:
                return None
        if "execute" in flags:
            # "Aliyev ordered a mobilisation", "Russia decided to expel two diplomats": whoever
            # orders or decides an act is its actor.
            comp = self._complement(v)
            comp_rule = self.rules.get(comp.i) if comp is not None else None
            if comp is not None and comp_rule is not None and comp_rule.event:
                # a clause of its own below the ordered act ("... after NATO aircraft killed 24
                # soldiers") is an event of its own
                own_clauses = {t.i for c in comp.children if c.dep_ in ("advcl", "ccomp")
                               and any(x.dep_ in ("nsubj", "nsubjpass") for x in c.children) for t in c.subtree}
                consumed.update(t.i for t in comp.subtree if t.i in self.rules and t.i != comp.i
                                and t.i not in own_clauses)
                consumed.add(comp.i)
                actor = self.code_tokens(subject_tokens(v), self.speaker_of(v), as_actor=True)
                c_actor, c_recipient = (self.verb_arguments(comp, comp_rule, comp_rule.event) if comp_rule.pos != "NOUN"
                                        else self.noun_arguments(comp, comp_rule, comp_rule.event))
                home = {a.country for a in actor if a.country}
                if comp_rule.event == "RETREAT" and comp_rule.pos != "NOUN" and c_actor and home and \
                        all(a.country and a.country not in home for a in c_actor):
                    # "ordered the United States to leave an air base": a foreign party told to go is expelled
                    return self._make(comp, EXPELLED, "SANCTION", actor, c_actor, v, [v, comp])
                if comp_rule.pos != "NOUN" and c_actor and c_actor != actor and not is_passive(comp):
                    # "ordered operators to block access": the ordered party carries it out for the actor
                    c_recipient = c_recipient or []
                cand = self._make(comp, comp_rule, comp_rule.event, actor or c_actor, c_recipient, v, [v, comp])
                return cand
            if rule.event is None:
                return None
            actor, recipient = self.verb_arguments(v, rule, rule.event)
            ordered_event = v.dep_ == "acl" and v.head.i in self.rules and bool(self.rules[v.head.i].event) \
                and not any(c.dep_ == "dobj" for c in v.children)
            if ordered_event or is_passive(v) and not any(r.kind != "place" for r in recipient):
                # "a fuel price rise ordered by the president", "the withdrawal from the WHO, ordered on
                # its first day": a decree asks nobody; an ordered event codes itself.
                return None
            return self._make(v, rule, rule.event, actor, recipient, v, [v, *particle])
        if flags & {"intent", "refuse", "threat", "request", "accuse", "fail", "deny", "deliberate"}:
            comp = self._complement(v)
            comp_rule = self.rules.get(comp.i) if comp is not None else None
            if "complement" in flags and comp is not None and comp.pos_ in ("VERB", "AUX") and \
                    not any(a.dep_ == "aux" for t in [comp, *_ancestors_below(comp, v)] for a in t.children):
                return None  # "a businessman wanted on charges was extradited": no 'to', no plan
            if "ask-other" in flags and comp is not None and comp_rule is not None and (
                    comp_rule.pos == "NOUN" or comp.dep_ == "ccomp" and any(x.dep_ == "nsubj" for x in comp.children)):
                # "sought Spain's help", "wants Germany to pay more": asking someone else, not intending.
                flags = (flags - {"intent"}) | {"request"}
                rule = replace(rule, flags=flags)
            if comp is not None and comp_rule is not None and comp_rule.event is None and comp_rule.flags & {"light", "motion"}:
                # "ready to resume consultations with Washington": the event is the noun.
                nouns = self._event_nouns(comp)
                if nouns:
                    consumed.add(comp.i)
                    comp, comp_rule = nouns[0], self.rules[nouns[0].i]
            comp_event = comp_rule.event if comp_rule else None
            if "request" in flags and any(_lemma(c) in ("name", "identify", "quote") and is_passive(c)
                                          for c in v.children if c.dep_ in ("xcomp", "ccomp")):
                return None  # "a shopkeeper, who asked not to be named": the reporter's convention
            if _lemma(v) in ("agree", "concur") and comp_event is None and any(
                    c.dep_ == "ccomp" for c in v.children):
                self.statement = True
                return None  # "officials said they agree with the NCAA that ...": an opinion shared
            if _lemma(v) in ("want", "wish") and not (any(c.dep_ == "dobj" for c in v.children) or comp is not None
                                                      and any(c.dep_ == "nsubj" for c in comp.children)):
                self.statement = True
                return None  # "wants to join NATO": its own wish, no one asked
            if "deny" in flags and any(c.dep_ == "ccomp" and c.i < v.i for c in v.children):
                return None  # "Paris accused Baku of ..., a charge Azerbaijan denied": the fronted clause leads
            # What is accused, requested, promised or refused is content, not a further event:
            # "accused X of failing to help them fight militants" codes only the accusation.
            content = [comp] if comp is not None else [c for c in v.children if c.dep_ in ("xcomp", "ccomp")]
            if "accuse" in flags:
                # "accused the countries of using the Games to attack China": all of what is alleged
                content += [g for h in (v, *(o for o in v.children if o.dep_ == "dobj")) for c in h.children
                            if c.dep_ == "prep" and c.lower_ in ("of", "for")
                            for g in c.children if g.dep_ in ("pcomp", "pobj")]
            for part in content:
                consumed.update(t.i for t in part.subtree)
            if "deny" in flags and rule.event is None:
                return None
            if "complement" in flags and comp_event is None:
                return None
            if "intent" in flags and rule.event == "REQUEST" and comp_event is None and any(
                    c.dep_ == "xcomp" and _to_infinitive(c) for c in v.children):
                self.statement = True
                return None  # "sought to reassure Riyadh": its own aim, asking no one for anything
            if flags & {"refuse", "deliberate"} and any(
                    _lemma(c) in self.cues.get("talk", ()) for c in v.children if c.dep_ in ("xcomp", "ccomp")):
                self.statement = True  # and no classifier guess for it either
                return None  # "declined to comment", "refused to be drawn": nothing refused but words
            if flags & {"fail", "deliberate"}:
                # "failed to stop the attack" did not stop it; "is considering sending aid" may send it:
                # the governed act, with the governing verb's subject as its actor.
                if comp_rule is None or comp_event is None:
                    return None
                actor, recipient = self.verb_arguments(v, comp_rule, comp_event)
                c_actor, c_recipient = (self.verb_arguments(comp, comp_rule, comp_event) if comp_rule.pos != "NOUN"
                                        else self.noun_arguments(comp, comp_rule, comp_event))
                subj = subject_tokens(v)[:1]
                if not actor and subj and subj[0].i in self.rules and self.rules[subj[0].i].pos == "NOUN":
                    # "the summit between the EU and Turkey failed to reach agreement": its parties failed.
                    srule = self.rules[subj[0].i]
                    actor = self.noun_arguments(subj[0], srule, srule.event or comp_event)[0]
                    consumed.add(subj[0].i)
                cand = self._make(comp, comp_rule, comp_event, actor or c_actor, c_recipient or recipient, v, [v, comp], )
                if "deliberate" in flags:
                    cand.hypothetical = True
                elif comp_event in COOPERATIVE | RETREATING:
                    # "failed to reach agreement", "failed to agree on a date": CAMEO codes the failure
                    # as a rejection (12), and so do the real-text labels.
                    cand.event, (cand.mode, cand.cameo) = "REJECT", REJECT_MODE.get(comp_event, (None, "120"))
                else:
                    cand.negated = True  # "failed to stop the attack"
                return cand
            event = rule.event
            if event is None:
                return None
            actor, recipient = self.verb_arguments(v, rule, event)
            if comp is not None and comp_rule is not None and comp_event is not None:
                c_actor, c_recipient = (self.verb_arguments(comp, comp_rule, comp_event) if comp_rule.pos != "NOUN"
                                        else self.noun_arguments(comp, comp_rule, comp_event))
                if "request" in flags:
                    recipient = recipient or c_actor or c_recipient
                else:
                    other = [a for a in c_actor if a.code not in {x.code for x in actor}]
                    recipient = recipient or c_recipient or other
                event, mode, cameo = derive(rule, comp_event, comp_rule, helps_someone(comp), moves_jointly(comp))
                cand = self._make(v, rule, event, actor, recipient, v, [v, *particle, comp])
                cand.mode, cand.cameo = mode, cameo
                if comp_rule.context:
                    cand.context.add(comp_rule.context)
                return cand
            if not recipient and flags & {"request", "accuse"}:
                # "Ottawa demanded that New Delhi restore ...": the clause subject is addressed.
                clause = [c for c in v.children if c.dep_ in ("ccomp", "xcomp")]
                recipient = self.code_tokens([g for c in clause for g in subject_tokens(c)[:1]])
            return self._make(v, rule, event, actor, recipient, v, [v, *particle])
        if rule.event is None:
            return None
        if "motion" in flags or rule.mode == "visit":
            # Only a to-infinitive is a purpose ("arrived to help"); "as both sides traded charges" is not.
            purpose = [c for c in v.children if c.dep_ in ("advcl", "xcomp") and c.i in self.rules
                       and self.rules[c.i].event in PURPOSE_TYPES
                       and _to_infinitive(c)]
            if purpose:
                return None
        if self._non_actor_subject(v):
            return None
        if v.tag_ == "VBG" and v.dep_ == "pcomp" and v.head.dep_ == "prep" \
                and not any(c.dep_ in ("nsubj", "poss") for c in v.children):
            # "India's monopoly on supplying fuel to Nepal": what a thing is about, not an act (the
            # parser may hang the preposition on the verb whose object the thing is)
            before = v.doc[v.head.i - 1] if v.head.i > 0 else None
            noun = v.head.head if v.head.head.pos_ == "NOUN" else before if before is not None and \
                before.pos_ == "NOUN" and before.dep_ == "dobj" and before.head.i == v.head.head.i else None
            if noun is not None and noun.i not in self.rules:
                return None
        if _lemma(v) == "target" and v.dep_ in ("advcl", "acl") and self._sanction_head(v.head):
            return None  # "adopted a package of sanctions, targeting Russian gas": what the sanctions hit
        if _lemma(v) in TARGETING and (measure := self._sanction_subject(v)) is not None:
            return self._targeted_measure(v, measure, consumed)
        # "There were ten Russian soldiers killed in Ukraine": a victim's participle reports the attack.
        casualties = v.dep_ == "acl" and v.tag_ == "VBN" and rule.event == "ASSAULT"
        # "X is the largest donor to Sudan, providing $5 billion in assistance since 2005": the sums
        # given are aid, though told as a description (background: kept out of series by default).
        donated = v.dep_ == "advcl" and v.tag_ == "VBG" and rule.event == "AID" and v.head.lemma_ == "be" and any(
            t.ent_type_ == "MONEY" for c in v.children if c.dep_ == "dobj" for t in c.subtree)
        if v.dep_ in ("advcl", "acl") and v.tag_ in ("VBG", "VBN") and not self._reports_event(v.head) \
                and not misparsed_active(v) and not casualties and not donated:
            # "Ukraine was one of the largest exporters ..., shipping most of its grain", "the river
            # flows through six countries, supporting farmers": a participle describing a description.
            return None
        # "a plane carrying Georgians expelled from Russia": where they were expelled from expelled them.
        expelled = v.dep_ == "acl" and rule.mode in ("deport", "expel") and any(
            c.dep_ == "prep" and c.lower_ == "from" for c in v.children)
        if v.dep_ == "acl" and v.tag_ == "VBN" and not any(c.dep_ == "agent" for c in v.children) \
                and not misparsed_active(v) and not casualties and not expelled:
            return None  # "militiamen armed with machetes": a description, not an event
        for n in self._event_nouns(v):
            consumed.add(n.i)
        # Event nouns inside the object are its topic: "blocked the EU sanctions package".
        for obj in (c for c in v.children if c.dep_ in ("dobj", "nsubjpass")):
            consumed.update(t.i for t in obj.subtree if t.i in self.rules and self.rules[t.i].pos == "NOUN")
        actor, recipient = self.verb_arguments(v, rule, rule.event)
        words = [v, *particle]
        if rule.particle:
            words += [c for c in v.children if c.dep_ == "prep" and c.lower_ in rule.particle.split()]
        if rule.objects:
            words += [c for c in v.children if c.dep_ in ("dobj", "nsubjpass") and (c.lemma_.lower() in rule.objects or c.lower_ in rule.objects)]
        cand = self._make(v, rule, rule.event, actor, recipient, v, words)
        cand.background = cand.background or donated or self._undone(v)
        return cand

    def _undone(self, v: Token) -> bool:
        """"restoring diplomatic links broken off by Quito", "lifted sanctions imposed by Washington":
        an act told in a participle of what another act undoes is the past being undone."""
        if v.dep_ != "acl" or v.tag_ != "VBN":
            return False
        undoing = v.head.head if v.head.dep_ in ("dobj", "nsubjpass") else None
        rule = self.rules.get(undoing.i) if undoing is not None else None
        return undoing is not None and (_lemma(undoing) in self.cues.get("resumption", ())
                                        or rule is not None and rule.event in ("RETREAT", "CONCEDE"))

    def _purpose_event(self, v: Token, n: Token) -> bool:
        """Whether a verb or its event noun has a to-infinitive purpose that is an event of its own."""
        return any(c.dep_ in ("advcl", "xcomp", "acl") and c.i in self.rules and self.rules[c.i].event
                   and _to_infinitive(c)
                   for h in (v, n) for c in h.children)

    def _demand(self, v: Token, consumed: set[int]) -> Candidate | None:
        """"HRW said Sudanese authorities must ensure security", "told world leaders that they must change
        course": a speaker saying another party must or should act is asking it to (CAMEO 10)."""
        for c in v.children:
            if c.dep_ not in ("ccomp", "xcomp") or c.pos_ not in ("VERB", "AUX"):
                continue
            aux = [a for a in c.children if a.dep_ == "aux"]
            subj = [x for x in c.children if x.dep_ in ("nsubj", "nsubjpass")]
            modal = next((a for a in aux if a.lower_ in ("must", "should")), None)
            if modal is not None and (not subj or subj[0].i > modal.i):
                continue  # "should he set foot in Armenia": a condition, not a demand
            if modal is None and _lemma(v) == "tell":
                modal = next((a for a in aux if a.lower_ == "to"), None)  # "told Paris to withdraw its troops"
            if modal is None and _lemma(v) == "insist" and c.lower_ == _lemma(c) and not aux and subj:
                modal = c  # "insisted that Baghdad let the inspectors return"
            if modal is None:
                continue
            speaker = self.code_tokens(subject_tokens(v), self.speaker_of(v), as_actor=True)
            addressed = self.code_tokens(subj) if subj and subj[0].pos_ != "PRON" else []
            if not addressed:
                addressed = self.code_tokens([d for d in v.children if d.dep_ in ("dobj", "dative")])
            own = {a.country for a in speaker if a.country} | {a.code for a in speaker}
            addressed = [a for a in addressed if (a.country or a.kind in ("igo", "group"))
                         and a.code not in own and a.country not in own]
            if not addressed:
                continue
            comp_rule = self.rules.get(c.i)
            mode, cameo = REQUEST_MODE.get(comp_rule.event, ("change", "104")) if comp_rule and comp_rule.event \
                else ("change", "104")
            rule = TriggerRule(lemma=_lemma(v), particle=None, pos="VERB", event="REQUEST", mode=mode, cameo=cameo,
                               objects=None, preps=(), flags=frozenset({"demand"}), context=None)
            consumed.update(t.i for t in c.subtree)
            return self._make(v, rule, "REQUEST", speaker, addressed, v, [v, modal, c])
        return None

    def _sanction_subject(self, v: Token) -> Token | None:
        """"The sanctions target Russian banks": a sanction noun as the subject of a targeting verb."""
        subj = subject_tokens(v)
        if subj and subj[0].i in self.rules and self.rules[subj[0].i].event == "SANCTION" and \
                self.rules[subj[0].i].pos == "NOUN":
            return subj[0]
        return None

    def _targeted_measure(self, v: Token, measure: Token, consumed: set[int]) -> Candidate:
        """The sanction itself, aimed at the verb's object; its imposer is its owner or, when the
        sentence names none, the party the article spoke of last ("The EU agreed new measures.
        The sanctions target Russian banks.")."""
        rule = self.rules[measure.i]
        actor, recipient = self.noun_arguments(measure, rule, "SANCTION")
        if not actor:
            actor = [a for a in self.actors.recent[-1:] if a.country or a.kind == "igo"]
        targets = [c for c in v.children if c.dep_ == "dobj"]
        recipient = recipient or [a for a in self.code_tokens(targets) if a.code not in {x.code for x in actor}]
        consumed.add(measure.i)
        return self._make(measure, rule, "SANCTION", actor, recipient, v, [measure, v], nominal=True)

    def _sanction_head(self, head: Token) -> bool:
        rule = self.rules.get(head.i)
        if rule is not None and rule.event == "SANCTION":
            return True
        return rule is not None and "light" in rule.flags and \
            any(self.rules[n.i].event == "SANCTION" for n in self._event_nouns(head))

    def _reports_event(self, head: Token) -> bool:
        """Whether a participle's head is itself an event or reports one (not a description)."""
        if head.i in self.rules:
            return True
        if head.pos_ in ("NOUN", "PROPN"):
            # "militants fighting government troops", "troops loyal to X": the noun's clause decides,
            # through a preposition too ("the economy depends on money sent home by migrants").
            clause = head.head.head if head.dep_ == "pobj" and head.head.dep_ == "prep" else head.head
            return clause.i in self.rules or clause.lemma_.lower() not in DESCRIPTIVE
        return head.lemma_.lower() not in DESCRIPTIVE

    def _non_actor_subject(self, v: Token) -> bool:
        """Earthquakes, storms and diseases also 'strike' and 'kill'; they are not actors."""
        things = self.cues.get("nonactor", frozenset())
        subj = subject_tokens(v) if not is_passive(v) else [
            g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        return any(t.lemma_.lower() in things for t in subj)

    def noun_candidate(self, n: Token, rule: TriggerRule) -> Candidate | None:
        if rule.flags & {"execute", "speech"}:
            # "the Treasury's decision to sanction Dagalo", "Moscow's announcement that it would pull back".
            comp = next((c for c in n.children if c.dep_ in ("acl", "ccomp", "xcomp") and c.i in self.rules
                         and self.rules[c.i].event), None)
            if comp is None:
                return None
            comp_rule = self.rules[comp.i]
            actor, recipient = self.verb_arguments(comp, comp_rule, comp_rule.event)
            if not actor:
                # "South Africa's decision to bring a case", "Moscow's announcement that it would ...".
                actor = self.code_tokens([c for c in n.children if c.dep_ == "poss"], as_actor=True)
            return self._make(comp, comp_rule, comp_rule.event, actor, recipient, comp, [n, comp])
        if rule.event is None:
            return None
        if n.dep_ == "pobj" and n.head.lower_ in TOPIC_PREPS:
            return None  # "concerns about Russia's military cooperation with Pakistan": a topic
        head = n.head
        verb_rule = self.rules.get(head.i) if n.dep_ in ("dobj", "nsubjpass") else None
        if verb_rule is not None and verb_rule.event and verb_rule.objects and n.lemma_.lower() in verb_rule.objects:
            return None  # "decided to drop its submarine contract": the verb's event, its object says which
        actor, recipient = self.noun_arguments(n, rule, rule.event)
        modal_tok = n
        if n.dep_ == "attr" and head.lemma_ == "be" and any(
                c.dep_ == "amod" and (c.tag_ == "JJS" or c.ent_type_ == "ORDINAL") for c in n.children):
            return None  # "the coup was the sixth seizure of power in three years": a classification
        if n.dep_ in ("dobj", "nsubjpass", "attr") and head.pos_ in ("VERB", "AUX"):
            modal_tok = head
            if not actor and head.lemma_.lower() in CARRIER_VERBS | ENACTING_VERBS:
                actor, extra = self.verb_arguments(head, rule, rule.event, exclude={n.i})
                recipient = recipient or extra
            elif not actor:
                return None  # "commentators described the summit as ceremonial": a topic
        elif n.dep_ == "pobj" and head.head.pos_ in ("VERB", "AUX") and head.lower_ in ("in", "for", "to"):
            modal_tok = head.head
            if not actor and head.head.lemma_.lower() in CARRIER_VERBS | {"participate", "engage", "sit", "send", "meet"}:
                actor = self.code_tokens(subject_tokens(head.head), as_actor=True)
            elif not actor:
                return None  # "Iran's economy has adapted to sanctions": a topic
        elif n.dep_ in ("nsubj",) and head.pos_ in ("VERB", "AUX"):
            # "the reopening of Saudi Arabia's embassy": an owned object names the party too.
            owned_object = any(c.dep_ == "prep" and c.lower_ == "of" and any(
                g.dep_ == "pobj" and any(x.dep_ == "poss" and x.pos_ != "PRON" for x in g.children) for g in c.children)
                for c in n.children)
            specific = (owned_object or any(c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("between", "by"))
                                            for c in n.children)) and \
                (recipient or any(t.ent_type_ == "DATE" for t in n.subtree))
            if head.lemma_.lower() not in HAPPENING_VERBS and not specific:
                # "European sanctions took long to design", "the protests are notable": analysis, unless a
                # particular event is named ("Kim's meeting with Putin at Vostochny was described as ...").
                return None
            modal_tok = head
            if not recipient:
                recipient = self.code_tokens(prep_objects(head, rule.preps or RECIPIENT_PREPS.get(rule.event, ())))
        elif not actor:
            return None  # a passing mention ("every loan in Africa") is not a reported event
        if not actor and (rule.event in COOPERATIVE or rule.event == "RETREAT"):
            # "the reopening of Saudi Arabia's embassy": who opens up owns what is opened.
            actor = self.code_tokens([x for c in n.children if c.dep_ == "prep" and c.lower_ == "of"
                                      for g in c.children if g.dep_ == "pobj"
                                      for x in g.children if x.dep_ == "poss" and x.pos_ != "PRON"], as_actor=True)
        if not actor and not recipient:
            return None
        return self._make(n, rule, rule.event, actor, recipient, modal_tok, [n], nominal=True)


AGREE_CAMEO = {"CONSULT": "036", "SUPPORT": "032", "COOPERATE": "031", "AID": "033", "AGREE": "030"}
REQUEST_MODE = {"CONSULT": ("meet", "106"), "AGREE": ("meet", "107"), "AID": ("assist", "103"),
                "COOPERATE": ("assist", "101"), "SUPPORT": ("assist", "102"), "RETREAT": ("yield", "105"),
                "CONCEDE": ("yield", "105")}
REJECT_MODE = {"CONSULT": ("meet", "125"), "AGREE": ("meet", "125"), "AID": ("assist", "122"),
               "COOPERATE": ("assist", "121"), "SUPPORT": ("assist", "121"), "RETREAT": ("yield", "124"),
               "CONCEDE": ("yield", "124"), "REQUEST": (None, "120")}
THREAT_MODE = {"ASSAULT": ("violence", "138"), "SANCTION": ("relations", "1313"), "COERCE": ("restrict", "1312"),
               "MOBILIZE": ("violence", "138"), "REJECT": ("relations", "134")}


def derive(rule: TriggerRule, comp: str, comp_rule: TriggerRule, helping: bool = False, joint: bool = False
           ) -> tuple[str, str | None, str | None]:
    """Type, mode and CAMEO of a verb that governs another predicate ("agreed to hold talks").

    `helping`: the governed act moves forces to help someone (see helps_someone); `joint`: the
    parties move their forces together (see moves_jointly).
    """
    flags = rule.flags
    if "intent" in flags and rule.event == "REQUEST" and comp_rule.pos == "NOUN":
        flags = flags | {"request"}  # "seeks the release of", "sought closer cooperation from": asking
    elif "intent" in flags:
        if comp in COOPERATIVE:
            return "AGREE", None, AGREE_CAMEO.get(comp, "030")
        if comp in RETREATING and not (comp_rule.mode == "access" and comp_rule.lemma in ("open", "reopen")):
            # PLOVER: promised or agreed retreats ("agreed to allow access", "will release") are
            # concessions; they do not reduce to AGREE. Reopening a border or route is agreed.
            return "CONCEDE", None, "035" if comp == "CONCEDE" else "0356"
        if comp in RETREATING:
            return "AGREE", None, "030"
        if comp == "ACCUSE" and comp_rule.mode == "investigate":
            return "AGREE", None, "0355"  # "agreed to send election observers": international involvement
        if comp == "MOBILIZE" and helping:
            return "AGREE", None, "0334"  # "offered to send troops to help the Philippine army"
        if comp == "MOBILIZE" and joint:
            return "AGREE", None, "0312"  # "agreed to patrol the area together": military cooperation
        if comp in ("ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "THREATEN"):
            mode, cameo = THREAT_MODE.get(comp, ("violence", "130"))
            return "THREATEN", mode, cameo
        return comp, comp_rule.mode, comp_rule.cameo
    if "refuse" in flags:
        mode, cameo = REJECT_MODE.get(comp, (rule.mode, rule.cameo))
        return "REJECT", mode, cameo
    if "request" in flags:
        mode, cameo = REQUEST_MODE.get(comp, ("change", "104"))
        return "REQUEST", mode, cameo
    if "threat" in flags:
        mode, cameo = THREAT_MODE.get(comp, (rule.mode, rule.cameo))
        return "THREATEN", mode, cameo
    return rule.event or comp, rule.mode, rule.cameo
