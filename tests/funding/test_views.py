"""The funding pages through the Django test client: what each page shows and does, checked against
the services that compute it (`funding.ledger`, `funding.summary`), and the number of queries each
page runs, which must not grow with the number of entries, teams, claims or receipts.

Access itself (who gets 200, 403 or 404 on each URL) is the permission matrix's; CSRF is
`tests/test_csrf.py`'s. Time stands still on 20 November 2026 so that months, "the future" and
"last year" (2025, which has entries but no funding rule) are the same whenever the tests run.
Pages are asked for in English (the msgids)."""

import datetime
import html
import io
import itertools
import re
import uuid
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import budgets, claims, ledger
from funding.models import (
    Budget,
    BudgetIncrease,
    ClaimStatus,
    EntryKind,
    ExpenseClaim,
    LedgerEntry,
    Receipt,
    YearClose,
    YearEnd,
)
from funding.presets import categories_install
from stations import approvals
from stations.models import ApprovalActor, StationKind

from .conftest import fresh, new_team
from .funding_world import PNG, furnish_funding, receipt

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
YEAR, LAST_YEAR = 2026, 2025
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def november_2026():
    # Autouse, so it is in force before `world` and `furnish_funding` date anything.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def funded(world, media):
    """Xiangzhou: station A's 50000 budget (released in batches, so no entry), 20000 self-funded
    today, staff_a's 300元 claim with a PNG receipt waiting for chief_a, an increase waiting."""
    furnish_funding(world)
    world.categories = categories_install()
    return world


@pytest.fixture
def en(client_for):
    """`en("chief_a")`: a client logged in as the persona that asks for English pages."""
    return lambda persona: client_for(persona, HTTP_ACCEPT_LANGUAGE="en")


# --- Reading pages and money -----------------------------------------------------------------------

def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def money(shown: str) -> Decimal:
    """A figure as the page prints it ("29,149.50") as a Decimal."""
    return Decimal(shown.replace(",", ""))


def table(response, testid: str) -> str:
    page = response.content.decode()
    start = page.index(f'data-testid="{testid}"')
    return page[start:page.index("</table>", start)]


