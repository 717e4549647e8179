"""Rewards and penalties: every write, and the reads the pages and sheets share (issue #5 item 6).

* `rewards_compute` proposes the year's first-provider rewards and the introducer's settlements
  from the leads, set-based (a fixed number of queries whatever the number of leads); computing
  again updates the proposals that nobody has acted on and never adds a second reward for a lead.
* `award_propose` enters a collective, single-item or individual award by hand.
* `reward_advance` moves a reward along proposed → audited → decided → published (公示) → paid,
  or rejects it; `rewards_pay` is the year's single payment run; `reward_claw_back` takes back a
  reward found to rest on fraud; `settlement_enter_expenses` records the introducer's promotion
  expenses that the settlement offsets first.
* `penalty_lines` reads the money penalties the engine wrote on the evaluations of a year.

Who acts (seed 003: 招商办、考核办、审计局 audit, the leading group decides; seed 001): the bureau
proposes, computes and publishes; the assessment office or audit audits; leadership decides and
claws back; finance pays. Nobody acts on a reward to themselves or their own unit, and one person
never acts twice in the chain proposed → audited → decided. Every change is a `RewardStep` row;
status changes lock the reward row, and a double submit changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from leads.models import DuplicateStatus, FundsEntry, Lead, Origin
from stations.models import ProfileVersion
from stations.permissions import READ_ALL_ROLES, Role, has_role, roles_of, unit_of
from stations.workdays import add_working_days

from .models import EvaluationLine, SchemeSubject
from .reward_models import (
    AWARD_KINDS,
    BASIS_FIELDS,
    COMPUTED_KINDS,
    TRIGGER_FIELDS,
    IntroducerSettlement,
    Reward,
    RewardKind,
    RewardRules,
    RewardStatus,
    RewardStep,
    Settlement,
    tier_label,
    wan,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")  # 16 digits, 2 decimals
DEFAULT_PUBLICATION_DAYS = 5

PROPOSERS = (Role.BUREAU,)
AUDITORS = (Role.ASSESSMENT, Role.AUDIT)
DECIDERS = (Role.LEADERSHIP,)
PUBLISHERS = (Role.BUREAU,)
PAYERS = (Role.FINANCE,)
CLAWERS = (Role.LEADERSHIP,)

S = RewardStatus
# Target status → (the statuses it may come from, the roles that take the step).
MOVES = {
    S.AUDITED: ((S.PROPOSED,), AUDITORS),
    S.DECIDED: ((S.AUDITED,), DECIDERS),
    S.PUBLISHED: ((S.DECIDED,), PUBLISHERS),
    S.PAID: ((S.PUBLISHED,), PAYERS),
    S.REJECTED: ((S.PROPOSED, S.AUDITED), AUDITORS + DECIDERS),
}
CLAW_BACK_FROM = (S.DECIDED, S.PUBLISHED, S.PAID)
# The chain in which one person acts once.
HANDS = (S.PROPOSED, S.AUDITED, S.DECIDED)

# Reward fields that computing sets on a proposal (compared to decide whether it changed).
COMPUTED_FIELDS = ("year", "recipient_user_id", "recipient_person_id", "recipient_unit_id", "recipient_name",
                   "recipient_org", "basis", "amount", "currency", "foreign_amount", "exchange_rate",
                   "exchange_rate_date", "explanation")
SETTLEMENT_FIELDS = ("already_settled", "suggested", "gross", "brought_forward", "offset", "carried", "net")


# --- Access --------------------------------------------------------------------------------------


def _acts_as(user, roles) -> bool:
    return any(has_role(user, role) for role in roles)


def may_read(user) -> bool:
    """The offices that read every team (the bureau, the assessment office, leadership, finance,
    audit, the organization department, a third-party assessor) read every reward; teams, parks
    and home units do not."""
    return bool(user.is_superuser or roles_of(user) & READ_ALL_ROLES)


def rewards_for(user):
    return Reward.objects.all() if may_read(user) else Reward.objects.none()


def may_propose(user) -> bool:
    """Compute rewards and propose awards: the bureau."""
    return _acts_as(user, PROPOSERS)


def may_pay(user) -> bool:
    return _acts_as(user, PAYERS)


def is_recipient(user, reward: Reward) -> bool:
    """The reward goes to `user`, or to the unit `user` works for."""
    if reward.recipient_user_id is not None and reward.recipient_user_id == user.pk:
        return True
    return bool(reward.recipient_unit_id and not user.is_superuser and unit_of(user) == reward.recipient_unit_id)


def allowed_moves(user, reward: Reward) -> list[str]:
    """The statuses `user` may move `reward` to now (the buttons on its page)."""
    if is_recipient(user, reward):
        return []
    return [status for status, (sources, roles) in MOVES.items()
            if reward.status in sources and _acts_as(user, roles)]


def may_claw_back(user, reward: Reward) -> bool:
    return reward.status in CLAW_BACK_FROM and _acts_as(user, CLAWERS) and not is_recipient(user, reward)


def may_enter_expenses(user, reward: Reward) -> bool:
    return (reward.kind == RewardKind.INTRODUCER and reward.status == S.PROPOSED and _acts_as(user, PROPOSERS)
            and not is_recipient(user, reward))


# --- Rules and checks ----------------------------------------------------------------------------


def rules_for_year(year: int) -> RewardRules | None:
    """The reward rules of the active profile's version in force in `year` (one query)."""
    version = (ProfileVersion.objects.filter(profile__is_active=True, year__lte=year).order_by("-year")
               .select_related("reward_rules").first())
    if version is None:
        return None
    try:
        return version.reward_rules
    except RewardRules.DoesNotExist:
        return None


