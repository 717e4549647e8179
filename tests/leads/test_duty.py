"""What the leads app adds to station duty: links from a day's log to enterprises and leads,
the leads columns of the monthly figures, and the progress and visit warnings."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.duty import LeadFigures
from leads.models import FundsEntry, Lead, LeadRules, LogMention, StageChange, Visit
from stations import figures
from stations.models import Profile, Station, WorkLog
from stations.warnings import compute

TODAY = timezone.localdate()


def kinds(persona_or_station, found):
    return sorted({warning.kind for warning in found
                   if getattr(warning.person, "pk", None) == persona_or_station
                   or (warning.person is None and warning.station.pk == persona_or_station)})


def test_todays_log_links_the_teams_enterprises_and_leads(world, client_for, file_lead):
    lead = file_lead("chief_a")
    other = file_lead("chief_b", title="别的站的项目", enterprise_name="北京示例科技有限公司")
    client = client_for("chief_a")
    form = client.get(reverse("stations:worklog_today")).context["extra_forms"][0]
    assert list(form.fields["leads"].queryset) == [lead]
    assert other.enterprise not in form.fields["enterprises"].queryset
    response = client.post(reverse("stations:worklog_today"), {
        "station": world.station_a.pk, "date": TODAY.isoformat(), "whereabouts": "at_post",
        "activity_kinds": ["visit"], "activities": "拜访企业", "links-leads": [lead.pk],
        "links-enterprises": [lead.enterprise_id]})
    assert response.status_code == 302
    log = WorkLog.objects.get()
    assert log.activity_kinds == ["visit"]
    assert {(m.lead_id, m.enterprise_id) for m in LogMention.objects.all()} == {
        (lead.pk, None), (None, lead.enterprise_id)}
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="mentions"' in page and "拜访企业" in page
    # Another team's lead is not a choice: the whole save is refused and nothing changes.
    response = client.post(reverse("stations:worklog_today"), {
        "station": world.station_a.pk, "date": TODAY.isoformat(), "whereabouts": "travel",
        "links-leads": [other.pk]})
    assert response.status_code == 200 and response.context["extra_forms"][0].errors
    assert WorkLog.objects.get().whereabouts == "at_post" and LogMention.objects.count() == 2


def test_the_leads_columns_count_by_class_visits_and_funds(world, file_lead):
    lead = file_lead("chief_a")
    file_lead("chief_a", title="第二个项目", enterprise_name="另一家示例有限公司")
    Visit.objects.create(station=world.station_a, date=TODAY, enterprise=lead.enterprise, purpose="对接",
                         new_investor=True, created_by=world.users["chief_a"])
    FundsEntry.objects.create(lead=lead, date=TODAY, amount=Decimal("500000"), amount_cny=Decimal("500000"),
                              recorded_by=world.users["bureau"])
    values = figures.collect([world.station_a.pk, world.station_b.pk], TODAY.replace(day=1), TODAY)
    assert values[world.station_a.pk]["leads_raw"] == 2
    assert values[world.station_a.pk]["visits"] == 1 and values[world.station_a.pk]["new_investors"] == 1
    assert values[world.station_a.pk]["funds_in_place"] == Decimal("500000")
    assert values[world.station_b.pk]["leads_raw"] == 0 and values[world.station_b.pk]["funds_in_place"] == 0
    assert {column.key for column in LeadFigures.columns} <= set(values[world.station_a.pk])


def test_leads_count_in_the_month_of_their_local_filing_day(world, file_lead):
    """A lead filed at 23:59 Beijing time on the month's last day is the month's; one filed a
    minute later, on the first of the next, is not, though both are the same day in UTC."""
    zone = timezone.get_current_timezone()
    last_day = datetime.date(2026, 10, 31)

    def filed_at(day, hour, minute):
        lead = file_lead("chief_a", title=f"{day}-{hour}", enterprise_name=f"企业{day}{hour}")
        Lead.objects.filter(pk=lead.pk).update(
            filed_at=datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone))

    filed_at(datetime.date(2026, 10, 1), 0, 0)  # the month's first moment
    filed_at(last_day, 23, 59)
    filed_at(datetime.date(2026, 11, 1), 0, 0)
    filed_at(datetime.date(2026, 11, 1), 7, 59)  # still 31 October in UTC
    filed_at(datetime.date(2026, 9, 30), 23, 59)
    values = figures.collect([world.station_a.pk], datetime.date(2026, 10, 1), last_day)
    # Bounds at UTC midnights would count three (31 October, and 1 November before 08:00).
    assert values[world.station_a.pk]["leads_raw"] == 2


def no_presence_rules():
    version = Profile.objects.active().get().version_for()
    version.away_consecutive_days = version.away_working_days = None
    version.required_reports = []
    version.save()
    return version


@pytest.mark.parametrize(("months_ago", "warned"), [(5, False), (7, True)])
def test_a_team_without_progress_for_six_months_warns_its_people(world, file_lead, months_ago, warned):
    no_presence_rules()
    lead = file_lead("chief_a")
    Lead.objects.filter(pk=lead.pk).update(filed_at=timezone.now() - datetime.timedelta(days=30 * months_ago))
    StageChange.objects.filter(lead=lead).update(at=timezone.now() - datetime.timedelta(days=30 * months_ago))
    found = compute(Station.objects.all())
    assert ("no_progress" in kinds(world.person("staff_a").pk, found)) is warned
    # Station B never filed anything since its people were posted in 2025: always warned.
    assert "no_progress" in kinds(world.person("chief_b").pk, found)


def test_funds_in_place_or_a_stage_advance_is_progress(world, file_lead):
    no_presence_rules()
    lead = file_lead("chief_a")
    long_ago = timezone.now() - datetime.timedelta(days=300)
    Lead.objects.filter(pk=lead.pk).update(filed_at=long_ago)
    StageChange.objects.filter(lead=lead).update(at=long_ago)
    assert "no_progress" in kinds(world.person("staff_a").pk, compute(Station.objects.all()))
    FundsEntry.objects.create(lead=lead, date=TODAY, amount=Decimal("1"), amount_cny=Decimal("1"),
                              recorded_by=world.users["bureau"])
    assert "no_progress" not in kinds(world.person("staff_a").pk, compute(Station.objects.all()))
    version = Profile.objects.active().get().version_for()
    version.progress_kinds = ["new_lead", "stage_advance"]  # funds do not count under this profile
    version.save()
    assert "no_progress" in kinds(world.person("staff_a").pk, compute(Station.objects.all()))


def test_fewer_visits_than_the_weekly_target(world, file_lead):
    version = no_presence_rules()
    version.no_progress_months = None
    version.save()
    LeadRules.objects.update_or_create(version=version, defaults={"visits_per_week": 2})
    monday = TODAY - datetime.timedelta(days=TODAY.weekday() + 7)
    enterprise = file_lead("chief_a").enterprise
    Visit.objects.create(station=world.station_a, date=monday, enterprise=enterprise, purpose="对接",
                         created_by=world.users["chief_a"])
    Visit.objects.create(station=world.station_a, date=monday - datetime.timedelta(days=1), enterprise=enterprise,
                         purpose="上周日", created_by=world.users["chief_a"])
    found = compute(Station.objects.all())
    assert kinds(world.station_a.pk, found) == ["visits_short"]
    Visit.objects.create(station=world.station_a, date=monday + datetime.timedelta(days=6), enterprise=enterprise,
                         purpose="周日", created_by=world.users["chief_a"])
    assert kinds(world.station_a.pk, compute(Station.objects.all())) == []
    warning = next(w for w in found if w.kind == "visits_short" and w.station == world.station_a)
    assert warning.team_acts  # the chief is reminded too


def test_the_circular_ranks_by_funds_in_place_in_wan_on_the_page_and_in_excel(world, client_for, file_lead):
    import io

    from openpyxl import load_workbook

    lead = file_lead("chief_b")
    FundsEntry.objects.create(lead=lead, date=TODAY, amount=Decimal("2500000"), amount_cny=Decimal("2500000"),
                              recorded_by=world.users["bureau"])
    month = TODAY.strftime("%Y-%m")
    page = client_for("bureau").get(reverse("stations:circular"), {"month": month})
    rows = page.context["circular"]["rows"]
    assert page.context["circular"]["sort"] == "funds_in_place"
    assert [(row["station"].code, row["rank"]) for row in rows] == [("BJ", 1), ("SH", 2)]
    assert "250.00" in page.content.decode()
    sheet = load_workbook(io.BytesIO(client_for("bureau").get(reverse("stations:circular_export"),
                                                              {"month": month}).content)).active
    keys = [column.key for column in figures.columns()]
    funds = sheet.cell(row=5, column=3 + keys.index("funds_in_place")).value
    assert (sheet.cell(row=5, column=2).value, funds) == ("驻北京招商站", 250)
