"""Models of the `stations` app: the organisation, policy profiles, to-dos and security events."""

from .absence import Absence, AbsenceDecision, AbsenceKind
from .accountability import AccountabilityRecord
from .alerts import StoredWarning, WarningState
from .approvals import Outcome, RequestStatus
from .calendar import CalendarDay, CalendarDayKind
from .checks import CheckMethod, CheckResult, PlannedCheck, SpotCheck
from .duty import ON_POST, Activity, Whereabouts, WorkLog
from .events import Event, EventDecision, EventRole
from .meetings import DispatchMeeting, DispatchTask, TaskStatus
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
from .profiles import (
    AccountabilityKind,
    AccountabilityRule,
    ApprovalActor,
    ApprovalProcess,
    ApprovalStep,
    Profile,
    ProfileVersion,
    StepAction,
    TeamKindRule,
)
from .reports import (
    FILE_KINDS,
    PERIODIC_KINDS,
    Report,
    ReportKind,
    ReportReview,
    ReportStatus,
    ReportVersion,
    ReviewOutcome,
)
from .security import SecurityEvent
from .todo import TodoItem

__all__ = [
    "Activity",
    "Absence",
    "AbsenceDecision",
    "AbsenceKind",
    "AccountabilityKind",
    "AccountabilityRecord",
    "AccountabilityRule",
    "ApprovalActor",
    "ApprovalProcess",
    "ApprovalStep",
    "CalendarDay",
    "CalendarDayKind",
    "CheckMethod",
    "CheckResult",
    "DispatchMeeting",
    "DispatchTask",
    "Event",
    "EventDecision",
    "EventRole",
    "FILE_KINDS",
    "ON_POST",
    "Outcome",
    "PERIODIC_KINDS",
    "Person",
    "PlannedCheck",
    "Posting",
    "PostingRole",
    "Profile",
    "ProfileVersion",
    "Report",
    "ReportKind",
    "ReportReview",
    "ReportStatus",
    "ReportVersion",
    "RequestStatus",
    "ReviewOutcome",
    "SecurityEvent",
    "SpotCheck",
    "StoredWarning",
    "Station",
    "StationKind",
    "StationUnit",
    "StationUnitRole",
    "StepAction",
    "TaskStatus",
    "TeamKindRule",
    "TodoItem",
    "Unit",
    "UnitKind",
    "WarningState",
    "Whereabouts",
    "WorkLog",
]
