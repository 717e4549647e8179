"""Every write of the `stations` app. Views, the admin, commands and tests all come through here.

Each service is keyword-only, checks permission through `stations.permissions`, validates the
model (including its database constraints) before saving, runs in one transaction, and records
who changed what in the model's history (django-simple-history) with a reason.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .models import (
    AccountabilityRule,
    ApprovalStep,
    Person,
    Posting,
    PostingRole,
    Profile,
    ProfileVersion,
    Station,
    StationKind,
    StationUnit,
    StationUnitRole,
    TeamKindRule,
    TodoItem,
)
from .models.todo import TodoKind
from .permissions import Action, Role, require, user_can

logger = logging.getLogger(__name__)

STATION_FIELDS = (
    "name", "code", "kind", "home_city", "radiates_to", "region", "parent",
    "focus_industries", "opened_on", "closed_on", "is_active",
)
POSTING_FIELDS = (
    "person", "station", "role", "title", "home_unit", "start_date", "term_end",
    "certificate_no", "certificate_date",
)


def save_validated(instance, *, user, reason: str, update_fields=None) -> None:
    """Validate and save `instance`, recording `user` and `reason` in its history.

    `full_clean` checks the model's constraints first so that the user gets a message rather
    than a database error; the `IntegrityError` guard covers two requests racing past it.
    """
    instance.full_clean()
    instance._history_user = user
    instance._change_reason = reason
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise _constraint_error(instance, exc) from exc


def breaks_constraint(error: ValidationError, code: str) -> bool:
    """Whether `error` (from `save_validated`) says the record breaks the constraint whose
    `violation_error_code` is `code`: a view can then tell a double submit from a mistake."""
    errors = ([item for items in error.error_dict.values() for item in items] if hasattr(error, "error_dict")
              else error.error_list)
    return any(item.code == code for item in errors)


def _constraint_error(instance, exc) -> ValidationError:
    """The model's own message for a constraint another request broke between our validation and
    our save (found by validating again, now that the other row exists) — never the raw error."""
    try:
        instance.validate_constraints()
        instance.validate_unique()
    except ValidationError as error:
        return error
    logger.warning("integrity error saving %s: %s", instance._meta.label, exc)
    return ValidationError(_("Someone else changed this record at the same time. Reload the page and try again."))


def _set_units(station: Station, *, user, forming_units, lead_units) -> None:
    wanted = {unit.pk: StationUnitRole.FORMING for unit in forming_units}
    wanted.update({unit.pk: StationUnitRole.LEAD for unit in lead_units})
    existing = {link.unit_id: link for link in station.station_units.all()}
    for unit_id, link in existing.items():
        if unit_id not in wanted:
            link._history_user = user
            link.delete()
    for unit_id, role in wanted.items():
        link = existing.get(unit_id)
        if link is None:
            save_validated(StationUnit(station=station, unit_id=unit_id, role=role), user=user, reason="units")
        elif link.role != role:
            link.role = role
            save_validated(link, user=user, reason="units", update_fields=["role"])


def _check_parent(station: Station) -> None:
    """A team's parent must be a hub, and the chain must not loop."""
    if station.parent is not None and station.parent.kind != StationKind.HUB:
        raise ValidationError({"parent": _("The parent must be a hub.")})
    seen = {station.pk}
    parent = station.parent
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": _("A team cannot be its own parent, directly or through others.")})
        seen.add(parent.pk)
        parent = parent.parent


@transaction.atomic
def station_create(*, user, forming_units=(), lead_units=(), **fields) -> Station:
    """Create a team. Only the bureau (or an administrator) may."""
    if not user_can(user, Action.MANAGE):
        raise PermissionDenied
    station = Station(**{name: fields[name] for name in STATION_FIELDS if name in fields})
    _check_parent(station)
    save_validated(station, user=user, reason=_("Team created"))
    _set_units(station, user=user, forming_units=forming_units, lead_units=lead_units)
    return station