def cells(row: str) -> list[str]:
    return [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def ledger_rows(response) -> list[tuple[int, Decimal]]:
    """The ledger table's rows as (entry id, running balance shown)."""
    return [(int(pk), money(cells(row)[6]))
            for pk, row in re.findall(r'<tr id="entry-(\d+)">(.*?)</tr>', table(response, "ledger"), re.S)]


def figure(response, testid: str) -> Decimal:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', response.content.decode())
    return money(match.group(1).strip())


def cell_money(value) -> Decimal:
    """An Excel number cell to the fen (openpyxl reads numbers back as floats)."""
    return Decimal(str(value)).quantize(CENT)


def said(response) -> list[str]:
    """The messages shown on the page a POST was redirected to (`follow=True`)."""
    assert response.status_code == 200 and len(response.redirect_chain) == 1
    return [str(message) for message in response.context["messages"]]


def landed(response) -> str:
    """Where a POST sent with `follow=True` was redirected."""
    return response.redirect_chain[0][0]


def station_url(world, year=YEAR, **filters) -> str:
    """Station A's funding page for `year`, with the ledger's filters."""
    query = "&".join(f"{key}={value}" for key, value in {"year": year, **filters}.items())
    return f"{reverse('funding:station', args=[world.station_a.pk])}?{query}"


# --- Writing through the services (for set-up) -----------------------------------------------------

invoices = itertools.count(1)


def file_claim(world, persona="staff_a", station=None, *, amount="300", category="reception", date=TODAY,
               receipts=None):
    return claims.claim_file(
        user=fresh(world.users[persona]), station=station or world.station_a, date=date,
        category=world.categories[category], amount=amount, payee="某饭店", description="接待客商",
        invoice_number=f"VIEW-{next(invoices):05d}", receipts=receipts or [receipt()])


def pay(world, claim, approvers=("chief_a", "bureau")):
    for persona in approvers:
        claim = claims.claim_decide(user=fresh(world.users[persona]), claim=claim, approve=True)
    return claim


def record(world, kind, amount, date, **fields):
    return ledger.entry_record(user=world.users[fields.pop("by", "bureau")], station=fields.pop("station", None)
                               or world.station_a, kind=kind, amount=amount, date=date, **fields)


# --- 1. Query counts -------------------------------------------------------------------------------

def queries_of(client, url) -> int:
    """The queries of one GET of `url`, after a first GET has warmed any per-process cache."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow_ledger(world):
    """29 more entries for station A, of every kind the page draws differently: expenses paid from
    claims (linked to their claim), expenses, categorised adjustments, self-funding by two units,
    recorded by the bureau and by finance, and reversals."""
    paid = [pay(world, file_claim(world, amount=f"{100 + n}.25")) for n in range(4)]
    assert all(claim.status == ClaimStatus.APPROVED for claim in paid)
    for n in range(10):
        record(world, EntryKind.SELF_FUNDING, f"{1000 + n}", datetime.date(YEAR, 1 + n, 3),
               unit=world.unit_a if n % 2 else world.postings["bureau_a"].home_unit,
               by="finance" if n % 2 else "bureau")
    codes = ["office", "lodging", "meals", "insurance", "other"]
    spent = [record(world, EntryKind.EXPENSE, f"{n + 1}0.10", datetime.date(YEAR, 6, 1 + n),
                    category=world.categories[code]) for n, code in enumerate(codes)]
    for n, code in enumerate(codes):
        record(world, EntryKind.ADJUSTMENT, f"-{n + 1}.01", datetime.date(YEAR, 7, 1 + n),
               category=world.categories[code], reason="补记", by="finance")
    for entry in spent:
        ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="录错")


def test_the_team_page_runs_as_many_queries_for_30_entries_as_for_1(funded, en, django_assert_num_queries):
    client, url = en("bureau"), station_url(funded)
    one = queries_of(client, url)
    grow_ledger(funded)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(ledger_rows(response)) == 30
    assert len(response.context["claims"]) == 5


def test_the_overview_runs_as_many_queries_for_many_teams_as_for_one(funded, en, django_assert_num_queries):
    # The world has station A (funded) and station B (nothing yet); four funded teams more.
    client, url = en("bureau"), f"{reverse('funding:overview')}?year={YEAR}"
    one = queries_of(client, url)
    for n in range(4):
        team = new_team(funded, kind=StationKind.RESIDENT_STATION, code=f"T{n}", chief=f"chief_t{n}",
                        lead_unit=funded.unit_a)  # so that unit A self-funds it
        budgets.budget_set(user=funded.users["bureau"], station=team, year=YEAR)
        record(funded, EntryKind.SELF_FUNDING, "1000", TODAY, station=team, unit=funded.unit_a)
        file_claim(funded, f"chief_t{n}", station=team)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert [row.claims_pending for row in response.context["rows"]].count(1) == 5


def test_the_claim_list_runs_as_many_queries_for_many_claims_as_for_one(funded, en, django_assert_num_queries):
    client, url = en("bureau"), reverse("funding:claim_list")
    one = queries_of(client, url)
    pay(funded, file_claim(funded, "staff_a"))
    file_claim(funded, "chief_a")
    for _n in range(3):
        file_claim(funded, "chief_b", station=funded.station_b)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["page_obj"]) == 6


def test_the_claim_page_runs_as_many_queries_for_ten_receipts_as_for_one(funded, en, django_assert_num_queries):
    client = en("chief_a")  # who decides the claims: the page's buttons cost their queries too
    one = queries_of(client, funded.claim.get_absolute_url())
    claim = file_claim(funded, receipts=[receipt(f"发票{n}.png") for n in range(10)])
    with django_assert_num_queries(one):
        response = client.get(claim.get_absolute_url())
    assert len(response.context["receipts"]) == 10 and response.context["may_decide"]


# --- 2. The ledger page ------------------------------------------------------------------------------

@pytest.fixture
def ledger_a(funded):
    """Station A's 2026 ledger over six months (the 20000 self-funded on 20 November last); by name."""
    cats, w = funded.categories, funded
    entries = {
        "jan": record(w, EntryKind.SELF_FUNDING, "1000", datetime.date(YEAR, 1, 15), unit=w.unit_a),
        "feb": record(w, EntryKind.ALLOCATION, "10000", datetime.date(YEAR, 2, 10)),
        "mar_fix": record(w, EntryKind.ADJUSTMENT, "-200", datetime.date(YEAR, 3, 5), category=cats["office"],
                          reason="补记办公用品"),
        "mar": record(w, EntryKind.EXPENSE, "450.50", datetime.date(YEAR, 3, 20), category=cats["reception"]),
        "may": record(w, EntryKind.EXPENSE, "1200", datetime.date(YEAR, 5, 8), category=cats["office"]),
        "nov": w.entry,
    }
    return {name: entry.pk for name, entry in entries.items()}


def test_the_running_balance_is_the_ledgers(funded, ledger_a, en):
    response = en("chief_a").get(station_url(funded))
    assert ledger_rows(response) == [
        (ledger_a["jan"], Decimal("1000.00")), (ledger_a["feb"], Decimal("11000.00")),
        (ledger_a["mar_fix"], Decimal("10800.00")), (ledger_a["mar"], Decimal("10349.50")),
        (ledger_a["may"], Decimal("9149.50")), (ledger_a["nov"], Decimal("29149.50")),
    ]
    assert ledger.balance(funded.station_a, YEAR) == Decimal("29149.50") == figure(response, "balance")


FILTERS = [
    ({"kind": "expense"}, ["mar", "may"]),
    ({"category": "office"}, ["mar_fix", "may"]),
    ({"month": 3}, ["mar_fix", "mar"]),
    ({"kind": "expense", "month": 3}, ["mar"]),
    ({"kind": "nonsense", "month": 13}, ["jan", "feb", "mar_fix", "mar", "may", "nov"]),  # ignored
]


def test_filters_narrow_the_rows_but_keep_the_whole_ledgers_balance(funded, ledger_a, en):
    client = en("chief_a")
    whole = dict(ledger_rows(client.get(station_url(funded))))
    for filters, names in FILTERS:
        if "category" in filters:
            filters = {**filters, "category": funded.categories[filters["category"]].pk}
        rows = ledger_rows(client.get(station_url(funded, **filters)))
        assert [pk for pk, _balance in rows] == [ledger_a[name] for name in names], filters
        assert rows == [(pk, whole[pk]) for pk, _balance in rows], filters


def test_the_execution_section_shows_the_spending_by_category(funded, ledger_a, en):
    response = en("chief_a").get(station_url(funded))
    section = table(response, "execution")
    lines = {row[0]: row[1:] for row in map(cells, re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)) if row}
    cats = funded.categories
    # Spent against the 50000 budget: 450.50 is 0.9 %, 200 + 1200 is 2.8 %, the whole 3.7 %.
    assert lines[cats["reception"].name] == ["450.50", "0.9%"]
    assert lines[cats["office"].name] == ["1,400.00", "2.8%"]
    assert lines["Total"] == ["1,850.50", "3.7%"]
    assert {name: spent for name, (spent, _share) in lines.items()
            if name not in (cats["reception"].name, cats["office"].name, "Total")} == {
        category.name: "0.00" for code, category in cats.items() if code not in ("reception", "office")}
    assert figure(response, "spent") == ledger.execution(funded.station_a, YEAR).spent == Decimal("1850.50")


