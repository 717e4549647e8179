"""Three hands and publication: the subject confirms or disputes the evidence, the bureau
verifies, the assessment office (or a third-party assessor) adjudicates — no person in two of the
three for the same evaluation — then the result is published (公示) for the scheme's number of
working days, objections are answered, and it becomes final and locked.

A final evaluation is a snapshot: its lines are not recomputed, re-judged or re-graded. Unlocking
needs a reason, is recorded, and sends it back to adjudication.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Posting
from stations.permissions import Role, has_role, unit_of
from stations.workdays import add_working_days

from . import access
from .models import Evaluation, EvaluationStep, Objection, Stage

# Who may act in each hand (DESIGN §3, Xuancheng): the bureau verifies; the assessment office or
# a third-party assessor adjudicates.
VERIFIERS = (Role.BUREAU,)
ADJUDICATORS = (Role.ASSESSMENT, Role.ASSESSOR)


def _lock(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)


def _step(evaluation: Evaluation, stage: str, user, comment: str = "") -> None:
    evaluation.stage = stage
    evaluation.save(update_fields=["stage", "published_until"])
    EvaluationStep.objects.create(evaluation=evaluation, stage=stage, by=user, comment=comment.strip())


def _hands(evaluation: Evaluation) -> dict[str, set[int]]:
    """The users who acted in each of the three hands so far."""
    hands = {"evidence": set(), "verification": set(), "adjudication": set()}
    for stage, user_id in evaluation.steps.values_list("stage", "by_id"):
        if stage in (Stage.CONFIRMED, Stage.DISPUTED):
            hands["evidence"].add(user_id)
        elif stage == Stage.VERIFIED:
            hands["verification"].add(user_id)
        elif stage == Stage.ADJUDICATED:
            hands["adjudication"].add(user_id)
    return hands


def _not_in_another_hand(evaluation: Evaluation, user, hand: str) -> None:
    for other, users in _hands(evaluation).items():
        if other != hand and user.pk in users:
            raise ValidationError(_("You acted in another hand of this evaluation: one person never acts in two."))


def is_subject(user, evaluation: Evaluation) -> bool:
    """The person scored; for a team's score its chief; for a unit's score its staff in the home-unit
    role."""
    if evaluation.person_id is not None:
        return evaluation.person.user_id == user.pk
    if evaluation.unit_id is not None:
        return has_role(user, Role.HOME_UNIT) and not user.is_superuser and unit_of(user) == evaluation.unit_id
    return Posting.objects.current().chiefs().filter(station=evaluation.station, person__user=user).exists()


def hands_for(user, evaluation: Evaluation) -> dict[str, bool]:
    """The offices `user` may act for on this evaluation: "verify" (the bureau), "adjudicate" (the
    assessment office or a third-party assessor; it also publishes, answers objections, makes final
    and unlocks) — always outside the subject. The actions still check everything themselves."""
    reviewer = access.may_review(user, evaluation)
    adjudicator = reviewer and any(has_role(user, role) for role in ADJUDICATORS)
    return {"verify": reviewer and any(has_role(user, role) for role in VERIFIERS),
            "adjudicate": adjudicator,
            "publish": reviewer and any(has_role(user, role) for role in (*ADJUDICATORS, *VERIFIERS))}


@transaction.atomic
def confirm_evidence(*, evaluation: Evaluation, user, agree: bool, comment: str = "") -> Evaluation:
    """The first hand: the subject confirms the facts, or disputes them saying which and why."""
    evaluation = _lock(evaluation)
    if not is_subject(user, evaluation):
        raise PermissionDenied
    if evaluation.stage not in (Stage.COMPUTED, Stage.DISPUTED, Stage.CONFIRMED):
        raise ValidationError(_("The evidence has already gone to verification."))
    if evaluation.total is None:
        raise ValidationError(_("Score the judgement items first."))
    if not agree and not comment.strip():
        raise ValidationError({"comment": _("Say which facts are wrong and why.")})
    _not_in_another_hand(evaluation, user, "evidence")
    _step(evaluation, Stage.CONFIRMED if agree else Stage.DISPUTED, user, comment)
    return evaluation


@transaction.atomic
def verify(*, evaluation: Evaluation, user, comment: str = "") -> Evaluation:
    """The second hand: the bureau checks the evidence (and any dispute)."""
    evaluation = _lock(evaluation)
    if not any(has_role(user, role) for role in VERIFIERS) or not access.may_review(user, evaluation):
        raise PermissionDenied
    if evaluation.stage not in (Stage.CONFIRMED, Stage.DISPUTED):
        raise ValidationError(_("The subject has not confirmed or disputed the evidence yet."))
    if evaluation.stage == Stage.DISPUTED and not comment.strip():
        raise ValidationError({"comment": _("Answer the dispute when verifying.")})
    _not_in_another_hand(evaluation, user, "verification")
    _step(evaluation, Stage.VERIFIED, user, comment)
    return evaluation


@transaction.atomic
def adjudicate(*, evaluation: Evaluation, user, comment: str = "") -> Evaluation:
    """The third hand: the assessment office or a third party decides the result."""
    evaluation = _lock(evaluation)
    if not any(has_role(user, role) for role in ADJUDICATORS) or not access.may_review(user, evaluation):
        raise PermissionDenied
    if evaluation.stage != Stage.VERIFIED:
        raise ValidationError(_("Only a verified evaluation is adjudicated."))
    _not_in_another_hand(evaluation, user, "adjudication")
    _step(evaluation, Stage.ADJUDICATED, user, comment)
    return evaluation


@transaction.atomic
def publish(*, evaluation: Evaluation, user) -> Evaluation:
    """Publish (公示) the adjudicated result for the scheme's number of working days."""
    evaluation = _lock(evaluation)
    if not any(has_role(user, role) for role in (*ADJUDICATORS, *VERIFIERS)) or not access.may_review(user, evaluation):
        raise PermissionDenied
    if evaluation.stage != Stage.ADJUDICATED:
        raise ValidationError(_("Only an adjudicated evaluation is published."))
    evaluation.published_until = add_working_days(timezone.localdate(), evaluation.scheme.publication_working_days)
    _step(evaluation, Stage.PUBLISHED, user)
    return evaluation


