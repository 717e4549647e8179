"""Who may see and compute scores, built on `stations.permissions`.

Before publication a score is for the offices that read every team (the bureau, the assessment
office, leadership, the organization department …), for the person scored, and — for a team's
own score — for its members; once published (公示) it is for everyone who reads the team. Computing and judging are for the reviewing offices, never on one's
own team.
"""

from django.db.models import Q

from stations.permissions import READ_ALL_ROLES, Action, own_station_ids, roles_of, stations_for, user_can

from .models import Evaluation


def evaluations_for(user):
    """Published (公示) and final results are public to everyone who reads the team."""
    if user.is_superuser or roles_of(user) & READ_ALL_ROLES:
        return Evaluation.objects.all()
    condition = (Q(person__user=user) | Q(person__isnull=True, station_id__in=own_station_ids(user))
                 | Q(stage__in=("published", "final"), station__in=stations_for(user, Action.VIEW)))
    return Evaluation.objects.filter(condition)


def may_compute(user) -> bool:
    return user_can(user, Action.REVIEW)