def test_the_bureau_reverses_an_entry_with_a_reason_and_the_balance_comes_back(funded, ledger_a, en):
    client, url = en("bureau"), reverse("funding:entry_reverse", args=[ledger_a["mar"]])
    # The keeper has the form; the team's chief reads the ledger without it.
    assert f'action="{url}"' in client.get(station_url(funded)).content.decode()
    assert f'action="{url}"' not in en("chief_a").get(station_url(funded)).content.decode()
    before = LedgerEntry.objects.count()

    response = client.post(url, {"reason": "  "}, follow=True)
    assert said(response) == ["Give the reason for the reversal."]
    assert LedgerEntry.objects.count() == before

    response = client.post(url, {"reason": "重复入账"}, follow=True)
    assert landed(response) == station_url(funded) and said(response) == ["Entry reversed."]
    reversal = LedgerEntry.objects.get(reverses_id=ledger_a["mar"])
    assert (reversal.kind, reversal.amount, reversal.reason, reversal.date) == (
        EntryKind.REVERSAL, Decimal("450.50"), "重复入账", TODAY)
    assert ledger.balance(funded.station_a, YEAR) == Decimal("29600.00")  # as if 450.50 had never gone out
    page = client.get(station_url(funded))
    assert ledger_rows(page)[-1] == (reversal.pk, Decimal("29600.00"))
    assert figure(page, "spent") == Decimal("1400.00")


# --- 2b. Money in by hand, budgets, increases -------------------------------------------------------

