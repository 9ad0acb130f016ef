"""The synthetic demo caseload: deterministic, realistic in its proportions, never a real name."""

import calendar
from collections import Counter
from datetime import date

import pytest

from asylon.demo.scenario import (
    NATIVE_GIVEN_NAMES,
    SPECIFIC_NEEDS,
    STAGES,
    TRADITIONAL_TO_SIMPLIFIED,
    DemoPerson,
    NameVariant,
    Scenario,
    generate,
)

RELATIONS = {"spouse", "child", "parent", "sibling"}
ROMANIZATIONS = {"rr", "mr", "dprk", "pinyin", "passport"}
SOURCES = {"chinese_police", "ngo", "interview", "self"}
ASSESSED = set(STAGES[STAGES.index("assessment_drafted") : STAGES.index("closed") + 1])

_SEPARATORS = str.maketrans("", "", " -'’")
_BREVES = str.maketrans("ŏŭŎŬ", "ouOU")


def plain(text: str) -> str:
    return text.translate(_BREVES).translate(_SEPARATORS).lower()


BANNED_HANGUL = {"일성", "정일", "정은"}
BANNED_HANZI = {"日成", "正日", "正恩"}
BANNED_LATIN = {
    plain(name)
    for name in (
        "Il Sung", "Il-sung", "Ilsung", "Il-sŏng", "Jong Il", "Jeong-il", "Chŏng-il", "Jung-il",
        "Jong Un", "Jeong-eun", "Chŏng-ŭn", "Jung-eun",
    )
}  # fmt: skip
LEADERS = {"김일성", "김정일", "김정은", "김정숙", "김여정", "리설주"}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate(seed=2023, persons=2000)


def youngest_age(person: DemoPerson, today: date) -> int:
    """Age on the latest birth date the partial date allows: the benefit of the doubt."""
    month = person.birth_month or 12
    day = person.birth_day or calendar.monthrange(person.birth_year, month)[1]
    return max(0, today.year - person.birth_year - ((today.month, today.day) < (month, day)))


def by_key(scenario: Scenario) -> dict[str, DemoPerson]:
    return {p.key: p for p in scenario.persons}


# Determinism and size


def test_the_same_seed_gives_the_same_scenario() -> None:
    assert generate(seed=7, persons=500) == generate(seed=7, persons=500)


def test_another_seed_gives_another_scenario() -> None:
    assert generate(seed=7, persons=500) != generate(seed=8, persons=500)


@pytest.mark.parametrize("persons", [50, 2000, 10_000])
def test_the_number_of_persons_is_within_five_percent_of_the_request(persons: int) -> None:
    assert abs(len(generate(persons=persons).persons) - persons) <= persons * 0.05


def test_keys_are_unique(scenario: Scenario) -> None:
    for keys in (
        [p.key for p in scenario.persons],
        [c.key for c in scenario.cases],
        [a.key for a in scenario.alerts],
    ):
        assert len(keys) == len(set(keys))


# Who the people are


def test_about_seventy_percent_are_women(scenario: Scenario) -> None:
    sexes = Counter(p.sex for p in scenario.persons)
    assert set(sexes) == {"F", "M"}
    assert 0.62 <= sexes["F"] / len(scenario.persons) <= 0.80


def test_most_adults_are_in_their_twenties_or_thirties(scenario: Scenario) -> None:
    ages = [youngest_age(p, scenario.today) for p in scenario.persons]
    adults = [a for a in ages if a >= 18]
    assert sum(20 <= a <= 39 for a in adults) / len(adults) > 0.5
    assert any(a < 18 for a in ages)
    assert any(a >= 60 for a in ages)


def test_most_come_from_north_hamgyong_and_ryanggang(scenario: Scenario) -> None:
    provinces = Counter(p.province for p in scenario.persons)
    assert provinces.most_common(1)[0][0] == "North Hamgyong"
    assert (provinces["North Hamgyong"] + provinces["Ryanggang"]) / len(scenario.persons) > 0.65


