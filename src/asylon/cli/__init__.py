"""The `asylon` command: Django's management commands under one name, with our own first."""

from __future__ import annotations

import os
import sys

# `asylon load-demo` reads better than `asylon load_demo`; both work.
ALIASES = {
    "load-demo": "load_demo",
    "renew-documents": "renew_documents",
    "audit-log": "audit_log",
    "disclosure-export": "disclosure_export",
    "log-export": "log_export",
    "rotate-keys": "rotate_keys",
    "shred-office": "shred_office",
    "document-lists": "document_lists",
    "verifier-page": "verifier_page",
    "log-proof": "log_proof",
    "import-list": "import_list",
    "api-tokens": "api_tokens",
    "second-factor-reset": "second_factor_reset",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asylon.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    if args[1:2] == ["demo"]:
        # Newcomers click around the demo without an authenticator at hand; it is still offered.
        os.environ.setdefault("ASYLON_SECOND_FACTOR", "offered")
    args[0] = "asylon"
    execute_from_command_line(args)
