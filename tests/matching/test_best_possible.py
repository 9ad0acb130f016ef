"""The bound a duplicate lookup checks before decrypting a candidate's names: never below the score."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.matching.fitted import FITTED_WEIGHTS
from asylon.matching.generator import generate
from asylon.matching.score import (
    DEFAULT_MODEL,
    DEFAULT_THRESHOLD,
    Model,
    Record,
    best_possible,
    levels,
    prepare,
    score,
    without_names,
)

POOL = generate(400, seed=7)
BY_PERSON: dict[int, list[int]] = {}
for index, generated in enumerate(POOL):
    BY_PERSON.setdefault(generated.person_id, []).append(index)

DATES = st.sampled_from(
    ["", "1991", "1992", "1991-03", "1991-04", "1991-03-07", "1991-07-03", "1991-03-08", "1990-03-07"]
)
SEXES = st.sampled_from(["", "F", "M", "X", "female", "남"])
PROVINCES = st.sampled_from(["", "Ryanggang", "양강도", "North Hamgyong", "Kangwon", "nowhere"])
COUNTIES = st.sampled_from(["", "Hyesan", "Musan"])
MODELS = st.one_of(
    st.just(DEFAULT_MODEL),
    st.builds(
        Model,
        st.floats(-15, 5),
        st.fixed_dictionaries({level: st.floats(-6, 6) for level in FITTED_WEIGHTS}),
    ),
)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Record, Record]:
    """Two generated records, often of the same person (the pairs that score high), their
    birth dates, sex and places sometimes redrawn."""
    a = draw(st.integers(0, len(POOL) - 1))
    same = [i for i in BY_PERSON[POOL[a].person_id] if i != a]
    b = draw(st.sampled_from(same)) if same and draw(st.booleans()) else draw(st.integers(0, len(POOL) - 1))
    records = []
    for index in (a, b):
        record = POOL[index]
        if draw(st.booleans()):
            record = dataclasses.replace(
                record, dob=draw(DATES), sex=draw(SEXES), province=draw(PROVINCES), county=draw(COUNTIES)
            )
        records.append(record)
    return records[0], records[1]


@settings(max_examples=400, deadline=None)
@given(pair=pairs(), model=MODELS)
def test_no_names_score_above_the_bound_of_their_dates_sex_and_places(pair, model):
    a, b = pair
    pa, pb = prepare(a), prepare(b)
    bound = best_possible(model, pa, without_names(b))
    assert score(model, levels(pa, pb)) <= bound
    # Read without the names: the same bound whether they were prepared or not.
    assert bound == best_possible(model, pa, pb) == best_possible(model, without_names(a), pb)


def test_the_bound_is_reached_by_the_best_names():
    a = Record("a", "리순희", sex="F", dob="1991-03-07", province="Ryanggang")
    b = dataclasses.replace(a, record_id="b")
    assert score(DEFAULT_MODEL, levels(prepare(a), prepare(b))) == best_possible(DEFAULT_MODEL, prepare(a), prepare(b))


def test_conflicting_dates_sex_and_places_leave_no_name_that_reaches_the_threshold():
    a = prepare(Record("a", "리순희", sex="F", dob="1991-03-07", province="Ryanggang"))
    b = without_names(Record("b", "", sex="M", dob="1975-11-20", province="Kangwon"))
    assert best_possible(DEFAULT_MODEL, a, b) < 0.01 < DEFAULT_THRESHOLD
