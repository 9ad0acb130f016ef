"""Candidate pairs and their scores: blocking keys per record, fitted weights per level.

A record yields several blocking keys (every reading of every name it carries, with its birth
year); two records are compared when they share one. Each comparison falls into one level per
field; the score is a logistic model over those levels, fitted on labelled pairs
(`asylon.matching.training`), with an exact name weighing more when it is rare in the data than
when it is Kim Jong-chol. Family likeness — same surname, place and birthday with another given
name, as twins have — has its own negative weight, so it counts against a merge. Nothing merges
here: the output is a list of pairs for an officer to review.
"""

from __future__ import annotations

import functools
import gc
import math
import multiprocessing
import operator
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz.distance import Levenshtein

from asylon.matching import dates, places
from asylon.matching.fitted import FITTED_PRIOR, FITTED_THRESHOLD, FITTED_WEIGHTS
from asylon.matching.names import Reading, coarse, hangul_forms, reading_sets, script_of

# A block larger than this is split by sex and province (a record missing either joins every
# part); what is still too large is counted in the scan's statistics, never dropped silently.
BLOCK_LIMIT = 400
# Posterior probability; pairs at or above it go to the review queue. Chosen when fitting, on
# another seed than the benchmark's, as the lowest threshold with precision ≥ 0.99 there.
DEFAULT_THRESHOLD = FITTED_THRESHOLD

TF_MINIMUM = 1000  # below this many records a name's share says more about the file than the name

_SEX = {"m": "M", "male": "M", "男": "M", "남": "M", "f": "F", "female": "F", "女": "F", "여": "F"}
NAME_LEVELS = ("exact", "pinyin", "pinyin_many", "one_edit", "close", "fair", "given_only", "surname_only", "other")
PINYIN_FEW = 12
_RANK = {level: rank for rank, level in enumerate(NAME_LEVELS)}


@dataclass(frozen=True)
class Record:
    record_id: str
    name: str
    name_alt: str = ""
    sex: str = ""
    dob: str = ""
    province: str = ""
    county: str = ""
    source: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Prepared:
    record_id: str
    readings: frozenset[Reading]  # the name as written, read in any script
    born: dates.PartialDate
    sex: str
    province: str
    county: str
    pinyin: frozenset[Reading] = frozenset()  # readings only guessed from a name in pinyin
    hangul: frozenset[str] = frozenset()  # the name in Hangul where a writer gave Hangul or characters


@dataclass(frozen=True)
class Pair:
    record_id_a: str
    record_id_b: str
    score: float
    levels: tuple[str, ...]


def prepare(record: Record) -> Prepared:
    written, guessed, hangul = _names(record.name, record.name_alt.strip(), record.source == "official")
    county = places.lookup(record.county)
    province = places.lookup(record.province)
    return Prepared(
        record.record_id,
        written,
        dates.parse(record.dob),
        _SEX.get(record.sex.strip().lower(), ""),
        province.province if province else (county.province if county else ""),
        county.code if county else "",
        guessed,
        hangul,
    )


@functools.lru_cache(maxsize=1 << 20)
def _names(name: str, alt: str, official: bool) -> tuple[frozenset[Reading], frozenset[Reading], frozenset[str]]:
    """Readings as written, readings guessed from pinyin, and Hangul forms of a name and its alternative."""
    written, guessed = reading_sets(name)
    if alt and written and script_of(name) == "hanzi" and script_of(alt) == "latin":
        # Pinyin beside readable characters: its guesses would only add namesakes, but the
        # spelling itself meets a list that copied the same pinyin.
        guessed = guessed | reading_sets(alt, "written")[0]
    elif alt:
        alt_written, alt_guessed = reading_sets(alt, "pinyin" if official else None)
        written, guessed = written | alt_written, guessed | alt_guessed
    hangul = hangul_forms(name) | (hangul_forms(alt) if alt else frozenset())
    return written, guessed - written, hangul


@functools.lru_cache(maxsize=1 << 20)
def _key_parts(written: frozenset[Reading], guessed: frozenset[Reading]) -> tuple[tuple[str, str, str], ...]:
    return tuple({(r.surname, r.surname[:1], coarse(r.given)) for r in written | guessed})


