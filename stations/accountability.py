"""Accountability records: made only by the office the profile names for each kind of decision,
never about one's own team, with evidence; optionally answering a warning by its key."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .duty import version_in_force
from .models import AccountabilityRecord, AccountabilityRule, Person, Posting, Station
from .permissions import ACTOR_ROLES, Action, own_station_ids, roles_of, user_can
from .services import save_validated


def offices_for(user, station: Station) -> dict[str, list[str]]:
    """{kind: [offices]} the user may record about people of `station` under the active profile."""
    version = version_in_force()
    # Offices decide about other teams' people, never their own team's.
    if version is None or not user_can(user, Action.VIEW, station) or station.pk in own_station_ids(user):
        return {}
    roles = roles_of(user)
    allowed = {}
    for rule in AccountabilityRule.objects.filter(version=version):
        if user.is_superuser or ACTOR_ROLES.get(rule.actor) in roles:
            allowed.setdefault(rule.kind, []).append(rule.actor)
    return allowed


@transaction.atomic
def record_create(*, user, person: Person, station: Station, kind: str, office: str, decided_on: datetime.date,
                  evidence: str, outcome: str = "", warning_key: str = "") -> AccountabilityRecord:
    if office not in offices_for(user, station).get(kind, []):
        raise PermissionDenied
    # Never about oneself or anyone now in one's own teams, whichever team the record names.
    if person.user_id == user.pk or Posting.objects.current().filter(
            person=person, station_id__in=own_station_ids(user)).exists():
        raise PermissionDenied
    latest = (Posting.objects.current().filter(person=person).order_by("-start_date").first()
              or Posting.objects.filter(person=person).order_by("-ended_on").first())
    if latest is None or latest.station_id != station.pk:
        raise ValidationError({"person": _("%(person)s is not (or was not last) posted to this team.")
                               % {"person": person.name}})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("A decision cannot be recorded before it is taken.")})
    if not evidence.strip():
        raise ValidationError({"evidence": _("State the evidence the decision rests on.")})
    if warning_key.strip() and not _answers(warning_key.strip(), person, station):
        raise ValidationError({"warning_key": _("That warning is not about this person at this team.")})
    record = AccountabilityRecord(person=person, station=station, kind=kind, office=office, decided_on=decided_on,
                                  evidence=evidence.strip(), outcome=outcome.strip(), warning_key=warning_key.strip(),
                                  recorded_by=user)
    save_validated(record, user=user, reason=_("Recorded"))
    return record


def is_recorded(*, person: Person, station: Station, kind: str, office: str, decided_on: datetime.date,
                evidence: str, outcome: str = "", warning_key: str = "") -> bool:
    """Whether this very decision is already recorded word for word (a form sent twice), as
    `record_create` would store it."""
    return AccountabilityRecord.objects.filter(
        person=person, station=station, kind=kind, office=office, decided_on=decided_on,
        evidence=evidence.strip(), outcome=outcome.strip(), warning_key=warning_key.strip()).exists()


def _answers(key: str, person: Person, station: Station) -> bool:
    """Is `key` a current warning about `person` (or their team as a whole) at `station`?"""
    from .warnings import compute

    return any(warning.key == key and warning.person in (None, person)
               for warning in compute(Station.objects.filter(pk=station.pk)))


def records_of(*, person: Person):
    return person.accountability_records.select_related("station").order_by("-decided_on", "-pk")
