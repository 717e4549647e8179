"""On PostgreSQL, the database itself keeps the ledger append-only: triggers refuse every UPDATE
and DELETE of a ledger entry, a TRUNCATE of a ledger that holds entries, and the insert of a
reversal that is not the exact negative of the one entry it names (same team, year, category and
unit; never a reversal of a reversal). SQLite, for trying the app, has only the CHECK constraints
and the model's guards.

An empty ledger may be truncated: Django's test runner empties every table that way after each
transactional (browser) test. A non-empty ledger only by a session that has said so in as many
words (`SET outpost.ledger_truncate = 'allow'`): the test suite does, before the flush that ends
a browser test which wrote entries (tests/browser/conftest.py). An operator with the rights to
set it could as well drop the trigger; the point is that no application path can.
"""

from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION funding_ledgerentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'funding_ledgerentry is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation', HINT = 'Record a reversing entry instead.';
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS funding_ledgerentry_no_update_or_delete ON funding_ledgerentry",
    """
    CREATE TRIGGER funding_ledgerentry_no_update_or_delete BEFORE UPDATE OR DELETE ON funding_ledgerentry
        FOR EACH ROW EXECUTE FUNCTION funding_ledgerentry_append_only()
    """,
    """
    CREATE OR REPLACE FUNCTION funding_ledgerentry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM funding_ledgerentry)
           AND coalesce(current_setting('outpost.ledger_truncate', true), '') <> 'allow' THEN
            RAISE EXCEPTION 'funding_ledgerentry is append-only: TRUNCATE refused'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS funding_ledgerentry_no_truncate ON funding_ledgerentry",
    """
    CREATE TRIGGER funding_ledgerentry_no_truncate BEFORE TRUNCATE ON funding_ledgerentry
        FOR EACH STATEMENT EXECUTE FUNCTION funding_ledgerentry_no_truncate()
    """,
    """
    CREATE OR REPLACE FUNCTION funding_ledgerentry_reversal_matches() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        original funding_ledgerentry%ROWTYPE;
    BEGIN
        -- A reversal that names no entry is left to the CHECK constraint ledger_only_reversal_reverses.
        IF NEW.kind = 'reversal' AND NEW.reverses_id IS NOT NULL THEN
            SELECT * INTO original FROM funding_ledgerentry WHERE id = NEW.reverses_id;
            IF NOT FOUND
               OR original.kind = 'reversal'
               OR NEW.amount <> -original.amount
               OR NEW.station_id <> original.station_id
               OR NEW.year <> original.year
               OR NEW.category_id IS DISTINCT FROM original.category_id
               OR NEW.unit_id IS DISTINCT FROM original.unit_id THEN
                RAISE EXCEPTION 'a reversal must be the exact negative of one entry that is no reversal'
                    USING ERRCODE = 'check_violation',
                          DETAIL = 'Same team, year, category and unit as the entry it reverses; opposite amount.';
            END IF;
        END IF;
        RETURN NEW;
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS funding_ledgerentry_reversal_matches ON funding_ledgerentry",
    """
    CREATE TRIGGER funding_ledgerentry_reversal_matches BEFORE INSERT ON funding_ledgerentry
        FOR EACH ROW EXECUTE FUNCTION funding_ledgerentry_reversal_matches()
    """,
]

DROP = [
    "DROP TRIGGER IF EXISTS funding_ledgerentry_reversal_matches ON funding_ledgerentry",
    "DROP TRIGGER IF EXISTS funding_ledgerentry_no_truncate ON funding_ledgerentry",
    "DROP TRIGGER IF EXISTS funding_ledgerentry_no_update_or_delete ON funding_ledgerentry",
    "DROP FUNCTION IF EXISTS funding_ledgerentry_reversal_matches()",
    "DROP FUNCTION IF EXISTS funding_ledgerentry_no_truncate()",
    "DROP FUNCTION IF EXISTS funding_ledgerentry_append_only()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            # No parameters: the SQL holds literal % signs (RAISE formats, %ROWTYPE).
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0002_categories"),
    ]

    operations = [
        migrations.RunPython(_run(CREATE), _run(DROP), elidable=False),
    ]
