"""Demo data of scoring (`stations.services.DEMO_EXTENSIONS`): the year so far scored for every
team and every posted person under the demo profile's own schemes, with results in every stage of
the three hands, judgements with reasons, an objection under publication, a veto and grades.

The demo profile is the bureau's edited copy of the Xiangzhou preset. Its team sheet is a sketch
(the seed gives no method), so the copy does what a bureau would: it sets an interview line of 60,
a quota of two excellent grades, a veto (no excellent without a project of 1亿), and adds a
person sheet on the Shanting model so that people are scored too.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from stations.models import Posting, Profile, Station
from stations.workdays import add_working_days

from . import engine, findings, grades, workflow
from .models import Evaluation, EvaluationLine, Finding, FindingKind, Grade, SchemeItem, ScoringScheme, Stage
from .presets import SCHEMES
from .services import scheme_create

# The stage each team's result reaches, by team code; the others stay computed.
TEAM_STAGES = {"SH": Stage.FINAL, "SZ": Stage.FINAL, "KS": Stage.PUBLISHED, "HZ": Stage.PUBLISHED,
               "FZ": Stage.ADJUDICATED, "GZ": Stage.VERIFIED, "WX": Stage.DISPUTED, "BJ": Stage.CONFIRMED}
DAILY_WORK = {"SH": "9", "SZ": "8", "KS": "7", "HZ": "8", "FZ": "6", "GZ": "7", "WX": "5", "BJ": "6"}


def seed(*, admin) -> None:
    profile = Profile.objects.active().first()
    if profile is None or Evaluation.objects.exists():
        return
    today = timezone.localdate()
    version = profile.version_for(today.year)
    team_sheet = version.scoring_schemes.filter(subject="team").first() if version else None
    if team_sheet is None:
        return
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=["bureau", "assessor", "thirdparty", "homeunit"])}
    with transaction.atomic():
        person_sheet = _local_schemes(version, team_sheet, admin)
        _findings(users["assessor"], today)
        first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
        for scheme in (team_sheet, person_sheet):
            engine.evaluate_all(scheme=scheme, first=first, last=last,
                                targets=engine.targets_for(scheme, first, last), user=admin)
        _judge(person_sheet, users["assessor"])
        _hands(team_sheet, users, today)


def _local_schemes(version, team_sheet: ScoringScheme, admin) -> ScoringScheme:
    """The bureau's edits of the sketch, and a person sheet on the Shanting model."""
    team_sheet.interview_line, team_sheet.excellent_quota = Decimal("60"), 2
    team_sheet.note = "本地细则：60分及以下约谈；优秀名额2个；无亿元以上项目不得评为优秀。"
    team_sheet._history_user = admin
    team_sheet.save()
    item = SchemeItem(scheme=team_sheet, position=team_sheet.items.count() + 1, code="veto",
                      label="无亿元项目不得评优", rule_type="veto",
                      params={"of_item": "big-project", "forbids": Grade.EXCELLENT})
    item.full_clean()
    item.save()
    shanting = SCHEMES["shanting"][0]
    return scheme_create(version=version, code="person-sheet", name="驻外招商人员量化考核表（本地）",
                         subject="person", items=shanting["items"], interview_line=Decimal("60"), user=admin,
                         note="参照山亭区驻外招商人员百分制考核表，按本站数据计分。")


def _findings(assessor, today) -> None:
    """A breach of the eight-point rules, found in a spot check of one person's expenses; and one
    recorded against the whole team in error, then withdrawn with the reason (it no longer counts)."""
    posting = Posting.objects.current().filter(station__code="WX").select_related("person").order_by("pk").last()
    if posting is not None:
        Finding.objects.create(station=posting.station, person=posting.person, kind=FindingKind.EIGHT_POINT_RULES,
                               date=today - datetime.timedelta(days=60), recorded_by=assessor,
                               description="接待费用超标准列支，已责令退回。")
        mistaken = Finding.objects.create(station=posting.station, kind=FindingKind.LOST_BY_SERVICE,
                                          date=today - datetime.timedelta(days=45), recorded_by=assessor,
                                          description="客商来访无人接待，项目转投外地。")
        findings.finding_withdraw(user=assessor, finding=mistaken,
                                  reason="经核实，该项目由园区对接，非本站失误，误录撤销。")


def _judge(person_sheet: ScoringScheme, assessor) -> None:
    """Daily work scored with a reason for everyone but one person, whose total therefore waits."""
    daily = EvaluationLine.objects.filter(evaluation__scheme=person_sheet, item__code="daily-work").select_related(
        "evaluation__station", "item").order_by("evaluation__station__code", "evaluation__pk")
    for number, line in enumerate(daily):
        if number == 0:
            continue  # left for the assessor: the total waits for it
        points = Decimal(DAILY_WORK.get(line.evaluation.station.code, "7"))
        engine.judge(line=line, user=assessor, points=points, reason="按时报送月报，日志完整，遵守驻外纪律。")


def _hands(team_sheet: ScoringScheme, users, today) -> None:
    """Move the team results through the three hands to the stage `TEAM_STAGES` gives."""
    bureau, assessor = users["bureau"], users["assessor"]
    chiefs = {posting.station.code: posting.person.user for posting in
              Posting.objects.current().chiefs().select_related("station", "person__user")}
    order = [Stage.CONFIRMED, Stage.VERIFIED, Stage.ADJUDICATED, Stage.PUBLISHED, Stage.FINAL]
    for station in Station.objects.filter(code__in=TEAM_STAGES):
        target = TEAM_STAGES[station.code]
        evaluation = Evaluation.objects.get(scheme=team_sheet, station=station)
        chief = chiefs[station.code]
        if target == Stage.DISPUTED:
            workflow.confirm_evidence(evaluation=evaluation, user=chief, agree=False,
                                      comment="3月签约的项目总投资应以合同金额为准，请核实。")
            continue
        workflow.confirm_evidence(evaluation=evaluation, user=chief, agree=True, comment="数据无误。")
        if order.index(target) >= order.index(Stage.VERIFIED):
            workflow.verify(evaluation=evaluation, user=bureau, comment="已核对项目台账和到位资金凭证。")
        if order.index(target) >= order.index(Stage.ADJUDICATED):
            workflow.adjudicate(evaluation=evaluation, user=assessor, comment="考核办认定。")
            advice = grades.advice(evaluation)
            grade = Grade.EXCELLENT if not advice["forbids_excellent"] and evaluation.total >= 80 else (
                Grade.COMPETENT if evaluation.total > 60 else Grade.BASIC)
            grades.grade_decide(evaluation=evaluation, user=assessor, grade=grade,
                                reason="" if grade == Grade.EXCELLENT else "按得分评定。")
        if order.index(target) >= order.index(Stage.PUBLISHED):
            workflow.publish(evaluation=evaluation, user=assessor)
        if station.code == "KS":
            workflow.object_to(evaluation=evaluation, user=users["homeunit"],
                               text="昆山站第三季度走访记录未计入，请复核在岗情况得分。")
        if target == Stage.FINAL:
            # Demo history: the publication ran its five working days a fortnight ago.
            Evaluation.objects.filter(pk=evaluation.pk).update(
                published_until=add_working_days(today - datetime.timedelta(days=21), 5))
            evaluation.refresh_from_db()
            workflow.finalize(evaluation=evaluation, user=assessor)
