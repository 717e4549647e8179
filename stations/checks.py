"""Spot checks and the monthly check plan: recorded by the offices that review teams."""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .duty import resident_kinds, version_in_force
from .models import CheckResult, Person, PlannedCheck, Posting, SpotCheck, Station, Whereabouts, WorkLog
from .permissions import Action, Role, has_role, stations_for, user_can
from .services import save_validated

# The offices that check presence (DESIGN §3: the bureau; Shanting's assessment office manages
# the stations jointly with it). A third-party assessor reviews evidence but does not check.
CHECKING_ROLES = (Role.BUREAU, Role.ASSESSMENT)


def may_check(user, station: Station | None = None) -> bool:
    """Checks are the bureau's and the assessment office's work, never on one's own team."""
    return any(has_role(user, role) for role in CHECKING_ROLES) and user_can(user, Action.REVIEW, station)


@transaction.atomic
def check_record(*, user, person: Person, station: Station, date: datetime.date, method: str, result: str,
                 note: str = "") -> SpotCheck:
    """Record a check. An abnormal result on a day logged "at post" is flagged as contradicting it."""
    if not may_check(user, station):
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"date": _("A check cannot be recorded for a day that has not come.")})
    if not Posting.objects.covering(date).filter(person=person, station=station).exists():
        raise ValidationError({"person": _("%(person)s was not posted to this team on that day.")
                               % {"person": person.name}})
    if result == CheckResult.ABNORMAL and not note.strip():
        raise ValidationError({"note": _("Say what was found when a check is abnormal.")})
    logged_at_post = WorkLog.objects.filter(person=person, date=date, whereabouts=Whereabouts.AT_POST).exists()
    check = SpotCheck(person=person, station=station, date=date, method=method, result=result, note=note.strip(),
                      checked_by=user, contradicts_log=result == CheckResult.ABNORMAL and logged_at_post)
    save_validated(check, user=user, reason=_("Spot check"))
    line = PlannedCheck.objects.select_for_update().filter(
        month=date.replace(day=1), person=person, check_done__isnull=True).first()
    if line is not None:
        line.check_done = check
        save_validated(line, user=user, reason=_("Checked"))
    return check


def checkable_postings(user, month: datetime.date, *, ended_since: datetime.date | None = None):
    """Current postings at resident teams the user may check, started by the end of `month`; with
    `ended_since`, also those ended on or after that day (a check may be entered after the person
    left, for a day they were still posted: `check_record` decides on the day)."""
    kinds = resident_kinds(version_in_force(month.year))
    end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    postings = (Posting.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=ended_since)) if ended_since
                else Posting.objects.current())
    return (postings.filter(station__in=stations_for(user, Action.REVIEW), station__kind__in=kinds,
                            start_date__lte=end)
            .select_related("person", "station").order_by("station__name", "role", "pk"))


@transaction.atomic
def plan_draw(*, user, month: datetime.date, count: int, rng: random.Random | None = None) -> list[PlannedCheck]:
    """Add `count` people drawn at random (among those not yet in the month's plan)."""
    if not may_check(user):
        raise PermissionDenied
    if count < 1:
        raise ValidationError({"count": _("Draw at least one person.")})
    planned = set(PlannedCheck.objects.filter(month=month).values_list("person_id", flat=True))
    pool = [posting for posting in checkable_postings(user, month) if posting.person_id not in planned]
    chosen = (rng or random.SystemRandom()).sample(pool, min(count, len(pool)))
    lines = []
    for posting in chosen:
        line = PlannedCheck(month=month, person=posting.person, station=posting.station, drawn=True, planned_by=user)
        save_validated(line, user=user, reason=_("Drawn at random"))
        lines.append(line)
    return lines


@transaction.atomic
def plan_pick(*, user, month: datetime.date, posting: Posting) -> PlannedCheck:
    """Add one chosen person to the month's plan."""
    if not may_check(user, posting.station):
        raise PermissionDenied
    line = PlannedCheck(month=month, person=posting.person, station=posting.station, drawn=False, planned_by=user)
    save_validated(line, user=user, reason=_("Picked"))
    return line
