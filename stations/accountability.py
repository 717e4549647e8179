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
    if not Posting.objects.filter(person=person, station=station).exists():
        raise ValidationError({"person": _("%(person)s has never been posted to this team.") % {"person": person.name}})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("A decision cannot be recorded before it is taken.")})
    if not evidence.strip():
        raise ValidationError({"evidence": _("State the evidence the decision rests on.")})
    record = AccountabilityRecord(person=person, station=station, kind=kind, office=office, decided_on=decided_on,
                                  evidence=evidence.strip(), outcome=outcome.strip(), warning_key=warning_key.strip(),
                                  recorded_by=user)
    save_validated(record, user=user, reason=_("Recorded"))
    return record


def records_of(*, person: Person):
    return person.accountability_records.select_related("station").order_by("-decided_on", "-pk")