def test_everyone_is_north_korean_speaks_korean_and_some_speak_chinese(scenario: Scenario) -> None:
    assert {p.nationality for p in scenario.persons} == {"KP"}
    assert all(p.languages[0] == "ko" and set(p.languages) <= {"ko", "zh"} for p in scenario.persons)
    assert any("zh" in p.languages for p in scenario.persons)


def test_nearly_everyone_has_expressed_fear_of_return(scenario: Scenario) -> None:
    assert sum(p.fear_expressed for p in scenario.persons) / len(scenario.persons) > 0.9


def test_partial_birth_dates_are_consistent_and_valid(scenario: Scenario) -> None:
    precisions: Counter[str] = Counter()
    for person in scenario.persons:
        if person.birth_month is None:
            assert person.birth_day is None
            precisions["year"] += 1
        elif person.birth_day is None:
            precisions["month"] += 1
        else:
            assert date(person.birth_year, person.birth_month, person.birth_day) <= scenario.today
            precisions["day"] += 1
        assert 1 <= (person.birth_month or 1) <= 12
        assert person.birth_year <= scenario.today.year
    assert all(precisions[p] > 0 for p in ("year", "month", "day"))


def test_specific_needs_come_from_the_list_in_its_order(scenario: Scenario) -> None:
    for person in scenario.persons:
        assert list(person.specific_needs) == [n for n in SPECIFIC_NEEDS if n in person.specific_needs]
    present = {n for p in scenario.persons for n in p.specific_needs}
    assert present == set(SPECIFIC_NEEDS)


def test_whoever_may_be_a_minor_carries_the_child_need(scenario: Scenario) -> None:
    for person in scenario.persons:
        minor = youngest_age(person, scenario.today) < 18
        assert ("child" in person.specific_needs) == minor, person


def test_older_people_carry_the_older_person_need(scenario: Scenario) -> None:
    for person in scenario.persons:
        if youngest_age(person, scenario.today) >= 60:
            assert "older_person" in person.specific_needs


def test_only_children_alone_in_their_case_are_unaccompanied(scenario: Scenario) -> None:
    persons = by_key(scenario)
    unaccompanied = {p.key for p in scenario.persons if "unaccompanied_child" in p.specific_needs}
    assert unaccompanied
    for case in scenario.cases:
        for key in [case.principal, *(k for k, _ in case.dependants)]:
            if key in unaccompanied:
                assert key == case.principal and not case.dependants
                assert "child" in persons[key].specific_needs


# Names


def all_variants(scenario: Scenario) -> list[NameVariant]:
    return [v for p in scenario.persons for v in p.names]


def test_each_person_has_exactly_one_primary_name_and_it_is_hangul(scenario: Scenario) -> None:
    for person in scenario.persons:
        primaries = [v for v in person.names if v.is_primary]
        assert len(primaries) == 1
        assert primaries[0].script == "Hang"
        assert primaries[0].source in {"self", "interview"}


def test_name_variants_are_well_formed(scenario: Scenario) -> None:
    for variant in all_variants(scenario):
        assert variant.source in SOURCES
        if variant.script in ("Hang", "Hani"):
            assert variant.romanization == ""
            assert variant.text == variant.family_name + variant.given_name
        else:
            assert variant.script == "Latn"
            assert variant.romanization in ROMANIZATIONS
            assert variant.text == f"{variant.family_name} {variant.given_name}"
        assert variant.family_name and variant.given_name
    for person in scenario.persons:
        assert len({v.text for v in person.names}) == len(person.names)


def test_every_kind_of_variant_occurs(scenario: Scenario) -> None:
    kinds = Counter((v.script, v.romanization, v.source) for v in all_variants(scenario))
    for romanization in ROMANIZATIONS:
        assert any(k[1] == romanization for k in kinds), romanization
    assert kinds["Hani", "", "chinese_police"] > 0
    assert kinds["Hani", "", "interview"] > 0
    assert kinds["Hang", "", "ngo"] > 0


