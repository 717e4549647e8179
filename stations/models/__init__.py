"""Models of the `stations` app: the organisation, policy profiles, to-dos and security events."""

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
]
