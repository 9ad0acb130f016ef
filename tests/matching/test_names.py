"""Name readings across scripts: the examples from dedup.md, and properties over any Hangul name."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asylon.matching.generator import dprk, english, mccune_reischauer
from asylon.matching.names import (
    Reading,
    fold,
    hangul_forms,
    keys,
    reading_sets,
    readings,
    romanize,
    south,
    strip_marks,
)

SAME_PERSON = [
    ("김정은", "金正恩", "Kim Jong Un", "Kim Jong-un", "Jong-un Kim", "Kim Chŏngŭn", "KIM JONGUN"),
    ("리설주", "이설주", "Ri Sol Ju", "Lee Seol-ju", "李雪主"),
    ("최룡해", "Ch'oe Ryong Hae", "Choe Ryong-hae", "崔龙海"),
    ("박동구", "Pak Tong Gu", "Park Dong-gu", "朴东久", "Pak Tonggu"),
    ("남궁민", "南宫民", "Namgung Min"),
]


hangul_names = st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=2, max_size=4)


def _shared(a: str, b: str) -> bool:
    return bool({r.key for r in readings(a)} & {r.key for r in readings(b)})


@pytest.mark.parametrize("spellings", SAME_PERSON, ids=lambda s: s[0])
def test_every_spelling_of_one_name_shares_a_reading(spellings):
    for other in spellings[1:]:
        assert _shared(spellings[0], other), (spellings[0], other, readings(spellings[0]), readings(other))


def test_the_surname_table_overrides_the_hanja_readings_of_gold_and_sim():
    assert {r.surname for r in readings("金正恩")} == {"kim"}
    assert {r.surname for r in readings("沈正")} == {"sim"}


def test_north_and_south_spellings_give_one_hangul_key():
    assert "H:이설주" in keys("리설주")
    assert "H:임정" in keys("림정")
    assert "H:유경" in keys("류경")


def test_pinyin_only_names_are_read_back_to_korean():
    assert _shared("JIN ZHENGEN", "김정은")
    assert {r.surname for r in readings("Quan Min", "pinyin")} >= {"kon", "con"}  # 권 or 전
    assert {r.surname for r in readings("Xu Min", "pinyin")} >= {"so", "ho"}  # 서 or 허


def test_two_syllable_surnames_are_read_whole():
    assert any(r.surname == fold("hwangbo") for r in readings("황보영희"))


def test_stripping_marks_keeps_hangul_syllables():
    assert strip_marks("김정은 Chŏngŭn") == "김정은 Chongun"


@given(st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7A), min_size=1, max_size=12), st.data())
def test_folding_ignores_case_hyphens_spaces_and_breves(text, data):
    cut = data.draw(st.integers(0, len(text)))
    variant = (text[:cut] + data.draw(st.sampled_from(["-", " ", "'", ""])) + text[cut:]).upper()
    assert fold(variant.replace("O", "Ŏ").replace("U", "Ŭ")) == fold(text)


@given(hangul_names)
def test_reading_a_hangul_name_is_idempotent_on_its_hangul_key(name):
    (hangul_key,) = (k for k in keys(name) if k.startswith("H:"))
    assert hangul_key in keys(hangul_key[2:])


@given(st.sampled_from(["김", "이", "박", "최", "정", "조", "윤"]), hangul_names)
def test_a_hangul_name_meets_its_revised_romanization(surname, given_name):
    latin = f"{romanize(surname).capitalize()} {romanize(south(given_name)).capitalize()}"
    assert _shared(surname + given_name, latin)


@given(st.sampled_from(["김", "박", "최", "강", "조", "한"]), hangul_names)
def test_a_hangul_name_meets_its_mccune_reischauer_and_dprk_spellings(surname, given_name):
    for latin in (
        f"{mccune_reischauer(surname)} {mccune_reischauer(given_name)}",
        f"{mccune_reischauer(surname, breves=False)} {mccune_reischauer(given_name, breves=False)}",
        f"{dprk(surname)} {dprk(given_name)}",
    ):
        assert any(
            x.surname == y.surname and (x.given == y.given or len(x.given) > 3)
            for x in readings(surname + given_name)
            for y in readings(latin)
        ), latin


def test_passport_spellings_fold_to_the_reading():
    assert _shared("정영희", f"Jung {english('영희')}")


def test_a_hyphenated_first_token_is_the_given_name_even_beside_an_unknown_surname():
    assert readings("Jun-dong Km") == {Reading("kim", fold("jundong"))}  # Km: Kim with a letter dropped
    assert {r.surname for r in readings("Il-jun Choi")} <= {"co", "coe"}


def test_pinyin_guesses_are_kept_apart_from_the_name_as_written():
    written, guessed = reading_sets("JIN ZHENGEN")
    assert Reading("kim", "coNun") in guessed
    assert Reading("kim", "coNun") not in written
    assert written  # the spelling itself is kept: it meets an official's pinyin beside the characters


def test_a_written_hint_maps_pinyin_surnames_without_guessing_given_names():
    written, guessed = reading_sets("Piao Chunzhong", "written")
    assert {r.surname for r in written} == {"pak"}
    assert guessed == frozenset()


def test_a_pinyin_given_name_is_read_through_every_common_reading_of_its_syllables():
    _, guessed = reading_sets("Quan Yuzhu", "pinyin")
    assert {"kon", "con"} <= {r.surname for r in guessed}  # 권 or 전
    assert any(r.given == fold(romanize("옥주")) for r in guessed)  # 玉 yu is 옥


def test_hangul_forms_tell_apart_names_that_fold_together():
    assert hangul_forms("崔远定") == {"최원정"}
    assert hangul_forms("崔远青") == {"최원청"}
    assert fold(romanize("원정")) == fold(romanize("원청"))  # why the Hangul is compared too
    assert hangul_forms("金正恩") == hangul_forms("김정은") == hangul_forms("정은 김") == {"김정은"}
    assert hangul_forms("리설주") == hangul_forms("李雪主") == {"이설주"}
    assert hangul_forms("Kim Jong Un") == frozenset()


def test_a_final_n_before_a_k_sound_reads_alike_run_together_or_apart():
    # Revised Romanization runs 춘길 together as chungil; the North writes Chun Kil.
    assert fold("Chungil") == fold("Chun Kil") == fold(romanize("춘길"))
    assert _shared("김춘길", "Kim Chun Kil")
    assert _shared("배준경", "Pae Jun Kyong")
    assert fold("Yong Kil") == fold(romanize("영길")) != fold(romanize("연길"))


def test_passport_ung_is_the_eong_of_jeong_and_seong():
    assert fold("Jung-min") == fold("Jeongmin") == fold("Chŏngmin")
    assert _shared("이성민", "Lee Sung-min")
    assert _shared("정화", "Jung Hwa")


def test_a_surname_with_a_slip_is_still_read_as_that_surname():
    assert {r.surname for r in readings("Pk Chŏngnam")} == {"pak"}  # a letter dropped
    assert {r.surname for r in readings("Soo-jun Hwng")} == {fold("hwang")}
    assert {r.surname for r in readings("Jungg Young-ho")} == {fold("jeong")}  # a letter doubled
    assert _shared("최이준", "Choee Ijun")


def test_a_name_whose_surname_is_written_is_not_read_for_slips():
    assert readings("Kim Jong Un") == {Reading("kim", fold("jongun"))}
    assert {r.surname for r in readings("Ki Hyanghŭi")} == {"kim"}  # no token is a surname as written


def test_the_north_writes_a_two_syllable_surname_apart():
    assert _shared("皇甫慧学", "Hwang Po Hye Hak")
    assert any(r.surname == fold("namgung") for r in readings("Nam Gung Min"))


@pytest.mark.parametrize(
    ("pinyin", "hangul"),
    [
        ("JIN ZHENGUO", "김진국"),  # 国 guo is 국: the only character read so, once dropped from the table
        ("LI TIEHE", "리철혁"),  # 赫 he is 혁
        ("CUI WANJI", "최만희"),  # 姬 ji is 희
        ("XU WANJI", "서만길"),  # 吉 ji is 길, thirteenth of ji's readings by character count
        ("HAN LONG", "한룡"),  # 龙 long is 룡
    ],
)
def test_a_pinyin_given_name_reaches_the_readings_of_name_characters(pinyin, hangul):
    assert _shared(pinyin, hangul)


def test_a_doubled_letter_in_a_pinyin_name_is_undone():
    assert _shared("JIIN RISONG", "김일송")
    assert _shared("ZHAOO HUISHU", "조혜숙")