def test_primary_names_use_the_northern_spelling_and_ngos_sometimes_the_southern(scenario: Scenario) -> None:
    primaries = Counter(v.family_name for v in all_variants(scenario) if v.is_primary)
    assert primaries["김"] > primaries["리"] > primaries["박"]
    assert not {"이", "노", "양", "염", "나"} & set(primaries)
    southern = {v.family_name for v in all_variants(scenario) if v.script == "Hang" and not v.is_primary}
    assert "이" in southern
    two_syllable = {"남궁", "황보"} & set(primaries)
    assert sum(primaries[s] for s in two_syllable) < len(scenario.persons) * 0.01


def test_chinese_police_write_simplified_characters_and_read_them_in_pinyin(scenario: Scenario) -> None:
    traditional_only = set(TRADITIONAL_TO_SIMPLIFIED)
    for variant in all_variants(scenario):
        if variant.source == "chinese_police" and variant.script == "Hani":
            assert not set(variant.text) & traditional_only, variant
        if variant.romanization == "pinyin":
            assert variant.source == "chinese_police"
    pinyin = {v.text.split()[0]: v for v in all_variants(scenario) if v.romanization == "pinyin"}
    assert "Piao" in pinyin and "Jin" in pinyin


def test_mccune_reischauer_keeps_breves_and_dprk_practice_drops_them(scenario: Scenario) -> None:
    mr = [v for v in all_variants(scenario) if v.romanization == "mr"]
    dprk = [v for v in all_variants(scenario) if v.romanization == "dprk"]
    assert any(set(v.text) & set("ŏŭ") for v in mr)
    assert any("'" in v.text for v in mr)
    for variant in dprk:
        assert not set(variant.text) & set("ŏŭ'-")
        assert all(part[0].isupper() for part in variant.given_name.split())


def test_native_korean_given_names_have_no_hanja(scenario: Scenario) -> None:
    native = {row[0] for row in NATIVE_GIVEN_NAMES}
    holders = [p for p in scenario.persons if p.names[0].given_name in native]
    assert holders
    for person in holders:
        assert all(v.script != "Hani" and v.romanization != "pinyin" for v in person.names)


@pytest.mark.parametrize("seed", [2023, 1, 2, 3])
def test_no_one_bears_a_banned_name_in_any_script(seed: int) -> None:
    scenario = generate(seed=seed, persons=3000)
    for variant in all_variants(scenario):
        assert variant.given_name not in BANNED_HANGUL
        assert variant.given_name not in BANNED_HANZI
        assert plain(variant.given_name) not in BANNED_LATIN, variant
        assert variant.text not in LEADERS
    for alert in scenario.alerts:
        assert not any(plain(alert.names_given).endswith(b) for b in BANNED_LATIN)


# Cases


def test_every_case_member_exists_and_each_person_is_in_exactly_one_case(scenario: Scenario) -> None:
    persons = by_key(scenario)
    membership = Counter(key for case in scenario.cases for key in [case.principal, *(k for k, _ in case.dependants)])
    assert set(membership) == set(persons)
    assert set(membership.values()) == {1}


def test_dependants_have_allowed_relations_and_households_occur(scenario: Scenario) -> None:
    relations = Counter(relation for case in scenario.cases for _, relation in case.dependants)
    assert set(relations) == RELATIONS
    singles = sum(not case.dependants for case in scenario.cases)
    assert 0.5 < singles / len(scenario.cases) < 0.9


def test_children_are_mostly_with_their_mothers(scenario: Scenario) -> None:
    persons = by_key(scenario)
    mothers = [
        c for c in scenario.cases if persons[c.principal].sex == "F" and {r for _, r in c.dependants} == {"child"}
    ]
    assert len(mothers) > sum(1 for c in scenario.cases if any(r == "spouse" for _, r in c.dependants))


