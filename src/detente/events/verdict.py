"""Verdicts: one party calling another's act illegal, unjust or a provocation is disapproval (CAMEO 111).

"China called the US sanctions illegal", "Qatar told the Assembly that the blockade imposed by Saudi
Arabia was unjust", "India described Islamabad's remarks as unacceptable": no verb of criticism, yet
each is an accusation, PLOVER ACCUSE (mode disapprove), by the speaker against whoever the judged thing
belongs to.
"""

from __future__ import annotations

from spacy.tokens import Token

from detente.events.extract import Candidate, SentenceCoder, _lemma, clause_chain, definite_unowned, subject_tokens
from detente.lexicon import TriggerRule

VERDICT = TriggerRule(lemma="verdict", particle=None, pos="ADJ", event="ACCUSE", mode="disapprove", cameo="111",
                      objects=None, preps=(), flags=frozenset(), context="diplomatic")
PREDICATE_DEPS = ("acomp", "attr", "oprd")


def _words(coder: SentenceCoder, name: str) -> frozenset[str]:
    return coder.cues.get(name, frozenset())


def _judgement(tok: Token, condemn: frozenset[str]) -> bool:
    words = {tok.lower_, _lemma(tok)}
    # "null and void", "a flagrant violation": the head word or a conjunct decides; "an act of
    # aggression": what the act is of.
    return bool(words & condemn) or any({c.lower_, _lemma(c)} & condemn for c in tok.children if c.dep_ == "conj") \
        or _lemma(tok) == "act" and any({g.lower_, _lemma(g)} & condemn for c in tok.children if c.dep_ == "prep"
                                        and c.lower_ == "of" for g in c.children if g.dep_ == "pobj")


def _judged(pred: Token) -> tuple[Token, Token | None] | None:
    """(verb that says it, the thing judged) for a condemning predicate, or None."""
    head = pred.head
    if pred.dep_ in ("acomp", "attr"):
        # "the blockade ... was unjust": the copula's subject is judged; who says so governs the copula
        # ("said the sanctions were illegal") or hangs below it ("was illegal, the ministry said").
        subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return None
        if head.dep_ in ("ccomp", "xcomp") and head.head.pos_ in ("VERB", "AUX"):
            return head.head, subj
        speech = next((c for c in head.children if c.dep_ in ("parataxis", "ccomp", "advcl") and c.pos_ == "VERB"), None)
        return (speech, subj) if speech is not None else None
    if pred.dep_ == "oprd" or (pred.dep_ in ("amod", "pobj") and head.lower_ == "as"):
        # "called the sanctions illegal", "described the remarks as regrettable".
        verb = head.head if head.lower_ == "as" else head
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None) or next(
            (c for c in pred.children if c.dep_ == "nsubj"), None)  # the parser's small clause
        return (verb, obj) if obj is not None else None
    return None


def verdicts(coder: SentenceCoder) -> list[Candidate]:
    """ACCUSE candidates for condemning verdicts the lexicon's verbs do not carry; they replace what the
    saying verb's own rule makes of it ("called the sanctions illegal" asks for nothing)."""
    condemn, verbs = _words(coder, "condemn"), _words(coder, "verdict")
    out: list[Candidate] = []
    for pred in coder.sent:
        if pred.dep_ not in PREDICATE_DEPS + ("amod", "pobj") or not _judgement(pred, condemn):
            continue
        found = _judged(pred)
        if found is None:
            continue
        verb, thing = found
        if thing is None or _lemma(verb) not in verbs or (verb.i in coder.rules and coder.rules[verb.i].event == "ACCUSE"):
            continue  # the verb's own rule codes it ("condemned the raid as barbaric")
        actor = coder.code_tokens(subject_tokens(verb), coder.speaker_of(verb), as_actor=True)
        recipient = coder.code_tokens([thing]) or coder.code_tokens(coder.owners(thing))
        if not recipient:
            agents = [g for c in thing.children if c.dep_ == "acl" for a in c.children if a.dep_ == "agent"
                      for g in a.children if g.dep_ == "pobj"]
            recipient = coder.code_tokens(agents)
        own = {a.country or a.code for a in actor}
        recipient = [r for r in recipient if (r.country or r.code) not in own and (r.country or r.kind in ("igo", "group"))]
        # "Putin called the downing a stab in the back": a definite act with no owner named is the
        # act reported before it, whose party the document's coder finds (events.code.answered_thing).
        if not actor or not recipient and not definite_unowned(thing):
            continue
        cand = coder._make(pred, VERDICT, "ACCUSE", actor, recipient, verb, [verb, pred])
        cand.judged = thing if not recipient else None
        cand.depth = len(clause_chain(verb)) - 1
        out.append(cand)
        break  # one verdict per sentence
    return out