def blocking_keys(p: Prepared) -> set[str]:
    """Keys two records must share to be compared. `n:` name and birth years, `g:` given name,
    year and month, `d:` surname, year and the unordered day and month (a swap keeps it), and
    `a:` the name alone, which pairs a record without a birth year with every namesake."""
    keys = {":".join(key) for key in _blocking_keys(p)}
    keys.update(f"a:{surname}:{given}" for surname, _, given in _key_parts(p.readings, p.pinyin))
    return keys


_MONTHS = tuple(str(month) for month in range(13))


@functools.lru_cache(maxsize=512)
def _year_spans(year: str) -> tuple[str, str]:
    """Two year buckets per record, so that birth years one apart always share one."""
    return f"{int(year) // 2}e", f"{(int(year) + 1) // 2}o"


def _blocking_keys(p: Prepared) -> set[tuple[str, ...]]:
    year, month_day = dates.blocking_parts(p.born)
    month = _MONTHS[p.born.month] if p.born.month else ""
    spans = _year_spans(year) if year else ()
    out: set[tuple[str, ...]] = set()
    for surname, initial, given in _key_parts(p.readings, p.pinyin):
        for span in spans:
            # The surname's first letter only: Hwng, Km and Ba still meet Hwang, Kim and Pak.
            out.add(("n", initial, given, span))
        if month and len(given) > 1:
            out.add(("g", given, year, month))
        if month_day:
            out.add(("d", surname, year, month_day))
    return out


@dataclass
class BlockStats:
    blocks: int = 0
    split: int = 0  # blocks over BLOCK_LIMIT split by sex and province
    oversized_records: int = 0  # records left in parts still over the limit, compared by other keys only


def _split(members: list[int], prepared: list[Prepared]) -> list[list[int]]:
    parts: dict[tuple[str, str], list[int]] = defaultdict(list)
    unsure = []
    for i in members:
        p = prepared[i]
        if p.sex and p.province:
            parts[p.sex, p.province].append(i)
        else:
            unsure.append(i)
    if not parts:
        return [members]
    return [sorted(part + unsure) for part in parts.values()]


