"""Expense claims: filed by the team, approved along the profile's chain, posted to the ledger.

The life of a claim:

* **filed** (`claim_file`) by someone posted to the team, with its receipts; checked against the
  category's rule (the city's lodging cap, the daily meal allowance, an approved large event for
  a conference fee), the year (not closed, not in the future) and the invoice number (once in the
  whole system — a refused or withdrawn claim gives it back). A chief's own claim carries the
  chief's signature in the chain's chief step;
* **approved** step by step (`claim_decide`, through `stations.approvals`); with the last step
  the claim is paid: one expense in the ledger, under the team's row lock, so that approvals at
  the same moment are counted one after the other;
* **held** instead when paying it would take the team past its ceiling (budget + self-funding +
  carry-over). Only the person the funding rule names may then let it through, with a reason
  (`claim_override`: the expense is marked as passing the budget), or turn it down
  (`claim_decline`); either is one more decision row;
* **withdrawn** by the requester or the chief while it is pending or held.

A lump-sum team (包干) has no chain: its claims are paid as they are filed — the team reports
what it spent — but still never past the ceiling without an override.
"""

from __future__ import annotations

import datetime
import os
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations import approvals
from stations.events import event_approved
from stations.models import ApprovalActor, Event, Outcome, Posting, RequestStatus, StationUnitRole, StepAction
from stations.models.todo import TodoKind
from stations.permissions import (
    ACTOR_ROLES,
    Action,
    Role,
    has_role,
    own_station_ids,
    require,
    unit_of,
    user_can,
)
from stations.services import save_validated, todo_close, todo_open

from . import ledger
from .budgets import rule_for
from .models import (
    LIVE_STATUSES,
    CategoryCheck,
    ClaimDecision,
    ClaimStatus,
    EntryKind,
    ExpenseClaim,
    Receipt,
    TravelStandard,
)

# What a receipt may be, by extension, and how its first bytes must begin. An OFD (the national
# e-invoice format) is a zip container.
RECEIPT_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".ofd": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
MAX_RECEIPTS = 10


def receipt_max_bytes() -> int:
    return getattr(settings, "FUNDING_RECEIPT_MAX_MB", 10) * 1024 * 1024


