"""On PostgreSQL, case events stay append-only, except that a key rotation may re-seal the
reason under the office's new key: an UPDATE is refused unless it changes nothing but
`reason_sealed`, and keeps its office. (TRUNCATE needs the table's owner, as before: the
application's role should not own its tables; the test database's flush relies on it.) What the reason says cannot be changed unseen either
way: its log entry commits to the plaintext, and `asylon audit-log` compares the two."""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS cases_event_append_only ON cases_event;
CREATE OR REPLACE FUNCTION asylon_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.uid, NEW.office, NEW.case_id, NEW.seq, NEW.type, NEW.actor_id, NEW.at,
            NEW.state_before, NEW.state_after, NEW.data)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.uid, OLD.office, OLD.case_id, OLD.seq, OLD.type, OLD.actor_id, OLD.at,
            OLD.state_before, OLD.state_after, OLD.data)
       AND (NEW.reason_sealed = '') = (OLD.reason_sealed = '')
       AND split_part(NEW.reason_sealed, ':', 2) = split_part(OLD.reason_sealed, ':', 2) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_event_append_only
    BEFORE UPDATE OR DELETE ON cases_event
    FOR EACH ROW EXECUTE FUNCTION asylon_events_append_only();
"""

# Back to the statement-level trigger of migration 0002, which refuses every update.
DROP = """
DROP TRIGGER IF EXISTS cases_event_append_only ON cases_event;
CREATE OR REPLACE FUNCTION asylon_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_event_append_only
    BEFORE UPDATE OR DELETE ON cases_event
    FOR EACH STATEMENT EXECUTE FUNCTION asylon_events_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_need_to_know")]

    operations = [migrations.RunPython(create, drop)]
