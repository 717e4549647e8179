"""`/health/` (stations/health.py): one `SELECT 1`, public, never cached, never redirected."""

import json
import logging
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

from stations.models import SecurityEvent

HEALTH = reverse("stations:health")


def refuse_every_query(execute, sql, params, many, context):
    """A database that cannot be reached: every statement fails as psycopg2 does when it is down."""
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_the_health_url_is_health():
    assert HEALTH == "/health/"


def test_health_is_ok_with_one_query_and_no_cache(db, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1: no session, no user, no migration check
        response = Client().get(HEALTH)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_health_is_503_and_logged_when_the_database_fails(db, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="stations.health"),
        connection.execute_wrapper(refuse_every_query),
    ):
        response = Client().get(HEALTH)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert json.loads(response.content) == {"status": "error", "database": "unavailable"}
    assert "no-store" in response["Cache-Control"]
    messages = [r.getMessage() for r in caplog.records if r.name == "stations.health"]
    assert messages == [
        "health check: database unavailable: connection to server at 127.0.0.1, port 5432 failed: "
        "Connection refused"
    ]


@pytest.mark.parametrize("method", ["post", "put", "delete", "head"])
def test_health_answers_get_only(db, method):
    # With CSRF checks on, as in a browser: a POST is a 405 too, not a refused token (no security event).
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(HEALTH)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "GET"
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize("database_up", [True, False])
def test_health_sets_no_cookie_and_touches_neither_sessions_nor_axes(db, database_up):
    client = Client()
    if database_up:
        response = client.get(HEALTH)
    else:
        with connection.execute_wrapper(refuse_every_query):
            response = client.get(HEALTH)
    assert not response.has_header("Set-Cookie")
    assert response.cookies == {}
    assert client.cookies == {}
    assert Session.objects.count() == 0
    assert AccessAttempt.objects.count() == 0


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_is_not_redirected_to_https_when_other_pages_are(db):
    client = Client()
    # The control: with the redirect on, an ordinary page over plain HTTP goes to HTTPS...
    login = client.get(reverse("login"))
    assert login.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert login["Location"].startswith("https://")
    # ...while a balancer's plain-HTTP probe gets its answer.
    response = client.get(HEALTH)
    assert response.status_code == HTTPStatus.OK
    assert json.loads(response.content) == {"status": "ok"}