def check_receipt(upload) -> None:
    """Refuse a receipt that is not a PDF, OFD, JPG or PNG by both its name and its first bytes,
    is empty, or is larger than the limit (`FUNDING_RECEIPT_MAX_MB`, default 10)."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in RECEIPT_SIGNATURES:
        raise ValidationError({"receipts": _("%(name)s: upload receipts as PDF, OFD, JPG or PNG.") % {"name": name}})
    if not upload.size:
        raise ValidationError({"receipts": _("%(name)s is empty.") % {"name": name}})
    if upload.size > receipt_max_bytes():
        raise ValidationError({"receipts": _("%(name)s is larger than %(limit)s MB.") % {
            "name": name, "limit": receipt_max_bytes() // (1024 * 1024)}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(RECEIPT_SIGNATURES[extension]):
        raise ValidationError({"receipts": _("%(name)s is not the %(kind)s file its name says it is.") % {
            "name": name, "kind": extension.lstrip(".").upper()}})


def normalise_invoice(number: str) -> str:
    """An invoice number as compared: no spaces, upper case (the same invoice typed twice is one)."""
    return "".join((number or "").split()).upper()


def standard_for(version, city: str) -> TravelStandard | None:
    standards = {standard.city: standard for standard in TravelStandard.objects.filter(version=version)}
    return standards.get(city.strip()) or standards.get("")


# --- Filing ---------------------------------------------------------------------------------------

@transaction.atomic
def claim_file(*, user, station, date: datetime.date, category, amount, payee: str, description: str,
               invoice_number: str = "", nights: int | None = None, days: int | None = None, city: str = "",
               event: Event | None = None, receipts=(), token: uuid.UUID | None = None) -> ExpenseClaim:
    """File a claim for `station` as `user`, who must be posted to it. Raises `ValidationError`
    with a message per field and writes nothing when anything is wrong. A second submit with the
    same form `token` returns the claim the first one filed."""
    require(user, Action.WORK, station)
    if token is not None:
        existing = ExpenseClaim.objects.filter(token=token, station=station).first()
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if date > today:
        errors["date"] = _("The date cannot be in the future.")
    rule = rule_for(station, date.year)
    if rule is None:
        raise ValidationError(_("The profile has no funding rule for this team in %(year)s.") % {"year": date.year})
    try:
        number = ledger.clean_amount(amount)
    except ValidationError as error:
        errors["amount"] = error.message_dict["amount"][0]
    else:
        if number <= 0:
            errors["amount"] = _("The amount must be more than zero.")
    if category is None or not category.is_active:
        errors["category"] = _("Choose a category in use.")
    if not (payee or "").strip():
        errors["payee"] = _("Name who was paid.")
    if not (description or "").strip():
        errors["description"] = _("Say what the money was for.")
    receipts = list(receipts)
    if rule.receipts_required and not receipts:
        errors["receipts"] = _("Attach the receipt (PDF, OFD, JPG or PNG).")
    if len(receipts) > MAX_RECEIPTS:
        errors["receipts"] = _("Attach at most %(count)s files.") % {"count": MAX_RECEIPTS}
    for upload in receipts:
        try:
            check_receipt(upload)
        except ValidationError as error:
            errors["receipts"] = error.message_dict["receipts"][0]
            break
    invoice = normalise_invoice(invoice_number)
    if rule.receipts_required and not invoice:
        errors["invoice_number"] = _("Give the invoice number printed on the receipt.")
    if category is not None and "amount" not in errors and "date" not in errors:
        errors.update(_category_errors(category, station, rule.version, number, nights, days, city, event))
    if errors:
        raise ValidationError(errors)
    # The team's row first (the lock order of every path that posts): the year cannot close
    # between this check and the claim, which a closing looks for.
    ledger.lock_team(station.pk)
    ledger.require_open_year(station.pk, date.year)
    if invoice and ExpenseClaim.objects.filter(invoice_number=invoice, status__in=LIVE_STATUSES).exists():
        raise ValidationError({"invoice_number": _("Invoice %(number)s has already been claimed.")
                               % {"number": invoice}})

    claim = ExpenseClaim(
        station=station, year=date.year, date=date, category=category, amount=number, payee=payee.strip(),
        description=description.strip(), invoice_number=invoice, nights=nights, days=days, city=city.strip(),
        event=event, requester=user, token=token,
    )
    save_validated(claim, user=user, reason=_("Filed"))  # a racing duplicate invoice ends here
    for upload in receipts:
        Receipt.objects.create(claim=claim, file=upload, name=os.path.basename(upload.name)[:200],
                               size=upload.size, uploaded_by=user)
    approvals.start(claim, user=user, reason=_("Paid"), chief_signs=True, on_complete=_pay_or_hold)
    _notify_held(claim)
    return claim


def _category_errors(category, station, version, amount, nights, days, city, event) -> dict[str, str]:
    """What the category's check says of the claim, under the funding rule's profile `version`."""
    errors = {}
    check = category.checked_against
    if check == CategoryCheck.LODGING:
        standard = standard_for(version, city or station.home_city)
        if not nights:
            errors["nights"] = _("Give the number of nights.")
        elif standard is not None and amount > standard.lodging_per_night * nights:
            errors["amount"] = _("%(amount)s yuan is above the lodging cap: %(nights)s × %(cap)s yuan a night "
                                 "in %(city)s.") % {"amount": amount, "nights": nights,
                                                    "cap": standard.lodging_per_night,
                                                    "city": standard.city or _("this city")}
    elif check == CategoryCheck.MEALS:
        standard = standard_for(version, city or station.home_city)
        if not days:
            errors["days"] = _("Give the number of days at post.")
        elif standard is not None and amount > standard.meals_per_day * days:
            errors["amount"] = _("%(amount)s yuan is above the meal allowance: %(days)s × %(cap)s yuan a day.") % {
                "amount": amount, "days": days, "cap": standard.meals_per_day}
    elif check == CategoryCheck.EVENT:
        if event is None:
            errors["event"] = _("A conference fee names the large event it was for.")
        elif event.station_id != station.pk:
            errors["event"] = _("Choose an event of this team.")
        elif not (event.is_large and event.status == RequestStatus.APPROVED and event_approved(event)):
            errors["event"] = _("The event needs its large-event approval, given before it took place.")
    return errors


# --- Paying or holding ------------------------------------------------------------------------------

def _pay_or_hold(claim: ExpenseClaim, user) -> None:
    """The chain is complete: pay the claim if the team can afford it, hold it if not. The caller
    holds the team's row (`ledger.lock_team`), so the spending read here is not stale."""
    spent, ceiling = ledger.spend_and_ceiling(claim.station_id, claim.year)
    if spent + claim.amount > ceiling:
        claim.status = ClaimStatus.HELD
        return
    _pay(claim, user, over_budget=False)


def _pay(claim: ExpenseClaim, user, *, over_budget: bool) -> None:
    ledger.require_open_year(claim.station_id, claim.year)
    claim.entry = ledger.post(
        user=user, station=claim.station, year=claim.year, date=claim.date, kind=EntryKind.EXPENSE,
        amount=-claim.amount, category=claim.category, description=f"{claim.payee}: {claim.description}",
        reference=claim.number, over_budget=over_budget,
    )
    claim.status = ClaimStatus.APPROVED


def _notify_held(claim: ExpenseClaim) -> None:
    """Open a to-do for whoever may let a held claim through (and close it once it is settled)."""
    if claim.status == ClaimStatus.PENDING:
        return  # the chain's next actors have just been notified (`approvals.notify_next`)
    if claim.status != ClaimStatus.HELD:
        todo_close(kind=TodoKind.APPROVAL, target=claim)
        return
    for user in override_candidates(claim):
        todo_open(user=user, kind=TodoKind.APPROVAL, title=_("Past the budget: %(claim)s") % {"claim": claim},
                  target=claim, url=claim.get_absolute_url(), station=claim.station)


# --- Deciding ---------------------------------------------------------------------------------------

