"""Lead rules of the shipped presets (data; see stations/presets.py for the rest of each preset).

Amounts are in 元. Executive ranks qualifying an investor visit follow "What the presets share":
investment-department manager or group vice-president and above for top companies; chairman,
president or general manager for smaller ones.
"""

from decimal import Decimal

from .models import ExecutiveRank as R
from .models import Stage

TOP_RANKS = [R.INVESTMENT_MANAGER, R.GROUP_VICE_PRESIDENT, R.GENERAL_MANAGER, R.PRESIDENT, R.CHAIRMAN]
SME_RANKS = [R.CHAIRMAN, R.PRESIDENT, R.GENERAL_MANAGER]
COMMON = {
    "scale_threshold": Decimal("5000000"),
    "major_threshold": Decimal("100000000"),
    "top_enterprise_ranks": TOP_RANKS,
    "sme_ranks": SME_RANKS,
}

LEAD_RULES = {
    # Seed 000: a station may negotiate a project itself or hand it to the bureau.
    "xiangzhou": {**COMMON, "skipped_stages": [], "team_may_negotiate": True},
    "susong": {**COMMON, "skipped_stages": [], "team_may_negotiate": True},
    # Seed 001: 规模项目 from 500万 fixed assets.
    # Seed 001: each person meets at least 5 investors a month.
    "all-staff": {**COMMON, "skipped_stages": [], "team_may_negotiate": True, "new_investors_per_month": 5},
    # Seed 002: each office visits at least 2 enterprises a week.
    "shanting": {**COMMON, "skipped_stages": [], "team_may_negotiate": True, "visits_per_week": 2,
                 "visits_target_per": "team"},
    "huaiyin": {**COMMON, "skipped_stages": [], "team_may_negotiate": True},
    # Seed 004: information → screening → site visit and negotiation → review → signing → aftercare;
    # the bureau screens and the parks own every later stage.
    "xuancheng": {**COMMON, "skipped_stages": [Stage.INTENTION, Stage.AGREEMENT], "team_may_negotiate": False},
}
