"""Every write of the `leads` app: filing, duplicates, stage moves, screening, transfers, facts.

Each service is keyword-only, checks access through `leads.access` (built on
`stations.permissions`), validates, runs in one transaction and records history. A stage move is
always a `StageChange` row.
"""

from __future__ import annotations

import difflib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Profile, ProfileVersion
from stations.permissions import Action, Role, has_role, stations_for, user_can
from stations.services import save_validated

from . import access
from .models import (
    SIGNED_OR_LATER,
    Contact,
    DuplicateStatus,
    Enterprise,
    ExecutiveRank,
    FollowUpPlan,
    FundsEntry,
    InvestorVisit,
    Lead,
    LeadOutcome,
    LeadRules,
    MeetingDecision,
    ReturnVisit,
    ScreeningDecision,
    ScreeningMeeting,
    Stage,
    StageChange,
    Tag,
    Visit,
    normalise_enterprise_name,
)

LEAD_FIELDS = (
    "title", "content", "enterprise", "investor_contact", "investor_name", "investor_phone", "source", "category",
    "industry", "origin", "currency", "exchange_rate", "exchange_rate_date", "total_investment",
    "fixed_asset_investment", "land_mu", "factory_sqm", "utilities", "policy_needs", "requirements_note",
    "first_provider_name", "first_provider_unit", "previous_phase",
)
TITLE_SIMILARITY = 0.5
STAGE_MOVE_REASON = "stage:"
# The units a screening meeting may hand a lead to: parks (and platform companies that act as one).
TRANSFER_UNIT_KINDS = ("park", "platform")


def rules_for(profile: Profile | None = None) -> LeadRules:
    """The lead rules in force: the active profile's current version (defaults if it has none)."""
    version = profile.version_for() if profile else ProfileVersion.objects.in_force().first()
    if version is None:
        return LeadRules()
    rules = LeadRules.objects.filter(version=version).first()
    return rules or LeadRules(version=version)


def lead_rules_install_preset(version, preset_code: str) -> None:
    """Give a preset's new version its lead rules (called by `stations.services.presets_install`)."""
    from .presets import LEAD_RULES

    values = LEAD_RULES.get(preset_code)
    if values:
        LeadRules.objects.update_or_create(version=version, defaults=values)


def lead_rules_copy(old_version, new_version) -> None:
    """Copy a version's lead rules with the rest of a profile (`stations.services.profile_copy`)."""
    rules = LeadRules.objects.filter(version=old_version).first()
    if rules:
        rules.pk = None
        rules.version = new_version
        rules.save()


# --- Enterprises --------------------------------------------------------------------------------


def enterprise_find_or_create(*, user, name: str, credit_code: str = "", **fields) -> Enterprise:
    """The enterprise with this credit code (or, without one, this normalised name), else a new one."""
    credit_code = (credit_code or "").strip().upper()
    if credit_code:
        existing = Enterprise.objects.filter(credit_code=credit_code).first()
    else:
        existing = Enterprise.objects.filter(normalised_name=normalise_enterprise_name(name)).first()
    if existing:
        return existing
    enterprise = Enterprise(name=name.strip(), credit_code=credit_code, **fields)
    save_validated(enterprise, user=user, reason=_("Enterprise added"))
    return enterprise


# --- Duplicates -----------------------------------------------------------------------------------


def possible_duplicates(*, title: str, enterprise_name: str = "", credit_code: str = "", exclude_pk=None,
                        limit: int = 10) -> list[Lead]:
    """Earlier leads that may be the same project: the same credit code, or the same normalised
    enterprise name with a similar title. Searches every team: one project counts once."""
    candidates = Lead.objects.countable().select_related("station", "enterprise")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    credit_code = (credit_code or "").strip().upper()
    if credit_code:
        found += list(candidates.filter(enterprise__credit_code=credit_code)[:limit])
    normalised = normalise_enterprise_name(enterprise_name)
    if normalised:
        same_name = candidates.filter(enterprise__normalised_name=normalised).exclude(pk__in=[c.pk for c in found])
        for lead in same_name[:100]:
            ratio = difflib.SequenceMatcher(None, lead.title, title).ratio()
            if ratio >= TITLE_SIMILARITY:
                found.append(lead)
    return sorted(found, key=lambda lead: (lead.filed_at, lead.pk))[:limit]


