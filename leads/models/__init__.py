"""Models of the `leads` app: enterprises and contacts, visits, leads and what happens to them."""

from .enterprises import (
    Contact,
    Enterprise,
    EnterpriseKind,
    EnterpriseTier,
    Industry,
    Sector,
    Visit,
    normalise_enterprise_name,
    validate_credit_code,
)
from .leads import (
    Category,
    DuplicateStatus,
    ExecutiveRank,
    FollowUpPlan,
    FundsEntry,
    InvestorVisit,
    Lead,
    LeadOutcome,
    MeetingDecision,
    Origin,
    ReturnVisit,
    ScreeningDecision,
    ScreeningMeeting,
    Source,
    StageChange,
    Tag,
)
from .mentions import LogMention
from .rules import EXITS, OPTIONAL_STAGES, PIPELINE, SIGNED_OR_LATER, LeadRules, Stage
from .version import LeadsVersion

__all__ = [
    "LogMention",
    "EXITS", "OPTIONAL_STAGES", "PIPELINE", "SIGNED_OR_LATER", "Category", "Contact", "DuplicateStatus",
    "Enterprise", "EnterpriseKind", "EnterpriseTier", "ExecutiveRank", "FollowUpPlan", "FundsEntry", "Industry",
    "InvestorVisit", "Lead", "LeadOutcome", "LeadRules", "LeadsVersion", "MeetingDecision", "Origin", "ReturnVisit",
    "ScreeningDecision", "ScreeningMeeting", "Sector", "Source", "Stage", "StageChange", "Tag", "Visit",
    "normalise_enterprise_name", "validate_credit_code",
]
