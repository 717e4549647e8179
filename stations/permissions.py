"""The single place that decides who may see and do what.

Django groups (the `Role`s below, created by a data migration) say *what kind* of thing a user
may do; current postings say *where*. Every view, export and admin page asks here:

* `stations_for(user, action)` → the queryset of teams on which `user` may perform `action`;
* `user_can(user, action, station)` → bool;
* `station_or_404(user, action, pk)` → the team, `Http404` if the user cannot even see it and
  `PermissionDenied` (403) if they can see it but not act on it — never revealing that another
  team's object exists.

Answers are memoised on the user object, which Django builds once per request.

Rules (DESIGN §1, issue 2 item 5):
* team chiefs and staff see and work on their own teams only;
* the bureau, assessment office, leadership, finance, audit, organization department and a
  third-party assessor read every team; the bureau manages teams and postings;
* a home unit reads the teams that its people are posted to or that it forms;
* a park sees the leads transferred to it (leads app), no team as such;
* reviewing and approving never apply to one's own team, even for a bureau user who is also
  posted to a station (the bureau runs Shanghai itself under the Xiangzhou preset);
* leadership (and every other role) approves only where the active profile's approval chain
  names it.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Subquery
from django.http import Http404
from django.utils import timezone

from .models import (
    ApprovalActor,
    ApprovalStep,
    Person,
    Posting,
    Profile,
    ProfileVersion,
    Station,
    StationUnit,
    StationUnitRole,
)


class OutsideScope(Http404):
    """Raised for an object that exists but lies outside the user's scope (logged as denied)."""


def get_in_scope_or_404(scoped_queryset, pk):
    """`scoped_queryset.get(pk=pk)`, or 404 — `OutsideScope` when the object exists elsewhere."""
    try:
        return scoped_queryset.get(pk=pk)
    except (ValueError, TypeError):
        raise Http404 from None  # not an id at all
    except scoped_queryset.model.DoesNotExist:
        if scoped_queryset.model._default_manager.filter(pk=pk).exists():
            raise OutsideScope from None
        raise Http404 from None


class Role(enum.StrEnum):
    """Role groups; the value is the `auth.Group` name."""

    BUREAU = "bureau"
    ASSESSMENT = "assessment"
    PARK = "park"
    LEADERSHIP = "leadership"
    FINANCE = "finance"
    AUDIT = "audit"
    HOME_UNIT = "home_unit"
    ORG_DEPARTMENT = "org_department"
    ASSESSOR = "third_party_assessor"


class Action(enum.StrEnum):
    VIEW = "view"  # read a team, its people and its work
    WORK = "work"  # enter the team's own leads, logs, reports, claims
    MANAGE = "manage"  # create and edit teams and postings
    REVIEW = "review"  # review another team's reports and evidence
    EXPORT_PEOPLE = "export_people"  # download personal data of a team's people
    FUNDS = "funds"  # read a team's budget, ledger and claims


# Roles that read every team.
READ_ALL_ROLES = frozenset(
    {Role.BUREAU, Role.ASSESSMENT, Role.LEADERSHIP, Role.FINANCE, Role.AUDIT, Role.ORG_DEPARTMENT, Role.ASSESSOR}
)
REVIEW_ROLES = frozenset({Role.BUREAU, Role.ASSESSMENT, Role.ASSESSOR})
EXPORT_PEOPLE_ROLES = frozenset({Role.BUREAU, Role.ORG_DEPARTMENT})
# Roles that read every team's money (DESIGN §1: finance and audit supervise, leadership reads
# everything). The assessment office, the organization department and assessors score people,
# not accounts, so they do not.
FUNDS_ROLES = frozenset({Role.BUREAU, Role.FINANCE, Role.AUDIT, Role.LEADERSHIP})

# Approval-chain actors that are role groups.
ACTOR_ROLES = {
    ApprovalActor.BUREAU: Role.BUREAU,
    ApprovalActor.ASSESSMENT: Role.ASSESSMENT,
    ApprovalActor.LEADERSHIP: Role.LEADERSHIP,
    ApprovalActor.LEADING_GROUP: Role.LEADERSHIP,
    ApprovalActor.FINANCE: Role.FINANCE,
    ApprovalActor.AUDIT: Role.AUDIT,
    ApprovalActor.ORG_DEPARTMENT: Role.ORG_DEPARTMENT,
}


