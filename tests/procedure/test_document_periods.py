"""The stored periods of what a person is due hold the core's answer on every day."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from asylon.procedure import documents
from asylon.procedure.case import Case, Outcome, State
from asylon.procedure.documents import Document, DocumentType

BASE = date(2026, 1, 5)
HORIZON = 900

cases = st.lists(
    st.builds(Case, state=st.sampled_from(list(State)), final_outcome=st.none() | st.sampled_from(list(Outcome))),
    max_size=2,
).map(tuple)


@st.composite
def held(draw: st.DrawFn) -> tuple[Document, ...]:
    found = []
    for index in range(draw(st.integers(0, 4))):
        start = BASE + timedelta(days=draw(st.integers(-400, 400)))
        # The real lengths, and short or odd ones so that windows overlap and touch.
        length = draw(st.sampled_from([0, 1, 29, 30, 31, 180, 730]) | st.integers(0, 800))
        found.append(
            Document(
                index + 1,
                draw(st.sampled_from(list(DocumentType))),
                start,
                start + timedelta(days=length),
                draw(st.booleans()),
            )
        )
    return tuple(found)


@given(cases, held(), st.integers(-100, 300))
def test_the_periods_hold_exactly_what_the_core_says_on_every_day(
    cases: tuple[Case, ...], held: tuple[Document, ...], offset: int
) -> None:
    since = BASE + timedelta(days=offset)
    periods = documents.due_periods(cases, held, since)
    for day in (since + timedelta(days=n) for n in range(HORIZON)):
        stored = [p.due for p in periods if p.start <= day and (p.end is None or day <= p.end)]
        assert sorted(stored, key=repr) == sorted(documents.documents_due(cases, held, day), key=repr), day
    far = since + timedelta(days=10_000)
    assert {p.due for p in periods if p.end is None} == set(documents.documents_due(cases, held, far))


def test_a_renewal_is_due_from_its_window_until_the_document_runs_out() -> None:
    start, end = documents.validity(DocumentType.TEMPORARY_CERTIFICATE, BASE)
    certificate = Document(1, DocumentType.TEMPORARY_CERTIFICATE, start, end)
    screened = (Case(state=State.SCREENED),)
    renewal = documents.Due(DocumentType.TEMPORARY_CERTIFICATE, certificate)
    issue = documents.Due(DocumentType.TEMPORARY_CERTIFICATE)
    assert documents.due_periods(screened, (certificate,), BASE) == [
        documents.DuePeriod(renewal, end - documents.RENEWAL_WINDOW, end),
        documents.DuePeriod(issue, end + timedelta(days=1), None),
    ]
    # Once the case is final, nothing is due at all.
    assert documents.due_periods((Case(state=State.FINAL),), (certificate,), BASE) == []
