"""Navigation by role, computed from `stations.permissions` (no extra query when cached)."""

from django.utils.functional import SimpleLazyObject

from .permissions import Action, Role, has_role, own_station_ids, user_can


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        return {
            "teams": user_can(user, Action.VIEW),
            "people": user_can(user, Action.VIEW),
            "manage": user_can(user, Action.MANAGE),
            "admin": user.is_staff,
            "bureau": has_role(user, Role.BUREAU),
            "posted": bool(own_station_ids(user)),
            "review": user_can(user, Action.REVIEW),
            "funds": user_can(user, Action.FUNDS),
        }

    return {"nav": SimpleLazyObject(build)}
