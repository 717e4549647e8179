"""Security helpers: recording security events and asking for the password again.

`record()` writes a `SecurityEvent` row and a line on the `outpost.security` logger. Views that
approve money or export personal data are wrapped in `password_confirmed_required`, which sends
the user to confirm their password unless they entered it within `settings.REAUTH_WINDOW`.
"""

import functools
import ipaddress
import logging
import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import SecurityEvent

logger = logging.getLogger("outpost.security")

PASSWORD_CONFIRMED_AT = "outpost_password_confirmed_at"
LOGIN_AT = "outpost_login_at"
LAST_SEEN = "outpost_last_seen"


def client_ip(request):
    """The client's address, for the login throttle (`AXES_CLIENT_IP_CALLABLE`) and the security log.

    Without proxies (`PROXY_COUNT=0`) it is `REMOTE_ADDR`. Behind N trusted proxies it is the N-th
    entry of `X-Forwarded-For` counted from the right: each proxy appends the address it was
    connected from, so the entries a client writes itself stay on the left, where nothing reads
    them. A header with fewer entries than proxies, or an entry that is not an address, falls back
    to `REMOTE_ADDR` rather than to anything the client chose.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PROXY_COUNT
    if not proxies:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote


def record(kind, *, request=None, user=None, username="", detail=""):
    """Record a security event; never raises into the request that triggered it."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    username = username or (user.get_username() if user is not None else "")
    path = request.path[:300] if request is not None else ""
    ip = client_ip(request)
    logger.info("%s user=%s ip=%s path=%s %s", kind, username, ip, path, detail)
    try:
        SecurityEvent.objects.create(
            kind=kind, user=user, username=username[:150], ip_address=ip, path=path, detail=detail[:300]
        )
    except Exception:  # pragma: no cover - logging must not break the response
        logger.exception("could not store security event %s", kind)


def mark_password_confirmed(request):
    request.session[PASSWORD_CONFIRMED_AT] = int(time.time())


def password_recently_confirmed(request):
    confirmed_at = request.session.get(PASSWORD_CONFIRMED_AT)
    return confirmed_at is not None and time.time() - confirmed_at <= settings.REAUTH_WINDOW


def password_confirmed_required(view):
    """Ask for the password again unless it was entered within `REAUTH_WINDOW` seconds."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not password_recently_confirmed(request):
            return redirect(f"{reverse('password_confirm')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
