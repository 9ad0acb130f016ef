"""The work queues: the landing page shows each officer what waits for a step of theirs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asylon.cases.models import Alert, Case, Interview
from asylon.documents.models import Document
from asylon.documents.services import documents_renew_due
from asylon.front import queues
from asylon.people.models import DetentionEpisode
from asylon.procedure.case import State, available_steps
from asylon.safeguards.models import Removal
from tests.front.conftest import NOW
from tests.services.helpers import T0, open_case, principal, walk_to


def listed(response) -> list[str]:
    return [row.case.number for row in response.context["rows"]]


def counts_of(response) -> dict[str, int]:
    return {q.key: count for q, count in response.context["queues"]}


@pytest.fixture
def pipeline(staff):
    """One case at each of the first stages."""
    return {
        state: walk_to(staff, open_case(staff, principal(name)), state)
        for state, name in [
            (State.INTAKE, "김영호"),
            (State.REGISTERED, "박민준"),
            (State.SCREENED, "최지우"),
            (State.INTERVIEW_SCHEDULED, "정서연"),
            (State.INTERVIEWED, "강하늘"),
            (State.ASSESSMENT_DRAFTED, "윤도현"),
            (State.DECIDED, "임수진"),
            (State.APPEAL_WINDOW, "한지민"),
        ]
    }


def test_the_landing_page_is_the_queues_and_the_case_list_moved(staff, browser_for):
    browser = browser_for(staff.registrar)

    assert reverse("front:queues") == "/"
    assert reverse("front:cases") == "/cases/"
    response = browser.get("/")
    assert response.status_code == 200
    assert "front/queues.html" in [t.name for t in response.templates]


def test_a_registration_officer_sees_intakes_screenings_notifications_and_appeal_windows(staff, browser_for, pipeline):
    response = browser_for(staff.registrar).get("/")

    counts = counts_of(response)
    assert counts["register"] == 1
    assert counts["screen"] == 1
    assert counts["notify"] == 1
    assert counts["appeal_window"] == 1
    assert "review" not in counts
    assert "hold_interview" not in counts
    # The first queue with work in it is listed: the intake to register.
    assert listed(response) == [pipeline[State.INTAKE].number]


def test_each_queue_lists_exactly_the_cases_at_its_steps_and_its_count_matches(staff, browser_for, pipeline):
    browser = browser_for(staff.eligibility)
    counts = counts_of(browser.get("/"))

    expected = {
        "screen": State.REGISTERED,
        "schedule_interview": State.SCREENED,
        "hold_interview": State.INTERVIEW_SCHEDULED,
        "draft_assessment": State.INTERVIEWED,
        "notify": State.DECIDED,
    }
    for key, state in expected.items():
        response = browser.get(reverse("front:queue", args=[key]))
        assert listed(response) == [pipeline[state].number], key
        assert counts[key] == 1 == response.context["page"].paginator.count


def test_every_case_listed_is_one_on_which_the_core_offers_the_queues_step(staff, browser_for, pipeline):
    for officer in (staff.registrar, staff.eligibility, staff.reviewer, staff.appeal):
        browser = browser_for(officer)
        for queue in queues.queues_for(officer):
            if queue.kind != "cases":
                continue
            for row in browser.get(reverse("front:queue", args=[queue.key])).context["rows"]:
                offered = set(available_steps(row.case.to_domain(), officer.actor()))
                assert offered & set(queue.steps), (officer.username, queue.key, row.case.state)


def test_a_reviewer_sees_drafts_to_review_and_nothing_of_registration(staff, browser_for, pipeline):
    response = browser_for(staff.reviewer).get("/")

    assert set(counts_of(response)) == {"review", "decide"}
    assert listed(response) == [pipeline[State.ASSESSMENT_DRAFTED].number]


def test_a_queue_of_another_role_is_not_found(staff, browser_for, pipeline):
    assert browser_for(staff.reviewer).get(reverse("front:queue", args=["register"])).status_code == 404
    assert browser_for(staff.registrar).get(reverse("front:queue", args=["no-such-queue"])).status_code == 404


@pytest.mark.parametrize("who", ["monitor", "outsider", "ngo"])
def test_an_officer_without_casework_sees_no_queue_and_no_case(staff, browser_for, pipeline, who):
    response = browser_for(getattr(staff, who)).get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["queues"] == []
    for case in pipeline.values():
        assert case.number not in page


def test_a_case_of_another_unit_is_in_no_queue_until_assigned_by_name(staff, browser_for, make_user):
    from asylon.cases.models import CaseAssignment

    ours = open_case(staff, principal("김영호"))
    theirs = open_case(staff, principal("박민준"))
    Case.objects.filter(pk=theirs.pk).update(office="bangkok")
    browser = browser_for(staff.registrar)

    response = browser.get(reverse("front:queue", args=["register"]))
    assert listed(response) == [ours.number]
    assert counts_of(response)["register"] == 1
    assert theirs.number not in response.content.decode()

    CaseAssignment.objects.create(case=theirs, user=staff.registrar, assigned_by=staff.registrar, assigned_at=T0)
    response = browser.get(reverse("front:queue", args=["register"]))
    assert sorted(listed(response)) == sorted([ours.number, theirs.number])
    assert counts_of(response)["register"] == 2


def test_filters_narrow_a_queue_and_say_when_nothing_matches(staff, browser_for):
    from asylon.procedure import case as p

    detained = open_case(staff, principal("김영호"))
    free = open_case(staff, principal("박민준"), channel=p.Channel.SELF_PRESENTED)
    DetentionEpisode.objects.filter(person=free.principal).update(released_on=date(2025, 7, 1))
    browser = browser_for(staff.registrar)
    url = reverse("front:queue", args=["register"])

    assert listed(browser.get(url, {"channel": "detained"})) == [detained.number]
    assert listed(browser.get(url, {"detained": "no"})) == [free.number]
    assert listed(browser.get(url, {"detained": "yes"})) == [detained.number]
    empty = browser.get(url, {"mode": "accelerated"})
    assert listed(empty) == []
    assert "Nothing in this queue matches these filters." in empty.content.decode()
    # An unknown value is ignored, not an error.
    assert len(listed(browser.get(url, {"channel": "teleported"}))) == 2


def test_sorting_puts_the_oldest_first_by_default_and_the_newest_on_request(staff, browser_for):
    first = open_case(staff, principal("김영호"))
    second = open_case(staff, principal("박민준"))
    Case.objects.filter(pk=second.pk).update(updated_at=T0 + timedelta(hours=1))
    browser = browser_for(staff.registrar)
    url = reverse("front:queue", args=["register"])

    assert listed(browser.get(url)) == [first.number, second.number]
    assert listed(browser.get(url, {"sort": "newest"})) == [second.number, first.number]
    assert listed(browser.get(url, {"sort": "number"})) == sorted([first.number, second.number])


def test_interviews_to_hold_list_todays_first(staff, browser_for):
    later = walk_to(staff, open_case(staff, principal("김영호")), State.INTERVIEW_SCHEDULED)
    today = walk_to(staff, open_case(staff, principal("박민준")), State.INTERVIEW_SCHEDULED)
    earlier = walk_to(staff, open_case(staff, principal("최지우")), State.INTERVIEW_SCHEDULED)
    Interview.objects.filter(case=later).update(scheduled_for=NOW + timedelta(days=3))
    Interview.objects.filter(case=today).update(scheduled_for=NOW + timedelta(hours=2))
    Interview.objects.filter(case=earlier).update(scheduled_for=NOW - timedelta(days=2))

    response = browser_for(staff.eligibility).get(reverse("front:queue", args=["hold_interview"]))

    assert listed(response) == [today.number, earlier.number, later.number]
    assert response.context["rows"][0].interview_today
    assert 'class="today"' in response.content.decode()


def test_detention_reviews_show_days_held_and_overdue_ones_in_red(staff, browser_for):
    overdue = open_case(staff, principal("김영호"))
    soon = open_case(staff, principal("박민준"))
    far = open_case(staff, principal("최지우"))
    today = NOW.date()
    DetentionEpisode.objects.filter(person=overdue.principal).update(next_review_on=today - timedelta(days=3))
    DetentionEpisode.objects.filter(person=soon.principal).update(next_review_on=today + timedelta(days=5))
    DetentionEpisode.objects.filter(person=far.principal).update(next_review_on=today + timedelta(days=25))

    response = browser_for(staff.registrar).get(reverse("front:queue", args=["detention"]))

    rows = response.context["rows"]
    assert [r.episode.case_number for r in rows] == [overdue.number, soon.number]
    assert [r.overdue for r in rows] == [True, False]
    assert rows[0].days_held == (today - date(2025, 6, 1)).days
    assert counts_of(response)["detention"] == 2
    page = response.content.decode()
    assert 'class="overdue-row"' in page
    assert "review overdue" in page


def test_a_long_list_is_counted_up_to_the_limit_and_listed_from_its_head(staff, browser_for, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_LIMIT", 2)
    cases = [open_case(staff, principal(name)) for name in ("김영호", "박민준", "최지우")]
    for days, case in enumerate(cases):
        DetentionEpisode.objects.filter(person=case.principal).update(next_review_on=NOW.date() - timedelta(days=days))

    response = browser_for(staff.registrar).get(reverse("front:queue", args=["detention"]))

    # The most overdue first; the third is beyond the limit.
    assert [r.episode.case_number for r in response.context["rows"]] == [cases[2].number, cases[1].number]
    assert counts_of(response)["detention"] == 3
    page = response.content.decode()
    assert 'data-queue="detention">2+</span>' in page
    assert "1–2 of more than 2" in page
    assert (
        browser_for(staff.registrar).get(reverse("front:queue", args=["detention"]), {"page": 2}).context["page"].number
        == 1
    )  # no page past the limit


def test_alerts_waiting_for_an_intake_are_listed_for_registration(staff, browser_for):
    waiting = Alert.objects.create(raised_by=staff.ngo, organisation="Border NGO", names_given="김영호", raised_at=T0)
    Alert.objects.create(
        raised_by=staff.ngo, organisation="Border NGO", names_given="박민준", raised_at=T0, case=open_case(staff)
    )

    response = browser_for(staff.registrar).get(reverse("front:queue", args=["alerts"]))

    assert [a.pk for a in response.context["rows"]] == [waiting.pk]
    assert counts_of(response)["alerts"] == 1
    assert f"/register/?alert={waiting.pk}" in response.content.decode()


def test_refused_removals_are_listed_with_every_reason(staff, browser_for):
    from asylon.safeguards.services import removal_request

    case = walk_to(staff, open_case(staff), State.REGISTERED)
    removal_request(user=staff.removal, person_id=case.principal_id, destination="KP")

    response = browser_for(staff.removal).get(reverse("front:queue", args=["removals"]))

    [(removal, reasons)] = response.context["rows"]
    assert removal.status == Removal.Status.REFUSED
    assert "A case of this person is still pending." in reasons
    assert "The destination is on the no-return register." in reasons or len(reasons) >= 2
    assert counts_of(response)["removals"] == 1
    assert (
        browser_for(staff.removal).get(reverse("front:queue", args=["removals"]), {"status": "allowed"}).context["rows"]
        == []
    )


def _on(monkeypatch, day):
    """The officers' clock moved to `day`, nothing written since."""
    monkeypatch.setattr(timezone, "now", lambda: datetime.combine(day, NOW.timetz()))


