"""What the server writes to its log: a request's method, path and status, and where an error arose.

Never a query string, a request body or an exception's message: any of them may quote a name
or a narrative (a `ValueError` naming the value, an `IntegrityError` quoting its row). Paths
hold only ids and tokens; searches travel in POST bodies (see asylon.front.views.cases).
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from collections.abc import Callable
from types import TracebackType

from django.http import HttpRequest, HttpResponse

# From "?" to the next space or quote: the query string in a path or a request line.
_QUERY = re.compile(r"\?[^\s\"']*")
WITHHELD = "?(query withheld)"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def without_query(text: str) -> str:
    return _QUERY.sub(WITHHELD, text)


def trace_without_messages(exc_info: ExcInfo) -> str:
    """The traceback of an exception and of those it came from: frames and types, no messages."""
    chain: list[BaseException] = []
    exc: BaseException | None = exc_info[1]
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    lines: list[str] = []
    for exc in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_list(traceback.extract_tb(exc.__traceback__))
        kind = type(exc)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)\n")
    return "".join(lines).rstrip("\n")


class Redact(logging.Filter):
    """Rewrites a record in place, for every handler after it: a request record becomes
    "METHOD path status", any other message loses its query strings, an exception its message.

    Installed on the loggers that describe requests (so that every handler, a test's
    included, sees the rewritten record) and on the console handler for everything else."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redacted", False):
            return True
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            record.msg = "%s %s %s ref=%s"
            record.args = (
                request.method,
                without_query(request.path),
                getattr(record, "status_code", "-"),
                getattr(request, "reference", "-"),
            )
        else:
            try:
                message = record.getMessage()
            except Exception:  # a message that cannot be formatted is logged by its format alone
                message = str(record.msg)
            record.msg, record.args = without_query(message), ()
        # The request object carries the body and headers; no handler after this one needs them.
        record.request = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = trace_without_messages(record.exc_info)  # type: ignore[arg-type]
            # A handler that formatted the exception anew would print its message.
            record.exc_info = None
        record.redacted = True
        return True


class RequestReference:
    """Gives each request a short random reference: the error page shows it, the log line carries
    it, and an officer who quotes it lets an administrator find the line without any personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.reference = secrets.token_hex(5)  # type: ignore[attr-defined]
        return self.get_response(request)


def reference_of(request: HttpRequest) -> str:
    """The request's reference; one made now when the request failed before it was given one."""
    if not hasattr(request, "reference"):
        request.reference = secrets.token_hex(5)  # type: ignore[attr-defined]
    return str(request.reference)
