"""The funding app's models: the ledger and budgets, the profile's money rules, claims and
budget increases, and year end. Import from here."""

from .claims import (
    LIVE_STATUSES,
    BudgetIncrease,
    ClaimDecision,
    ClaimStatus,
    ExpenseClaim,
    IncreaseDecision,
    Receipt,
)
from .ledger import (
    AMOUNT_LIMIT,
    APPEND_ONLY_MESSAGE,
    CATEGORISED,
    CORRECTIONS,
    FIRST_YEAR,
    LAST_YEAR,
    MONEY_IN,
    MONEY_OUT,
    AppendOnlyError,
    Budget,
    CategoryCheck,
    EntryKind,
    ExpenseCategory,
    LedgerEntry,
)
from .rules import FundingModel, FundingRule, TravelStandard, YearEnd
from .yearend import Recovery, YearClose

__all__ = [
    "AMOUNT_LIMIT", "APPEND_ONLY_MESSAGE", "CATEGORISED", "CORRECTIONS", "FIRST_YEAR", "LAST_YEAR",
    "LIVE_STATUSES", "MONEY_IN", "MONEY_OUT", "AppendOnlyError", "Budget", "BudgetIncrease", "CategoryCheck", "ClaimDecision",
    "ClaimStatus", "EntryKind", "ExpenseCategory", "ExpenseClaim", "FundingModel", "FundingRule",
    "IncreaseDecision", "LedgerEntry", "Receipt", "Recovery", "TravelStandard", "YearClose", "YearEnd",
]
