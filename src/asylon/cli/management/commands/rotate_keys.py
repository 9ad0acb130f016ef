from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from asylon.dataprotection import rotation, runtime
from asylon.dataprotection.cipher import DecryptionError
from asylon.dataprotection.keys import KeyMaterialError


class Command(BaseCommand):
    help = (
        "Rotate an office's data key without downtime: new writes use a new key at once, then every "
        "sealed value of the office is re-encrypted in batches. Interrupted, it resumes with --resume."
    )

    def add_arguments(self, parser: Any) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--office", help="the office whose data key is rotated")
        which.add_argument(
            "--blind-index",
            action="store_true",
            help="rotate the blind-index key (all offices) and compute every name digest again",
        )
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument("--key-id", help="the new key's id (default: the time now, e.g. 20261128T041200Z)")
        parser.add_argument(
            "--resume", action="store_true", help="finish an interrupted run: no new key, only the rows left"
        )
        parser.add_argument(
            "--retire-old",
            action="store_true",
            help="at the end, remove the office's older keys from the key file; refused while a value uses one",
        )

    def handle(
        self,
        *args: Any,
        office: str | None,
        blind_index: bool,
        batch: int,
        key_id: str | None,
        resume: bool,
        retire_old: bool,
        **options: Any,
    ) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        if resume and key_id:
            raise CommandError("--resume adds no key: leave out --key-id")
        if blind_index:
            if key_id or retire_old:
                raise CommandError("--key-id and --retire-old are for an office's data keys, not the blind index")
            self._blind_index(batch, resume)
            return
        assert office is not None
        keyring = runtime.keyring()
        if office not in keyring.offices:
            known = ", ".join(sorted(keyring.offices)) or "none"
            raise CommandError(f"no keys for office {office!r} (shredded, or never created); offices: {known}")
        if not resume:
            new = key_id or timezone.now().strftime("%Y%m%dT%H%M%SZ")
            try:
                old = rotation.key_rotate(office=office, key_id=new)
            except KeyMaterialError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Office {office}: new writes use key {new} (was {old}).")
        done = self._reencrypt(office, batch)
        active = runtime.keyring().office(office).active
        self.stdout.write(f"Re-encrypted {done} rows of office {office}; every value is under key {active}.")
        if retire_old:
            for old_key in sorted(set(runtime.keyring().office(office).keys) - {active}):
                try:
                    rotation.key_retire(office=office, key_id=old_key)
                except rotation.KeyStillInUse as error:
                    raise CommandError(str(error)) from None
                self.stdout.write(f"Retired key {old_key} of office {office}.")

    def _reencrypt(self, office: str, batch: int) -> int:
        done = 0
        try:
            with tqdm(
                total=rotation.reencrypt_pending(office=office), desc=f"Re-encrypting {office}", unit="row"
            ) as bar:
                for rows in rotation.office_reencrypt(office=office, batch=batch):
                    done += rows
                    bar.update(rows)
        except KeyboardInterrupt:
            raise CommandError(
                f"interrupted after {done} rows; finished batches are kept. "
                f"Run `asylon rotate-keys --office {office} --resume` to finish."
            ) from None
        except DecryptionError as error:
            raise CommandError(f"stopped after {done} rows: {error}") from None
        return done

    def _blind_index(self, batch: int, resume: bool) -> None:
        if not resume:
            rotation.blind_index_rotate()
            self.stdout.write("New blind-index key: new names are indexed under it from now on.")
        done = 0
        try:
            with tqdm(total=rotation.name_keys_pending(), desc="Indexing names", unit="name") as bar:
                for names in rotation.name_keys_recompute(batch=batch):
                    done += names
                    bar.update(names)
        except KeyboardInterrupt:
            raise CommandError(
                f"interrupted after {done} names; names not reached yet are not found by a search. "
                "Run `asylon rotate-keys --blind-index --resume` to finish."
            ) from None
        self.stdout.write(f"Indexed {done} names under the new blind-index key.")
