"""The list import page: the dry run's report, the column mapping, then the import."""

from __future__ import annotations

import base64

from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from asylon.cases.models import Case
from asylon.front import kept
from asylon.people.models import Name, Person
from tests.services.helpers import open_case, principal

URL = reverse("front:import_list")
LIST = (
    "번호,성명,성별,생년월일,출신\n"
    "A1,Ri Sun-hui,여,07/03/1991,Hamgyong-bukto\n"
    "A2,박철민,남,1970,\n"
    "A3,,남,1990,\n"  # no name: an error
)
COLUMNS = {"column_0": "record_id", "column_1": "name", "column_2": "sex", "column_3": "dob", "column_4": "province"}


def upload(browser, text: str = LIST, name: str = "detainees.csv", **fields):
    data = {"file": SimpleUploadedFile(name, text.encode()), "source": "Border NGO", "channel": "alert"}
    return browser.post(URL, data | COLUMNS | fields)


def again(browser, first, **fields):
    data = {"token": first.context["token"], "source": "Border NGO", "channel": "alert"}
    return browser.post(URL, data | COLUMNS | fields)


def test_a_checked_list_reports_every_row_and_writes_nothing(staff, browser_for):
    registered = open_case(staff, principal("리순희"))
    before = (Case.objects.count(), Person.objects.count(), Name.objects.count())

    response = upload(browser_for(staff.registrar))

    assert response.status_code == 200
    fates = {fate.label: fate for fate, _ in response.context["rows"]}
    assert fates["A1"].ok and fates["A1"].duplicate_of_person[0] == registered.principal_id
    assert fates["A2"].ok and not fates["A2"].duplicate_of_person
    assert list(fates["A3"].errors) == ["성명"]
    page = response.content.decode()
    assert "2 of 3 rows can be imported; 1 in error; 1 possible duplicates." in page
    assert registered.number in page  # the duplicate's case, which this officer may read
    assert (Case.objects.count(), Person.objects.count(), Name.objects.count()) == before


def test_a_list_with_errors_imports_nothing_unless_the_officer_accepts_the_valid_rows(staff, browser_for):
    browser = browser_for(staff.registrar)
    first = upload(browser)
    before = Case.objects.count()

    refused = again(browser, first, **{"import": "1"})
    assert "Nothing was imported" in refused.content.decode()
    assert Case.objects.count() == before

    imported = again(browser, first, **{"import": "1", "accept_valid_rows": "on"})
    assert imported.context["report"].imported
    assert Case.objects.count() == before + 2
    assert "2 rows imported." in imported.content.decode()
    # The list is dropped from the session once imported: the same token checks nothing more.
    assert again(browser, first).context["form"].errors["file"] == ["Choose the list to import."]


def test_columns_named_otherwise_are_read_as_the_officer_maps_them(staff, browser_for):
    browser = browser_for(staff.registrar)
    text = "Full name,Gender\n리순희,F\n"
    first = browser.post(
        URL, {"file": SimpleUploadedFile("list.csv", text.encode()), "source": "NGO", "channel": "alert"}
    )
    assert first.status_code == 400
    assert "no column for the name" in first.context["problem"]
    assert [(h, f) for _, h, f in first.context["columns"]] == [("Full name", ""), ("Gender", "")]

    mapped = browser.post(
        URL,
        {"token": first.context["token"], "source": "NGO", "channel": "alert", "column_0": "name", "column_1": "sex"},
    )
    assert mapped.status_code == 200
    [(fate, _)] = mapped.context["rows"]
    assert fate.ok


def test_the_list_is_kept_sealed_in_the_session(staff, browser_for):
    browser = browser_for(staff.registrar)
    token = upload(browser).context["token"]
    plain = base64.b64encode(LIST.encode()).decode()
    stored = Session.objects.get(session_key=browser.session.session_key).session_data
    [sealed] = browser.session["lists"].values()
    # Neither the file nor its base64 is in the session's row; the sealed text opens to it.
    assert "Ri Sun-hui" not in stored and plain[:40] not in sealed and plain[:40] not in stored
    assert kept.recall(browser.session, "lists", token) == "c" + plain


def test_an_unreadable_file_is_named_beside_the_field(staff, browser_for):
    response = upload(browser_for(staff.registrar), name="list.csv", text="")
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The submitted file is empty."]
    latin1 = {"file": SimpleUploadedFile("l.csv", "성명\n".encode("euc-kr")), "source": "NGO", "channel": "alert"}
    assert "not UTF-8" in browser_for(staff.registrar).post(URL, latin1).context["form"].errors["file"][0]


def test_only_an_intake_officer_imports_lists(staff, browser_for):
    assert browser_for(staff.monitor).get(URL).status_code == 403
    assert browser_for(staff.registrar).get(URL).status_code == 200


def test_a_spreadsheet_is_read_like_a_csv(staff, browser_for):
    from io import BytesIO

    import openpyxl

    book = openpyxl.Workbook()
    for row in (["번호", "성명", "성별", "생년월일", "출신"], ["X1", "박철민", "남", 1970, None]):
        book.active.append(row)
    data = BytesIO()
    book.save(data)

    response = browser_for(staff.registrar).post(
        URL,
        {"file": SimpleUploadedFile("list.xlsx", data.getvalue()), "source": "Border NGO", "channel": "alert"}
        | COLUMNS,
    )

    [(fate, _)] = response.context["rows"]
    assert (fate.label, fate.ok) == ("X1", True)


def test_row_errors_are_in_the_officer_s_language(staff, browser_for):
    browser = browser_for(staff.registrar)
    browser.post(reverse("front:set_language"), {"language": "ko", "next": URL})

    page = upload(browser, LIST + "A4,이순자,?,3/3/90,\n").content.decode()

    assert "이름이 비어 있습니다" in page
    assert "성별은 F, M 또는 X(또는 여/남, 女/男)여야 합니다" in page
    assert "날짜가 아닙니다: &#x27;3/3/90&#x27;" in page
    assert "the name is empty" not in page
