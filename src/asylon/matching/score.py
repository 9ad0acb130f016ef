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
import itertools
import math
import multiprocessing
import operator
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeAlias

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
NAME_LEVELS = (
    *("exact", "pinyin", "pinyin_many", "vowels", "one_edit", "one_change", "close", "fair"),
    *("given_only", "surname_only", "other"),
)
PINYIN_FEW = 4
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


_NameReadings: TypeAlias = tuple[frozenset[Reading], frozenset[Reading], frozenset[str]]


def prepare(record: Record) -> Prepared:
    return _prepared(record, _names(*_name_key(record)))


def _name_key(record: Record) -> tuple[str, str, bool]:
    return record.name, record.name_alt.strip(), record.source == "official"


def _prepared(record: Record, names: _NameReadings) -> Prepared:
    written, guessed, hangul = names
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
def _names(name: str, alt: str, official: bool) -> _NameReadings:
    """Readings as written, readings guessed from pinyin, and Hangul forms of a name and its alternative."""
    written, guessed = reading_sets(name)
    # Pinyin beside readable characters adds nothing: its guesses would only add namesakes, and
    # its spelling meets other officials' same sounds for other characters (a list that copied
    # the pinyin is read back to the characters' readings anyway).
    if alt and not (written and script_of(name) == "hanzi" and script_of(alt) == "latin"):
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


@dataclass
class _Blocks:
    """Who is compared with whom, before the pairs are spelled out (a million records make
    millions of pairs, and two processes each spell out their own half). The parts are one flat
    array, not a list per part: a forked worker reading Python ints and lists would write their
    reference counts, and so copy every page that holds them."""

    members: array[int]  # the records of each part, ascending, at most BLOCK_LIMIT in one part
    ends: array[int]  # where each part ends in `members`
    namesakes: list[tuple[list[int], list[int]]]  # records without a birth year, and their namesakes
    pairs_at_most: int  # pairs counted once per shared key: an upper bound
    # The parts that record i is in: in_parts[first[i] : first[i + 1]].
    first: array[int] = field(default_factory=lambda: array("q"))
    in_parts: array[int] = field(default_factory=lambda: array("i"))


def _blocks(prepared: list[Prepared], stats: BlockStats) -> _Blocks:
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
    out = _Blocks(array("i"), array("q"), [], 0)
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
            out.members.extend(part)
            out.ends.append(len(out.members))
            out.pairs_at_most += len(part) * (len(part) - 1) // 2
    del blocks
    for members in anyyear.values():
        lonely = [i for i in members if prepared[i].born.year is None]
        out.namesakes.append((lonely, members))
        out.pairs_at_most += len(lonely) * len(members)
    out.first, out.in_parts = _parts_by_record(out, len(prepared))
    return out


def _spelled_out(blocks: _Blocks, size: int, part: int = 0, parts: int = 1) -> Iterator[tuple[int, int]]:
    """The distinct pairs (i, j), i < j, whose first record falls in this part (i modulo parts),
    in order of i: each record's partners are gathered from the few parts it is in, so that no
    set of all the pairs (millions of them) is ever held."""
    members, ends, first, in_parts = blocks.members, blocks.ends, blocks.first, blocks.in_parts
    starts = array("q", [0]) + ends[:-1]
    yearless: dict[int, set[int]] = defaultdict(set)  # partners met through a record without a birth year
    for without_year, namesakes in blocks.namesakes:
        for i in without_year:
            for j in namesakes:
                low, high = (i, j) if i < j else (j, i)
                if i != j and low % parts == part:
                    yearless[low].add(high)
    for i in range(part, size, parts):
        own = in_parts[first[i] : first[i + 1]]
        if len(own) == 1 and i not in yearless:
            k = own[0]
            yield from ((i, j) for j in members[starts[k] : ends[k]] if j > i)
            continue
        partners = set(yearless.get(i, ()))
        for k in own:
            partners.update(members[starts[k] : ends[k]])
        yield from ((i, j) for j in sorted(partners) if j > i)


