"""Korean and Simplified Chinese: every string translated, the core's refusals included, and
dates as each language writes them."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import formats, translation

from asylon.front import labels
from asylon.procedure.refusals import SENTENCES, Code

LOCALE = Path(labels.__file__).resolve().parent.parent / "locale"
CATALOGUES = {"ko": LOCALE / "ko/LC_MESSAGES/django.po", "zh-hans": LOCALE / "zh_Hans/LC_MESSAGES/django.po"}
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\}")


def entries(po: Path) -> list[dict[str, str]]:
    """The catalogue's entries: msgid, msgstr (the first form) and their flags."""
    found: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                found.append(entry)
            entry, key = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            key = "msgstr" if key == "msgstr[0]" else key
            entry[key] = ast.literal_eval(value)
    return [e for e in found if e["msgid"]]


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_every_string_of_the_interface_is_translated_and_none_is_a_guess(language):
    catalogue = entries(CATALOGUES[language])

    assert len(catalogue) > 400
    untranslated = [e["msgid"] for e in catalogue if not e.get("msgstr")]
    assert untranslated == [], "untranslated: run `make messages`, then translate these"
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e.get("flags", "")]
    assert fuzzy == [], "machine-matched guesses (fuzzy) must be checked and the flag removed"


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_every_placeholder_is_kept_in_the_translation(language):
    for e in entries(CATALOGUES[language]):
        if not e.get("msgstr"):
            continue  # counted by the test above
        assert sorted(PLACEHOLDER.findall(e["msgstr"])) == sorted(PLACEHOLDER.findall(e["msgid"])), e["msgid"]


def test_every_refusal_of_the_core_is_marked_for_translation_in_the_cores_own_words():
    # makemessages reads literals only; labels.REFUSALS repeats the core's sentences for it.
    assert set(labels.REFUSALS) == set(Code)
    with translation.override("en"):
        assert {code: str(words) for code, words in labels.REFUSALS.items()} == SENTENCES


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("ko", "목적지가 송환 금지 국가 목록에 있습니다."),
        ("zh-hans", "目的地已列入禁止遣返国家名单。"),
    ],
)
def test_a_refusal_reads_in_the_officers_language(language, sentence):
    # The compiled catalogue (`make` compiles it) is what the pages use.
    with translation.override(language):
        assert translation.gettext(SENTENCES[Code.DESTINATION_ON_NO_RETURN_REGISTER]) == sentence
        assert labels.label("refusal", Code.DESTINATION_ON_NO_RETURN_REGISTER) == sentence


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "number"),
    [
        ("en", "2026-11-28", "2026-11-28 09:30", "100,000"),
        ("ko", "2026년 11월 28일", "2026년 11월 28일 09:30", "100,000"),
        ("zh-hans", "2026年11月28日", "2026年11月28日 09:30", "100,000"),
    ],
)
def test_dates_and_numbers_are_written_as_each_language_writes_them(language, short_date, short_datetime, number):
    with translation.override(language):
        assert formats.date_format(date(2026, 11, 28), "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(datetime(2026, 11, 28, 9, 30), "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.number_format(100000, force_grouping=True) == number
