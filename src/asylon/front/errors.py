"""The error pages: a plain sentence and the request's reference.

Never the address, the form, or the exception: each may hold a name an officer typed or a
narrative they wrote. Under /api/ the answer is a problem document instead (asylon.api.problems).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from asylon.api import problems
from asylon.config.logs import reference_of


def _page(request: HttpRequest, status: int, title: str, sentence: str) -> HttpResponse:
    reference = reference_of(request)
    if request.path.startswith("/api/"):
        return problems.failure(status, reference)
    # Rendered without the request: no context processor reaches for the user or the session.
    context = {"title": title, "sentence": sentence, "reference": reference}
    return HttpResponse(loader.render_to_string("front/error.html", context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("Bad request"), _("The request could not be understood."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, _("Not permitted"), _("You may not open this page."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The same page for what does not exist and what the officer may not see.
    return _page(request, 404, _("Not found"), _("There is nothing here, or nothing you may see."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        500,
        _("Something went wrong"),
        _("The server could not complete the request. If it fails again, report the reference below."),
    )
