"""Entries commit to canonical JSON: the bytes Python's json module writes, from orjson."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asylon.procedure.case import State
from asylon.transparency.services import canonical

# What records hold: text in any script (control characters too), 64-bit integers, flags, nulls.
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=30)


@given(values)
def test_canonical_json_is_what_json_writes(value):
    assert canonical(value) == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_an_enum_code_is_written_as_its_value_and_a_date_is_refused():
    assert canonical({"to": State.DECIDED}) == b'{"to":"decided"}'
    with pytest.raises(TypeError):
        canonical({"at": datetime(2026, 11, 29, tzinfo=UTC)})
