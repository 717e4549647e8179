"""Every state-changing view refuses a request without a CSRF token and changes nothing."""

import copy
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from stations.models import Person, Posting, Station, TodoItem

from .test_permission_matrix import MATRIX


def snapshot():
    from funding.models import (
        Budget,
        BudgetIncrease,
        ClaimDecision,
        ExpenseClaim,
        IncreaseDecision,
        LedgerEntry,
        Receipt,
        Recovery,
        YearClose,
    )
    from leads.models import Contact, FollowUpPlan, Lead, LeadOutcome, ScreeningMeeting, Visit
    from scoring.models import Finding, IntroducerSettlement, Reward, RewardStep
    from stations.models import (
        Absence,
        AbsenceDecision,
        AccountabilityRecord,
        DispatchMeeting,
        DispatchTask,
        Event,
        PlannedCheck,
        Report,
        ReportVersion,
        SpotCheck,
        WorkLog,
    )

    return (
        list(WorkLog.objects.values_list("pk", "whereabouts", "activities")),
        list(Absence.objects.values_list("pk", "status")), AbsenceDecision.objects.count(),
        list(SpotCheck.objects.values_list("pk")), list(PlannedCheck.objects.values_list("pk")),
        list(Event.objects.values_list("pk", "status", "outcome")),
        list(Report.objects.values_list("pk", "status", "body", "figures")), ReportVersion.objects.count(),
        list(DispatchMeeting.objects.values_list("pk", "minutes")),
        list(DispatchTask.objects.values_list("pk", "status")), AccountabilityRecord.objects.count(),
        list(Lead.objects.values_list("pk", "stage", "station_id", "duplicate_status", "title")),
        list(ScreeningMeeting.objects.values_list("pk", "date")),
        list(Contact.objects.values_list("pk", "name")), list(Visit.objects.values_list("pk", "date")),
        list(FollowUpPlan.objects.values_list("pk", "leader")), list(LeadOutcome.objects.values_list("pk", "tax")),
        list(Station.objects.values_list("pk", "name", "code")),
        list(Posting.objects.values_list("pk", "ended_on", "title")),
        list(Person.objects.values_list("pk", "name", "phone")),
        list(TodoItem.objects.values_list("pk", "done_at")),
        list(Finding.objects.values_list("pk", "kind", "date", "description")),
        list(Reward.objects.values_list("pk", "status", "amount", "year")), RewardStep.objects.count(),
        list(IntroducerSettlement.objects.values_list("pk", "expenses", "gross", "net")),
        list(LedgerEntry.objects.values_list("pk", "amount")), list(Budget.objects.values_list("pk", "amount")),
        list(ExpenseClaim.objects.values_list("pk", "status", "entry_id")), ClaimDecision.objects.count(),
        Receipt.objects.count(), list(BudgetIncrease.objects.values_list("pk", "status")),
        IncreaseDecision.objects.count(), YearClose.objects.count(), Recovery.objects.count(),
    )


@pytest.fixture
def world(furnished_world, db):
    """One world for every URL of the module (`furnished_world`, tests/conftest.py), copied for
    each, as `TestCase.setUpTestData` does: what a URL changes in memory never reaches the next."""
    return copy.deepcopy(furnished_world)


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_post_without_csrf_token_is_refused(world, url_name):
    world.todo = world.todos["bureau"]
    builder, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(world) if builder else None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["bureau"])
    before = snapshot()
    data = {"name": "改", "code": "ZZ", "kind": "hub", "language": "en", "ended_on": "2026-10-01",
            "end_reason": "x", "person": world.person("chief_a").pk, "role": "staff", "start_date": "2026-01-01",
            "password": "x", "username": "bureau"}
    response = client.post(url, data)
    # 403 is the CSRF refusal; 405 means the view does not accept POST at all.
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED), response.status_code
    if response.status_code == HTTPStatus.FORBIDDEN:
        assert b'data-testid="csrf-failure"' in response.content
    assert snapshot() == before