@transaction.atomic
def station_update(*, station: Station, user, forming_units=None, lead_units=None, **fields) -> Station:
    """Change a team's fields (and, when given, its forming and lead units)."""
    require(user, Action.MANAGE, station)
    station = Station.objects.select_for_update().get(pk=station.pk)
    changed = [name for name in STATION_FIELDS if name in fields and getattr(station, name) != fields[name]]
    for name in changed:
        setattr(station, name, fields[name])
    _check_parent(station)
    if changed:
        save_validated(station, user=user, reason=_("Team edited"), update_fields=changed)
    if forming_units is not None or lead_units is not None:
        _set_units(station, user=user, forming_units=forming_units or (), lead_units=lead_units or ())
    return station


PERSON_FIELDS = (
    "name", "phone", "rank", "is_leadership_member", "staff_category", "education", "birth_date", "home_unit",
)


@transaction.atomic
def person_create(*, user, **fields) -> Person:
    """Add a person (who may later be posted). Bureau only."""
    if not user_can(user, Action.MANAGE):
        raise PermissionDenied
    person = Person(**{name: fields[name] for name in PERSON_FIELDS if name in fields})
    save_validated(person, user=user, reason=_("Person added"))
    return person


@transaction.atomic
def person_update(*, person: Person, user, **fields) -> Person:
    """Edit a person's profile. Bureau only."""
    if not user_can(user, Action.MANAGE):
        raise PermissionDenied
    person = Person.objects.select_for_update().get(pk=person.pk)
    changed = [name for name in PERSON_FIELDS if name in fields and getattr(person, name) != fields[name]]
    for name in changed:
        setattr(person, name, fields[name])
    if changed:
        save_validated(person, user=user, reason=_("Person edited"), update_fields=changed)
    return person


def default_title(station: Station, role: str) -> str:
    """The title the active profile gives this role in this kind of team (主任, 局长 …)."""
    version = ProfileVersion.objects.in_force().first()
    if version is None:
        return str(PostingRole(role).label)
    return version.title_for(station.kind, role)


@transaction.atomic
def posting_create(*, user, station: Station, **fields) -> Posting:
    """Post a person to a team. The database allows one current chief per team."""
    require(user, Action.MANAGE, station)
    # Lock the team so that two bureau users naming a chief at once cannot both pass validation.
    Station.objects.select_for_update().filter(pk=station.pk).first()
    values = {name: fields[name] for name in POSTING_FIELDS if name in fields}
    values["station"] = station
    posting = Posting(**values)
    if not posting.title:
        posting.title = default_title(station, posting.role)
    if posting.home_unit_id is None and posting.person_id:
        posting.home_unit_id = posting.person.home_unit_id
    save_validated(posting, user=user, reason=_("Posting created"))
    todo_refresh_term_ending(posting=posting)
    return posting


@transaction.atomic
def posting_update(*, posting: Posting, user, **fields) -> Posting:
    """Change a current posting's role, title, term or certificate (not the person or team)."""
    require(user, Action.MANAGE, posting.station)
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    if posting.ended_on is not None:
        raise ValidationError(_("This posting has ended and can no longer be changed."))
    editable = [name for name in POSTING_FIELDS if name not in ("person", "station")]
    old_default = default_title(posting.station, posting.role)
    changed = [name for name in editable if name in fields and getattr(posting, name) != fields[name]]
    for name in changed:
        setattr(posting, name, fields[name])
    # An empty title, or the old role's default title after a change of role, takes the default.
    if not posting.title or ("role" in changed and posting.title == old_default):
        posting.title = default_title(posting.station, posting.role)
        if "title" not in changed:
            changed.append("title")
    if changed:
        save_validated(posting, user=user, reason=_("Posting edited"), update_fields=changed)
        todo_refresh_term_ending(posting=posting)
    return posting


@transaction.atomic
def posting_end(*, posting: Posting, user, ended_on: datetime.date, reason: str) -> Posting:
    """End a posting on `ended_on` (not before it started) with a reason."""
    require(user, Action.MANAGE, posting.station)
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    if posting.ended_on is not None:
        raise ValidationError(_("This posting has already ended."))
    if not reason.strip():
        raise ValidationError({"end_reason": _("Give a reason for ending the posting.")})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("Record the end of a posting on or after the day it ends.")})
    posting.ended_on = ended_on
    posting.end_reason = reason.strip()
    save_validated(posting, user=user, reason=_("Posting ended"), update_fields=["ended_on", "end_reason"])
    todo_refresh_term_ending(posting=posting)
    return posting


