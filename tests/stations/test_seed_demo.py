import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from stations.models import Person, Posting, Profile, Station, StationUnit, Unit
from stations.permissions import Action, Role, stations_for


def counts():
    from leads.models import Contact, Enterprise, FundsEntry, Lead, StageChange, Visit
    from stations.models import WorkLog

    return {
        model.__name__: model.objects.count()
        for model in (Station, Posting, Person, Unit, StationUnit, get_user_model(), Lead, Enterprise, Contact,
                      Visit, StageChange, FundsEntry, WorkLog)
    } | {"history": Station.history.count() + Posting.history.count()}


@pytest.mark.django_db
def test_seed_demo_builds_xiangzhou_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-123")
    first = counts()
    call_command("seed_demo", password="demo-password-123")
    assert counts() == first
    assert first["Station"] == 10
    # The bureau's own edited copy of the Xiangzhou preset is active.
    active = Profile.objects.active().get()
    assert (active.code, active.copied_from.code, active.version_for().on_post_days_month) == (
        "xiangzhou-local", "xiangzhou", 20)
    # Fuzhou, Hangzhou and Guangzhou are formed by two units each; thirteen forming units in all.
    two_units = {s.code for s in Station.objects.all() if s.station_units.count() == 2}
    assert two_units == {"FZ", "HZ", "GZ"}
    assert StationUnit.objects.values("unit").distinct().count() == 13
    assert Station.objects.get(code="FZ").radiates_to == ["厦门"]
    for station in Station.objects.all():
        current = station.postings.current()
        assert current.chiefs().count() == 1
        assert 1 <= current.filter(role="staff").count() <= 2
        chief = current.chiefs().get()
        assert chief.title == "主任"
        assert chief.home_unit in station.units.all()
        assert chief.person.is_leadership_member
        assert chief.person.user is not None


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Station.objects.exists()
    call_command("seed_demo", force=True, password="demo-password-123")
    assert Station.objects.count() == 10


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_database_alone(settings):
    settings.DEBUG = True
    Station.objects.create(name="已有的站", code="OLD", kind="hub")
    call_command("seed_demo", if_empty=True)
    assert list(Station.objects.values_list("code", flat=True)) == ["OLD"]


@pytest.mark.django_db
def test_seed_demo_has_logins_leads_a_year_of_duty_and_every_kind_of_warning(settings):
    from stations import warnings
    from stations.models import (
        Absence,
        AccountabilityRecord,
        DispatchTask,
        Event,
        PlannedCheck,
        Report,
        SpotCheck,
        TodoItem,
        WorkLog,
    )

    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-123")
    people = set(Posting.objects.current().values_list("person_id", flat=True))
    assert set(WorkLog.objects.values_list("person_id", flat=True)) == people
    assert WorkLog.objects.filter(person__name="王建国").count() > 365
    assert set(Absence.objects.values_list("kind", "status")) >= {
        ("leave", "approved"), ("home_service", "approved"), ("leave", "pending")}
    assert SpotCheck.objects.filter(contradicts_log=True).exists() and PlannedCheck.objects.exists()
    assert set(Event.objects.filter(is_large=True).values_list("status", flat=True)) == {"approved", "pending"}
    assert set(Report.objects.values_list("status", flat=True)) == {"accepted", "submitted", "returned"}
    assert Report.objects.filter(days_late__gt=0).exists()
    assert set(DispatchTask.objects.values_list("status", flat=True)) == {"open", "done"}
    assert AccountabilityRecord.objects.exclude(warning_key="").exists()
    found = warnings.compute(Station.objects.all())
    kinds = {warning.kind for warning in found}
    assert kinds == set(warnings.KINDS), set(warnings.KINDS) - kinds
    assert any(warning.handled for warning in found)
    # The bureau's to-do list holds the warnings; every chief with an overdue report is reminded.
    assert TodoItem.objects.open().filter(user__username="bureau", kind="reminder").count() == sum(
        1 for warning in found if not warning.handled)
    assert TodoItem.objects.open().filter(user__username="nb-chief", kind="reminder").exists()

    # Every login works and is scoped (the same seed: each run of seed_demo takes seconds).
    user_model = get_user_model()
    for username in ("admin", "bureau", "assessor", "finance", "leader", "park", "audit", "homeunit",
                     "orgdept", "thirdparty", "ks-chief", "ks-staff1", "gz-staff2"):
        assert user_model.objects.get(username=username).check_password("demo-password-123"), username
    chief = user_model.objects.get(username="ks-chief")
    assert list(stations_for(chief, Action.VIEW).values_list("code", flat=True)) == ["KS"]
    # The bureau runs the Shanghai station itself: its chief is bureau staff too.
    sh_chief = user_model.objects.get(username="sh-chief")
    assert sh_chief.groups.filter(name=Role.BUREAU).exists()
    assert "SH" not in stations_for(sh_chief, Action.REVIEW).values_list("code", flat=True)

    # Leads at every stage, and work waiting for the bureau.
    from leads.models import DuplicateStatus, Lead, Stage

    assert set(Lead.objects.values_list("stage", flat=True)) == set(Stage.values)

    # A scored year: every team and every posted person, teams in every stage of the three hands,
    # a subject at or below the interview line, an objection under publication and a veto.
    from scoring.models import Evaluation
    from scoring.models import Stage as ScoreStage

    teams = Evaluation.objects.filter(scheme__subject="team")
    assert set(teams.values_list("station__code", flat=True)) == set(Station.objects.values_list("code", flat=True))
    assert set(teams.values_list("stage", flat=True)) == set(ScoreStage.values)
    assert set(Evaluation.objects.filter(scheme__subject="person").values_list("person_id", flat=True)) == people
    assert Evaluation.objects.filter(total__lte=60).exists()
    assert Evaluation.objects.filter(total__isnull=True).exists()  # a judgement still to be scored
    assert teams.filter(stage="published", objections__answered_at__isnull=True).exists()
    assert teams.filter(lines__forbids="excellent").exists()
    assert teams.filter(stage="final").exclude(grade="").count() == teams.filter(stage="final").count()
    assert Lead.objects.filter(duplicate_status=DuplicateStatus.SUSPECTED).exists()
    assert Lead.objects.filter(first_provider_user__isnull=True).exclude(first_provider_name="").exists()
    assert Lead.objects.filter(transferred_to__kind="park").exists()
