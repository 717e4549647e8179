"""The permission matrix: every URL of the site × every persona → the expected status.

The list of URLs comes from the URL conf, so a new view without a row here fails
`test_every_url_has_a_row`. Admin pages are covered in `tests/stations/test_admin.py`.
"""

from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stations.models import Profile, TodoItem
from stations.models.todo import TodoKind

from .conftest import PERSONAS

OK, FOUND, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = (
    HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED
)

# Columns in PERSONAS order:
#  anonymous chief_a staff_a chief_b bureau bureau_a assessor park leader finance home_unit
EVERYONE = (FOUND, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK)
BUREAU_ONLY = (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
POST_ONLY = (FOUND, *(NOT_ALLOWED,) * 10)

# url name → (kwargs builder, expected statuses for GET in PERSONAS order)
MATRIX = {
    "stations:home": (None, EVERYONE),
    "stations:list": (None, EVERYONE),
    "stations:create": (None, BUREAU_ONLY),
    "stations:roster_export": (None, BUREAU_ONLY),
    "stations:detail": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, OK),
    ),
    # bureau_a is posted to station A: it does not manage its own team.
    "stations:update": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "stations:posting_create": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "stations:posting_update": (
        lambda w: {"pk": w.postings["chief_b"].pk},
        (FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    ),
    "stations:posting_end": (
        lambda w: {"pk": w.postings["chief_b"].pk},
        (FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    ),
    "stations:person_list": (None, EVERYONE),
    "stations:person_create": (None, BUREAU_ONLY),
    # Personal data needs the view_person permission: finance reads teams, not people.
    "stations:person_detail": (
        lambda w: {"pk": w.person("chief_b").pk},
        (FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND),
    ),
    "stations:person_update": (lambda w: {"pk": w.person("chief_b").pk}, BUREAU_ONLY),
    "stations:unit_detail": (
        lambda w: {"pk": w.unit_a.pk},
        (FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, OK),
    ),
    "stations:todo_list": (None, EVERYONE),
    "stations:todo_done": (lambda w: {"pk": w.todo.pk}, POST_ONLY),
    "stations:profile_list": (None, EVERYONE),
    "stations:profile_detail": (lambda w: {"pk": Profile.objects.get(code="xiangzhou").pk}, EVERYONE),
    "login": (None, (OK, *(FOUND,) * 10)),
    "logout": (None, (NOT_ALLOWED,) * 11),
    "password_change": (None, EVERYONE),
    "password_confirm": (None, EVERYONE),
    "set_language": (None, (NOT_ALLOWED,) * 11),
    "favicon": (None, (HTTPStatus.MOVED_PERMANENTLY,) * 11),
}


def _url_names(resolver=None, namespace=""):
    """Every named URL of the site, with its namespace (the admin is tested on its own)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_row():
    missing = sorted(set(_url_names()) - set(MATRIX))
    assert missing == [], f"URLs without a permission-matrix row: {missing}"


def test_matrix_has_no_stale_rows():
    assert sorted(set(MATRIX) - set(_url_names())) == []


CASES = [(name, persona, expected[i]) for name, (_k, expected) in MATRIX.items() for i, persona in enumerate(PERSONAS)]


@pytest.mark.parametrize(("url_name", "persona", "expected"), CASES, ids=[f"{n}-{p}" for n, p, _e in CASES])
def test_permission_matrix(world, client_for, url_name, persona, expected):
    # A to-do item belonging to the persona itself (anonymous: to chief_a).
    owner = world.users.get(persona, world.users["chief_a"])
    world.todo = TodoItem.objects.create(user=owner, kind=TodoKind.TASK, title="核对派驻信息")
    builder, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(world) if builder else None)
    response = client_for(persona).get(url)
    assert response.status_code == expected, f"{persona} GET {url}: {response.status_code}, expected {expected}"
    if expected == FOUND and persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


# POST to every state-changing view, per persona, with an empty form: allowed personas get the
# form back with errors (200), the others 403 or 404 — and nothing changes either way.
POST_MATRIX = {
    "stations:create": BUREAU_ONLY,
    "stations:update": MATRIX["stations:update"][1],
    "stations:posting_create": MATRIX["stations:posting_create"][1],
    "stations:posting_update": MATRIX["stations:posting_update"][1],
    "stations:posting_end": MATRIX["stations:posting_end"][1],
    "stations:person_create": BUREAU_ONLY,
    "stations:person_update": BUREAU_ONLY,
}
POST_CASES = [(n, p, e[i]) for n, e in POST_MATRIX.items() for i, p in enumerate(PERSONAS)]


@pytest.mark.parametrize(("url_name", "persona", "expected"), POST_CASES, ids=[f"{n}-{p}" for n, p, _e in POST_CASES])
def test_post_permission_matrix(world, client_for, url_name, persona, expected):
    from .test_csrf import snapshot

    builder, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(world) if builder else None)
    before = snapshot()
    response = client_for(persona).post(url, {})
    assert response.status_code == expected, f"{persona} POST {url}: {response.status_code}, expected {expected}"
    if expected == OK:
        assert response.context["form"].errors
    assert snapshot() == before


def test_another_users_todo_is_not_found(world, client_for):
    item = TodoItem.objects.create(user=world.users["chief_b"], kind=TodoKind.TASK, title="别人的待办")
    response = client_for("chief_a").post(reverse("stations:todo_done", args=[item.pk]))
    assert response.status_code == NOT_FOUND
    item.refresh_from_db()
    assert item.done_at is None
