"""The log as stored: its hashes in tiles, every entry, every signed checkpoint."""

from __future__ import annotations

from django.db import models


class LogHead(models.Model):
    """One row: the committed size of the log. Locking it serializes appends."""

    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of {self.size}"


class LogTile(models.Model):
    """A c2sp.org/tlog-tiles tile: `hashes` are the hashes of tree level 8·level, indices
    256·index onwards, 32 bytes each, as a tile server would serve them (up to 256 of them:
    the rightmost tile of a level is partial and rewritten as it grows, the others never
    change). `folded` holds the tree levels 8·level + 1 … 8·level + 7 above them, level by
    level (width >> 1, width >> 2, … hashes), which tlog-tiles leaves to the reader to fold:
    stored, a proof folds nothing (some 650 hashes at 10M entries otherwise)."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hashes = models.BinaryField()
    folded = models.BinaryField()

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index}"


class LogEntry(models.Model):
    """One leaf. `body` is public and holds no personal data; `salt` links it to the record
    it commits to, and destroying the salt makes the record unlinkable without breaking the tree.

    An entry without an `index` is waiting: committed with its record, not yet in the tree
    (storage.log_integrate puts it there, right after the commit)."""

    index = models.BigIntegerField(unique=True, null=True)
    kind = models.CharField(max_length=20)
    body = models.BinaryField()
    # Plain ids, not foreign keys: a row deleted behind the application's back must leave
    # its entry behind, so that the audit can name it.
    event_id = models.BigIntegerField(null=True)
    # The row of any other kind (a document, a listing, a disclosure): its primary key in
    # the table the kind names, so that a document's issuance entry can be found for its proof.
    record_id = models.BigIntegerField(null=True)
    salt = models.BinaryField(max_length=32, null=True)

    class Meta:
        # Partial: most entries name no event or no record, and indexing their NULLs made
        # every append slower for no lookup.
        constraints = [
            models.UniqueConstraint(
                fields=["event_id"], condition=models.Q(event_id__isnull=False), name="one_entry_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "record_id"], condition=models.Q(record_id__isnull=False), name="entry_by_record"
            ),
            models.Index(fields=["id"], condition=models.Q(index__isnull=True), name="entry_waiting"),
        ]

    def __str__(self) -> str:
        return f"entry {self.index}"


class Checkpoint(models.Model):
    size = models.BigIntegerField(db_index=True)  # the latest's is read with every proof
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint at {self.size}"


class Cosignature(models.Model):
    """A witness's cosignature line on a checkpoint (c2sp.org/tlog-cosignature), as it sent it."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.CharField(max_length=200)  # the key name
    key_id = models.CharField(max_length=8)  # hex: a key is its name and key ID together
    line = models.TextField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness", "key_id"], name="one_cosignature_per_witness")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on checkpoint {self.checkpoint_id}"
