"""Candidate pairs and their scores: blocking keys per record, Fellegi–Sunter weights per level.

A record yields several blocking keys (every reading of every name it carries); two records are
compared when they share one. Each comparison falls into one level per field; the score is the
sum of log-likelihood ratios fitted on labelled pairs, with an exact name's weight raised when the
name is rare and lowered when it is common (term frequency from the data). Family likeness —
same surname, place and birthday with another given name, as twins have — lands in the name
level with the strongest negative weight, so it counts against a merge. Nothing merges here:
the output is a list of pairs for an officer to review.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from asylon.matching import dates, places
from asylon.matching.names import Reading, coarse, readings

BLOCK_LIMIT = 300  # a block this large is a common name and a year: its pairs come from other keys
# Posterior probability; pairs at or above it go to the review queue. The best-F1 threshold on
# generated data was 0.84 at both 20k and 100k records (bench/duplicates.py); at 0.5 precision
# falls to 0.46 at 100k because the prior was fitted on 30k records and candidates grow faster.
DEFAULT_THRESHOLD = 0.85

TF_MINIMUM = 1000  # below this many records a name's share says more about the file than the name

_SEX = {"m": "M", "male": "M", "男": "M", "남": "M", "f": "F", "female": "F", "女": "F", "여": "F"}


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
    readings: frozenset[Reading]
    born: dates.PartialDate
    sex: str
    province: str
    county: str


@dataclass(frozen=True)
class Pair:
    record_id_a: str
    record_id_b: str
    score: float
    levels: tuple[str, ...]


def prepare(record: Record) -> Prepared:
    hint = "pinyin" if record.source == "official" else None
    names = readings(record.name) | (readings(record.name_alt, hint) if record.name_alt else frozenset())
    county = places.lookup(record.county)
    province = places.lookup(record.province)
    return Prepared(
        record.record_id,
        names,
        dates.parse(record.dob),
        _SEX.get(record.sex.strip().lower(), ""),
        province.province if province else (county.province if county else ""),
        county.code if county else "",
    )


def blocking_keys(p: Prepared) -> set[str]:
    year, month_day = dates.blocking_parts(p.born)
    out = set()
    for r in p.readings:
        out.add(f"n:{r.surname}:{coarse(r.given)}")
        if year:
            out.add(f"g:{coarse(r.given)}:{year}")
        if month_day:
            out.add(f"d:{r.surname}:{year}:{month_day}")
    return out


def candidate_pairs(prepared: list[Prepared]) -> set[tuple[int, int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        for key in blocking_keys(p):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= BLOCK_LIMIT:
            pairs.update((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
    return pairs


def name_level(a: Prepared, b: Prepared) -> tuple[str, str]:
    """The best agreement between any reading of each, and the given name it agreed on."""
    shared = a.readings & b.readings
    if shared:
        return "exact", next(iter(shared)).given
    best, best_given = "other", ""
    rank = {"exact": 0, "close": 1, "fair": 2, "given_only": 3, "surname_only": 4, "other": 5}
    for x in a.readings:
        for y in b.readings:
            same_surname = x.surname == y.surname
            if x.given == y.given:
                level = "exact" if same_surname else "given_only"
            else:
                similarity = Levenshtein.normalized_similarity(x.given, y.given)
                level = "other"
                if same_surname:
                    level = "close" if similarity >= 0.75 else "fair" if similarity >= 0.55 else "surname_only"
            if rank[level] < rank[best]:
                best, best_given = level, x.given
                if level == "exact":
                    return best, best_given
    return best, best_given


def levels(a: Prepared, b: Prepared) -> tuple[str, ...]:
    name, _ = name_level(a, b)
    sex = "missing" if not a.sex or not b.sex else "agree" if a.sex == b.sex else "disagree"
    province = "missing" if not a.province or not b.province else "agree" if a.province == b.province else "disagree"
    county = "missing" if not a.county or not b.county else "agree" if a.county == b.county else "disagree"
    born = dates.compare(a.born, b.born)
    # Twins share surname, place and birthday: conditional independence would let those outvote
    # the given name, so the combination is a level of its own with its own (negative) weight.
    family = "twin_like" if name in ("surname_only", "fair", "other") and born is dates.DateEvidence.EXACT else "none"
    return (
        f"name:{name}",
        f"dob:{born.value}",
        f"sex:{sex}",
        f"province:{province}",
        f"county:{county}",
        f"family:{family}",
    )


@dataclass(frozen=True)
class Model:
    prior: float  # log-odds of a match among candidate pairs
    weights: Mapping[str, float]  # natural-log likelihood ratio per level
    exact_name_u: float  # the average chance two non-matching candidates share a whole name


def fit(labelled: Iterable[tuple[tuple[str, ...], bool]], smoothing: float = 1.0) -> Model:
    """m and u per level by counting labelled candidate pairs (Fellegi–Sunter, Laplace-smoothed)."""
    m: Counter[str] = Counter()
    u: Counter[str] = Counter()
    matches = non_matches = 0
    for level_set, is_match in labelled:
        if is_match:
            matches += 1
            m.update(level_set)
        else:
            non_matches += 1
            u.update(level_set)
    weights = {}
    for level in set(m) | set(u):
        field = level.split(":")[0]
        field_levels = [lv for lv in set(m) | set(u) if lv.split(":")[0] == field]
        pm = (m[level] + smoothing) / (matches + smoothing * len(field_levels))
        pu = (u[level] + smoothing) / (non_matches + smoothing * len(field_levels))
        weights[level] = round(math.log(pm / pu), 3)
    exact_u = (u["name:exact"] + smoothing) / (non_matches + smoothing)
    return Model(round(math.log(max(matches, 1) / max(non_matches, 1)), 3), weights, exact_u)


def score(model: Model, level_set: tuple[str, ...], name_share: float | None = None) -> float:
    """Posterior probability of a match; a rare exact name weighs more than Kim Jong-chol."""
    total = model.prior + sum(model.weights.get(level, 0.0) for level in level_set)
    if name_share is not None and level_set[0] == "name:exact":
        total += max(-2.0, min(3.0, math.log(model.exact_name_u / max(name_share, 1e-9)) * 0.5))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def name_shares(prepared: list[Prepared]) -> dict[str, float]:
    """How common each surname+given reading is among candidate pairs' records (term frequency)."""
    if len(prepared) < TF_MINIMUM:
        return {}
    counts: Counter[str] = Counter()
    for p in prepared:
        counts.update({r.key for r in p.readings})
    total = max(len(prepared), 1)
    return {key: n / total for key, n in counts.items()}