def candidate_pairs(prepared: list[Prepared], stats: BlockStats | None = None) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records sharing a blocking key."""
    stats = stats if stats is not None else BlockStats()
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    yearless: set[tuple[str, str]] = set()
    for i, p in enumerate(prepared):
        if p.born.year is None:
            yearless.update((surname, given) for surname, _, given in _key_parts(p.readings, p.pinyin))
        for key in _blocking_keys(p):
            blocks[key].append(i)
    anyyear: dict[tuple[str, str], list[int]] = defaultdict(list)
    if yearless:
        for i, p in enumerate(prepared):
            for surname, _, given in _key_parts(p.readings, p.pinyin):
                if (surname, given) in yearless:
                    anyyear[surname, given].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        stats.blocks += 1
        parts = [members]
        if len(members) > BLOCK_LIMIT:
            stats.split += 1
            parts = _split(members, prepared)
        for part in parts:
            if len(part) > BLOCK_LIMIT:
                stats.oversized_records += len(part)
                continue
            pairs.update(combinations(part, 2))
    for members in anyyear.values():
        lonely = [i for i in members if prepared[i].born.year is None]
        pairs.update((min(i, j), max(i, j)) for i in lonely for j in members if i != j)
    return pairs


def _fuzzy(xs: frozenset[Reading], ys: frozenset[Reading]) -> str:
    best = "other"
    for x in xs:
        for y in ys:
            same_surname = x.surname == y.surname
            if x.given == y.given:
                level = "exact" if same_surname else "given_only"
            elif same_surname:
                # One edit is a slip of the pen or of romanization; a sibling's name differs by a
                # whole syllable.
                if Levenshtein.distance(x.given, y.given, score_cutoff=1) <= 1:
                    level = "one_edit"
                else:
                    similarity = Levenshtein.normalized_similarity(x.given, y.given)
                    level = "close" if similarity >= 0.75 else "fair" if similarity >= 0.55 else "surname_only"
            else:
                continue
            if _RANK[level] < _RANK[best]:
                best = level
    return best


def name_level(a: Prepared, b: Prepared) -> tuple[str, str]:
    """The best agreement between the names, and the reading (`surname|given`) they share."""
    shared = a.readings & b.readings
    if shared:
        return "exact", min(shared).key
    guessed = (a.readings & b.pinyin) | (a.pinyin & b.readings) | (a.pinyin & b.pinyin)
    if guessed:
        # A pinyin name with few possible readings says more than one with dozens.
        few = min(len(a.pinyin) if a.pinyin & guessed else 999, len(b.pinyin) if b.pinyin & guessed else 999)
        return ("pinyin" if few <= PINYIN_FEW else "pinyin_many"), min(guessed).key
    return _fuzzy(a.readings, b.readings), ""


def _presence(x: str, y: str) -> str:
    return "missing" if not x or not y else "agree" if x == y else "disagree"


def _levels(name: str, a: Prepared, b: Prepared) -> tuple[str, ...]:
    born = dates.compare(a.born, b.born).value
    hangul = "unknown" if not a.hangul or not b.hangul else "same" if a.hangul & b.hangul else "differs"
    key = (
        name,
        born,
        _presence(a.sex, b.sex),
        _presence(a.province, b.province),
        _presence(a.county, b.county),
        hangul,
    )
    found = _LEVEL_SETS.get(key)
    if found is None:
        found = _LEVEL_SETS[key] = _level_set(*key)
    return found


_LEVEL_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _level_set(name: str, born: str, sex: str, province: str, county: str, hangul: str) -> tuple[str, ...]:
    # Twins share surname, place and birthday: conditional independence would let those outvote
    # the given name, so the combination is a level of its own with its own (negative) weight.
    family = "twin_like" if name in ("surname_only", "fair", "other") and born == "exact" else "none"
    return (
        f"name:{name}",
        f"dob:{born}",
        f"sex:{sex}",
        f"province:{province}",
        f"county:{county}",
        f"family:{family}",
        f"name_dob:{name}+{born}",
        f"name_hangul:{name}+{hangul}",
    )


def levels(a: Prepared, b: Prepared) -> tuple[str, ...]:
    return _levels(name_level(a, b)[0], a, b)


def frequency_level(name: str, share: float) -> str:
    """How common the shared reading is in the data: 1 in 100,000 records is rare."""
    per_100k = share * 100_000
    bucket = "rare" if per_100k < 1.5 else "uncommon" if per_100k < 4 else "common" if per_100k < 12 else "frequent"
    return f"tf:{name}_{bucket}"


def with_frequency(level_set: tuple[str, ...], share: float) -> tuple[str, ...]:
    """The levels with how common the shared name is, alone and beside the birth date evidence."""
    name = level_set[0].removeprefix("name:")
    if name not in ("exact", "pinyin", "pinyin_many") or any(level.startswith("tf:") for level in level_set):
        return level_set
    frequency = frequency_level(name, share)
    return (*level_set, frequency, f"{frequency}+{level_set[1].removeprefix('dob:')}")


@dataclass(frozen=True)
class Model:
    prior: float  # intercept: log-odds of a match among candidate pairs
    weights: Mapping[str, float]  # natural-log odds added by each level
    exact_name_u: float = 0.0  # share of non-matching labelled pairs whose names agree exactly


def score(model: Model, level_set: tuple[str, ...], name_share: float | None = None) -> float:
    """Posterior probability of a match; a rare exact name weighs more than Kim Jong-chol. Give
    `name_share` (the share of records with the shared reading) unless the levels carry it."""
    if name_share is not None:
        level_set = with_frequency(level_set, name_share)
    total = model.prior + sum(model.weights.get(level, 0.0) for level in level_set)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def fit(labelled: Iterable[tuple[tuple[str, ...], bool]], ridge: float = 1.0, rounds: int = 25) -> Model:
    """Logistic regression on the levels of labelled pairs (L2-penalised Newton steps): unlike
    counting m and u per level, it does not count twice the evidence two fields share."""
    counts: Counter[tuple[tuple[str, ...], bool]] = Counter((tuple(levels_), bool(y)) for levels_, y in labelled)
    features = sorted({level for level_set, _ in counts for level in level_set})
    index = {f: k + 1 for k, f in enumerate(features)}  # 0 is the intercept
    rows = [([0, *sorted({index[f] for f in level_set})], y, n) for (level_set, y), n in counts.items()]
    size = len(features) + 1
    beta = [0.0] * size
    matches = sum(n for _, y, n in rows if y)
    beta[0] = math.log(max(matches, 1) / max(sum(n for _, _, n in rows) - matches, 1))
    for _ in range(rounds):
        gradient = [-ridge * b for b in beta]
        gradient[0] = 0.0
        hessian = [[0.0] * size for _ in range(size)]
        for k in range(1, size):
            hessian[k][k] = ridge
        for active, y, n in rows:
            z = max(-30.0, min(30.0, sum(beta[k] for k in active)))
            p = 1.0 / (1.0 + math.exp(-z))
            residual, curvature = n * ((1.0 if y else 0.0) - p), n * p * (1.0 - p)
            for k in active:
                gradient[k] += residual
                row = hessian[k]
                for j in active:
                    row[j] += curvature
        hessian[0][0] += 1e-6
        step = _solve(hessian, gradient)
        largest = max(abs(s) for s in step)
        damping = min(1.0, 1.0 / largest) if largest else 1.0  # Newton overshoots where odds saturate
        beta = [b + damping * s for b, s in zip(beta, step, strict=True)]
        if largest < 1e-6:
            break
    non_matches = sum(n for _, y, n in rows if not y) or 1
    exact_u = sum(n for (ls, y), n in counts.items() if not y and "name:exact" in ls) / non_matches
    weights = {f: round(beta[index[f]], 4) for f in features}
    return Model(round(beta[0], 4), weights, round(exact_u, 4))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; the ridge keeps the matrix positive definite."""
    n = len(vector)
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(a[r][r]) >= 1e-12:
            out[r] = (a[r][n] - sum(a[r][c] * out[c] for c in range(r + 1, n))) / a[r][r]
    return out


