"""The data version's table and trigger function (PostgreSQL only; see stations.dataversion).

The triggers themselves are installed on every table after each migrate, by
`stations.dataversion.install_triggers`, so that later tables get them too.
"""

from django.db import migrations

# Once per transaction, at its commit: the first of the transaction's deferred events adds a row
# of weight 1 and notes the transaction in a setting local to it; the others (one per row
# written) see the note and return. An INSERT of a new row waits for no one, so a commit never
# queues or deadlocks here. Now and then (a row id divisible by 500) the committing transaction
# folds the rows it can see into one row of their summed weight, so that the sum stays cheap to
# read; the sum is unchanged by it, and an advisory lock it only tries keeps two from folding at
# once.
FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION outpost_count_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    IF current_setting('outpost.counted_xact', true) IS DISTINCT FROM pg_current_xact_id()::text THEN
        PERFORM set_config('outpost.counted_xact', pg_current_xact_id()::text, true);
        INSERT INTO outpost_data_version (weight) VALUES (1) RETURNING id INTO added;
        IF mod(added, 500) = 0 AND pg_try_advisory_xact_lock(hashtext('outpost_data_version')) THEN
            WITH folded AS (DELETE FROM outpost_data_version WHERE id < added RETURNING weight)
            INSERT INTO outpost_data_version (weight) SELECT sum(weight) FROM folded HAVING count(*) > 0;
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""


def create_counter(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS outpost_data_version (id bigserial PRIMARY KEY, weight bigint NOT NULL)"
    )
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
