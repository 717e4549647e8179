"""The security baseline: sessions, lockout, re-authentication, CSP, error pages, security events."""

import datetime
import logging
import re
import time
from http import HTTPStatus
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from stations.models import SecurityEvent
from stations.models.security import SecurityEventKind
from stations.security import LAST_SEEN, LOGIN_AT, PASSWORD_CONFIRMED_AT, client_ip

from ..factories import PASSWORD

LOGIN = reverse("login")


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def set_session(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_login_rotates_the_session_key(world):
    client = Client()
    set_session(client, something="before login")
    key_before = client.session.session_key
    assert login(client, "chief_a").status_code == HTTPStatus.FOUND
    assert client.session.session_key != key_before
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN, username="chief_a").exists()


def test_five_failures_lock_the_username_and_address_for_a_finite_time(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "chief_a", "wrong-password").status_code == HTTPStatus.OK
    # The fifth failure locks the account and says so.
    assert login(client, "chief_a", "wrong-password").status_code == HTTPStatus.TOO_MANY_REQUESTS
    locked = login(client, "chief_a")  # the right password, but locked out
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username="chief_a").exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username="chief_a").count() >= 5
    # Another user from the same address is not locked out (username and address together).
    assert login(Client(), "chief_b").status_code == HTTPStatus.FOUND
    # After the cool-off the user can log in again.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert login(Client(), "chief_a").status_code == HTTPStatus.FOUND


def test_four_failures_do_not_lock(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "chief_a", "wrong-password")
    assert login(client, "chief_a").status_code == HTTPStatus.FOUND


def test_idle_timeout_ends_the_session(world, client_for):
    client = client_for("chief_a")
    now = int(time.time())
    set_session(client, **{LOGIN_AT: now - 60, LAST_SEEN: now - settings.SESSION_IDLE_TIMEOUT - 5})
    response = client.get(reverse("stations:home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(LOGIN)
    assert client.get(reverse("stations:home")).status_code == HTTPStatus.FOUND  # really logged out
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_EXPIRED).exists()


def test_activity_within_the_idle_limit_keeps_the_session(world, client_for):
    client = client_for("chief_a")
    now = int(time.time())
    set_session(client, **{LOGIN_AT: now - 3600, LAST_SEEN: now - settings.SESSION_IDLE_TIMEOUT + 60})
    assert client.get(reverse("stations:home")).status_code == HTTPStatus.OK


def test_absolute_timeout_ends_an_active_session(world, client_for):
    client = client_for("chief_a")
    now = int(time.time())
    set_session(client, **{LOGIN_AT: now - settings.SESSION_ABSOLUTE_TIMEOUT - 5, LAST_SEEN: now - 10})
    assert client.get(reverse("stations:home"))["Location"].startswith(LOGIN)


def test_deactivating_a_user_ends_their_sessions(world, client_for):
    client = client_for("chief_a")
    assert client.get(reverse("stations:home")).status_code == HTTPStatus.OK
    user = world.users["chief_a"]
    user.is_active = False
    user.save()
    response = client.get(reverse("stations:home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(LOGIN)


def test_personal_data_export_asks_for_the_password_again_after_15_minutes(world, client_for):
    client = client_for("bureau")
    export = reverse("stations:roster_export")
    set_session(client, **{PASSWORD_CONFIRMED_AT: int(time.time()) - settings.REAUTH_WINDOW - 1})
    response = client.get(export)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("password_confirm"))
    wrong = client.post(reverse("password_confirm"), {"password": "nope", "next": export})
    assert wrong.status_code == HTTPStatus.OK
    assert wrong.context["form"].errors["password"]
    assert client.get(export).status_code == HTTPStatus.FOUND  # still not confirmed
    right = client.post(reverse("password_confirm"), {"password": PASSWORD, "next": export})
    assert right["Location"] == export
    response = client.get(export)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_EXPORT, username="bureau").exists()


def test_password_confirm_never_redirects_off_site(world, client_for):
    response = client_for("bureau").post(
        reverse("password_confirm"), {"password": PASSWORD, "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"


def test_every_html_response_has_a_csp_without_inline_scripts(world, client_for):
    for response in (Client().get(LOGIN), client_for("bureau").get(reverse("stations:home"))):
        policy = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_src
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy


TEMPLATES = Path(settings.BASE_DIR, "templates")


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_have_no_inline_script_or_external_url(template):
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script> is forbidden by the CSP"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handlers are forbidden by the CSP"
    assert not re.search(r"(src|href)=\"(https?:)?//", text), "external URLs break on a closed network"


@pytest.mark.urls("tests.stations.error_urls")
def test_errors_show_a_plain_page_and_are_logged(world, caplog):
    client = Client(raise_request_exception=False)
    request_logger = logging.getLogger("django.request")  # it does not propagate to the root logger
    request_logger.addHandler(caplog.handler)
    try:
        response = client.get("/boom/")
    finally:
        request_logger.removeHandler(caplog.handler)
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    content = response.content.decode()
    assert "系统错误" in content
    assert "Traceback" not in content and "RuntimeError" not in content
    assert any("boom" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_access_denied_is_recorded(world, client_for):
    client_for("chief_a").get(reverse("stations:create"))
    client_for("chief_a").get(reverse("stations:detail", args=[world.station_b.pk]))
    details = set(SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_DENIED).values_list("detail", flat=True))
    assert details == {"403", "404 outside scope"}


def test_a_missing_object_is_not_recorded_as_denied(world, client_for):
    assert client_for("chief_a").get(reverse("stations:detail", args=[999999])).status_code == HTTPStatus.NOT_FOUND
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_DENIED).exists()


def test_purge_keeps_at_least_180_days(world):
    old = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="old")
    recent = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="recent")
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=400))
    SecurityEvent.objects.filter(pk=recent.pk).update(at=timezone.now() - datetime.timedelta(days=179))
    with pytest.raises(CommandError):
        call_command("purge_security_events", days=90)
    assert SecurityEvent.objects.filter(pk=old.pk).exists()
    call_command("purge_security_events", days=180)
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()


