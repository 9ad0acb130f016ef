"""Fit the scoring model on labelled candidate pairs and write it to `fitted.py`.

Run: `python -m asylon.matching.training [--records N] [--seeds S,S,...]` (default three lists
of 100,000 records, seeds 97, 98 and 99: the benchmark measures on seeds 1 and 11, never on the
data the model saw). The labels
are the generator's person ids; officers' review decisions feed `score.fit` the same way.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from asylon.matching.generator import generate
from asylon.matching.score import Model, Record, bulk, candidate_pairs, evidence, fit, prepare, score

TARGET_PRECISION = 0.992  # on the fitting data, so that another seed still clears 0.99


def labelled_pairs(records: int, seed: int) -> Iterator[tuple[tuple[str, ...], bool]]:
    registrations = generate(records, seed)
    with bulk():
        prepared = [
            prepare(Record(r.record_id, r.name, r.name_alt, r.sex, r.dob, r.province, r.county, r.source))
            for r in registrations
        ]
        labelled = [
            (level_set, registrations[i].person_id == registrations[j].person_id)
            for i, j, level_set in evidence(prepared, candidate_pairs(prepared))
        ]
    yield from labelled


def lowest_threshold(model: Model, labelled: list[tuple[tuple[str, ...], bool]], precision: float) -> float:
    """The lowest score at which the pairs at or above it reach the precision."""
    scored = sorted(((score(model, ls), y) for ls, y in labelled), reverse=True)
    true_positives = 0
    best = 1.0
    for flagged, (probability, is_match) in enumerate(scored, start=1):
        true_positives += is_match
        if true_positives / flagged >= precision:
            best = probability
    return round(best, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seeds", default="97,98,99")
    args = parser.parse_args()
    labelled = [pair for seed in args.seeds.split(",") for pair in labelled_pairs(args.records, int(seed))]
    model = fit(labelled)
    threshold = lowest_threshold(model, labelled, TARGET_PRECISION)
    target = Path(__file__).with_name("fitted.py")
    target.write_text(
        f'"""Written by `python -m asylon.matching.training --records {args.records} --seeds {args.seeds}`\n'
        f'from {len(labelled):,} labelled candidate pairs; do not edit."""\n\n'
        f"FITTED_PRIOR = {model.prior}\n"
        f"FITTED_THRESHOLD = {threshold}\n"
        "FITTED_WEIGHTS: dict[str, float] = {\n"
        + "".join(f'    "{level}": {weight},\n' for level, weight in sorted(model.weights.items()))
        + "}\n",
        encoding="utf-8",
    )
    print(f"{len(labelled):,} pairs, prior {model.prior}, threshold {threshold}; written to {target.name}")


if __name__ == "__main__":
    main()
