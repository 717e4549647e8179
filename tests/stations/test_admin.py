"""The admin: superusers manage reference data; others see only their scope; profiles copy."""

from http import HTTPStatus

from django.test import Client
from django.urls import reverse

from stations.models import ApprovalStep, Profile

from ..conftest import activate_preset


def admin_client(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    return client


def test_every_stations_admin_page_opens(world, django_user_model):
    client = admin_client(django_user_model)
    from .duty_world import furnish_duty

    furnish_duty(world)
    for model in ("unit", "station", "person", "posting", "profile", "profileversion", "todoitem",
                  "securityevent", "calendarday", "worklog", "absence", "spotcheck", "plannedcheck", "event",
                  "report", "dispatchmeeting", "accountabilityrecord"):
        response = client.get(reverse(f"admin:stations_{model}_changelist"))
        assert response.status_code == HTTPStatus.OK, model
    response = client.get(reverse("admin:stations_station_change", args=[world.station_a.pk]))
    assert response.status_code == HTTPStatus.OK


def test_team_users_cannot_reach_the_admin(world, client_for):
    response = client_for("bureau").get(reverse("admin:stations_station_changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]


def test_non_superuser_staff_see_only_their_scope(world, client_for):
    from django.contrib.auth.models import Permission

    chief = world.users["chief_a"]
    chief.is_staff = True
    chief.save()
    chief.user_permissions.add(Permission.objects.get(codename="view_station"))
    response = client_for("chief_a").get(reverse("admin:stations_station_changelist"))
    assert list(response.context["cl"].queryset) == [world.station_a]
    response = client_for("chief_a").get(reverse("admin:stations_station_change", args=[world.station_b.pk]))
    assert response.status_code == HTTPStatus.FOUND  # the admin redirects a missing object to the index


def test_admin_copies_a_preset_and_activates_the_copy(world, django_user_model):
    activate_preset("shanting")
    client = admin_client(django_user_model)
    preset = Profile.objects.get(code="shanting")
    client.post(reverse("admin:stations_profile_changelist"),
                {"action": "copy_profiles", "_selected_action": [preset.pk]})
    copy = Profile.objects.get(copied_from=preset)
    assert copy.preset == ""
    assert ApprovalStep.objects.filter(version__profile=copy).count() == ApprovalStep.objects.filter(
        version__profile=preset).count() == 13
    client.post(reverse("admin:stations_profile_changelist"),
                {"action": "activate_profile", "_selected_action": [copy.pk]})
    assert list(Profile.objects.active()) == [copy]
    # Editing the copy leaves the preset alone.
    version = copy.versions.get()
    version.monthly_report_due_day = 20
    version.save()
    assert preset.versions.get().monthly_report_due_day == 25


def test_history_pages_are_scoped_like_the_change_list(world, client_for):
    from django.contrib.auth.models import Permission

    chief = world.users["chief_a"]
    chief.is_staff = True
    chief.save()
    chief.user_permissions.add(Permission.objects.get(codename="view_station"))
    client = client_for("chief_a")
    assert client.get(reverse("admin:stations_station_history", args=[world.station_a.pk])).status_code == 200
    assert client.get(reverse("admin:stations_station_history", args=[world.station_b.pk])).status_code == 404
    record = world.station_b.history.first()
    url = reverse("admin:stations_station_simple_history", args=[world.station_b.pk, record.history_id])
    assert client.get(url).status_code == 404


def test_duty_records_are_read_only_in_the_admin_and_scoped(world, django_user_model, client_for):
    from django.contrib.auth.models import Permission

    from .duty_world import furnish_duty

    furnish_duty(world)
    client = admin_client(django_user_model)
    url = reverse("admin:stations_report_change", args=[world.report.pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    client.post(url, {"status": "accepted"})
    world.report.refresh_from_db()
    assert world.report.status == "submitted"  # changes go through the review, not the admin
    assert client.get(reverse("admin:stations_report_add")).status_code == HTTPStatus.FORBIDDEN
    # A staff user from station B sees no report of station A.
    chief = world.users["chief_b"]
    chief.is_staff = True
    chief.save()
    chief.user_permissions.add(Permission.objects.get(codename="view_report"))
    response = client_for("chief_b").get(reverse("admin:stations_report_changelist"))
    assert list(response.context["cl"].queryset) == []
