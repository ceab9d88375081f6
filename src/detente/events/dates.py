"""Resolve time expressions against the publication date, with a precision.

dateparser handles absolute dates; the relative forms news uses most ("in December last
year", "earlier this month", "Thursday last week", "on Tuesday") are resolved here first.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3, "few": 3, "couple of": 2, "a couple of": 2}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_RE = "|".join(WEEKDAYS)

Resolved = tuple[dt.date, str]


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _shift_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def _last_weekday(base: dt.date, weekday: int, strictly_before: bool = False) -> dt.date:
    delta = (base.weekday() - weekday) % 7
    if delta == 0 and strictly_before:
        delta = 7
    return base - dt.timedelta(days=delta)


def _rules(text: str, base: dt.date, future: bool) -> Resolved | None:
    t = " ".join(text.lower().replace(",", " ").split())
    t = re.sub(r"^(?:(?:the|on|in|during|since|by|from|until|at|of)\s+)+", "", t)
    # A part of the day dates its day: "Monday night", "late on Sunday", "the night of June 15".
    if t not in ("last night", "this morning", "this afternoon", "this evening", "tonight"):
        t = re.sub(r"^(?:(?:early|late|overnight)\s+(?:on\s+)?|(?:night|morning|evening|afternoon)\s+of\s+)", "", t)
        t = re.sub(r"\s+(?:night|morning|evening|afternoon)$", "", t)
    if t in ("today", "this morning", "this afternoon", "this evening", "tonight", "now"):
        return base, "day"
    if t in ("yesterday", "last night", "yesterday morning", "yesterday evening"):
        return base - dt.timedelta(days=1), "day"
    if t in ("tomorrow",):
        return base + dt.timedelta(days=1), "day"
    if t in ("this week", "earlier this week", "later this week"):
        return base - dt.timedelta(days=base.weekday()), "week"
    if t in ("last week", "the previous week", "previous week", "past week"):
        return base - dt.timedelta(days=base.weekday() + 7), "week"
    if t == "next week":
        return base + dt.timedelta(days=7 - base.weekday()), "week"
    if t in ("this month", "earlier this month", "later this month", "so far this month"):
        return _month_start(base.year, base.month), "month"
    if t in ("last month", "previous month", "past month"):
        return _shift_months(base, -1), "month"
    if t == "next month":
        return _shift_months(base, 1), "month"
    if t in ("this year", "earlier this year", "later this year", "so far this year"):
        return dt.date(base.year, 1, 1), "year"
    if t in ("last year", "previous year", "past year"):
        return dt.date(base.year - 1, 1, 1), "year"
    if t == "next year":
        return dt.date(base.year + 1, 1, 1), "year"
    m = re.fullmatch(rf"(?:(last|this|next|past)\s+)?({_DAY_RE})(?:\s+(last|this|next)\s+week)?", t)
    if m:
        before, day, week = m.groups()
        wd = WEEKDAYS[day]
        if week == "last" or before in ("last", "past"):
            start = base - dt.timedelta(days=base.weekday() + 7)
            return start + dt.timedelta(days=wd), "day"
        if week == "next" or before == "next":
            start = base + dt.timedelta(days=7 - base.weekday())
            return start + dt.timedelta(days=wd), "day"
        if future:
            return base + dt.timedelta(days=(wd - base.weekday()) % 7 or 7), "day"
        return _last_weekday(base, wd), "day"
    m = re.fullmatch(rf"(?:early|late|mid|mid-)?\s*({_MONTH_RE})\s+(last|this|next)\s+year", t)
    if m:
        month, rel = MONTHS[m.group(1)], m.group(2)
        year = base.year + {"last": -1, "this": 0, "next": 1}[rel]
        return _month_start(year, month), "month"
    m = re.fullmatch(rf"(?:early|late|mid|mid-)?\s*(?:last|this|next)?\s*({_MONTH_RE})", t)
    if m:
        month = MONTHS[m.group(1)]
        year = base.year
        if future:
            year += 1 if month < base.month else 0
        elif month > base.month:
            year -= 1
        return _month_start(year, month), "month"
    m = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})(?:\s+(\d{{4}}))?|({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(\d{{4}}))?", t)
    if m:
        day = int(m.group(1) or m.group(5))
        month = MONTHS[m.group(2) or m.group(4)]
        year_text = m.group(3) or m.group(6)
        year = int(year_text) if year_text else base.year
        try:
            found = dt.date(year, month, day)
        except ValueError:
            return None
        if not year_text and not future and found > base:
            found = found.replace(year=year - 1)
        return found, "day"
    m = re.fullmatch(rf"({_MONTH_RE})\s+(\d{{4}})", t)
    if m:
        return _month_start(int(m.group(2)), MONTHS[m.group(1)]), "month"
    m = re.fullmatch(r"(?:the\s+)?(?:early\s+|late\s+|mid-?)?((?:19|20)\d)0s", t)
    if m:
        return dt.date(int(m.group(1) + "0"), 1, 1), "year"  # a decade: its first year
    m = re.fullmatch(r"(?:the\s+)?(?:year\s+)?((?:19|20)\d\d)", t)
    if m:
        return dt.date(int(m.group(1)), 1, 1), "year"
    m = re.fullmatch(r"(a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|few|a couple of|\d+)\s+(day|week|month|year)s?\s+(ago|earlier|before)", t)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1)]
        unit = m.group(2)
        if unit == "day":
            return base - dt.timedelta(days=n), "day"
        if unit == "week":
            return base - dt.timedelta(weeks=n), "week"
        if unit == "month":
            return _shift_months(base, -n), "month"
        return dt.date(base.year - n, 1, 1), "year"
    return None


def _dateparser(text: str, base: dt.date) -> dt.datetime | None:
    import dateparser  # imported lazily: it is only needed for unusual expressions

    settings = {"RELATIVE_BASE": dt.datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "past",
                "RETURN_TIME_AS_PERIOD": False, "REQUIRE_PARTS": ["year"]}
    return dateparser.parse(text, languages=["en"], settings=settings)


def warm() -> None:
    """Import dateparser and compile its English patterns now (0.17 s on the first call)."""
    _dateparser("in 1999", dt.date(2000, 1, 1))


@cache
def _parse_with_dateparser(text: str, base: dt.date) -> Resolved | None:
    found = _dateparser(text, base)
    if found is None or abs(found.year - base.year) > 60:
        return None  # a stray number read as a year, not a date
    return found.date(), "day"


def names_a_day(text: str) -> bool:
    """Whether a time of day names its day ("Monday night", "last night"): spaCy calls these TIME."""
    t = text.lower()
    return bool(re.search(rf"\b(?:{_DAY_RE}|yesterday|last night|{_MONTH_RE})\b", t))


@cache
def resolve_date(text: str, base: dt.date | None, future: bool = False) -> Resolved | None:
    """Resolve a time expression to (date, precision); None if it is not a date we trust."""
    if base is None:
        m = re.search(r"\b((?:19|20)\d\d)\b", text)
        if m and not re.search(_MONTH_RE, text.lower()):
            return dt.date(int(m.group(1)), 1, 1), "year"
        base = None
    if base is not None:
        found = _rules(text, base, future)
        if found is not None:
            return found
    if re.search(r"\d{4}", text):
        return _parse_with_dateparser(text.strip(), base or dt.date(2000, 1, 1))
    return None
