"""Duplicate detection across scripts: accuracy per variation kind, batch time, peak memory.

Run: `python bench/duplicates.py [--records N] [--seed S]` (default 100,000 records, seed 1).
Beside it, in the same run, a baseline of rapidfuzz on the raw names (token_sort_ratio within
the same birth year), so the ratio holds on any machine. Truth is the generator's person_id.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter, defaultdict

from rapidfuzz import fuzz, process

from asylon.matching.generator import Registration, generate
from asylon.matching.names import script_of
from asylon.matching.score import DEFAULT_MODEL, DEFAULT_THRESHOLD, Record, scan

_LATIN_SYSTEMS = {"rr", "mr", "dprk", "english"}


def kind(a: Registration, b: Registration) -> str:
    if "pinyin" in (a.scripts, b.scripts) and a.scripts != b.scripts:
        return "pinyin_only"
    if script_of(a.name) != script_of(b.name):
        return "cross_script"
    if a.scripts != b.scripts and {a.scripts, b.scripts} <= _LATIN_SYSTEMS:
        return "other_romanization"
    return "same_system"


def truth(regs: list[Registration]) -> set[tuple[str, str]]:
    by_person: dict[int, list[str]] = defaultdict(list)
    for r in regs:
        by_person[r.person_id].append(r.record_id)
    return {(a, b) for ids in by_person.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}


def report(label: str, found: dict[tuple[str, str], float], true: set[tuple[str, str]], kinds: dict) -> None:
    best = (0.0, 0.0, 0.0, 0.0)
    scores = sorted(found.values(), reverse=True)
    for t in sorted(set(round(s, 2) for s in scores)):
        tp = sum(1 for p, s in found.items() if s >= t and p in true)
        n = sum(1 for s in scores if s >= t)
        precision, recall = tp / max(n, 1), tp / len(true)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        if f1 > best[0]:
            best = (f1, precision, recall, t)
    print(f"{label}: best F1 {best[0]:.3f} (P {best[1]:.3f}, R {best[2]:.3f} at threshold {best[3]:.2f})")
    for threshold in (DEFAULT_THRESHOLD, best[3]):
        hits = {p for p, s in found.items() if s >= threshold}
        tp = hits & true
        line = [f"  at {threshold:.2f}: P {len(tp) / max(len(hits), 1):.3f} R {len(tp) / len(true):.3f}"]
        by_kind = Counter(kinds[p] for p in true)
        found_kind = Counter(kinds[p] for p in tp)
        line += [f"{k} {found_kind[k] / n:.3f} (n={n})" for k, n in sorted(by_kind.items())]
        print(" · ".join(line))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    regs = generate(args.records, args.seed)
    by_id = {r.record_id: r for r in regs}
    true = truth(regs)
    kinds = {p: kind(by_id[p[0]], by_id[p[1]]) for p in true}
    print(f"{len(regs):,} records, {len(true):,} true pairs; kinds {dict(Counter(kinds.values()))}")

    records = [Record(r.record_id, r.name, r.name_alt, r.sex, r.dob, r.province, r.county, r.source) for r in regs]
    start = time.perf_counter()
    pairs = list(scan(records, DEFAULT_MODEL, threshold=0.0))
    elapsed = time.perf_counter() - start
    found = {(p.record_id_a, p.record_id_b): p.score for p in pairs}
    found = {tuple(sorted(k)): v for k, v in found.items()}
    true = {tuple(sorted(k)) for k in true}
    kinds = {tuple(sorted(k)): v for k, v in kinds.items()}
    print(f"asylon.matching: {elapsed:.1f} s, {len(pairs):,} candidate pairs scored")
    report("asylon.matching", found, true, kinds)

    start = time.perf_counter()
    by_year: dict[str, list[Registration]] = defaultdict(list)
    for r in regs:
        year = next((r.dob[i : i + 4] for i in range(len(r.dob) - 3) if r.dob[i : i + 4].isdigit()), "")
        by_year[year].append(r)
    baseline: dict[tuple[str, str], float] = {}
    for group in by_year.values():
        names = [r.name.lower() for r in group]
        for i, name in enumerate(names):
            for _, similarity, j in process.extract(
                name, names, scorer=fuzz.token_sort_ratio, score_cutoff=70, limit=None
            ):
                if i < j:
                    baseline[tuple(sorted((group[i].record_id, group[j].record_id)))] = similarity / 100
    print(f"rapidfuzz on raw names (same birth year, token_sort_ratio >= 70): {time.perf_counter() - start:.1f} s")
    report("rapidfuzz baseline", baseline, true, kinds)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (both methods, one process)")


if __name__ == "__main__":
    main()
