"""The shipped policy-profile presets: DESIGN §3, one per seed, as data.

This module is data, not logic: `load_presets` turns it into `Profile` rows, and an
administrator copies a preset and edits the copy. Where a seed is silent on a chain or a due
day, the value chosen here is the stated default (see the comment on each) and can be edited.
Later capabilities add their parameters (targets, scoring, funding) to the same presets.

Chains are lists of (actor, action); a chain keyed `(process, team_kind)` replaces the general
chain for that kind of team.
"""

from .models.org import StationKind as K
from .models.profiles import ApprovalActor as A
from .models.profiles import ApprovalProcess as P
from .models.profiles import StepAction as S

PRESET_YEAR = 2026

PRESETS = [
    {
        "code": "xiangzhou",
        "name": "襄州区驻外招商工作站",
        "jurisdiction": "襄州区",
        "source": "seed 000: 关于组建驻外招商工作站开展驻点招商工作的通知",
        "description": "十个驻外招商站，由组建单位派班子成员任主任、配1–2名工作人员；招商局直接管理；"
        "每站每年至少1个亿元以上项目、到位资金不少于5000万元；财政每站5万元由招商局分批拨付，其余单位自筹。",
        # "每月底向招商局上报工作小结": the monthly summary is due at month end. Daily logs are kept
        # ("建立驻点工作日志"), so a day without one is a day away.
        "version": {
            "monthly_report_due_day": None,
            "required_reports": ["monthly", "annual"],
            "progress_kinds": ["new_lead", "stage_advance", "funds"],
        },
        # "连续6个月无进展或进展不力的，由招商局约谈": the bureau judges and interviews.
        "accountability": {
            "poor_progress": [A.BUREAU], "interview": [A.BUREAU], "criticism": [A.BUREAU],
            "warning_talk": [A.LEADING_GROUP], "discipline_referral": [A.LEADING_GROUP],
            "replacement": [A.LEADING_GROUP],
        },
        "team_kinds": [
            {"kind": K.RESIDENT_STATION, "label": "驻外招商站", "chief_title": "主任", "staff_title": "工作人员"},
        ],
        "chains": {
            # The seed names the bureau as the stations' direct manager and is silent on leave:
            # default — the chief schedules, the bureau approves and files.
            P.LEAVE: [(A.CHIEF, S.SCHEDULE), (A.BUREAU, S.APPROVE)],
            P.HOME_SERVICE: [(A.CHIEF, S.SCHEDULE), (A.BUREAU, S.APPROVE)],
            P.LARGE_EVENT: [(A.BUREAU, S.APPROVE)],
            # The treasury's 5万 sits in the bureau's account and is released by the bureau.
            P.EXPENSE_CLAIM: [(A.CHIEF, S.APPROVE), (A.BUREAU, S.APPROVE)],
            P.BUDGET_INCREASE: [(A.BUREAU, S.AGREE), (A.LEADING_GROUP, S.APPROVE)],
        },
    },
    {
        "code": "susong",
        "name": "宿松县驻外招商中心局、分局",
        "jurisdiction": "宿松县",
        "source": "seed 000 (扩展): 关于公开选聘驻外招商工作人员的通知",
        "description": "按区域设中心局及分局，一局一人，称局长，聘期两年；经费包干：首月启动经费2万元，"
        "之后中心局每月7000元、分局每月5000元。",
        "version": {
            "monthly_report_due_day": None,
            "required_reports": ["monthly", "annual", "end_of_posting"],
            "progress_kinds": ["new_lead", "stage_advance", "funds"],
        },
        # Dismissal (解聘) on missed targets, leaving the post or misconduct: decided by the leading
        # group on the bureau's and the organization department's findings.
        "accountability": {
            "poor_progress": [A.BUREAU], "interview": [A.BUREAU], "criticism": [A.BUREAU],
            "warning_talk": [A.ORG_DEPARTMENT], "discipline_referral": [A.LEADING_GROUP],
            "dismissal": [A.LEADING_GROUP],
        },
        "team_kinds": [
            {"kind": K.HUB, "label": "驻外招商中心局", "chief_title": "局长", "staff_title": "工作人员"},
            {"kind": K.BRANCH, "label": "驻外招商分局", "chief_title": "局长", "staff_title": "工作人员"},
        ],
        "chains": {
            P.LEAVE: [(A.BUREAU, S.APPROVE)],
            P.HOME_SERVICE: [(A.BUREAU, S.APPROVE)],
            P.LARGE_EVENT: [(A.BUREAU, S.APPROVE)],
            # 包干使用: a lump sum, no per-item approval; the chief reports what was spent.
            P.EXPENSE_CLAIM: [(A.CHIEF, S.FILE)],
            P.BUDGET_INCREASE: [(A.BUREAU, S.AGREE), (A.FINANCE, S.AGREE), (A.LEADING_GROUP, S.APPROVE)],
        },
    },
    {
        "code": "all-staff",
        "name": "全员招商",
        "jurisdiction": "某开发区",
        "source": "seed 001: 区委全员招商活动工作意见",
        "description": "全区干部、各单位、各村全员招商；首次提供信息者向区招商局申报备案；按月、季、半年考评。",
        # Home-based teams: no presence rules (the team kind is not resident), so the away
        # warnings never apply; progress and reports do. Monthly exchange, half-year summary.
        "version": {
            "monthly_report_due_day": None,
            "required_reports": ["monthly", "half_year", "annual"],
            "progress_kinds": ["new_lead", "stage_advance", "funds"],
        },
        # Missed targets: a warning talk for the unit head (by the leading group).
        "accountability": {
            "poor_progress": [A.BUREAU], "interview": [A.BUREAU], "criticism": [A.LEADING_GROUP],
            "warning_talk": [A.LEADING_GROUP], "discipline_referral": [A.LEADING_GROUP],
        },
        "team_kinds": [
            {"kind": K.HOME_TEAM, "label": "招商小组", "chief_title": "组长", "staff_title": "成员", "is_resident": False},
        ],
        "chains": {
            P.LEAVE: [(A.BUREAU, S.APPROVE)],
            P.HOME_SERVICE: [(A.BUREAU, S.APPROVE)],
            P.LARGE_EVENT: [(A.BUREAU, S.APPROVE)],
            P.EXPENSE_CLAIM: [(A.CHIEF, S.APPROVE), (A.BUREAU, S.APPROVE)],
            P.BUDGET_INCREASE: [(A.BUREAU, S.AGREE), (A.LEADING_GROUP, S.APPROVE)],
        },
    },
    {
        "code": "shanting",
        "name": "山亭区驻外招商人员管理办法",
        "jurisdiction": "山亭区",
        "source": "seed 002: 山政办字〔2018〕16号",
        "description": "北京、上海、深圳三个驻外招商工作处，由考核办和投资促进局共同管理；每月25日前报送月报；"
        "每人量化考核100分；每处每年50万元经费，主任负责制，财政监督。",
        # "每月25日前" (inclusive); quarterly report, half-year evaluation, annual summary and one
        # research report a year. "每月在岗不少于20天，全年不少于240天" (calendar days); leave "每月
        # 不超过5天". Hosting a large event with ≥ 5 invited enterprises earns the event points, and
        # a large conference needs the leader's approval: the same five is the default here.
        # Away 15 consecutive days / 30 working days: window not stated — default the term.
        "version": {
            "monthly_report_due_day": 25,
            "on_post_days_month": 20,
            "on_post_days_year": 240,
            "leave_days_month": 5,
            "large_event_min_invited": 5,
            "required_reports": ["monthly", "quarterly", "half_year", "annual", "research", "end_of_posting"],
            "progress_kinds": ["new_lead", "stage_advance", "funds"],
        },
        # "由考核办和投资促进局共同认定，报区委撤换"; the principal leader interviews a weak office.
        "accountability": {
            "poor_progress": [A.BUREAU, A.ASSESSMENT], "interview": [A.LEADERSHIP],
            "criticism": [A.ASSESSMENT], "warning_talk": [A.LEADERSHIP],
            "discipline_referral": [A.ASSESSMENT], "replacement": [A.ASSESSMENT, A.BUREAU],
        },
        "team_kinds": [
            {"kind": K.RESIDENT_STATION, "label": "驻外招商工作处", "chief_title": "主任", "staff_title": "工作人员"},
        ],
        "chains": {
            # "由负责人统筹安排，报区领导批准，报区投资促进局备案"
            P.LEAVE: [(A.CHIEF, S.SCHEDULE), (A.LEADERSHIP, S.APPROVE), (A.BUREAU, S.FILE)],
            P.HOME_SERVICE: [(A.CHIEF, S.SCHEDULE), (A.LEADERSHIP, S.APPROVE), (A.BUREAU, S.FILE)],
            P.LARGE_EVENT: [(A.LEADERSHIP, S.APPROVE), (A.BUREAU, S.FILE)],
            # 经费使用实行主任负责制, finance supervises.
            P.EXPENSE_CLAIM: [(A.CHIEF, S.APPROVE), (A.FINANCE, S.FILE)],
            P.BUDGET_INCREASE: [(A.FINANCE, S.AGREE), (A.AUDIT, S.AGREE), (A.BUREAU, S.AGREE)],
        },
    },
    {
        "code": "huaiyin",
        "name": "淮阴区招商引资激励考核办法",
        "jurisdiction": "淮阴区",
        "source": "seed 003: 淮阴区健全激励考核办法提高招商引资实效",
        "description": "平台、镇街、重点部门、一般部门四类责任单位；本地招商组，无驻点要求；牵头单位审批经费。",
        "version": {
            "monthly_report_due_day": None,
            "required_reports": ["monthly", "annual"],
            "progress_kinds": ["new_lead", "stage_advance", "funds"],
        },
        "accountability": {
            "poor_progress": [A.BUREAU], "interview": [A.BUREAU], "criticism": [A.ASSESSMENT],
            "warning_talk": [A.LEADING_GROUP], "discipline_referral": [A.ASSESSMENT],
        },
        "team_kinds": [
            {"kind": K.HOME_TEAM, "label": "招商组", "chief_title": "负责人", "staff_title": "成员", "is_resident": False},
        ],
        "chains": {
            P.LEAVE: [(A.LEAD_UNIT, S.APPROVE)],
            P.HOME_SERVICE: [(A.LEAD_UNIT, S.APPROVE)],
            P.LARGE_EVENT: [(A.LEAD_UNIT, S.APPROVE), (A.BUREAU, S.FILE)],
            P.EXPENSE_CLAIM: [(A.LEAD_UNIT, S.APPROVE)],
            P.BUDGET_INCREASE: [(A.BUREAU, S.AGREE), (A.AUDIT, S.AGREE), (A.LEADING_GROUP, S.APPROVE)],
        },
    },
    {
        "code": "xuancheng",
        "name": "宣城市直招商引资工作机制",
        "jurisdiction": "宣城市",
        "source": "seed 004: 关于进一步完善市直招商引资工作机制的意见",
        "description": "12个市直招商组、6个驻外分局、4个产业招商组；分局经费每年40万元由招商局管理，"
        "招商组经费每年20万元由牵头单位管理。",
        # Monthly major-lead report; quarterly supervision.
        "version": {
            "monthly_report_due_day": None,
            "required_reports": ["monthly", "quarterly", "annual"],
            "progress_kinds": ["new_lead", "stage_advance", "funds"],
        },
        "accountability": {
            "poor_progress": [A.BUREAU], "interview": [A.BUREAU], "criticism": [A.ASSESSMENT],
            "warning_talk": [A.LEADERSHIP], "discipline_referral": [A.ASSESSMENT],
            "replacement": [A.LEADERSHIP],
        },
        "team_kinds": [
            {"kind": K.CITY_GROUP, "label": "市直招商组", "chief_title": "组长", "staff_title": "成员", "is_resident": False},
            {"kind": K.BRANCH, "label": "驻外招商分局", "chief_title": "负责人", "staff_title": "工作人员"},
            {"kind": K.INDUSTRY_GROUP, "label": "产业招商组", "chief_title": "组长", "staff_title": "成员", "is_resident": False},
        ],
        "chains": {
            P.LEAVE: [(A.CHIEF, S.SCHEDULE), (A.BUREAU, S.APPROVE)],
            P.HOME_SERVICE: [(A.CHIEF, S.SCHEDULE), (A.BUREAU, S.APPROVE)],
            P.LARGE_EVENT: [(A.LEADERSHIP, S.APPROVE), (A.BUREAU, S.FILE)],
            # Branch money is managed by the bureau, a city group's by its lead unit.
            (P.EXPENSE_CLAIM, K.BRANCH): [(A.CHIEF, S.APPROVE), (A.BUREAU, S.APPROVE)],
            (P.EXPENSE_CLAIM, K.CITY_GROUP): [(A.CHIEF, S.APPROVE), (A.LEAD_UNIT, S.APPROVE)],
            (P.EXPENSE_CLAIM, K.INDUSTRY_GROUP): [(A.CHIEF, S.APPROVE), (A.LEAD_UNIT, S.APPROVE)],
            P.BUDGET_INCREASE: [(A.BUREAU, S.AGREE), (A.LEADERSHIP, S.APPROVE)],
        },
    },
]
