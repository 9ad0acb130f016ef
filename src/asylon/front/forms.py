"""The form for one procedure step, built from the fields the core's step carries.

`step_fields` says what a step carries and `step_build` judges the input; this module only
turns them into widgets and back, so the web form cannot drift from the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asylon.cases.services import StepRecord
from asylon.cases.steps import StepField, StepInputError, step_build, step_fields
from asylon.front import labels
from asylon.procedure.case import STEP_NAMES, Step
from asylon.procedure.refusals import Code, Refusal

_NAMES = {kind: name for name, kind in STEP_NAMES.items()}

# Short answers fit on one line; every other text is written at length.
ONE_LINE = frozenset({"language", "place"})

# What the case file records for a step beyond what the core judges (see StepRecord).
RECORD_FIELDS = {
    "schedule_interview": ("scheduled_for", "place", "interviewer_gender", "interpreter_gender"),
    "hold_interview": ("notes",),
}


# Steps whose fields read better in groups: (legend, fields). A field of the step left out of
# every group is drawn after them, so a field the core adds is never lost.
FIELDSETS = {
    "draft_assessment": (
        (gettext_lazy("Facts and credibility"), ("material_facts", "credibility")),
        (gettext_lazy("Inclusion: Refugee Convention Art. 1A(2)"), ("inclusion",)),
        (gettext_lazy("Exclusion: Art. 1F"), ("exclusion",)),
        (gettext_lazy("Complementary protection"), ("complementary_protection",)),
        (gettext_lazy("Proposed outcome"), ("proposed_outcome",)),
    ),
    "schedule_interview": (
        (gettext_lazy("When and where"), ("scheduled_for", "place")),
        (gettext_lazy("As the applicant asked"), ("language", "interviewer_gender", "interpreter_gender")),
    ),
    "hold_interview": (
        (gettext_lazy("Before the interview"), ("rights_informed", "started_at")),
        (gettext_lazy("Questions and answers, or notes"), ("notes",)),
        (gettext_lazy("After the interview"), ("ended_at", "read_back_confirmed")),
    ),
}

# The field a refusal of the core is about, so that its sentence is shown beside that field too.
REFUSAL_FIELDS = {
    Code.INTERVIEW_END_NOT_AFTER_START: "ended_at",
    Code.INTERVIEW_IN_FUTURE: "started_at",
}

# Guidance beside a field on one step's screen, where the field's general help says too little.
STEP_HELP = {
    ("draft_assessment", "material_facts"): gettext_lazy(
        "One numbered line per material fact: what the applicant says happened, to whom, when and where."
    ),
    ("draft_assessment", "credibility"): gettext_lazy(
        "Per fact, by its number: accepted, rejected, or accepted with the benefit of the doubt, and why "
        "(internal and external consistency, detail, plausibility)."
    ),
    ("draft_assessment", "inclusion"): gettext_lazy(
        "Well-founded fear of being persecuted; the ground or grounds: race, religion, nationality, membership "
        "of a particular social group, political opinion; the nexus; state protection; internal flight. Say "
        "whether the claim arises sur place, e.g. from illegal exit or from activities abroad."
    ),
    ("draft_assessment", "exclusion"): gettext_lazy(
        "Whether there are serious reasons for considering that the applicant committed a crime under "
        "Art. 1F(a), (b) or (c); if none arises, say so."
    ),
    ("draft_assessment", "complementary_protection"): gettext_lazy(
        "Risk of torture on return (CAT Art. 3) and of arbitrary deprivation of life or torture or cruel, "
        "inhuman or degrading treatment (ICCPR Arts. 6–7), for each country of return."
    ),
    ("hold_interview", "notes"): gettext_lazy("Who was present, then each question and answer in turn, or notes."),
    ("hold_interview", "started_at"): gettext_lazy("When the interview began, after the rights were explained."),
    ("hold_interview", "ended_at"): gettext_lazy("When the interview ended, before the record was read back."),
}


@dataclass
class Widget:
    """One field as the template draws it, with what the officer typed and what is wrong."""

    step: str
    name: str
    kind: str  # "input", "textarea", "checkbox", "select", "datetime"
    label: str
    required: bool = False
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    checked: bool = False
    error: str = ""

    @property
    def id(self) -> str:
        return f"{self.step}-{self.name}"


class StepForm:
    def __init__(self, kind: type[Step], data: QueryDict | None = None, initial: dict[str, str] | None = None) -> None:
        self.kind = kind
        # Shown in an empty form: what the file already says (the language the applicant asked for).
        self.initial = initial or {}
        # A sentence the core computed for this step, e.g. the appeal deadline a notification sets.
        self.outlook = ""
        self.name = _NAMES[kind]
        self.label = labels.label("step", self.name)
        self.grave = self.name in labels.GRAVE_STEPS
        self.data = data
        self.errors: dict[str, str] = {}
        self.refusals: list[Refusal] = []
        # Drawn unfolded: the form the officer just sent, or the one obvious next step.
        self.open = data is not None

    @property
    def widgets(self) -> list[Widget]:
        found = [self._widget(f) for f in step_fields(self.kind)]
        found += [self._record_widget(name) for name in RECORD_FIELDS.get(self.name, ())]
        return found

    @property
    def fieldsets(self) -> list[tuple[str, list[Widget]]]:
        """The widgets in their groups; one unnamed group where the step has none."""
        widgets = {w.name: w for w in self.widgets}
        groups = []
        for legend, names in FIELDSETS.get(self.name, ()):
            members = [widgets.pop(n) for n in names if n in widgets]
            if members:
                groups.append((str(legend), members))
        if widgets:
            groups.append(("", list(widgets.values())))
        return groups

    @property
    def other_errors(self) -> list[str]:
        """Errors that belong to no field drawn on the form."""
        drawn = {w.name for w in self.widgets}
        return [f"{k}: {v}" for k, v in self.errors.items() if k not in drawn]

    def step(self) -> Step | None:
        """The step, or None with `errors` filled in."""
        data = self._step_data()
        try:
            return step_build(self.name, data)
        except StepInputError as e:
            for name, error in e.errors.items():
                # A value this form could not read is named in the form's words, not the core's.
                self.errors.setdefault(name, error)
            return None

    def record(self) -> StepRecord:
        """What the file records beside the step; a value that cannot be read lands in `errors`."""
        names = RECORD_FIELDS.get(self.name, ())
        values: dict[str, object] = {n: self._raw(n).strip() for n in names}
        if "scheduled_for" in values:
            values["scheduled_for"] = self._datetime("scheduled_for")
        for name in ("interviewer_gender", "interpreter_gender"):
            if name in values and values[name] not in labels.GENDERS:
                self.errors[name] = _("Choose one of the options.")
                values[name] = ""
        return StepRecord(**values)

    def _raw(self, name: str) -> str:
        return self.data.get(name, "") if self.data is not None else self.initial.get(name, "")

    def _step_data(self) -> dict[str, str]:
        found = {}
        for f in step_fields(self.kind):
            raw = self.data.get(f.name) if self.data is not None else None
            # An unchosen select is no answer at all, so the core's "required" speaks, not "invalid".
            if raw is None or (f.kind in ("choice", "datetime") and raw.strip() == ""):
                continue
            if f.kind == "datetime":
                # The browser sends the officer's local time without an offset: it is read in the
                # active time zone and handed to the core with its offset.
                moment = self._datetime(f.name)
                if moment is None:
                    continue
                raw = moment.isoformat()
            found[f.name] = raw
        return found

    def _datetime(self, name: str) -> datetime | None:
        raw = self._raw(name).strip()
        if not raw:
            return None
        try:
            parsed = parse_datetime(raw)
        except ValueError:
            parsed = None
        if parsed is None:
            self.errors[name] = _("Enter a date and time, e.g. 2026-11-10 09:30.")
            return None
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)

    def _refused(self, name: str) -> str:
        return next((str(r.sentence) for r in self.refusals if REFUSAL_FIELDS.get(r.code) == name), "")

    def _widget(self, f: StepField) -> Widget:
        widget = Widget(
            step=self.name,
            name=f.name,
            kind=_kind(f),
            label=labels.label("field", f.name),
            required=f.required and f.kind != "bool",
            help=str(STEP_HELP.get((self.name, f.name)) or labels.HELP.get(f.name, "")),
            error=self.errors.get(f.name, "") or self._refused(f.name),
        )
        if f.kind == "choice":
            widget.choices = [("", _("Choose…"))] + [(c, labels.label("choice", c)) for c in f.choices]
        if f.kind == "bool":
            widget.checked = self._raw(f.name).lower() in ("on", "true", "1", "yes")
        else:
            widget.value = self._raw(f.name)
        return widget

    def _record_widget(self, name: str) -> Widget:
        widget = Widget(
            step=self.name,
            name=name,
            kind="textarea" if name == "notes" else "input",
            label=labels.label("field", name),
            help=str(STEP_HELP.get((self.name, name)) or labels.HELP.get(name, "")),
            value=self._raw(name),
            error=self.errors.get(name, ""),
        )
        if name == "scheduled_for":
            widget.kind = "datetime"
        if name.endswith("_gender"):
            widget.kind = "select"
            widget.choices = [(k, str(v)) for k, v in labels.GENDERS.items()]
        return widget


def _kind(f: StepField) -> str:
    if f.kind == "bool":
        return "checkbox"
    if f.kind == "choice":
        return "select"
    if f.kind == "datetime":
        return "datetime"
    if f.kind == "text" and f.name not in ONE_LINE:
        return "textarea"
    return "input"
