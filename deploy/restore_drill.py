"""Restore drill: prove that a backup of the database restores to the same data.

    deploy/restore_drill.py [--source-url URL] [--copy-name NAME] [--keep]
    deploy/restore_drill.py --compare-only --copy-name NAME     (compare two existing databases)

Dumps the source database (DATABASE_URL unless --source-url) with `pg_dump --format=custom` —
exactly what deploy/backup.sh writes each night — creates a fresh database on the same server
(NAME, default `<source>_restore`; dropped first if a previous drill left it), restores the dump
into it with `pg_restore --no-owner --no-privileges --exit-on-error`, and compares the two:

* the tables of the `public` schema, and for each its row count and a checksum of its content:
  the md5 of the sorted md5s of its rows, independent of physical order and of collation;
* the sequences' positions (a restored database must not hand out ids it already has), the
  triggers, constraints, indexes and functions by name;
* the ledger: the sum of `funding_ledgerentry.amount` per team and year;
* that the copy still refuses to UPDATE a ledger entry (the append-only triggers of
  funding/migrations/0003 are restored after the data, so COPY of the rows passes them).

Prints a short report and exits 1 on any difference, 2 if the drill could not run. The copy is
dropped at the end unless --keep. The database user needs CREATEDB (or use a superuser URL);
pg_dump and pg_restore are the ones on PATH and must not be older than the server. The dump is
written to a temporary directory (TMPDIR, default /tmp) and deleted at the end.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import errorcodes, sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pgurl import NotPostgres, libpq_env  # noqa: E402

# Both sides print values the same way whatever the server's or the database's defaults.
SESSION_SETTINGS = (
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
    "SET extra_float_digits = 3; SET bytea_output = 'hex'"
)
LEDGER = "funding_ledgerentry"


class DrillError(Exception):
    """The drill could not be carried out (as opposed to: it ran and found a difference)."""


def connect(env: dict[str, str]):
    keywords = {
        "PGHOST": "host",
        "PGPORT": "port",
        "PGUSER": "user",
        "PGPASSWORD": "password",
        "PGDATABASE": "dbname",
        "PGSSLMODE": "sslmode",
        "PGSSLROOTCERT": "sslrootcert",
        "PGSSLCERT": "sslcert",
        "PGSSLKEY": "sslkey",
        "PGCONNECT_TIMEOUT": "connect_timeout",
    }
    connection = psycopg2.connect(**{keywords[k]: v for k, v in env.items() if k in keywords})
    with connection.cursor() as cursor:
        cursor.execute(SESSION_SETTINGS)
    connection.commit()
    return connection


def run(command: list[str], env: dict[str, str]) -> None:
    # The PG* variables carry the connection (and the password) instead of the command line.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run(command, env={**clean, **env}, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DrillError(
            f"{Path(command[0]).name} failed (status {result.returncode}):\n{result.stderr.strip()}"
        )


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise DrillError(f"{name} is not on PATH (Debian: apt-get install postgresql-client)")
    return path


# --- What is compared ------------------------------------------------------------------------


@dataclass
class Snapshot:
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (rows, checksum)
    sequences: dict[str, object] = field(default_factory=dict)
    schema: dict[str, set] = field(default_factory=dict)  # kind → names
    ledger: dict[tuple[int, int], object] | None = None  # (station_id, year) → sum


def snapshot(connection) -> Snapshot:
    """Everything the comparison looks at, read in one repeatable-read transaction."""
    shot = Snapshot()
    connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname""")
        for (table,) in cursor.fetchall():
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM {} t"
                ).format(sql.Identifier("public", table))
            )
            shot.tables[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        shot.sequences = dict(cursor.fetchall())
        queries = {
            "triggers": """SELECT c.relname || '.' || t.tgname FROM pg_trigger t
                           JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'public' AND NOT t.tgisinternal""",
            "constraints": """SELECT c.conrelid::regclass::text || '.' || c.conname FROM pg_constraint c
                              JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'""",
            "indexes": "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
            "functions": """SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                            WHERE n.nspname = 'public'""",
        }
        for kind, query in queries.items():
            cursor.execute(query)
            shot.schema[kind] = {name for (name,) in cursor.fetchall()}
        if LEDGER in shot.tables:
            cursor.execute(f"SELECT station_id, year, sum(amount) FROM {LEDGER} GROUP BY 1, 2")  # noqa: S608
            shot.ledger = {(station, year): total for station, year, total in cursor.fetchall()}
    connection.rollback()
    connection.set_session(isolation_level="DEFAULT", readonly="DEFAULT")
    return shot


def differences(source: Snapshot, copy: Snapshot) -> list[str]:
    """Each difference between the source and the copy, in words; empty when they agree."""
    found = []
    for table in sorted(source.tables.keys() | copy.tables.keys()):
        if table not in copy.tables:
            found.append(f"table {table}: missing from the copy")
        elif table not in source.tables:
            found.append(f"table {table}: only in the copy")
        elif source.tables[table] != copy.tables[table]:
            (rows, _checksum), (copy_rows, _copy_checksum) = source.tables[table], copy.tables[table]
            found.append(
                f"table {table}: {rows} rows in the source, {copy_rows} in the copy"
                if rows != copy_rows
                else f"table {table}: {rows} rows in both, but their content differs"
            )
    for name in sorted(source.sequences.keys() | copy.sequences.keys()):
        if source.sequences.get(name, "missing") != copy.sequences.get(name, "missing"):
            found.append(
                f"sequence {name}: at {source.sequences.get(name, 'missing')} in the source, "
                f"{copy.sequences.get(name, 'missing')} in the copy"
            )
    for kind in sorted(source.schema):
        for name in sorted(source.schema[kind] - copy.schema.get(kind, set())):
            found.append(f"{kind}: {name} missing from the copy")
        for name in sorted(copy.schema.get(kind, set()) - source.schema[kind]):
            found.append(f"{kind}: {name} only in the copy")
    if source.ledger != copy.ledger:
        for key in sorted((source.ledger or {}).keys() | (copy.ledger or {}).keys()):
            theirs, ours = (source.ledger or {}).get(key), (copy.ledger or {}).get(key)
            if theirs != ours:
                found.append(
                    f"ledger team {key[0]} year {key[1]}: {theirs} in the source, {ours} in the copy"
                )
    return found


def ledger_refuses_update(connection) -> bool | None:
    """Does the database refuse to change a ledger entry? None when there is no entry to try."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT to_regclass('public.{LEDGER}') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute(f"SELECT min(id) FROM {LEDGER}")  # noqa: S608
            first = cursor.fetchone()[0]
            if first is None:
                return None
            try:
                cursor.execute(f"UPDATE {LEDGER} SET amount = amount WHERE id = %s", [first])  # noqa: S608
            except psycopg2.Error as error:
                return error.pgcode == errorcodes.RESTRICT_VIOLATION
            return False
    finally:
        connection.rollback()  # whatever happened, change nothing


def compare(source_env: dict[str, str], copy_env: dict[str, str]) -> tuple[list[str], list[str]]:
    """Compare two databases: (report lines, differences)."""
    source_connection, copy_connection = connect(source_env), connect(copy_env)
    try:
        source, copy = snapshot(source_connection), snapshot(copy_connection)
        found = differences(source, copy)
        refused = ledger_refuses_update(copy_connection)
    finally:
        source_connection.close()
        copy_connection.close()
    rows = sum(count for count, _checksum in source.tables.values())
    lines = [
        f"tables: {len(source.tables)} in public, {rows:,} rows; compared by row count and content checksum",
        f"sequences: {len(source.sequences)}; "
        + ", ".join(f"{k} {len(v)}" for k, v in sorted(source.schema.items())),
    ]
    if source.ledger is not None:
        total = sum(source.ledger.values(), 0)
        lines.append(f"ledger: {len(source.ledger)} (team, year) sums, total {total:,}")
    if refused is None:
        lines.append("ledger append-only: no entry to try an UPDATE on")
    elif refused:
        lines.append("ledger append-only: the copy refuses an UPDATE of an entry")
    else:
        found.append("ledger append-only: the copy accepted an UPDATE of a ledger entry (triggers missing)")
    return lines, found


# --- The drill ----------------------------------------------------------------------------------


def recreate(admin_env: dict[str, str], source_name: str, copy_name: str) -> None:
    """Drop `copy_name` if a previous drill left it, and create it empty like the source."""
    connection = connect(admin_env)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                "WHERE datname = %s",
                [source_name],
            )
            row = cursor.fetchone()
            if row is None:
                raise DrillError(f"database {source_name} does not exist")
            encoding, collate, ctype = row
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy_name))
            )
            # template0: nothing but what the dump brings; the source's encoding and locale.
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING %s LC_COLLATE %s LC_CTYPE %s").format(
                    sql.Identifier(copy_name)
                ),
                [encoding, collate, ctype],
            )
    except psycopg2.errors.InsufficientPrivilege as error:
        raise DrillError(
            f"cannot create database {copy_name}: {error}".strip()
            + " (the user needs CREATEDB, or run the drill with a superuser URL)"
        ) from error
    finally:
        connection.close()


def drop(admin_env: dict[str, str], name: str) -> None:
    connection = connect(admin_env)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


def drill(
    source_url: str, copy_name: str | None, *, keep: bool, compare_only: bool, maintenance_db: str
) -> int:
    source_env = libpq_env(source_url)
    source_name = source_env["PGDATABASE"]
    copy_name = copy_name or f"{source_name}_restore"
    if copy_name == source_name:
        raise DrillError("the copy must be another database than the source")
    copy_env = {**source_env, "PGDATABASE": copy_name}
    admin_env = {**source_env, "PGDATABASE": maintenance_db}
    print(f"Restore drill: {source_name} → {copy_name}")

    if not compare_only:
        pg_dump, pg_restore = tool("pg_dump"), tool("pg_restore")
        version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
        version = version.stdout.strip()
        print(f"  {version} ({pg_dump}); restore with {pg_restore}")
        with tempfile.TemporaryDirectory(prefix="outpost-drill-") as directory:
            dump = Path(directory) / f"{source_name}.dump"
            started = time.monotonic()
            run([pg_dump, "--format=custom", f"--file={dump}"], source_env)
            print(f"  dump: {dump.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s")
            recreate(admin_env, source_name, copy_name)
            try:
                started = time.monotonic()
                run(
                    [
                        pg_restore,
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        f"--dbname={copy_name}",
                        str(dump),
                    ],
                    copy_env,
                )
                print(f"  restore: {time.monotonic() - started:.1f} s into a fresh database")
                lines, found = compare(source_env, copy_env)
            finally:
                if not keep:
                    drop(admin_env, copy_name)
    else:
        lines, found = compare(source_env, copy_env)

    for line in lines:
        print(f"  {line}")
    if keep or compare_only:
        print(f"  the copy {copy_name} is kept")
    if found:
        print(f"FAILED: {len(found)} difference(s) between {source_name} and its restored copy:")
        for difference in found:
            print(f"  - {difference}")
        return 1
    print("OK: the restored copy holds the same data as the source")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--source-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="the database to back up and restore (default: DATABASE_URL)",
    )
    parser.add_argument("--copy-name", help="the database to restore into (default: <source>_restore)")
    parser.add_argument("--keep", action="store_true", help="keep the copy after the drill")
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="no dump or restore: compare the source with the existing --copy-name",
    )
    parser.add_argument(
        "--maintenance-db",
        default="postgres",
        help="database to connect to while creating and dropping the copy (default: postgres)",
    )
    args = parser.parse_args(argv)
    if not args.source_url:
        parser.error("no source: set DATABASE_URL or give --source-url")
    if args.compare_only and not args.copy_name:
        parser.error("--compare-only needs --copy-name")
    try:
        return drill(
            args.source_url,
            args.copy_name,
            keep=args.keep,
            compare_only=args.compare_only,
            maintenance_db=args.maintenance_db,
        )
    except (DrillError, NotPostgres, psycopg2.Error) as error:
        print(f"restore drill could not run: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
