"""The document record each person holds (signing, QR and printing come later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from asylon.procedure import documents as procedure


class Document(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    type = models.CharField(
        max_length=40, choices=[(t.value, t.value.replace("_", " ")) for t in procedure.DocumentType]
    )
    number = models.CharField(max_length=20, unique=True)
    valid_from = models.DateField()
    valid_until = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    # The document's bit in the signed status list (asylon.documents.credential), drawn at random.
    status_index = models.PositiveIntegerField(unique=True, null=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "valid_until"]),
            # The search box finds a document number typed in any case (`number__iexact`).
            models.Index(Upper("number"), name="document_number_any_case"),
        ]

    def __str__(self) -> str:
        return self.number

    def to_domain(self) -> procedure.Document:
        return procedure.Document(
            id=self.pk,
            type=procedure.DocumentType(self.type),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            revoked=self.revoked_on is not None,
        )


class DocumentDue(models.Model):
    """A period in which the core's `documents_due` names this for the person (`due_periods`).

    Kept so that the documentation desk's queue is one indexed query at any size: what a
    person is due moves with their cases and documents, which rewrite these rows in the same
    transaction (`documents_due_refresh`), and with the date, which the periods already hold.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="documents_due")
    # The person's latest case: the queue lists the row under it and shows it to whoever reads it.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(
        max_length=40, choices=[(t.value, t.value.replace("_", " ")) for t in procedure.DocumentType]
    )
    # The document to renew; none for a first issue.
    document = models.ForeignKey(Document, null=True, on_delete=models.CASCADE, related_name="+")
    due_from = models.DateField()
    due_until = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["due_from", "due_until"])]

    def __str__(self) -> str:
        return f"{self.type} from {self.due_from}"
