"""The no-return register, monitors' attestations, removals and disclosures."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from asylon.procedure.disclosure import LegalBasis, RecipientKind

USER = settings.AUTH_USER_MODEL


class NoReturnListing(models.Model):
    """A country on the no-return register, from listing until (if ever) delisting."""

    country = models.CharField(max_length=2)
    reason = models.TextField()
    listed_on = models.DateField()
    listed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    delisted_on = models.DateField(null=True, blank=True)
    delisted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country"], condition=models.Q(delisted_on__isnull=True), name="one_active_listing"
            )
        ]

    def __str__(self) -> str:
        return self.country


class Attestation(models.Model):
    """A monitor's dated finding that treatment in a country has markedly improved."""

    country = models.CharField(max_length=2)
    monitor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(max_length=200)
    attested_on = models.DateField()
    statement = models.TextField()

    def __str__(self) -> str:
        return f"{self.organisation} on {self.country}"


class SafeThirdCountry(models.Model):
    country = models.CharField(max_length=2)
    nationality = models.CharField(max_length=2)
    designated_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "nationality"], name="one_designation")]

    def __str__(self) -> str:
        return f"{self.country} for {self.nationality}"


class OnwardReturn(models.Model):
    """A country known to send people on to the country they fled."""

    country = models.CharField(max_length=2)
    origin = models.CharField(max_length=2)
    noted_on = models.DateField()
    source = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "origin"], name="one_onward_return")]

    def __str__(self) -> str:
        return f"{self.country} returns to {self.origin}"


class Removal(models.Model):
    """Every attempt is kept, refused or allowed, with the guard's reasons."""

    class Status(models.TextChoices):
        REFUSED = "refused"
        ALLOWED = "allowed"
        CARRIED_OUT = "carried_out"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="removals")
    destination = models.CharField(max_length=2)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices)
    refusal_codes = models.JSONField(default=list)
    carried_out_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    carried_out_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"removal {self.pk} to {self.destination}: {self.status}"


class Recipient(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=[(k.value, k.value.replace("_", " ")) for k in RecipientKind])
    country = models.CharField(max_length=2)
    forwards_to = models.JSONField(default=list)
    agreement = models.TextField(blank=True)  # the data-sharing agreement, by reference

    def __str__(self) -> str:
        return self.name


class Disclosure(models.Model):
    class Status(models.TextChoices):
        REFUSED = "refused"
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="disclosures")
    purpose = models.TextField()
    legal_basis = models.CharField(
        max_length=30, choices=[(b.value, b.value.replace("_", " ")) for b in LegalBasis], blank=True
    )
    fields = models.JSONField(default=list)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices)
    refusal_codes = models.JSONField(default=list)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the canonical content the approver saw (asylon.safeguards.export): an export
    # goes out only while the content still has this digest.
    approved_digest = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"disclosure {self.pk}: {self.status}"


class DisclosureExport(models.Model):
    """One file made from an approved disclosure, written in the same transaction as its log entry."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="exports")
    exported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    digest = models.CharField(max_length=64)  # the approved content's, as checked at export
    file_digest = models.CharField(max_length=64)  # SHA-256 of the file as it left
    row_count = models.PositiveIntegerField()
    # Random, in the file's header and in every row: a leaked excerpt names this export.
    watermark = models.CharField(max_length=32, unique=True)
    log_entry = models.OneToOneField("transparency.LogEntry", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"export {self.watermark} of disclosure {self.disclosure_id}"
