"""Duplicate detection across scripts: accuracy per variation kind, top-5, batch time, peak memory.

Run: `python bench/duplicates.py [--records N] [--seed S] [--baseline-sample M] [--batch-only]`
(default 100,000 records, seed 1; the 1M set is `--records 1000000 --seed 11`). The model in
`asylon.matching.fitted` was fitted on seeds 97–99 (`python -m asylon.matching.training`), so
every figure here is measured on data the model never saw. Truth is the generator's person_id.

Printed: the batch (`scan` at the documented threshold, as `asylon duplicates scan` runs it) with
its wall and CPU time, the growth of peak RSS it caused and the peak memory of all its processes
together (`--batch-only` stops there); then every candidate pair scored for the
precision/recall curve, recall per variation kind, false positives by cause, and the top-5 rate
(for each record with a true duplicate: is one among its 5 best-scored candidates?). Beside it,
in the same run, a baseline of rapidfuzz on the raw names (token_sort_ratio ≥ 70 within the same
birth year); above --baseline-sample records it runs on a sample of whole persons, said so.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import threading
import time
from collections import Counter, defaultdict

from rapidfuzz import fuzz, process

from asylon.matching import fitted
from asylon.matching.generator import Registration, generate
from asylon.matching.names import script_of
from asylon.matching.score import (
    DEFAULT_MODEL,
    DEFAULT_THRESHOLD,
    BlockStats,
    Record,
    bulk,
    candidate_pairs,
    evidence,
    prepare,
    scan,
    score,
)

_LATIN_SYSTEMS = {"rr", "mr", "dprk", "english"}
Key = tuple[str, str]


def kind(a: Registration, b: Registration) -> str:
    if "pinyin" in (a.scripts, b.scripts) and a.scripts != b.scripts:
        return "pinyin_only"
    if script_of(a.name) != script_of(b.name):
        return "cross_script"
    if a.scripts != b.scripts and {a.scripts, b.scripts} <= _LATIN_SYSTEMS:
        return "other_romanization"
    return "same_system"


def truth(regs: list[Registration]) -> set[Key]:
    by_person: dict[int, list[str]] = defaultdict(list)
    for r in regs:
        by_person[r.person_id].append(r.record_id)
    return {(min(a, b), max(a, b)) for ids in by_person.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Peak of the proportional set size of this process and its children together, sampled:
    forked workers share pages with the parent, so adding their peak RSS counts those twice.
    Seldom: the kernel walks a process's page tables to answer (some 50 ms for a few GB)."""

    def __init__(self, every: float = 2.0) -> None:
        self.peak_mib = 0.0
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_mib = max(self.peak_mib, sum(map(_pss_mib, [os.getpid(), *_children(os.getpid())])))

    @staticmethod
    def available() -> bool:
        return os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _pss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next((int(line.split()[1]) / 1024 for line in handle if line.startswith("Pss:")), 0.0)
    except OSError:
        return 0.0  # a worker that has just finished


def curve(found: dict[Key, float], true: set[Key]) -> list[tuple[float, float, float, float]]:
    """(threshold, precision, recall, F1) at every distinct score rounded to 0.001."""
    ranked = sorted(((s, p in true) for p, s in found.items()), reverse=True)
    out, tp, n, k = [], 0, 0, 0
    for t in sorted({round(s, 3) for s, _ in ranked}, reverse=True):
        while k < len(ranked) and ranked[k][0] >= t:
            tp += ranked[k][1]
            n += 1
            k += 1
        precision, recall = tp / max(n, 1), tp / max(len(true), 1)
        out.append((t, precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)))
    return out