# --- Filing and editing -----------------------------------------------------------------------------


@transaction.atomic
def lead_file(*, user, station, tags=(), enterprise_name: str = "", credit_code: str = "",
              first_provider_user=None, filed_at=None, credit_filer: bool = True, **fields) -> Lead:
    """File a lead for `station`. The filing time establishes first-provider priority; a lead
    that may repeat an earlier one is marked as a suspected duplicate for the bureau. Unless an
    outside first provider is named (or `credit_filer` is False), the filer is the first provider."""
    if not access.can_file(user, station) and not has_role(user, Role.BUREAU):
        raise PermissionDenied
    values = {name: fields[name] for name in LEAD_FIELDS if name in fields}
    if enterprise_name and not values.get("enterprise"):
        values["enterprise"] = enterprise_find_or_create(user=user, name=enterprise_name, credit_code=credit_code)
    enterprise = values.get("enterprise")
    now = timezone.now()
    lead = Lead(
        station=station,
        filed_at=filed_at or now,
        filed_by=user,
        created_by=user,
        first_provider_user=first_provider_user if first_provider_user is not None else (
            None if (values.get("first_provider_name") or not credit_filer) else user),
        **values,
    )
    _clean(lead)
    if lead.previous_phase is not None and lead.previous_phase.station_id != station.pk:
        raise ValidationError({"previous_phase": _("Link a phase of the same team's project.")})
    if possible_duplicates(title=lead.title, enterprise_name=enterprise.name if enterprise else "",
                           credit_code=enterprise.credit_code if enterprise else ""):
        lead.duplicate_status = DuplicateStatus.SUSPECTED
    save_validated(lead, user=user, reason=_("Lead filed"))
    if tags:
        lead.tags.set(_tags(tags))
    StageChange.objects.create(lead=lead, from_stage="", to_stage=Stage.FILED, by=user, note=_("Filed"))
    return lead


def _tags(names):
    return [Tag.objects.get_or_create(name=name.strip())[0] for name in names if name and name.strip()]


TEXT_FIELDS = ("title", "content", "investor_name", "investor_phone", "utilities", "policy_needs",
               "requirements_note", "first_provider_name", "first_provider_unit")


def _clean(lead: Lead) -> None:
    """Trim text (a blank answer is no answer: classes and counts depend on it) and check money."""
    for name in TEXT_FIELDS:
        setattr(lead, name, (getattr(lead, name) or "").strip())
    errors = {}
    if lead.origin == "foreign" and lead.currency == "CNY":
        errors["currency"] = _("A foreign project needs its currency.")
    if lead.currency != "CNY" and (lead.exchange_rate is None or lead.exchange_rate_date is None):
        errors["exchange_rate"] = _("Money in a foreign currency needs the exchange rate and its date.")
    if (lead.total_investment is not None and lead.fixed_asset_investment is not None
            and lead.fixed_asset_investment > lead.total_investment):
        errors["fixed_asset_investment"] = _("Fixed-asset investment cannot exceed the total investment.")
    if errors:
        raise ValidationError(errors)


# What a lead is and who brought it: fixed once screening is over (the counts depend on them).
LOCKED_AFTER_SCREENING = (
    "title", "enterprise", "source", "category", "origin", "currency", "exchange_rate", "exchange_rate_date",
    "total_investment", "fixed_asset_investment", "first_provider_name", "first_provider_unit", "previous_phase",
)


def screening_over(lead: Lead) -> bool:
    stage = lead.held_from if lead.stage == Stage.ON_HOLD else lead.stage
    return stage not in access.SCREENING_STAGES


