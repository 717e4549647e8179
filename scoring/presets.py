"""Scoring schemes of the shipped presets (DESIGN §3), as data. Amounts in 元, points as strings.

Where a seed leaves the method open the scheme says so (`is_sketch`) and keeps the numbers the
seed gives; targets the seed leaves to the administrator stay empty.
"""

YI = 100_000_000
WAN = 10_000

SCHEMES = {
    # Seed 002, the 100-point sheet of each person (office counts feed it).
    "shanting": [{
        "code": "person-sheet", "name": "驻外招商人员量化考核表", "subject": "person", "interview_line": "60",
        "items": [
            ("leads", "项目信息", "count_target", "30",
             {"lead_class": "raw", "target": 15, "points_per_unit": "2", "floor": "0"}),
            # "引进过亿元项目": 过亿 read as ≥ 1亿 by default; each project counts (per project).
            ("big-project", "过亿元项目", "threshold_project", "30",
             {"amount": "fixed_asset", "threshold": str(YI), "inclusive": True, "basis": "per_project",
              "points_signed": "30", "bonus_per_extra": "15", "landing_bonus": "15", "landing_bonus_for": "each"}),
            ("presence", "在岗情况", "presence", "15", {"points_per_abnormal": "5", "zero_at": 2}),
            ("events", "会议活动", "events", "15", {"hosted_min_invited": 5, "points_hosted": "15"}),
            ("daily-work", "日常工作", "judgement", "10", {}),
            ("lost-projects", "服务不力致项目流失", "deduction", None,
             {"finding": "lost_by_service", "points_per_finding": "10"}),
            ("eight-point", "违反八项规定", "deduction", None,
             {"finding": "eight_point_rules", "points_per_finding": "10"}),
        ],
    }],
    # Seed 001: each cadre's yearly target by rank and sector, monthly investors and leads, and
    # money penalties for missed targets (base × shortfall); units too, with a veto on excellent.
    "all-staff": [
        {"code": "cadres", "name": "全员招商干部考评", "subject": "person", "person_counts": "own", "items": [
            ("investment", "年度招商任务", "amount_target", "60",
             {"amount": "fixed_asset", "targets_by_rank": {
                 "leader": {"industrial": str(1000 * WAN), "tertiary": str(5000 * WAN), "agricultural": str(500 * WAN)},
                 "middle": {"industrial": str(500 * WAN), "tertiary": str(2000 * WAN), "agricultural": str(300 * WAN)}},
              "points": "60"}),
            ("valuable-leads", "有价值项目信息（每月2条）", "count_target", "40",
             {"lead_class": "complete", "target": 24, "points_per_unit": "1", "floor": "0", "cap": "40"}),
            ("penalty", "未完成任务处罚", "proportional_penalty", None,
             {"of_item": "investment", "bases": {"leader": "4800", "middle": "3600"}}),
        ]},
        {"code": "units", "name": "全员招商单位考评", "subject": "unit", "items": [
            ("investment", "单位年度招商任务", "amount_target", "100",
             {"amount": "fixed_asset", "targets_by_rank": {"unit": {"industrial": str(5000 * WAN)}}, "points": "100"}),
            ("penalty", "未完成任务扣减年终奖", "proportional_penalty", None,
             {"of_item": "investment", "bases": {"unit": "3500", "village": "2000"}}),
            ("veto", "一票否决", "veto", None, {"of_item": "investment", "forbids": "excellent"}),
        ]},
    ],
    # Seed 003: units in four groups, six indicators 8:30:10:35:10:7; targets per group are left to
    # the administrator.
    "huaiyin": [{
        "code": "units", "name": "责任单位招商引资考核", "subject": "unit", "items": [
            ("new-attracted", "新引进项目", "weighted_indicator", "8", {"indicator": "new_attracted", "weight": "8"}),
            ("new-started", "新开工项目", "weighted_indicator", "30", {"indicator": "new_started", "weight": "30"}),
            ("under-construction", "在建项目", "weighted_indicator", "10",
             {"indicator": "under_construction", "weight": "10"}),
            ("new-completed", "新竣工项目", "weighted_indicator", "35", {"indicator": "new_completed", "weight": "35"}),
            ("output-quality", "产出质效", "weighted_indicator", "10", {"indicator": "output_quality", "weight": "10"}),
            ("process", "过程管理", "weighted_indicator", "7", {"indicator": "process", "weight": "7"}),
        ],
    }],
    # Seed 000 gives targets (≥ 1 project of ≥ 1亿 total investment, funds in place ≥ 5000万) and
    # daily duties, not a method: a sketch to edit.
    "xiangzhou": [{
        "code": "stations", "name": "驻外招商站年度考核（草案）", "subject": "team", "is_sketch": True, "items": [
            ("big-project", "亿元以上项目", "threshold_project", "40",
             {"amount": "total", "threshold": str(YI), "inclusive": True, "basis": "per_project",
              "points_signed": "40"}),
            ("funds", "到位资金5000万元", "threshold_project", "40",
             {"amount": "funds_in_place", "threshold": str(5000 * WAN), "inclusive": True, "basis": "yearly_total",
              "points_signed": "40"}),
            ("information", "项目信息", "count_target", "10", {"lead_class": "complete", "target": 12, "cap": "10"}),
            ("presence", "驻点在岗", "presence", "10", {"points_per_abnormal": "5"}),
        ],
    }],
    # Seed 004: a unit that misses its target cannot be rated excellent (一票否决); the rest of the
    # method is left to the three hands: a sketch.
    "xuancheng": [{
        "code": "units", "name": "市直单位招商引资考核（草案）", "subject": "unit", "is_sketch": True, "items": [
            ("signed", "签约项目", "count_target", "60", {"lead_class": "qualified", "target": 1}),
            ("daily-work", "日常工作", "judgement", "40", {}),
            ("veto", "一票否决", "veto", None, {"of_item": "signed", "forbids": "excellent"}),
        ],
    }],
}

