"""Dates of birth as each writer gives them: whole, partial, swapped or a day off."""

from __future__ import annotations

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
    COMPATIBLE = "compatible"  # equal where both are known; one side partial
    SWAPPED = "swapped"  # day and month exchanged (a US-style writer)
    NEAR = "near"  # a day off, or a lunar-calendar birthday 20–50 days later
    YEAR_OFF = "year_off"
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


def parse(text: str) -> PartialDate:
    """19850312, 1985-03-12, 12/03/1985 (day first), 03/1985, 1985-03, 1985, 1985年3月12日."""
    text = (text or "").strip()
    found: PartialDate | None = None
    if m := _YMD.match(text):
        found = _valid(int(m[1]), int(m[2]), int(m[3]))
    elif m := _DMY.match(text):
        day, month = int(m[1]), int(m[2])
        # 03/12/1985 is ambiguous; a month above 12 says the writer put the month first.
        found = _valid(int(m[3]), month, day) or _valid(int(m[3]), day, month)
    elif m := _MY.match(text):
        found = _valid(int(m[2]), int(m[1]), None)
    elif m := _YM.match(text):
        found = _valid(int(m[1]), int(m[2]), None)
    elif m := _Y.match(text):
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
        if gap <= 1 or 20 <= gap <= 50:
            return DateEvidence.NEAR
        if (a.month, a.day) == (b.month, b.day) and abs((a.year or 0) - (b.year or 0)) == 1:
            return DateEvidence.YEAR_OFF
        return DateEvidence.CONFLICT
    pairs = ((a.year, b.year), (a.month, b.month), (a.day, b.day))
    if all(x is None or y is None or x == y for x, y in pairs):
        return DateEvidence.COMPATIBLE
    if a.year is not None and b.year is not None and abs(a.year - b.year) == 1 and (a.month, b.month) != (None, None):
        return DateEvidence.YEAR_OFF if a.month == b.month else DateEvidence.CONFLICT
    return DateEvidence.CONFLICT


def blocking_parts(d: PartialDate) -> tuple[str, str]:
    """Year, and the unordered pair of day and month: a swap keeps both."""
    year = str(d.year) if d.year else ""
    parts = sorted(x for x in (d.month, d.day) if x is not None)
    return year, "-".join(map(str, parts)) if len(parts) == 2 else ""


def shift(d: date, days: int) -> date:
    return d + timedelta(days=days)
