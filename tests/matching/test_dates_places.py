import pytest

from asylon.matching.dates import DateEvidence, PartialDate, compare, parse
from asylon.matching.places import lookup


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19850312", PartialDate(1985, 3, 12)),
        ("1985-03-12", PartialDate(1985, 3, 12)),
        ("12/03/1985", PartialDate(1985, 3, 12)),
        ("03/1985", PartialDate(1985, 3, None)),
        ("1985-03", PartialDate(1985, 3, None)),  # not 1985, month 0, day 3
        ("1985.3", PartialDate(1985, 3, None)),
        ("1985", PartialDate(1985, None, None)),
        ("1985年3月12日", PartialDate(1985, 3, 12)),
        ("unknown", PartialDate()),
        ("19851340", PartialDate()),
    ],
)
def test_each_writers_date_format_is_parsed(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "evidence"),
    [
        ("19850312", "1985-03-12", DateEvidence.EXACT),
        ("03/1985", "19850312", DateEvidence.COMPATIBLE),
        ("1985", "1985-03-12", DateEvidence.YEAR_ONLY),
        ("1985-12-03", "1985-03-12", DateEvidence.SWAPPED),
        ("1985-03-13", "1985-03-12", DateEvidence.NEAR),
        ("03/1985", "1985-12-03", DateEvidence.PARTIAL_SWAPPED),  # the day taken for the month
        ("1985-12-03", "03/1985", DateEvidence.PARTIAL_SWAPPED),
        ("12/1985", "1985-12-12", DateEvidence.COMPATIBLE),
        ("1965-01-07", "1965-01-05", DateEvidence.NEAR),  # each writer a day off
        ("1963-04-28", "1962-04-29", DateEvidence.YEAR_OFF),  # a year off, and a day
        ("1969-12-03", "01/1970", DateEvidence.PARTIAL_NEAR),  # a lunar birthday across the new year
        ("1985-03-01", "05/1985", DateEvidence.CONFLICT),
        ("1985-04-20", "1985-03-12", DateEvidence.LUNAR),
        ("03/1985", "1985-03-12", DateEvidence.COMPATIBLE),
        ("1985", "1984-03-12", DateEvidence.PARTIAL_NEAR),
        ("04/1985", "1985-03-12", DateEvidence.PARTIAL_NEAR),
        ("03/1986", "1985-03-12", DateEvidence.YEAR_OFF),
        ("1987", "1985-03-12", DateEvidence.CONFLICT),
        ("1986-03-12", "1985-03-12", DateEvidence.YEAR_OFF),
        ("1990-03-12", "1985-03-12", DateEvidence.CONFLICT),
        ("", "1985", DateEvidence.MISSING),
    ],
)
def test_two_dates_give_the_evidence_an_officer_would_see(a, b, evidence):
    assert compare(parse(a), parse(b)) == evidence


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("량강도", "RG"),
        ("양강도", "RG"),
        ("两江道", "RG"),
        ("Ryanggang", "RG"),
        ("Yanggang Province", "RG"),
        ("North Hamgyong", "HGN"),
        ("Hamgyong-bukto", "HGN"),
        ("Hamgyŏng-pukto", "HGN"),
        ("咸镜北道", "HGN"),
        ("나선", "RS"),
        ("Rason", "RS"),
        ("혜산시", "RG-HS"),
        ("Musan County", "HGN-MS"),
    ],
)
def test_the_gazetteer_knows_each_spelling_of_a_place(text, code):
    place = lookup(text)
    assert place is not None
    assert place.code == code


def test_an_unknown_place_is_none():
    assert lookup("Atlantis") is None
