"""Moving a request (leave, home service, a large event) along its approval chain.

The chain is profile data (`ApprovalStep`); who may act in a step is decided by
`permissions.chain_steps_for`. A request model provides `station`, `status`, `process`,
`decisions` (rows of a `Decision` subclass) and `requester` (the user whose request it is).
Each step acted in is one decision row; the request's status changes with the last step or the
first refusal, and the to-do lists of the next step's actors follow.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ApprovalActor, ApprovalStep, Outcome, Posting, RequestStatus, StationUnitRole, StepAction
from .models.todo import TodoKind
from .permissions import ACTOR_ROLES, Role, chain_of, chain_steps_for
from .services import save_validated, todo_close, todo_open


def pending_step(request) -> ApprovalStep | None:
    """The first step of the chain nobody has acted in yet (None when the chain is complete)."""
    done = {decision.position for decision in request.decisions.all()}
    return next((step for step in chain_of(request.station, request.process) if step.position not in done), None)


def may_decide(user, request) -> bool:
    """Whether `user` may act in the pending step of `request` now (for the page's buttons)."""
    if request.status != RequestStatus.PENDING:
        return False
    step = pending_step(request)
    return step is not None and any(allowed.pk == step.pk for allowed in chain_steps_for(
        user, request.station, request.process, requester=request.requester))


def steps_with_decisions(request) -> list[dict]:
    """The chain with what was decided in each step so far, for the request's page."""
    decisions = {decision.position: decision for decision in request.decisions.select_related("decided_by__person")}
    return [{"step": step, "decision": decisions.get(step.position)}
            for step in chain_of(request.station, request.process)]


def candidates(request, step: ApprovalStep):
    """The active users who may act in `step` of `request` (for their to-do lists)."""
    users = get_user_model().objects.filter(is_active=True)
    station = request.station
    if step.actor == ApprovalActor.CHIEF:
        users = users.filter(person__in=Posting.objects.current().chiefs().filter(station=station).values("person"))
    elif step.actor == ApprovalActor.LEAD_UNIT:
        lead_units = station.station_units.filter(role=StationUnitRole.LEAD).values("unit")
        users = users.filter(groups__name=Role.HOME_UNIT, person__home_unit__in=lead_units)
    elif step.actor in ACTOR_ROLES:
        users = users.filter(groups__name=ACTOR_ROLES[step.actor])
    else:
        return []
    requester = request.requester
    return [user for user in users.distinct()
            if any(allowed.pk == step.pk for allowed in chain_steps_for(user, station, request.process,
                                                                         requester=requester))]


def notify_next(request) -> None:
    """Open approval to-dos for whoever acts next (none once the request is decided)."""
    todo_close(kind=TodoKind.APPROVAL, target=request)
    if request.status != RequestStatus.PENDING:
        return
    step = pending_step(request)
    if step is None:
        return
    for user in candidates(request, step):
        todo_open(user=user, kind=TodoKind.APPROVAL, title=_("%(step)s: %(request)s") % {
            "step": step.get_action_display(), "request": request}, target=request,
            url=request.get_absolute_url(), station=request.station)


def start(request, *, user, reason: str, chief_signs: bool = False,
          on_complete: Callable[[object, object], None] | None = None) -> None:
    """After creating `request`: record the chief's scheduling step when the chief made it (any
    first chief step with `chief_signs` — a chief's own claim carries the chief's signature),
    settle a request whose chain is empty or complete, and notify the next step's actors.

    `on_complete(request, user)` sets the status of a request whose chain is complete instead of
    plain approval (a claim is posted to the ledger, or held past the budget)."""
    step = pending_step(request)
    if step is not None and step.actor == ApprovalActor.CHIEF and (
        step.action == StepAction.SCHEDULE or chief_signs
    ) and Posting.objects.current().chiefs().filter(station=request.station, person__user=user).exists():
        request.decisions.create(position=step.position, actor=step.actor, action=step.action,
                                 outcome=Outcome.DONE, decided_by=user)
        step = pending_step(request)
    if step is None:
        _complete(request, user, on_complete)
        save_validated(request, user=user, reason=reason)
    notify_next(request)


def _complete(request, user, on_complete) -> None:
    if on_complete is None:
        request.status = RequestStatus.APPROVED
    else:
        on_complete(request, user)


@transaction.atomic
def decide(request, *, user, approve: bool, comment: str = "",
           check: Callable[[object, ApprovalStep, bool], None] | None = None,
           on_complete: Callable[[object, object], None] | None = None):
    """Act in the pending step of `request` as `user`: approve (schedule, agree, file) or refuse.

    The request row is locked, so two people acting at once cannot both take the same step.
    `check(request, step, approve)` may raise `ValidationError` for process rules (an event must
    be approved before it takes place). `on_complete` is as for `start`. Raises
    `PermissionDenied` if `user` may not act in the pending step.
    """
    request = type(request).objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    step = pending_step(request)
    if step is None or not any(allowed.pk == step.pk for allowed in chain_steps_for(
            user, request.station, request.process, requester=request.requester)):
        raise PermissionDenied
    if not approve and step.action == StepAction.FILE:
        raise ValidationError(_("Filing is for the record: it cannot refuse."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Give the reason for refusing.")})
    if check is not None:
        check(request, step, approve)
    decision = request.decisions.create(
        position=step.position, actor=step.actor, action=step.action,
        outcome=Outcome.DONE if approve else Outcome.REFUSED, decided_by=user, comment=comment.strip())
    if not approve:
        request.status = RequestStatus.REFUSED
    elif pending_step(request) is None:
        _complete(request, user, on_complete)
    if request.status != RequestStatus.PENDING:
        save_validated(request, user=user, reason=str(decision))
    notify_next(request)
    return request


@transaction.atomic
def withdraw(request, *, user) -> None:
    """The requester (or the team's chief) withdraws a request that is still pending."""
    request = type(request).objects.select_for_update().get(pk=request.pk)
    is_chief = Posting.objects.current().chiefs().filter(station=request.station, person__user=user).exists()
    if user.pk != getattr(request.requester, "pk", None) and not is_chief:
        raise PermissionDenied
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("Only a request still awaiting approval can be withdrawn."))
    request.status = RequestStatus.WITHDRAWN
    save_validated(request, user=user, reason=_("Withdrawn"))
    notify_next(request)