@transaction.atomic
def lead_update(*, lead: Lead, user, tags=None, enterprise_name: str | None = None, credit_code: str = "",
                **fields) -> Lead:
    """Edit a lead's facts (who may: see `access.can_edit`). Team and filing never change here;
    after screening, what the lead is and who brought it (`LOCKED_AFTER_SCREENING`) no longer
    change either. A changed title or enterprise is checked for duplicates again."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if not access.can_edit(user, lead):
        raise PermissionDenied
    if enterprise_name is not None:
        enterprise_name = enterprise_name.strip()
        current = lead.enterprise
        if enterprise_name and (current is None or current.name != enterprise_name
                                or (credit_code and current.credit_code != credit_code.strip().upper())):
            fields["enterprise"] = enterprise_find_or_create(user=user, name=enterprise_name, credit_code=credit_code)
        elif not enterprise_name:
            fields["enterprise"] = None
    changed = [name for name in LEAD_FIELDS if name in fields and getattr(lead, name) != fields[name]]
    locked = [name for name in changed if name in LOCKED_AFTER_SCREENING]
    if locked and screening_over(lead):
        raise ValidationError({name: _("Fixed once screening is over.") for name in locked})
    if "previous_phase" in changed:
        _check_previous_phase(lead, fields["previous_phase"])
    had_provider = bool(lead.first_provider_user_id or lead.first_provider_name)
    for name in changed:
        setattr(lead, name, fields[name])
    _clean(lead)
    if had_provider and not (lead.first_provider_user_id or lead.first_provider_name):
        raise ValidationError({"first_provider_name": _("A lead always keeps its first provider.")})
    if {"title", "enterprise"} & set(changed) and lead.duplicate_status in ("", DuplicateStatus.DISTINCT):
        enterprise = lead.enterprise
        if possible_duplicates(title=lead.title, enterprise_name=enterprise.name if enterprise else "",
                               credit_code=enterprise.credit_code if enterprise else "", exclude_pk=lead.pk):
            lead.duplicate_status = DuplicateStatus.SUSPECTED
    if changed:
        save_validated(lead, user=user, reason=_("Lead edited"))
    if tags is not None:
        lead.tags.set(_tags(tags))
    return lead


def _check_previous_phase(lead: Lead, previous: Lead | None) -> None:
    """An earlier phase is another lead of the same team, filed earlier, without a loop."""
    if previous is None:
        return
    if previous.station_id != lead.station_id:
        raise ValidationError({"previous_phase": _("Link a phase of the same team's project.")})
    seen = {lead.pk}
    while previous is not None:
        if previous.pk in seen:
            raise ValidationError({"previous_phase": _("These leads would follow each other in a loop.")})
        seen.add(previous.pk)
        previous = previous.previous_phase


@transaction.atomic
def lead_reassign(*, lead: Lead, user, station, reason: str) -> Lead:
    """Move a lead to another team — only the bureau, with a recorded reason (never silently)."""
    if not (has_role(user, Role.BUREAU) and user_can(user, Action.REVIEW, lead.station)
            and user_can(user, Action.REVIEW, station)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for moving the lead to another team.")})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    lead.station = station
    save_validated(lead, user=user, reason=_("Moved to %(station)s: %(reason)s") % {"station": station, "reason": reason})
    return lead


@transaction.atomic
def lead_determine(*, lead: Lead, user, introducer_unit=None, introducer_person="", service_unit=None,
                   service_secretary="", investor_name=None) -> Lead:
    """The bureau's determination (认定) of introducer, service unit and secretary, and investor."""
    if not access.can_screen(user, lead):
        raise PermissionDenied
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    lead.introducer_unit = introducer_unit
    lead.introducer_person = introducer_person
    lead.service_unit = service_unit
    lead.service_secretary = service_secretary
    if investor_name is not None:
        lead.investor_name = investor_name
    lead.determined_at = timezone.now()
    lead.determined_by = user
    save_validated(lead, user=user, reason=_("Determination recorded"))
    return lead


