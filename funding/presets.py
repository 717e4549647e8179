"""The money paragraph of each shipped preset (DESIGN §3), as data, and its copy into new versions.

`stations.services.presets_install` calls `funding_rules_install_preset` for every preset it
installs, and `profile_copy` calls `funding_rules_copy`; both are registered in `FundingConfig`.
Where a seed is silent, the value chosen here is a stated default that an administrator edits.
"""

from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from stations.models import ApprovalActor as A
from stations.models import StationKind as K

from .models import ExpenseCategory, FundingModel, FundingRule, TravelStandard, YearEnd

# The nine categories of seed 002 (经费管理); migration 0002 seeds the same for existing databases.
CATEGORIES = [
    ("office", "办公场所租赁及办公设备", ""),
    ("lodging", "住宿费", "lodging"),
    ("intercity_transport", "区间交通费", ""),
    ("local_transport", "市内交通费", ""),
    ("meals", "伙食费", "meals"),
    ("insurance", "保险费", ""),
    ("conference", "参会费", "event"),
    ("reception", "客商接待费", ""),
    ("other", "其他", ""),
]

# No seed prints travel standards; these are the central government's 2024 lodging caps for
# the cities the presets post to and its 100元 daily meal allowance, as a starting point.
TRAVEL_STANDARDS = [
    ("北京", "500", "100"), ("上海", "500", "100"), ("深圳", "500", "100"), ("广州", "450", "100"),
    ("杭州", "450", "100"), ("苏州", "400", "100"), ("南京", "450", "100"), ("厦门", "450", "100"),
    ("福州", "380", "100"), ("", "350", "100"),
]

W = Decimal  # amounts are written as text, read as Decimal

FUNDING = {
    # 财政每站5万元由招商局分批拨付，其余由组建单位自筹. Batches are released "by performance":
    # the default asks for the month's report to be accepted first; treasury money goes back at
    # year end. The leading group may let a claim pass the budget.
    "xiangzhou": [
        {"model": FundingModel.BATCHES, "annual_amount": W("50000"), "self_funded": True,
         "release_needs_report": True, "override_actor": A.LEADING_GROUP, "year_end": YearEnd.RETURN},
    ],
    # 经费包干：首月启动经费2万元，之后中心局每月7000元、分局每月5000元. A lump sum is the office's
    # to spend without per-item approval; the balance stays with it (carried over).
    "susong": [
        {"team_kind": K.HUB, "model": FundingModel.LUMP_SUM, "first_month_amount": W("20000"),
         "monthly_amount": W("7000"), "receipts_required": False, "override_actor": A.BUREAU,
         "year_end": YearEnd.CARRY_OVER},
        {"team_kind": K.BRANCH, "model": FundingModel.LUMP_SUM, "first_month_amount": W("20000"),
         "monthly_amount": W("5000"), "receipts_required": False, "override_actor": A.BUREAU,
         "year_end": YearEnd.CARRY_OVER},
    ],
    # Seed 001 funds no teams; its groups spend the bureau's promotion money: a default of 5万.
    "all-staff": [
        {"model": FundingModel.ANNUAL, "annual_amount": W("50000"), "override_actor": A.LEADING_GROUP},
    ],
    # 每处每年50万元，主任负责制，财政监督; increases agreed by finance, audit and the bureau —
    # so passing the budget is the district leader's call.
    "shanting": [
        {"model": FundingModel.ANNUAL, "annual_amount": W("500000"), "override_actor": A.LEADERSHIP},
    ],
    # The lead unit approves claims (seed 003 gives no amount: 20万 as for Xuancheng's groups).
    "huaiyin": [
        {"model": FundingModel.LEAD_UNIT, "annual_amount": W("200000"), "override_actor": A.LEADING_GROUP},
    ],
    # 分局每年40万元由招商局管理，招商组每年20万元由牵头单位管理，派驻人员差旅费包干.
    "xuancheng": [
        {"team_kind": K.BRANCH, "model": FundingModel.ANNUAL, "annual_amount": W("400000"),
         "override_actor": A.LEADERSHIP},
        {"team_kind": K.CITY_GROUP, "model": FundingModel.LEAD_UNIT, "annual_amount": W("200000"),
         "override_actor": A.LEADERSHIP},
        {"team_kind": K.INDUSTRY_GROUP, "model": FundingModel.LEAD_UNIT, "annual_amount": W("200000"),
         "override_actor": A.LEADERSHIP},
    ],
}


def categories_install() -> dict[str, ExpenseCategory]:
    """Make sure the nine categories exist (an administrator's renames are kept); by code."""
    for position, (code, name, check) in enumerate(CATEGORIES, start=1):
        ExpenseCategory.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10,
                                                                   "checked_against": check})
    return {category.code: category for category in ExpenseCategory.objects.all()}


def funding_rules_install_preset(version, code: str) -> None:
    """Give a freshly installed preset version its funding rules and travel standards."""
    categories_install()
    bulk_create_with_history([FundingRule(version=version, **rule) for rule in FUNDING.get(code, [])],
                             FundingRule)
    bulk_create_with_history([
        TravelStandard(version=version, city=city, lodging_per_night=W(lodging), meals_per_day=W(meals))
        for city, lodging, meals in TRAVEL_STANDARDS
    ], TravelStandard)


FIELDS = [field.name for field in FundingRule._meta.concrete_fields if field.name not in ("id", "version")]


def funding_rules_copy(version, new_version) -> None:
    """Copy a version's funding rules and travel standards into `new_version` (profile copy)."""
    bulk_create_with_history([
        FundingRule(version=new_version, **{name: getattr(rule, name) for name in FIELDS})
        for rule in version.funding_rules.all()
    ], FundingRule)
    bulk_create_with_history([
        TravelStandard(version=new_version, city=standard.city, lodging_per_night=standard.lodging_per_night,
                       meals_per_day=standard.meals_per_day)
        for standard in version.travel_standards.all()
    ], TravelStandard)