def _parts_by_record(blocks: _Blocks, size: int) -> tuple[array[int], array[int]]:
    """For each record, the parts it is in: `in_parts[first[i]:first[i + 1]]`."""
    counts = Counter(blocks.members)
    first = array("q", itertools.accumulate(map(counts.__getitem__, range(size)), initial=0))
    filled = first[:-1]
    in_parts = array("i", bytes(4 * len(blocks.members)))
    start = 0
    for k, end in enumerate(blocks.ends):
        for i in blocks.members[start:end]:
            in_parts[filled[i]] = k
            filled[i] += 1
        start = end
    return first, in_parts


def candidate_pairs(prepared: list[Prepared], stats: BlockStats | None = None) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records sharing a blocking key."""
    blocks = _blocks(prepared, stats if stats is not None else BlockStats())
    size = max(len(prepared), 1)
    return set(_spelled_out(blocks, size))


# Letters that a dropped letter turns into one another once folded: Chunsong typed Chunson
# (ng is N), Jaeho typed Jaho (ae is e).
_SLIPS = frozenset({("N", "n"), ("n", "N"), ("N", "k"), ("k", "N"), ("a", "e"), ("e", "a")})


def _slip(x: str, y: str) -> bool:
    """Whether two names one edit apart differ as a slip of the pen does: a letter dropped or
    added. A letter changed is as often another syllable (정동 and 정영 fold to coNtoN, coNyoN)."""
    if len(x) != len(y):
        return True
    return next(((p, q) for p, q in zip(x, y, strict=True) if p != q), ("", "")) in _SLIPS


def _fuzzy(xs: frozenset[Reading], ys: frozenset[Reading]) -> str:
    best = "other"
    for x in xs:
        for y in ys:
            same_surname = x.surname == y.surname
            if x.given == y.given:
                level = "exact" if same_surname else "given_only"
            elif same_surname:
                # Vowels alone: the romanizations' 어/오/우 (Jong and Jeong for 정). One edit may be
                # a slip of the pen; a sibling's name differs by a whole syllable.
                if coarse(x.given) == coarse(y.given):
                    level = "vowels"
                elif Levenshtein.distance(x.given, y.given, score_cutoff=1) <= 1:
                    level = "one_edit" if _slip(x.given, y.given) else "one_change"
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
    # Names that fold together but differ in Hangul (원정, 원청) are as different as any.
    unlike = name in ("surname_only", "fair", "other") or hangul == "differs"
    family = "twin_like" if unlike and born == "exact" else "none"
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


def without_names(record: Record) -> Prepared:
    """A record prepared as `prepare` does but for its names, which are not read: enough for
    `best_possible`, whose bound holds whatever the names are."""
    return _prepared(record, _NO_NAMES)


_NO_NAMES: _NameReadings = (frozenset(), frozenset(), frozenset())


def best_possible(model: Model, a: Prepared, b: Prepared) -> float:
    """The highest score two records could reach whatever their names: their birth dates, sex
    and places compared as they are, and every name level with every Hangul agreement tried.
    `levels(a, b)` is one of the level sets tried, so `score(model, levels(a, b))` never
    exceeds this; the names of neither record are read."""
    key = (
        id(model),
        dates.compare(a.born, b.born).value,
        _presence(a.sex, b.sex),
        _presence(a.province, b.province),
        _presence(a.county, b.county),
    )
    found = _BEST_POSSIBLE.get(key)
    if found is None or found[0] is not model:
        born, sex, province, county = key[1:]
        best = max(
            score(model, _level_set(name, born, sex, province, county, hangul))
            for name in NAME_LEVELS
            for hangul in _HANGUL_LEVELS
        )
        found = _BEST_POSSIBLE[key] = (model, best)
    return found[1]


# Keyed by the model's id, and holding the model, so that an id reused by another is noticed.
_BEST_POSSIBLE: dict[tuple[int, str, str, str, str], tuple[Model, float]] = {}


_READING_SHARED = ("exact", "pinyin", "pinyin_many")  # the name levels with a reading in common


def frequency_level(name: str, share: float) -> str:
    """How common the shared reading is in the data: 1 in 100,000 records is rare."""
    per_100k = share * 100_000
    bucket = "rare" if per_100k < 1.5 else "uncommon" if per_100k < 4 else "common" if per_100k < 12 else "frequent"
    return f"tf:{name}_{bucket}"


def with_frequency(level_set: tuple[str, ...], share: float) -> tuple[str, ...]:
    """The levels with how common the shared name is, alone and beside the birth date evidence."""
    name = level_set[0].removeprefix("name:")
    if name not in _READING_SHARED or any(level.startswith("tf:") for level in level_set):
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
    # Counted once per distinct set of readings: a million records carry a few hundred thousand.
    return _shares(Counter(p.readings for p in prepared).items(), len(prepared))


def _shares(groups: Iterable[tuple[frozenset[Reading], int]], total: int) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for readings, n in groups:
        for key in {r.key for r in readings}:
            counts[key] += n
    return {key: n / total for key, n in counts.items()}


_PLAUSIBLE_NAMES = frozenset(
    {"name:exact", "name:pinyin", "name:pinyin_many", "name:vowels", "name:one_edit", "name:one_change"}
)


def rivals_level(count: int) -> str:
    """How many other plausible namesakes (a name that agrees, a birth date that does not
    conflict) the busier of the two records has among its candidates: with none, a partial
    birth date is enough; with several, it is not."""
    return "rivals:none" if count <= 0 else "rivals:one" if count == 1 else "rivals:several"


def _plausible(level_set: tuple[str, ...]) -> bool:
    return level_set[0] in _PLAUSIBLE_NAMES and level_set[1] != "dob:conflict"


@dataclass
class _Columns:
    """What a comparison reads of each record, as small integers into tables of distinct values:
    the workers read these arrays instead of a million Prepared objects, whose reference counts
    would copy their pages into each worker, and compare each distinct pair of values once."""

    size: int
    names: array[int]  # the name group: readings and pinyin guesses, which alone decide the name level
    name_of: list[Prepared]  # a record of each name group
    born: array[int]
    born_of: list[dates.PartialDate]
    place: array[int]  # sex, province and county
    place_of: list[tuple[str, str, str]]
    hangul: array[int]  # 0: none given
    hangul_of: list[frozenset[str]]
    shares: dict[str, float]


_Codes: TypeAlias = (
    "tuple[tuple[array[int], array[int]], ...]"  # per column: each record's code, and a record of each code
)


def _codes(prepared: list[Prepared]) -> tuple[_Codes, dict[str, float]]:
    """Each record's name group, birth date, place and Hangul form as a code, with a record that
    carries each code; and how common each name is."""
    names: dict[tuple[frozenset[Reading], frozenset[Reading]], int] = {}
    borns: dict[dates.PartialDate, int] = {}
    places: dict[tuple[str, str, str], int] = {}
    hanguls: dict[frozenset[str], int] = {frozenset(): 0}
    columns = tuple((array("i"), array("i")) for _ in range(4))
    (name, name_of), (born, born_of), (place, place_of), (hangul, hangul_of) = columns
    hangul_of.append(-1)  # no Hangul form: no record needed
    # One statement a column, not a loop over them: a million records, four columns each.
    for i, p in enumerate(prepared):
        code = names.setdefault((p.readings, p.pinyin), len(names))
        if code == len(name_of):
            name_of.append(i)
        name.append(code)
        code = borns.setdefault(p.born, len(borns))
        if code == len(born_of):
            born_of.append(i)
        born.append(code)
        code = places.setdefault((p.sex, p.province, p.county), len(places))
        if code == len(place_of):
            place_of.append(i)
        place.append(code)
        code = hanguls.setdefault(p.hangul, len(hanguls))
        if code == len(hangul_of):
            hangul_of.append(i)
        hangul.append(code)
    if len(prepared) < TF_MINIMUM:
        return columns, {}
    counts = Counter(name)
    return columns, _shares(((readings, counts[code]) for (readings, _), code in names.items()), len(prepared))


def _columns(prepared: list[Prepared]) -> _Columns:
    ((names, name_of), (born, born_of), (place, place_of), (hangul, hangul_of)), shares = _codes(prepared)
    copies = _Copies()
    return _Columns(
        len(prepared),
        names,
        [copies.names_of(prepared[i]) for i in name_of],
        born,
        [copies.date(prepared[i].born) for i in born_of],
        place,
        [(prepared[i].sex, prepared[i].province, prepared[i].county) for i in place_of],
        hangul,
        [copies.strings(prepared[i].hangul) if i >= 0 else frozenset() for i in hangul_of],
        shares,
    )


class _Copies:
    """Fresh copies of the values a comparison reads, made one after another so that they lie
    together. A forked worker writes the reference count of each object it reads, and the kernel
    then copies the whole page for it: the originals lie scattered among the caches of names
    read, and reading them would copy most of this process's memory into each worker."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._years: dict[int, int] = {}

    def string(self, text: str) -> str:
        found = self._strings.get(text)
        if found is None:
            found = self._strings[text] = text.encode().decode()
        return found

    def strings(self, texts: frozenset[str]) -> frozenset[str]:
        return frozenset(map(self.string, texts))

    def readings(self, readings: frozenset[Reading]) -> frozenset[Reading]:
        return frozenset(Reading(self.string(r.surname), self.string(r.given)) for r in readings)

    def names_of(self, p: Prepared) -> Prepared:
        """The fields `name_level` reads; the rest empty. The guesses from pinyin are kept as
        they are, dozens to a name: a comparison looks them up, but seldom walks them."""
        return Prepared("", self.readings(p.readings), _UNKNOWN, "", "", "", p.pinyin)

    def date(self, born: dates.PartialDate) -> dates.PartialDate:
        year = born.year
        if year is not None:
            year = self._years.setdefault(year, int(str(year)))
        return dates.PartialDate(year, born.month, born.day)


