"""Every model has a page to link to."""

import datetime

from django.apps import apps


def test_every_model_links_to_a_page_that_resolves(world, client_for):
    from django.urls import resolve

    from stations import absences, accountability, checks, events, reports
    from stations.models import CalendarDay, SecurityEvent, TodoItem, WorkLog
    from stations.models.todo import TodoKind

    from .duty_world import furnish_duty

    TodoItem.objects.create(user=world.users["bureau"], kind=TodoKind.TASK, title="x", url="/teams/")
    SecurityEvent.objects.create(kind="login", username="x")
    CalendarDay.objects.create(date="2026-10-01", kind="holiday", name="国庆节")
    WorkLog.objects.create(person=world.person("chief_a"), station=world.station_a, date="2026-03-02",
                           created_by=world.users["chief_a"])
    furnish_duty(world)  # leave, an event, a submitted report, a dispatch meeting and task
    bureau = world.users["bureau"]
    absences.absence_decide(absence=world.absence, user=world.users["chief_a"], approve=True)
    events.event_decide(event=world.event, user=bureau, approve=True)
    reports.report_review(report=world.report, user=bureau, outcome="accepted")
    check = checks.check_record(user=bureau, person=world.person("staff_a"), station=world.station_a,
                                date=datetime.date(2026, 3, 2), method="phone", result="normal")
    checks.plan_pick(user=bureau, month=datetime.date(2026, 3, 1), posting=world.postings["staff_a"])
    assert check.pk
    accountability.record_create(user=bureau, person=world.person("staff_a"), station=world.station_a,
                                 kind="interview", office="bureau", decided_on=datetime.date(2026, 3, 3),
                                 evidence="连续15天不在岗")
    from stations import warnings
    from stations.models import Station, StoredWarning

    warnings.refresh(Station.objects.all())  # the warnings' snapshot: a state per team
    StoredWarning.objects.get_or_create(station=world.station_a, key="test:1", defaults={
        "kind": "away_total", "message": "x", "params": {}, "url": ""})
    for model in apps.get_app_config("stations").get_models():
        if model.__name__.startswith("Historical"):
            continue
        instance = model.objects.first()
        assert instance is not None, model.__name__
        resolve(instance.get_absolute_url().split("?")[0])  # raises Resolver404 if it leads nowhere


def test_cities_display_names_radiated_cities():
    from django.utils import translation

    from stations.models import Station

    station = Station(name="驻福州招商站", code="FZ", kind="resident_station", home_city="福州", radiates_to=["厦门", "泉州"])
    with translation.override("zh-hans"):
        assert station.cities_display == "福州（辐射厦门、泉州）"
    with translation.override("en"):
        assert station.cities_display == "福州 (radiates to 厦门、泉州)"
    assert Station(home_city="", region="闽南", radiates_to=[]).cities_display == "闽南"
