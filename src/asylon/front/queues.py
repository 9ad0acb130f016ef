"""Work queues: what is waiting for this officer, by the step that clears it.

A case is in a queue when the core offers one of the queue's steps at the case's stage to an
officer with this one's roles (`Step.sources` and `Step.roles`, the data `available_steps`
reads), so no stage or role is named here. Every list starts from `cases_for_user`: a queue
never holds a case its officer may not read. Counts of every case queue come from one
aggregate query; each list is one query for the page and one per related table, whatever
the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case as Conditional
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from asylon.accounts.models import User
from asylon.cases.access import cases_for_user, readable_by
from asylon.cases.models import Alert, Case, CaseMember
from asylon.cases.selectors import alerts_for_user
from asylon.cases.services import DETENTION_REVIEWERS, INTAKE_ROLES
from asylon.documents.models import Document, DocumentDue
from asylon.people.models import DetentionEpisode, Name
from asylon.procedure import case as procedure
from asylon.procedure import detention
from asylon.procedure import documents as document_rules
from asylon.procedure.removal import REMOVERS
from asylon.procedure.roles import Actor, Role
from asylon.safeguards.models import Removal

# Detention reviews falling due within this many days are listed with those already due,
# so that the officer can prepare them; which are overdue is the core's to say.
DETENTION_LOOKAHEAD = timedelta(days=7)


@dataclass(frozen=True)
class Queue:
    key: str
    title: Promise
    # "cases": cases at a stage where one of `steps` is offered; the others are lists of their own.
    kind: str = "cases"
    steps: tuple[type[procedure.Step], ...] = ()
    # Stages of another queue's step, left to that queue (an interview scheduled is to be held,
    # though the core also lets it be rescheduled).
    leave_to: tuple[type[procedure.Step], ...] = ()
    roles: frozenset[Role] = frozenset()
    sorts: tuple[str, ...] = ("oldest", "newest", "prioritized", "number")

    def stages(self, actor: Actor) -> frozenset[procedure.State]:
        """The stages at which this officer may take one of the queue's steps."""
        found: set[procedure.State] = set()
        for step in self.steps:
            if actor.has_any(step.roles):
                found |= step.sources
        for step in self.leave_to:
            found -= step.sources
        return frozenset(found)

    def serves(self, actor: Actor) -> bool:
        if self.kind == "cases":
            return bool(self.stages(actor))
        return actor.has_any(self.roles)


QUEUES: tuple[Queue, ...] = (
    Queue("alerts", _("Alerts to register"), kind="alerts", roles=INTAKE_ROLES),
    Queue("register", _("Intakes to register"), steps=(procedure.Register,)),
    Queue("screen", _("Screenings due"), steps=(procedure.Screen,)),
    Queue(
        "schedule_interview",
        _("Interviews to schedule"),
        steps=(procedure.ScheduleInterview,),
        leave_to=(procedure.HoldInterview,),
    ),
    Queue(
        "hold_interview",
        _("Interviews to hold"),
        steps=(procedure.HoldInterview,),
        sorts=("interview", "oldest", "newest", "prioritized", "number"),
    ),
    Queue("draft_assessment", _("Assessments to draft"), steps=(procedure.DraftAssessment,)),
    Queue("review", _("Drafts to review"), steps=(procedure.ApproveAssessment, procedure.ReturnAssessment)),
    Queue("decide", _("Decisions to take"), steps=(procedure.Decide,)),
    Queue("notify", _("Decisions to notify"), steps=(procedure.Notify, procedure.NotifyAppeal)),
    Queue(
        "appeal_window",
        _("Appeal window open"),
        steps=(procedure.LodgeAppeal,),
        sorts=("deadline", "oldest", "newest", "number"),
    ),
    Queue("decide_appeal", _("Appeals to decide"), steps=(procedure.DecideAppeal,)),
    Queue("documents", _("Documents to issue or renew"), kind="documents", roles=document_rules.ISSUERS),
    Queue("detention", _("Detention reviews due"), kind="detention", roles=DETENTION_REVIEWERS),
    Queue("removals", _("Removal requests"), kind="removals", roles=REMOVERS),
)
BY_KEY = {q.key: q for q in QUEUES}

SORTS = {
    "oldest": _("Waiting longest"),
    "newest": _("Most recent"),
    "prioritized": _("Prioritized first"),
    "number": _("Case number"),
    "interview": _("Interview date, today's first"),
    "deadline": _("Appeal deadline"),
}


def queues_for(user: User) -> list[Queue]:
    actor = user.actor()
    return [q for q in QUEUES if q.serves(actor)]


