"""The data version: one number that goes up with every committed write to the database.

`stations.pagecache` keys the pages it keeps by this number, so a kept page can never outlive a
change to what it shows. The counting is done by PostgreSQL itself, not by Django signals, so
that nothing escapes it — bulk updates, raw SQL, imports, the admin, `manage.py` commands and
another app server's writes all count:

- every table (but the few in `UNCOUNTED`) carries a deferred constraint trigger
  `outpost_count_commit`, which at commit adds one to the single row of `outpost_data_version`,
  once per transaction however many rows it wrote, and a `TRUNCATE` trigger which does the same;
- the number is updated inside the writing transaction, so it becomes visible in the same
  instant as the data: a reader who sees the new number sees the new data. A rolled-back
  transaction leaves no trace in either.
- it is updated at commit (a deferred trigger), not at the first write, so the row is locked for
  the few milliseconds of the commit, never for a long transaction (an import, closing a year):
  writers queue only for their commit, and cannot deadlock on the row, since nothing else is
  locked after it.

The triggers are installed after every `migrate` (`install_triggers`, a `post_migrate`
receiver), so a table added by a later migration is counted without anyone remembering to.
A migration that changes rows and then alters the same table must be split in two (CONVENTIONS:
data steps in migrations of their own), or begin with `SET CONSTRAINTS outpost_count_commit
IMMEDIATE`: PostgreSQL refuses to alter a table with trigger events still waiting for the commit
("pending trigger events"), as it does for Django's deferred foreign keys.

PostgreSQL only: on SQLite (the zero-set-up default for running the app) there is no version and
`current()` answers None, which turns the page cache off.
"""

from django.db import DEFAULT_DB_ALIAS, connections

TABLE = "outpost_data_version"
TRIGGER = "outpost_count_commit"
TRUNCATE_TRIGGER = "outpost_count_truncate"

# Writes to these change nothing a page shows: the session row is rewritten every minute of
# activity (stations.middleware), and the version row is the counter itself.
UNCOUNTED = frozenset({"django_session", TABLE})


def available(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def current(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The committed data version (one query), or None where there is none (SQLite)."""
    if not available(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT number FROM outpost_data_version WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


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
