"""people 0003 seals the birth dates and provinces that were readable columns, and can undo it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from asylon.people.models import Person
from tests.dataprotection.keyfile import own_keyfile

BEFORE = [("people", "0002_sealed_names")]
SEALED = [("people", "0003_sealed_person_details")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_birth_dates_and_provinces_are_sealed_in_place_and_unsealed_on_the_way_back(
    settings, monkeypatch, tmp_path
):
    own_keyfile(settings, monkeypatch, tmp_path)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE).get_model("people", "Person")
        known = old.objects.create(sex="F", birth_year=1991, birth_month=3, province="Ryanggang", office="seoul")
        day = old.objects.create(sex="F", birth_year=2015, birth_month=1, birth_day=9, office="seoul")
        unknown = old.objects.create(sex="M", office="seoul")

        migrate(SEALED)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person")
            dump = repr(cursor.fetchall())
        assert "Ryanggang" not in dump and "1991-03" not in dump
        rows = {p.pk: p for p in Person.objects.defer("merged_into")}  # merged_into: a later migration
        assert (rows[known.pk].birth_date, rows[known.pk].province) == ("1991-03", "Ryanggang")
        assert (rows[day.pk].birth_date, rows[day.pk].birth_day) == ("2015-01-09", 9)
        assert (rows[unknown.pk].birth_date_sealed, rows[unknown.pk].province_sealed) == ("", "")

        back = migrate(BEFORE).get_model("people", "Person")
        assert list(back.objects.order_by("pk").values_list("birth_year", "birth_month", "birth_day", "province")) == [
            (1991, 3, None, "Ryanggang"),
            (2015, 1, 9, ""),
            (None, None, None, ""),
        ]
    finally:
        migrate(latest)