class _Access:
    """What one user may do, computed once per request (users are rebuilt per request)."""

    def __init__(self, user):
        self.user = user
        self.active = bool(user and user.is_authenticated and user.is_active)
        self.superuser = self.active and user.is_superuser
        self.roles = frozenset(Role(name) for name in user.groups.values_list("name", flat=True)
                               if name in Role.__members__.values()) if self.active else frozenset()
        person = Person.objects.filter(user=user).only("pk", "home_unit_id").first() if self.active else None
        self.person_id = person.pk if person else None
        self.unit_id = person.home_unit_id if person else None
        self.own_station_ids = (
            frozenset(Posting.objects.active().filter(person_id=self.person_id).values_list("station_id", flat=True))
            if self.person_id
            else frozenset()
        )
        self._cache = {}

    def station_filter(self, action):
        """A `Q` over `Station` for `action`, or None for no team at all."""
        if action in self._cache:
            return self._cache[action]
        self._cache[action] = result = self._compute(action)
        return result

    def _compute(self, action):
        if not self.active:
            return None
        everything = Q()
        own = Q(pk__in=self.own_station_ids)
        not_own = ~Q(pk__in=self.own_station_ids) if self.own_station_ids else everything
        if action == Action.VIEW:
            if self.superuser or self.roles & READ_ALL_ROLES:
                return everything
            scope = own
            if Role.HOME_UNIT in self.roles and self.unit_id:
                scope |= Q(pk__in=StationUnit.objects.filter(unit_id=self.unit_id).values("station_id")) | Q(
                    pk__in=Posting.objects.active().filter(home_unit_id=self.unit_id).values("station_id")
                )
            return scope if (self.own_station_ids or Role.HOME_UNIT in self.roles) else None
        if action == Action.WORK:
            return own if self.own_station_ids else None
        if action == Action.MANAGE:
            # A bureau user posted to a team does not manage that team's own postings.
            return not_own if (self.superuser or Role.BUREAU in self.roles) else None
        if action == Action.REVIEW:
            return not_own if (self.superuser or self.roles & REVIEW_ROLES) else None
        if action == Action.EXPORT_PEOPLE:
            return everything if (self.superuser or self.roles & EXPORT_PEOPLE_ROLES) else None
        if action == Action.FUNDS:
            if self.superuser or self.roles & FUNDS_ROLES:
                return everything
            scope = own
            if Role.HOME_UNIT in self.roles and self.unit_id:
                # A lead unit manages (Huaiyin, Xuancheng's groups) and approves its teams' money.
                scope |= Q(pk__in=StationUnit.objects.filter(unit_id=self.unit_id, role=StationUnitRole.LEAD)
                           .values("station_id"))
            return scope if (self.own_station_ids or Role.HOME_UNIT in self.roles) else None
        raise ValueError(f"Unknown action {action!r}")


def _access(user) -> _Access:
    access = getattr(user, "_outpost_access", None)
    if access is None:
        access = _Access(user)
        if user is not None and user.is_authenticated:
            user._outpost_access = access
    return access


def roles_of(user) -> frozenset[Role]:
    return _access(user).roles


def has_role(user, role: Role) -> bool:
    access = _access(user)
    return access.superuser or role in access.roles


def unit_of(user) -> int | None:
    """The id of the unit the user works for (their person's home unit), if any."""
    return _access(user).unit_id


def own_station_ids(user) -> frozenset[int]:
    """The teams the user is currently posted to."""
    return _access(user).own_station_ids


def stations_for(user, action: Action):
    """The teams on which `user` may perform `action`, as a queryset."""
    condition = _access(user).station_filter(Action(action))
    if condition is None:
        return Station.objects.none()
    return Station.objects.filter(condition)


def sees_every_team(user, action: Action = Action.VIEW) -> bool:
    """Whether `action` reaches every team for `user` (the offices that read all): scopes built on
    teams can then leave the team condition out, which lets the database plan the plain query."""
    condition = _access(user).station_filter(Action(action))
    return condition is not None and not condition


def user_can(user, action: Action, station: Station | None = None) -> bool:
    """May `user` perform `action` on `station`? (On any team at all when `station` is None.)"""
    access = _access(user)
    condition = access.station_filter(Action(action))
    if condition is None:
        return False
    if station is None:
        # Anyone posted to a team can see, work on and read the money of at least that one: no query.
        if condition == Q() or (action in (Action.VIEW, Action.WORK, Action.FUNDS) and access.own_station_ids):
            return True
        cache_key = (Action(action), None)
        if cache_key not in access._cache:
            access._cache[cache_key] = stations_for(user, action).exists()
        return access._cache[cache_key]
    if condition == Q():
        return True
    cache_key = (Action(action), station.pk)
    if cache_key not in access._cache:
        access._cache[cache_key] = stations_for(user, action).filter(pk=station.pk).exists()
    return access._cache[cache_key]


