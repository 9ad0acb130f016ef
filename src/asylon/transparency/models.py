"""The log as stored: every subtree hash, every entry, every signed checkpoint."""

from __future__ import annotations

from django.db import models


class LogHead(models.Model):
    """One row: the committed size of the log. Locking it serializes appends."""

    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of {self.size}"


class LogHash(models.Model):
    """The hash of the complete subtree of 2^level leaves starting at leaf index·2^level."""

    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="one_hash_per_node")]

    def __str__(self) -> str:
        return f"{self.level}/{self.index}"


class LogEntry(models.Model):
    """One leaf. `body` is public and holds no personal data; `salt` links it to the record
    it commits to, and destroying the salt makes the record unlinkable without breaking the tree."""

    index = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=20)
    body = models.BinaryField()
    # Plain ids, not foreign keys: a row deleted behind the application's back must leave
    # its entry behind, so that the audit can name it.
    event_id = models.BigIntegerField(null=True, unique=True)
    salt = models.BinaryField(max_length=32, null=True)

    def __str__(self) -> str:
        return f"entry {self.index}"


class Checkpoint(models.Model):
    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint at {self.size}"
