"""Persons and their names in every script they were written in."""

from __future__ import annotations

import unicodedata

from django.db import models

SCRIPTS = [("Hang", "Hangul"), ("Hani", "Han characters"), ("Latn", "Latin")]
ROMANIZATIONS = [
    ("", "none"),
    ("rr", "Revised Romanization"),
    ("mr", "McCune-Reischauer"),
    ("dprk", "DPRK official"),
    ("pinyin", "Hanyu Pinyin"),
    ("passport", "passport spelling"),
]
SPECIFIC_NEEDS = [
    "child",
    "unaccompanied_child",
    "survivor_of_violence",
    "pregnancy",
    "disability",
    "older_person",
    "serious_medical_condition",
]


def fold(text: str) -> str:
    """A search key: NFC (so Hangul stays composed), case-folded, without spaces or marks."""
    text = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


class Person(models.Model):
    sex = models.CharField(max_length=1, choices=[("F", "female"), ("M", "male"), ("X", "other")])
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    nationalities = models.JSONField(default=list)
    habitual_residences = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    specific_needs = models.JSONField(default=list)
    province = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_month__isnull=True) | models.Q(birth_month__gte=1, birth_month__lte=12),
                name="birth_month_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(birth_day__isnull=True) | models.Q(birth_month__isnull=False),
                name="birth_day_needs_month",
            ),
        ]

    def __str__(self) -> str:
        return f"person {self.pk}"

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(self.nationalities) | frozenset(self.habitual_residences)

    @property
    def birth_date_text(self) -> str:
        parts = [f"{self.birth_year:04d}" if self.birth_year else "????"]
        if self.birth_month:
            parts.append(f"{self.birth_month:02d}")
        if self.birth_day:
            parts.append(f"{self.birth_day:02d}")
        return "-".join(parts)

    def primary_name(self) -> Name | None:
        names = list(self.names.all())
        return next((n for n in names if n.is_primary), names[0] if names else None)


class Name(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    text = models.CharField(max_length=200)
    family_name = models.CharField(max_length=100, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    script = models.CharField(max_length=4, choices=SCRIPTS)
    romanization = models.CharField(max_length=10, choices=ROMANIZATIONS, blank=True)
    source = models.CharField(max_length=40)
    is_primary = models.BooleanField(default=False)
    folded = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(is_primary=True), name="one_primary_name_per_person"
            )
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args: object, **kwargs: object) -> None:
        self.text = unicodedata.normalize("NFC", self.text)
        self.folded = fold(self.text)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class FamilyLink(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_links")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="one_link_per_pair"),
            models.CheckConstraint(condition=~models.Q(person=models.F("relative")), name="no_link_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.relation} {self.relative_id}"


class DetentionEpisode(models.Model):
    """UNHCR Detention Guidelines (2012), Guideline 7: detention is reviewed periodically."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="detentions")
    site = models.CharField(max_length=200)
    detained_since = models.DateField()
    released_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.site} since {self.detained_since}"
