import csv

from django.core.management import call_command

from asylon.matching import score as score_module
from asylon.matching.generator import generate
from asylon.matching.score import (
    DEFAULT_MODEL,
    DEFAULT_THRESHOLD,
    BlockStats,
    Record,
    blocking_keys,
    candidate_pairs,
    fit,
    levels,
    prepare,
    rivals_level,
    scan,
    score,
    with_frequency,
)


def test_the_generator_is_deterministic_by_seed():
    assert generate(300, seed=5) == generate(300, seed=5)
    assert generate(300, seed=5) != generate(300, seed=6)


def test_the_same_person_in_three_scripts_is_flagged():
    records = [
        Record("a", "金正恩", "Jin Zhengen", "男", "19840108", "两江道", "惠山", "official"),
        Record("b", "김정은", "", "M", "01/1984", "량강도", "", "ngo"),
        Record("c", "Kim Jong Un", "", "m", "1984-01-08", "Ryanggang", "Hyesan", "interview"),
    ]
    scores = {(p.record_id_a, p.record_id_b): p.score for p in scan(records, DEFAULT_MODEL, threshold=0.5)}
    assert set(scores) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert scores["a", "c"] >= 0.99  # whole birthday and county agree; the NGO gave only 01/1984


def test_twins_are_evidence_against_a_merge():
    twin_a = Record("a", "김정철", "", "M", "1990-05-01", "Ryanggang", "Hyesan")
    twin_b = Record("b", "김정남", "", "M", "1990-05-01", "Ryanggang", "Hyesan")
    assert list(scan([twin_a, twin_b], DEFAULT_MODEL)) == []
    assert levels(prepare(twin_a), prepare(twin_b))[0] != "name:exact"


