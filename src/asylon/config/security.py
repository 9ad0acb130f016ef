"""Response headers that keep personal data in its page: a strict content policy, no caching."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Everything from our own origin; no inline script, no framing, no plugin, forms post home.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI injects its own style elements; the API docs page carries no personal data.
DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        docs = request.path.startswith("/api/docs")
        response.setdefault("Content-Security-Policy", DOCS_POLICY if docs else POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages and API answers for a signed-in officer may hold personal data.
            response["Cache-Control"] = "no-store"
        elif request.path.startswith("/api/") and not docs:
            response["Cache-Control"] = "no-store"
        return response
