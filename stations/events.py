"""Events a team attends or hosts, and the advance approval of large hosted events."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import approvals
from .duty import version_in_force
from .models import Event, EventRole, RequestStatus, Station, StepAction
from .permissions import Action, user_can
from .services import save_validated

EVENT_FIELDS = ("title", "date", "place", "role", "city_required", "invited_enterprises", "is_large")


def is_large(*, role: str, invited: int, marked: bool, date: datetime.date) -> bool:
    """Hosted events marked large, or inviting at least the profile's number of enterprises."""
    if role != EventRole.HOSTED:
        return False
    version = version_in_force(date.year)
    threshold = version.large_event_min_invited if version else None
    return marked or (threshold is not None and invited >= threshold)


@transaction.atomic
def event_create(*, user, station: Station, **fields) -> Event:
    """Record an event. A large hosted event becomes a request that must be approved in advance,
    so it has to be entered before its day."""
    if not user_can(user, Action.WORK, station):
        raise PermissionDenied
    event = Event(station=station, created_by=user, **{name: fields[name] for name in EVENT_FIELDS if name in fields})
    event.is_large = is_large(role=event.role, invited=event.invited_enterprises, marked=event.is_large,
                              date=event.date)
    if event.is_large:
        if event.date <= timezone.localdate():
            raise ValidationError({"date": _("A large event needs approval in advance: enter it before its day.")})
        event.status = RequestStatus.PENDING
    save_validated(event, user=user, reason=_("Event"))
    if event.is_large:
        approvals.start(event, user=user, reason=_("No approval needed"))
        event.refresh_from_db()
        if event.status == RequestStatus.APPROVED:
            event.approved_in_advance = True
            save_validated(event, user=user, reason=_("Approved in advance"))
    return event


def _before_the_day(event: Event, step, approve: bool) -> None:
    # Approving must happen before the day; filing with the bureau is for the record and may follow.
    if approve and step.action != StepAction.FILE and timezone.localdate() >= event.date:
        raise ValidationError(_("The event's day has come: it can no longer be approved in advance."))


@transaction.atomic
def event_decide(*, event: Event, user, approve: bool, comment: str = "") -> Event:
    event = approvals.decide(event, user=user, approve=approve, comment=comment, check=_before_the_day)
    if event.status == RequestStatus.APPROVED and not event.approved_in_advance:
        event.approved_in_advance = True
        save_validated(event, user=user, reason=_("Approved in advance"))
    return event


@transaction.atomic
def event_outcome(*, event: Event, user, outcome: str, attended_enterprises: int | None = None) -> Event:
    """After the day: what came of it and how many enterprises came. The number invited, which
    decided whether the event needed approval, is not changed afterwards."""
    if not user_can(user, Action.WORK, event.station):
        raise PermissionDenied
    if event.date > timezone.localdate():
        raise ValidationError({"outcome": _("Record the outcome once the event has taken place.")})
    event.outcome = outcome.strip()
    event.attended_enterprises = attended_enterprises
    save_validated(event, user=user, reason=_("Outcome"))
    return event


def event_approved(event: Event) -> bool:
    """Did the event have the approval it needed before its day? (The funding issue's conference
    expenses require it.)"""
    return not event.is_large or event.approved_in_advance
