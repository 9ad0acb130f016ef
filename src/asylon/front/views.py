"""The officer's pages: find a case, read it, take the step the core allows.

Views parse input, call one selector or service, and render. Which steps are offered comes
from `available_steps`, and every verdict on a step from `case_take`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asylon.accounts.reauth import reauthentication_redirect, recently_authenticated
from asylon.cases.access import emergency_access_for
from asylon.cases.models import Case, Event
from asylon.cases.need_to_know import assignable_officers
from asylon.cases.selectors import case_get_for_user, case_search, case_timeline
from asylon.cases.services import INTAKE_ROLES, NotFound, case_take
from asylon.documents.models import Document
from asylon.front import labels, queues
from asylon.front.forms import StepForm
from asylon.front.searches import search_keep, search_recall
from asylon.people.models import DetentionEpisode, Name, Person, office_slug
from asylon.procedure import case as procedure
from asylon.procedure import detention
from asylon.procedure.access import CaseReach, assigner_refusals
from asylon.procedure.case import SIGN_IN_AGAIN_BEFORE, STEP_NAMES, State, available_steps
from asylon.procedure.refusals import SENTENCES, Code, Refused

# Rows per page of a list (cases, queues): a page reads and unseals every name of its rows.
PAGE_SIZE = 25

# Event data that is shown elsewhere on the page (the reason column, the records), or that
# the event keeps only as a marker that a narrative was written.
_NOT_DETAILS = frozenset(
    {
        "reason",
        "comments",
        "late_reason",
        "material_facts",
        "credibility",
        "inclusion",
        "exclusion",
        "complementary_protection",
        "reasons",
        "refusals",
        "removal",
    }
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def cases(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _search(request)
    state = _state(request.GET.get("state", ""))
    token = request.GET.get("s", "")
    query = search_recall(request.session, token) if token else ""
    # A token from another session, or pushed out by newer searches: the whole list, and a note.
    expired = query is None
    query = query or ""
    found = case_search(request.user, query, state).prefetch_related(
        Prefetch(
            "principal__detentions",
            queryset=DetentionEpisode.objects.filter(released_on__isnull=True).order_by("detained_since"),
            to_attr="current_detentions",
        )
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "query": query,
        "expired": expired,
        "state": state,
        "states": [(s.value, labels.label("state", s)) for s in State],
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": [_row(case) for case in page],
    }
    return render(request, "front/case_list.html", context)


@never_cache
@login_required
@require_GET
def queue_page(request: HttpRequest, key: str = "") -> HttpResponse:
    """The landing page: the officer's queues with their counts, and one queue listed."""
    now = timezone.now()
    today = timezone.localdate(now)
    mine = queues.queues_for(request.user)
    if key and key not in {q.key for q in mine}:
        # A queue of another role, or none: the same answer as for a case one may not see.
        raise Http404(key)
    counted = queues.counts(request.user, mine, today)
    if not key:
        waiting = [q for q in mine if counted.get(q.key)]
        key = (waiting or mine)[0].key if mine else ""
    context: dict[str, Any] = {
        "queues": [(q, counted.get(q.key, 0)) for q in mine],
        "count_limit": queues.COUNT_LIMIT,
        "queue": queues.BY_KEY.get(key),
        "today": today,
        "registers": request.user.actor().has_any(INTAKE_ROLES),
    }
    if key:
        context.update(_queue_list(request, queues.BY_KEY[key], now, today, counted[key]))
    return render(request, "front/queues.html", context)


def _queue_list(request: HttpRequest, queue: queues.Queue, now: Any, today: date, found: int) -> dict[str, Any]:
    """One queue's list, filtered and sorted; `found` is its unfiltered count, from its tab."""
    filters = queues.Filters.read(request.GET)
    sort = request.GET.get("sort", "")
    sort = sort if sort in queue.sorts else queue.sorts[0]
    items: Any
    if queue.kind == "cases":
        items = queues.cases_waiting(request.user, queue, filters, sort, now)
    elif queue.kind == "alerts":
        items = queues.alerts_waiting(request.user)
    elif queue.kind == "documents":
        items = queues.documents_due(request.user, today)
    elif queue.kind == "detention":
        items = queues.detentions_due(request.user, today)
    else:
        items = queues.removals_requested(request.user, filters)
    filtered = filters != queues.Filters()
    paginator = queues.QueuePaginator(items, PAGE_SIZE, cases=queue.kind == "cases", found=None if filtered else found)
    page = paginator.get_page(request.GET.get("page"))
    if queue.kind == "cases":
        rows: list[Any] = [queues.case_row(case, today) for case in page]
    elif queue.kind == "detention":
        rows = [queues.detention_row(episode, today) for episode in page]
    elif queue.kind == "removals":
        rows = [(r, [_(SENTENCES[Code(c)]) for c in r.refusal_codes if c in set(Code)]) for r in page]
    elif queue.kind == "documents":
        rows = queues.documents_named(page)
    else:
        rows = list(page)
    return {
        "filters": filters,
        "sort": sort,
        "sorts": [(s, queues.SORTS[s]) for s in queue.sorts],
        "modes": [(m.value, labels.label("choice", m)) for m in procedure.ProcessingMode],
        "channels": [(c.value, labels.label("channel", c)) for c in procedure.Channel],
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": rows,
        "filtered": filtered,
    }