def entry_data(token, **changes):
    data = {"token": token, "kind": EntryKind.SELF_FUNDING, "date": "2026-11-19", "amount": "20000", "unit": "",
            "description": "单位自筹", "reason": "", "reference": "ZC-1"}
    data.update(changes)
    return data


def test_the_entry_form_sent_twice_records_one_entry(funded, en):
    client, url = en("finance"), reverse("funding:entry_new", args=[funded.station_a.pk])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, entry_data(token, unit=funded.unit_a.pk), follow=True)
    entry = LedgerEntry.objects.get(token=token)
    assert landed(response) == station_url(funded) and said(response) == ["Entry recorded."]
    assert (entry.kind, entry.amount, entry.unit, entry.recorded_by) == (
        EntryKind.SELF_FUNDING, Decimal("20000.00"), funded.unit_a, funded.users["finance"])
    before = LedgerEntry.objects.count()
    again = client.post(url, entry_data(token, unit=funded.unit_a.pk))  # the double click, or the back button
    assert again.status_code == 302 and again.url == station_url(funded)
    assert LedgerEntry.objects.count() == before


def test_the_entry_form_offers_the_teams_own_units_and_no_batch_or_lump_sum(funded, en):
    client, url = en("finance"), reverse("funding:entry_new", args=[funded.station_a.pk])
    form = client.get(url).context["form"]
    # Unit A forms station A; the bureau's unit is bureau_a's, posted there. Unit B forms station B.
    assert set(form.fields["unit"].queryset) == {funded.unit_a, funded.postings["bureau_a"].home_unit}
    assert [value for value, _label in form.fields["kind"].choices] == [
        EntryKind.ALLOCATION, EntryKind.SELF_FUNDING, EntryKind.ADJUSTMENT]
    before = LedgerEntry.objects.count()
    response = client.post(url, entry_data(str(uuid.uuid4()), unit=funded.unit_b.pk))
    assert response.status_code == 200 and list(response.context["form"].errors) == ["unit"]
    # A batch sent anyway (Xiangzhou: 50000 in batches, for a month whose report was accepted —
    # none is here) is refused: batches keep their rules.
    response = client.post(url, entry_data(str(uuid.uuid4()), kind=EntryKind.DISBURSEMENT, amount="80000"))
    assert response.status_code == 200 and list(response.context["form"].errors) == ["kind"]
    assert LedgerEntry.objects.count() == before


def test_the_increase_form_sent_twice_asks_once(funded, en):
    client = en("chief_a")
    url = f"{reverse('funding:increase_new', args=[funded.station_a.pk])}?year={YEAR}"
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"token": token, "amount": "100000", "reason": "举办推介会"})
    increase = BudgetIncrease.objects.get(token=token)
    assert response.status_code == 302 and response.url == increase.get_absolute_url()
    again = client.post(url, {"token": token, "amount": "100000", "reason": "举办推介会"})  # the double click
    assert again.status_code == 302 and again.url == increase.get_absolute_url()
    assert BudgetIncrease.objects.filter(station=funded.station_a).count() == 2  # the world's and this one


def test_next_years_budget_is_neither_offered_nor_set(world, en):
    """In November, 2027's page and summary offer no budget: it would be allocated by an entry
    dated in the future. This year's are offered."""
    client, set_url = en("finance"), reverse("funding:budget_set", args=[world.station_a.pk])
    assert f'action="{set_url}"' in client.get(station_url(world)).content.decode()
    assert f'action="{set_url}"' not in client.get(station_url(world, 2027)).content.decode()
    all_url = reverse("funding:budgets_set_all")
    assert f'action="{all_url}"' in client.get(f"{reverse('funding:overview')}?year={YEAR}").content.decode()
    assert f'action="{all_url}"' not in client.get(f"{reverse('funding:overview')}?year=2027").content.decode()
    for url in (set_url, all_url):
        assert said(client.post(url, {"year": 2027}, follow=True)) == ["A budget is set once its year has begun."]
    assert not world.station_a.budgets.exists()


# --- 3. Filing a claim ---------------------------------------------------------------------------------

def claim_data(funded, token, **changes):
    data = {"token": token, "date": "2026-11-19", "category": funded.categories["reception"].pk,
            "amount": "880.00", "payee": "某饭店", "description": "接待深圳客商", "invoice_number": "FP-2026-0880",
            "receipts": [receipt()]}
    data.update(changes)
    return data