@dataclass(frozen=True)
class Filters:
    """What the officer narrows a queue to; every value is checked against a fixed list."""

    mode: str = ""
    channel: str = ""
    detained: str = ""  # "yes", "no" or "" (either)
    mine: bool = False
    status: str = ""  # removals: "allowed" or "refused"

    @classmethod
    def read(cls, params: Any) -> Filters:
        def one_of(name: str, allowed: Iterable[str]) -> str:
            value = params.get(name, "")
            return value if value in set(allowed) else ""

        return cls(
            mode=one_of("mode", procedure.ProcessingMode),
            channel=one_of("channel", procedure.Channel),
            detained=one_of("detained", ("yes", "no")),
            mine=params.get("mine") == "1",
            status=one_of("status", (Removal.Status.ALLOWED, Removal.Status.REFUSED)),
        )


def _current_detention() -> Exists:
    return Exists(DetentionEpisode.objects.filter(person=OuterRef("principal"), released_on__isnull=True))


def _counts_of_cases(user: User, queues: list[Queue]) -> dict[str, int]:
    actor = user.actor()
    case_queues = [q for q in queues if q.kind == "cases"]
    if not case_queues:
        return {}
    aggregates = {q.key: Count("pk", filter=Q(state__in=q.stages(actor))) for q in case_queues}
    # Only the cases at one of those stages are read (by the state's index), not every case.
    stages = set().union(*(q.stages(actor) for q in case_queues))
    return cases_for_user(user).filter(state__in=stages).aggregate(**aggregates)


# The lists that are not of cases (detention reviews, documents, removals, alerts) are counted
# up to here: past it, an exact count reads the whole backlog on every page an officer opens,
# and the list is in working order, so the officer works from its head.
COUNT_LIMIT = 1000


def counted(items: QuerySet[Any]) -> int:
    """How many `items` there are, or COUNT_LIMIT + 1 when there are more than COUNT_LIMIT."""
    return items.order_by()[: COUNT_LIMIT + 1].count()


class QueuePaginator(Paginator):
    """Pages over a queue's list. An unfiltered list takes the count its tab already shows
    (`found`), so a page counts once; a list that is not of cases pages over its first
    COUNT_LIMIT items, and `capped` says that more wait beyond them."""

    capped = False

    def __init__(self, items: QuerySet[Any], per_page: int, *, cases: bool, found: int | None = None) -> None:
        super().__init__(items, per_page)
        self.cases = cases
        self.found = found

    @cached_property
    def count(self) -> int:
        if self.found is not None:
            found = self.found
        else:
            found = self.object_list.count() if self.cases else counted(self.object_list)
        if self.cases or found <= COUNT_LIMIT:
            return found
        self.capped = True
        return COUNT_LIMIT


def counts(user: User, queues: list[Queue], today: date) -> dict[str, int]:
    """How many items wait in each of the officer's queues: cases exactly, the other lists
    up to COUNT_LIMIT + 1 (shown as "1,000+")."""
    found = _counts_of_cases(user, queues)
    for q in queues:
        if q.kind == "alerts":
            found[q.key] = counted(alerts_waiting(user))
        elif q.kind == "documents":
            found[q.key] = counted(documents_due(user, today))
        elif q.kind == "detention":
            found[q.key] = counted(detentions_due(user, today))
        elif q.kind == "removals":
            found[q.key] = counted(removals_requested(user, Filters()))
    return found


def _names() -> Prefetch:
    return Prefetch("principal__names", queryset=Name.objects.order_by("-is_primary", "pk"))


def cases_waiting(user: User, queue: Queue, filters: Filters, sort: str, now: datetime) -> QuerySet[Case]:
    """The cases of one queue, filtered and sorted."""
    cases = cases_for_user(user, now).filter(state__in=queue.stages(user.actor()))
    if filters.mode:
        cases = cases.filter(processing_mode=filters.mode)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.detained:
        cases = cases.filter(_current_detention() if filters.detained == "yes" else ~_current_detention())
    if filters.mine:
        cases = cases.filter(assignments__user=user, assignments__ended_at__isnull=True)
    # A join, not a subquery per case: a case has at most one interview to hold.
    unheld = FilteredRelation("interviews", condition=Q(interviews__held_at__isnull=True))
    cases = cases.annotate(unheld=unheld).annotate(
        interview_at=F("unheld__scheduled_for"), interview_place=F("unheld__place")
    )
    cases = cases.select_related("principal").prefetch_related(
        _names(),
        Prefetch(
            "principal__detentions",
            queryset=DetentionEpisode.objects.filter(released_on__isnull=True).order_by("detained_since"),
            to_attr="current_detentions",
        ),
    )
    return cases.order_by(*_order(sort, now))


