"""The generator's people and slips: what no reader could resolve must not be in the benchmark."""

from collections import defaultdict
from datetime import date, timedelta

from asylon.matching.generator import Generator


def _one_slip(born: date) -> set[date]:
    """The birthday as written with at most one writer's slip: a day off, a year off, a lunar date."""
    leap_day = (born.month, born.day) == (2, 29)
    years_off = {born.replace(year=born.year + step, day=28 if leap_day else born.day) for step in (-1, 1)}
    return {born, born - timedelta(days=1), born + timedelta(days=1), *years_off} | {
        born + timedelta(days=days) for days in range(20, 50)
    }


def test_no_family_gives_two_of_its_members_one_given_name():
    given_names = defaultdict(list)
    for person in Generator(seed=4).persons(20_000):
        given_names[person.household_id].append(person.given)
    assert all(len(names) == len(set(names)) for names in given_names.values())


def test_an_officials_date_is_the_birthday_with_at_most_one_slip():
    generator = Generator(seed=3)
    officials = 0
    for serial, person in enumerate(generator.persons(20_000)):
        registration = generator.register(person, serial)
        if registration.source != "official":
            continue
        year, month, day = int(registration.dob[:4]), int(registration.dob[4:6]), int(registration.dob[6:])
        written = {date(year, month, day)} | ({date(year, day, month)} if day <= 12 else set())
        assert written & _one_slip(person.born), (person.born, registration.dob)
        officials += 1
    assert officials > 5000