def test_a_claim_is_filed_once_however_often_the_form_is_sent(funded, en):
    client, url = en("staff_a"), reverse("funding:claim_new", args=[funded.station_a.pk])
    token = en("staff_a").get(url).context["form"].initial["token"]
    response = client.post(url, claim_data(funded, token), follow=True)
    claim = ExpenseClaim.objects.get(token=token)
    assert landed(response) == claim.get_absolute_url()
    assert (claim.station, claim.requester, claim.amount, claim.date, claim.status, claim.invoice_number) == (
        funded.station_a, funded.users["staff_a"], Decimal("880.00"), datetime.date(2026, 11, 19),
        ClaimStatus.PENDING, "FP-2026-0880")
    assert claim.receipts.get().file.read() == PNG
    assert said(response) == [f"Claim {claim.number} filed: Awaiting approval."]

    again = client.post(url, claim_data(funded, token))  # the double click, or the back button
    assert again.status_code == 302 and again.url == claim.get_absolute_url()
    assert ExpenseClaim.objects.count() == 2 and Receipt.objects.count() == 2  # the world's and this one


BAD_INPUT = [
    ({"amount": "-5"}, "amount", "The amount must be more than zero."),
    ({"amount": "0"}, "amount", "The amount must be more than zero."),
    ({"amount": "abc"}, "amount", "Enter the amount as a number, such as 1200.50."),
    ({"amount": "1e20"}, "amount", "The amount must be less than 100,000,000,000 yuan."),
    ({"amount": "12.345"}, "amount", "The amount can have at most two decimal places."),
    ({"receipts": [SimpleUploadedFile("setup.exe", b"MZ\x90\x00" * 8)]}, "receipts",
     "setup.exe: upload receipts as PDF, OFD, JPG or PNG."),
    ({"date": "2026-11-21"}, "date", "The date cannot be in the future."),
]


def test_bad_input_shows_the_form_again_with_the_error_and_writes_nothing(funded, en):
    client, url = en("staff_a"), reverse("funding:claim_new", args=[funded.station_a.pk])
    assert 'data-testid="reattach"' not in client.get(url).content.decode()
    counts = (ExpenseClaim.objects.count(), Receipt.objects.count(), LedgerEntry.objects.count())
    for changes, field, message in BAD_INPUT:
        if "receipts" in changes:
            changes["receipts"][0].seek(0)
        response = client.post(url, claim_data(funded, str(uuid.uuid4()), **changes))
        assert response.status_code == 200, changes
        assert response.context["form"].errors == {field: [message]}, changes
        assert message in html.unescape(response.content.decode())
        # Every case sent a receipt, which the browser will not send again: the page says so.
        assert 'data-testid="reattach"' in response.content.decode(), changes
    assert (ExpenseClaim.objects.count(), Receipt.objects.count(), LedgerEntry.objects.count()) == counts


def test_nobody_files_for_another_team(funded, en):
    response = en("staff_a").post(reverse("funding:claim_new", args=[funded.station_b.pk]),
                                  claim_data(funded, str(uuid.uuid4())))
    assert response.status_code == 404
    assert not ExpenseClaim.objects.filter(station=funded.station_b).exists()


# --- 4. Deciding ---------------------------------------------------------------------------------------

def decide(client, claim, approve="yes", comment=""):
    return client.post(reverse("funding:claim_decide", args=[claim.pk]), {"approve": approve, "comment": comment},
                       follow=True)