def name_shares(prepared: list[Prepared]) -> dict[str, float]:
    """How common each surname+given reading is among the records (term frequency)."""
    if len(prepared) < TF_MINIMUM:
        return {}
    counts: Counter[str] = Counter()
    for p in prepared:
        counts.update({r.key for r in p.readings})
    total = max(len(prepared), 1)
    return {key: n / total for key, n in counts.items()}


_PLAUSIBLE_NAMES = frozenset({"name:exact", "name:pinyin", "name:pinyin_many", "name:one_edit"})


def rivals_level(count: int) -> str:
    """How many other plausible namesakes (a name that agrees, a birth date that does not
    conflict) the busier of the two records has among its candidates: with none, a partial
    birth date is enough; with several, it is not."""
    return "rivals:none" if count <= 0 else "rivals:one" if count == 1 else "rivals:several"


def _plausible(level_set: tuple[str, ...]) -> bool:
    return level_set[0] in _PLAUSIBLE_NAMES and level_set[1] != "dob:conflict"


# What forked workers compare: set just before the fork, read by the children, never pickled.
_SHARED: tuple[list[Prepared], list[tuple[int, int]], dict[str, float], list[int]] | None = None
PARALLEL_MINIMUM = 200_000  # fewer pairs than this are compared faster than a worker starts


def _compare_range(start: int, stop: int) -> tuple[list[tuple[str, ...]], array[int], array[int]]:
    """The levels of pairs[start:stop]: each distinct set of levels once, an id per pair, and
    per record how many of its pairs are plausible namesakes."""
    assert _SHARED is not None
    prepared, pairs, shares, groups = _SHARED
    compared: dict[tuple[int, int], tuple[str, str]] = {}
    interned: dict[tuple[str, ...], int] = {}
    with_frequency_cache: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}
    plausible_ids: set[int] = set()
    ids = array("i")
    plausible = array("i", bytes(4 * len(prepared)))
    for k in range(start, stop):
        i, j = pairs[k]
        a, b = prepared[i], prepared[j]
        gi, gj = groups[i], groups[j]
        key = (gi, gj) if gi <= gj else (gj, gi)
        found = compared.get(key)
        if found is None:
            found = compared[key] = name_level(a, b)
        name, shared = found
        level_set = _levels(name, a, b)
        if shared and shared in shares:
            frequency = frequency_level(name, shares[shared])
            extended = with_frequency_cache.get((level_set, frequency))
            if extended is None:
                extended = with_frequency_cache[level_set, frequency] = with_frequency(level_set, shares[shared])
            level_set = extended
        level_id = interned.get(level_set)
        if level_id is None:
            level_id = interned[level_set] = len(interned)
            if _plausible(level_set):
                plausible_ids.add(level_id)
        if level_id in plausible_ids:
            plausible[i] += 1
            plausible[j] += 1
        ids.append(level_id)
    return list(interned), ids, plausible