# --- Policy profiles ------------------------------------------------------------------------


def _require_admin(user) -> None:
    if not (user and user.is_active and user.is_superuser):
        raise PermissionDenied


@transaction.atomic
def profile_copy(*, profile: Profile, user, code: str, name: str) -> Profile:
    """Copy a profile (usually a preset) with all its versions and rules, for editing."""
    _require_admin(user)
    copy = Profile(
        code=code,
        name=name,
        jurisdiction=profile.jurisdiction,
        description=profile.description,
        source=profile.source,
        copied_from=profile,
    )
    save_validated(copy, user=user, reason=_("Copied from %(profile)s") % {"profile": profile})
    for version in profile.versions.prefetch_related("team_kinds", "approval_steps", "accountability_rules"):
        new_version = ProfileVersion(profile=copy, **{
            field.attname: getattr(version, field.attname)
            for field in ProfileVersion._meta.concrete_fields if field.name not in ("id", "profile")
        })
        save_validated(new_version, user=user, reason=_("Copied from %(profile)s") % {"profile": profile})
        bulk_create_with_history([
            TeamKindRule(
                version=new_version,
                kind=rule.kind,
                label=rule.label,
                chief_title=rule.chief_title,
                staff_title=rule.staff_title,
                is_resident=rule.is_resident,
            )
            for rule in version.team_kinds.all()
        ], TeamKindRule, default_user=user)
        bulk_create_with_history([
            ApprovalStep(
                version=new_version,
                process=step.process,
                team_kind=step.team_kind,
                position=step.position,
                actor=step.actor,
                action=step.action,
            )
            for step in version.approval_steps.all()
        ], ApprovalStep, default_user=user)
        bulk_create_with_history([
            AccountabilityRule(version=new_version, kind=rule.kind, actor=rule.actor)
            for rule in version.accountability_rules.all()
        ], AccountabilityRule, default_user=user)
        for extension in PROFILE_COPY_EXTENSIONS:
            extension(version, new_version)
    return copy


@transaction.atomic
def profile_activate(*, profile: Profile, user) -> Profile:
    """Make `profile` the deployment's active profile (and no other)."""
    _require_admin(user)
    for other in Profile.objects.select_for_update().filter(is_active=True).exclude(pk=profile.pk):
        other.is_active = False
        save_validated(other, user=user, reason=_("Deactivated"), update_fields=["is_active"])
    profile = Profile.objects.get(pk=profile.pk)
    if not profile.is_active:
        profile.is_active = True
        save_validated(profile, user=user, reason=_("Activated"), update_fields=["is_active"])
    return profile


# --- To-do list -----------------------------------------------------------------------------

def todo_open(*, user, kind: str, title: str, target, url: str = "", station=None, due_date=None,
              key: str = "") -> TodoItem:
    """Open a to-do item for `user` about `target` (and `key`), or return the open one that exists."""
    target_type = ContentType.objects.get_for_model(target)
    item, _created = TodoItem.objects.get_or_create(
        user=user,
        kind=kind,
        target_type=target_type,
        target_id=target.pk,
        key=key,
        done_at__isnull=True,
        defaults={"title": title, "url": url, "station": station, "due_date": due_date},
    )
    return item