def test_the_chief_then_the_bureau_approve_and_the_claim_is_paid(funded, en):
    claim = funded.claim
    response = decide(en("chief_a"), claim)
    assert landed(response) == claim.get_absolute_url() and said(response) == ["Decision recorded."]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING and approvals.pending_step(claim).actor == ApprovalActor.BUREAU

    decide(en("bureau"), claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert (claim.entry.kind, claim.entry.amount, claim.entry.reference, claim.entry.over_budget) == (
        EntryKind.EXPENSE, Decimal("-300.00"), claim.number, False)
    page = en("chief_a").get(station_url(funded))
    row = re.search(rf'<tr id="entry-{claim.entry.pk}">(.*?)</tr>', table(page, "ledger"), re.S).group(1)
    assert claim.get_absolute_url() in row and cells(row)[5] == "300.00" and claim.number in cells(row)[7]
    assert figure(page, "spent") == Decimal("300.00")


def test_a_refusal_without_a_comment_changes_nothing(funded, en):
    response = decide(en("chief_a"), funded.claim, approve="no", comment=" ")
    assert landed(response) == funded.claim.get_absolute_url()
    assert said(response) == ["Give the reason for refusing."]
    claim = ExpenseClaim.objects.get(pk=funded.claim.pk)
    assert (claim.status, claim.decisions.count()) == (ClaimStatus.PENDING, 0)


# --- 5. Held, and let through past the budget ---------------------------------------------------------

def test_a_held_claim_is_let_through_only_by_the_leading_group_with_a_reason(funded, en):
    # The ceiling is the 50000 budget + 20000 self-funded; nothing is spent yet.
    claim = file_claim(funded, amount="75000", category="office")
    decide(en("chief_a"), claim)
    response = decide(en("bureau"), claim)
    assert said(response) == ["Approved, but paying it would take the team past its budget: the claim is held "
                              "until Leading group decides."]
    claim.refresh_from_db()
    assert (claim.status, claim.entry) == (ClaimStatus.HELD, None)

    leader, finance = en("leader"), en("finance")
    page = leader.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="held"' in page and 'data-testid="override"' in page
    # Whoever decides sees how far past the ceiling (70000) paying would go, and labels for both choices.
    assert "Paying it would take the team 5,000.00元 past what it may spend this year." in page
    assert 'for="id_override_reason"' in page and 'for="id_decline_reason"' in page
    assert 'data-testid="override"' not in finance.get(claim.get_absolute_url()).content.decode()
    url = reverse("funding:claim_override", args=[claim.pk])
    assert finance.post(url, {"reason": "急需"}).status_code == 403

    response = leader.post(url, {"reason": ""}, follow=True)
    assert said(response) == ["Give the reason for the decision."]
    claim.refresh_from_db()
    assert (claim.status, claim.entry) == (ClaimStatus.HELD, None)

    response = leader.post(url, {"reason": "领导小组会议同意"}, follow=True)
    assert said(response) == ["The claim is paid past the budget, on your record."]
    claim.refresh_from_db()
    assert (claim.status, claim.override_by, claim.override_reason) == (
        ClaimStatus.APPROVED, funded.users["leader"], "领导小组会议同意")
    assert (claim.entry.amount, claim.entry.over_budget) == (Decimal("-75000.00"), True)
    assert 'data-testid="held"' not in leader.get(claim.get_absolute_url()).content.decode()


# --- 6. Excel ------------------------------------------------------------------------------------------

def spend_some_fen(funded):
    """Amounts whose sum a float would get wrong: 0.10 + 0.20 and so on, on both teams."""
    for amount in ("0.10", "0.20", "333.33"):
        record(funded, EntryKind.EXPENSE, amount, TODAY, category=funded.categories["other"])
    record(funded, EntryKind.SELF_FUNDING, "1000.01", TODAY, station=funded.station_b, unit=funded.unit_b)
    for amount in ("0.10", "0.20", "0.40"):
        record(funded, EntryKind.EXPENSE, amount, TODAY, station=funded.station_b, category=funded.categories["other"])


def test_the_ledger_workbook_closes_on_the_pages_balance(funded, en):
    spend_some_fen(funded)
    client = en("bureau")
    response = client.get(f"{reverse('funding:ledger_export', args=[funded.station_a.pk])}?year={YEAR}")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="ledger-SH-{YEAR}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[0] == "Total"
    page = client.get(station_url(funded))
    assert cell_money(last[7]) == figure(page, "balance") == ledger_rows(page)[-1][1] == Decimal("19666.37")


def test_the_summary_workbook_has_each_teams_spending_as_the_overview(funded, en):
    spend_some_fen(funded)
    client = en("bureau")
    response = client.get(f"{reverse('funding:summary_export')}?year={YEAR}")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="funding-summary-{YEAR}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    workbook = {row[0]: cell_money(row[6]) for row in sheet.iter_rows(min_row=5, values_only=True)}
    page = client.get(f"{reverse('funding:overview')}?year={YEAR}")
    body = table(page, "funding-summary")
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    shown = {row[0]: money(row[4]) for row in map(cells, re.findall(r"<tr>(.*?)</tr>", body, re.S))}
    assert shown == {name: spent for name, spent in workbook.items() if name != "Total"}
    assert shown == {funded.station_a.name: Decimal("333.63"), funded.station_b.name: Decimal("0.70")}
    assert workbook["Total"] == Decimal("334.33")


# --- 7. The printable form and the receipts ----------------------------------------------------------

def test_the_printable_form_has_the_number_the_amount_and_the_sign_off_rows(funded, en):
    claim = file_claim(funded, amount="1280.50")
    page = en("chief_a").get(reverse("funding:claim_print", args=[claim.pk]))
    sheet = text(page.content.decode())
    assert claim.number in sheet and "1,280.50" in sheet
    for label in ("Claimant", "Team chief", "Reviewed by", "Approved by", "Cashier", "Unit seal"):
        assert label in sheet


def test_a_receipt_is_served_to_the_team_and_to_no_other_team(funded, en):
    url = funded.receipt.get_absolute_url()
    response = en("chief_a").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert en("chief_b").get(url).status_code == 404


# --- 8. Closing a year -------------------------------------------------------------------------------

def test_closing_last_year_returns_its_balance_and_shuts_it(funded, en):
    # 2025 has no funding rule (nor self-funding): a budget written as the accountant's workbook had it.
    Budget.objects.create(station=funded.station_a, year=LAST_YEAR, amount=Decimal("3000"))
    record(funded, EntryKind.ALLOCATION, "3000", datetime.date(LAST_YEAR, 6, 10))
    record(funded, EntryKind.EXPENSE, "500.25", datetime.date(LAST_YEAR, 7, 1), category=funded.categories["office"])
    client = en("bureau")
    page = client.get(station_url(funded, LAST_YEAR)).content.decode()
    assert f"Close {LAST_YEAR}" in page and "closed by" not in page

    response = client.post(reverse("funding:year_close", args=[funded.station_a.pk]), {"year": LAST_YEAR},
                           follow=True)
    assert landed(response) == station_url(funded, LAST_YEAR)
    assert said(response) == [f"{LAST_YEAR} closed: its balance of 2499.75 yuan is returned."]
    closed = YearClose.objects.get(station=funded.station_a, year=LAST_YEAR)
    assert (closed.balance, closed.disposition, closed.closing.amount) == (
        Decimal("2499.75"), YearEnd.RETURN, Decimal("-2499.75"))

    page = client.get(station_url(funded, LAST_YEAR))
    assert "closed by bureau" in text(page.content.decode())
    assert figure(page, "balance") == Decimal("0.00") and not page.context["may_close"]
    assert not page.context["keeper"]  # no more money in, no reversals

    before = LedgerEntry.objects.count()
    response = client.post(reverse("funding:entry_new", args=[funded.station_a.pk]), {
        "token": uuid.uuid4(), "kind": EntryKind.ALLOCATION, "date": f"{LAST_YEAR}-08-01", "amount": "100"})
    message = f"{LAST_YEAR} is closed for this team: nothing more is posted to it."
    assert response.status_code == 200 and response.context["form"].non_field_errors() == [message]
    assert message in html.unescape(response.content.decode())
    assert LedgerEntry.objects.count() == before
    # This year stays open.
    assert client.get(station_url(funded)).context["closed"] is None


def test_the_travel_lump_sum_button_pays_the_posted_people_of_a_branch(world, en):
    """Xuancheng's branches with a travel lump sum set on their rule: the team page offers the
    button to the bureau, and the same one-click form pays the month once."""
    from funding.models import FundingRule
    from stations.models import Profile

    from .conftest import use_profile

    use_profile("xuancheng")
    FundingRule.objects.filter(version__profile=Profile.objects.get(code="xuancheng"),
                               team_kind=StationKind.BRANCH).update(travel_lump_sum=Decimal("800"))
    branch = new_team(world, kind=StationKind.BRANCH, code="SZ", chief="chief_sz")
    page = en("bureau").get(reverse("funding:station", args=[branch.pk]))
    assert 'data-testid="travel-lump-sum"' in page.content.decode()
    url = reverse("funding:lump_sum", args=[branch.pk])
    for _attempt in range(2):  # the second is refused: the month is paid
        en("bureau").post(url, {"month": "2026-10", "travel": "on"})
    entry = LedgerEntry.objects.get(station=branch)
    assert (entry.kind, entry.amount, entry.reference) == (EntryKind.LUMP_SUM, Decimal("800.00"), "CL202610")
    assert 'data-testid="travel-lump-sum"' not in en("chief_sz").get(
        reverse("funding:station", args=[branch.pk])).content.decode()
