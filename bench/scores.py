"""Benchmark: a year's scores for N subjects, computed and exported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/outpost_bench .venv/bin/python bench/scores.py --teams 1000

Builds N teams (two people each, with leads, funds in place, spot checks and hosted events) with
bulk inserts inside one transaction, scores the year under the Shanting person sheet (2N people)
and the Xiangzhou team sheet (N teams), recomputes once, and writes the Excel score sheet; then
rolls everything back, so it can run against any scratch database (it migrates it first).

It prints, for each step, the wall time and the number of queries. The number of queries must not
grow with N (compare --teams 10 with --teams 1000); the times are what the README quotes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

YEAR = timezone.localdate().year
FIRST, LAST = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


class Rollback(Exception):
    pass


def build(teams: int):
    from leads.models import FundsEntry, Lead
    from stations import services
    from stations.models import (
        CheckMethod,
        CheckResult,
        Event,
        EventRole,
        Person,
        Posting,
        PostingRole,
        SpotCheck,
        Station,
        StationKind,
    )

    services.presets_install()
    user_model = get_user_model()
    admin = user_model.objects.create_superuser("bench-admin", password="x" * 16)
    stations = Station.objects.bulk_create([
        Station(name=f"基准测试站{number:05d}", code=f"B{number:05d}", kind=StationKind.RESIDENT_STATION,
                home_city="上海", opened_on=datetime.date(YEAR - 1, 3, 1)) for number in range(teams)])
    people = Person.objects.bulk_create([Person(name=f"测试{number:06d}") for number in range(2 * teams)])
    Posting.objects.bulk_create([
        Posting(person=person, station=stations[number // 2], title="主任" if number % 2 == 0 else "工作人员",
                role=PostingRole.CHIEF if number % 2 == 0 else PostingRole.STAFF,
                start_date=datetime.date(YEAR - 1, 3, 1)) for number, person in enumerate(people)])
    filed = timezone.make_aware(datetime.datetime(YEAR, 3, 1))
    leads = Lead.objects.bulk_create([
        Lead(station=station, title=f"项目{station.code}-{number}", filed_at=filed, filed_by=admin, created_by=admin,
             content="智能制造", total_investment=Decimal(150_000_000), fixed_asset_investment=Decimal(120_000_000),
             investor_name="张三", investor_phone="13800000000", utilities="用电",
             signed_on=datetime.date(YEAR, 5, 1) if number == 0 else None,
             started_on=datetime.date(YEAR, 7, 1) if number == 0 else None)
        for station in stations for number in range(16)])
    FundsEntry.objects.bulk_create([
        FundsEntry(lead=lead, date=datetime.date(YEAR, 8, 1), amount=Decimal(60_000_000),
                   amount_cny=Decimal(60_000_000), recorded_by=admin) for lead in leads[::16]])
    SpotCheck.objects.bulk_create([
        SpotCheck(person=person, station=stations[number // 2], date=datetime.date(YEAR, 4, 1 + number % 20),
                  method=CheckMethod.VIDEO, result=CheckResult.ABNORMAL if number % 7 == 0 else CheckResult.NORMAL,
                  checked_by=admin) for number, person in enumerate(people)])
    Event.objects.bulk_create([
        Event(station=station, title="产业对接会", date=datetime.date(YEAR, 6, 15), role=EventRole.HOSTED,
              invited_enterprises=12, created_by=admin) for station in stations[::3]])
    return admin


def measure(label, function):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    print(f"{label:<48} {elapsed:8.2f} s {len(queries):6d} queries")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000)
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    from scoring import boards, engine
    from scoring.exports import score_workbook
    from scoring.models import Evaluation, ScoringScheme
    from stations.models import Profile

    print(f"{arguments.teams} teams, {2 * arguments.teams} people, on {connection.vendor}")
    try:
        with transaction.atomic():
            admin = measure("build the data (bulk inserts)", lambda: build(arguments.teams))
            sheets = []
            for profile, code in (("shanting", "person-sheet"), ("xiangzhou", "stations")):
                scheme = ScoringScheme.objects.get(version__profile__code=profile, code=code)
                targets = measure(f"{scheme.subject}s to score ({code})",
                                  lambda scheme=scheme: engine.targets_for(scheme, FIRST, LAST))
                for attempt in ("compute", "recompute"):
                    evaluations, _kept = measure(
                        f"{attempt} {len(targets)} {scheme.subject}s", lambda scheme=scheme, targets=targets:
                        engine.evaluate_all(scheme=scheme, first=FIRST, last=LAST, targets=targets, user=admin))
                sheets.append(scheme)
            Profile.objects.filter(code="shanting").update(is_active=True)
            for scheme in sheets:
                board = measure(f"ranking board of {scheme.evaluations.count()} subjects", lambda scheme=scheme:
                                boards.ranking(visible=Evaluation.objects.all(), scheme=scheme, period="year",
                                               first=FIRST, last=LAST))
                content = measure("Excel score sheet", lambda board=board: score_workbook(
                    boards=[board], title=str(YEAR), user=admin, now=timezone.localtime()))
                print(f"{'':<48} {len(content) / 1e6:8.1f} MB")
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
