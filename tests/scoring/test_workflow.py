"""Three hands and publication: evidence, verification, adjudication by three different people;
publication with objections; final results are snapshots; unlocking is recorded."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from scoring import engine, grades, workflow
from scoring.models import Evaluation, ScoringScheme, Stage

from ..conftest import activate_preset
from ..factories import UserFactory

YEAR = 2026


@pytest.fixture
def judged(world):
    activate_preset("shanting")
    scheme = ScoringScheme.objects.get(version__profile__code="shanting")
    for number in range(15):
        Lead.objects.create(station=world.station_a, title=f"项目{number}", filed_by=world.users["chief_a"],
                            filed_at=timezone.make_aware(datetime.datetime(YEAR, 3, 1)),
                            created_by=world.users["chief_a"])
    evaluation = engine.evaluate(scheme=scheme, first=datetime.date(YEAR, 1, 1), last=datetime.date(YEAR, 12, 31),
                                 station=world.station_a, person=world.person("staff_a"))
    line = evaluation.lines.get(item__code="daily-work")
    engine.judge(line=line, user=world.users["assessor"], points=Decimal("8"), reason="纪律良好")
    evaluation.refresh_from_db()
    return evaluation


def test_the_three_hands_are_three_people_in_order(world, judged):
    with pytest.raises(ValidationError):  # not before the subject has confirmed or disputed
        workflow.verify(evaluation=judged, user=world.users["bureau"])
    with pytest.raises(PermissionDenied):  # only the person scored confirms their facts
        workflow.confirm_evidence(evaluation=judged, user=world.users["chief_a"], agree=True)
    with pytest.raises(ValidationError):  # a dispute says what is wrong
        workflow.confirm_evidence(evaluation=judged, user=world.users["staff_a"], agree=False, comment="")
    workflow.confirm_evidence(evaluation=judged, user=world.users["staff_a"], agree=False,
                              comment="3月的两条信息是我提供的")
    with pytest.raises(ValidationError):  # the dispute must be answered
        workflow.verify(evaluation=judged, user=world.users["bureau"])
    with pytest.raises(PermissionDenied):  # bureau_a is posted to station A
        workflow.verify(evaluation=judged, user=world.users["bureau_a"], comment="已核实")
    workflow.verify(evaluation=judged, user=world.users["bureau"], comment="已核实，信息归属正确")
    with pytest.raises(PermissionDenied):  # the bureau does not adjudicate
        workflow.adjudicate(evaluation=judged, user=world.users["bureau"])
    workflow.adjudicate(evaluation=judged, user=world.users["assessor"])
    judged.refresh_from_db()
    assert judged.stage == Stage.ADJUDICATED
    assert [step.stage for step in judged.steps.all()] == ["disputed", "verified", "adjudicated"]


def test_no_person_acts_in_two_hands(world, judged):
    # A user with both roles verifies, then may not adjudicate the same evaluation.
    both = UserFactory(username="both", roles=["bureau", "assessment"])
    workflow.confirm_evidence(evaluation=judged, user=world.users["staff_a"], agree=True)
    workflow.verify(evaluation=judged, user=both)
    with pytest.raises(ValidationError):
        workflow.adjudicate(evaluation=judged, user=both)
    workflow.adjudicate(evaluation=judged, user=world.users["assessor"])


def advance_to_adjudicated(world, evaluation):
    workflow.confirm_evidence(evaluation=evaluation, user=world.users["staff_a"], agree=True)
    workflow.verify(evaluation=evaluation, user=world.users["bureau"])
    workflow.adjudicate(evaluation=evaluation, user=world.users["assessor"])


def test_publication_takes_objections_and_a_result_is_final_only_after_it(world, judged):
    advance_to_adjudicated(world, judged)
    workflow.publish(evaluation=judged, user=world.users["assessor"])
    judged.refresh_from_db()
    assert judged.published_until > timezone.localdate()
    objection = workflow.object_to(evaluation=judged, user=world.users["chief_a"], text="走访次数统计有误")
    with pytest.raises(ValidationError):  # not before the period ends
        workflow.finalize(evaluation=judged, user=world.users["assessor"])
    after = datetime.datetime.combine(judged.published_until + datetime.timedelta(days=1), datetime.time(10))
    with time_machine.travel(after.astimezone(), tick=False):
        with pytest.raises(ValidationError):  # objections are taken only during publication
            workflow.object_to(evaluation=judged, user=world.users["chief_a"], text="再次异议")
        with pytest.raises(ValidationError):  # every objection answered first
            workflow.finalize(evaluation=judged, user=world.users["assessor"])
        workflow.answer(objection=objection, user=world.users["assessor"], text="经核查，统计无误")
        workflow.finalize(evaluation=judged, user=world.users["assessor"])
    judged.refresh_from_db()
    assert judged.stage == Stage.FINAL


def test_a_final_result_is_a_snapshot_until_unlocked_with_a_reason(world, judged):
    advance_to_adjudicated(world, judged)
    workflow.publish(evaluation=judged, user=world.users["assessor"])
    Evaluation.objects.filter(pk=judged.pk).update(stage=Stage.FINAL)
    judged.refresh_from_db()
    total = judged.total
    Lead.objects.create(station=world.station_a, title="后来的项目", filed_by=world.users["chief_a"],
                        filed_at=timezone.make_aware(datetime.datetime(YEAR, 4, 1)), created_by=world.users["chief_a"])
    with pytest.raises(workflow.Locked):
        engine.evaluate(scheme=judged.scheme, first=judged.period_start, last=judged.period_end,
                        station=world.station_a, person=world.person("staff_a"))
    with pytest.raises(workflow.Locked):
        grades.grade_decide(evaluation=judged, user=world.users["assessor"], grade="competent")
    judged.refresh_from_db()
    assert judged.total == total  # later leads do not move a final result
    with pytest.raises(ValidationError):
        workflow.unlock(evaluation=judged, user=world.users["assessor"], reason=" ")
    workflow.unlock(evaluation=judged, user=world.users["assessor"], reason="漏计一条项目信息")
    judged.refresh_from_db()
    assert judged.stage == Stage.VERIFIED and "漏计" in judged.steps.last().comment
    evaluation = engine.evaluate(scheme=judged.scheme, first=judged.period_start, last=judged.period_end,
                                 station=world.station_a, person=world.person("staff_a"), user=world.users["bureau"])
    assert evaluation.total == total + 2 and evaluation.stage == Stage.COMPUTED  # the facts go back to the subject


def test_the_pages_take_the_steps(world, judged, client_for):
    url = reverse("scoring:evaluation_act", args=[judged.pk])
    assert client_for("staff_a").post(url, {"action": "confirm"}).status_code == 302
    client_for("bureau").post(url, {"action": "verify"})
    client_for("assessor").post(url, {"action": "adjudicate"})
    judged.refresh_from_db()
    assert judged.stage == Stage.ADJUDICATED
    assert client_for("chief_a").post(url, {"action": "publish"}).status_code == 404  # a colleague's, unpublished
    assert client_for("staff_a").post(url, {"action": "publish"}).status_code == 403  # the subject does not publish
    judged.refresh_from_db()
    assert judged.stage == Stage.ADJUDICATED
    client_for("assessor").post(url, {"action": "publish"})
    # Published (公示): now the team reads it and may object.
    assert client_for("chief_a").post(url, {"action": "object", "text": "有误"}).status_code == 302
    assert judged.objections.count() == 1
    assert client_for("chief_b").get(judged.get_absolute_url()).status_code == 404


def test_a_scheme_used_by_a_final_result_cannot_be_changed_until_unlocked(world, judged, django_user_model):
    from django.test import Client

    scheme = judged.scheme
    Evaluation.objects.filter(pk=judged.pk).update(stage=Stage.FINAL)
    item = scheme.items.get(code="leads")
    item.params = {**item.params, "target": 10}
    with pytest.raises(ValidationError, match="final result|最终考核结果"):
        item.save()
    with pytest.raises(ValidationError, match="final result|最终考核结果"):
        scheme.items.get(code="eight-point").delete()
    scheme.name = "改过的名字"
    with pytest.raises(ValidationError, match="final result|最终考核结果"):
        scheme.save()
    # The admin shows it read-only: a POST changes nothing.
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:scoring_scoringscheme_change", args=[scheme.pk])
    assert client.post(url, {"name": "改过的名字"}).status_code == 403
    assert ScoringScheme.objects.get(pk=scheme.pk).name != "改过的名字"
    # Unlocking the result (recorded, with a reason) frees the scheme.
    workflow.unlock(evaluation=judged, user=world.users["assessor"], reason="统计口径调整")
    item.save()
    assert scheme.items.get(code="leads").params["target"] == 10


def test_each_office_is_offered_only_the_buttons_of_its_own_hand(world, judged, client_for):
    def buttons(persona):
        page = client_for(persona).get(judged.get_absolute_url()).content.decode()
        return {action for action in ("confirm", "verify", "adjudicate", "publish", "finalize", "unlock", "object")
                if f'value="{action}"' in page}

    workflow.confirm_evidence(evaluation=judged, user=world.users["staff_a"], agree=True)
    assert buttons("bureau") == {"verify"} and buttons("assessor") == set()
    workflow.verify(evaluation=judged, user=world.users["bureau"])
    assert buttons("bureau") == set() and buttons("assessor") == {"adjudicate"}
    workflow.adjudicate(evaluation=judged, user=world.users["assessor"])
    workflow.publish(evaluation=judged, user=world.users["assessor"])
    # During publication: objections, not finalizing; the grade and score forms are gone.
    assert buttons("assessor") == {"object"} and buttons("chief_a") == {"object"}
    page = client_for("assessor").get(judged.get_absolute_url()).content.decode()
    assert reverse("scoring:evaluation_grade", args=[judged.pk]) not in page
    assert f"scoring/evaluations/{judged.pk}/lines/" not in page
    judged.refresh_from_db()
    with time_machine.travel(judged.published_until + datetime.timedelta(days=1)):
        assert buttons("assessor") == {"finalize"} and buttons("chief_a") == set()
