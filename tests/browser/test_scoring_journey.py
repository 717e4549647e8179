"""Three hands and publication (issue #5), in a real browser: the assessor scores the judgement
item from the ranking board, the person scored reads the evidence and confirms it, the bureau
verifies and may not also adjudicate, the assessor adjudicates and publishes, a colleague objects
during publication and is answered, the result becomes final, and recomputing keeps it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from leads.models import Lead
from scoring import engine
from scoring.models import Evaluation, Objection, ScoringScheme, Stage
from stations.permissions import Role

from ..conftest import activate_preset
from ..factories import PASSWORD
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(text):
    """`text` as the Chinese UI shows it (the browser asks for zh-CN), whether or not it is translated yet."""
    with translation.override("zh-hans"):
        return str(gettext(text))


def stage_shown(stage):
    with translation.override("zh-hans"):
        return str(stage.label)


def act(page, action, text=""):
    """Take one step of the workflow form on the evaluation page and wait for the redirect back."""
    workflow = page.locator("[data-testid=workflow]")
    workflow.locator("#act-text").fill(text)
    with page.expect_navigation():
        workflow.locator(f"button[name=action][value={action}]").click()


def alert(page, kind):
    return page.locator(f"main > .alert-{kind}").inner_text().strip()


def add_lead(world, title, filed_at):
    return Lead.objects.create(station=world.station_a, title=title, filed_by=world.users["chief_a"],
                               filed_at=filed_at, created_by=world.users["chief_a"])


def test_three_hands_publication_and_a_final_result(world, page_factory):
    # The data of tests/scoring/test_workflow.py's `judged`, for this year (the board shows this year),
    # before the assessor's score: Shanting's person sheet, station A's 15 leads, staff_a computed.
    activate_preset("shanting")
    scheme = ScoringScheme.objects.get(version__profile__code="shanting")
    year = timezone.localdate().year
    # Filed on a morning early in the year, away from midnight, when the UTC and local dates differ.
    filed_at = timezone.make_aware(datetime.datetime(year, 1, 2, 10))
    leads = [add_lead(world, f"项目{number}", filed_at) for number in range(15)]
    evaluation = engine.evaluate(scheme=scheme, first=datetime.date(year, 1, 1),
                                 last=datetime.date(year, 12, 31), station=world.station_a,
                                 person=world.person("staff_a"))
    assert evaluation.total is None  # the daily-work judgement waits for the assessor
    url = evaluation.get_absolute_url()
    # The bureau official also sits in the assessment office: exactly whom "one person never acts in
    # two hands" is for, refused by the rule rather than by a missing role.
    world.users["bureau"].groups.add(Group.objects.get(name=Role.ASSESSMENT))

    # The assessor finds staff_a on the ranking board and scores the daily-work judgement.
    desk = page_factory()
    log_in(desk, "assessor", PASSWORD)
    assert desk.locator("html").get_attribute("lang") == "zh-hans"
    desk.get_by_role("link", name=zh("Scores"), exact=True).click()
    desk.wait_for_url(f"**{reverse('scoring:evaluation_list')}")
    board = desk.locator("[data-testid=evaluations]")
    assert zh("to be judged") in board.inner_text()
    board.locator(f"a[href='{url}']").click()
    desk.wait_for_url(f"**{url}")
    daily = desk.locator("[data-testid=line-daily-work]")
    daily.locator("input[name=points]").fill("8")
    daily.locator("input[name=reason]").fill("纪律良好，按时报送工作日志")
    with desk.expect_navigation():
        daily.get_by_role("button", name=zh("Score"), exact=True).click()
    assert alert(desk, "success") == zh("Score recorded.")
    assert "纪律良好，按时报送工作日志" in desk.locator("[data-testid=line-daily-work]").inner_text()
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("53")  # 30 for 15 leads of 15, 15 for presence, 8 for daily work
    assert desk.locator("[data-testid=total]").inner_text() == str(evaluation.total)
    assert desk.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.COMPUTED)

    # staff_a, the person scored, opens their evaluation, sees why (the leads counted, each a link)
    # and confirms the facts.
    subject = page_factory(phone=True)
    log_in(subject, "staff_a", PASSWORD)
    subject.goto(url)
    counted = subject.locator("[data-testid=line-leads]")
    counted.locator("summary").click()  # 15 pieces of evidence: folded until asked for
    evidence = counted.locator("details a")
    assert evidence.count() == 15
    assert evidence.first.get_attribute("href") == reverse("leads:detail", args=[leads[0].pk])
    assert evidence.first.inner_text() == "项目0"
    assert evidence.first.is_visible()
    assert "纪律良好" in subject.locator("[data-testid=line-daily-work]").inner_text()  # the assessor's reason
    act(subject, "confirm", "信息归属无误")
    assert alert(subject, "success") == zh("Recorded.")
    assert subject.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.CONFIRMED)
    assert subject.locator("[data-testid=workflow] button[name=action]").count() == 2  # may still dispute

    # The bureau verifies, then may not adjudicate the same evaluation: a clear refusal on the page.
    bureau = page_factory()
    log_in(bureau, "bureau", PASSWORD)
    bureau.goto(url)
    act(bureau, "verify", "已核实，信息归属正确")
    assert bureau.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.VERIFIED)
    act(bureau, "adjudicate")
    assert alert(bureau, "danger") == zh(
        "You acted in another hand of this evaluation: one person never acts in two.")
    assert bureau.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.VERIFIED)
    evaluation.refresh_from_db()
    assert evaluation.stage == Stage.VERIFIED

    # The assessor adjudicates and publishes (公示) for the scheme's working days.
    desk.goto(url)
    act(desk, "adjudicate", "同意核实意见")
    assert desk.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.ADJUDICATED)
    act(desk, "publish")
    evaluation.refresh_from_db()
    assert evaluation.stage == Stage.PUBLISHED and evaluation.published_until > timezone.localdate()
    heading = desk.locator("[data-testid=workflow] h2").inner_text()
    assert stage_shown(Stage.PUBLISHED) in heading and f"{evaluation.published_until:%Y-%m-%d}" in heading
    # During publication nothing can make it final: the button is not offered (and the service
    # refuses it anyway, tested in tests/scoring/test_workflow.py).
    assert desk.locator("[data-testid=workflow] button[name=action][value=finalize]").count() == 0
    assert desk.locator("[data-testid=workflow] button[name=action][value=object]").count() == 1
    assert desk.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.PUBLISHED)

    # Published, the result is for everyone who reads team A, and nobody else: chief_b gets a 404 ...
    outsider = page_factory()
    log_in(outsider, "chief_b", PASSWORD)
    assert outsider.goto(url).status == 404
    # ... while chief_a, staff_a's chief, reads it and objects.
    colleague = page_factory()
    log_in(colleague, "chief_a", PASSWORD)
    colleague.goto(url)
    assert colleague.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.PUBLISHED)
    assert colleague.locator("[data-testid=workflow] button[name=action]").count() == 1  # only "object"
    act(colleague, "object", "三月走访次数统计有误")
    assert alert(colleague, "success") == zh("Recorded.")
    assert "三月走访次数统计有误" in colleague.locator("[data-testid=workflow]").inner_text()
    assert colleague.locator("form[action*='/objections/']").count() == 0  # the team does not answer

    # The assessor answers the objection.
    desk.reload()
    objection = Objection.objects.get(evaluation=evaluation)
    answer_url = reverse("scoring:objection_answer", args=[evaluation.pk, objection.pk])
    answer_form = desk.locator(f"form[action='{answer_url}']")
    answer_form.locator("input[name=text]").fill("经核查，三月走访记录完整，统计无误")
    with desk.expect_navigation():
        answer_form.get_by_role("button").click()
    assert alert(desk, "success") == zh("Answer recorded.")
    assert "经核查，三月走访记录完整，统计无误" in desk.locator("[data-testid=workflow]").inner_text()
    assert desk.locator("form[action*='/objections/']").count() == 0

    # Standing in for the passage of the publication's working days: the period ended yesterday.
    Evaluation.objects.filter(pk=evaluation.pk).update(
        published_until=timezone.localdate() - datetime.timedelta(days=1))
    desk.reload()
    act(desk, "finalize")
    assert alert(desk, "success") == zh("Recorded.")
    assert desk.locator("[data-testid=stage]").inner_text() == stage_shown(Stage.FINAL)
    workflow = desk.locator("[data-testid=workflow]")
    assert workflow.locator("button[name=action][value=unlock]").is_visible()  # with its reason field
    assert workflow.locator("#act-text").is_visible()
    assert workflow.locator("button[name=action]").count() == 1  # nothing else to do to a final result
    assert desk.locator("[data-testid=feedback-link]").is_visible()

    # A later lead, then recomputing the year from the board: the final result is kept as it is.
    evaluation.refresh_from_db()
    total, lines = evaluation.total, sorted(evaluation.lines.values_list("item__code", "value", "points"))
    add_lead(world, "后来的项目", timezone.now())
    desk.get_by_role("link", name=zh("All scores")).click()
    desk.wait_for_url(re.compile(r".*/scoring/\?year=\d+$"))
    with desk.expect_navigation():
        desk.get_by_role("button", name=zh("Compute now")).click()
    computed = Evaluation.objects.filter(scheme=scheme, period_start=evaluation.period_start,
                                         period_end=evaluation.period_end).count() - 1
    assert computed >= 1  # the others posted in the period were computed
    message = zh("%(count)s evaluation(s) computed; %(kept)s published or final kept as they are.")
    assert alert(desk, "success") == message % {"count": computed, "kept": 1}
    evaluation.refresh_from_db()
    assert (evaluation.stage, evaluation.total) == (Stage.FINAL, total)
    assert sorted(evaluation.lines.values_list("item__code", "value", "points")) == lines

    # The record: three hands by three people in order, publication and the final step.
    steps = list(evaluation.steps.values_list("stage", "by__username", "comment"))
    assert steps == [
        (Stage.CONFIRMED, "staff_a", "信息归属无误"),
        (Stage.VERIFIED, "bureau", "已核实，信息归属正确"),
        (Stage.ADJUDICATED, "assessor", "同意核实意见"),
        (Stage.PUBLISHED, "assessor", ""),
        (Stage.FINAL, "assessor", ""),
    ]
    objection.refresh_from_db()
    assert (objection.raised_by, objection.text) == (world.users["chief_a"], "三月走访次数统计有误")
    assert (objection.answered_by, objection.answer) == (
        world.users["assessor"], "经核查，三月走访记录完整，统计无误")
    assert objection.answered_at is not None

    for page in (desk, subject, bureau, outsider, colleague):
        assert page.csp_violations == []
