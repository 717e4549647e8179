"""Who may see, compute and review scores, built on `stations.permissions`.

Before publication a score is for the offices that read every team (the bureau, the assessment
office, leadership, the organization department …), for the subject — the person scored, a team's
members for the team's score, a unit's own staff for the unit's score — and nobody else. Once
published (公示) a team's or person's result is for everyone who reads the team; once final it
also goes back to the person's home unit (feedback). Computing, judging and the hands of the
assessing offices are for the reviewing offices, never on their own team or unit.
"""

from django.db.models import Q

from stations.permissions import (
    READ_ALL_ROLES,
    Action,
    Role,
    has_role,
    own_station_ids,
    roles_of,
    stations_for,
    unit_of,
    user_can,
)

from .models import Evaluation


def evaluations_for(user):
    """The evaluations `user` may read."""
    if user.is_superuser or roles_of(user) & READ_ALL_ROLES:
        return Evaluation.objects.all()
    condition = (Q(person__user=user) | Q(person__isnull=True, station_id__in=own_station_ids(user))
                 | Q(stage__in=("published", "final"), station__in=stations_for(user, Action.VIEW)))
    unit = unit_of(user)
    if unit is not None and has_role(user, Role.HOME_UNIT):
        condition |= Q(unit_id=unit) | Q(stage="final", person__home_unit_id=unit)
    return Evaluation.objects.filter(condition)


def may_compute(user) -> bool:
    return user_can(user, Action.REVIEW)


def may_review(user, evaluation: Evaluation) -> bool:
    """A reviewing office outside the subject: not posted to the team scored, not working for the
    unit scored, not the person scored."""
    if evaluation.station_id is not None:
        if not user_can(user, Action.REVIEW, evaluation.station):
            return False
    elif not user_can(user, Action.REVIEW):
        return False
    if evaluation.unit_id is not None and unit_of(user) == evaluation.unit_id and not user.is_superuser:
        return False
    return evaluation.person_id is None or evaluation.person.user_id != user.pk
