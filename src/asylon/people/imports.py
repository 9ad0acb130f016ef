"""Importing a list of persons (an NGO's list of detainees, an official list): every row's fate.

Each valid row opens an intake through `intake_open`, as a registration officer would, so
the row's person is stored, indexed and checked for duplicates like any other. A row that
cannot make a person is reported with the column at fault; nothing is dropped silently.
The whole file is one transaction: with any row in error nothing is imported unless the
officer accepts the valid rows. A dry run does the same work and rolls it back, so that
its report is the report the import would give. Messages are in the language active when the
list is read: the officer's in the browser, English on the command line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from asylon.accounts.models import User
from asylon.cases import services
from asylon.matching.score import DEFAULT_THRESHOLD, Record, blocking_keys, prepare
from asylon.people.duplicates import compare, input_records, reach_of, scored, shortlist
from asylon.people.models import is_country_code
from asylon.procedure import case as procedure

FIELDS = ("record_id", "name", "name_alt", "romanization", "sex", "dob", "province", "nationality")
_SEX = {"f": "F", "female": "F", "女": "F", "여": "F", "m": "M", "male": "M", "男": "M", "남": "M", "x": "X"}
# Country names the lists we know write instead of a code; any two-letter code is taken as is.
_COUNTRIES = {
    "KP": ("north korea", "dprk", "democratic people's republic of korea", "조선", "북한", "朝鲜", "北朝鲜"),
    "KR": ("south korea", "republic of korea", "rok", "한국", "대한민국", "남한", "韩国"),
    "CN": ("china", "prc", "people's republic of china", "중국", "中国"),
    "MN": ("mongolia", "몽골", "蒙古"),
    "RU": ("russia", "russian federation", "러시아", "俄罗斯"),
}
_COUNTRY = {name: code for code, names in _COUNTRIES.items() for name in names}
_DATES = (
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(r"^(\d{4})[-./](\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{1,2})[-./](\d{4})$"), ("m", "y")),
    (re.compile(r"^(\d{4})[-./]?(\d{2})[-./]?(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$"), ("d", "m", "y")),  # day first, as the lists we know write it
)


class ListUnreadable(ValueError):
    """The file itself cannot be read: not a row's fault."""


@dataclass
class RowFate:
    row: int  # as the officer counts in a spreadsheet: the header is row 1
    label: str  # the list's own record id, if it has one
    errors: dict[str, str] = field(default_factory=dict)  # column -> what is wrong
    duplicate_of_person: tuple[int, float] | None = None
    duplicate_of_row: tuple[int, float] | None = None
    case_number: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe(self) -> str:
        if self.errors:
            return "error: " + "; ".join(f"column {c!r}: {m}" for c, m in self.errors.items())
        parts = [f"created {self.case_number}" if self.case_number else "would create"]
        if self.duplicate_of_person:
            parts.append(f"duplicate of person {self.duplicate_of_person[0]} ({self.duplicate_of_person[1]:.2f})")
        if self.duplicate_of_row:
            parts.append(f"duplicate of row {self.duplicate_of_row[0]} ({self.duplicate_of_row[1]:.2f})")
        return "; ".join(parts)


