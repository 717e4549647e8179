"""Idle and absolute session timeouts (settings SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from .models.security import SecurityEventKind
from .security import LAST_SEEN, LOGIN_AT, record

# Refreshing the last-seen time on every request would write the session on every request; a
# minute's precision is plenty for a two-hour idle limit.
TOUCH_INTERVAL = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.get(LOGIN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT or now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                record(SecurityEventKind.SESSION_EXPIRED, request=request)
                logout(request)
                messages.info(request, _("Your session has expired. Please log in again."))
                return redirect_to_login(request.get_full_path())
            if LOGIN_AT not in session:
                session[LOGIN_AT] = now
            if now - last_seen >= TOUCH_INTERVAL or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)
