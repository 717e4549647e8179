"""Scoring schemes as data: rule types check their parameters, presets install and copy."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scoring import rules
from scoring.models import SchemeItem, ScoringScheme
from scoring.services import scheme_create
from stations.models import Profile
from stations.services import profile_copy

from ..conftest import activate_preset


def test_every_preset_that_scores_installs_its_schemes(db):
    activate_preset("xiangzhou")
    codes = dict(ScoringScheme.objects.values_list("version__profile__code", "subject").order_by())
    assert set(codes) == {"shanting", "all-staff", "huaiyin", "xiangzhou", "xuancheng"}
    shanting = ScoringScheme.objects.get(version__profile__code="shanting")
    items = {item.code: item for item in shanting.items.all()}
    assert shanting.subject == "person" and shanting.interview_line == Decimal("60")
    assert sum(item.max_points or 0 for item in items.values()) == Decimal("100")
    assert items["leads"].params == {"lead_class": "raw", "target": 15, "points_per_unit": "2",
                                     "penalty_per_unit": None, "floor": "0", "cap": None}
    assert items["big-project"].params["inclusive"] is True  # 过亿 reads as ≥ 1亿
    huaiyin = ScoringScheme.objects.get(version__profile__code="huaiyin")
    weights = [Decimal(item.params["weight"]) for item in huaiyin.items.all()]
    assert weights == [8, 30, 10, 35, 10, 7]
    assert all(item.params["targets_by_group"] is None for item in huaiyin.items.all())  # left to the admin
    assert ScoringScheme.objects.get(version__profile__code="xiangzhou").is_sketch


@pytest.mark.parametrize(("code", "params", "message"), [
    ("count_target", {"target": -1}, "target"),
    ("count_target", {"target": 15, "lead_class": "wonderful"}, "lead_class"),
    ("count_target", {}, "target"),
    ("count_target", {"target": 15, "bonus": 3}, "bonus"),
    ("threshold_project", {"threshold": "0", "points_signed": "30"}, "threshold"),
    ("threshold_project", {"threshold": "1e8", "points_signed": "30", "inclusive": "yes"}, "inclusive"),
    ("presence", {"points_per_abnormal": "NaN"}, "points_per_abnormal"),
    ("weighted_indicator", {"indicator": "new_started", "weight": "0"}, "weight"),
    ("amount_target", {"targets_by_rank": {"leader": {"mining": "1"}}}, "targets_by_rank"),
])
def test_bad_parameters_are_refused_with_the_parameter_named(code, params, message):
    with pytest.raises(ValidationError) as refused:
        rules.validate(code, params)
    assert message in " ".join(refused.value.messages)


def test_good_parameters_come_back_clean_with_defaults():
    clean = rules.validate("threshold_project", {"threshold": 100000000, "points_signed": 30})
    assert clean == {"amount": "fixed_asset", "threshold": "100000000", "inclusive": True, "basis": "per_project",
                     "points_signed": "30", "bonus_per_extra": "0", "landing_bonus": "0",
                     "landing_bonus_for": "each"}
    assert rules.validate("count_target", {"target": 15, "floor": "-10"})["floor"] == "-10"  # floors may be negative


def test_a_veto_or_penalty_must_name_another_item_of_its_scheme(db):
    activate_preset("xiangzhou")
    version = Profile.objects.get(code="xiangzhou").version_for(2026)
    with pytest.raises(ValidationError):
        scheme_create(version=version, code="units", name="单位考核", subject="unit", items=[
            ("veto", "一票否决", "veto", None, {"of_item": "signed"})])
    assert not ScoringScheme.objects.filter(version=version, code="units").exists()  # nothing half-made
    with pytest.raises(ValidationError):
        scheme_create(version=version, code="units", name="单位考核", subject="unit", items=[
            ("investment", "任务", "amount_target", "100", {"targets_by_rank": {"unit": {"industrial": "1"}}}),
            ("penalty", "处罚", "proportional_penalty", "10", {"of_item": "investment", "bases": {"unit": "1"}})])


def test_copying_a_profile_copies_its_schemes_for_editing(db, django_user_model):
    activate_preset("shanting")
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    copy = profile_copy(profile=Profile.objects.get(code="shanting"), user=admin, code="shanting-2027", name="山亭2027")
    scheme = ScoringScheme.objects.get(version__profile=copy)
    assert scheme.items.count() == 7
    item = scheme.items.get(code="leads")
    item.params = {**item.params, "target": 20}
    item.full_clean()
    item.save()
    assert SchemeItem.objects.get(scheme__version__profile__code="shanting", code="leads").params["target"] == 15


def test_the_admin_refuses_bad_parameters(db, django_user_model):
    from django.test import Client

    activate_preset("shanting")
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    scheme = ScoringScheme.objects.get(version__profile__code="shanting")
    assert client.get(reverse("admin:scoring_scoringscheme_changelist")).status_code == 200
    page = client.get(reverse("admin:scoring_scoringscheme_change", args=[scheme.pk]))
    assert page.status_code == 200 and "count_target" in page.content.decode()
    item = scheme.items.get(code="leads")
    item.params = {"target": "fifteen"}
    with pytest.raises(ValidationError):
        item.full_clean()


def test_the_scoring_admin_pages_open(world, django_user_model):
    from django.test import Client

    from ..stations.duty_world import furnish_scores

    furnish_scores(world)
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    for model in ("scoringscheme", "finding", "evaluation"):
        assert client.get(reverse(f"admin:scoring_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:scoring_evaluation_change", args=[world.evaluation.pk])).status_code == 200
