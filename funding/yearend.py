"""Year end: close a team's budget year, and record what a dismissed person must pay back.

Closing takes the year's balance out with one closing entry, dated 31 December: it goes back to
the treasury, or — where the funding rule says so — into the next year by a carry-over entry
dated 1 January, which raises that year's ceiling. A closed year takes no more entries, claims
or reversals. A year is closed once it is over and nothing in it is still pending or held.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import AccountabilityKind, ApprovalActor, Person, Posting, RequestStatus, Station
from stations.permissions import ACTOR_ROLES, Action, has_role, own_station_ids, require

from . import ledger
from .budgets import rule_for
from .models import BudgetIncrease, ClaimStatus, EntryKind, ExpenseClaim, Recovery, YearClose, YearEnd


def may_close(user, station: Station) -> bool:
    return ledger.may_record(user, station.pk)


@transaction.atomic
def year_close(*, user, station: Station, year: int) -> YearClose:
    """Close `station`'s `year` (the bureau or finance, after the year is over)."""
    if not may_close(user, station):
        raise PermissionDenied(_("Only the bureau or finance close a team's year, never their own team's."))
    if year >= timezone.localdate().year:
        raise ValidationError(_("A year is closed once it is over."))
    ledger.lock_team(station.pk)
    if YearClose.objects.filter(station=station, year=year).exists():
        raise ValidationError(_("%(year)s is already closed for this team.") % {"year": year})
    if ExpenseClaim.objects.filter(station=station, year=year, status__in=(ClaimStatus.PENDING,
                                                                           ClaimStatus.HELD)).exists():
        raise ValidationError(_("Decide or withdraw the claims of %(year)s still open first.") % {"year": year})
    if BudgetIncrease.objects.filter(station=station, year=year, status=RequestStatus.PENDING).exists():
        raise ValidationError(_("Decide the budget increase of %(year)s still open first.") % {"year": year})
    balance = ledger.balance(station, year)
    if balance < 0:
        raise ValidationError(_("The balance of %(year)s is %(balance)s yuan: record the money still owed to the "
                                "team before closing.") % {"year": year, "balance": balance})
    rule = rule_for(station, year)
    disposition = rule.year_end if rule else YearEnd.RETURN
    closing = carried = None
    if balance > 0:
        words = (_("Carried over to %(year)s") % {"year": year + 1} if disposition == YearEnd.CARRY_OVER
                 else _("Returned at the close of %(year)s") % {"year": year})
        closing = ledger.post(user=user, station=station, year=year, date=datetime.date(year, 12, 31),
                              kind=EntryKind.CLOSING, amount=-balance, description=words, reference=f"JZ{year}")
        if disposition == YearEnd.CARRY_OVER:
            ledger.require_open_year(station.pk, year + 1)
            carried = ledger.post(user=user, station=station, year=year + 1, date=datetime.date(year + 1, 1, 1),
                                  kind=EntryKind.CARRY_OVER, amount=balance,
                                  description=_("Carried over from %(year)s") % {"year": year},
                                  reference=f"JZ{year}")
    close = YearClose(station=station, year=year, balance=balance, disposition=disposition, closing=closing,
                      carried=carried, closed_by=user)
    close.full_clean()
    close.save()
    return close


def dismissal_applies(station: Station) -> bool:
    """Whether the profile in force dismisses people (Susong's 解聘), so a recovery can be recorded."""
    rule = rule_for(station, timezone.localdate().year)
    return rule is not None and rule.version.accountability_rules.filter(kind=AccountabilityKind.DISMISSAL).exists()


def may_record_recovery(user, station: Station) -> bool:
    """Whoever the profile has decide a dismissal (Susong: the leading group), or the bureau that
    keeps the money; never on their own team."""
    if station.pk in own_station_ids(user) or not dismissal_applies(station):
        return False
    rule = rule_for(station, timezone.localdate().year)
    actors = set(rule.version.accountability_rules.filter(kind=AccountabilityKind.DISMISSAL)
                 .values_list("actor", flat=True)) | {ApprovalActor.BUREAU}
    return any(has_role(user, ACTOR_ROLES[actor]) for actor in actors if actor in ACTOR_ROLES)


@transaction.atomic
def recovery_record(*, user, station: Station, person: Person, year: int, amount, basis: str,
                    token: uuid.UUID | None = None) -> Recovery:
    """Record the amount determined to be recovered from `person`, dismissed from `station`: at
    most what the team spent in `year` (the funds used), which is filled in from the ledger. A
    second call with the same form `token` returns the recovery it recorded."""
    require(user, Action.FUNDS, station)
    if not may_record_recovery(user, station):
        raise PermissionDenied
    # The team's row first, as every write to its money: a double submit waits here and then
    # finds the first one's recovery by its token.
    ledger.lock_team(station.pk)
    if token is not None:
        existing = Recovery.objects.filter(token=token, station=station).first()
        if existing is not None:
            return existing
    errors = {}
    if not Posting.objects.filter(station=station, person=person).exists():
        errors["person"] = _("Choose someone who was posted to this team.")
    try:
        number = ledger.clean_amount(amount)
    except ValidationError as error:
        errors["amount"] = error.message_dict["amount"][0]
        number = None
    if not (basis or "").strip():
        errors["basis"] = _("Give the basis of the determination (the decision and its date).")
    funds_used = ledger.execution(station, year).spent
    if number is not None and not 0 < number <= funds_used:
        errors["amount"] = _("Enter an amount above zero and at most the %(used)s yuan used in %(year)s.") % {
            "used": funds_used, "year": year}
    if errors:
        raise ValidationError(errors)
    recovery = Recovery(station=station, person=person, year=year, funds_used=funds_used, amount=number,
                        basis=basis.strip(), recorded_by=user, token=token)
    recovery.full_clean()
    recovery.save()
    return recovery