def _compare_all(
    prepared: list[Prepared], pairs: list[tuple[int, int]], workers: int
) -> tuple[list[tuple[str, ...]], array[int], array[int]]:
    """Every pair's levels, in halves on two processes where the list is large and fork exists
    (the children inherit the prepared records instead of receiving them pickled)."""
    global _SHARED
    group_of: dict[tuple[frozenset[Reading], frozenset[Reading]], int] = {}
    groups = [group_of.setdefault((p.readings, p.pinyin), len(group_of)) for p in prepared]
    _SHARED = (prepared, pairs, name_shares(prepared), groups)
    try:
        if workers > 1 and len(pairs) >= PARALLEL_MINIMUM and "fork" in multiprocessing.get_all_start_methods():
            step = -(-len(pairs) // workers)
            bounds = [(k, min(k + step, len(pairs))) for k in range(0, len(pairs), step)]
            with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
                parts = pool.starmap(_compare_range, bounds)
        else:
            parts = [_compare_range(0, len(pairs))]
    finally:
        _SHARED = None
    level_sets: dict[tuple[str, ...], int] = {}
    ids = array("i")
    plausible = array("i", bytes(4 * len(prepared)))
    for part_sets, part_ids, part_plausible in parts:
        mapping = [level_sets.setdefault(ls, len(level_sets)) for ls in part_sets]
        ids.extend(mapping[k] for k in part_ids)
        plausible = array("i", map(operator.add, plausible, part_plausible))
    return list(level_sets), ids, plausible


def _rivals(plausible: array[int], i: int, j: int, own: bool) -> int:
    count = max(plausible[i], plausible[j]) - own
    return 0 if count <= 0 else 1 if count == 1 else 2


_RIVALS = tuple(rivals_level(count) for count in range(3))


def evidence(prepared: list[Prepared], pairs: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """The levels of each candidate pair, with the frequency of a shared name and the number of
    rival namesakes. Names are compared once per pair of distinct name sets (they repeat across a
    large list), and each distinct set of levels is kept once."""
    pairs = list(pairs)
    level_sets, ids, plausible = _compare_all(prepared, pairs, workers=1)
    own = [_plausible(ls) for ls in level_sets]
    for (i, j), level_id in zip(pairs, ids, strict=True):
        rivals = _RIVALS[_rivals(plausible, i, j, own[level_id])]
        yield i, j, (*level_sets[level_id], rivals)


def scan(
    records: list[Record],
    model: Model,
    threshold: float = DEFAULT_THRESHOLD,
    stats: BlockStats | None = None,
    workers: int = 2,
) -> Iterator[Pair]:
    """Every candidate pair scoring at or above the threshold, each pair once (a before b in input)."""
    with bulk():
        prepared = [prepare(r) for r in records]
        pairs = list(candidate_pairs(prepared, stats))
        level_sets, ids, plausible = _compare_all(prepared, pairs, workers)
        own = [_plausible(ls) for ls in level_sets]
        scores: dict[tuple[int, int], float] = {}
        flagged: list[tuple[int, int, float, tuple[str, ...]]] = []
        for (i, j), level_id in zip(pairs, ids, strict=True):
            rivals = _rivals(plausible, i, j, own[level_id])
            probability = scores.get((level_id, rivals))
            if probability is None:
                probability = scores[level_id, rivals] = score(model, (*level_sets[level_id], _RIVALS[rivals]))
            if probability >= threshold:
                flagged.append((i, j, probability, (*level_sets[level_id], _RIVALS[rivals])))
        del pairs, ids
    flagged.sort()
    for i, j, probability, level_set in flagged:
        yield Pair(prepared[i].record_id, prepared[j].record_id, round(probability, 4), level_set)


@contextmanager
def bulk() -> Iterator[None]:
    """The cyclic garbage collector off while millions of small objects are made and kept: it
    would walk them all again and again for no garbage (they form no cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Fitted by `asylon.matching.training` on labelled candidate pairs of generated data with a seed
# the benchmark never uses. Refit from officers' review decisions once there are a few hundred.
DEFAULT_MODEL = Model(FITTED_PRIOR, FITTED_WEIGHTS)