def test_every_stage_is_present_and_the_waiting_stages_are_the_largest(scenario: Scenario) -> None:
    stages = Counter(case.target_stage for case in scenario.cases)
    assert set(stages) == set(STAGES)
    for stage in STAGES:
        assert stages[stage] / len(scenario.cases) >= 0.015, stage
    waiting = STAGES[: STAGES.index("interview_scheduled") + 1]
    later = STAGES[STAGES.index("assessment_drafted") :]
    assert min(stages[s] for s in waiting) > max(stages[s] for s in later)


def test_outcomes_and_appeals_follow_the_stage(scenario: Scenario) -> None:
    for case in scenario.cases:
        if case.target_stage in ASSESSED:
            assert case.proposed_outcome in {
                "refugee_status", "complementary_protection", "humanitarian_status", "rejected",
            }  # fmt: skip
        else:
            assert case.proposed_outcome == ""
        # Refugee status is final on notification: nothing to appeal.
        if case.target_stage in ("appeal_window", "appeal_lodged", "appeal_decided"):
            assert case.proposed_outcome != "refugee_status"
        if case.target_stage in ("appeal_lodged", "appeal_decided"):
            assert case.appealed
        if case.appealed:
            assert case.target_stage in ("appeal_lodged", "appeal_decided", "final", "closed")
            assert case.proposed_outcome != "refugee_status"


def test_most_cases_come_from_detention_with_a_site_and_a_date(scenario: Scenario) -> None:
    channels = Counter(case.channel for case in scenario.cases)
    assert channels["detained"] > channels["self_presented"] > channels["alert"] > 0
    assert 6 <= len(scenario.detention_sites) <= 8
    for case in scenario.cases:
        assert (case.detention_site is None) == (case.detained_since is None)
        if case.channel in ("detained", "alert"):
            assert case.detention_site in scenario.detention_sites
            assert case.detained_since is not None and case.detained_since < scenario.today
    assert any(c.channel == "self_presented" and c.detention_site is None for c in scenario.cases)


def test_many_have_been_detained_for_more_than_a_year(scenario: Scenario) -> None:
    held = [(scenario.today - c.detained_since).days for c in scenario.cases if c.detained_since]
    assert sum(days > 365 for days in held) / len(held) > 0.4


def test_detained_cases_with_needs_or_held_over_a_year_are_prioritized(scenario: Scenario) -> None:
    persons = by_key(scenario)
    for case in scenario.cases:
        members = [case.principal, *(k for k, _ in case.dependants)]
        needs = any(persons[k].specific_needs for k in members)
        if case.detained_since and (needs or (scenario.today - case.detained_since).days > 365):
            assert case.processing_mode == "prioritized"
    modes = Counter(case.processing_mode for case in scenario.cases)
    assert set(modes) == {"regular", "prioritized", "accelerated"}
    assert modes["accelerated"] / len(scenario.cases) < 0.1


# Alerts


def test_alerts_name_existing_persons_or_no_one(scenario: Scenario) -> None:
    persons = by_key(scenario)
    assert 8 <= len(scenario.alerts) <= 25
    assert sum(a.person is None for a in scenario.alerts) >= 2
    for alert in scenario.alerts:
        assert alert.person is None or alert.person in persons
        assert alert.raised_by in {"ngo", "monitor"}
        assert alert.site in scenario.detention_sites
        assert alert.raised_on <= scenario.today
        assert alert.names_given and alert.risk.endswith(".")


def test_each_case_from_an_alert_has_an_alert_naming_its_principal(scenario: Scenario) -> None:
    alerted = {a.person: a for a in scenario.alerts if a.person}
    from_alerts = [c for c in scenario.cases if c.channel == "alert"]
    assert 5 <= len(from_alerts) <= 15
    for case in from_alerts:
        alert = alerted[case.principal]
        assert alert.site == case.detention_site
        assert case.detained_since is not None and case.detained_since < alert.raised_on
