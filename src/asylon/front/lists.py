"""Import a list of persons in the browser: every row's fate shown, then imported.

An NGO's list of detainees, or an official list, in CSV or XLSX. The officer uploads it,
says who wrote it and how its persons came, and sees the dry run of
`asylon.people.imports.list_import` (the same as `asylon import-list --dry-run`): which field
each column is read as (which the officer may change and check again), each row's errors
with their column, and each row found to be a possible duplicate of a registered person or
of an earlier row. Then the import: every row, or, when some are in error and the officer
says so, only the valid ones. Between the two requests the file is kept sealed in the
session (`kept`), never written to disk, and dropped once imported.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from asylon.accounts.models import User
from asylon.cases import services
from asylon.cases.access import cases_for_user
from asylon.front import kept, labels
from asylon.people.imports import FIELDS, ImportReport, ListUnreadable, list_import, read_table
from asylon.people.models import office_slug
from asylon.procedure.case import Channel
from asylon.procedure.refusals import Refused

SESSION_KEY = "lists"
LARGEST = 1_000_000  # bytes: a list of some thousands of persons
FIELD_LABELS = {
    "record_id": gettext_lazy("The list's own record id"),
    "name": gettext_lazy("Name"),
    "name_alt": gettext_lazy("Name in another script"),
    "romanization": gettext_lazy("Romanization"),
    "sex": gettext_lazy("Sex"),
    "dob": gettext_lazy("Date of birth"),
    "province": gettext_lazy("Province of origin"),
    "nationality": gettext_lazy("Nationality"),
}
assert set(FIELD_LABELS) == set(FIELDS)


class ListForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("List (CSV or XLSX)"),
        required=False,
        help_text=gettext_lazy("The first row names the columns. CSV files are read as UTF-8."),
    )
    source = forms.CharField(
        label=gettext_lazy("Who wrote the list"),
        max_length=200,
        help_text=gettext_lazy("An NGO, an authority: kept as the source of every name."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("How its persons came"),
        choices=[(c, labels.CHANNELS.get(c, c)) for c in Channel],
        initial=Channel.ALERT,
    )
    accept_valid_rows = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and leave out the rows in error"), required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def _uploaded(request: HttpRequest, form: ListForm) -> tuple[str, str, bool, bytes] | None:
    """The list posted now, sealed into the session, or the one the form's token names: its
    token, file name (empty when recalled), whether it is XLSX, and its bytes."""
    upload = form.cleaned_data["file"]
    if upload is not None:
        if upload.size > LARGEST:
            form.add_error("file", _("The file is larger than 1 MB: split the list."))
            return None
        xlsx = upload.name.lower().endswith(".xlsx")
        data = upload.read()
        text = ("x" if xlsx else "c") + base64.b64encode(data).decode()
        office = office_slug(request.user.unit)
        token = kept.keep(request.session, SESSION_KEY, office=office, text=text, kept=1)
        return token, upload.name, xlsx, data
    token = form.cleaned_data["token"]
    text = kept.recall(request.session, SESSION_KEY, token) if token else None
    if text is None:
        form.add_error("file", _("Choose the list to import."))
        return None
    return token, "", text[0] == "x", base64.b64decode(text[1:])


def _case_numbers(user: User, report: ImportReport) -> dict[int, list[str]]:
    """The cases this officer may read of each registered person a row may duplicate."""
    persons = {f.duplicate_of_person[0] for f in report.rows if f.duplicate_of_person}
    found: defaultdict[int, list[str]] = defaultdict(list)
    readable = cases_for_user(user).filter(members__person__in=persons).order_by("number")
    for number, person_id in readable.values_list("number", "members__person"):
        found[person_id].append(number)
    return found


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def list_import_page(request: HttpRequest) -> HttpResponse:
    if not request.user.actor().has_any(services.INTAKE_ROLES):
        raise PermissionDenied
    form = ListForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "fields": list(FIELD_LABELS.items())}
    if request.method == "POST" and form.is_valid() and (upload := _uploaded(request, form)) is not None:
        token, name, xlsx, data = upload
        context["name"] = name
        try:
            header, rows = read_table(data, xlsx=xlsx)
        except ListUnreadable as unreadable:
            form.add_error("file", str(unreadable))
            return render(request, "front/import_list.html", context, status=400)
        chosen = {i: request.POST.get(f"column_{i}") for i in range(len(header))}
        # Before the officer has chosen, a column named like a field is read as that field.
        columns = [
            (i, h, chosen[i] if chosen[i] is not None else (h if h in FIELDS else "")) for i, h in enumerate(header)
        ]
        context.update(columns=columns, token=token)
        importing = "import" in request.POST
        try:
            report = list_import(
                user=request.user,
                table=(header, rows),
                source=form.cleaned_data["source"],
                mapping={h: field for _, h, field in columns if field in FIELDS},
                dry_run=not importing,
                accept_valid_rows=form.cleaned_data["accept_valid_rows"],
                channel=Channel(form.cleaned_data["channel"]),
            )
        except ListUnreadable as unreadable:  # the columns as mapped cannot make a person
            context["problem"] = str(unreadable)
            return render(request, "front/import_list.html", context, status=400)
        except Refused as refused:
            context["problem"] = "; ".join(r.sentence for r in refused.refusals)
            return render(request, "front/import_list.html", context, status=403)
        if report.imported:
            kept.drop(request.session, SESSION_KEY, token)
        context.update(
            report=report,
            importing=importing,
            valid=len(report.rows) - report.errors,
            duplicates=sum(1 for f in report.rows if f.duplicate_of_person or f.duplicate_of_row),
        )
        numbers = _case_numbers(request.user, report)
        context["rows"] = [
            (f, numbers.get(f.duplicate_of_person[0], []) if f.duplicate_of_person else []) for f in report.rows
        ]
    return render(request, "front/import_list.html", context, status=400 if form.errors else 200)
