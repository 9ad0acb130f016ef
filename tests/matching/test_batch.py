"""The batch (`scan`, `evidence`) compares pairs by codes and caches; it must say what `levels` says."""

from asylon.matching import score as score_module
from asylon.matching.generator import generate
from asylon.matching.score import (
    DEFAULT_MODEL,
    BlockStats,
    Record,
    candidate_pairs,
    evidence,
    levels,
    name_level,
    name_shares,
    prepare,
    scan,
    score,
    with_frequency,
)


def _records(count: int, seed: int) -> list[Record]:
    return [
        Record(r.record_id, r.name, r.name_alt, r.sex, r.dob, r.province, r.county, r.source)
        for r in generate(count, seed=seed)
    ]


def test_the_batch_gives_each_pair_the_levels_a_single_comparison_gives():
    prepared = [prepare(r) for r in _records(3000, seed=5)]
    shares = name_shares(prepared)
    compared = 0
    for i, j, level_set in evidence(prepared, candidate_pairs(prepared)):
        expected = levels(prepared[i], prepared[j])
        shared = name_level(prepared[i], prepared[j])[1]
        if shared in shares:
            expected = with_frequency(expected, shares[shared])
        assert level_set[:-1] == expected, (prepared[i], prepared[j])
        assert level_set[-1].startswith("rivals:")
        compared += 1
    assert compared > 100


def test_the_batch_flags_exactly_the_pairs_that_score_at_the_threshold(monkeypatch):
    records = _records(3000, seed=6)
    prepared = [prepare(r) for r in records]
    threshold = 0.5
    expected = {
        (records[i].record_id, records[j].record_id, round(score(DEFAULT_MODEL, level_set), 4))
        for i, j, level_set in evidence(prepared, candidate_pairs(prepared))
        if score(DEFAULT_MODEL, level_set) >= threshold
    }
    alone = {(p.record_id_a, p.record_id_b, p.score) for p in scan(records, DEFAULT_MODEL, threshold, workers=1)}
    monkeypatch.setattr(score_module, "PARALLEL_MINIMUM", 10)
    stats = BlockStats()
    together = {(p.record_id_a, p.record_id_b, p.score) for p in scan(records, DEFAULT_MODEL, threshold, stats)}
    assert alone == together == expected
    assert len(expected) > 50
    assert stats.blocks > 0


def test_candidate_pairs_are_each_pair_once_with_the_first_record_first():
    prepared = [prepare(r) for r in _records(2000, seed=8)]
    pairs = candidate_pairs(prepared)
    assert pairs and all(0 <= i < j < len(prepared) for i, j in pairs)


def test_a_record_without_a_birth_year_meets_every_namesake_once(monkeypatch):
    records = [
        Record("a", "김정은"),
        Record("b", "Kim Jong Un", dob="1984-01-08"),
        Record("c", "金正恩", dob="1990"),
        Record("d", "박동구"),
    ]
    assert candidate_pairs([prepare(r) for r in records]) == {(0, 1), (0, 2)}
    alone = [(p.record_id_a, p.record_id_b) for p in scan(records, DEFAULT_MODEL, 0.0, workers=1)]
    monkeypatch.setattr(score_module, "PARALLEL_MINIMUM", 1)
    together = [(p.record_id_a, p.record_id_b) for p in scan(records, DEFAULT_MODEL, 0.0)]
    assert alone == together == [("a", "b"), ("a", "c")]