# Reward rules per preset (`scoring.reward_models.RewardRules`), amounts in 元. Seed 001 五(一)(二):
# the first provider of a domestic project of ≥ 500万 fixed assets (以上: inclusive) once it succeeds
# (default: the contract signed), by tier — 500–1000万 → 1000元, 1001–3000万 → 3000, 3001–5000万 →
# 10000, 5001万以上 → 20000, read as [500, 1000], (1000, 3000], (3000, 5000], > 5000 万; foreign
# projects 0.3 % of the registered capital received; the introducer 0.5 % of the actual fixed-asset
# investment once started. Seed 003 has awards only (no computed reward). Other presets: none.
REWARD_RULES = {
    "all-staff": {
        "first_provider_tiers": [
            {"low": str(500 * WAN), "low_inclusive": True, "high": str(1000 * WAN), "high_inclusive": True,
             "amount": "1000"},
            {"low": str(1000 * WAN), "low_inclusive": False, "high": str(3000 * WAN), "high_inclusive": True,
             "amount": "3000"},
            {"low": str(3000 * WAN), "low_inclusive": False, "high": str(5000 * WAN), "high_inclusive": True,
             "amount": "10000"},
            {"low": str(5000 * WAN), "low_inclusive": False, "high": None, "high_inclusive": False, "amount": "20000"},
        ],
        "first_provider_basis": "fixed_asset",
        "first_provider_trigger": "signed",
        "minimum_project": str(500 * WAN),
        "minimum_basis": "fixed_asset",
        "minimum_inclusive": True,
        "foreign_rate": "0.003",
        "introducer_rate": "0.005",
    },
    "huaiyin": {"note": "淮阴：先进集体奖、工作单项奖、先进个人奖，审核、研究决定、公示，每年兑现一次。"},
}