@transaction.atomic
def lead_resolve_duplicate(*, lead: Lead, user, original: Lead | None, reason: str) -> Lead:
    """The bureau decides: `lead` duplicates `original` (which must be the earlier filing, and keeps
    the first-provider credit across teams), or — with `original` None — it is distinct."""
    if not (has_role(user, Role.BUREAU) and user_can(user, Action.REVIEW, lead.station)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if original is None:
        lead.duplicate_status, lead.duplicate_of = DuplicateStatus.DISTINCT, None
        save_validated(lead, user=user, reason=_("Not a duplicate: %(reason)s") % {"reason": reason})
        return lead
    if original.pk == lead.pk:
        raise ValidationError(_("A lead cannot duplicate itself."))
    if original.duplicate_status == DuplicateStatus.DUPLICATE:
        original = original.duplicate_of
    if (original.filed_at, original.pk) > (lead.filed_at, lead.pk):
        raise ValidationError(
            _("The earlier filing keeps the credit: mark the later lead as the duplicate of the earlier one.")
        )
    lead.duplicate_status, lead.duplicate_of = DuplicateStatus.DUPLICATE, original
    save_validated(lead, user=user, reason=_("Duplicate of #%(pk)s: %(reason)s") % {"pk": original.pk, "reason": reason})
    # Leads that duplicated this one now point at the original: no chains.
    for later in Lead.objects.select_for_update().filter(duplicate_of=lead):
        later.duplicate_of = original
        save_validated(later, user=user, reason=_("Duplicate of #%(pk)s: %(reason)s") % {"pk": original.pk,
                                                                                       "reason": reason})
    return lead


# --- Stages ---------------------------------------------------------------------------------------


def allowed_moves(lead: Lead, rules: LeadRules) -> list[str]:
    """The stages a lead may move to next, under `rules` (before checking who asks)."""
    stages = rules.stages()
    current = lead.stage
    if current == Stage.ON_HOLD:
        resume = lead.held_from or Stage.FILED
        return [resume, Stage.REJECTED if resume in access.SCREENING_STAGES else Stage.LOST]
    if current in (Stage.REJECTED, Stage.LOST) or current not in stages:
        return []
    if current == Stage.FILED:
        moves = [Stage.SCREENING, Stage.REJECTED, Stage.ON_HOLD]
        if rules.team_may_negotiate:
            moves.append(Stage.NEGOTIATION)
        return moves
    if current == Stage.SCREENING:
        return [Stage.TRANSFERRED, Stage.REJECTED, Stage.ON_HOLD]
    index = stages.index(current)
    moves = [stages[index + 1]] if index + 1 < len(stages) else []
    if current not in SIGNED_OR_LATER:
        moves.append(Stage.ON_HOLD)
    if current != Stage.PRODUCTION:
        moves.append(Stage.LOST)
    return moves


def may_move(user, lead: Lead, to_stage: str) -> bool:
    """Who may make this move: the bureau screens; the park (or a self-negotiating team) follows."""
    stage = lead.held_from if lead.stage == Stage.ON_HOLD else lead.stage
    if stage in access.SCREENING_STAGES and to_stage != Stage.NEGOTIATION:
        return access.can_screen(user, lead)
    if stage == Stage.FILED and to_stage == Stage.NEGOTIATION:
        return user_can(user, Action.WORK, lead.station)
    return access.owns_later_stages(user, lead)


REQUIRED_FACTS = {
    Stage.TRANSFERRED: ("transferred_to", "follower"),
    Stage.REVIEW: ("review_site", "review_land_utilities", "review_policy"),
    Stage.SIGNED: ("signed_on", "contract_amount"),
    Stage.STARTED: ("started_on",),
    Stage.COMPLETED: ("completed_on",),
    Stage.PRODUCTION: ("production_on",),
    Stage.LOST: ("lost_reason", "lost_poor_service"),
}
# What the move form shows for each stage (required facts and the optional ones of that stage).
STAGE_FACTS = {
    **{str(stage): list(names) for stage, names in REQUIRED_FACTS.items()},
    str(Stage.REVIEW): [*REQUIRED_FACTS[Stage.REVIEW], "review_leader"],
    str(Stage.STARTED): [*REQUIRED_FACTS[Stage.STARTED], "actual_fixed_asset_investment"],
    str(Stage.COMPLETED): [*REQUIRED_FACTS[Stage.COMPLETED], "actual_fixed_asset_investment"],
    str(Stage.PRODUCTION): [*REQUIRED_FACTS[Stage.PRODUCTION], "actual_fixed_asset_investment"],
}
FACT_FIELDS = {name for names in REQUIRED_FACTS.values() for name in names} | {
    "review_leader", "actual_fixed_asset_investment",
}


def _check_facts(lead: Lead, to_stage: str, note: str, rules: LeadRules) -> None:
    errors = {}
    for name in REQUIRED_FACTS.get(to_stage, ()):
        value = getattr(lead, name)
        if value is None or value == "":
            errors[name] = _("Required for this stage.")
    if to_stage in (Stage.REJECTED, Stage.ON_HOLD) and not note.strip():
        errors["note"] = _("Give the reason.")
    if to_stage == Stage.REVIEW and (lead.total_investment or 0) >= rules.major_threshold and not lead.review_leader:
        errors["review_leader"] = _("A major project is reviewed by the leader in charge: name them.")
    today = timezone.localdate()
    for name in ("signed_on", "started_on", "completed_on", "production_on"):
        if name in REQUIRED_FACTS.get(to_stage, ()) and getattr(lead, name) and getattr(lead, name) > today:
            errors[name] = _("This date is in the future.")
    filed_on = timezone.localdate(lead.filed_at) if lead.filed_at else None
    if to_stage == Stage.SIGNED and lead.signed_on and filed_on and lead.signed_on < filed_on:
        # A contract signed before the lead was filed was not found by the team (DESIGN §3: leads
        # are filed first, and count from their filing).
        errors["signed_on"] = _("The contract cannot be signed before the lead was filed (%(date)s).") % {
            "date": filed_on.isoformat()}
    order = [("signed_on", "started_on"), ("started_on", "completed_on"), ("completed_on", "production_on")]
    for earlier, later in order:
        if getattr(lead, earlier) and getattr(lead, later) and getattr(lead, later) < getattr(lead, earlier):
            errors[later] = _("This date is before the previous step's date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def lead_move(*, lead: Lead, user, to_stage: str, note: str = "", evidence=None, _by_meeting: bool = False,
              **facts) -> Lead:
    """Move a lead to `to_stage`, recording the facts the stage needs and a `StageChange` row.

    Refused (nothing saved) when the profile's stages do not allow the move, when the user does not
    own the move, or when a required fact is missing or inconsistent.
    """
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    rules = rules_for()
    if to_stage not in allowed_moves(lead, rules):
        raise ValidationError(_("A lead cannot move from %(from)s to %(to)s.") % {
            "from": Stage(lead.stage).label, "to": Stage(to_stage).label if to_stage in Stage.values else to_stage})
    if not may_move(user, lead, to_stage):
        raise PermissionDenied
    if lead.duplicate_status == DuplicateStatus.DUPLICATE and to_stage != Stage.REJECTED:
        raise ValidationError(_("A duplicate lead does not move on; follow the original filing."))
    if to_stage == Stage.TRANSFERRED and not _by_meeting:
        raise ValidationError(_("A lead is transferred by a screening meeting's decision."))
    wanted = set(STAGE_FACTS.get(str(to_stage), []))
    unknown = set(facts) - FACT_FIELDS
    if unknown:
        raise ValueError(f"not stage facts: {sorted(unknown)}")
    foreign = {name: _("This is not recorded when moving to %(stage)s.") % {"stage": Stage(to_stage).label}
               for name, value in facts.items() if name not in wanted and value not in (None, "")}
    if foreign:
        raise ValidationError(foreign)
    for name, value in facts.items():
        setattr(lead, name, value)
    _check_facts(lead, to_stage, note, rules)
    if to_stage == Stage.TRANSFERRED:
        lead.transferred_at = timezone.now()
    from_stage = lead.stage
    lead.held_from = from_stage if to_stage == Stage.ON_HOLD else ""
    lead.stage = to_stage
    # The StageChange row tells the story; the history row only marks itself as the same move.
    save_validated(lead, user=user, reason=f"{STAGE_MOVE_REASON}{to_stage}")
    StageChange.objects.create(lead=lead, from_stage=from_stage, to_stage=to_stage, by=user, note=note,
                               evidence=evidence or "")
    return lead


# --- Screening meetings ---------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, user, date, attendees=(), note: str = "") -> ScreeningMeeting:
    if not has_role(user, Role.BUREAU):
        raise PermissionDenied
    meeting = ScreeningMeeting(date=date, note=note, held_by=user)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def meeting_decide(*, meeting: ScreeningMeeting, user, lead: Lead, decision: str, reason: str,
                   transfer_to=None, follower: str = "") -> ScreeningDecision:
    """Record the meeting's decision on a lead and apply it: a valid lead is transferred to a
    park or industry group with a named follower; the others are rejected, held or sent back."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    if decision == MeetingDecision.VALID and (transfer_to is None or not follower.strip()):
        raise ValidationError({"transfer_to": _("A valid lead is transferred to a park or group with a follower.")})
    if decision == MeetingDecision.VALID and transfer_to.kind not in TRANSFER_UNIT_KINDS:
        raise ValidationError({"transfer_to": _("Transfer a lead to a park or a platform that follows projects.")})
    if ScreeningDecision.objects.filter(meeting=meeting, lead=lead).exists():
        raise ValidationError({"lead": _("This meeting has already decided this lead.")})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.stage == Stage.FILED:
        lead = lead_move(lead=lead, user=user, to_stage=Stage.SCREENING, note=str(meeting))
    if decision == MeetingDecision.VALID:
        lead = lead_move(lead=lead, user=user, to_stage=Stage.TRANSFERRED, note=reason, transferred_to=transfer_to,
                         follower=follower.strip(), _by_meeting=True)
    elif decision == MeetingDecision.REJECTED:
        lead = lead_move(lead=lead, user=user, to_stage=Stage.REJECTED, note=reason)
    elif decision == MeetingDecision.ON_HOLD:
        lead = lead_move(lead=lead, user=user, to_stage=Stage.ON_HOLD, note=reason)
    elif not access.can_screen(user, lead):  # more information: the lead stays in screening
        raise PermissionDenied
    return ScreeningDecision.objects.create(meeting=meeting, lead=lead, decision=decision, reason=reason,
                                            transfer_to=transfer_to if decision == MeetingDecision.VALID else None,
                                            follower=follower.strip())


# --- Facts after filing ---------------------------------------------------------------------------


def visit_qualifies(visit: InvestorVisit, rules: LeadRules) -> bool:
    """Seed 002: the right executive came, departments took part, the leader received them, real intent."""
    enterprise = visit.lead.enterprise
    ranks = rules.top_enterprise_ranks if enterprise and enterprise.is_top else rules.sme_ranks
    return bool(visit.rank in (ranks or []) and visit.departments.strip() and visit.received_by_leader
                and visit.real_intent)


@transaction.atomic
def investor_visit_add(*, lead: Lead, user, **fields) -> InvestorVisit:
    if not (access.can_edit(user, lead) or access.owns_later_stages(user, lead) or access.can_screen(user, lead)):
        raise PermissionDenied
    visit = InvestorVisit(lead=lead, recorded_by=user, **fields)
    if visit.rank not in ExecutiveRank.values:
        raise ValidationError({"rank": _("Choose the executive's rank.")})
    visit.full_clean()
    visit.qualifies = visit_qualifies(visit, rules_for())
    visit.save()
    return visit


@transaction.atomic
def funds_add(*, lead: Lead, user, date, amount: Decimal, currency: str = "CNY", exchange_rate=None,
              evidence=None, note: str = "") -> FundsEntry:
    """Record funds in place for a signed lead (append-only; a correction is a negative entry's job
    for the ledger, not here: a wrong entry is reported to the bureau)."""
    if not access.owns_later_stages(user, lead):
        raise PermissionDenied
    if lead.stage not in SIGNED_OR_LATER:
        raise ValidationError(_("Funds in place are recorded once the contract is signed."))
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})
    if currency != "CNY" and not exchange_rate:
        raise ValidationError({"exchange_rate": _("Money in a foreign currency needs the exchange rate.")})
    if currency == "CNY" and exchange_rate not in (None, 1):
        raise ValidationError({"exchange_rate": _("Money in 元 takes no exchange rate.")})
    amount_cny = (amount * (exchange_rate or 1)).quantize(Decimal("0.01"))
    entry = FundsEntry(lead=lead, date=date, amount=amount, currency=currency, amount_cny=amount_cny,
                       evidence=evidence or "", note=note, recorded_by=user)
    entry.full_clean()
    entry.save()
    return entry


# --- Aftercare and determination ------------------------------------------------------------------


@transaction.atomic
def follow_up_plan_set(*, lead: Lead, user, **fields) -> FollowUpPlan:
    """A major lead's plan with the "five ones"; kept by the bureau or whoever owns the lead now."""
    if not (access.can_screen(user, lead) or access.owns_later_stages(user, lead)):
        raise PermissionDenied
    plan = FollowUpPlan.objects.filter(lead=lead).first() or FollowUpPlan(lead=lead)
    for name in ("leader", "department", "team", "wechat_group", "timeline"):
        setattr(plan, name, (fields.get(name) or "").strip())
    save_validated(plan, user=user, reason=_("Follow-up plan"))
    return plan


@transaction.atomic
def return_visit_add(*, lead: Lead, user, date, note: str, by=None) -> ReturnVisit:
    """A return visit after the project landed (signed or later)."""
    if not access.owns_later_stages(user, lead):
        raise PermissionDenied
    if lead.stage not in SIGNED_OR_LATER:
        raise ValidationError(_("Return visits are for projects that have landed."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})
    visit = ReturnVisit(lead=lead, date=date, note=note.strip(), by=by, recorded_by=user)
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def outcome_set(*, lead: Lead, user, year: int, output_value: Decimal, tax: Decimal) -> LeadOutcome:
    """A completed project's output and tax for a year (one row a year; a second entry corrects it)."""
    if not access.owns_later_stages(user, lead):
        raise PermissionDenied
    if lead.stage not in (Stage.COMPLETED, Stage.PRODUCTION):
        raise ValidationError(_("Output and tax are recorded after completion."))
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("This year has not begun.")})
    outcome = LeadOutcome.objects.filter(lead=lead, year=year).first() or LeadOutcome(lead=lead, year=year)
    outcome.output_value, outcome.tax = output_value, tax
    save_validated(outcome, user=user, reason=_("Output and tax"))
    return outcome


