"""Who may see and act on leads, built on `stations.permissions` (the single source of access).

* A team sees its own leads (and keeps read access and credit after a transfer).
* Readers of every team (bureau, leadership, assessment …) see every lead.
* A park sees the leads transferred to it, and owns their later stages.
* The bureau screens, transfers, resolves duplicates and reassigns — never for its own team.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from stations.permissions import (
    Action,
    Role,
    get_in_scope_or_404,
    has_role,
    sees_every_team,
    stations_for,
    unit_of,
    user_can,
)

from .models import Lead, Stage

SCREENING_STAGES = (Stage.FILED, Stage.SCREENING)


def leads_for(user):
    """Every lead `user` may see."""
    if sees_every_team(user):
        return Lead.objects.all()
    condition = Q(station__in=stations_for(user, Action.VIEW))
    unit_id = unit_of(user)
    if has_role(user, Role.PARK) and unit_id:
        condition |= Q(transferred_to_id=unit_id)
    return Lead.objects.filter(condition)


def lead_or_404(user, pk, queryset=None):
    # `queryset or …` would evaluate the queryset (every lead with its joins) just to test it.
    queryset = Lead.objects.all() if queryset is None else queryset
    return get_in_scope_or_404(queryset.filter(pk__in=leads_for(user).values("pk")), pk)


def is_park_of(user, lead) -> bool:
    unit_id = unit_of(user)
    return bool(lead.transferred_to_id and unit_id == lead.transferred_to_id and has_role(user, Role.PARK))


def can_file(user, station) -> bool:
    """Team members file leads for their team (under the all-staff preset every cadre has a team)."""
    return user_can(user, Action.WORK, station)


def can_edit(user, lead) -> bool:
    """The team edits its lead until screening is over; afterwards only the stage owner adds facts."""
    if lead.stage in SCREENING_STAGES or (lead.stage == Stage.ON_HOLD and lead.held_from in SCREENING_STAGES):
        return user_can(user, Action.WORK, lead.station)
    return owns_later_stages(user, lead)


def can_screen(user, lead) -> bool:
    """The bureau (not of the lead's own team) screens and transfers."""
    return has_role(user, Role.BUREAU) and user_can(user, Action.REVIEW, lead.station)


def owns_later_stages(user, lead) -> bool:
    """After a transfer the park owns the lead; without one, the team that negotiates it itself."""
    if lead.transferred_to_id:
        return is_park_of(user, lead)
    return user_can(user, Action.WORK, lead.station)


def require(check, *args):
    if not check(*args):
        raise PermissionDenied