def _order(sort: str, now: datetime) -> list[Any]:
    if sort == "newest":
        return ["-updated_at", "-pk"]
    if sort == "number":
        return ["number"]
    if sort == "prioritized":
        prioritized = Conditional(
            When(processing_mode=procedure.ProcessingMode.PRIORITIZED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [prioritized, "updated_at", "pk"]
    if sort == "interview":
        start = timezone.make_aware(datetime.combine(timezone.localdate(now), time()))
        today = Conditional(
            When(interview_at__gte=start, interview_at__lt=start + timedelta(days=1), then=Value(0)),
            When(interview_at__isnull=True, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [today, "interview_at", "pk"]
    if sort == "deadline":
        return ["appeal_deadline", "pk"]
    return ["updated_at", "pk"]


@dataclass(frozen=True)
class CaseRow:
    case: Case
    primary: Name | None
    others: list[Name]
    detained_since: date | None
    interview_today: bool = False

    @property
    def names(self) -> list[Name]:
        return [self.primary, *self.others] if self.primary is not None else []


def case_row(case: Case, today: date | None = None) -> CaseRow:
    names = list(case.principal.names.all())
    detentions = getattr(case.principal, "current_detentions", [])
    at = getattr(case, "interview_at", None)
    return CaseRow(
        case=case,
        primary=names[0] if names else None,
        others=names[1:],
        detained_since=detentions[0].detained_since if detentions else None,
        interview_today=at is not None and today is not None and timezone.localdate(at) == today,
    )


def alerts_waiting(user: User) -> QuerySet[Alert]:
    """Alerts no intake has answered yet, oldest first: each names someone at risk."""
    return alerts_for_user(user).filter(case__isnull=True).order_by("raised_at", "pk")


def _visible(user: User, person: str) -> Exists:
    """Whether the row's person is in a case this officer may read: a join from the person to
    their cases, where a list of every readable person would be searched once per row."""
    return Exists(CaseMember.objects.filter(readable_by(user, case="case__"), person=OuterRef(person)))


def _case_of(user: User, person: str) -> dict[str, Subquery]:
    """The person's latest case this officer may read, for the link on the row."""
    member = CaseMember.objects.filter(readable_by(user, case="case__"), person=OuterRef(person)).order_by(
        "-case__opened_at"
    )
    return {
        "case_id": Subquery(member.values("case_id")[:1]),
        "case_number": Subquery(member.values("case__number")[:1]),
    }


def detentions_due(user: User, today: date) -> QuerySet[DetentionEpisode]:
    """Current detentions whose review is due, overdue, or falls due within the week."""
    return (
        DetentionEpisode.objects.filter(
            _visible(user, "person"),
            released_on__isnull=True,
            next_review_on__lte=today + DETENTION_LOOKAHEAD,
        )
        .annotate(**_case_of(user, "person"))
        .prefetch_related(Prefetch("person__names", queryset=Name.objects.order_by("-is_primary", "pk")))
        .order_by("next_review_on", "detained_since", "pk")
    )


@dataclass(frozen=True)
class DetentionRow:
    episode: DetentionEpisode
    # Every name of the person, the primary one first: each shown in the script it was written in.
    names: list[Name]
    overdue: bool
    days_held: int


def detention_row(episode: DetentionEpisode, today: date) -> DetentionRow:
    names = list(episode.person.names.all())
    return DetentionRow(
        episode=episode,
        names=names,
        overdue=detention.review_overdue(episode.next_review_on, today),
        days_held=(today - episode.detained_since).days,
    )


def removals_requested(user: User, filters: Filters) -> QuerySet[Removal]:
    """Removal attempts not yet carried out, the refused ones with the guard's reasons."""
    removals = Removal.objects.filter(
        _visible(user, "person"),
        status__in=[Removal.Status.ALLOWED, Removal.Status.REFUSED],
    )
    if filters.status:
        removals = removals.filter(status=filters.status)
    return (
        removals.annotate(**_case_of(user, "person"))
        .select_related("requested_by")
        .prefetch_related(Prefetch("person__names", queryset=Name.objects.order_by("-is_primary", "pk")))
        .order_by("-requested_at", "-pk")
    )


@dataclass(frozen=True)
class DocumentRow:
    """A document the core says is due: a renewal of `document`, or a first issue of `due`."""

    names: list[Name]
    case_id: int
    case_number: str
    due: document_rules.DocumentType
    document: Document | None = None


def documents_due(user: User, today: date) -> QuerySet[DocumentDue]:
    """What the documentation desk must issue or renew today, first issues first, then
    renewals by the day their document runs out. The core's answer for each person is kept
    as periods (`DocumentDue`, rewritten with every change to their cases or documents), so
    the queue is one indexed query at any size, listed under the person's latest case."""
    return (
        DocumentDue.objects.filter(readable_by(user, case="case__"), due_from__lte=today)
        .filter(Q(due_until__isnull=True) | Q(due_until__gte=today))
        .select_related("case", "document")
        .order_by(F("document__valid_until").asc(nulls_first=True), "case__number", "pk")
    )


def documents_named(dues: Iterable[DocumentDue]) -> list[DocumentRow]:
    """The rows of the page shown, with every name of their person, the primary one first."""
    dues = list(dues)
    names: defaultdict[int, list[Name]] = defaultdict(list)
    for name in Name.objects.filter(person_id__in={d.person_id for d in dues}).order_by("-is_primary", "pk"):
        names[name.person_id].append(name)
    return [
        DocumentRow(
            names=names[d.person_id],
            case_id=d.case_id,
            case_number=d.case.number,
            due=document_rules.DocumentType(d.type),
            document=d.document,
        )
        for d in dues
    ]