@transaction.atomic
def claim_decide(*, user, claim: ExpenseClaim, approve: bool, comment: str = "") -> ExpenseClaim:
    """Act in the claim's pending step; the last approval pays it or holds it."""
    require(user, Action.FUNDS, claim.station)
    ledger.lock_team(claim.station_id)
    claim = approvals.decide(claim, user=user, approve=approve, comment=comment, on_complete=_pay_or_hold)
    _notify_held(claim)
    return claim


def override_actor(claim: ExpenseClaim) -> str:
    rule = rule_for(claim.station, claim.year)
    return rule.override_actor if rule else ApprovalActor.LEADERSHIP


def override_actor_label(claim: ExpenseClaim) -> str:
    return str(ApprovalActor(override_actor(claim)).label)


def may_override(user, claim: ExpenseClaim) -> bool:
    """The person the funding rule names (a role, or the team's lead unit), never on their own team."""
    if claim.station_id in own_station_ids(user) or not user_can(user, Action.FUNDS, claim.station):
        return False
    actor = override_actor(claim)
    if actor in ACTOR_ROLES:
        return has_role(user, ACTOR_ROLES[actor])
    if actor == ApprovalActor.LEAD_UNIT:
        return has_role(user, Role.HOME_UNIT) and claim.station.station_units.filter(
            unit_id=unit_of(user), role=StationUnitRole.LEAD).exists()
    return False


def override_candidates(claim: ExpenseClaim) -> list:
    users = get_user_model().objects.filter(is_active=True).select_related("person")
    actor = override_actor(claim)
    if actor in ACTOR_ROLES:
        users = users.filter(groups__name=ACTOR_ROLES[actor])
    elif actor == ApprovalActor.LEAD_UNIT:
        users = users.filter(groups__name=Role.HOME_UNIT, person__home_unit__in=claim.station.station_units.filter(
            role=StationUnitRole.LEAD).values("unit"))
    else:
        return []
    return [user for user in users.distinct() if may_override(user, claim)]


def _held(user, claim: ExpenseClaim, reason: str) -> ExpenseClaim:
    require(user, Action.FUNDS, claim.station)
    ledger.lock_team(claim.station_id)
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.HELD:
        raise ValidationError(_("Only a claim held past the budget waits for this decision."))
    if not may_override(user, claim):
        raise PermissionDenied(_("Only %(actor)s may decide a claim held past the budget.")
                               % {"actor": ApprovalActor(override_actor(claim)).label})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    return claim


def _record(claim: ExpenseClaim, user, outcome: str, reason: str) -> None:
    position = max((decision.position for decision in claim.decisions.all()), default=0) + 1
    ClaimDecision.objects.create(claim=claim, position=position, actor=override_actor(claim),
                                 action=StepAction.APPROVE, outcome=outcome, decided_by=user, comment=reason[:300])


@transaction.atomic
def claim_override(*, user, claim: ExpenseClaim, reason: str) -> ExpenseClaim:
    """Let a held claim through past the budget, with the reason on record. If a budget increase
    has made room meanwhile, it is paid as an ordinary expense (no override is then needed)."""
    claim = _held(user, claim, reason)
    reason = reason.strip()
    spent, ceiling = ledger.spend_and_ceiling(claim.station_id, claim.year)
    over = spent + claim.amount > ceiling
    _record(claim, user, Outcome.DONE, reason)
    if over:
        claim.override_by, claim.override_reason, claim.override_at = user, reason, timezone.now()
    _pay(claim, user, over_budget=over)
    save_validated(claim, user=user, reason=_("Let past the budget") if over else _("Paid"))
    _notify_held(claim)
    return claim


@transaction.atomic
def claim_decline(*, user, claim: ExpenseClaim, reason: str) -> ExpenseClaim:
    """Turn down a held claim: it is refused and its invoice may be claimed again."""
    claim = _held(user, claim, reason)
    _record(claim, user, Outcome.REFUSED, reason.strip())
    claim.status = ClaimStatus.REFUSED
    save_validated(claim, user=user, reason=_("Refused past the budget"))
    _notify_held(claim)
    return claim


@transaction.atomic
def claim_withdraw(*, user, claim: ExpenseClaim) -> ExpenseClaim:
    """The requester, or the team's chief, withdraws a claim that is pending or held."""
    require(user, Action.WORK, claim.station)
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    is_chief = Posting.objects.current().chiefs().filter(station=claim.station_id,
                                                                   person__user=user).exists()
    if user.pk != claim.requester_id and not is_chief:
        raise PermissionDenied
    if not claim.is_open:
        raise ValidationError(_("Only a claim still pending or held can be withdrawn."))
    claim.status = ClaimStatus.WITHDRAWN
    save_validated(claim, user=user, reason=_("Withdrawn"))
    todo_close(kind=TodoKind.APPROVAL, target=claim)
    return claim


def may_file(user, station) -> bool:
    return user_can(user, Action.WORK, station)


def steps_for(user, claim: ExpenseClaim) -> list:
    """The chain steps of a pending claim that `user` may act in now: the pending one, or none."""
    return [approvals.pending_step(claim)] if approvals.may_decide(user, claim) else []