_UNKNOWN = dates.PartialDate()


def _prepare_all(records: list[Record], fork: bool) -> list[Prepared]:
    """`prepare` for every record; the distinct names, where the time goes, read half on each core."""
    global _TO_READ
    if not fork:
        return [prepare(r) for r in records]
    keys = list(dict.fromkeys(map(_name_key, records)))
    half = len(keys) // 2
    _TO_READ = keys[half:]
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            theirs = pool.apply_async(_read_names_shared)
            read = dict(zip(keys[:half], [_names(*key) for key in keys[:half]], strict=True))
            read.update(zip(keys[half:], theirs.get(), strict=True))
    finally:
        _TO_READ = None
    return [_prepared(r, read[_name_key(r)]) for r in records]


def _read_names_shared() -> list[_NameReadings]:
    assert _TO_READ is not None
    return [_names(*key) for key in _TO_READ]


_HANGUL_LEVELS = ("unknown", "same", "differs")


class _Comparison:
    """The levels of many pairs: each distinct pair of names, of birth dates and of places is
    compared once, and each distinct set of levels is kept once, with an id per pair."""

    def __init__(self, columns: _Columns, keep: Callable[[tuple[str, ...]], bool] | None = None) -> None:
        self.columns = columns
        # Scan keeps only the pairs whose levels could reach its threshold, and skips reading the
        # names of a pair whose dates and places leave no name that could (nor one that would
        # make the pair a plausible namesake).
        self.keep = keep
        self.level_sets: list[tuple[str, ...]] = []
        self.ids = array("i")  # per pair, in order, where nothing is left out
        self.kept: list[tuple[int, int, int]] = []
        self.plausible = array("i", bytes(4 * columns.size))  # per record: pairs with a plausible namesake
        self._born_levels: dict[str, int] = {}
        self._place_levels: dict[tuple[str, str, str], int] = {}
        self._names_possible: list[tuple[str, float | None]] | None = None  # every name level, at each frequency

    def run(self, pairs: Iterable[tuple[int, int]]) -> None:
        c = self.columns
        names, born, place, hangul, hangul_of = c.names, c.born, c.place, c.hangul, c.hangul_of
        groups, borns, places = len(c.name_of), len(c.born_of), len(c.place_of)
        name_seen: dict[int, int] = {}
        born_seen: dict[int, int] = {}
        place_seen: dict[int, int] = {}
        hopeless_seen: dict[int, bool] = {}
        name_codes: dict[tuple[str, str], int] = {}
        name_values: list[tuple[str, float | None]] = []
        combined: dict[int, int] = {}
        plausible_ids: list[bool] = []
        kept_ids: list[bool] = []
        plausible, ids, kept, level_sets, keep = self.plausible, self.ids, self.kept, self.level_sets, self.keep
        born_levels, place_levels = self._born_levels, self._place_levels
        for i, j in pairs:
            key = born[i] * borns + born[j]
            when = born_seen.get(key)
            if when is None:
                value = dates.compare(c.born_of[born[i]], c.born_of[born[j]]).value
                when = born_seen[key] = born_levels.setdefault(value, len(born_levels))
            key = place[i] * places + place[j]
            where = place_seen.get(key)
            if where is None:
                (sex_a, province_a, county_a), (sex_b, province_b, county_b) = (
                    c.place_of[place[i]],
                    c.place_of[place[j]],
                )
                presence = (_presence(sex_a, sex_b), _presence(province_a, province_b), _presence(county_a, county_b))
                where = place_seen[key] = place_levels.setdefault(presence, len(place_levels))
            ha, hb = hangul[i], hangul[j]
            script = 0 if not ha or not hb else 1 if ha == hb or not hangul_of[ha].isdisjoint(hangul_of[hb]) else 2
            # Fewer than 64 birth date levels and places' presence levels: one int keys them.
            partial = (when * 64 + where) * 4 + script
            if keep is not None:
                hopeless = hopeless_seen.get(partial)
                if hopeless is None:
                    hopeless = hopeless_seen[partial] = self._hopeless(keep, when, where, script)
                if hopeless:
                    continue
            gi, gj = names[i], names[j]
            key = gi * groups + gj if gi <= gj else gj * groups + gi
            name = name_seen.get(key)
            if name is None:
                level, shared = name_level(c.name_of[gi], c.name_of[gj])
                share = c.shares.get(shared) if shared else None
                frequency = frequency_level(level, share) if share is not None else ""
                name = name_codes.get((level, frequency))
                if name is None:
                    name = name_codes[level, frequency] = len(name_values)
                    name_values.append((level, share))
                name_seen[key] = name
            key = name * 65536 + partial
            level_id = combined.get(key)
            if level_id is None:
                level_id = combined[key] = len(level_sets)
                level_sets.append(self._level_set(*name_values[name], when, where, script))
                plausible_ids.append(_plausible(level_sets[-1]))
                kept_ids.append(keep is None or keep(level_sets[-1]))
            if plausible_ids[level_id]:
                plausible[i] += 1
                plausible[j] += 1
            if keep is None:
                ids.append(level_id)
            elif kept_ids[level_id]:
                kept.append((i, j, level_id))

    def _level_set(self, name: str, share: float | None, when: int, where: int, script: int) -> tuple[str, ...]:
        # The codes were handed out in order, so a code is its level's position.
        born = list(self._born_levels)[when]
        sex, province, county = list(self._place_levels)[where]
        level_set = _level_set(name, born, sex, province, county, _HANGUL_LEVELS[script])
        return level_set if share is None else with_frequency(level_set, share)

    def _hopeless(self, keep: Callable[[tuple[str, ...]], bool], when: int, where: int, script: int) -> bool:
        """Whether no name level, at no frequency in this list, would keep the pair or make it a
        plausible namesake."""
        if self._names_possible is None:
            possible: dict[tuple[str, str], float | None] = {}
            values = set(self.columns.shares.values())
            for name in NAME_LEVELS:
                possible[name, ""] = None
                for value in values:
                    possible.setdefault((name, frequency_level(name, value)), value)
            self._names_possible = [(name, share) for (name, _), share in possible.items()]
        for name, share in self._names_possible:
            level_set = self._level_set(name, share, when, where, script)
            if keep(level_set) or _plausible(level_set):
                return False
        return True