def scan(records: list[Record], model: Model, threshold: float = DEFAULT_THRESHOLD) -> Iterator[Pair]:
    """Every candidate pair scoring at or above the threshold, each pair once (a before b in input)."""
    prepared = [prepare(r) for r in records]
    shares = name_shares(prepared)
    for i, j in sorted(candidate_pairs(prepared)):
        a, b = prepared[i], prepared[j]
        level_set = levels(a, b)
        share = None
        if level_set[0] == "name:exact":
            common = [shares[r.key] for r in a.readings & b.readings if r.key in shares]
            share = min(common) if common else None
        probability = score(model, level_set, share)
        if probability >= threshold:
            yield Pair(a.record_id, b.record_id, round(probability, 4), level_set)


# Fitted by `fit` on the candidate pairs of `generate(30_000, seed=99)` (112,400 pairs), a seed the
# benchmark never uses. Refit from officers' review decisions once there are a few hundred.
DEFAULT_MODEL = Model(
    prior=-4.29,
    exact_name_u=0.503,
    weights={
        "county:agree": 3.151,
        "county:disagree": -5.899,
        "county:missing": -0.22,
        "dob:compatible": 2.727,
        "dob:conflict": -3.84,
        "dob:exact": 3.522,
        "dob:near": 1.367,
        "dob:swapped": 1.479,
        "dob:year_off": 4.918,
        "dob:missing": 0.0,
        "family:none": 0.016,
        "family:twin_like": -1.931,
        "name:close": -2.688,
        "name:exact": 0.658,
        "name:fair": -2.631,
        "name:given_only": -2.874,
        "name:other": -4.257,
        "name:surname_only": -4.022,
        "province:agree": 2.115,
        "province:disagree": -7.059,
        "province:missing": 0.111,
        "sex:agree": 0.661,
        "sex:disagree": -6.516,
        "sex:missing": 0.095,
    },
)
