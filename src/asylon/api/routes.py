"""The REST API: one NinjaAPI, mounted at /api/ by asylon.config.urls.

Each endpoint parses its input, calls one service or selector, and renders the result.
Who may do what is answered by the services and selectors; every 4xx is a problem
document from asylon.api.problems.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from asylon.api import access, cases, documents, identity, problems, safeguards, transparency
from asylon.api.auth import SessionAuth, TokenAuth
from asylon.api.docs import ASSET_URL_NAME, OfflineSwagger, docs_asset

DESCRIPTION = """\
Individualized refugee status determination.

Authenticate with `Authorization: Bearer <token>`, or from a signed-in browser (writes
then need the `X-CSRFToken` header). Every error is an RFC 9457 problem document
(`application/problem+json`); a refusal by the procedure is a 409 listing every reason
with a stable `code`.
"""


class AsylonAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[Any] = [
            URLPattern(p.pattern, problems.answer_as_problems(p.callback), p.default_args, p.name) for p in patterns
        ]
        wrapped.append(path("docs/assets/<str:name>", docs_asset, name=ASSET_URL_NAME))
        # Last: any other address under /api/ is a 404 problem, not Django's HTML page; nor,
        # for a write, Django's HTML CSRF refusal (Ninja's own views check CSRF themselves).
        wrapped.append(re_path(r"", csrf_exempt(problems.unknown_route)))
        return wrapped, app_name, namespace

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        # Ninja declares every response as application/json; problems are application/problem+json.
        problem = {"$ref": "#/components/schemas/Problem"}
        for operations in schema["paths"].values():
            for operation in operations.values():
                if any(p["in"] == "query" for p in operation.get("parameters", [])):
                    # A query parameter of the wrong type or out of range is answered with 422.
                    operation["responses"].setdefault(
                        422,
                        {"description": "Unprocessable Entity", "content": {"application/json": {"schema": problem}}},
                    )
                for response in operation["responses"].values():
                    content = response.get("content", {})
                    if content.get("application/json", {}).get("schema") == problem:
                        response["content"] = {problems.CONTENT_TYPE: content["application/json"]}
        return schema

    def get_openapi_operation_id(self, operation: Any) -> str:
        # The view's name, e.g. `removal_request`: each is unique across the API's modules.
        return str(operation.view_func.__name__)


api = AsylonAPI(
    title="Asylon API",
    version="1",
    description=DESCRIPTION,
    openapi_url="/schema",
    docs_url="/docs",
    docs=OfflineSwagger(),
    auth=[TokenAuth(), SessionAuth()],
)
problems.install(api)
api.add_router("", cases.router)
api.add_router("", safeguards.removals)
api.add_router("", safeguards.disclosures)
api.add_router("", safeguards.register)
api.add_router("", documents.router)
api.add_router("", access.router)
api.add_router("", transparency.router)
api.add_router("", identity.router)