# What forked workers read: set just before the fork, read by the children, never pickled.
_TO_READ: list[tuple[str, str, bool]] | None = None
_SHARED: tuple[_Columns, _Blocks, Model, float] | None = None
PARALLEL_MINIMUM = 200_000  # fewer pairs than this are compared faster than a worker starts


def _could_pass(model: Model, threshold: float) -> Callable[[tuple[str, ...]], bool]:
    def could_pass(level_set: tuple[str, ...]) -> bool:
        return any(score(model, (*level_set, rivals)) >= threshold for rivals in _RIVALS)

    return could_pass


def _compare_part(part: int, parts: int) -> tuple[list[tuple[str, ...]], array[int], list[tuple[int, int, int]]]:
    """This part's pairs (by their first record) that could reach the threshold, with their
    levels, and per record how many of its pairs are plausible namesakes."""
    assert _SHARED is not None
    columns, blocks, model, threshold = _SHARED
    comparison = _Comparison(columns, _could_pass(model, threshold))
    size = columns.size
    comparison.run(_spelled_out(blocks, size, part, parts))
    return comparison.level_sets, comparison.plausible, comparison.kept


def _rivals(plausible: array[int], i: int, j: int, own: bool) -> int:
    count = max(plausible[i], plausible[j]) - own
    return 0 if count <= 0 else 1 if count == 1 else 2


