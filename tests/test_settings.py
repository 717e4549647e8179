"""Settings come from the environment: SQLite by default, PostgreSQL from DATABASE_URL, and no
start without a secret key in production. Each case imports the settings in a fresh process."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import json, config.settings as s;"
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    " 'debug': s.DEBUG, 'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
    " 'cookie_secure': s.SESSION_COOKIE_SECURE, 'language': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE}))"
)


def load(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "PROXY_COUNT"}
             and not k.startswith(("SECURE_", "SESSION_", "CSRF_", "ALLOWED_", "STATICFILES_"))}
    clean.update(ENV_FILE=os.devnull, **env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_without_database_url_the_app_uses_a_sqlite_file():
    result = load(DEBUG="true")
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")


def test_database_url_selects_postgresql():
    result = load(DEBUG="true", DATABASE_URL="postgres://outpost:pw@db.example:5432/outpost")
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "outpost"


def test_production_refuses_to_start_without_a_secret_key():
    result = load()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_hardened():
    values = json.loads(load(SECRET_KEY="x" * 60).stdout)
    assert values["debug"] is False
    assert values["ssl"] is True
    assert values["cookie_secure"] is True
    assert values["hsts"] >= 31_536_000
    assert (values["language"], values["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_a_negative_proxy_count_is_refused():
    # Counted from the right of X-Forwarded-For, -1 would read an entry the client wrote.
    result = load(DEBUG="true", PROXY_COUNT="-1")
    assert result.returncode != 0
    assert "PROXY_COUNT" in result.stderr
