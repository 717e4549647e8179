"""The admin: categories and budgets are edited (with history); the ledger is read-only — no add,
no change, no delete, not even for a superuser — and scoped like the site for other staff."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from funding import ledger
from funding.models import Budget, EntryKind, LedgerEntry

from .conftest import DAY, YEAR


@pytest.fixture
def root_client(django_user_model):
    client = Client(headers={"accept-language": "en"})
    client.force_login(django_user_model.objects.create_superuser("root", password="x" * 12))
    return client


@pytest.fixture
def entries(world):
    bureau = world.users["bureau"]
    first = ledger.entry_record(user=bureau, station=world.station_a, kind=EntryKind.ALLOCATION, amount="500",
                                date=DAY, description="年度经费")
    second = ledger.payout_record(user=bureau, station=world.station_b, kind=EntryKind.LUMP_SUM, amount="7000",
                                  date=DAY)
    return first, second


def test_the_ledger_pages_open_read_only(root_client, entries):
    response = root_client.get(reverse("admin:funding_ledgerentry_changelist"))
    assert response.status_code == HTTPStatus.OK
    assert {entry.pk for entry in response.context["cl"].queryset} == {entry.pk for entry in entries}
    assert response.context["action_form"] is None  # no actions at all, so no bulk delete
    assert reverse("admin:funding_ledgerentry_add") not in response.content.decode()
    response = root_client.get(reverse("admin:funding_ledgerentry_change", args=[entries[0].pk]))
    assert response.status_code == HTTPStatus.OK  # the view page
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert reverse("admin:funding_ledgerentry_delete", args=[entries[0].pk]) not in response.content.decode()


def test_the_admin_refuses_to_add_change_or_delete_an_entry(root_client, entries, world):
    entry = entries[0]
    change = reverse("admin:funding_ledgerentry_change", args=[entry.pk])
    form = {"station": world.station_a.pk, "year": YEAR, "date": "2026-03-02", "kind": "allocation",
            "amount": "99999", "description": "改过", "reason": "", "reference": ""}
    assert root_client.post(change, form).status_code == HTTPStatus.FORBIDDEN
    delete = reverse("admin:funding_ledgerentry_delete", args=[entry.pk])
    assert root_client.get(delete).status_code == HTTPStatus.FORBIDDEN
    assert root_client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert root_client.get(reverse("admin:funding_ledgerentry_add")).status_code == HTTPStatus.FORBIDDEN
    assert root_client.post(reverse("admin:funding_ledgerentry_add"), form).status_code == HTTPStatus.FORBIDDEN
    # The bulk delete action is not offered, so posting it deletes nothing.
    root_client.post(reverse("admin:funding_ledgerentry_changelist"),
                     {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.amount, stored.description) == (Decimal("500.00"), "年度经费")
    assert LedgerEntry.objects.count() == 2


def test_other_staff_see_only_their_teams_entries(world, entries, client_for):
    chief = world.users["chief_a"]
    chief.is_staff = True
    chief.save()
    chief.user_permissions.add(Permission.objects.get(codename="view_ledgerentry"))
    client = client_for("chief_a")
    response = client.get(reverse("admin:funding_ledgerentry_changelist"))
    assert [entry.pk for entry in response.context["cl"].queryset] == [entries[0].pk]
    response = client.get(reverse("admin:funding_ledgerentry_change", args=[entries[1].pk]))
    assert response.status_code == HTTPStatus.FOUND  # another team's entry: as if missing


def test_budgets_and_claims_are_read_only_in_the_admin_even_for_an_administrator(root_client, world):
    """A budget is set from the funding rule and raised only by an approved increase; a claim moves
    only along its chain: the admin neither adds, changes nor deletes them."""
    budget = Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("500000.00"))
    for name in ("budget", "expenseclaim", "budgetincrease", "yearclose", "recovery"):
        response = root_client.post(reverse(f"admin:funding_{name}_add"), {"amount": "1"})
        assert response.status_code == HTTPStatus.FORBIDDEN, name
    change = reverse("admin:funding_budget_change", args=[budget.pk])
    assert root_client.get(change).status_code == HTTPStatus.OK  # a view-only page
    assert root_client.post(change, {"station": world.station_a.pk, "year": YEAR, "amount": "9"}).status_code == (
        HTTPStatus.FORBIDDEN)
    response = root_client.post(reverse("admin:funding_budget_delete", args=[budget.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    budget.refresh_from_db()
    assert budget.amount == Decimal("500000.00")


def test_category_and_budget_pages_open(root_client, world, categories):
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("1"))
    for name in ("expensecategory", "budget"):
        assert root_client.get(reverse(f"admin:funding_{name}_changelist")).status_code == HTTPStatus.OK
    change = reverse("admin:funding_expensecategory_change", args=[categories["meals"].pk])
    assert root_client.get(change).status_code == HTTPStatus.OK
