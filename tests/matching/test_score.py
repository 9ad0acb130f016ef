import csv

from django.core.management import call_command

from asylon.matching.generator import generate
from asylon.matching.score import DEFAULT_MODEL, Record, levels, prepare, scan


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