@transaction.atomic
def object_to(*, evaluation: Evaluation, user, text: str) -> Objection:
    """Anyone who may read the result objects while it is published."""
    from .access import evaluations_for

    if not evaluations_for(user).filter(pk=evaluation.pk).exists():
        raise PermissionDenied
    evaluation = _lock(evaluation)
    if evaluation.stage != Stage.PUBLISHED or timezone.localdate() > evaluation.published_until:
        raise ValidationError(_("Objections are taken only while the result is published."))
    if not text.strip():
        raise ValidationError({"text": _("Say what the objection is.")})
    return Objection.objects.create(evaluation=evaluation, raised_by=user, text=text.strip())


@transaction.atomic
def answer(*, objection: Objection, user, text: str) -> Objection:
    """The adjudicating office answers an objection."""
    if not any(has_role(user, role) for role in ADJUDICATORS) or not access.may_review(user, objection.evaluation):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    objection.answer, objection.answered_by, objection.answered_at = text.strip(), user, timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    return objection


@transaction.atomic
def finalize(*, evaluation: Evaluation, user) -> Evaluation:
    """After the publication period, with every objection answered: final and locked."""
    evaluation = _lock(evaluation)
    if not any(has_role(user, role) for role in ADJUDICATORS) or not access.may_review(user, evaluation):
        raise PermissionDenied
    if evaluation.stage != Stage.PUBLISHED or timezone.localdate() <= evaluation.published_until:
        raise ValidationError(_("The publication period has not ended."))
    if evaluation.objections.filter(answered_at__isnull=True).exists():
        raise ValidationError(_("Answer every objection first."))
    _step(evaluation, Stage.FINAL, user)
    return evaluation


@transaction.atomic
def unlock(*, evaluation: Evaluation, user, reason: str) -> Evaluation:
    """Reopen a final result — recorded, with its reason — for adjudication again."""
    evaluation = _lock(evaluation)
    if not any(has_role(user, role) for role in ADJUDICATORS) or not access.may_review(user, evaluation):
        raise PermissionDenied
    if evaluation.stage != Stage.FINAL:
        raise ValidationError(_("Only a final result is unlocked."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for unlocking.")})
    evaluation.published_until = None
    _step(evaluation, Stage.VERIFIED, user, _("Unlocked: %(reason)s") % {"reason": reason.strip()})
    return evaluation


class Locked(ValidationError):
    """The evaluation is published or final: its lines, judgements and grade stay as they are."""


def require_open(evaluation: Evaluation) -> None:
    """Refuse to change the lines of a final evaluation (a snapshot) or one under publication."""
    if evaluation.stage in (Stage.PUBLISHED, Stage.FINAL):
        raise Locked(_("This result is published or final: unlock it first, with a reason."))
