"""The generated Unihan tables replace the `hanja` and `opencc` packages."""

import ast
from pathlib import Path

from asylon.matching import names as names_module
from asylon.matching.names import hangul_readings, initial_law, read_hanzi, readings
from asylon.matching.pinyin_readings import NAME_CHARACTERS, READINGS, given_readings
from asylon.matching.unihan import HANGUL_READINGS, TRADITIONAL


def test_readings_come_from_the_unihan_table():
    assert set(HANGUL_READINGS["金"]) == {"금", "김"}
    assert hangul_readings("金")[0] == "금"  # the common reading is primary; the surname table says 김
    assert set(hangul_readings("李")) == {"리", "이"}
    assert hangul_readings("李")[0] == "리"  # 이 is the initial-sound law's form, applied by the matcher
    assert hangul_readings("朴") == "박"


def test_the_surname_table_wins_over_the_primary_reading():
    assert read_hanzi("金") == "금"
    assert {r.surname for r in readings("金正恩")} == {"kim"}
    assert {r.surname for r in readings("李雪主")} == {"i"}
    assert {r.surname for r in readings("朴东久")} == {"pak"}


def test_simplified_characters_are_read_through_their_traditional_form():
    assert TRADITIONAL["龙"] == "龍"
    assert "沈" not in TRADITIONAL  # a surname in its own right, not only simplified 瀋
    assert read_hanzi("龙海") == read_hanzi("龍海") == "룡해"


def test_the_pinyin_table_keeps_its_shape():
    assert READINGS["jin"][:2] == "근금"
    assert "김" not in READINGS["jin"] or READINGS["jin"].index("김") > 0
    assert "박" in READINGS["pu"]
    assert READINGS["lv"].startswith("려")


def test_no_module_imports_hanja_or_opencc():
    banned = {"hanja", "opencc", "pypinyin"}
    paths = list(Path(names_module.__file__).parent.glob("*.py"))
    assert len(paths) >= 8
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & banned, (path.name, names)


def test_simplified_characters_are_read_as_the_traditional_ones_they_stand_for():
    # Unihan reads 广 엄, 胜 성 and 园 완 in obsolete rights of their own, and 尚 not at all.
    assert read_hanzi("广胜园尚") == "광승원상"
    assert read_hanzi("廣勝園尙") == "광승원상"


def test_every_name_character_has_its_reading_in_unihan():
    for line in filter(None, NAME_CHARACTERS.split("\n")):
        reading, _, characters = line.partition(":")
        for entry in characters.split():
            char, syllable = entry[0], entry[1:]
            assert syllable in READINGS, entry
            assert any(initial_law(r) == initial_law(reading) for r in hangul_readings(char)), (reading, entry)


def test_name_characters_rank_first_among_a_syllables_readings():
    assert given_readings("guo").startswith("국")
    assert given_readings("ji")[:3] == "희기길"
    assert set(given_readings("ji")) >= set(READINGS["ji"])
