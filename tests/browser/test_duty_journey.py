"""A month's duty from the day's log to the accepted monthly report, in a real browser: the chief
writes today's log and submits the monthly report from a phone, the bureau returns it with a
comment, the chief answers and resubmits, the bureau accepts, and the month's logs close."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import Report, ReportKind, WorkLog

from ..factories import PASSWORD
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_todays_log(page, activities):
    page.goto(reverse("stations:worklog_today"))
    form = page.locator("[data-testid=worklog-form]")
    form.locator("input[name=whereabouts][value=at_post]").check()
    form.locator("textarea[name=activities]").fill(activities)
    with page.expect_navigation():
        form.locator("button[name=submit]").click()


def test_log_report_return_resubmit_and_accept(world, page_factory):
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    chief = world.person("chief_a")

    # The chief writes today's log from a phone and lands on their month.
    phone = page_factory(phone=True)
    log_in(phone, "chief_a", PASSWORD)
    save_todays_log(phone, "走访长三角新能源企业三家")
    phone.wait_for_url(f"**{reverse('stations:worklog_month')}?person={chief.pk}&month={month}")
    assert "走访长三角新能源企业三家" in phone.locator("[data-testid=month-grid]").inner_text()
    log = WorkLog.objects.get(person=chief, date=today)
    assert (log.station, log.whereabouts) == (world.station_a, "at_post")

    # The chief opens the month's report on the team's reports page and submits it.
    phone.goto(reverse("stations:report_list", args=[world.station_a.pk]))
    opener = phone.locator("[data-testid=report-open]")
    opener.locator("select[name=kind]").select_option(ReportKind.MONTHLY)
    opener.locator("input[name=year]").fill(str(today.year))
    opener.locator("input[name=number]").fill(str(today.month))
    opener.locator("button[type=submit]").click()
    phone.wait_for_url("**/reports/*/")
    report = Report.objects.get(station=world.station_a, kind=ReportKind.MONTHLY)
    assert phone.url.endswith(reverse("stations:report_detail", args=[report.pk]))
    form = phone.locator("[data-testid=report-form]")
    form.locator("textarea[name=body]").fill("本月走访企业三家，新能源项目推进顺利。")
    with phone.expect_navigation():
        form.locator("button[name=submit]").click()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.versions.count() == 1
    assert phone.locator("[data-testid=versions] li").count() == 1
    assert phone.locator("[data-testid=report-form]").count() == 0  # submitted: no longer editable

    # The bureau, not posted to the team, finds it in the month's queue and returns it.
    desk = page_factory()
    log_in(desk, "bureau", PASSWORD)
    desk.goto(f"{reverse('stations:review_queue')}?month={month}")
    desk.locator(f"[data-testid=queue] a[href='{report.get_absolute_url()}']").click()
    desk.wait_for_url(f"**{report.get_absolute_url()}")
    review = desk.locator("[data-testid=review]")
    review.locator("input[name=outcome][value=returned]").check()
    review.locator("textarea[name=comment]").fill("请补充签约项目的进展和下月计划")
    review.locator("button[type=submit]").click()
    desk.wait_for_url(f"**{reverse('stations:review_queue')}?month={month}")
    report.refresh_from_db()
    assert report.status == "returned"
    first = report.versions.get(number=1)
    assert (first.review.outcome, first.review.comment) == ("returned", "请补充签约项目的进展和下月计划")
    assert first.review.reviewer == world.users["bureau"]

    # The chief reads the comment, answers it and submits again.
    phone.reload()
    assert "请补充签约项目的进展和下月计划" in phone.locator("[data-testid=review-comment]").inner_text()
    form = phone.locator("[data-testid=report-form]")
    form.locator("textarea[name=body]").fill("本月走访企业三家；锂电池项目已进入协议阶段，下月赴宁德洽谈。")
    with phone.expect_navigation():
        form.locator("button[name=submit]").click()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.versions.count() == 2
    assert phone.locator("[data-testid=versions] li").count() == 2

    # The bureau accepts the second version.
    desk.goto(report.get_absolute_url())
    review = desk.locator("[data-testid=review]")
    review.locator("input[name=outcome][value=accepted]").check()
    review.locator("button[type=submit]").click()
    desk.wait_for_url(f"**{reverse('stations:review_queue')}?month={month}")
    report.refresh_from_db()
    assert report.status == "accepted"
    assert report.versions.get(number=2).review.outcome == "accepted"

    # The month's logs are closed now: the chief's change to today's log is refused on the form.
    save_todays_log(phone, "改写：全天在站")
    assert phone.url.endswith(reverse("stations:worklog_today"))  # no redirect: the form again
    # The service's refusal is shown on the date field.
    form = phone.locator("[data-testid=worklog-form]")
    assert form.locator("input[name=date]").get_attribute("aria-invalid") == "true"
    assert form.locator(".invalid-feedback").inner_text().strip()
    log.refresh_from_db()
    assert (log.whereabouts, log.activities) == ("at_post", "走访长三角新能源企业三家")
    assert WorkLog.objects.filter(person=chief).count() == 1

    assert phone.csp_violations == []
    assert desk.csp_violations == []
