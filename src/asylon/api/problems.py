"""Every error answer of the API, as RFC 9457 problem details, produced here and nowhere else.

The handlers are registered on the NinjaAPI (`install`); the answers Ninja or Django give
outside an operation (an unknown route, a wrong method) are rewritten by `answer_as_problems`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from asylon.cases.services import InvalidInput, NotFound
from asylon.dataprotection.cipher import KeysDestroyed
from asylon.procedure.refusals import SENTENCES, Code, Refusal, Refused

CONTENT_TYPE = "application/problem+json"


class RefusalOut(Schema):
    code: str = Field(description="A stable code, e.g. `appeal_window_open`; see asylon.procedure.refusals.")
    sentence: str = Field(description="The reason in a plain English sentence.")


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = Field(description="A stable URI reference naming the kind of problem, e.g. `/problems/refused`.")
    title: str = Field(description="A short summary of the kind of problem; the same for every occurrence.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this occurrence, for a person to read.")
    instance: str | None = Field(None, description="The record of this refused attempt, when one was kept.")
    errors: dict[str, str] | None = Field(None, description="Each invalid field (dotted path) and what is wrong.")
    refusals: list[RefusalOut] | None = Field(None, description="Every reason the procedure refused, with its code.")


def problems(*statuses: int, body: bool = False) -> dict[int, type[Problem]]:
    """The problem responses an operation declares in the OpenAPI schema; any request may be
    unauthenticated, and any body malformed, too large or invalid."""
    found = {401, *statuses, *((400, 413, 422) if body else ())}
    return dict.fromkeys(sorted(found), Problem)


class AttemptRefused(Refused):
    """A refusal the service has already recorded; the answer points at the record."""

    def __init__(self, codes: Iterable[str], *, instance: str) -> None:
        super().__init__([Refusal.of(Code(code)) for code in codes])
        self.instance = instance


class CsrfFailed(Exception):
    """A session-authenticated write without the CSRF token."""


class SignInAgain(Exception):
    """A grave step asked of a browser session whose last full sign-in is too old."""


def problem(status: int, slug: str, title: str, detail: str, **members: Any) -> HttpResponse:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}
    body.update({name: value for name, value in members.items() if value is not None})
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=CONTENT_TYPE)


def _refusals(refusals: list[Refusal]) -> list[dict[str, str]]:
    return [{"code": r.code, "sentence": r.sentence} for r in refusals]


def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    instance = getattr(exc, "instance", None)
    if Code.ROLE_NOT_PERMITTED in exc.codes:
        # The caller learns only that their role does not allow the act: the other reasons
        # (a pending appeal, a protection status) would tell them about a person or a case
        # they have no right to know of.
        role = [Refusal.of(Code.ROLE_NOT_PERMITTED)]
        detail = SENTENCES[Code.ROLE_NOT_PERMITTED]
        return problem(403, "forbidden", "Not permitted", detail, instance=instance, refusals=_refusals(role))
    detail = " ".join(r.sentence for r in exc.refusals)
    return problem(
        409, "refused", "Refused by the procedure", detail, instance=instance, refusals=_refusals(exc.refusals)
    )


def not_found(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    # The same answer for a record that does not exist and one the caller may not see.
    return problem(404, "not-found", "Not found", "There is nothing here, or nothing you may see.")


def _field(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def invalid(errors: dict[str, str]) -> HttpResponse:
    names = ", ".join(errors)
    detail = f"Not valid: {names}." if errors else "The request is not valid."
    return problem(422, "invalid-input", "Invalid input", detail, errors=errors)


def _merge(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, message in pairs:
        errors[name] = f"{errors[name]} {message}" if name in errors else message
    return errors


def _sentence(message: str) -> str:
    return message if message.endswith(".") else f"{message}."


def ninja_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    def name(loc: tuple[Any, ...]) -> str:
        # Ninja prefixes where the value came from ("body", "query", "path") and, for a body,
        # the view's parameter name; neither is a field the client sent.
        skip = 2 if loc and loc[0] == "body" else 1
        return _field(loc[skip:]) or "body"

    return invalid(_merge((name(tuple(e["loc"])), _sentence(e["msg"])) for e in exc.errors))


def pydantic_invalid(request: HttpRequest, exc: pydantic.ValidationError) -> HttpResponse:
    return invalid(_merge((_field(e["loc"]) or "body", _sentence(e["msg"])) for e in exc.errors()))


def service_invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return invalid(exc.errors)


def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message if exc.message != "Unauthorized" else "Send `Authorization: Bearer <token>`, or sign in."
    response = problem(401, "unauthenticated", "Not authenticated", detail)
    response["WWW-Authenticate"] = 'Bearer realm="asylon"'
    return response


def csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    detail = "A signed-in browser must send the CSRF token (X-CSRFToken) with every write."
    return problem(403, "csrf-failed", "CSRF check failed", detail)


def sign_in_again(request: HttpRequest, exc: SignInAgain) -> HttpResponse:
    where = reverse("accounts:reauthenticate")
    detail = (
        "This step needs a recent sign-in: the officer must sign in again (password and second factor) "
        f"at {where}, then send the request again."
    )
    return problem(403, "sign-in-again", "Sign in again", detail)


def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem(413, "body-too-large", "Request body too large", f"The body may be at most {limit} bytes.")


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # Ninja raises this when the body is not JSON; its message says no more than that.
        return problem(400, "malformed-body", "Malformed request body", "The request body is not valid JSON.")
    return problem(exc.status_code, "http-error", "Request not accepted", str(exc))


class Gone(Exception):
    """An address that no longer answers; `detail` says where to go instead."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def gone(request: HttpRequest, exc: Gone) -> HttpResponse:
    return problem(410, "gone", "Gone", exc.detail)


