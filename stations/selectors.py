"""Every read of the `stations` app used by views, exports and the admin, scoped to the user."""

from __future__ import annotations

from django.db.models import Case, F, Q, Value, When

from .models import Person, Posting, Profile, Station, TodoItem, Unit
from .models.todo import TRACKED_KINDS
from .permissions import (
    READ_ALL_ROLES,
    Action,
    Role,
    get_in_scope_or_404,
    people_for,
    roles_of,
    station_or_404,
    stations_for,
)


def station_list(*, user, kind: str = "", q: str = "", include_inactive: bool = False):
    """Teams the user may see, with units and current people prefetched (a fixed 3 queries)."""
    stations = stations_for(user, Action.VIEW).with_people()
    if not include_inactive:
        stations = stations.filter(is_active=True)
    if kind:
        stations = stations.filter(kind=kind)
    if q:
        stations = stations.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(home_city__icontains=q) | Q(region__icontains=q)
        )
    return stations.order_by("name")


def station_get(*, user, pk, action: Action = Action.VIEW) -> Station:
    return station_or_404(user, action, pk)


def station_postings(*, station: Station):
    """All postings of a team, current first, with people and home units."""
    return (
        Posting.objects.filter(station=station)
        .select_related("person", "home_unit")
        .order_by("ended_on", "role", "start_date", "pk")
    )


def station_history(*, station: Station, limit: int = 20) -> list[dict]:
    """The latest changes to a team and its postings, newest first: when, who, what, why.

    Two queries whatever the length of the history.
    """
    station_rows = Station.history.filter(id=station.pk).select_related("history_user__person")[:limit]
    posting_rows = (Posting.history.filter(station_id=station.pk)
                    .select_related("history_user__person", "person")[:limit])
    entries = [
        {"row": row, "subject": row.name} for row in station_rows
    ] + [
        {"row": row, "subject": f"{row.person.name} · {row.title}"} for row in posting_rows
    ]
    entries.sort(key=lambda entry: entry["row"].history_date, reverse=True)
    return entries[:limit]


def posting_get(*, user, pk, action: Action = Action.VIEW) -> Posting:
    """A posting on a team the user may see; 403 when they may see but not `action` it."""
    posting = get_in_scope_or_404(
        Posting.objects.select_related("person", "station", "home_unit").filter(
            station__in=stations_for(user, Action.VIEW)
        ),
        pk,
    )
    station_or_404(user, action, posting.station_id)
    return posting


def person_list(*, user, q: str = ""):
    people = people_for(user).with_current_postings()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(phone__icontains=q))
    return people.order_by("name", "pk")


def person_get(*, user, pk) -> Person:
    return get_in_scope_or_404(people_for(user).with_current_postings(), pk)


def unit_list(*, user):
    """Units: everyone with a read-all role sees all; a home unit its own."""
    roles = roles_of(user)
    if user.is_superuser or roles & READ_ALL_ROLES:
        return Unit.objects.all()
    person = Person.objects.filter(user=user).only("home_unit_id").first()
    if Role.HOME_UNIT in roles and person and person.home_unit_id:
        return Unit.objects.filter(pk=person.home_unit_id)
    return Unit.objects.none()


def unit_get(*, user, pk) -> Unit:
    return get_in_scope_or_404(unit_list(user=user), pk)


def unit_people(*, user, unit: Unit):
    return person_list(user=user).filter(home_unit=unit)


def todo_list(*, user, include_done: bool = False):
    """The user's to-do items, open first; among them the work waiting on the user (approvals,
    returned reports, tasks) before reminders and notices, then by due date and newest."""
    items = (TodoItem.objects.filter(user=user).select_related("station")
             .alias(waiting=Case(When(kind__in=TRACKED_KINDS, then=Value(0)), default=Value(1)))
             .order_by(F("done_at").asc(nulls_first=True), "waiting", F("due_date").asc(nulls_last=True),
                       "-created_at", "-pk"))
    return items if include_done else items.open()


def active_profile() -> Profile | None:
    return Profile.objects.active().first()


def profile_list():
    """Profiles are the deployment's published rules: every logged-in user may read them."""
    return Profile.objects.prefetch_related("versions")


def profile_get(*, pk) -> Profile:
    return get_in_scope_or_404(Profile.objects.all(), pk)


def roster(*, user):
    """Current postings with people's personal data, for the roster export (bureau, org dept)."""
    return (
        Posting.objects.current()
        .filter(station__in=stations_for(user, Action.EXPORT_PEOPLE))
        .select_related("person", "person__home_unit", "station", "home_unit")
        .order_by("station__name", "role", "start_date", "pk")
    )
