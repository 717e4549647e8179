"""gunicorn settings for Outpost: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Read by gunicorn, not by Django. Every value can be overridden on the command line; the ones
that differ between servers come from the environment (the systemd unit's EnvironmentFile):

    GUNICORN_BIND                 address(es) to listen on, comma-separated (127.0.0.1:8000)
    GUNICORN_WORKERS              worker processes (2 × CPU cores + 1)
    GUNICORN_FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-Proto gunicorn believes (loopback only)

See docs/deploy.md.
"""

import os


def _cpu_count() -> int:
    # The CPUs this process may run on (a container or `taskset` may allow fewer than the machine has).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Loopback by default: only nginx on the same machine reaches the app. An app server behind a
# balancer on another machine binds its private address (never a public one: Django believes the
# proxy's X-Forwarded-Proto, so whoever reaches gunicorn directly could claim HTTPS).
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]

# Synchronous workers: the app is ordinary request/response Django with blocking database calls.
# 2 × cores + 1 keeps the CPUs busy while some workers wait on PostgreSQL. Each worker holds its
# own database connection (CONN_MAX_AGE), so workers × app servers must stay below PostgreSQL's
# max_connections (100 by default).
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * _cpu_count() + 1))
worker_class = "sync"

# A worker silent for this long is killed and replaced. Excel exports of a thousand teams and the
# yearly evaluations take several seconds; 120 s leaves room on a busy server without letting a
# stuck request hold a worker for ever. nginx's proxy_read_timeout is set a little above this.
timeout = 120
# On restart or reload, workers finish the request in hand for up to this long before they are
# killed: as long as a request may run. systemd's TimeoutStopSec is set above it.
graceful_timeout = 120

# Recycle each worker after about a thousand requests: building large workbooks (openpyxl) leaves
# the heap fragmented and a worker's memory only grows. The jitter spreads the restarts so that
# the workers never all restart at once.
max_requests = 1000
max_requests_jitter = 100

# Not preloaded: each worker imports the app itself, so `systemctl reload outpost` (HUP) starts
# workers on the new code while the old ones finish their requests.
preload_app = False

# Logs to stdout/stderr, where systemd's journal keeps them (journalctl -u outpost). The access
# line adds the client address nginx forwarded and the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# gunicorn believes X-Forwarded-Proto (for wsgi.url_scheme) only from these addresses. Django
# decides for itself (BEHIND_TLS_PROXY, PROXY_COUNT in .env.example); this keeps gunicorn from
# trusting anything further than the proxy on the same machine unless told.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The worker heartbeat is a file touched every second; on a disk-backed /tmp under heavy I/O that
# can block long enough for the master to kill healthy workers. /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # noqa: S108 - a heartbeat, no data

# No control socket (gunicorn ≥ 25 creates one in $HOME for `gunicornc`): systemd starts, reloads
# and stops the server, and the home directory is read-only under the unit's hardening.
control_socket_disable = True

proc_name = "outpost"