def report(
    label: str, found: dict[Key, float], true: set[Key], kinds: dict[Key, str], documented: float | None
) -> None:
    points = curve(found, true)
    best = max(points, key=lambda x: x[3], default=(0.0, 0.0, 0.0, 0.0))
    at_99 = max((p for p in points if p[1] >= 0.99), key=lambda x: x[2], default=(1.0, 0.0, 0.0, 0.0))
    print(f"{label}: best F1 {best[3]:.3f} (P {best[1]:.3f}, R {best[2]:.3f} at {best[0]:.3f}); ", end="")
    print(f"recall at P >= 0.99: {at_99[2]:.3f} (at {at_99[0]:.3f})")
    thresholds = [("documented", documented)] if documented is not None else []
    thresholds.append(("best F1", best[0]))
    by_kind = Counter(kinds[p] for p in true)
    print(f"  {'threshold':<22} {'P':>6} {'R':>6} {'F1':>6}   " + "  ".join(f"{k:>18}" for k in sorted(by_kind)))
    print(
        f"  {'(true pairs)':<22} {'':>6} {'':>6} {'':>6}   " + "  ".join(f"{by_kind[k]:>18,}" for k in sorted(by_kind))
    )
    for name, threshold in thresholds:
        hits = {p for p, s in found.items() if s >= threshold}
        tp = hits & true
        precision, recall = len(tp) / max(len(hits), 1), len(tp) / max(len(true), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        found_kind = Counter(kinds[p] for p in tp)
        cells = "  ".join(f"{'R ' + format(found_kind[k] / by_kind[k], '.3f'):>18}" for k in sorted(by_kind))
        print(f"  {name + ' ' + format(threshold, '.3f'):<22} {precision:>6.3f} {recall:>6.3f} {f1:>6.3f}   {cells}")


def top5(found: dict[Key, float], true: set[Key]) -> tuple[float, int]:
    """Share of records with a true duplicate that have one among their 5 best-scored candidates."""
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in true:
        partners[a].add(b)
        partners[b].add(a)
    ranked: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (a, b), s in found.items():
        if a in partners:
            ranked[a].append((s, b))
        if b in partners:
            ranked[b].append((s, a))
    hits = sum(
        1 for record, dups in partners.items() if any(other in dups for _, other in sorted(ranked[record])[::-1][:5])
    )
    return hits / max(len(partners), 1), len(partners)


def baseline(regs: list[Registration]) -> dict[Key, float]:
    by_year: dict[str, list[Registration]] = defaultdict(list)
    for r in regs:
        year = next((r.dob[i : i + 4] for i in range(len(r.dob) - 3) if r.dob[i : i + 4].isdigit()), "")
        by_year[year].append(r)
    found: dict[Key, float] = {}
    for group in by_year.values():
        names = [r.name.lower() for r in group]
        for i, name in enumerate(names):
            for _, similarity, j in process.extract(
                name, names, scorer=fuzz.token_sort_ratio, score_cutoff=70, limit=None
            ):
                if i < j:
                    a, b = group[i].record_id, group[j].record_id
                    found[min(a, b), max(a, b)] = similarity / 100
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-sample", type=int, default=100_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--batch-only", action="store_true", help="time the batch alone: no curves, no baseline")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min); ", end="")
    fitted_on = (fitted.__doc__ or "").split("`")[1]
    print(f"{os.cpu_count()} CPUs; model fitted by `{fitted_on}`, measured on seed {args.seed}")
    start = time.perf_counter()
    regs = generate(args.records, args.seed)
    by_id = {r.record_id: r for r in regs}
    true = truth(regs)
    kinds = {p: kind(by_id[p[0]], by_id[p[1]]) for p in true}
    print(f"{len(regs):,} records, {len(true):,} true pairs (generated in {time.perf_counter() - start:.1f} s)")
    records = [Record(r.record_id, r.name, r.name_alt, r.sex, r.dob, r.province, r.county, r.source) for r in regs]

    before = rss_mib()
    stats = BlockStats()
    start, cpu = time.perf_counter(), time.process_time()
    with TreeMemory() as memory:
        flagged = list(scan(records, DEFAULT_MODEL, DEFAULT_THRESHOLD, stats))
    batch, cpu = time.perf_counter() - start, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    together = f"{memory.peak_mib:.0f} MiB" if TreeMemory.available() else "n/a (no /proc)"
    print(
        f"batch (scan at {DEFAULT_THRESHOLD}, 2 processes): {batch:.1f} s wall, CPU {cpu:.1f} s here + "
        f"{children.ru_utime + children.ru_stime:.1f} s in workers; {len(flagged):,} pairs flagged; peak RSS "
        f"{rss_mib():.0f} MiB (+{rss_mib() - before:.0f} MiB over the generated data), workers' peak "
        f"{children.ru_maxrss / 1024:.0f} MiB (shared with this process until written), all processes together "
        f"(PSS, sampled) {together}; blocks {stats.blocks:,}, split {stats.split}, records left in oversized "
        f"parts {stats.oversized_records}"
    )
    if args.batch_only:
        return

    start = time.perf_counter()
    found: dict[Key, float] = {}
    with bulk():
        prepared = [prepare(r) for r in records]
        for i, j, level_set in evidence(prepared, candidate_pairs(prepared)):
            a, b = prepared[i].record_id, prepared[j].record_id
            found[min(a, b), max(a, b)] = score(DEFAULT_MODEL, level_set)
        del prepared
    blocked = sum(1 for p in true if p in found)
    print(
        f"all {len(found):,} candidate pairs scored for the curves in {time.perf_counter() - start:.1f} s; "
        f"blocking keeps {blocked / len(true):.3f} of true pairs"
    )
    report("asylon.matching", found, true, kinds, DEFAULT_THRESHOLD)
    rate, n = top5(found, true)
    print(f"  top-5: the true duplicate is among the 5 best candidates for {rate:.4f} of {n:,} records")
    false_positives = [p for p, s in found.items() if s >= DEFAULT_THRESHOLD and p not in true]
    causes = Counter(
        "same household" if by_id[a].household_id == by_id[b].household_id else "namesake" for a, b in false_positives
    )
    print(f"  false positives at {DEFAULT_THRESHOLD}: {len(false_positives)} ({dict(causes)})")

    if args.no_baseline:
        return
    sample = regs
    note = "all records"
    if len(regs) > args.baseline_sample:
        persons = sorted({r.person_id for r in regs})
        sampler = random.Random(args.seed)  # noqa: S311  # a reproducible sample, not a secret
        keep = set(sampler.sample(persons, round(len(persons) * args.baseline_sample / len(regs))))
        sample = [r for r in regs if r.person_id in keep]
        note = f"a sample of {len(sample):,} records (whole persons), too slow on all"
        ids = {r.record_id for r in sample}
        s_true = {p for p in true if p[0] in ids}
        run_ours = {p: s for p, s in found.items() if p[0] in ids and p[1] in ids}
        report("asylon.matching on the same sample", run_ours, s_true, kinds, DEFAULT_THRESHOLD)
    else:
        s_true = true
    start = time.perf_counter()
    base = baseline(sample)
    print(
        f"rapidfuzz on raw names (same birth year, token_sort_ratio >= 70), {note}: {time.perf_counter() - start:.1f} s"
    )
    report("rapidfuzz baseline", base, s_true, kinds, None)
    print(f"  top-5: {top5(base, s_true)[0]:.4f}")
    print(f"peak RSS {rss_mib():.0f} MiB (everything, one process); load {statistics.mean(os.getloadavg()):.2f}")


if __name__ == "__main__":
    main()