@dataclass
class ImportReport:
    rows: list[RowFate]
    imported: bool

    @property
    def errors(self) -> int:
        return sum(not r.ok for r in self.rows)

    @property
    def created(self) -> int:
        return sum(r.ok for r in self.rows) if self.imported else 0


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV or XLSX file, every cell as text."""
    return read_table(path.read_bytes(), xlsx=path.suffix.lower() == ".xlsx")


def read_table(data: bytes, *, xlsx: bool) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV (UTF-8) or XLSX file's bytes, every cell as text."""
    if xlsx:
        try:
            import openpyxl
        except ImportError:  # an optional dependency: CSV needs nothing
            raise ListUnreadable(_("reading XLSX needs the openpyxl package; save the sheet as CSV")) from None
        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            table = [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as error:
            raise ListUnreadable(_("not a readable XLSX file (%(error)s)") % {"error": error}) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ListUnreadable(_("not UTF-8 text; save the list as CSV UTF-8")) from None
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
    if not table:
        raise ListUnreadable(_("the file is empty"))
    return table[0], table[1:]


def column_map(header: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Each field to its column: a column named like the field, or as `--map column=field` says."""
    unknown = sorted(set(mapping.values()) - set(FIELDS))
    if unknown:
        raise ListUnreadable(
            _("unknown field(s) %(unknown)s; the fields are %(fields)s")
            % {"unknown": ", ".join(unknown), "fields": ", ".join(FIELDS)}
        )
    missing = sorted(set(mapping) - set(header))
    if missing:
        raise ListUnreadable(_("no column named %(columns)s in the file") % {"columns": ", ".join(missing)})
    found = {h: i for i, h in enumerate(header) if h in FIELDS}
    found.update({f: header.index(c) for c, f in mapping.items()})
    if "name" not in found:
        raise ListUnreadable(_("no column for the name: map one of the columns to the name"))
    return found


def _script(text: str) -> str:
    if any("가" <= c <= "힣" for c in text):
        return "Hang"
    if any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text):
        return "Hani"
    return "Latn"


def _date(text: str) -> tuple[int | None, int | None, int | None] | None:
    for pattern, order in _DATES:
        m = pattern.match(text)
        if m:
            parts = dict(zip(order, map(int, m.groups()), strict=True))
            return parts["y"], parts.get("m"), parts.get("d")
    return None


def person_of(
    cells: Mapping[str, str], source: str, columns: Mapping[str, str]
) -> tuple[services.PersonInput | None, dict[str, str]]:
    """A row as the intake's input, or what is wrong, named by the file's own column."""
    errors: dict[str, str] = {}
    names = []
    romanization = cells.get("romanization", "")
    for part in ("name", "name_alt"):
        text = cells.get(part, "")
        if text:
            script = _script(text)
            names.append(
                services.NameInput(
                    text=text, script=script, source=source, romanization=romanization if script == "Latn" else ""
                )
            )
    if not cells.get("name"):
        errors[columns["name"]] = _("the name is empty")
    sex = _SEX.get(cells.get("sex", "").strip().lower(), "")
    if not sex:
        errors[columns.get("sex", "sex")] = _("sex must be F, M or X (or 여/남, 女/男)")
    born: tuple[int | None, int | None, int | None] = (None, None, None)
    if cells.get("dob"):
        parsed = _date(cells["dob"])
        if parsed is None:
            errors[columns["dob"]] = _("not a date: %(value)s (1985, 03/1985, 1985-03-12, 12/03/1985)") % {
                "value": repr(cells["dob"])
            }
        else:
            born = parsed
    nationality = cells.get("nationality", "")
    nationality = _COUNTRY.get(nationality.lower(), nationality.upper())
    if nationality and not is_country_code(nationality):
        errors[columns["nationality"]] = _("not a country: %(value)s (a two-letter code such as KP or CN)") % {
            "value": repr(cells["nationality"])
        }
    if errors:
        return None, errors
    person = services.PersonInput(
        names=names,
        sex=sex,
        birth_year=born[0],
        birth_month=born[1],
        birth_day=born[2],
        province=cells.get("province", ""),
        nationalities=[nationality] if nationality else [],
    )
    return person, {}


def _from_service(problems: Mapping[str, str], columns: Mapping[str, str]) -> dict[str, str]:
    """The intake's own objections, named by the column they came from where one did."""
    fields = {
        "names[0]": "name",
        "names[1]": "name_alt",
        "birth_": "dob",
        "province": "province",
        "nationalities": "nationality",
        "sex": "sex",
    }
    named = {}
    for key, message in problems.items():
        field_name = next((f for prefix, f in fields.items() if prefix in key), None)
        named[columns.get(field_name or "", key)] = message
    return named


def list_import(
    *,
    user: User,
    table: tuple[list[str], list[list[str]]],
    source: str,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    accept_valid_rows: bool = False,
    channel: procedure.Channel = procedure.Channel.ALERT,
    at: datetime | None = None,
    progress: Callable[[Iterable[list[str]], int], Iterator[list[str]]] | None = None,
) -> ImportReport:
    """Import a list (its header and rows, `read_rows`); every row's fate in the report, in
    the file's order."""
    header, rows = table
    where = column_map(header, mapping or {})
    columns = {f: header[i] for f, i in where.items()}
    services.require_role(user, services.INTAKE_ROLES)
    fates: list[RowFate] = []
    blocks: dict[str, list[tuple[int, list[Record]]]] = defaultdict(list)
    created: list[int] = []
    readable = reach_of(user)
    iterated = progress(rows, len(rows)) if progress else iter(rows)
    with transaction.atomic():
        for number, row in enumerate(iterated, start=2):
            cells = {f: (row[i] if i < len(row) else "").strip() for f, i in where.items()}
            fate = RowFate(number, cells.get("record_id", ""))
            fates.append(fate)
            if not any(row):
                fate.errors[""] = _("the row is empty")
                continue
            person, fate.errors = person_of(cells, source, columns)
            if person is None:
                continue
            records = input_records(person)
            hits = scored(records, shortlist(records, readable, exclude=created), DEFAULT_THRESHOLD)
            if hits:
                fate.duplicate_of_person = (hits[0][0].pk, hits[0][1].score)
            fate.duplicate_of_row = _earlier_row(records, blocks)
            try:
                with transaction.atomic():
                    case = services.intake_open(user=user, people=[person], channel=channel, at=at)
            except services.InvalidInput as invalid:
                fate.errors = _from_service(invalid.errors, columns)
                continue
            created.append(case.principal_id)
            fate.case_number = "" if dry_run else case.number
            for key in {k for r in records for k in blocking_keys(prepare(r))}:
                blocks[key].append((number, records))
        failed = any(not f.ok for f in fates)
        imported = not dry_run and (accept_valid_rows or not failed)
        if not imported:
            transaction.set_rollback(True)
            for fate in fates:
                fate.case_number = ""
    return ImportReport(fates, imported)


def _earlier_row(
    records: list[Record], blocks: Mapping[str, list[tuple[int, list[Record]]]]
) -> tuple[int, float] | None:
    seen: dict[int, list[Record]] = {}
    for key in {k for r in records for k in blocking_keys(prepare(r))}:
        for number, theirs in blocks.get(key, []):
            seen[number] = theirs
    best: tuple[int, float] | None = None
    for number, theirs in sorted(seen.items()):
        found = compare(records, theirs)
        if found and found.score >= DEFAULT_THRESHOLD and (best is None or found.score > best[1]):
            best = (number, found.score)
    return best
