"""Grades: the scale by staff category, what the rules recommend or forbid, and the assessing
office's decision within the quota for excellent.

The scale (DESIGN §2): civil servants and staff managed as civil servants — 优秀 / 称职 / 基本称职 /
不称职; public-institution staff — 优秀 / 合格 / 基本合格 / 不合格. Grades are stored by level
(excellent, competent, basically competent, incompetent) and named by the person's category.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.models.org import StaffCategory
from stations.permissions import Role, has_role

from . import access, workflow
from .models import Evaluation, Grade

NAMES = {
    "civil": {Grade.EXCELLENT: "优秀", Grade.COMPETENT: "称职", Grade.BASIC: "基本称职", Grade.INCOMPETENT: "不称职"},
    "institution": {Grade.EXCELLENT: "优秀", Grade.COMPETENT: "合格", Grade.BASIC: "基本合格",
                    Grade.INCOMPETENT: "不合格"},
}


def scale_for(evaluation: Evaluation) -> dict:
    """The names of the grades for the subject: by the person's staff category (teams and units
    use the civil-service words)."""
    person = evaluation.person
    if person is not None and person.staff_category == StaffCategory.PUBLIC_INSTITUTION:
        return NAMES["institution"]
    return NAMES["civil"]


def advice(evaluation: Evaluation) -> dict:
    """What the rules say about the grade: recommended (a project over the threshold recommends
    excellent) and forbidden (a veto, or a total at or below the interview line forbids excellent)."""
    lines = list(evaluation.lines.select_related("item"))
    recommended = [line.item.label for line in lines
                   if line.item.rule_type == "threshold_project" and line.item.params.get("basis") == "per_project"
                   and line.points and line.points > 0]
    forbidden = [line.item.label for line in lines if line.forbids == Grade.EXCELLENT]
    line = evaluation.scheme.interview_line
    if line is not None and evaluation.total is not None and evaluation.total <= line:
        forbidden.append(gettext_lazy("at or below the interview line"))
    return {"recommends_excellent": recommended, "forbids_excellent": forbidden}


def may_grade(user, evaluation: Evaluation) -> bool:
    """The assessing office (the assessment office, or the bureau where there is none) outside the
    subject's team."""
    return (has_role(user, Role.ASSESSMENT) or has_role(user, Role.BUREAU)) and access.may_review(user, evaluation)


@transaction.atomic
def grade_decide(*, evaluation: Evaluation, user, grade: str, reason: str = "") -> Evaluation:
    """Decide the grade. Excellent is refused when a rule forbids it or the scheme's quota for
    the period is used; a grade other than the one recommended needs a reason."""
    if not may_grade(user, evaluation):
        raise PermissionDenied
    evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
    workflow.require_open(evaluation)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose a grade.")})
    if evaluation.total is None:
        raise ValidationError(_("Score the judgement items first."))
    said = advice(evaluation)
    if grade == Grade.EXCELLENT:
        if said["forbids_excellent"]:
            raise ValidationError({"grade": _("Excellent is forbidden here: %(why)s.")
                                   % {"why": "、".join(str(why) for why in said["forbids_excellent"])}})
        quota = evaluation.scheme.excellent_quota
        if quota is not None:
            # Lock the period's evaluations of the scheme so that two graders cannot both take the last place.
            taken = (Evaluation.objects.select_for_update(of=("self",))
                     .filter(scheme=evaluation.scheme, period_start=evaluation.period_start,
                             period_end=evaluation.period_end, grade=Grade.EXCELLENT)
                     .exclude(pk=evaluation.pk))
            if len(list(taken)) >= quota:
                raise ValidationError({"grade": _("The quota of %(quota)s excellent grade(s) is used.")
                                       % {"quota": quota}})
    elif said["recommends_excellent"] and not reason.strip():
        raise ValidationError({"reason": _("The rules recommend excellent: give the reason for another grade.")})
    evaluation.grade, evaluation.grade_reason, evaluation.graded_by = grade, reason.strip(), user
    evaluation._history_user = user
    evaluation.save(update_fields=["grade", "grade_reason", "graded_by"])
    return evaluation