# --- Contact book and visits ----------------------------------------------------------------------


@transaction.atomic
def contact_add(*, user, station, enterprise_name: str, credit_code: str = "", **fields) -> Contact:
    if not user_can(user, Action.WORK, station):
        raise PermissionDenied
    enterprise = enterprise_find_or_create(user=user, name=enterprise_name, credit_code=credit_code)
    contact = Contact(station=station, enterprise=enterprise, **fields)
    save_validated(contact, user=user, reason=_("Contact added"))
    return contact


@transaction.atomic
def visit_add(*, user, station, date, enterprise_name: str, purpose: str, outcome: str = "", contact=None,
              visitors=(), new_investor: bool = False) -> Visit:
    """Record a team's visit to an enterprise; the date may not be in the future."""
    if not user_can(user, Action.WORK, station):
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})
    if contact is not None and contact.station_id != station.pk:
        raise ValidationError({"contact": _("Choose a contact from this team's contact book.")})
    enterprise = contact.enterprise if contact else enterprise_find_or_create(user=user, name=enterprise_name)
    visit = Visit(station=station, date=date, enterprise=enterprise, contact=contact, purpose=purpose.strip(),
                  outcome=outcome.strip(), new_investor=new_investor, created_by=user)
    visit.full_clean()
    visit.save()
    visit.visitors.set(visitors)
    return visit


