from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asylon.cases.services import InvalidInput
from asylon.transparency.services import consistency_proof, inclusion_proof


class Command(BaseCommand):
    help = (
        "Print an RFC 9162 proof from the log's stored hashes, as JSON: `inclusion INDEX [--size N]`, "
        "that an entry is in the tree; `consistency OLD NEW`, that the tree of NEW entries extends the "
        "tree of OLD (what `asylon witness --proof` reads)."
    )

    def add_arguments(self, parser: Any) -> None:
        proofs = parser.add_subparsers(dest="proof", required=True)
        inclusion = proofs.add_parser("inclusion", help="an entry is in the tree")
        inclusion.add_argument("index", type=int)
        inclusion.add_argument("--size", type=int, help="a past size of the log (default: the current one)")
        consistency = proofs.add_parser("consistency", help="a tree extends an older one")
        consistency.add_argument("old", type=int)
        consistency.add_argument("new", type=int)

    def handle(self, *args: Any, proof: str, **options: Any) -> None:
        try:
            if proof == "inclusion":
                answer = inclusion_proof(options["index"], options["size"]).as_json()
            else:
                answer = consistency_proof(options["old"], options["new"]).as_json()
        except InvalidInput as error:
            raise CommandError(" ".join(error.errors.values())) from None
        self.stdout.write(json.dumps(answer, indent=2))