def check_year(year, field: str = "year") -> int:
    """A year from 2000 to the current one."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give the year as a number.")}) from None
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({field: _("Choose a year from 2000 to this year.")})
    return year


def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount in 元: a number with at most two decimals, positive (or zero when allowed)."""
    try:
        if isinstance(value, (bool, float)):
            raise ValueError
        amount = Decimal(str(value).strip())
        if not amount.is_finite():
            raise ValueError
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Give the amount in 元 as a number.")}) from None
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("An amount has at most two decimals (分).")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be positive.") if not allow_zero
                               else _("The amount cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(CENT)


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _lock(reward: Reward) -> Reward:
    return Reward.objects.select_for_update(of=("self",)).get(pk=reward.pk)


def _step(reward: Reward, status: str, user, comment: str = "", *, fields=(), recover=None) -> RewardStep:
    reward.status = status
    reward._history_user = user
    reward.save(update_fields=["status", *fields])
    return RewardStep.objects.create(reward=reward, status=status, by=user, comment=comment.strip(),
                                     amount_to_recover=recover)


def _settle(settlement: IntroducerSettlement) -> None:
    """The gross first offsets the expenses (entered now and brought forward); the rest carries on."""
    owed = settlement.expenses + settlement.brought_forward
    settlement.offset = min(settlement.gross, owed).quantize(CENT)
    settlement.carried = (owed - settlement.offset).quantize(CENT)
    settlement.net = (settlement.gross - settlement.offset).quantize(CENT)


# --- Computing from the leads --------------------------------------------------------------------


def _provider(lead: Lead) -> dict | None:
    """Who filed the lead first: an outside person by name, else the user credited."""
    user = lead.first_provider_user
    person = getattr(user, "person", None) if user is not None else None
    if lead.first_provider_name:
        return {"recipient_user_id": None, "recipient_person_id": None, "recipient_unit_id": None,
                "recipient_name": lead.first_provider_name, "recipient_org": lead.first_provider_unit}
    if user is None:
        return None
    return {"recipient_user_id": user.pk, "recipient_person_id": person.pk if person else None,
            "recipient_unit_id": None,
            "recipient_name": person.name if person else (user.get_full_name() or user.get_username()),
            "recipient_org": lead.first_provider_unit}


def _first_provider(lead: Lead, rules: RewardRules, entries, trigger_date) -> tuple[dict | None, str]:
    """The first provider's reward for `lead`, or None and why not."""
    recipient = _provider(lead)
    if recipient is None:
        return None, _("no first provider filed")
    when = _("%(trigger)s on %(date)s") % {"trigger": rules.get_first_provider_trigger_display(),
                                           "date": trigger_date}
    plain = {"currency": "CNY", "foreign_amount": None, "exchange_rate": None, "exchange_rate_date": None}
    if lead.origin == Origin.FOREIGN:
        if rules.foreign_rate is None:
            return None, _("no reward rule for foreign projects")
        if not entries:
            return None, _("no registered capital received by the end of the year")
        currencies = {entry.currency for entry in entries}
        if len(currencies) > 1:
            return None, _("funds in place recorded in several currencies")
        received = sum((entry.amount for entry in entries), Decimal("0"))
        basis = sum((entry.amount_cny for entry in entries), Decimal("0"))
        currency = currencies.pop()
        rate = (basis / received).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        amount = _round(basis * rules.foreign_rate)
        receipts = "; ".join(f"{entry.date} {entry.currency} {entry.amount} = {entry.amount_cny}元"
                             for entry in entries)
        explanation = _("Foreign project: registered capital received %(currency)s %(received)s (%(receipts)s), "
                        "%(basis)s元 × %(rate)s%% = %(amount)s元; %(when)s.") % {
            "currency": currency, "received": received, "receipts": receipts, "basis": basis,
            "rate": (rules.foreign_rate * 100).normalize(), "amount": amount, "when": when}
        return recipient | {"basis": basis, "amount": amount, "currency": currency, "foreign_amount": received,
                            "exchange_rate": rate, "exchange_rate_date": entries[-1].date,
                            "explanation": explanation}, ""
    if not rules.first_provider_tiers:
        return None, _("no reward rule for domestic projects")
    if not rules.meets_minimum(getattr(lead, BASIS_FIELDS[rules.minimum_basis])):
        return None, _("below the minimum project size")
    basis = getattr(lead, BASIS_FIELDS[rules.first_provider_basis])
    if basis is None:
        return None, _("no %(basis)s recorded") % {"basis": rules.get_first_provider_basis_display()}
    tier = rules.tier_for(basis)
    if tier is None:
        return None, _("%(basis)s %(amount)s万元 falls in no tier") % {
            "basis": rules.get_first_provider_basis_display(), "amount": wan(basis)}
    amount = Decimal(tier["amount"])
    explanation = _("%(basis)s %(amount)s万元 in %(tier)s: %(reward)s元; %(when)s.") % {
        "basis": rules.get_first_provider_basis_display(), "amount": wan(basis), "tier": tier_label(tier),
        "reward": amount, "when": when}
    return recipient | plain | {"basis": basis, "amount": amount, "explanation": explanation}, ""


def _introducer(lead: Lead) -> dict | None:
    if lead.introducer_unit_id is None and not lead.introducer_person:
        return None
    unit = lead.introducer_unit
    return {"recipient_user_id": None, "recipient_person_id": None, "recipient_unit_id": lead.introducer_unit_id,
            "recipient_name": lead.introducer_person or str(unit),
            "recipient_org": str(unit) if unit and lead.introducer_person else "",
            "currency": "CNY", "foreign_amount": None, "exchange_rate": None, "exchange_rate_date": None}


def _year_end(key, wanted: dict, existing: dict) -> tuple[Decimal, Decimal]:
    """The year-end settlement's gross and the expenses it carries on: as on record once acted on
    (nothing settled if it was rejected or clawed back), else as this run proposes it."""
    reward = existing.get(key)
    if reward is not None and (reward.status != S.PROPOSED or key not in wanted):
        settlement = reward.introducer_settlement
        if reward.status in (S.REJECTED, S.CLAWED_BACK):
            return Decimal("0"), settlement.expenses + settlement.brought_forward
        return settlement.gross, settlement.carried
    if key in wanted:
        return wanted[key][1]["gross"], wanted[key][1]["carried"]
    return Decimal("0"), Decimal("0")


def _expenses(reward: Reward | None) -> Decimal:
    return reward.introducer_settlement.expenses if reward is not None else Decimal("0")


@transaction.atomic
def rewards_compute(*, year: int, user) -> dict:
    """Propose the year's first-provider rewards and introducer settlements from the leads.

    A lead counts once (duplicates never; a suspected duplicate waits for the bureau's decision).
    First provider: the trigger date (signed, started or in production — a setting) falls in the
    year; domestic projects by tier above the minimum size, foreign ones at the rate of the
    registered capital received by the end of the year. Introducer: the year-end settlement for a
    project started in the year (rate × actual fixed-asset investment so far), the after-completion
    settlement for one completed in the year (the formula's amount less the year-end settlement,
    for the leading group to decide). Proposals nobody has acted on are updated, those that no
    longer apply are removed; everything else is left as it is.

    Returns {"created", "updated", "removed", "kept", "skipped": [(lead, reason)], "rules"}."""
    if not _acts_as(user, PROPOSERS):
        raise PermissionDenied
    year = check_year(year)
    rules = rules_for_year(year)
    summary = {"created": 0, "updated": 0, "removed": 0, "kept": 0, "skipped": [], "rules": rules}
    if rules is None or not rules.computes:
        return summary
    # One computation at a time under these rules: two at once (a double click, two bureau users)
    # would both find no proposal and both insert it, and the second would fail on the unique
    # constraint. The second now waits, then reads what the first wrote (and the rules as they are
    # then), as a computation again. NO KEY: rows that point at the rules are not held up.
    rules = summary["rules"] = RewardRules.objects.select_for_update(no_key=True).get(pk=rules.pk)
    if not rules.computes:
        return summary
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    trigger = TRIGGER_FIELDS[rules.first_provider_trigger]
    provider_on = bool(rules.first_provider_tiers or rules.foreign_rate)
    condition = Q(pk__in=[])
    if provider_on:
        condition |= Q(**{f"{trigger}__range": (first, last)})
    if rules.introducer_rate:
        condition |= Q(started_on__range=(first, last)) | Q(completed_on__range=(first, last))
    candidates = Lead.objects.countable().filter(condition)
    leads = list(candidates.select_related("first_provider_user__person", "introducer_unit").order_by("pk"))
    funds = {}
    if rules.foreign_rate:
        for entry in FundsEntry.objects.filter(lead__in=candidates.filter(origin=Origin.FOREIGN),
                                               date__lte=last).order_by("lead_id", "date", "pk"):
            funds.setdefault(entry.lead_id, []).append(entry)
    existing = {(reward.kind, reward.lead_id, reward.settlement): reward for reward in
                Reward.objects.select_for_update(of=("self",)).select_related("introducer_settlement").filter(
                    Q(kind__in=COMPUTED_KINDS)
                    & (Q(lead__in=candidates) | Q(year=year, status=S.PROPOSED)))}

    wanted = {}  # key → (reward fields, settlement fields or None)
    for lead in leads:
        if lead.duplicate_status == DuplicateStatus.SUSPECTED:
            summary["skipped"].append((lead, _("suspected duplicate: the bureau decides it first")))
            continue
        trigger_date = getattr(lead, trigger)
        if provider_on and trigger_date is not None and first <= trigger_date <= last:
            fields, why = _first_provider(lead, rules, funds.get(lead.pk, []), trigger_date)
            if fields is None:
                summary["skipped"].append((lead, why))
            else:
                wanted[(RewardKind.FIRST_PROVIDER, lead.pk, "")] = (fields | {"year": year}, None)
        if not rules.introducer_rate:
            continue
        started = lead.started_on is not None and first <= lead.started_on <= last
        completed = lead.completed_on is not None and first <= lead.completed_on <= last
        if not (started or completed):
            continue
        recipient = _introducer(lead)
        if recipient is None:
            summary["skipped"].append((lead, _("no introducer determined")))
            continue
        if not rules.meets_minimum(getattr(lead, BASIS_FIELDS[rules.minimum_basis])):
            summary["skipped"].append((lead, _("below the minimum project size")))
            continue
        actual = lead.actual_fixed_asset_investment
        if actual is None:
            summary["skipped"].append((lead, _("no actual fixed-asset investment recorded")))
            continue
        formula = _round(actual * rules.introducer_rate)
        rate = (rules.introducer_rate * 100).normalize()
        year_end = (RewardKind.INTRODUCER, lead.pk, Settlement.YEAR_END)
        if started:
            settlement = IntroducerSettlement(already_settled=Decimal("0"), suggested=formula, gross=formula,
                                              brought_forward=Decimal("0"), expenses=_expenses(existing.get(year_end)))
            _settle(settlement)
            explanation = _("Year-end settlement by progress: actual fixed-asset investment so far %(actual)s元 × "
                            "%(rate)s%% = %(gross)s元; less promotion expenses %(offset)s元.") % {
                "actual": actual, "rate": rate, "gross": formula, "offset": settlement.offset}
            wanted[year_end] = (recipient | {"year": year, "basis": actual, "amount": settlement.net,
                                             "explanation": explanation},
                                {name: getattr(settlement, name) for name in SETTLEMENT_FIELDS})
        if completed:
            key = (RewardKind.INTRODUCER, lead.pk, Settlement.AFTER_COMPLETION)
            settled, carried = _year_end(year_end, wanted, existing)
            suggested = max(formula - settled, Decimal("0"))
            settlement = IntroducerSettlement(already_settled=settled, suggested=suggested, gross=suggested,
                                              brought_forward=carried,
                                              expenses=_expenses(existing.get(key)))
            _settle(settlement)
            explanation = _("After completion: actual fixed-asset investment %(actual)s元 × %(rate)s%% = "
                            "%(formula)s元, less %(settled)s元 settled at year end = %(suggested)s元, for the "
                            "leading group to decide; less promotion expenses %(offset)s元.") % {
                "actual": actual, "rate": rate, "formula": formula, "settled": settled, "suggested": suggested,
                "offset": settlement.offset}
            wanted[key] = (recipient | {"year": year, "basis": actual, "amount": settlement.net,
                                        "explanation": explanation},
                           {name: getattr(settlement, name) for name in SETTLEMENT_FIELDS})

    created, changed, changed_settlements = [], [], []
    for key, (fields, settlement_fields) in wanted.items():
        reward = existing.get(key)
        if reward is None:
            created.append((Reward(kind=key[0], lead_id=key[1], settlement=key[2], status=S.PROPOSED,
                                   created_by=user, **fields), settlement_fields))
            continue
        if reward.status != S.PROPOSED:
            summary["kept"] += 1  # acted on: the facts of that moment stand
            continue
        dirty = False
        for name in COMPUTED_FIELDS:
            if getattr(reward, name) != fields[name]:
                setattr(reward, name, fields[name])
                dirty = True
        if settlement_fields:
            settlement = reward.introducer_settlement
            if any(getattr(settlement, name) != value for name, value in settlement_fields.items()):
                for name, value in settlement_fields.items():
                    setattr(settlement, name, value)
                changed_settlements.append(settlement)
                dirty = True
        if dirty:
            changed.append(reward)
    stale = [reward.pk for key, reward in existing.items()
             if key not in wanted and reward.status == S.PROPOSED and reward.year == year]

    if created:
        rewards = bulk_create_with_history([reward for reward, _fields in created], Reward, default_user=user)
        settlements = [IntroducerSettlement(reward=reward, **fields)
                       for reward, (_reward, fields) in zip(rewards, created, strict=True) if fields]
        if settlements:
            bulk_create_with_history(settlements, IntroducerSettlement, default_user=user)
        RewardStep.objects.bulk_create([
            RewardStep(reward=reward, status=S.PROPOSED, by=user, comment=_("Computed from the project's facts."))
            for reward in rewards])
    if changed:
        bulk_update_with_history(changed, Reward, list(COMPUTED_FIELDS), default_user=user)
    if changed_settlements:
        bulk_update_with_history(changed_settlements, IntroducerSettlement, list(SETTLEMENT_FIELDS),
                                 default_user=user)
    if stale:
        Reward.objects.filter(pk__in=stale).delete()
    summary.update(created=len(created), updated=len(changed), removed=len(stale))
    return summary


# --- Awards, steps, payment, clawback ------------------------------------------------------------


@transaction.atomic
def award_propose(*, user, year, kind: str, amount, explanation: str, recipient_person=None, recipient_unit=None,
                  recipient_name: str = "", recipient_org: str = "") -> Reward:
    """The bureau proposes a collective, single-item or individual award (seed 003) for a year."""
    if not _acts_as(user, PROPOSERS):
        raise PermissionDenied
    errors = {}
    if kind not in AWARD_KINDS:
        errors["kind"] = _("Choose a collective, single-item or individual award.")
    try:
        year = check_year(year)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        amount = money(amount)
    except ValidationError as error:
        errors.update(error.message_dict)
    explanation = (explanation or "").strip()
    if not explanation:
        errors["explanation"] = _("Say what the award is for.")
    name = (recipient_name or "").strip() or str(recipient_person or recipient_unit or "")
    if not name:
        errors["recipient_name"] = _("Name the recipient.")
    if kind == RewardKind.COLLECTIVE and recipient_person is not None:
        errors["recipient_person"] = _("A collective award goes to a unit or a group, not to one person.")
    if kind == RewardKind.INDIVIDUAL and recipient_unit is not None:
        errors["recipient_unit"] = _("An individual award goes to a person.")
    if errors:
        raise ValidationError(errors)
    reward = Reward(year=year, kind=kind, recipient_person=recipient_person, recipient_unit=recipient_unit,
                    recipient_user_id=recipient_person.user_id if recipient_person else None, recipient_name=name,
                    recipient_org=(recipient_org or "").strip(), amount=amount, explanation=explanation,
                    created_by=user)
    if is_recipient(user, reward):
        raise ValidationError(_("Nobody proposes a reward to themselves or to their own unit."))
    reward.full_clean()
    reward._history_user = user
    reward.save()
    RewardStep.objects.create(reward=reward, status=S.PROPOSED, by=user, comment=explanation)
    return reward


def _decide_amount(reward: Reward, user, amount, comment: str) -> list[str]:
    """The leading group decides the after-completion settlement's amount, and may change an award's."""
    if reward.settlement == Settlement.AFTER_COMPLETION:
        if amount in (None, ""):
            raise ValidationError({"amount": _("After completion the leading group decides the amount: enter it "
                                               "with the reason.")})
        gross = money(amount, allow_zero=True)
        if not comment:
            raise ValidationError({"comment": _("Give the leading group's reason.")})
        settlement = IntroducerSettlement.objects.select_for_update().get(reward=reward)
        settlement.gross = gross
        _settle(settlement)
        settlement.decided_by, settlement.decision_reason = user, comment
        settlement._history_user = user
        settlement.save()
        reward.amount = settlement.net
        return ["amount"]
    if amount in (None, ""):
        return []
    if not reward.is_award:
        raise ValidationError({"amount": _("This reward's amount follows the rules: it is not decided by hand.")})
    amount = money(amount)
    if amount == reward.amount:
        return []
    if not comment:
        raise ValidationError({"comment": _("Say why the amount is changed.")})
    reward.amount = amount
    return ["amount"]


def _check_payable(reward: Reward, run_year) -> None:
    if run_year is None or int(run_year) != reward.year:
        raise ValidationError(_("Rewards are paid once a year: this payment run pays the rewards of %(run)s, "
                                "not of %(year)s.") % {"run": run_year or "—", "year": reward.year})
    if reward.published_until is not None and timezone.localdate() <= reward.published_until:
        raise ValidationError(_("The publication period runs until %(day)s.") % {"day": reward.published_until})
    _check_payment_month(reward.year)


def _check_payment_month(year: int) -> None:
    rules = rules_for_year(year)
    if rules is not None and rules.payment_month and timezone.localdate().month != rules.payment_month:
        raise ValidationError(_("Rewards are paid in month %(month)s of the year.") % {"month": rules.payment_month})


@transaction.atomic
def reward_advance(*, reward: Reward, user, to_status: str, comment: str = "", amount=None,
                   run_year=None) -> Reward:
    """Move `reward` one step: audited (assessment office or audit), decided (leadership; the
    amount after completion), published (the bureau, for the profile's working days), paid
    (finance, in the payment run of the reward's year, after publication), or rejected with a
    reason (an auditor or leadership). The same step twice changes nothing."""
    if to_status not in MOVES:
        raise ValidationError(_("Choose what to do."))
    sources, roles = MOVES[to_status]
    if not _acts_as(user, roles):
        raise PermissionDenied
    reward = _lock(reward)
    if reward.status == to_status:
        return reward
    if reward.status not in sources:
        raise ValidationError(_("A reward that is “%(status)s” cannot become “%(to)s”.") % {
            "status": reward.get_status_display(), "to": S(to_status).label})
    if is_recipient(user, reward):
        raise ValidationError(_("Nobody acts on a reward to themselves or to their own unit."))
    comment = (comment or "").strip()
    if to_status in HANDS and reward.steps.filter(by=user, status__in=HANDS).exists():
        raise ValidationError(_("You already acted on this reward: one person proposes, another audits, another "
                                "decides."))
    fields = []
    if to_status == S.REJECTED and not comment:
        raise ValidationError({"comment": _("Give the reason for rejecting.")})
    if to_status == S.DECIDED:
        fields += _decide_amount(reward, user, amount, comment)
    elif amount not in (None, ""):
        raise ValidationError({"amount": _("The amount is set when the leading group decides.")})
    if to_status == S.PUBLISHED:
        rules = rules_for_year(reward.year)
        days = rules.publication_working_days if rules else DEFAULT_PUBLICATION_DAYS
        reward.published_until = add_working_days(timezone.localdate(), days)
        fields.append("published_until")
    if to_status == S.PAID:
        _check_payable(reward, run_year)
    _step(reward, to_status, user, comment, fields=fields)
    return reward


@transaction.atomic
def rewards_pay(*, year: int, user) -> int:
    """The year's payment run (paid once a year): finance pays every published reward of `year`
    whose publication has ended, except one to the payer. Returns how many were paid; running it
    again pays only what was not paid yet."""
    if not _acts_as(user, PAYERS):
        raise PermissionDenied
    year = check_year(year)
    _check_payment_month(year)
    today = timezone.localdate()
    payable = Reward.objects.select_for_update(of=("self",)).filter(
        year=year, status=S.PUBLISHED, published_until__lt=today).exclude(recipient_user=user)
    unit = unit_of(user)
    if unit is not None and not user.is_superuser:
        payable = payable.exclude(recipient_unit_id=unit)
    rewards = list(payable)
    for reward in rewards:
        reward.status = S.PAID
    if rewards:
        bulk_update_with_history(rewards, Reward, ["status"], default_user=user)
        comment = _("Payment run for %(year)s") % {"year": year}
        RewardStep.objects.bulk_create([RewardStep(reward=reward, status=S.PAID, by=user, comment=comment)
                                        for reward in rewards])
    return len(rewards)


@transaction.atomic
def reward_claw_back(*, reward: Reward, user, reason: str) -> Reward:
    """Leadership takes back a reward found to rest on fraud (seed 003: 追回已发奖励). A paid reward
    keeps its amount; the step records the amount to recover (nothing if it was not paid yet)."""
    if not _acts_as(user, CLAWERS):
        raise PermissionDenied
    reward = _lock(reward)
    if reward.status == S.CLAWED_BACK:
        return reward
    if reward.status not in CLAW_BACK_FROM:
        raise ValidationError(_("Only a decided, published or paid reward is clawed back; reject a proposal "
                                "instead."))
    if is_recipient(user, reward):
        raise ValidationError(_("Nobody acts on a reward to themselves or to their own unit."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: what was found to be false.")})
    recover = reward.amount if reward.status == S.PAID else Decimal("0")
    _step(reward, S.CLAWED_BACK, user, reason, recover=recover)
    return reward


@transaction.atomic
def settlement_enter_expenses(*, reward: Reward, user, expenses) -> IntroducerSettlement:
    """The bureau enters the introducer's promotion expenses for a proposed settlement; the gross
    offsets them first and what it cannot cover is carried to the next settlement."""
    if not _acts_as(user, PROPOSERS):
        raise PermissionDenied
    reward = _lock(reward)
    if reward.kind != RewardKind.INTRODUCER:
        raise ValidationError(_("Only the introducer's reward offsets promotion expenses."))
    if reward.status != S.PROPOSED:
        raise ValidationError(_("Expenses are entered while the settlement is proposed."))
    if is_recipient(user, reward):
        raise ValidationError(_("Nobody acts on a reward to themselves or to their own unit."))
    expenses = money(expenses, field="expenses", allow_zero=True)
    settlement = IntroducerSettlement.objects.select_for_update().get(reward=reward)
    if settlement.expenses == expenses:
        return settlement
    settlement.expenses, settlement.expenses_entered_by = expenses, user
    settlement.expenses_entered_at = timezone.now()
    _settle(settlement)
    settlement._history_user = user
    settlement.save()
    reward.amount = settlement.net
    reward._history_user = user
    reward.save(update_fields=["amount"])
    return settlement


# --- Reads ---------------------------------------------------------------------------------------


def reward_list(*, user, year: int):
    """The rewards of `year` the user may read, with what their rows show (one query)."""
    return (rewards_for(user).filter(year=year)
            .select_related("lead", "recipient_unit", "introducer_settlement").order_by("kind", "pk"))


def penalty_lines(year: int) -> list[EvaluationLine]:
    """Every money penalty of the year's evaluations (the full-year period), with the subject's
    group and head count from the scheme's subjects, the share of the target missed on the item
    the penalty refers to (`missed`), and `base` from the item's bases: one query."""
    subjects = SchemeSubject.objects.filter(scheme=OuterRef("evaluation__scheme"))
    by_person = subjects.filter(person=OuterRef("evaluation__person"))
    by_unit = subjects.filter(unit=OuterRef("evaluation__unit"))
    referred = EvaluationLine.objects.filter(evaluation=OuterRef("evaluation"), item__code=OuterRef("of_item"))
    lines = list(
        EvaluationLine.objects.filter(
            money__gt=0, item__rule_type="proportional_penalty", evaluation__period_start=datetime.date(year, 1, 1),
            evaluation__period_end=datetime.date(year, 12, 31))
        .select_related("evaluation__scheme", "evaluation__person", "evaluation__unit", "evaluation__station",
                        "item")
        .annotate(group=Coalesce(Subquery(by_person.values("group")[:1]), Subquery(by_unit.values("group")[:1])),
                  heads=Coalesce(Subquery(by_person.values("heads")[:1]), Subquery(by_unit.values("heads")[:1])),
                  of_item=KeyTextTransform("of_item", "item__params"))
        .annotate(missed=Coalesce("shortfall", Subquery(referred.values("shortfall")[:1])))
        .order_by("evaluation__scheme__code", "evaluation__unit__name", "evaluation__person__name", "pk"))
    for line in lines:
        bases = line.item.params.get("bases") or {}
        line.base = Decimal(bases[line.group]) if line.group in bases else None
    return lines


# --- Presets and copies (`stations.services.PRESET_EXTENSIONS`, `PROFILE_COPY_EXTENSIONS`) -------


def reward_rules_install_preset(version, preset_code: str) -> None:
    """Give a preset's new version its reward rules (`scoring.presets.REWARD_RULES`)."""
    from .presets import REWARD_RULES

    values = REWARD_RULES.get(preset_code)
    if values is None:
        return
    rules = RewardRules(version=version, **values)
    rules.full_clean()
    rules.save()


def reward_rules_copy(old_version, new_version) -> None:
    """Copy a version's reward rules with the rest of a profile."""
    rules = RewardRules.objects.filter(version=old_version).first()
    if rules is not None:
        rules.pk = None
        rules.version = new_version
        rules.full_clean()
        rules.save()
