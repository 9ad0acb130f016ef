"""Register a person and their family in one form: names in every script, partial birth
dates, languages and what they asked for to be heard, specific needs, detention, family links.

The page works without JavaScript: every button posts the whole form, and the server answers
with the form as typed (a row added, errors beside their fields). HTMX only swaps the answer in
place and asks for possible duplicates as names are typed. Nothing is written until the
officer saves, and then `intake_open` writes everything in one transaction or nothing.
Possible duplicates come from `asylon.people.duplicates`; this module only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet, formset_factory
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from asylon.accounts.models import User
from asylon.cases import services
from asylon.cases.access import cases_for_user
from asylon.cases.models import CaseMember
from asylon.cases.selectors import alerts_for_user
from asylon.front import labels
from asylon.people.models import ROMANIZATIONS, SCRIPTS, Name, is_country_code
from asylon.procedure.case import Channel
from asylon.procedure.refusals import Refused

MONTHS = [("", "—")] + [(str(m), f"{m:02d}") for m in range(1, 13)]
# The scripts an officer usually records first, in this order; more rows can be added.
FIRST_NAME_ROWS = ("Hang", "Hani", "Latn")
DEPENDANT_RELATIONS = ("spouse", "child", "parent", "sibling")
# What one member may be to another, beyond their relation to the principal applicant.
LINK_RELATIONS = ("spouse", "child", "parent", "sibling")


def _choices(vocabulary: dict[str, Any], codes: Any = None) -> list[tuple[str, Any]]:
    return [(code, vocabulary.get(code, code)) for code in (codes if codes is not None else vocabulary)]


def _country_codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace(",", " ").split() if c.strip()]


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("How the person came"), choices=_choices(labels.CHANNELS))
    fear_expressed = forms.BooleanField(
        label=gettext_lazy("The person expressed fear of return"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Any expression of fear routes the person into screening."),
    )
    alert = forms.IntegerField(required=False, widget=forms.HiddenInput)
    detained = forms.BooleanField(label=gettext_lazy("The family is detained"), required=False)
    detention_site = forms.CharField(label=gettext_lazy("Detention site"), required=False, max_length=200)
    detained_since = forms.DateField(
        label=gettext_lazy("Detained since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The first day of detention; the first review falls due 30 days later."),
    )
    confirm_no_duplicate = forms.BooleanField(
        label=gettext_lazy("I have compared the possible duplicates shown: none of them is this person."),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("detained"):
            if not (data.get("detention_site") or "").strip():
                self.add_error("detention_site", _("Give the detention site."))
            if not data.get("detained_since"):
                self.add_error("detained_since", _("Give the first day of detention."))
        return data


class PersonForm(forms.Form):
    relation = forms.ChoiceField(
        label=gettext_lazy("Relation to the principal applicant"),
        choices=_choices(labels.RELATIONS, DEPENDANT_RELATIONS),
        required=False,
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=[("", "—"), *_choices(labels.SEXES)])
    birth_year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=1900, max_value=2100)
    birth_month = forms.TypedChoiceField(
        label=gettext_lazy("Month"), choices=MONTHS, required=False, coerce=int, empty_value=None
    )
    birth_day = forms.IntegerField(label=gettext_lazy("Day"), required=False, min_value=1, max_value=31)
    nationalities = forms.CharField(
        label=gettext_lazy("Nationalities"),
        required=False,
        help_text=gettext_lazy("Two-letter country codes separated by spaces, e.g. KP."),
    )
    habitual_residences = forms.CharField(
        label=gettext_lazy("Former habitual residence"),
        required=False,
        help_text=gettext_lazy("Two-letter country codes, e.g. CN."),
    )
    province = forms.CharField(label=gettext_lazy("Province of origin"), required=False, max_length=100)
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages the person speaks"),
        choices=_choices(labels.LANGUAGES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_language = forms.ChoiceField(
        label=gettext_lazy("Interpreter needed in"),
        choices=[("", gettext_lazy("No interpreter needed")), *_choices(labels.LANGUAGES)],
        required=False,
    )
    interviewer_gender = forms.ChoiceField(
        label=gettext_lazy("Interviewer asked for"), choices=_choices(labels.GENDERS), required=False
    )
    interpreter_gender = forms.ChoiceField(
        label=gettext_lazy("Interpreter asked for"), choices=_choices(labels.GENDERS), required=False
    )
    specific_needs = forms.MultipleChoiceField(
        label=gettext_lazy("Specific needs"),
        choices=_choices(labels.SPECIFIC_NEEDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.CharField(label=gettext_lazy("Contact"), required=False, max_length=500, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year, month, day = data.get("birth_year"), data.get("birth_month"), data.get("birth_day")
        if month is not None and year is None:
            self.add_error("birth_month", _("A month needs the year."))
        if day is not None and (month is None or year is None):
            self.add_error("birth_day", _("A day needs the year and the month."))
        for name in ("nationalities", "habitual_residences"):
            bad = [c for c in _country_codes(data.get(name) or "") if not is_country_code(c)]
            if bad:
                self.add_error(name, _("Not two-letter country codes: %(codes)s.") % {"codes": " ".join(bad)})
        return data


class NameForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Name as written"),
        required=False,
        max_length=200,
        # With HTMX, each name typed asks for possible duplicates; without it, the button does.
        widget=forms.TextInput(
            attrs={
                "hx-post": reverse_lazy("front:register_duplicates"),
                "hx-trigger": "change",
                "hx-target": "#duplicates",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    script = forms.ChoiceField(label=gettext_lazy("Script"), choices=_choices(labels.SCRIPTS, [c for c, _ in SCRIPTS]))
    romanization = forms.ChoiceField(
        label=gettext_lazy("Romanization"),
        choices=[("", "—"), *_choices(labels.ROMANIZATIONS, [c for c, _ in ROMANIZATIONS if c])],
        required=False,
    )
    family_name = forms.CharField(label=gettext_lazy("Family name"), required=False, max_length=100)
    given_name = forms.CharField(label=gettext_lazy("Given name"), required=False, max_length=100)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=_choices(labels.NAME_SOURCES))
    is_primary = forms.BooleanField(label=gettext_lazy("Primary name"), required=False)
    # A name the person used or was known by besides their own; the names-set help explains it.
    is_alias = forms.BooleanField(label=gettext_lazy("Alias"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("romanization") and data.get("script") != "Latn":
            self.add_error("romanization", _("Only a name in Latin letters has a romanization."))
        if data.get("is_primary") and data.get("is_alias"):
            self.add_error("is_alias", _("The primary name cannot be an alias."))
        return data


class LinkForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int, empty_value=None, required=False)
    relation = forms.ChoiceField(
        label=gettext_lazy("is the … of"),
        choices=[("", "—"), *_choices(labels.RELATIONS, LINK_RELATIONS)],
        required=False,
    )
    relative = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int, empty_value=None, required=False)


class NameFormSetBase(BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [f for f in self.forms if (f.cleaned_data.get("text") or "").strip()]
        if not filled:
            raise forms.ValidationError(_("Give at least one name."))
        if sum(bool(f.cleaned_data.get("is_primary")) for f in filled) > 1:
            raise forms.ValidationError(_("Only one name can be the primary one."))
        if all(f.cleaned_data.get("is_alias") for f in filled):
            raise forms.ValidationError(_("At least one name must be the person's own, not an alias."))


NameFormSet = formset_factory(NameForm, formset=NameFormSetBase, extra=0)
PersonFormSet = formset_factory(PersonForm, extra=0)
LinkFormSet = formset_factory(LinkForm, extra=0)


@dataclass
class Member:
    """One person on the form: their details and their names."""

    number: int
    form: PersonForm
    names: Any

    @property
    def principal(self) -> bool:
        return self.number == 0


@dataclass
class Registration:
    """The whole form as posted (or blank), and what the officer asked it to do."""

    intake: IntakeForm
    people: Any
    members: list[Member]
    links: Any
    duplicates: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Errors are shown once the officer saves, not while they add rows.
    judged: bool = False

    def is_valid(self) -> bool:
        valid = self.intake.is_valid() & self.people.is_valid() & self.links.is_valid()
        for member in self.members:
            valid &= member.names.is_valid()
        return bool(valid)


def _blank_names(prefix: str) -> Any:
    return NameFormSet(prefix=prefix, initial=[{"script": s, "source": "self"} for s in FIRST_NAME_ROWS])


def registration_blank(alert: int | None) -> Registration:
    people = PersonFormSet(prefix="person", initial=[{}])
    members = [Member(0, people.forms[0], _blank_names("person-0-name"))]
    links = LinkFormSet(prefix="link", initial=[])
    return Registration(
        IntakeForm(initial={"alert": alert, "channel": Channel.ALERT if alert else ""}), people, members, links
    )


def registration_read(data: QueryDict) -> Registration:
    """The form as posted; a click on "add" grows the matching formset by one row first."""
    data = data.copy()
    action = data.get("action", "")
    if action == "add_person":
        _grow(data, "person")
        new = int(data["person-TOTAL_FORMS"]) - 1
        data[f"person-{new}-name-TOTAL_FORMS"] = str(len(FIRST_NAME_ROWS))
        data[f"person-{new}-name-INITIAL_FORMS"] = "0"
        for j, script in enumerate(FIRST_NAME_ROWS):
            data[f"person-{new}-name-{j}-script"] = script
            data[f"person-{new}-name-{j}-source"] = "self"
    elif action.startswith("add_name-"):
        _grow(data, f"person-{_int(action.removeprefix('add_name-'))}-name")
    elif action == "add_link":
        _grow(data, "link")
    people = PersonFormSet(data, prefix="person")
    count = _count(data, "person")
    members = [Member(i, people.forms[i], NameFormSet(data, prefix=f"person-{i}-name")) for i in range(count)]
    links = LinkFormSet(data, prefix="link")
    # Every member and name row is read; an empty link row is skipped.
    for form in people.forms:
        form.empty_permitted = False
    choices = [("", "—")] + [(str(i), _("Member %(n)s") % {"n": i + 1}) for i in range(1, count)]
    for form in links.forms:
        form.fields["person"].choices = choices
        form.fields["relative"].choices = choices
    return Registration(IntakeForm(data), people, members, links)


def _int(text: str) -> int:
    try:
        return max(0, int(text))
    except ValueError:
        return 0


def _count(data: QueryDict, prefix: str) -> int:
    # Bounded like Django's formsets: a forged count cannot make the page build a million rows.
    return min(_int(data.get(f"{prefix}-TOTAL_FORMS", "0")), 20)


def _grow(data: QueryDict, prefix: str) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = str(_count(data, prefix) + 1)
    data.setdefault(f"{prefix}-INITIAL_FORMS", "0")


def _names_of(member: Member) -> list[services.NameInput]:
    found = []
    for form in member.names.forms:
        data = form.cleaned_data
        if not (data.get("text") or "").strip():
            continue
        found.append(
            services.NameInput(
                text=data["text"].strip(),
                script=data["script"],
                romanization=data.get("romanization") or "",
                source=data["source"],
                family_name=(data.get("family_name") or "").strip(),
                given_name=(data.get("given_name") or "").strip(),
                is_primary=bool(data.get("is_primary")),
                is_alias=bool(data.get("is_alias")),
            )
        )
    return found


def person_input(member: Member) -> services.PersonInput:
    data = member.form.cleaned_data
    return services.PersonInput(
        names=_names_of(member),
        sex=data.get("sex") or "",
        birth_year=data.get("birth_year"),
        birth_month=data.get("birth_month"),
        birth_day=data.get("birth_day"),
        nationalities=_country_codes(data.get("nationalities") or ""),
        habitual_residences=_country_codes(data.get("habitual_residences") or ""),
        languages=list(data.get("languages") or []),
        specific_needs=list(data.get("specific_needs") or []),
        province=(data.get("province") or "").strip(),
        contact=(data.get("contact") or "").strip(),
        relation="principal" if member.principal else data.get("relation") or "",
        interpreter_language=data.get("interpreter_language") or "",
        interviewer_gender=data.get("interviewer_gender") or "",
        interpreter_gender=data.get("interpreter_gender") or "",
    )


def _links_of(registration: Registration) -> list[services.FamilyLinkInput]:
    found = []
    for form in registration.links.forms:
        data = form.cleaned_data
        if data.get("person") is None and data.get("relative") is None and not data.get("relation"):
            continue  # a row left empty
        found.append(
            services.FamilyLinkInput(
                person=data.get("person") or 0, relative=data.get("relative") or 0, relation=data.get("relation") or ""
            )
        )
    return found


@dataclass(frozen=True)
class Duplicate:
    """A possible duplicate as shown: the candidate, their names, and cases this officer reads."""

    member: int
    candidate: Any
    names: list[Name]
    cases: list[tuple[int, str]]


def duplicates_of(user: User, registration: Registration) -> list[Duplicate]:
    """Possible duplicates of every member whose names can be read, from the matching module."""
    from asylon.people.duplicates import possible_duplicates

    found: list[tuple[int, Any]] = []
    for member in registration.members:
        if not member.form.is_valid() or not member.names.is_valid():
            continue
        person = person_input(member)
        if person.names:
            found += [(member.number, c) for c in possible_duplicates(user, person, limit=5)]
    if not found:
        return []
    ids = {c.person_id for _, c in found}
    # Names and case links only through the need-to-know query, whatever the candidate list says.
    memberships = (
        CaseMember.objects.filter(person_id__in=ids, case__in=cases_for_user(user))
        .select_related("case")
        .order_by("case__number")
    )
    cases: dict[int, list[tuple[int, str]]] = {}
    for m in memberships:
        cases.setdefault(m.person_id, []).append((m.case_id, m.case.number))
    names: dict[int, list[Name]] = {}
    for name in Name.objects.filter(person_id__in=list(cases)).order_by("-is_primary", "pk"):
        names.setdefault(name.person_id, []).append(name)
    return [
        Duplicate(member=number, candidate=c, names=names.get(c.person_id, []), cases=cases[c.person_id])
        for number, c in found
        if c.person_id in cases
    ]


# Where each field named by the intake service lands on the form.
def _place_problems(registration: Registration, problems: dict[str, str]) -> None:
    import re

    for key, message in problems.items():
        person = re.fullmatch(r"people\[(\d+)\]\.names\[(\d+)\]\.(\w+)", key)
        if person:
            i, j, name = int(person[1]), int(person[2]), person[3]
            if i < len(registration.members) and j < len(registration.members[i].names.forms):
                form = registration.members[i].names.forms[j]
                if name in form.fields:
                    form.add_error(name, message)
                    continue
        person = re.fullmatch(r"people\[(\d+)\]\.(\w+)", key)
        if person and int(person[1]) < len(registration.members):
            form = registration.members[int(person[1])].form
            if person[2] in form.fields:
                form.add_error(person[2], message)
                continue
        link = re.fullmatch(r"family_links\[(\d+)\]\.(\w+)", key)
        if link and int(link[1]) < len(registration.links.forms):
            registration.links.forms[int(link[1])].add_error(link[2], message)
            continue
        if key.startswith("detention."):
            registration.intake.add_error("detention_site", message)
            continue
        registration.problems.append(message)


def _require_intake_role(user: User) -> None:
    if not user.actor().has_any(services.INTAKE_ROLES):
        raise PermissionDenied


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _require_intake_role(user)
    if request.method == "GET":
        alert = _int(request.GET.get("alert", "")) or None
        return _page(request, registration_blank(alert), user)
    registration = registration_read(request.POST)
    registration.judged = request.POST.get("action") == "save"
    if request.POST.get("action") == "check":
        # Without JavaScript the button posts the whole form: the page comes back with the panel filled.
        registration.duplicates = duplicates_of(user, registration)
        return _page(request, registration, user, checked=True)
    if not registration.judged or not registration.is_valid():
        return _page(request, registration, user, status=422 if registration.judged else 200)
    registration.duplicates = duplicates_of(user, registration)
    if registration.duplicates and not registration.intake.cleaned_data.get("confirm_no_duplicate"):
        registration.problems.append(
            _(
                "Possible duplicates were found. Compare them, then confirm that none is this person, "
                "or open their case."
            )
        )
        return _page(request, registration, user, status=409)
    intake = registration.intake.cleaned_data
    detained = (
        services.DetentionInput(site=intake["detention_site"].strip(), detained_since=intake["detained_since"])
        if intake.get("detained")
        else None
    )
    try:
        case = services.intake_open(
            user=user,
            people=[person_input(m) for m in registration.members],
            channel=Channel(intake["channel"]),
            fear_expressed=bool(intake.get("fear_expressed")),
            detained=detained,
            alert_id=intake.get("alert") or None,
            family_links=_links_of(registration),
        )
    except services.InvalidInput as invalid:
        _place_problems(registration, invalid.errors)
        return _page(request, registration, user, status=422)
    except services.NotFound:
        registration.problems.append(_("The alert was already answered by another intake."))
        return _page(request, registration, user, status=422)
    except Refused:
        raise PermissionDenied from None
    messages.success(request, _("Intake opened: case %(number)s.") % {"number": case.number})
    return redirect("front:case", case_id=case.pk)


@never_cache
@login_required
@require_POST
def duplicates(request: HttpRequest) -> HttpResponse:
    """The duplicates panel alone, for HTMX to swap in while the officer types names."""
    user: User = request.user  # type: ignore[assignment]
    _require_intake_role(user)
    registration = registration_read(request.POST)
    found = duplicates_of(user, registration)
    return render(request, "front/_duplicates.html", {"duplicates": found, "checked": True})


def _page(
    request: HttpRequest, registration: Registration, user: User, status: int = 200, checked: bool = False
) -> HttpResponse:
    alert_id = registration.intake["alert"].value()
    alert = alerts_for_user(user).filter(pk=_int(str(alert_id or "")), case__isnull=True).first() if alert_id else None
    context = {
        "registration": registration,
        "intake": registration.intake,
        "alert": alert,
        "duplicates": registration.duplicates,
        "checked": checked or bool(registration.duplicates),
    }
    return render(request, "front/register.html", context, status=status)
