"""Pages for the review of possible duplicates: the queue, one pair side by side, the decision.

The pages list only pairs of persons the officer may both read; the names are decrypted for
the pair being reviewed, never for the list. The rule (who decides, what is refused) is the
core's (asylon.procedure.identity), applied by asylon.people.identity.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from asylon.cases.services import NotFound
from asylon.people import identity
from asylon.people.models import DuplicatePair
from asylon.procedure.access import CASEWORK
from asylon.procedure.identity import IDENTITY_DECIDERS
from asylon.procedure.refusals import Code, Refused

FIELDS = {
    "name": gettext_lazy("Name"),
    "birth_date": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "province": gettext_lazy("Province"),
}


@never_cache
@login_required
@require_GET
def pair_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.actor().has_any(CASEWORK):  # type: ignore[union-attr]
        return render(request, "identity/pairs.html", {"allowed": False}, status=403)
    pairs = identity.pairs_for_user(user)[:200]  # type: ignore[arg-type]
    return render(request, "identity/pairs.html", {"allowed": True, "pairs": pairs})


@never_cache
@login_required
@require_GET
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    return _pair_page(request, pair_id)


def _pair_page(request: HttpRequest, pair_id: int, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    try:
        review = identity.pair_review(request.user, pair_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    rows = [(FIELDS.get(e.field, e.field), e) for e in review.evidence]
    context = {
        "review": review,
        "rows": rows,
        "decides": request.user.actor().has_any(IDENTITY_DECIDERS),  # type: ignore[union-attr]
        "open": review.pair.verdict == DuplicatePair.OPEN,
        "merged": review.pair.verdict == DuplicatePair.SAME,
        "errors": errors or [],
    }
    return render(request, "identity/pair.html", context, status=status)


@never_cache
@login_required
@require_POST
def pair_decide(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = request.user
    verdict = request.POST.get("verdict", "")
    reason = request.POST.get("reason", "").strip()
    try:
        if verdict == "same":
            identity.pair_merge(user=user, pair_id=pair_id, reason=reason)  # type: ignore[arg-type]
            messages.success(request, _("The two records are merged. Both histories are kept."))
        elif verdict == "distinct":
            identity.pair_distinguish(user=user, pair_id=pair_id)  # type: ignore[arg-type]
            messages.success(request, _("Recorded: not the same person. This pair will not be suggested again."))
        elif verdict == "unmerge":
            identity.pair_unmerge(user=user, pair_id=pair_id, reason=reason)  # type: ignore[arg-type]
            messages.success(request, _("The merge is undone: both records stand alone again."))
        else:
            return _pair_page(request, pair_id, [_("Choose a decision.")], status=400)
    except NotFound:
        raise Http404 from None
    except Refused as refused:
        if Code.ROLE_NOT_PERMITTED in refused.codes:
            return render(request, "identity/pairs.html", {"allowed": False}, status=403)
        return _pair_page(request, pair_id, [r.sentence for r in refused.refusals], status=409)
    return redirect("identity:pairs")
