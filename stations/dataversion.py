"""The data version: a number that goes up with every committed write to the database.

`stations.pagecache` keys the pages it keeps by this number, so a kept page can never outlive a
change to what it shows. The counting is done by PostgreSQL itself, not by Django signals, so
that nothing escapes it — bulk updates, raw SQL, imports, the admin, `manage.py` commands and
another app server's writes all count:

- every table (but the few in `UNCOUNTED`) carries a deferred constraint trigger
  `outpost_count_commit`, which at commit adds a row of weight 1 to `outpost_data_version`, once
  per transaction however many rows it wrote, and a `TRUNCATE` trigger which does the same;
- the version is the sum of the weights (`current`), so it goes up by one with each committed
  writing transaction and never goes down: now and then a commit folds the rows into one of their
  summed weight (migration `stations 0010` has the function), which leaves the sum as it was;
- the row is added inside the writing transaction, so it becomes visible in the same instant as
  the data: a reader who sees the new version sees the new data. A rolled-back transaction leaves
  no trace in either;
- adding a row waits for no one: a single counter row updated at commit would queue every commit
  and deadlock with a commit whose deferred foreign-key checks wait on a row the other holds.

The version also carries the table's OID, which changes when the table is made anew (migrated
back and forth, or restored from a dump into a new database): a sum that starts again from zero
never meets pages kept under the old table's numbers. A standby promoted after losing commits
keeps the OID, so restart the app servers after a failover (docs/deploy.md).

The triggers are installed after every `migrate` (`install_triggers`, a `post_migrate`
receiver), so a table added by a later migration is counted without anyone remembering to.
A migration that changes rows and then alters the same table must be split in two (CONVENTIONS:
data steps in migrations of their own), or begin with `SET CONSTRAINTS outpost_count_commit
IMMEDIATE`: PostgreSQL refuses to alter a table with trigger events still waiting for the commit
("pending trigger events"), as it does for Django's deferred foreign keys.

PostgreSQL only: on SQLite (the zero-set-up default for running the app) there is no version and
`current()` answers None, which turns the page cache off; so does a database not yet migrated.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

TABLE = "outpost_data_version"
TRIGGER = "outpost_count_commit"
TRUNCATE_TRIGGER = "outpost_count_truncate"

# Writes to these change nothing a page shows: the session row is rewritten every minute of
# activity (stations.middleware), and the version's table is the count itself.
UNCOUNTED = frozenset({"django_session", TABLE})


def available(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def current(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The committed data version, "<table OID>:<count>" (one query), or None where there is none:
    SQLite, or a database not yet migrated to `stations 0010` (the new code may be serving before
    `migrate` has run: pages are then made afresh, not refused)."""
    if not available(using):
        return None
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 'outpost_data_version'::regclass::oid, coalesce(sum(weight), 0) "
                           "FROM outpost_data_version")
            table, count = cursor.fetchone()
    except DatabaseError:
        logger.warning("no data version (outpost_data_version is missing: run migrate); pages are not kept")
        return None
    return f"{table}:{count}"


def uncounted_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables of the current schema without the counting triggers, but those in `UNCOUNTED`."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = current_schema()
              AND (SELECT count(*) FROM pg_trigger t
                   WHERE t.tgrelid = c.oid AND t.tgname IN (%s, %s)) < 2
            ORDER BY c.relname
            """,
            [TRIGGER, TRUNCATE_TRIGGER],
        )
        return [name for (name,) in cursor.fetchall() if name not in UNCOUNTED]


def install_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Give every counted table its two triggers; idempotent, and cheap when all have them.

    Connected to `post_migrate`, which runs after the whole `migrate` (and after `flush`)."""
    connection = connections[using]
    if not available(using) or TABLE not in connection.introspection.table_names():
        return  # SQLite, or migrated back before the version table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in uncounted_tables(using):
            # CREATE OR REPLACE is not allowed for constraint triggers: drop and create.
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)}"
                f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER} AFTER TRUNCATE ON {quote(table)}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
            )