def keys_destroyed(request: HttpRequest, exc: KeysDestroyed) -> HttpResponse:
    # Crypto-shredding made the record unreadable for good: say so, rather than fail.
    detail = "This record's keys were destroyed: it can no longer be read by anyone."
    return problem(410, "keys-destroyed", "Record unreadable", detail)


def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django logs it (without its message, asylon.config.logs) and answers with `failure`;
    # Ninja's own handler would answer with the traceback when DEBUG is on.
    raise exc


_FAILURES = {
    400: ("bad-request", "Bad request", "The request could not be understood."),
    403: ("forbidden", "Not permitted", "You may not use this address."),
    404: ("not-found", "Not found", "There is nothing here, or nothing you may see."),
    500: ("server-error", "Server error", "The server could not complete the request."),
}


def failure(status: int, reference: str) -> HttpResponse:
    """The answer when Django's error handlers, not an operation, answer an API request: the
    same few words whatever failed, never the exception's message, and the request's reference."""
    slug, title, detail = _FAILURES.get(status, _FAILURES[500])
    return problem(status, slug, title, f"{detail} Reference: {reference}.", reference=reference)


def install(api: NinjaAPI) -> None:
    """Replace Ninja's default handlers; an exception not named here stays a 500."""
    handlers: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        Refused: refused,
        NotFound: not_found,
        Http404: not_found,
        InvalidInput: service_invalid,
        NinjaValidationError: ninja_invalid,
        pydantic.ValidationError: pydantic_invalid,
        AuthenticationError: unauthenticated,
        CsrfFailed: csrf_failed,
        SignInAgain: sign_in_again,
        RequestDataTooBig: too_big,
        HttpError: http_error,
        Gone: gone,
        KeysDestroyed: keys_destroyed,
        Exception: unexpected,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)


def unknown_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return not_found(request)


def answer_as_problems(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a URL's view: Ninja answers a wrong method, and its API root, outside any handler."""

    # `wraps` also carries the view's `csrf_exempt` flag: Ninja checks CSRF itself.
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            detail = f"This address accepts: {allowed}."
            response = problem(405, "method-not-allowed", "Method not allowed", detail)
            response["Allow"] = allowed
        return response

    return wrapped
