"""A claim from the receipt to the balance (issue: "a chief files a claim with a receipt photo, the
approver approves it, the balance moves"), in a real browser under the Xiangzhou preset: the chief
of station A files a reception claim from a phone, first with a receipt whose name lies about its
contents (refused, nothing filed), then with the photo; the claim carries the chief's signature and
waits for the bureau, which approves it from the claims list; the team's page then shows the money
spent, the balance down by the claim, and the expense in the ledger linked to its claim."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from funding import budgets, ledger
from funding.models import ClaimStatus, EntryKind, ExpenseClaim, LedgerEntry
from funding.presets import categories_install
from stations.models import ApprovalActor, Outcome

from ..factories import PASSWORD
from ..funding.funding_world import PNG
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(text):
    """`text` (a msgid or a lazy label) as the Chinese UI shows it, whether or not it is translated yet."""
    with translation.override("zh-hans"):
        return str(gettext(text) if isinstance(text, str) else text)


def fill_claim(page, *, date, category, receipt_name, receipt_type):
    """Fill the claim form on `page` and attach one receipt, the PNG photo's bytes under `receipt_name`."""
    form = page.locator("[data-testid=funding-form]")
    form.locator("input[name=date]").fill(date.isoformat())
    form.locator("select[name=category]").select_option(str(category.pk))
    form.locator("input[name=amount]").fill("386.50")
    form.locator("input[name=payee]").fill("上海锦江饭店")
    form.locator("input[name=description]").fill("接待宁德示例新能源客商一行四人")
    form.locator("input[name=invoice_number]").fill("3100 2400 0012")
    form.locator("input[name=receipts]").set_input_files(
        {"name": receipt_name, "mimeType": receipt_type, "buffer": PNG})


def submit_claim(page):
    with page.expect_navigation():
        page.locator("[data-testid=funding-form] [type=submit]").click()


def test_claim_with_receipt_photo_approved_by_the_bureau_moves_the_balance(world, page_factory):
    today = timezone.localdate()
    categories = categories_install()  # the flush of an earlier browser test emptied the migration's rows
    bureau, chief = world.users["bureau"], world.users["chief_a"]
    station = world.station_a
    # Xiangzhou: the treasury's 5万 is released in batches (no money in yet); the unit self-funds 20000.
    budgets.budget_set(user=bureau, station=station, year=today.year)
    ledger.entry_record(user=bureau, station=station, kind=EntryKind.SELF_FUNDING, amount="20000", date=today,
                        unit=world.unit_a, description="组建单位自筹")
    team_url = reverse("funding:station", args=[station.pk])

    # The chief opens the money pages from a phone and lands on the team's own page.
    phone = page_factory(phone=True)
    log_in(phone, "chief_a", PASSWORD)
    phone.goto(reverse("funding:overview"))
    phone.wait_for_url(f"**{team_url}?year={today.year}")
    # Amounts are grouped by thousands in Chinese too, as on a 报销单 (config/formats/zh_Hans).
    assert phone.locator("[data-testid=balance]").inner_text() == "20,000.00"
    assert phone.locator("[data-testid=spent]").inner_text() == "0.00"

    # A receipt named .pdf that is a PNG is refused on the form, and nothing is filed ...
    phone.locator("[data-testid=new-claim]").click()
    phone.wait_for_url(f"**{reverse('funding:claim_new', args=[station.pk])}")
    fill_claim(phone, date=today, category=categories["reception"], receipt_name="发票.pdf",
               receipt_type="application/pdf")
    submit_claim(phone)
    assert phone.url.endswith(reverse("funding:claim_new", args=[station.pk]))  # no redirect: the form again
    refusal = phone.locator("#div_id_receipts .invalid-feedback")
    assert refusal.is_visible()
    assert refusal.inner_text().strip() == zh("%(name)s is not the %(kind)s file its name says it is.") % {
        "name": "发票.pdf", "kind": "PDF"}
    assert ExpenseClaim.objects.count() == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPENSE).count() == 0

    # ... the rest of what the chief typed is kept, so attaching the photo and submitting again files it.
    form = phone.locator("[data-testid=funding-form]")
    assert form.locator("input[name=amount]").input_value() == "386.50"
    assert form.locator("select[name=category]").input_value() == str(categories["reception"].pk)
    form.locator("input[name=receipts]").set_input_files(
        {"name": "发票.png", "mimeType": "image/png", "buffer": PNG})
    submit_claim(phone)
    claim = ExpenseClaim.objects.get()
    phone.wait_for_url(f"**{claim.get_absolute_url()}")
    assert (claim.station, claim.requester, claim.category) == (station, chief, categories["reception"])
    assert (claim.amount, claim.payee, claim.invoice_number) == (Decimal("386.50"), "上海锦江饭店", "310024000012")
    assert phone.locator("[data-testid=status]").inner_text() == zh(ClaimStatus.PENDING.label)
    assert phone.locator("[data-testid=amount]").inner_text().startswith("386.50")
    receipt = claim.receipts.get()
    link = phone.locator(f"[data-testid=receipts] a[href='{receipt.get_absolute_url()}']")
    assert link.inner_text() == "发票.png"
    # The receipt is served to the chief as it was uploaded (through the view, never a public URL).
    served = phone.request.get(receipt.get_absolute_url())
    assert served.status == 200 and served.body() == PNG
    # The chief's own claim carries the chief's signature: it waits only for the bureau.
    decisions = list(claim.decisions.order_by("position").values_list("actor", "outcome", "decided_by"))
    assert decisions == [(ApprovalActor.CHIEF, Outcome.DONE, chief.pk)]
    assert phone.locator("[data-testid=decide]").count() == 0  # nothing for the chief to decide
    assert phone.csp_violations == []

    # The bureau finds it in the claims list and approves it.
    desk = page_factory()
    log_in(desk, "bureau", PASSWORD)
    desk.goto(reverse("funding:claim_list"))
    desk.locator(f"[data-testid=claims] a[href='{claim.get_absolute_url()}']").click()
    desk.wait_for_url(f"**{claim.get_absolute_url()}")
    decide = desk.locator("[data-testid=decide]")
    decide.locator("input[name=approve][value=yes]").check()
    decide.locator("input[name=comment]").fill("符合接待标准")
    with desk.expect_navigation():
        decide.get_by_role("button", name=zh("Record decision")).click()
    assert desk.url.endswith(claim.get_absolute_url())
    assert desk.locator("[data-testid=status]").inner_text() == zh(ClaimStatus.APPROVED.label)
    assert desk.locator("[data-testid=decide]").count() == 0
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert (claim.entry.kind, claim.entry.amount, claim.entry.reference) == (
        EntryKind.EXPENSE, Decimal("-386.50"), claim.number)
    assert claim.decisions.get(actor=ApprovalActor.BUREAU).decided_by == bureau
    assert desk.csp_violations == []

    # The chief's team page: spent 386.50, the balance down to 19,613.50, and the expense in the
    # ledger with the claim's number linking to the claim.
    phone.goto(team_url)
    assert phone.locator("[data-testid=spent]").inner_text() == "386.50"
    assert phone.locator("[data-testid=balance]").inner_text() == "19,613.50"
    row = phone.locator(f"[data-testid=ledger] tr#entry-{claim.entry.pk}")
    assert row.locator(f"a[href='{claim.get_absolute_url()}']").inner_text() == claim.number
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == zh(EntryKind.EXPENSE.label) and cells[2] == categories["reception"].name
    assert cells[4:7] == ["", "386.50", "19,613.50"]  # in, out, running balance
    assert phone.csp_violations == []
