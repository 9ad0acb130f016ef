"""`asylon import-list`: every row's fate, nothing half-written, duplicates flagged."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from asylon.cases import services
from asylon.cases.models import Case, Event
from asylon.people.models import DuplicatePair, Name, NameKey, Person
from asylon.transparency.models import LogEntry
from tests.services.helpers import open_case, principal

pytestmark = pytest.mark.django_db

GOOD = (
    "번호,성명,성별,생년월일,출신\n"
    "A1,김영호,남,1985-03-12,함경북도\n"
    "A2,Kim Yong Ho,M,1985-03-12,North Hamgyong\n"
    "A3,박철민,남,1970,\n"
)
MAP = ["번호=record_id", "성명=name", "성별=sex", "생년월일=dob", "출신=province"]


def run(tmp_path, staff, text: str, *flags: str, mapping: list[str] = MAP) -> str:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    args = ["import_list", str(path), "--source", "ngo", "--user", staff.registrar.username]
    args += [f"--map={m}" for m in mapping]
    call_command(*args, *flags, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Case, Person, Name, NameKey, Event, LogEntry, DuplicatePair))


def test_a_dry_run_reports_every_row_and_changes_nothing(tmp_path, staff):
    before = counts()
    out = run(tmp_path, staff, GOOD, "--dry-run")
    assert "row 2 [A1]: would create\n" in out
    assert "row 3 [A2]: would create; duplicate of row 2 (" in out
    assert "row 4 [A3]: would create\n" in out
    assert "Dry run: 3 of 3 rows would be imported; nothing changed." in out
    assert counts() == before


def test_an_import_creates_an_intake_per_row_and_queues_the_pair_within_the_file(tmp_path, staff):
    out = run(tmp_path, staff, GOOD)
    assert "Imported 3 of 3 rows" in out
    assert Case.objects.count() == 3
    [pair] = DuplicatePair.objects.all()
    assert pair.found_by == "registration"
    assert "created AS-" in out


def test_a_row_already_on_file_is_flagged_with_the_person(tmp_path, staff):
    known = services.PersonInput(
        names=[services.NameInput(text="리순희", script="Hang")],
        sex="F",
        birth_year=1991,
        birth_month=3,
        birth_day=7,
        province="함경북도",
    )
    case = open_case(staff, known)
    out = run(
        tmp_path, staff, "번호,성명,성별,생년월일,출신\nB1,Ri Sun-hui,여,07/03/1991,Hamgyong-bukto\n", "--dry-run"
    )
    assert f"row 2 [B1]: would create; duplicate of person {case.principal_id} (" in out


def test_a_person_the_officer_may_not_read_is_not_named(tmp_path, staff):
    case = open_case(staff, principal("리순희"))
    Case.objects.filter(pk=case.pk).update(office="bangkok")
    out = run(tmp_path, staff, "번호,성명,성별,생년월일,출신\nB1,리순희,여,1991-03,\n", "--dry-run")
    assert "duplicate" not in out


def test_a_file_with_an_error_imports_nothing_and_names_the_column(tmp_path, staff):
    before = counts()
    bad = GOOD + "A4,,남,1990,\nA5,이순자,?,31/02/1990x,\n"
    with pytest.raises(CommandError, match="2 of 5 rows in error: nothing imported"):
        run(tmp_path, staff, bad)
    assert counts() == before


def test_the_error_report_names_each_column(tmp_path, staff):
    bad = (
        "번호,성명,성별,생년월일,출신\n"
        "A4,,남,1990,\nA5,이순자,?,1990,\nA6,이순자,여,1990-13-01,\nA7,이순자,여,3/3/90,\n"
    )
    out = run(tmp_path, staff, bad, "--dry-run")
    assert "row 2 [A4]: error: column '성명': the name is empty" in out
    assert "row 3 [A5]: error: column '성별': sex must be F, M or X" in out
    assert "row 4 [A6]: error: column '생년월일': Needs a year, and must be 1 to 12." in out
    assert "row 5 [A7]: error: column '생년월일': not a date: '3/3/90'" in out


def test_a_nationality_is_read_as_a_code_or_as_a_name_the_lists_write(tmp_path, staff):
    text = "번호,성명,성별,생년월일,국적\nA1,김영호,남,1985,조선\nA2,박철민,남,1970,cn\nA3,이순자,여,1990,Koryo\n"
    mapping = [*MAP[:4], "국적=nationality"]
    out = run(tmp_path, staff, text, "--dry-run", mapping=mapping)
    assert "row 4 [A3]: error: column '국적': not a country: 'Koryo' (a two-letter code such as KP or CN)" in out

    run(tmp_path, staff, text, "--accept-valid-rows", mapping=mapping)

    assert sorted(p.nationalities for p in Person.objects.all()) == [["CN"], ["KP"]]


def test_accepting_the_valid_rows_imports_them_and_reports_the_rest(tmp_path, staff):
    out = run(tmp_path, staff, GOOD + "A4,,남,1990,\n", "--accept-valid-rows")
    assert "Imported 3 of 4 rows; 1 row(s) in error left out." in out
    assert Case.objects.count() == 3


def test_a_mapping_to_an_unknown_field_or_column_is_refused(tmp_path, staff):
    path = tmp_path / "list.csv"
    path.write_text(GOOD, encoding="utf-8")
    base = ["import_list", str(path), "--source", "ngo", "--user", staff.registrar.username]
    with pytest.raises(CommandError, match="unknown field"):
        call_command(*base, "--map=성명=surname", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="no column for the name"):
        call_command(*base, stdout=StringIO(), stderr=StringIO())


def test_only_a_registration_officer_imports(tmp_path, staff):
    path = tmp_path / "list.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="role does not allow"):
        call_command(
            "import_list",
            str(path),
            "--source",
            "ngo",
            "--user",
            staff.eligibility.username,
            "--map=성명=name",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not Case.objects.exists()


def test_an_xlsx_list_is_read_like_a_csv(tmp_path, staff):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in [line.split(",") for line in GOOD.strip().split("\n")]:
        book.active.append(row)
    path = tmp_path / "list.xlsx"
    book.save(path)
    out = StringIO()
    call_command(
        "import_list",
        str(path),
        "--source",
        "ngo",
        "--user",
        staff.registrar.username,
        "--dry-run",
        *[f"--map={m}" for m in MAP],
        stdout=out,
        stderr=StringIO(),
    )
    assert "3 of 3 rows would be imported" in out.getvalue()
