"""Detention of applicants is the exception and is reviewed at regular intervals.

UNHCR Detention Guidelines (2012), Guideline 7: periodic review of the necessity of
continued detention; EXCOM Conclusion No. 44 (XXXVII).
"""

from __future__ import annotations

from datetime import date, timedelta

REVIEW_INTERVAL = timedelta(days=30)


def next_review(since: date) -> date:
    return since + REVIEW_INTERVAL


def review_overdue(next_review_on: date, today: date) -> bool:
    return today > next_review_on
