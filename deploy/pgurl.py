"""DATABASE_URL → libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, …).

The URL is read by django-environ, exactly as config/settings.py reads it (postgres://,
postgresql://, pgsql://, URL-encoded passwords, ?sslmode=…; `postgres:///outpost` for the local
socket). The password goes to pg_dump and pg_restore through the environment, never on a command
line where `ps` would show it.

    python deploy/pgurl.py            prints `export PG…=…` lines for DATABASE_URL (for eval in sh)
    python deploy/pgurl.py URL        the same for URL
"""

import os
import shlex
import sys

import environ

# URL query options that libpq also takes from the environment.
OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class NotPostgres(ValueError):
    pass


def libpq_env(url: str, *, database: str | None = None) -> dict[str, str]:
    """The PG* variables that make libpq tools connect where `url` points (to `database` instead
    of the URL's own database when given). Raises NotPostgres for any other kind of database."""
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config.get("ENGINE", ""):
        raise NotPostgres(f"not a PostgreSQL URL (engine {config.get('ENGINE')!r})")
    values = {
        "PGHOST": config.get("HOST") or "",
        "PGPORT": str(config.get("PORT") or ""),
        "PGUSER": config.get("USER") or "",
        "PGPASSWORD": config.get("PASSWORD") or "",
        "PGDATABASE": database or config.get("NAME") or "",
    }
    for option, value in (config.get("OPTIONS") or {}).items():
        if option in OPTION_VARIABLES:
            values[OPTION_VARIABLES[option]] = str(value)
    return {name: value for name, value in values.items() if value}


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else os.environ.get("DATABASE_URL", "")
    if not url:
        print("pgurl: DATABASE_URL is not set", file=sys.stderr)
        return 2
    try:
        values = libpq_env(url)
    except NotPostgres as error:
        print(f"pgurl: {error}", file=sys.stderr)
        return 2
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
