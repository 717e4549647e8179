"""The data version's counter row and trigger function (PostgreSQL only; see stations.dataversion).

The triggers themselves are installed on every table after each migrate, by
`stations.dataversion.install_triggers`, so that later tables get them too.
"""

from django.db import migrations

# Once per transaction: the first of the transaction's deferred events adds one, and notes the
# transaction in a setting local to it; the others (one per row written) see the note and return.
FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION outpost_count_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('outpost.counted_xact', true) IS DISTINCT FROM pg_current_xact_id()::text THEN
        UPDATE outpost_data_version SET number = number + 1 WHERE id = 1;
        PERFORM set_config('outpost.counted_xact', pg_current_xact_id()::text, true);
    END IF;
    RETURN NULL;
END
$$
"""


def create_counter(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS outpost_data_version (id smallint PRIMARY KEY CHECK (id = 1), number bigint NOT NULL)"
    )
    schema_editor.execute("INSERT INTO outpost_data_version (id, number) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
    schema_editor.execute(FUNCTION_SQL)


def drop_counter(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # CASCADE drops the triggers that call the function.
    schema_editor.execute("DROP FUNCTION IF EXISTS outpost_count_commit() CASCADE")
    schema_editor.execute("DROP TABLE IF EXISTS outpost_data_version")


class Migration(migrations.Migration):

    dependencies = [
        ("stations", "0009_judgement_and_task_once"),
    ]

    operations = [
        migrations.RunPython(create_counter, drop_counter, elidable=False),
    ]