def test_security_events_cannot_be_edited_in_the_admin(world, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="x")
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("admin:stations_securityevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def guess_then_log_in(client, *, remote, forged, last):
    """Fail chief_a's login as often as the limit allows, with the client's own `X-Forwarded-For`
    entry (`forged(n)`) different on every try, then try the right password with `last`."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "chief_a", "password": "wrong"}, REMOTE_ADDR=remote,
                    HTTP_X_FORWARDED_FOR=forged(number))
    return client.post(LOGIN, {"username": "chief_a", "password": PASSWORD}, REMOTE_ADDR=remote,
                       HTTP_X_FORWARDED_FOR=last)


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(world):
    response = guess_then_log_in(Client(), remote="10.9.9.9", forged=lambda n: f"203.0.113.{n}",
                                 last="198.51.100.77")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert set(SecurityEvent.objects.filter(username="chief_a").values_list("ip_address", flat=True)) == {"10.9.9.9"}


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_the_lockout_counts_the_address_the_proxy_saw(world):
    # nginx with `$proxy_add_x_forwarded_for` appends the address it saw to whatever the client
    # sent; the client's own entries change on every try and must not reset the count.
    client = Client()
    response = guess_then_log_in(client, remote="10.0.0.2", forged=lambda n: f"203.0.113.{n}, 198.51.100.77",
                                 last="192.0.2.1, 198.51.100.77")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert set(SecurityEvent.objects.filter(username="chief_a").values_list("ip_address", flat=True)) == {
        "198.51.100.77"
    }
    # Another client behind the same proxy is not locked out with it.
    response = client.post(LOGIN, {"username": "chief_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2",
                           HTTP_X_FORWARDED_FOR="198.51.100.78")
    assert response.status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: the header is anybody's
        (1, "", "10.0.0.2"),  # a proxy that sent nothing
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "192.0.2.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # a balancer, then nginx
        (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies
        (1, "192.0.2.1, not-an-address", "10.0.0.2"),
    ],
)
def test_client_address_is_read_from_the_right_of_forwarded_for(proxies, forwarded_for, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    with override_settings(PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def test_guessing_at_the_password_confirmation_locks_and_logs_out(world, client_for):
    client = client_for("bureau")
    confirm = reverse("password_confirm")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(confirm, {"password": "guess"}, REMOTE_ADDR="10.7.7.7")
        assert response.status_code == HTTPStatus.OK
    client.post(confirm, {"password": "guess"}, REMOTE_ADDR="10.7.7.7")
    # Locked: even the right password is refused, and the session is over.
    client.post(confirm, {"password": PASSWORD}, REMOTE_ADDR="10.7.7.7")
    assert client.get(reverse("stations:home"))["Location"].startswith(LOGIN)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username="bureau").exists()


def test_old_password_guesses_count_towards_the_lockout(world, client_for):
    client = client_for("chief_a")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("password_change"), {"old_password": "guess", "new_password1": "Abcdefgh12345!",
                                                  "new_password2": "Abcdefgh12345!"}, REMOTE_ADDR="10.7.7.8")
    assert AccessAttempt.objects.filter(username="chief_a").get().failures_since_start >= settings.AXES_FAILURE_LIMIT
    user = world.users["chief_a"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # unchanged
