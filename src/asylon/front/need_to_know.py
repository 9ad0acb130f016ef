"""Pages for emergency (break-glass) access and its review.

An officer opens an emergency access only after signing in again; a data protection officer
reviews each one. The pages show case numbers, officers and times, never the reason in a
list (it may name people): the reason is shown to the reviewer of that one access.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from asylon.accounts.reauth import reauthentication_required
from asylon.cases import need_to_know
from asylon.cases.services import InvalidInput, NotFound
from asylon.procedure.access import BREAK_GLASS_LONGEST, BREAK_GLASS_REASON_SHORTEST, BREAK_GLASS_REVIEWERS, CASEWORK
from asylon.procedure.refusals import Refused

HOURS = [1, 2, 4, 8]
assert max(HOURS) * 3600 <= BREAK_GLASS_LONGEST.total_seconds()


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def emergency_access(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.actor().has_any(CASEWORK):  # type: ignore[union-attr]
        return render(request, "front/emergency_access.html", {"allowed": False}, status=403)
    form = {"case_number": request.GET.get("case", ""), "reason": "", "hours": "1"}
    errors: list[str] = []
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            hours = int(form["hours"])
            if hours not in HOURS:
                raise ValueError
        except ValueError:
            errors.append(_("Choose how long the access lasts."))
        else:
            try:
                access = need_to_know.emergency_access_open(
                    user=user,  # type: ignore[arg-type]
                    case_number=form["case_number"],
                    reason=form["reason"],
                    hours=hours,
                )
            except NotFound:
                errors.append(_("No case has this number."))
            except Refused as refused:
                errors.extend(r.sentence for r in refused.refusals)
            else:
                messages.success(
                    request,
                    _("Emergency access is open until %(time)s. It will be reviewed.")
                    % {"time": timezone.localtime(access.expires_at).strftime("%H:%M")},
                )
                return redirect("front:case", case_id=access.case_id)
    context = {
        "allowed": True,
        "form": form,
        "errors": errors,
        "hours": HOURS,
        "shortest": BREAK_GLASS_REASON_SHORTEST,
    }
    return render(request, "front/emergency_access.html", context, status=400 if errors else 200)


@never_cache
@login_required
def emergency_reviews(request: HttpRequest) -> HttpResponse:
    if not request.user.actor().has_any(BREAK_GLASS_REVIEWERS):  # type: ignore[union-attr]
        return render(request, "front/emergency_reviews.html", {"allowed": False}, status=403)
    waiting = list(need_to_know.emergency_accesses_to_review(request.user))  # type: ignore[arg-type]
    now = timezone.now()
    rows = [(access, need_to_know.emergency_access_overdue(access, now)) for access in waiting]
    return render(request, "front/emergency_reviews.html", {"allowed": True, "rows": rows})


@never_cache
@login_required
@require_POST
def emergency_review(request: HttpRequest, access_id: int) -> HttpResponse:
    justified = request.POST.get("finding") == "justified"
    try:
        need_to_know.emergency_access_review(
            user=request.user,  # type: ignore[arg-type]
            access_id=access_id,
            justified=justified,
            note=request.POST.get("note", ""),
        )
    except NotFound:
        messages.error(request, _("This emergency access is not waiting for your review."))
    except Refused as refused:
        for r in refused.refusals:
            messages.error(request, r.sentence)
    except InvalidInput:
        messages.error(request, _("Say why the access was not justified."))
    else:
        messages.success(request, _("Review recorded."))
    return redirect("front:emergency_reviews")


@never_cache
@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        assignee_id = int(request.POST.get("user", ""))
    except ValueError:
        messages.error(request, _("Choose an officer."))
        return redirect("front:case", case_id=case_id)
    try:
        need_to_know.case_assign(user=request.user, case_id=case_id, assignee_id=assignee_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404(case_id) from None
    except InvalidInput:
        messages.error(request, _("Choose an officer."))
    except Refused as refused:
        for r in refused.refusals:
            messages.error(request, r.sentence)
    else:
        messages.success(request, _("Case assigned."))
    return redirect("front:case", case_id=case_id)


@never_cache
@login_required
@require_POST
def assignment_end(request: HttpRequest, case_id: int, assignment_id: int) -> HttpResponse:
    try:
        need_to_know.assignment_end(user=request.user, assignment_id=assignment_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404(assignment_id) from None
    except Refused as refused:
        for r in refused.refusals:
            messages.error(request, r.sentence)
    else:
        messages.success(request, _("Assignment ended."))
    return redirect("front:case", case_id=case_id)