_RIVALS = tuple(rivals_level(count) for count in range(3))


def evidence(prepared: list[Prepared], pairs: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """The levels of each candidate pair, with the frequency of a shared name and the number of
    rival namesakes."""
    pairs = list(pairs)
    comparison = _Comparison(_columns(prepared))
    comparison.run(pairs)
    own = [_plausible(ls) for ls in comparison.level_sets]
    for (i, j), level_id in zip(pairs, comparison.ids, strict=True):
        rivals = _RIVALS[_rivals(comparison.plausible, i, j, own[level_id])]
        yield i, j, (*comparison.level_sets[level_id], rivals)


def scan(
    records: list[Record],
    model: Model,
    threshold: float = DEFAULT_THRESHOLD,
    stats: BlockStats | None = None,
    workers: int = 2,
) -> Iterator[Pair]:
    """Every candidate pair scoring at or above the threshold, each pair once (a before b in input)."""
    global _SHARED
    with bulk():
        fork = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
        prepared = _prepare_all(records, fork and len(records) >= PARALLEL_MINIMUM)
        blocks = _blocks(prepared, stats if stats is not None else BlockStats())
        columns = _columns(prepared)
        del prepared  # the workers read the columns; the fewer objects a fork shares, the fewer it copies
        _SHARED = (columns, blocks, model, threshold)
        try:
            if fork and blocks.pairs_at_most >= PARALLEL_MINIMUM:
                # This process compares a part too rather than wait: every page that a process
                # writes (a reference count will do) is copied for it unless it is that page's
                # last holder, so each extra process would copy all the names it reads once more.
                with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
                    theirs = pool.starmap_async(_compare_part, [(part, workers) for part in range(1, workers)])
                    parts = [_compare_part(0, workers), *theirs.get()]
            else:
                parts = [_compare_part(0, 1)]
        finally:
            _SHARED = None
        del blocks, columns
        level_ids: dict[tuple[str, ...], int] = {}
        plausible = array("i", bytes(4 * len(records)))
        kept: list[tuple[int, int, int]] = []
        for part_sets, part_plausible, part_kept in parts:
            mapping = [level_ids.setdefault(level_set, len(level_ids)) for level_set in part_sets]
            kept.extend((i, j, mapping[level_id]) for i, j, level_id in part_kept)
            plausible = array("i", map(operator.add, plausible, part_plausible))
        del parts
        level_sets = list(level_ids)
        own = [_plausible(ls) for ls in level_sets]
        scores: dict[tuple[int, int], float] = {}
        flagged: list[tuple[int, int, float, tuple[str, ...]]] = []
        for i, j, level_id in kept:
            rivals = _rivals(plausible, i, j, own[level_id])
            probability = scores.get((level_id, rivals))
            if probability is None:
                probability = scores[level_id, rivals] = score(model, (*level_sets[level_id], _RIVALS[rivals]))
            if probability >= threshold:
                flagged.append((i, j, probability, (*level_sets[level_id], _RIVALS[rivals])))
        del kept
    flagged.sort()
    for i, j, probability, level_set in flagged:
        yield Pair(records[i].record_id, records[j].record_id, round(probability, 4), level_set)


@contextmanager
def bulk() -> Iterator[None]:
    """The cyclic garbage collector off while millions of small objects are made and kept: it
    would walk them all again and again for no garbage (they form no cycles). What is still alive
    after (the caches of names read, the caller's records) is frozen out of later collections,
    which would otherwise walk it all once more, for seconds, at the first allocations after.
    Frozen objects are never collected: this is for batch commands (`asylon duplicates scan`,
    the training), which exit when done, never for a long-lived server process."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


# Fitted by `asylon.matching.training` on labelled candidate pairs of generated data with a seed
# the benchmark never uses. Refit from officers' review decisions once there are a few hundred.
DEFAULT_MODEL = Model(FITTED_PRIOR, FITTED_WEIGHTS)