ENTERPRISE_FIELDS = ("name", "credit_code", "tiers", "industry", "city", "kind", "note")


def can_edit_enterprise(user, enterprise) -> bool:
    """The bureau, or a member of a team that has a lead, contact or visit with this enterprise."""
    if has_role(user, Role.BUREAU):
        return True
    own = [station.pk for station in stations_for(user, Action.WORK)]
    return bool(own) and (
        enterprise.leads.filter(station__in=own).exists() or enterprise.contacts.filter(station__in=own).exists()
        or enterprise.visits.filter(station__in=own).exists()
    )


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, user, **fields) -> Enterprise:
    """Correct an enterprise's facts. A change of tier re-judges its leads' investor visits, since
    the executive rank a qualified visit needs depends on it."""
    if not can_edit_enterprise(user, enterprise):
        raise PermissionDenied
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    tiers_before = list(enterprise.tiers)
    for name in ENTERPRISE_FIELDS:
        if name in fields:
            setattr(enterprise, name, fields[name])
    save_validated(enterprise, user=user, reason=_("Enterprise edited"))
    if sorted(tiers_before) != sorted(enterprise.tiers):
        rules = rules_for()
        for visit in InvestorVisit.objects.filter(lead__enterprise=enterprise).select_related("lead__enterprise"):
            qualifies = visit_qualifies(visit, rules)
            if qualifies != visit.qualifies:
                visit.qualifies = qualifies
                visit.save(update_fields=["qualifies"])
    return enterprise
