"""The browsable API docs, served with no network.

Ninja's own Swagger page loads its files from a CDN unless "ninja" is in INSTALLED_APPS,
and then from /static/. Asylon runs where there may be no internet, and the API keeps to
its own folder: the page and the Swagger UI files Ninja ships are served from /api/docs/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger

from asylon.api.problems import not_found

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
# Only these files are served, so no path from the request ever reaches the file system.
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}
ASSET_URL_NAME = "docs-asset"


class OfflineSwagger(Swagger):
    def __init__(self) -> None:
        # Swagger UI would send the schema to validator.swagger.io for its badge.
        super().__init__(settings={"validatorUrl": None, "persistAuthorization": False})

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            "swagger_settings": json.dumps(settings),
            "add_csrf": True,
            "asset_url": f"{api.urls_namespace}:{ASSET_URL_NAME}",
        }
        return render(request, "api/docs.html", context)


def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    if name not in ASSETS:
        return not_found(request)
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