def test_documents_due_for_renewal_are_listed_for_the_documentation_desk(staff, browser_for, monkeypatch):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    document = Document.objects.get(case=case)
    queue = reverse("front:queue", args=["documents"])
    assert browser_for(staff.documentation).get(queue).context["rows"] == []

    # Twenty days before the certificate runs out, the day it does, and the day after.
    _on(monkeypatch, document.valid_until - timedelta(days=20))
    response = browser_for(staff.documentation).get(queue)
    [row] = response.context["rows"]
    assert (row.case_number, row.document.pk) == (case.number, document.pk)
    assert counts_of(response)["documents"] == 1
    _on(monkeypatch, document.valid_until)
    [row] = browser_for(staff.documentation).get(queue).context["rows"]
    assert row.document.pk == document.pk


def test_a_person_without_the_document_they_need_is_listed_to_issue(staff, browser_for, monkeypatch):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    document = Document.objects.get(case=case)

    # The renewal run did not come: the day after the certificate ran out, one is to issue.
    _on(monkeypatch, document.valid_until + timedelta(days=1))
    response = browser_for(staff.documentation).get(reverse("front:queue", args=["documents"]))

    [row] = response.context["rows"]
    assert row.document is None and row.due == "temporary_certificate"


def test_a_renewal_leaves_the_queue_once_issued(staff, browser_for, monkeypatch):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    document = Document.objects.get(case=case)
    day = document.valid_until - timedelta(days=5)
    _on(monkeypatch, day)
    queue = reverse("front:queue", args=["documents"])
    assert len(browser_for(staff.documentation).get(queue).context["rows"]) == 1

    assert documents_renew_due(today=day) == 1

    assert browser_for(staff.documentation).get(queue).context["rows"] == []


def test_a_queue_page_reads_in_a_fixed_number_of_queries(staff, browser_for, django_assert_max_num_queries):
    for name in ("김영호", "박민준", "최지우", "정서연", "강하늘", "윤도현"):
        open_case(staff, principal(name))
    browser = browser_for(staff.registrar)
    url = reverse("front:queue", args=["register"])
    browser.get(url)

    # Session, user, roles, case counts, alerts, detentions, documents' three, page count,
    # page, names, detentions: none of them once per row.
    with django_assert_max_num_queries(16) as captured:
        browser.get(url)
    few = len(captured)
    for name in ("한지민", "임수진", "서지훈"):
        open_case(staff, principal(name))
    with django_assert_max_num_queries(few):
        browser.get(url)


def test_queues_page_by_twenty_five(staff, browser_for):
    for _ in range(26):
        open_case(staff, principal("김영호"))
    browser = browser_for(staff.registrar)
    url = reverse("front:queue", args=["register"])

    first = browser.get(url)
    second = browser.get(url, {"page": 2})

    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 1
    assert "1–25 of 26" in first.content.decode()
    assert counts_of(first)["register"] == 26
