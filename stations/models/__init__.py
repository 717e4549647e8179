"""Models of the `stations` app: the organisation, policy profiles, to-dos and security events."""

from .calendar import CalendarDay, CalendarDayKind
from .duty import ON_POST, Whereabouts, WorkLog
from .org import (
    Person,
    Posting,
    PostingRole,
    Station,
    StationKind,
    StationUnit,
    StationUnitRole,
    Unit,
    UnitKind,
)
from .profiles import ApprovalActor, ApprovalProcess, ApprovalStep, Profile, ProfileVersion, TeamKindRule
from .security import SecurityEvent
from .todo import TodoItem

__all__ = [
    "ApprovalActor",
    "ApprovalProcess",
    "ApprovalStep",
    "CalendarDay",
    "CalendarDayKind",
    "Person",
    "Posting",
    "PostingRole",
    "Profile",
    "ProfileVersion",
    "SecurityEvent",
    "Station",
    "StationKind",
    "StationUnit",
    "StationUnitRole",
    "TeamKindRule",
    "TodoItem",
    "Unit",
    "UnitKind",
    "ON_POST",
    "Whereabouts",
    "WorkLog",
]
