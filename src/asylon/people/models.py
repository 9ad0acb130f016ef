"""Persons and their names in every script they were written in."""

from __future__ import annotations

import unicodedata
import uuid

from django.db import models

from asylon.dataprotection.runtime import Readable, sealed

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


def office_slug(unit: str) -> str:
    """The office whose keys encrypt a record: the registering officer's unit."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in unit.strip().casefold()).strip("-")
    return slug or "main"


def is_country_code(code: str) -> bool:
    """Two capital letters A to Z, as ISO 3166-1 alpha-2 writes a country (str.isalpha alone
    takes "ÊX" or full-width letters too)."""
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()


def partial_date(year: int | None, month: int | None = None, day: int | None = None) -> str:
    """A date of birth as far as it is known: "1991", "1991-03", "1991-03-07", or "" (unknown)."""
    if year is None:
        return ""
    text = f"{year:04d}"
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
    return text


def partial_date_parts(text: str) -> tuple[int | None, int | None, int | None]:
    numbers: list[int | None] = [int(n) for n in text.split("-")] if text else []
    numbers += [None] * (3 - len(numbers))
    return numbers[0], numbers[1], numbers[2]


class SealedRow(models.Model):
    """A row holding sealed text: the id its ciphertexts are bound to, and the office whose
    keys seal them (see asylon.dataprotection.runtime.sealed)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    office = models.CharField(max_length=40, default="main")

    class Meta:
        abstract = True

    @property
    def readable(self) -> Readable:
        """For pages: sealed attributes that show a notice once the office's keys are destroyed."""
        return Readable(self)


class Person(SealedRow):
    sex = models.CharField(max_length=1, choices=[("F", "female"), ("M", "male"), ("X", "other")])
    birth_date_sealed = models.TextField(blank=True)
    nationalities = models.JSONField(default=list)
    habitual_residences = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    specific_needs = models.JSONField(default=list)
    province_sealed = models.TextField(blank=True)
    contact_sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A merge links the record to the one it duplicates and deletes nothing: both histories
    # stay, and an un-merge only clears the link (asylon.people.identity).
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")

    # Sealed as one text (see partial_date), so no column reveals even the year; the services
    # check month and day as the database constraints did before.
    birth_date = sealed("birth_date")
    province = sealed("province")  # of origin
    contact = sealed("contact")  # phone or address, free text

    # Lengths of the plaintext, checked by the services before encryption.
    LIMITS = {"province": 100, "contact": 500}

    def __str__(self) -> str:
        return f"person {self.pk}"

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(self.nationalities) | frozenset(self.habitual_residences)

    @property
    def birth_year(self) -> int | None:
        return partial_date_parts(self.birth_date)[0]

    @property
    def birth_month(self) -> int | None:
        return partial_date_parts(self.birth_date)[1]

    @property
    def birth_day(self) -> int | None:
        return partial_date_parts(self.birth_date)[2]

    @property
    def birth_date_text(self) -> str:
        return self.birth_date or "????"

    def primary_name(self) -> Name | None:
        names = list(self.names.all())
        return next((n for n in names if n.is_primary), names[0] if names else None)


class Name(SealedRow):
    """A name as written by one source. The text is stored encrypted; it is found through
    `NameKey` blind indexes of its normalized variants, never by a readable column."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    text_sealed = models.TextField(default="")
    family_name_sealed = models.TextField(blank=True)
    given_name_sealed = models.TextField(blank=True)
    script = models.CharField(max_length=4, choices=SCRIPTS)
    romanization = models.CharField(max_length=10, choices=ROMANIZATIONS, blank=True)
    source = models.CharField(max_length=40)
    is_primary = models.BooleanField(default=False)
    # A name the person used or was known by besides their own (a false identity on the run, a
    # name given by a broker): searched and matched like the others, shown marked as an alias.
    is_alias = models.BooleanField(default=False)

    text = sealed("text")
    family_name = sealed("family_name")
    given_name = sealed("given_name")

    # Lengths of the plaintext, checked by the services before encryption.
    LIMITS = {"text": 200, "family_name": 100, "given_name": 100}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(is_primary=True), name="one_primary_name_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"name {self.pk}"

    def search_keys(self) -> set[str]:
        """The normalized variants an officer may type to find this name."""
        keys = {fold(self.text), fold(self.family_name), fold(self.given_name)}
        # Every run of whole words: "Ri Sun" finds "Ri Sun Hui", and so does "Sun Hui".
        words = [fold(w) for w in self.text.replace("-", " ").split()]
        keys |= {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
        if self.family_name and self.given_name:
            keys.add(fold(self.given_name + self.family_name))  # given name first, as Western lists write it
        if self.script == "Hang" and " " not in self.text.strip():
            # Korean names run together: the given name follows a surname of one or two syllables.
            keys |= {fold(self.text[1:]), fold(self.text[2:])} if len(self.text) >= 4 else {fold(self.text[1:])}
        return {k for k in keys if k}


class NameKey(models.Model):
    """A blind index (HMAC) of one normalized variant of a name (`search`), or of one of the
    matching core's blocking keys for it (`match`: its Korean reading, with the year or the
    birthday). Both are HMACs under the blind-index key with their own purpose, so neither
    kind can be mistaken for the other, and shredding an office removes both."""

    SEARCH, MATCH = "search", "match"

    name = models.ForeignKey(Name, on_delete=models.CASCADE, related_name="keys")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    digest = models.CharField(max_length=32)
    kind = models.CharField(max_length=6, choices=[(SEARCH, "search"), (MATCH, "match")], default=SEARCH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "digest"], name="one_key_per_variant")]
        # Digest and person together: a lookup counts the keys each person shares from the
        # index alone (asylon.people.duplicates.ranked), reading no row of this table.
        indexes = [models.Index(fields=["digest", "person"], name="namekey_digest_person")]

    def __str__(self) -> str:
        return self.digest


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

    class Meta:
        indexes = [
            # The detention queue, in its order: the page is read off the index, not sorted.
            models.Index(
                fields=["next_review_on", "detained_since", "id"],
                condition=models.Q(released_on__isnull=True),
                name="detention_reviews_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} since {self.detained_since}"


class DuplicatePair(models.Model):
    """Two persons the matching core found alike, for an officer to review; the lower id first,
    so a pair is stored once. The verdict is remembered: a pair found "distinct" is never
    suggested again, and "same" is a merge (`Person.merged_into`) that can be undone.
    Nothing readable is kept here: the evidence is recomputed from the sealed records."""

    OPEN, SAME, DISTINCT = "", "same", "distinct"
    VERDICTS = [(OPEN, "to review"), (SAME, "same person"), (DISTINCT, "not the same person")]

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    found_at = models.DateTimeField()
    found_by = models.CharField(max_length=20)  # registration, import, scan
    verdict = models.CharField(max_length=8, choices=VERDICTS, default=OPEN, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_pair_per_two_persons"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="pair_in_order"),
        ]

    def __str__(self) -> str:
        return f"pair {self.person_a_id}–{self.person_b_id}"
