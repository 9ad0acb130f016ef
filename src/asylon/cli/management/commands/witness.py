from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from asylon.transparency.note import Checkpoint, Cosigner, Note, NoteError, VerifierKey
from asylon.transparency.witness import CosignRefused, Witness


class Command(BaseCommand):
    help = (
        "Witness the log, as a monitor, with your own key: cosign a signed checkpoint only if it "
        "extends the last one you cosigned (kept in --state), and print the cosignature line to hand "
        "in. `--new-key NAME --key FILE` makes a key and prints its verifier key for the authority."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("checkpoint", nargs="?", help="the signed checkpoint note to cosign")
        parser.add_argument("--key", required=True, help="your witness key file (written by --new-key)")
        parser.add_argument("--new-key", metavar="NAME", help="write a new key named NAME to --key and stop")
        parser.add_argument("--state", help="where the last cosigned checkpoint of each log is kept")
        parser.add_argument("--log-key", help="the log's verifier key: needed the first time, and then kept in --state")
        parser.add_argument(
            "--proof", help="a consistency proof from your last checkpoint (`asylon log-proof consistency`)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(str(_key_create(Path(options["key"]), options["new_key"])))
            return
        if not options["checkpoint"] or not options["state"]:
            raise CommandError("give the checkpoint file and --state (or --new-key NAME to make a key)")
        try:
            cosigner = Cosigner.from_skey(Path(options["key"]).read_text(encoding="utf-8").strip())
        except NoteError as error:
            raise CommandError(f"--key: {error}") from None
        state_path = Path(options["state"])
        state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {"logs": {}}
        signed = Path(options["checkpoint"]).read_text(encoding="utf-8")
        try:
            checkpoint = Checkpoint.parse(Note.parse(signed).text)
        except NoteError as error:
            raise CommandError(f"refused (malformed): {error}") from None
        known = state["logs"].get(checkpoint.origin, {})
        log_key = _log_key(known.get("key"), options["log_key"])
        latest = Checkpoint.parse(known["checkpoint"]) if "checkpoint" in known else None
        proof, old_size = _proof(options["proof"], checkpoint.size)
        witness = Witness(cosigner, {checkpoint.origin: [log_key]}, {checkpoint.origin: latest} if latest else None)
        try:
            cosignature = witness.cosign(signed, proof, now=timezone.now(), old_size=old_size)
        except CosignRefused as refused:
            raise CommandError(f"refused ({refused.reason}): {refused.detail}") from None
        state["logs"][checkpoint.origin] = {"key": str(log_key), "checkpoint": checkpoint.text()}
        # Written aside, then moved over: an interrupted run leaves the old state, never half of one.
        part = state_path.with_name(state_path.name + ".part")
        part.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(part, state_path)
        self.stdout.write(cosignature.line(), ending="")


def _key_create(path: Path, name: str) -> VerifierKey:
    try:
        cosigner = Cosigner.generate(name)
    except NoteError as error:
        raise CommandError(str(error)) from None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} exists: a witness key is never overwritten") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(cosigner.skey() + "\n")
    return cosigner.verifier_key


def _log_key(kept: str | None, given: str | None) -> VerifierKey:
    if not (kept or given):
        raise CommandError("the first time, give the log's verifier key with --log-key")
    try:
        kept_key = VerifierKey.parse(kept) if kept else None
        given_key = VerifierKey.parse(given) if given else None
    except NoteError as error:
        raise CommandError(f"--log-key: {error}") from None
    # The log's key is trusted once, on first use; a different one later is refused, or
    # whoever swaps the key could pass a second log off as this one.
    if kept_key and given_key and kept_key != given_key:
        raise CommandError("refused: --log-key differs from the log key kept in the state file")
    key = kept_key or given_key
    assert key is not None
    return key


def _proof(path: str | None, size: int) -> tuple[list[bytes], int | None]:
    if path is None:
        return [], None
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data["new"] != size:
        raise CommandError(f"refused: the proof is to size {data['new']}, the checkpoint is of size {size}")
    try:
        return [bytes.fromhex(h) for h in data["hashes"]], int(data["old"])
    except (TypeError, ValueError) as error:
        raise CommandError(f"--proof: {error}") from None