def _search(request: HttpRequest) -> HttpResponse:
    """Keep the posted search in the session and show it at an address that holds only its token.

    A name in the address would stay in the browser's history, the server's access log and
    the `Referer` of the next request; a 303 also keeps the back button from posting again."""
    query = request.POST.get("q", "").strip()
    state = _state(request.POST.get("state", ""))
    params = {}
    if query:
        params["s"] = search_keep(request.session, office=office_slug(request.user.unit), query=query)
    if state:
        params["state"] = state
    url = reverse("front:cases") + (f"?{urlencode(params)}" if params else "")
    return HttpResponseRedirect(url, status=303)


def _state(value: str) -> str:
    return value if value in set(State) else ""


@dataclass(frozen=True)
class Row:
    case: Case
    primary: Name | None
    others: list[Name]
    detained_since: date | None

    @property
    def names(self) -> list[Name]:
        return [self.primary, *self.others] if self.primary is not None else []


def _row(case: Case) -> Row:
    names = list(case.principal.names.all())
    detentions = case.principal.current_detentions
    return Row(
        case=case,
        primary=names[0] if names else None,
        others=names[1:],
        detained_since=detentions[0].detained_since if detentions else None,
    )


@never_cache
@login_required
@require_GET
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, _case_or_404(request, case_id, purpose="case page"))


@never_cache
@login_required
@require_POST
def step(request: HttpRequest, case_id: int, step: str) -> HttpResponse:
    # Access first: a user who may not see the case learns nothing from a step's answer.
    found = _case_or_404(request, case_id, purpose="step")
    kind = STEP_NAMES.get(step)
    if kind is None:
        raise Http404(step)
    if kind in SIGN_IN_AGAIN_BEFORE and not recently_authenticated(request):
        return reauthentication_redirect(request)
    form = StepForm(kind, request.POST)
    built = form.step()
    record = form.record()
    if built is None or form.errors:
        if built is not None:
            # The step itself was readable: name the core's objections now too, so the officer
            # does not fix the date only to learn on the next try that the language is missing.
            form.refusals = procedure.refusals(found.to_domain(), built, request.user.actor(), timezone.now().date())
        return _case_page(request, found, form, status=422)
    try:
        taken = case_take(user=request.user, case_id=found.pk, step=built, record=record)
    except Refused as refused:
        form.refusals = refused.refusals
        # Reread: another officer may have moved the case, which is often why it was refused.
        return _case_page(request, _case_or_404(request, case_id, purpose="case page"), form, status=422)
    except NotFound:
        raise Http404(case_id) from None
    messages.success(
        request,
        _("%(step)s: done. The case is now at the stage “%(state)s”.")
        % {"step": form.label, "state": labels.label("state", taken.state)},
    )
    return redirect("front:case", case_id=found.pk)


def _case_or_404(request: HttpRequest, case_id: int, *, purpose: str) -> Case:
    try:
        return case_get_for_user(request.user, case_id, purpose=purpose)
    except NotFound:
        raise Http404(case_id) from None