def todo_close(*, kind: str, target, user=None) -> int:
    """Close the open items of `kind` about `target` (for one user, or everyone). Returns how many."""
    items = TodoItem.objects.open().filter(
        kind=kind, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    if user is not None:
        items = items.filter(user=user)
    return items.update(done_at=timezone.now())


def todo_done(*, item: TodoItem, user) -> TodoItem:
    """Mark the user's own item done: a reminder or notice, never an item that closes itself once
    its work is done (an approval, a returned report, a dispatch task)."""
    if item.user_id != user.pk:
        raise PermissionDenied
    if item.closes_itself and item.done_at is None:
        raise ValidationError(_("This item closes by itself once it is dealt with: open it to act on it."))
    if item.done_at is None:
        item.done_at = timezone.now()
        item.save(update_fields=["done_at"])
    return item


def _term_notice_days() -> int:
    version = ProfileVersion.objects.in_force().first()
    return version.term_ending_notice_days if version else ProfileVersion._meta.get_field(
        "term_ending_notice_days").default


def todo_refresh_term_ending(*, posting: Posting, today: datetime.date | None = None) -> None:
    """Open a reminder for every bureau user when a current posting's term ends within the
    notice period, and close it once the posting has ended or the term was extended."""
    from django.contrib.auth import get_user_model

    today = today or timezone.localdate()
    days = posting.days_to_term_end(today)
    due = posting.ended_on is None and days is not None and days <= _term_notice_days()
    if not due:
        todo_close(kind=TodoKind.TERM_ENDING, target=posting)
        return
    bureau_users = get_user_model().objects.filter(groups__name=Role.BUREAU, is_active=True)
    for bureau_user in bureau_users:
        todo_open(
            user=bureau_user,
            kind=TodoKind.TERM_ENDING,
            title=_("%(person)s's term at %(station)s ends on %(date)s")
            % {"person": posting.person.name, "station": posting.station.name, "date": posting.term_end},
            target=posting,
            url=posting.station.get_absolute_url(),
            station=posting.station,
            due_date=posting.term_end,
        )


def todo_refresh_all_term_endings(*, today: datetime.date | None = None) -> None:
    """Refresh term-ending reminders for every current posting with a planned term end."""
    for posting in Posting.objects.current().filter(term_end__isnull=False).select_related("person", "station"):
        todo_refresh_term_ending(posting=posting, today=today)


# Other apps add their demo data here (in AppConfig.ready): a callable taking admin=<user>,
# run by `seed_demo` after the organisation exists. Each must be idempotent.
DEMO_EXTENSIONS = []

# Other apps copy their rules of a version here (in AppConfig.ready): a callable taking
# (old version, new version).
PROFILE_COPY_EXTENSIONS = []

# Other apps add their part of a preset here (in their AppConfig.ready): a callable taking
# (profile version, preset code), so that `stations` never imports them.
PRESET_EXTENSIONS = []


@transaction.atomic
def presets_install(*, update: bool = False) -> list[Profile]:
    """Create the shipped presets (`stations.presets`) that are missing; with `update`, reset
    existing presets to the shipped data. Copies made by administrators are never touched."""
    from .presets import PRESET_YEAR, PRESETS

    installed = []
    for preset in PRESETS:
        profile = Profile.objects.filter(code=preset["code"]).first()
        if profile is not None and not update:
            installed.append(profile)
            continue
        if profile is None:
            profile = Profile(code=preset["code"])
        for name in ("name", "jurisdiction", "description", "source"):
            setattr(profile, name, preset[name])
        profile.preset = preset["code"]
        profile._change_reason = "load_presets"
        profile.save()
        profile.versions.all().delete()
        version = ProfileVersion.objects.create(profile=profile, year=PRESET_YEAR, **preset["version"])
        bulk_create_with_history([TeamKindRule(version=version, **rule) for rule in preset["team_kinds"]],
                                 TeamKindRule)
        steps = []
        for key, chain in preset["chains"].items():
            process, team_kind = key if isinstance(key, tuple) else (key, "")
            steps += [
                ApprovalStep(version=version, process=process, team_kind=team_kind, position=position,
                             actor=actor, action=action)
                for position, (actor, action) in enumerate(chain, start=1)
            ]
        bulk_create_with_history(steps, ApprovalStep)
        bulk_create_with_history([
            AccountabilityRule(version=version, kind=kind, actor=actor)
            for kind, actors in preset["accountability"].items() for actor in actors
        ], AccountabilityRule)
        for extension in PRESET_EXTENSIONS:
            extension(version, preset["code"])
        installed.append(profile)
    from .warnings import mark_all_stale

    mark_all_stale()  # the rules were bulk-created, which sends no signal
    return installed
