"""Keeping the pages users wait on, per user, until the data under them changes.

`cached_page(view)` serves a kept copy of a page when the same user asks for the same URL again,
in the same language, on the same day, from the same browser, and nothing in the database has
changed since (`stations.dataversion`, which counts every committed write). A kept copy costs
the session, the user and one query for the version; the page it stands for, 10–30 queries and
the templates.

Why it cannot show what a fresh page would not:
- the data version is read before the page is made; a copy is kept under the version read
  *before* making it, so a commit in between at worst keeps a newer page under an older number,
  which only requests that began before that commit can be served;
- the one row read before the version, the user (by the authentication middleware), is in the
  key as it was read: a page made with a user's rights of a moment ago is kept under those rights,
  never served to the user as they are now;
- the number and the data become visible together at commit, so a request that reads the new
  number makes a new page;
- nothing is kept or served inside a transaction (whose own writes are not yet counted) or on a
  database without a version (SQLite);
- the key holds everything else a page depends on: the user (their rights are data), the host,
  the full path with its query, the language, today's date (warnings, deadlines and "overdue"
  are by day) and the browser's CSRF secret (forms on the page carry a token made from it).

What is never kept: anything but a 200 HTML response to GET; htmx partial requests; a page
rendered with messages (they show once) or with messages waiting (they would be shown late); a
response that sets a cookie; a page that used a CSP nonce; a page holding a form with a one-time
token (`ONE_TIME_TOKEN`: funding's forms tell a double submit from a second entry by it, so each
page must carry a new one). A view wrapped in `cached_page` must
not depend on the session (beyond the user) or on the time of day: the pages wrapped are listed
in the URL confs, and README "Page cache" says how to choose them.

The copies live in the `pages` cache (`settings.CACHES`), per process by default: the version in
the key makes a per-process cache correct with any number of app servers. `PAGE_CACHE_SECONDS`
bounds how long a copy is kept (0 turns the cache off).
"""

import hashlib
import re
import zlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation

from . import dataversion

CACHE_ALIAS = "pages"
# The hidden field of a form that may be submitted once (funding.forms: `token`, maybe prefixed).
ONE_TIME_TOKEN = re.compile(rb'name="(?:[\w-]+-)?token"')


def cached_page(view):
    """Wrap `view` (a function, or `SomeView.as_view()`) so that its pages are kept; see above."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        cache = caches[CACHE_ALIAS]
        kept = cache.get(key)
        if kept is not None:
            status, headers, compressed = kept
            return HttpResponse(zlib.decompress(compressed), status=status, headers=headers)

        response = view(request, *args, **kwargs)

        def keep(response):
            if _keepable(request, response):
                headers = dict(response.items())
                # Compressed: pages of rows compress 6–13 times (the circular's 440 kB to 34 kB) for
                # about a millisecond, and a worker keeps up to PAGE_CACHE_ENTRIES of them.
                compressed = zlib.compress(response.content, 1)
                cache.set(key, (response.status_code, headers, compressed), settings.PAGE_CACHE_SECONDS)
            return response

        if getattr(response, "is_rendered", True):
            keep(response)
        else:
            response.add_post_render_callback(keep)
        return response

    return wrapper


def page_key(request) -> str | None:
    """The key of `request`'s page, or None when it must be made afresh (see the module)."""
    if (
        settings.PAGE_CACHE_SECONDS <= 0
        or request.method != "GET"
        or not request.user.is_authenticated
        or request.headers.get("HX-Request")
        or connection.in_atomic_block
        or not request.META.get("CSRF_COOKIE")
        or len(messages.get_messages(request))
    ):
        return None
    version = dataversion.current()
    if version is None:
        return None
    user = request.user
    parts = [
        version,
        # The whole user row as the middleware read it, before the version (see the module).
        repr([getattr(user, field.attname) for field in user._meta.concrete_fields]),
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        request.META["CSRF_COOKIE"],
    ]
    # Hashed: the key must not hold the CSRF secret in the clear (a shared cache may be read).
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _keepable(request, response) -> bool:
    # The base template iterates the messages on every page, so `storage.used` is always set;
    # what counts is whether there were any to show (none were waiting: see `page_key`).
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and getattr(request, "_csp_nonce", None) is None
        and not len(messages.get_messages(request))
        and not ONE_TIME_TOKEN.search(response.content)
    )
