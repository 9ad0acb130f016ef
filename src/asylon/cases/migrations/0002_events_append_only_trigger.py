"""On PostgreSQL, refuse UPDATE and DELETE of case events even from outside the application."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION asylon_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_event_append_only
    BEFORE UPDATE OR DELETE ON cases_event
    FOR EACH STATEMENT EXECUTE FUNCTION asylon_events_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS cases_event_append_only ON cases_event;
DROP FUNCTION IF EXISTS asylon_events_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
