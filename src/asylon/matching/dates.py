"""Dates of birth as each writer gives them: whole, partial, swapped or a day off."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class PartialDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def known(self) -> bool:
        return self.year is not None


class DateEvidence(StrEnum):
    EXACT = "exact"
    COMPATIBLE = "compatible"  # equal where both are known, the month among them; one side partial
    YEAR_ONLY = "year_only"  # one side gives only the year, and it agrees
    SWAPPED = "swapped"  # day and month exchanged (a US-style writer)
    NEAR = "near"  # a day off
    LUNAR = "lunar"  # 20–50 days apart: a lunar-calendar birthday written as a solar date
    YEAR_OFF = "year_off"
    PARTIAL_NEAR = "partial_near"  # one side partial and a year (or, same year, a month) off by one
    PARTIAL_SWAPPED = "partial_swapped"  # 03/1985 beside 1985-12-03: the day was taken for the month
    CONFLICT = "conflict"
    MISSING = "missing"


_YMD = re.compile(r"^(\d{4})[-/.年\s]?(\d{1,2})[-/.月\s]?(\d{1,2})日?$")
_DMY = re.compile(r"^(\d{1,2})[-/.\s](\d{1,2})[-/.\s](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[-/.\s](\d{4})$")
_YM = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_Y = re.compile(r"^(\d{4})年?$")


def _valid(year: int, month: int | None, day: int | None) -> PartialDate | None:
    if not 1900 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


@functools.lru_cache(maxsize=131072)
def parse(text: str) -> PartialDate:
    """19850312, 1985-03-12, 12/03/1985 (day first), 03/1985, 1985-03, 1985, 1985年3月12日."""
    text = (text or "").strip()
    found: PartialDate | None = None
    # The first reading that is a real date wins: "1991-03" also fits year-month-day with its
    # separators left out (1991, 0, 3), which is no date, so it falls through to year-month.
    if m := _YMD.match(text):
        found = _valid(int(m[1]), int(m[2]), int(m[3]))
    if not found and (m := _DMY.match(text)):
        day, month = int(m[1]), int(m[2])
        # 03/12/1985 is ambiguous; a month above 12 says the writer put the month first.
        found = _valid(int(m[3]), month, day) or _valid(int(m[3]), day, month)
    if not found and (m := _MY.match(text)):
        found = _valid(int(m[2]), int(m[1]), None)
    if not found and (m := _YM.match(text)):
        found = _valid(int(m[1]), int(m[2]), None)
    if not found and (m := _Y.match(text)):
        found = _valid(int(m[1]), None, None)
    return found or PartialDate()


def _as_date(d: PartialDate) -> date | None:
    if d.year is None or d.month is None or d.day is None:
        return None
    return date(d.year, d.month, d.day)


def compare(a: PartialDate, b: PartialDate) -> DateEvidence:
    if not a.known or not b.known:
        return DateEvidence.MISSING
    da, db = _as_date(a), _as_date(b)
    if da and db:
        if da == db:
            return DateEvidence.EXACT
        if (a.year, a.month, a.day) == (b.year, b.day, b.month):
            return DateEvidence.SWAPPED
        gap = abs((da - db).days)
        if gap <= 2:  # each writer a day off
            return DateEvidence.NEAR
        if 20 <= gap <= 50:
            return DateEvidence.LUNAR
        if da.month == db.month and abs(da.year - db.year) == 1 and abs(da.day - db.day) <= 2:
            return DateEvidence.YEAR_OFF  # the year off, and perhaps the other writer a day off
        return DateEvidence.CONFLICT
    pairs = ((a.year, b.year), (a.month, b.month), (a.day, b.day))
    if all(x is None or y is None or x == y for x, y in pairs):
        return DateEvidence.COMPATIBLE if a.month is not None and b.month is not None else DateEvidence.YEAR_ONLY
    year_gap = abs((a.year or 0) - (b.year or 0))
    if year_gap == 0 and _day_for_month(a, b):
        return DateEvidence.PARTIAL_SWAPPED
    if year_gap == 1 and a.month is not None and a.month == b.month:
        return DateEvidence.YEAR_OFF
    # A year written a year off, or a lunar birthday a month later, seen by a writer who gave
    # only the year or the month: weaker than agreement, far from a conflict.
    if year_gap == 1 and (a.month is None or b.month is None):
        return DateEvidence.PARTIAL_NEAR
    if _within_a_lunar_shift(a, b):
        return DateEvidence.PARTIAL_NEAR
    return DateEvidence.CONFLICT


def _within_a_lunar_shift(a: PartialDate, b: PartialDate) -> bool:
    """Both give the month, one at least without the day, and the months are adjacent, across
    the turn of a year too (12/1969 beside 1970-01-20): a lunar birthday, or a slip."""
    if a.year is None or b.year is None or a.month is None or b.month is None:
        return False
    return abs((a.year * 12 + a.month) - (b.year * 12 + b.month)) <= 1


def _day_for_month(a: PartialDate, b: PartialDate) -> bool:
    """One side gives year and month only, and its month is the other's day: a writer who swaps
    day and month and then drops the day."""
    partial, whole = (a, b) if a.day is None else (b, a)
    return partial.day is None and partial.month is not None and partial.month == whole.day != whole.month


@functools.lru_cache(maxsize=65536)
def blocking_parts(d: PartialDate) -> tuple[str, str]:
    """Year, and the unordered pair of day and month: a swap keeps both."""
    year = str(d.year) if d.year else ""
    parts = sorted(x for x in (d.month, d.day) if x is not None)
    return year, "-".join(map(str, parts)) if len(parts) == 2 else ""


def shift(d: date, days: int) -> date:
    return d + timedelta(days=days)
