"""Rotation leave and home service: requests, the monthly leave allowance, and withdrawal.

The approval itself goes through `stations.approvals`. The allowance (`leave_days_month`) counts
calendar days of pending and approved leave in each month a request touches, so leave across a
month end uses each month's allowance for its own days.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import approvals
from .duty import locked_days, resident_kinds, version_in_force
from .models import Absence, AbsenceKind, Person, Posting, Station
from .permissions import Action, user_can
from .presence import days_by_month
from .services import save_validated

# A request longer than this is a posting problem, not leave (and keeps the day counting bounded).
MAX_DAYS = 92


def _is_chief(user, station: Station) -> bool:
    return Posting.objects.current().chiefs().filter(station=station, person__user=user).exists()


@transaction.atomic
def absence_request(*, user, person: Person, station: Station, kind: str, start_date: datetime.date,
                    end_date: datetime.date, reason: str = "", serving: str = "") -> Absence:
    """Ask for leave or home service for `person` at `station`.

    A person asks for themselves; the chief may schedule anyone of the team (which is the chief's
    step of the chain). Refused with a message: dates outside the posting, an overlap with another
    request, leave at a team kind without presence rules, or leave past the monthly allowance.
    """
    if not user_can(user, Action.WORK, station):
        raise PermissionDenied
    if person.user_id != user.pk and not _is_chief(user, station):
        raise PermissionDenied
    # Serialise requests of one person so that two at once cannot both fit the allowance.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if end_date < start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first.")})
    posted = Posting.objects.current().filter(person=person, station=station, start_date__lte=start_date).first()
    if posted is None or (posted.term_end and end_date > posted.term_end):
        raise ValidationError({"start_date": _("%(person)s is not posted to this team for all of those days.")
                               % {"person": person.name}})
    if (end_date - start_date).days + 1 > MAX_DAYS:
        raise ValidationError({"end_date": _("One request covers at most %(days)s days; split a longer absence.")
                               % {"days": MAX_DAYS}})
    if locked_days(station, start_date, end_date):
        raise ValidationError({"start_date": _("Some of these days are in a monthly report already submitted; "
                                               "ask the bureau to return it first.")})
    version = version_in_force(start_date.year)
    if station.kind not in resident_kinds(version):
        raise ValidationError(_("This team is not resident: it has no presence rules, so no leave to approve."))
    overlap = Absence.objects.counting().overlapping(start_date, end_date).filter(person=person).first()
    if overlap is not None:
        raise ValidationError(_("These days overlap another request (%(request)s).") % {"request": overlap})
    if kind == AbsenceKind.LEAVE:
        _check_allowance(person, start_date, end_date)
    absence = Absence(person=person, station=station, kind=kind, start_date=start_date, end_date=end_date,
                      reason=reason.strip(), serving=serving.strip(), requested_by=user)
    save_validated(absence, user=user, reason=_("Requested"))
    approvals.start(absence, user=user, reason=_("No approval needed"))
    return absence


def _check_allowance(person: Person, start_date: datetime.date, end_date: datetime.date) -> None:
    """Refuse leave that would take any month past the profile's allowance for that month."""
    for (year, month), days in sorted(days_by_month(start_date, end_date).items()):
        version = version_in_force(year)
        allowance = version.leave_days_month if version else None
        if allowance is None:
            continue
        first = datetime.date(year, month, 1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        taken = sum(
            days_by_month(max(start, first), min(end, last)).get((year, month), 0)
            for start, end in Absence.objects.counting().overlapping(first, last)
            .filter(person=person, kind=AbsenceKind.LEAVE).values_list("start_date", "end_date")
        )
        if taken + days > allowance:
            raise ValidationError({"end_date": _(
                "Rotation leave is limited to %(allowance)s days a month. %(month)s already has %(taken)s "
                "day(s) requested or approved, and this request adds %(days)s.") % {
                "allowance": allowance, "month": f"{year}-{month:02d}", "taken": taken, "days": days}})


def absence_decide(*, absence: Absence, user, approve: bool, comment: str = "") -> Absence:
    return approvals.decide(absence, user=user, approve=approve, comment=comment)


def absence_withdraw(*, absence: Absence, user) -> None:
    approvals.withdraw(absence, user=user)


def absence_list(*, user, stations):
    """Requests at the given teams, with the people and teams joined (one query)."""
    return Absence.objects.filter(station__in=stations).select_related("person", "station")