def test_the_command_writes_the_pairs_to_review(tmp_path):
    source = tmp_path / "list.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "name", "sex", "dob", "province"])
        writer.writerow(["1", "리설주", "여", "1989-09-28", "평양"])
        writer.writerow(["2", "Ri Sol Ju", "F", "28/09/1989", "Pyongyang"])
        writer.writerow(["3", "박동구", "M", "1970", ""])
    out = tmp_path / "pairs.csv"
    call_command("duplicates", "scan", str(source), "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["record_id_a"], r["record_id_b"]) for r in rows] == [("1", "2")]
    assert 0.5 <= float(rows[0]["score"]) <= 1.0


def _keys_shared(a: Record, b: Record) -> set[str]:
    return blocking_keys(prepare(a)) & blocking_keys(prepare(b))


def test_birth_years_one_apart_share_a_blocking_key():
    for year in (1984, 1985):
        a = Record("a", "김정은", dob=str(year))
        b = Record("b", "Kim Jong Un", dob=f"{year + 1}-01-08")
        assert any(k.startswith("n:") for k in _keys_shared(a, b))
    far = _keys_shared(Record("a", "김정은", dob="1980"), Record("b", "김정은", dob="1983"))
    assert not any(k.startswith("n:") for k in far)


def test_a_day_month_swap_keeps_the_date_key():
    shared = _keys_shared(Record("a", "김정은", dob="1985-03-12"), Record("b", "김철", dob="1985-12-03"))
    assert shared == {"d:kim:1985:3-12"}


def test_a_record_without_a_birth_year_is_compared_with_every_namesake():
    people = [
        prepare(Record("a", "김정은")),
        prepare(Record("b", "Kim Jong Un", dob="1984-01-08")),
        prepare(Record("c", "金正恩", dob="1990")),
    ]
    assert candidate_pairs(people) == {(0, 1), (0, 2)}


def test_an_oversized_block_is_split_by_sex_and_province_not_dropped(monkeypatch):
    monkeypatch.setattr(score_module, "BLOCK_LIMIT", 3)
    people = [
        prepare(Record(str(i), "김정은", sex=sex, dob="1984", province=province))
        for i, (sex, province) in enumerate([("M", "평양"), ("M", "평양"), ("F", "평양"), ("F", "Rason"), ("", "평양")])
    ]
    stats = BlockStats()
    pairs = candidate_pairs(people, stats)
    assert stats.split >= 1
    assert (0, 1) in pairs and (0, 4) in pairs and (2, 4) in pairs  # unknown sex joins every part
    assert (0, 2) not in pairs  # a man and a woman of one name and year: another key must bring them


def test_one_letter_apart_is_its_own_level_below_an_exact_name():
    a = prepare(Record("a", "Kim Chunsong"))
    assert levels(a, prepare(Record("b", "Kim Chunson")))[0] == "name:one_edit"
    assert levels(a, prepare(Record("c", "Kim Chunsong")))[0] == "name:exact"


def test_names_that_fold_together_but_differ_in_hangul_are_marked():
    a, b = prepare(Record("a", "崔远定")), prepare(Record("b", "崔远青"))
    assert levels(a, b)[0] == "name:exact"
    assert "name_hangul:exact+differs" in levels(a, b)
    assert score(DEFAULT_MODEL, levels(a, b)) < score(DEFAULT_MODEL, levels(a, prepare(Record("c", "최원정"))))


def test_a_pinyin_only_name_meets_the_korean_reading_at_its_own_level():
    a = prepare(Record("a", "JIN ZHENGEN", source="ngo"))
    b = prepare(Record("b", "김정은"))
    assert levels(a, b)[0] in ("name:pinyin", "name:pinyin_many")
    official = prepare(Record("c", "金正恩", "Jin Zhengen", source="official"))
    assert official.pinyin == frozenset()  # the characters are read; their pinyin adds no guesses
    assert levels(a, official)[0] == levels(a, b)[0]


def test_officials_pinyin_spelling_alone_is_no_evidence():
    # 金贞恩 and 金镇恩 are both Jin Zhenen: one sound, two names (김정은, 김진은).
    a = prepare(Record("a", "金贞恩", "Jin Zhenen", source="official"))
    b = prepare(Record("b", "金镇恩", "Jin Zhenen", source="official"))
    c = prepare(Record("c", "金正银", "Jin Zhengyin", source="official"))
    assert levels(a, c)[0] == "name:exact"  # 김정은 both, in other characters
    assert levels(a, b)[0] not in ("name:exact", "name:pinyin", "name:pinyin_many")


def test_a_rare_exact_name_weighs_more_than_a_frequent_one():
    level_set = levels(prepare(Record("a", "김정은", dob="1984")), prepare(Record("b", "김정은", dob="1984-01-08")))
    assert score(DEFAULT_MODEL, level_set, name_share=1e-6) > score(DEFAULT_MODEL, level_set, name_share=1e-3)
    assert score(DEFAULT_MODEL, level_set, name_share=1e-6) == score(DEFAULT_MODEL, with_frequency(level_set, 1e-6))


def test_rival_namesakes_lower_the_score_of_a_partial_birth_date_match():
    level_set = levels(prepare(Record("a", "김정은", dob="1984")), prepare(Record("b", "김정은", dob="1984-01-08")))
    alone = score(DEFAULT_MODEL, (*level_set, rivals_level(0)))
    crowded = score(DEFAULT_MODEL, (*level_set, rivals_level(3)))
    assert alone > crowded


def test_fit_gives_positive_weight_to_what_matches_share_and_negative_to_what_they_do_not():
    labelled = (
        [(("name:exact", "dob:exact"), True)] * 400
        + [(("name:exact", "dob:conflict"), False)] * 300
        + [(("name:other", "dob:exact"), False)] * 300
        + [(("name:exact", "dob:exact"), False)] * 20
    )
    model = fit(labelled)
    assert model.weights["dob:exact"] > model.weights["dob:conflict"]
    assert model.weights["name:exact"] > model.weights["name:other"]
    assert score(model, ("name:exact", "dob:exact")) > 0.9
    assert score(model, ("name:other", "dob:exact")) < 0.1


def test_the_documented_threshold_is_the_fitted_one():
    assert 0.5 < DEFAULT_THRESHOLD < 1.0
    assert (
        DEFAULT_MODEL.weights["sex:disagree"]
        < 0
        < DEFAULT_MODEL.weights["county:agree"] - DEFAULT_MODEL.weights["county:disagree"]
    )


def test_two_processes_flag_the_same_pairs_as_one(monkeypatch):
    records = [
        Record(r.record_id, r.name, r.name_alt, r.sex, r.dob, r.province, r.county, r.source)
        for r in generate(3000, seed=7)
    ]
    alone = list(scan(records, DEFAULT_MODEL, threshold=0.3, workers=1))
    monkeypatch.setattr(score_module, "PARALLEL_MINIMUM", 10)
    together = list(scan(records, DEFAULT_MODEL, threshold=0.3, workers=2))
    assert together == alone
    assert len(alone) > 50


def test_a_dropped_letter_is_a_slip_but_a_changed_consonant_another_syllable():
    a = prepare(Record("a", "Gim Jeongdong", dob="1994-05-20"))
    assert levels(a, prepare(Record("b", "金贞永", dob="19940520")))[0] == "name:one_change"  # 정영
    assert levels(a, prepare(Record("c", "Gim Jeongdog", dob="1994-05-20")))[0] == "name:one_edit"
    assert levels(a, prepare(Record("d", "Gim Jeongdon", dob="1994-05-20")))[0] == "name:one_edit"


def test_names_apart_only_in_vowels_the_romanizations_confuse_have_their_own_level():
    a = prepare(Record("a", "Jeong Namsel"))  # 설 as sel: the o of eo dropped
    assert levels(a, prepare(Record("b", "Chŏng Namsŏl", name_alt="정남설")))[0] == "name:vowels"


def test_twins_whose_names_fold_together_are_still_twin_like():
    a = prepare(Record("a", "崔远定", dob="19960509"))
    b = prepare(Record("b", "崔远青", dob="19960509"))
    assert "family:twin_like" in levels(a, b)
