"""Actors: states by every kind of name, IGOs, non-state groups, people, possessives, user tables."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pytest

from detente.actors.tables import country_entries, group_entries, igo_entries, load_custom
from detente.errors import InputError
from detente.models import Actor


def actor_of(events: list, event_type: str, side: str = "actor") -> list[Actor]:
    found = [e for e in events if e.event_type == event_type]
    assert found, f"no {event_type} event in {[(e.event_type, e.trigger) for e in events]}"
    return getattr(found[0], side)


def check(actors: list[Actor], code: str, country: str | None, sector: str | None, kind: str | None = None,
          name: str | None = None) -> None:
    assert len(actors) == 1, actors
    [a] = actors
    got = (a.code, a.country, a.sector)
    assert got == (code, country, sector), f"{a.text!r} coded {got}, expected {(code, country, sector)}"
    if kind is not None:
        assert a.kind == kind, a
    if name is not None:
        assert a.name == name, a


# (id, sentence, publication date, event type, side, code, country, sector, kind)
CASES = [
    ("country-name", "Pakistan accused India of sheltering militants.", None, "ACCUSE", "actor",
     "PAK", "PAK", None, "state"),
    ("country-name-recipient", "Pakistan accused India of sheltering militants.", None, "ACCUSE", "recipient",
     "IND", "IND", None, "state"),
    ("official-name", "The Islamic Republic of Pakistan imposed sanctions on Denmark.", None, "SANCTION", "actor",
     "PAK", "PAK", None, "state"),
    ("official-name-russia", "The Russian Federation imposed sanctions on Ukraine.", None, "SANCTION", "actor",
     "RUS", "RUS", None, "state"),
    ("abbreviation-US", "The US imposed sanctions on Iran.", None, "SANCTION", "actor", "USA", "USA", None, "state"),
    ("abbreviation-UK", "The UK imposed sanctions on Iran.", None, "SANCTION", "actor", "GBR", "GBR", None, "state"),
    ("abbreviation-UAE", "The UAE imposed sanctions on Iran.", None, "SANCTION", "actor", "ARE", "ARE", None, "state"),
    ("demonym-troops", "Pakistani troops shelled Afghan border posts.", None, "ASSAULT", "actor",
     "PAKMIL", "PAK", "MIL", None),
    ("demonym-recipient", "Turkish police arrested two Syrian journalists.", None, "COERCE", "recipient",
     "SYRJRN", "SYR", "JRN", None),
    ("demonym-police", "Turkish police arrested two Syrian journalists.", None, "COERCE", "actor",
     "TURCOP", "TUR", "COP", None),
    ("capital-moscow", "Moscow condemned the strike on Kyiv.", None, "ACCUSE", "actor", "RUSGOV", "RUS", "GOV", "state"),
    ("capital-washington", "Washington imposed sanctions on Cuba.", None, "SANCTION", "actor",
     "USAGOV", "USA", "GOV", "state"),
    ("capital-beijing", "Beijing accused Washington of interference.", None, "ACCUSE", "actor",
     "CHNGOV", "CHN", "GOV", "state"),
    ("capital-recipient", "Beijing accused Washington of interference.", None, "ACCUSE", "recipient",
     "USAGOV", "USA", "GOV", "state"),
    ("metonym-white-house", "The White House condemned the attack.", None, "ACCUSE", "actor",
     "USAGOV", "USA", "GOV", "state"),
    ("metonym-downing-street", "Downing Street condemned the attack.", None, "ACCUSE", "actor",
     "GBRGOV", "GBR", "GOV", "state"),
    ("metonym-kremlin", "The Kremlin accused Ukraine of sabotage.", None, "ACCUSE", "actor",
     "RUSGOV", "RUS", "GOV", "state"),
    ("metonym-pentagon", "The Pentagon deployed troops to Poland.", None, "MOBILIZE", "actor",
     "USAMIL", "USA", "MIL", "state"),
    ("igo-un", "The UN urged Israel to allow aid into Gaza.", None, "REQUEST", "actor", "IGOUNO", None, None, "igo"),
    ("igo-nato", "NATO accused Russia of cyberattacks.", None, "ACCUSE", "actor", "IGONATO", None, None, "igo"),
    ("igo-sco", "The SCO praised China's mediation.", None, "SUPPORT", "actor", "IGOSCO", None, None, "igo"),
    ("igo-eu", "The European Union imposed sanctions on Belarus.", None, "SANCTION", "actor",
     "IGOEUR", None, None, "igo"),
    ("igo-unsc", "The UN Security Council condemned the attack.", None, "ACCUSE", "actor",
     "IGOUNSC", None, None, "igo"),
    ("igo-with-role", "EU foreign ministers imposed sanctions on Iran.", None, "SANCTION", "actor",
     "IGOEUR", None, "GOV", "igo"),
    ("igo-eu-recipient", "Farmers in France protested against the European Union.", None, "PROTEST", "recipient",
     "IGOEUR", None, None, "igo"),
    ("group-taliban-insurgents", "The Taliban arrested two journalists.", "2020-01-05", "COERCE", "actor",
     "TALIBAN", "AFG", "REB", "group"),
    ("group-taliban-in-power", "The Taliban arrested two journalists.", "2023-01-05", "COERCE", "actor",
     "TALIBAN", "AFG", "GOV", "group"),
    ("group-ttp", "The TTP attacked a police station in Peshawar.", None, "ASSAULT", "actor",
     "TTP", "PAK", "REB", "group"),
    ("group-daesh", "Daesh attacked a checkpoint in Syria.", None, "ASSAULT", "actor", "ISIS", None, "REB", "group"),
    ("group-hamas", "Hamas accused Israel of violating the truce.", None, "ACCUSE", "actor",
     "HAMAS", "PSE", "REB", "group"),
    ("group-houthis", "The Houthis attacked a ship in the Red Sea.", None, "ASSAULT", "actor",
     "HOUTHIS", "YEM", "REB", "group"),
    ("group-hezbollah", "Hezbollah fired rockets at Israel.", None, "ASSAULT", "actor",
     "HEZBOLLAH", "LBN", "REB", "group"),
    ("group-al-qaeda", "Al-Qaeda attacked a convoy in Yemen.", None, "ASSAULT", "actor",
     "ALQAEDA", None, "REB", "group"),
    ("demonym-officials", "U.S. officials accused Iran of arming the Houthis.", None, "ACCUSE", "actor",
     "USAGOV", "USA", "GOV", None),
    ("possessive-ministry", "India's foreign ministry accused Pakistan of sheltering militants.", None, "ACCUSE",
     "actor", "INDGOV", "IND", "GOV", None),
    ("possessive-recipient", "Russia rejected Ukraine's peace proposal.", None, "REJECT", "recipient",
     "UKR", "UKR", None, None),
    ("embassy", "Protesters demonstrated outside the Russian embassy.", None, "PROTEST", "recipient",
     "RUSGOV", "RUS", "GOV", None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_actor_coding(case, code) -> None:
    _, sentence, pub, event_type, side, want_code, country, sector, kind = case
    events = code(sentence, pub_date=pub)
    check(actor_of(events, event_type, side), want_code, country, sector, kind)


def test_capital_as_speaker(nlp) -> None:
    """'Moscow said' codes Moscow as the Russian government (DocumentActors.resolve on the token)."""
    from detente.actors.recognize import DocumentActors
    from detente.run.pipeline import actor_matcher

    doc = nlp("Moscow said the talks had been useful.")
    actors = DocumentActors(doc, actor_matcher(None), dt.date(2024, 3, 14)).resolve(doc[0])
    check(actors, "RUSGOV", "RUS", "GOV", "state", "Russia")


def test_capital_speaker_carries_to_reported_clause(code) -> None:
    # An actor announcing its own future sanctions threatens them (PLOVER THREATEN).
    [ev] = [e for e in code("Moscow said it would impose sanctions on Poland.") if e.event_type == "THREATEN"]
    check(ev.actor, "RUSGOV", "RUS", "GOV")
    check(ev.recipient, "POL", "POL", None)
    assert ev.cameo_code == "1313"


def test_compound_actor_is_a_list(code) -> None:
    [ev] = [e for e in code("Russia and China imposed sanctions on Japan.") if e.event_type == "SANCTION"]
    assert [(a.code, a.country) for a in ev.actor] == [("RUS", "RUS"), ("CHN", "CHN")]
    assert [a.text for a in ev.actor] == ["Russia", "China"]


def test_named_official_and_later_mention(code) -> None:
    text = ("Russian Deputy Foreign Minister Sergei Ryabkov met Pakistan's ambassador in Moscow.\n\n"
            "Ryabkov accused the United States of undermining arms control.")
    events = code(text)
    first = actor_of(events, "CONSULT")
    check(first, "RUSGOV", "RUS", "GOV", "person", "Sergei Ryabkov")
    assert first[0].text == "Russian Deputy Foreign Minister Sergei Ryabkov"
    check(actor_of(events, "CONSULT", "recipient"), "PAKGOV", "PAK", "GOV")
    later = actor_of(events, "ACCUSE")
    check(later, "RUSGOV", "RUS", "GOV", "person", "Sergei Ryabkov")
    assert later[0].text == "Ryabkov"
    check(actor_of(events, "ACCUSE", "recipient"), "USA", "USA", None, "state")


def test_person_memory_is_per_document(code_docs, make_doc) -> None:
    """The later bare mention resolves within its document; the memory never leaks into the next one."""
    first = make_doc("Russian Deputy Foreign Minister Sergei Ryabkov met Chinese officials in Beijing.", "doc-1")
    second = make_doc("Ryabkov accused the United States of undermining arms control.", "doc-2")
    events = code_docs([first, second])
    assert any(a.name == "Sergei Ryabkov" for e in events if e.doc_id == "doc-1" for a in e.actor)
    assert not any(a.name == "Sergei Ryabkov" for e in events if e.doc_id == "doc-2" for a in e.actor + e.recipient)


# -- user actor table ---------------------------------------------------------------------------

TABLE = (
    "text\tcode\tcountry\tsector\tname\tkind\n"
    "Zorbland Liberation Front\tZLF\tAFG\tREB\tZorbland Liberation Front\tgroup\n"
    "ZLF\tZLF\tAFG\tREB\tZorbland Liberation Front\tgroup\n"
    "Ruritania\tRUR\tRUR\t\tRuritania\tstate\n"
)


@pytest.fixture(scope="module")
def actor_table(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("actors") / "custom.tsv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_load_custom_table(actor_table: Path) -> None:
    entries = load_custom(actor_table)
    assert [(e.pattern, e.code, e.country, e.sector, e.kind) for e in entries] == [
        ("Zorbland Liberation Front", "ZLF", "AFG", "REB", "group"),
        ("ZLF", "ZLF", "AFG", "REB", "group"),
        ("Ruritania", "RUR", "RUR", None, "state"),
    ]


def test_custom_actor_table_in_code_documents(actor_table: Path, code_docs, make_doc) -> None:
    docs = [make_doc("The Zorbland Liberation Front attacked a police station in Kabul.", "zlf-1"),
            make_doc("Ruritania imposed sanctions on Denmark.", "rur-1")]
    events = code_docs(docs, actor_table=str(actor_table))
    zlf = actor_of([e for e in events if e.doc_id == "zlf-1"], "ASSAULT")
    check(zlf, "ZLF", "AFG", "REB", "group", "Zorbland Liberation Front")
    rur = actor_of([e for e in events if e.doc_id == "rur-1"], "SANCTION")
    check(rur, "RUR", "RUR", None, "state", "Ruritania")
    check(actor_of([e for e in events if e.doc_id == "rur-1"], "SANCTION", "recipient"), "DNK", "DNK", None)
    # Without the table the same texts have no such actors.
    plain = code_docs(docs)
    assert not any(a.code in ("ZLF", "RUR") for e in plain for a in e.actor + e.recipient)


def test_custom_table_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tcountry\nfoo\tAFG\n", encoding="utf-8")
    with pytest.raises(InputError, match="text"):
        load_custom(bad)
    empty_code = tmp_path / "empty_code.tsv"
    empty_code.write_text("text\tcode\nSomething\t\n", encoding="utf-8")
    with pytest.raises(InputError, match=":2"):
        load_custom(empty_code)
    with pytest.raises(InputError):
        load_custom(tmp_path / "missing.tsv")


# -- the tables themselves ----------------------------------------------------------------------


def test_tables_hold_the_expected_entries() -> None:
    states = {(e.pattern, e.form): e for e in country_entries()}
    assert states[("Pakistani", "adjective")].code == "PAK"
    assert states[("Moscow", "capital")].sector == "GOV"
    assert states[("Kremlin", "metonym")].code == "RUS"
    assert states[("Pentagon", "metonym")].sector == "MIL"
    assert states[("UAE", "alias")].code == "ARE"
    igos = {e.pattern: e.code for e in igo_entries()}
    assert igos["UN"] == "IGOUNO" and igos["NATO"] == "IGONATO" and igos["SCO"] == "IGOSCO"
    assert igos["European Union"] == "IGOEUR"
    groups = {e.pattern: e.code for e in group_entries()}
    assert groups["Daesh"] == "ISIS" and groups["TTP"] == "TTP" and groups["Houthis"] == "HOUTHIS"
    for entry in country_entries():
        assert len(entry.country) == 3 and entry.country.isupper(), entry


# -- leaders (date-aware) -----------------------------------------------------------------------

HAS_LEADERS = (resources.files("detente.actors") / "data" / "leaders.tsv").is_file()
needs_leaders = pytest.mark.skipif(not HAS_LEADERS, reason="actors/data/leaders.tsv not written yet")


@needs_leaders
def test_leader_by_surname(code) -> None:
    events = code("Obama criticized Russia.", pub_date="2014-11-10")
    check(actor_of(events, "ACCUSE"), "USAGOV", "USA", "GOV", "person", "Barack Obama")
    check(actor_of(events, "ACCUSE", "recipient"), "RUS", "RUS", None)


@needs_leaders
@pytest.mark.parametrize("pub, name", [("2019-06-01", "Imran Khan"), ("2023-06-01", "Shehbaz Sharif")])
def test_office_holder_by_date(pub: str, name: str, code) -> None:
    events = code("The Pakistani prime minister visited China.", pub_date=pub)
    check(actor_of(events, "CONSULT"), "PAKGOV", "PAK", "GOV", "person", name)
    check(actor_of(events, "CONSULT", "recipient"), "CHN", "CHN", None)


# -- cases the coder got wrong during 0.1 development (kept as regression tests) ----------------


def test_national_forces_are_military(code) -> None:
    events = code("Azerbaijani forces shelled Armenian positions near Jermuk.")
    check(actor_of(events, "ASSAULT"), "AZEMIL", "AZE", "MIL")


def test_quantity_of_protesters_keeps_their_sector(code) -> None:
    events = code("Thousands of Kenyan protesters demonstrated outside the Chinese embassy in Nairobi.")
    check(actor_of(events, "PROTEST"), "KENCVL", "KEN", "CVL")


@pytest.mark.parametrize("sentence, absent", [
    ("Gunmen shot dead Ecuadorian presidential candidate Fernando Villavicencio in Quito.", "COL"),
    ("A Sudanese delegation was received in Cairo by Egyptian intelligence chief Hassan Rashad.", "IND"),
])
def test_a_city_inside_a_persons_name_places_nothing(sentence: str, absent: str, code) -> None:
    ev = code(sentence)[0]
    assert absent not in {a.country for a in ev.actor + ev.recipient}


def test_the_three_countries_are_the_three_named_together(code) -> None:
    """'the three countries' after 'Russia, China and Pakistan ... on Afghanistan' are those three,
    not the last three countries named."""
    evs = code("Russia, China and Pakistan held talks on Afghanistan in Moscow, and the three countries "
               "called for an end to the fighting.")
    asks = [e for e in evs if e.event_type == "REQUEST"]
    assert asks and sorted(a.country for a in asks[0].actor) == ["CHN", "PAK", "RUS"]


@needs_leaders
def test_a_family_name_written_first_is_the_person_later(code) -> None:
    # Korean and Chinese names put the family first: "Moon" alone is Moon Jae-in, not "Jae-in"
    events = code("South Korean President Moon Jae-in met North Korean leader Kim Jong Un at Panmunjom. "
                  "Moon will visit Pyongyang in the autumn.", pub_date="2018-04-27")
    visit = next(e for e in events if "visit" in (e.trigger or ""))
    assert [a.code for a in visit.actor] == ["KORGOV"]
    assert visit.actor[0].name == "Moon Jae-in"
