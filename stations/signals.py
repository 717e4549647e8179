"""Receivers that turn authentication signals into security events."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models.security import SecurityEventKind
from .security import LAST_SEEN, LOGIN_AT, mark_password_confirmed, record


@receiver(user_logged_in, dispatch_uid="outpost_logged_in")
def on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    mark_password_confirmed(request)
    record(SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="outpost_logged_out")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(SecurityEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="outpost_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(SecurityEventKind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out, dispatch_uid="outpost_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(SecurityEventKind.LOCKED_OUT, request=request, username=str(username or "")[:150])