def _case_page(request: HttpRequest, case: Case, posted: StepForm | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    offered = available_steps(case.to_domain(), request.user.actor())
    forms = [
        posted if posted is not None and posted.kind is kind else StepForm(kind, initial=_step_initial(case, kind))
        for kind in offered
    ]
    for form in forms:
        form.outlook = _outlook(case, form.kind, request.user.actor(), today)
    ordinary = [f for f in forms if not f.grave]
    if posted is None and len(ordinary) == 1:
        ordinary[0].open = True
    context = {
        "case": case,
        "today": today,
        "people": [_person(m.person, m.relation, today) for m in _members(case)],
        "forms": forms,
        "posted": posted,
        # A step refused because the case moved on is no longer offered; the officer's text is kept.
        "posted_gone": posted is not None and posted.kind not in offered,
        "events": [_event(e) for e in case_timeline(case)],
        "interviews": case.interviews.select_related("held_by").order_by("pk"),
        "assessments": case.assessments.select_related("drafter", "reviewer").order_by("-pk"),
        "decisions": case.decisions.select_related("decided_by").order_by("-pk"),
        "appeals": case.appeals.select_related("lodged_by").order_by("-pk"),
        **_reach(request, case),
    }
    return render(request, "front/case_detail.html", context, status=status)


def _step_initial(case: Case, kind: type[procedure.Step]) -> dict[str, str]:
    """What the file already says for a step's form: the applicant's requests for the interview,
    the interview's language for the notification. The officer can change any of it."""
    principal = next((m for m in case.members.all() if m.relation == "principal"), None)
    asked = principal.interpreter_language if principal is not None else ""
    if kind is procedure.ScheduleInterview and principal is not None:
        return {
            "language": asked,
            "interviewer_gender": principal.interviewer_gender,
            "interpreter_gender": principal.interpreter_gender,
        }
    if kind in (procedure.Notify, procedure.NotifyAppeal):
        heard = case.interviews.exclude(language="").order_by("-pk").values_list("language", flat=True).first()
        return {"language": heard or asked}
    return {}


def _outlook(case: Case, kind: type[procedure.Step], actor: Any, today: date) -> str:
    """The core's answer to "what would this step set if taken today?", for the officer to see."""
    if kind is not procedure.Notify:
        return ""
    after = procedure.Notify(language="-").apply(case.to_domain(), actor, today)
    if after.appeal_deadline is None:
        return _("Notified today, the decision becomes final: there is nothing to appeal.")
    return _("Notified today, the appeal deadline is %(deadline)s.") % {
        "deadline": formats.date_format(after.appeal_deadline, "SHORT_DATE_FORMAT")
    }


def _reach(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Who may read the case besides its unit, and how this officer reaches it."""
    user = request.user
    # Whether this officer assigns the case depends on its unit only.
    may_assign = not assigner_refusals(user.reader(), CaseReach(case.office))  # type: ignore[union-attr]
    return {
        "assignments": case.assignments.filter(ended_at__isnull=True).select_related("user").order_by("pk"),
        "may_assign": may_assign,
        "assignable": assignable_officers(case) if may_assign else [],
        "emergency": emergency_access_for(user, case),  # type: ignore[arg-type]
    }


def _members(case: Case) -> list[Any]:
    return sorted(case.members.all(), key=lambda m: (m.relation != "principal", m.pk))


@dataclass(frozen=True)
class PersonView:
    person: Person
    relation: str
    names: list[Name]
    documents: list[tuple[Document, str]]
    detentions: list[tuple[DetentionEpisode, bool]]


def _person(person: Person, relation: str, today: date) -> PersonView:
    documents = sorted(person.documents.all(), key=lambda d: (d.valid_from, d.pk), reverse=True)
    detentions = sorted(person.detentions.all(), key=lambda d: d.detained_since, reverse=True)
    return PersonView(
        person=person,
        relation=relation,
        names=list(person.names.all()),
        documents=[(d, _document_status(d, today)) for d in documents],
        detentions=[
            (d, d.released_on is None and detention.review_overdue(d.next_review_on, today)) for d in detentions
        ],
    )


def _document_status(document: Document, today: date) -> str:
    if document.revoked_on is not None:
        return "revoked"
    if document.to_domain().valid_on(today):
        return "valid"
    return "not_yet_valid" if today < document.valid_from else "expired"


@dataclass(frozen=True)
class EventView:
    event: Event
    what: str
    details: list[tuple[str, str]]
    why: list[str]


# Event data that holds a moment, kept in ISO 8601 with its offset: shown in the officer's time zone.
_MOMENTS = frozenset({"started_at", "ended_at"})


def _event(event: Event) -> EventView:
    reason = event.readable.reason
    why = [reason] if reason else []
    # A refused removal keeps the guard's codes; the officer reads the sentences.
    why += [_(SENTENCES[Code(c)]) for c in event.data.get("refusals", []) if c in set(Code)]
    details = [(labels.label("field", k), _detail(k, v)) for k, v in event.data.items() if k not in _NOT_DETAILS]
    return EventView(event=event, what=labels.label("event", event.type), details=details, why=why)


def _detail(key: str, value: object) -> str:
    if key == "language":
        return labels.label("language", value)
    if key in _MOMENTS and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, str):
        for vocabulary in ("choice", "channel"):
            words = labels.VOCABULARIES[vocabulary].get(value)
            if words is not None:
                return str(words)
        return value or "—"
    return str(value)