def station_or_404(user, action: Action, pk) -> Station:
    """The team `pk` for `action`: 404 if the user cannot see it, 403 if they can but may not act."""
    station = get_in_scope_or_404(stations_for(user, Action.VIEW), pk)
    if action != Action.VIEW and not user_can(user, action, station):
        raise PermissionDenied
    return station


def people_for(user):
    """The people whose profiles `user` may read: everyone for roles with the `view_person`
    permission that read every team; a home unit's own people; one's own team; oneself."""
    access = _access(user)
    if not access.active:
        return Person.objects.none()
    if access.superuser:
        return Person.objects.all()
    condition = Q(pk=access.person_id) if access.person_id else Q(pk__in=[])
    # Personal data (phone, birth date) needs the group permission, not only a role that reads teams.
    if user.has_perm("stations.view_person"):
        if access.roles & READ_ALL_ROLES:
            return Person.objects.all()
        if Role.HOME_UNIT in access.roles and access.unit_id:
            condition |= Q(home_unit_id=access.unit_id)
    # Team members see the people of their own teams.
    condition |= Q(pk__in=Posting.objects.current().filter(station_id__in=access.own_station_ids).values("person_id"))
    return Person.objects.filter(condition)


def chain_of(station: Station, process: str, profile: Profile | None = None) -> list[ApprovalStep]:
    """The active profile's whole chain for `process` on `station`, in order. A chain specific to
    the team's kind replaces the general chain; an empty list means nobody needs to approve."""
    versions = (profile.versions.filter(year__lte=timezone.localdate().year).order_by("-year") if profile
                else ProfileVersion.objects.in_force())
    steps = list(
        ApprovalStep.objects.filter(version=Subquery(versions.values("pk")[:1]), process=process)
        .filter(Q(team_kind="") | Q(team_kind=station.kind))
        .order_by("position")
    )
    if any(step.team_kind for step in steps):
        steps = [step for step in steps if step.team_kind]
    return steps


def chain_steps_for(user, station: Station, process: str, profile: Profile | None = None,
                    requester=None) -> list[ApprovalStep]:
    """The steps of the active profile's chain for `process` on `station` that `user` may act in.

    A chain specific to the team's kind replaces the general chain. The chief of the team acts
    in the steps given to the chief (scheduling leave, approving the team's own claims); every
    other step is for someone outside the team, so nobody approves, agrees to or files their own
    team's request in any other capacity — even a bureau user posted to that team. Nobody acts
    on their own request (`requester`), and a lead unit acts through its home-unit users who can
    see the team.
    """
    access = _access(user)
    if not access.active or (requester is not None and requester.pk == user.pk):
        return []
    steps = chain_of(station, process, profile)
    own_team = station.pk in access.own_station_ids
    is_chief = own_team and Posting.objects.current().chiefs().filter(
        station=station, person_id=access.person_id
    ).exists()
    lead_unit = (
        Role.HOME_UNIT in access.roles
        and bool(access.unit_id)
        and station.station_units.filter(unit_id=access.unit_id, role=StationUnitRole.LEAD).exists()
        and user_can(user, Action.VIEW, station)
    )
    allowed = []
    for step in steps:
        if step.actor == ApprovalActor.CHIEF:
            if is_chief:
                allowed.append(step)
        elif own_team:
            continue
        elif step.actor == ApprovalActor.LEAD_UNIT:
            if lead_unit:
                allowed.append(step)
        elif ACTOR_ROLES.get(step.actor) in access.roles:
            allowed.append(step)
    return allowed


def can_see_all_funds(user) -> bool:
    """The all-teams money summary: the bureau, finance, audit, leadership and administrators."""
    access = _access(user)
    return access.superuser or bool(access.roles & FUNDS_ROLES)


def can_read_rules(user) -> bool:
    """The deployment's policy profiles are published rules: every active user may read them."""
    return _access(user).active


def require(user, action: Action, station: Station) -> None:
    """Raise 404 or 403 unless `user` may perform `action` on `station` (for services)."""
    if not user_can(user, Action.VIEW, station):
        raise Http404
    if action != Action.VIEW and not user_can(user, action, station):
        raise PermissionDenied
