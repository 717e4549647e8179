"""Benchmark the pages users wait on, through gunicorn, and check their queries and plans (issue #7).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/outpost_scale .venv/bin/python bench/run.py

Seed the database first (`manage.py seed_scale --stations 1000`); against the demo data add
`--demo` (the seed_demo logins). PostgreSQL only. The command:

1. vacuums and analyses the database (plans need statistics), runs `collectstatic` with production's static
   storage and starts gunicorn on the loopback (`bench.settings`: production settings with DEBUG
   off, plus the two trivial views of `bench.urls`); it is always stopped at the end;
2. logs each user in over HTTP (login form, session cookie; a download that asks for the
   password again gets it over HTTP too) and checks that every page answers 200;
3. per page: warm-up requests, then `--seconds` of requests from `--concurrency` client
   processes, each a loop of sequential requests on a new connection; p50, p95, requests per
   second and errors (anything but 200): after the first request, the page cache
   (stations.pagecache) serves them. Then `--fresh-seconds` more in which every request follows a
   write to the data version, so that every page is made afresh. Downloads get
   `--download-requests` requests from one client instead;
4. in-process (django.test.Client, not through gunicorn): the queries of one request per page,
   and `EXPLAIN` of every SELECT, looking for sequential scans of large tables and for query
   shapes repeated within one request (a query per row: the count grows with the data);
5. in-process: time and peak memory (tracemalloc) of the year's score workbook for all teams,
   built as the download view builds it;
6. prints the table and writes it as Markdown to `--output`, each row marked against the targets.

Options: --workers 2, --concurrency 2, --seconds 10, --fresh-seconds 5, --warmup 3, --download-requests 5, --port
(a free one), --bureau-user/--leader-user/--assessor-user/--chief-user and --password (the
seed_scale logins), --demo, --pages LABEL[,LABEL] (substrings of labels), --output
bench/results.md, --large-rows 10000, --repeat-limit 5, --baseline FILE (an earlier results file:
a page with more queries than there fails), --no-analyze. Exit status 1 when a page failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

SCALE_USERS = {"bureau": "scale-bureau", "leader": "scale-leader", "assessor": "scale-assessor",
               "chief": "scale-chief"}
SCALE_PASSWORD = "outpost-scale-2026"  # the seed_scale logins: bench data only
DEMO_USERS = {"bureau": "bureau", "leader": "leader", "assessor": "assessor", "chief": "ks-chief"}
DEMO_PASSWORD = "outpost-demo-2026"  # the seed_demo logins: demo data only
MAIN_TABLES = ["stations_station", "stations_person", "leads_lead", "leads_enterprise", "stations_worklog",
               "funding_ledgerentry", "scoring_evaluation"]
HOST = "127.0.0.1"
# Targets (issue #7).
MIN_SHARE_OF_FLOOR = 10  # % of the trivial view's requests per second
MAX_FLOOR_RATIO = 4  # × the logged-in trivial view's p50


class BenchError(Exception):
    """Something that makes the measurement meaningless: stop and say why."""


# --- The server ------------------------------------------------------------------------------

def bench_environment(database_url: str) -> dict:
    """Production settings on plain HTTP on the loopback, for every process of the bench."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST, "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false", "CONN_MAX_AGE": "60", "ENV_FILE": "/dev/null", "DATABASE_URL": database_url,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in its own process group, so that stopping it stops its workers too."""

    def __init__(self, *, port: int, workers: int, log: Path):
        self.port, self.workers, self.log = port, workers, log
        self.process = None

    def start(self):
        command = [str(BASE_DIR / ".venv/bin/gunicorn"), "config.wsgi:application", "--bind", f"{HOST}:{self.port}",
                   "--workers", str(self.workers), "--worker-class", "sync",
                   # A province's score sheet takes longer than gunicorn's default 30 s.
                   "--timeout", "900", "--graceful-timeout", "5", "--log-level", "warning"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=BASE_DIR, stdout=log,  # noqa: S603 - fixed command
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {self.process.returncode}:\n{self.tail()}")
            try:
                if http_get(self.port, "/bench/trivial/", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise BenchError(f"gunicorn did not answer within 60 s:\n{self.tail()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:]) if self.log.exists() else ""


# --- HTTP ------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def http_get(port, path, *, cookie="", timeout=60.0, method="GET", body=None, content_type="") -> Answer:
    """One request on a new connection (gunicorn's sync workers close it after each answer)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Host": f"{HOST}:{port}", "Connection": "close", "Accept": "text/html,*/*"}
        if cookie:
            headers["Cookie"] = cookie
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


@dataclass
class Browser:
    """A logged-in user over HTTP: its cookies, kept from every answer."""

    port: int
    username: str
    password: str
    cookies: dict = field(default_factory=dict)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, path, *, form=None, timeout=60.0) -> Answer:
        body = urlencode(form).encode() if form is not None else None
        answer = http_get(self.port, path, cookie=self.cookie, timeout=timeout, method="POST" if form else "GET",
                          body=body, content_type="application/x-www-form-urlencoded" if form else "")
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer

    def login(self):
        self.request("/accounts/login/")
        answer = self.request("/accounts/login/", form={
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), "username": self.username,
            "password": self.password, "next": "/"})
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"logging in as {self.username!r} failed (HTTP {answer.status}): wrong login or "
                             "password (see --demo, --*-user, --password), or locked out by django-axes")

    def fetch(self, path, *, timeout) -> Answer:
        """GET `path`; when it asks for the password again (REAUTH_WINDOW), confirm it and retry."""
        answer = self.request(path, timeout=timeout)
        location = answer.headers.get("Location", "")
        if answer.status == 302 and urlsplit(location).path == "/accounts/confirm-password/":
            self.request(location)
            confirmed = self.request(location, form={
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), "password": self.password, "next": path})
            if confirmed.status != 302:
                raise BenchError(f"confirming the password of {self.username!r} failed (HTTP {confirmed.status})")
            answer = self.request(path, timeout=timeout)
        return answer


def client_loop(port, path, cookie, seconds, count, timeout, database_url=None):
    """One client process: sequential requests until `seconds` pass (or `count` are made).
    Returns (start, end, latencies in ms, statuses).

    With `database_url`, the data version (stations.dataversion) is moved on before each request,
    untimed, as a write by another user would: every page is then made afresh, not served from the
    page cache."""
    latencies, statuses = [], Counter()
    bumper = None
    if database_url:
        import psycopg2

        bumper = psycopg2.connect(database_url)
        bumper.autocommit = True
    start = time.monotonic()
    deadline = start + seconds
    while (len(latencies) < count) if count else (time.monotonic() < deadline):
        if bumper is not None:
            with bumper.cursor() as cursor:
                cursor.execute("INSERT INTO outpost_data_version (weight) VALUES (1)")
        began = time.perf_counter()
        try:
            status = http_get(port, path, cookie=cookie, timeout=timeout).status
        except OSError:
            status = 0
        latencies.append((time.perf_counter() - began) * 1000)
        statuses[status] += 1
    if bumper is not None:
        bumper.close()
    return start, time.monotonic(), latencies, statuses


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * share // 100) - 1))]


@dataclass
class Row:
    label: str
    key: str  # who asks: a key of bench.pages.USER_KEYS, or "anonymous"
    user: str  # their login
    path: str
    download: bool
    fixed_repeats: int = 0  # a query shape the page runs this many times whatever the data
    p50: float = 0.0
    p95: float = 0.0
    rps: float = 0.0
    requests: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    queries: int | None = None
    kept_queries: int | None = None  # a request served from the page cache
    fresh_p50: float | None = None  # made afresh: the data version moved on before each request
    fresh_rps: float | None = None
    repeats: list = field(default_factory=list)  # [(count, shape)] of shapes at or over the limit
    seq_scans: list = field(default_factory=list)  # [(table, rows, query)]


def time_page(pool, row: Row, browser: Browser | None, arguments) -> None:
    timeout = 900.0 if row.download else 120.0
    if browser is not None:
        answer = browser.fetch(row.path, timeout=timeout)  # also renews a password confirmation
    else:
        answer = http_get(arguments.port, row.path, timeout=timeout)
    if answer.status != 200:
        raise BenchError(f"{row.label} ({row.path}) answered HTTP {answer.status} "
                         f"{answer.headers.get('Location', '')} instead of 200")
    cookie = browser.cookie if browser else ""
    warmup = min(arguments.warmup, 1) if row.download else arguments.warmup
    for _ in range(warmup):
        http_get(arguments.port, row.path, cookie=cookie, timeout=timeout)
    if row.download:
        results = [pool.apply(client_loop, (arguments.port, row.path, cookie, 0, arguments.download_requests,
                                            timeout))]
    else:
        results = pool.starmap(client_loop, [(arguments.port, row.path, cookie, arguments.seconds, 0, timeout)]
                               * arguments.concurrency)
    latencies = [latency for result in results for latency in result[2]]
    if not latencies:
        raise BenchError(f"{row.label}: no request was made (--seconds too small?)")
    for result in results:
        row.statuses.update(result[3])
    row.requests = len(latencies)
    row.errors = row.requests - row.statuses[200]
    row.p50, row.p95 = percentile(latencies, 50), percentile(latencies, 95)
    row.rps = row.requests / (max(result[1] for result in results) - min(result[0] for result in results))
    if arguments.fresh_seconds and not row.download and row.key != "anonymous":
        results = pool.starmap(client_loop, [(arguments.port, row.path, cookie, arguments.fresh_seconds, 0, timeout,
                                              os.environ["DATABASE_URL"])] * arguments.concurrency)
        fresh = [latency for result in results for latency in result[2]]
        row.fresh_p50 = percentile(fresh, 50)
        # Requests over the pass's time, which includes the clients' untimed version updates.
        row.fresh_rps = len(fresh) / (max(result[1] for result in results) - min(result[0] for result in results))


# --- In-process: queries and plans -----------------------------------------------------------

LITERAL = re.compile(r"'(?:''|[^'])*'|\b\d+(?:\.\d+)?\b")
LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)*\s*\)")
SELECT_LIST = re.compile(r"^SELECT\s.*?\sFROM\s", re.S)


def shape(sql: str) -> str:
    """The query without its values: two queries of one shape differ only in parameters."""
    return LIST.sub("(…)", LITERAL.sub("?", sql))


def short(sql: str, width=220) -> str:
    text = SELECT_LIST.sub("SELECT … FROM ", " ".join(sql.split()), count=1)
    return text if len(text) <= width else text[: width - 1] + "…"


def seq_scan_relations(plan: dict):
    stack = [plan]
    while stack:
        node = stack.pop()
        if node.get("Node Type") == "Seq Scan":
            yield node["Relation Name"]
        stack.extend(node.get("Plans", []))


def measure_queries(rows: list[Row], users: dict, arguments) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    # force_login records a security event and logs it: not worth a line per user here.
    logging.getLogger("outpost.security").setLevel(logging.WARNING)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind IN ('r', 'p') "
                       "AND relnamespace = 'public'::regnamespace")
        sizes = dict(cursor.fetchall())
    clients = {}
    for row in rows:
        if row.key not in clients:
            clients[row.key] = Client(HTTP_HOST=HOST)
            if row.key in users:
                clients[row.key].force_login(users[row.key])
        client = clients[row.key]
        # Warm: caches filled once per process do not count; the first answer sets the CSRF cookie,
        # without which no page is kept, the second is kept.
        client.get(row.path)
        client.get(row.path)
        with CaptureQueriesContext(connection) as kept:
            client.get(row.path)
        row.kept_queries = len(kept)
        # The page made afresh (the page cache off): its queries and their plans are what is judged.
        with override_settings(PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as captured:
            response = client.get(row.path)
        if response.status_code != 200:
            raise BenchError(f"{row.label} ({row.path}) answered {response.status_code} in-process")
        row.queries = len(captured)
        shapes = Counter(shape(query["sql"]) for query in captured)
        row.repeats = sorted(((count, text) for text, count in shapes.items()
                              if count >= arguments.repeat_limit and count != row.fixed_repeats), reverse=True)
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for table in seq_scan_relations(plan[0]["Plan"]):
                if sizes.get(table, 0) > arguments.large_rows:
                    row.seq_scans.append((table, int(sizes[table]), short(sql)))


def measure_workbook(user) -> dict:
    """The year's score sheets for every team, as `scoring.views.evaluation_export` builds them:
    timed once plainly, then once under tracemalloc for the peak memory."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from scoring import access
    from scoring.boards import PERIOD_LABELS, period_dates, ranking, schemes_of_year
    from scoring.exports import score_workbook

    year = timezone.localdate().year
    first, last = period_dates(year, "year")

    def build():
        visible = access.evaluations_for(user)
        boards = [ranking(visible=visible, scheme=scheme, period="year", first=first, last=last)
                  for scheme in schemes_of_year(year)]
        title = f"{year} {dict(PERIOD_LABELS)['year']}"
        return boards, score_workbook(boards=boards, title=title, user=user, now=timezone.localtime())

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        boards, content = build()
        elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        build()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"subjects": sum(len(board["rows"]) for board in boards), "schemes": len(boards), "seconds": elapsed,
            "peak_mb": peak / 2**20, "size_mb": len(content) / 2**20, "queries": len(captured)}


# --- The report ------------------------------------------------------------------------------

def machine() -> str:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    found = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    ram = f"{int(found.group(1)) / 2**20:.1f} GB RAM" if found else "RAM unknown"
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores{f' ({model.group(1).strip()})' if model else ''}, {ram}, load average {load}"


def code_version() -> str:
    """The commit measured, and whether the working tree differs from it."""
    git = shutil.which("git")

    def output(*arguments):
        return subprocess.run([git, *arguments], cwd=BASE_DIR, capture_output=True,  # noqa: S603 - fixed
                              text=True, check=True).stdout.strip()

    try:
        revision, dirty = output("rev-parse", "--short", "HEAD"), output("status", "--porcelain")
    except (TypeError, OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"git {revision}{' with uncommitted changes' if dirty else ''}"


def database_facts() -> tuple[str, str, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        counts = {}
        for table in MAIN_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - fixed table names
            counts[table] = cursor.fetchone()[0]
    return version, connection.settings_dict["NAME"], counts


def read_baseline(path: Path) -> dict:
    """label → queries, from the results table of an earlier run."""
    counts = {}
    for line in path.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 9 and re.match(r"^\d+", cells[7]):
            counts[cells[0]] = int(re.match(r"^\d+", cells[7]).group())
    return counts


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def verdicts(row: Row, floor: Row, floor_user: Row, baseline: dict) -> dict:
    """The row's cells that are judged, each with its mark (none for the trivial views; no speed
    target for the downloads, which are measured apart)."""
    share, ratio = 100 * row.rps / floor.rps, row.p50 / floor_user.p50
    judged = row.label not in (floor.label, floor_user.label)
    speed = judged and not row.download
    grew = row.label in baseline and row.queries is not None and row.queries > baseline[row.label]
    queries_ok = not row.repeats and not grew
    return {
        "share": f"{share:.0f} %" + (f" {mark(share >= MIN_SHARE_OF_FLOOR)}" if speed else ""),
        "ratio": f"{ratio:.1f}×" + (f" {mark(ratio < MAX_FLOOR_RATIO)}" if speed else ""),
        "queries": ("–" if row.queries is None else str(row.queries)
                    + (f" (was {baseline[row.label]})" if grew else "") + (f" {mark(queries_ok)}" if judged else "")),
        "seq": f"{len(row.seq_scans)}" + (f" {mark(not row.seq_scans)}" if judged else ""),
        "errors": f"{row.errors}" + (f" {mark(False)}" if row.errors else ""),
        "failed": judged and (row.errors or not queries_ok or bool(row.seq_scans) or (speed and (
            share < MIN_SHARE_OF_FLOOR or ratio >= MAX_FLOOR_RATIO))),
    }


def report(rows: list[Row], workbook: dict | None, facts: dict, arguments, baseline: dict) -> str:
    floor, floor_user = rows[0], rows[1]
    lines = [
        "# Outpost page benchmark", "",
        f"- Date: {facts['date']}",
        f"- Machine: {facts['machine']}",
        f"- PostgreSQL {facts['postgres']}, database `{facts['database']}`; code: {facts['code']}",
        f"- Server: gunicorn, {arguments.workers} sync workers, `bench.settings` (DEBUG off, CONN_MAX_AGE=60); "
        f"clients: {arguments.concurrency} processes, a new connection per request, {arguments.seconds:g} s per "
        f"page after {arguments.warmup} warm-up requests; downloads: {arguments.download_requests} requests "
        "from one client",
        "- Rows: " + ", ".join(f"{table} {count:,}" for table, count in facts["counts"].items()),
        "", "Targets (✓/✗ in the cells):", "",
        f"- req/s at least {MIN_SHARE_OF_FLOOR} % of the trivial view's (no session, no database);",
        f"- p50 under {MAX_FLOOR_RATIO}× the p50 of the logged-in trivial view (session and user only);",
        f"- queries not growing with the data: no query shape run {arguments.repeat_limit} times or more in one "
        "request (a query per row)" + (f", and no more queries than in `{arguments.baseline}`" if baseline else "")
        + ";",
        f"- no sequential scan of a large table (more than {arguments.large_rows:,} rows in pg_class.reltuples).",
        "", "Downloads have no speed target (they are measured apart, below); the trivial views are the yardstick.",
        "",
        "The timed columns are the pages as users get them again while nothing changed: from the page "
        "cache (stations.pagecache; \"queries kept\" is what such a request costs). \"Made afresh\" is "
        f"a second pass of {arguments.fresh_seconds:g} s per page in which the data version is moved on "
        "before every request, as another user's write would, so that every page is made anew; its req/s "
        "includes the clients' untimed version updates. The queries, repeats and plans judged are those of "
        "the page made afresh.",
        "",
        "| page | user | p50 ms | p95 ms | req/s | % of trivial req/s | p50 / logged-in trivial p50 | queries "
        "| seq scans on large tables | errors | made afresh: p50 ms | req/s | queries kept |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    failed = []
    for row in rows:
        cells = verdicts(row, floor, floor_user, baseline)
        if cells["failed"]:
            failed.append(row.label)
        lines.append(f"| {row.label} | {row.user} | {ms(row.p50)} | {ms(row.p95)} | {row.rps:.1f} | {cells['share']} "
                     f"| {cells['ratio']} | {cells['queries']} | {cells['seq']} | {cells['errors']} "
                     f"| {ms(row.fresh_p50) if row.fresh_p50 else '–'} "
                     f"| {f'{row.fresh_rps:.1f}' if row.fresh_rps else '–'} "
                     f"| {'–' if row.kept_queries is None else row.kept_queries} |")
    lines += ["", f"Missing a target: {', '.join(failed) if failed else 'none'}."]
    if workbook:
        lines += [
            "", "## The year's score workbook, all teams (in-process)", "",
            "| schemes | subjects | time s | peak memory MB (tracemalloc) | size MB | queries |",
            "|--:|--:|--:|--:|--:|--:|",
            f"| {workbook['schemes']} | {workbook['subjects']:,} | {workbook['seconds']:.2f} | {workbook['peak_mb']:.1f} "
            f"| {workbook['size_mb']:.2f} | {workbook['queries']} |",
        ]
    scans = [row for row in rows if row.seq_scans]
    lines += ["", "## Sequential scans of large tables", ""]
    lines += [f"- **{row.label}**: `{table}` ({size:,} rows): `{query}`"
              for row in scans for table, size, query in row.seq_scans] or ["None."]
    repeated = [row for row in rows if row.repeats]
    lines += ["", f"## Query shapes run {arguments.repeat_limit} times or more in one request", ""]
    lines += [f"- **{row.label}**: {count}× `{short(text)}`" for row in repeated for count, text in row.repeats] \
        or ["None."]
    lines += ["", "## URLs", ""] + [f"- {row.label} ({row.user}): `{row.path}`" for row in rows]
    errors = [row for row in rows if row.errors]
    if errors:
        lines += ["", "## Errors", ""] + [f"- {row.label}: {dict(row.statuses)}" for row in errors]
    return "\n".join(lines) + "\n"


# --- The command -----------------------------------------------------------------------------

def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--concurrency", type=int, default=2, help="client processes (2)")
    parser.add_argument("--seconds", type=float, default=10, help="timed seconds per page (10)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (3)")
    parser.add_argument("--fresh-seconds", type=float, default=5,
                        help="timed seconds per page made afresh, every request after a write (5; 0: none)")
    parser.add_argument("--download-requests", type=int, default=5, help="requests per download, one client (5)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (a free one)")
    for key, username in SCALE_USERS.items():
        parser.add_argument(f"--{key}-user", dest=key, help=f"{key} login ({username})")
    parser.add_argument("--password", help=f"password of these logins ({SCALE_PASSWORD})")
    parser.add_argument("--demo", action="store_true",
                        help="use the seed_demo logins (bureau, leader, assessor, ks-chief; outpost-demo-2026)")
    parser.add_argument("--pages", default="", help="only the pages whose label contains one of these "
                                                    "comma-separated words (the trivial views always run)")
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench/results.md", help="Markdown results")
    parser.add_argument("--large-rows", type=int, default=10_000, help="tables with more rows are large (10000)")
    parser.add_argument("--repeat-limit", type=int, default=5, help="a query shape run this often fails (5)")
    parser.add_argument("--baseline", type=Path, help="an earlier results file: more queries than there fails")
    parser.add_argument("--no-analyze", action="store_true", help="do not VACUUM ANALYZE the database first")
    arguments = parser.parse_args(argv)
    defaults = DEMO_USERS if arguments.demo else SCALE_USERS
    for key, username in defaults.items():
        setattr(arguments, key, getattr(arguments, key) or username)
    arguments.password = arguments.password or (DEMO_PASSWORD if arguments.demo else SCALE_PASSWORD)
    return arguments


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise BenchError("set DATABASE_URL to a PostgreSQL database (the plans and row counts need PostgreSQL)")
    os.environ.update(bench_environment(database_url))
    arguments.port = arguments.port or free_port()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.utils import timezone

    from bench import pages as catalogue

    chosen = catalogue.select([word.strip() for word in arguments.pages.split(",") if word.strip()])
    # The chief's team is where the lead and the ledger come from; leadership builds the workbook.
    needed = {page.user for page in chosen} - {catalogue.ANONYMOUS} | {catalogue.CHIEF, catalogue.LEADER}
    logins = {key: getattr(arguments, key) for key in needed}
    users = {user.get_username(): user for user in get_user_model().objects.filter(username__in=logins.values())}
    missing = sorted(set(logins.values()) - set(users))
    if missing:
        raise BenchError(f"no such login(s): {', '.join(missing)} — seed first (manage.py seed_scale) "
                         "or pass --demo / --*-user")
    by_key = {key: users[username] for key, username in logins.items()}
    resolved = catalogue.resolve(chosen, by_key)
    baseline = read_baseline(arguments.baseline) if arguments.baseline else {}

    if not arguments.no_analyze:
        # Statistics for the planner, and the visibility map that lets counts read an index only:
        # autovacuum keeps both on a live server; a database just seeded has neither yet.
        print("VACUUM ANALYZE …", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    version, database, counts = database_facts()
    facts = {"date": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(), "postgres": version,
             "database": database, "code": code_version(), "counts": counts}
    print("collectstatic …", flush=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, check=True)
    connections.close_all()  # the client processes are forked: they must not share a connection

    rows = [Row(page.label, page.user, logins.get(page.user, page.user), path, page.download, page.fixed_repeats)
            for page, path in resolved]
    with tempfile.TemporaryDirectory() as scratch:
        server = Server(port=arguments.port, workers=arguments.workers, log=Path(scratch) / "gunicorn.log")
        pool = None
        try:
            print(f"gunicorn on {HOST}:{arguments.port} …", flush=True)
            server.start()
            browsers = {}
            for key in sorted({page.user for page in chosen} - {catalogue.ANONYMOUS}):
                browsers[key] = Browser(arguments.port, logins[key], arguments.password)
                browsers[key].login()
            pool = multiprocessing.get_context("fork").Pool(max(arguments.concurrency, 1))
            for row in rows:
                print(f"  {row.label:<28} {row.path}", flush=True)
                time_page(pool, row, browsers.get(row.key), arguments)
                print(f"  {'':<28} p50 {row.p50:.0f} ms, p95 {row.p95:.0f} ms, {row.rps:.1f} req/s, "
                      f"{row.errors} errors", flush=True)
        except BenchError:
            print(server.tail(), file=sys.stderr)
            raise
        finally:
            if pool is not None:
                pool.terminate()
            server.stop()

    print("queries and plans (in-process) …", flush=True)
    measure_queries(rows, by_key, arguments)
    print("score workbook (in-process) …", flush=True)
    workbook = measure_workbook(by_key[catalogue.LEADER])

    text = report(rows, workbook, facts, arguments, baseline)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text)
    print()
    print(text)
    print(f"written to {arguments.output}")
    return 1 if any(row.errors for row in rows) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(1)
