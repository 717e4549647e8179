"""Contact books, visits against the profile's targets, determination and aftercare."""

import datetime
import io
from decimal import Decimal
from http import HTTPStatus

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from leads import excel, selectors, services
from leads.models import Contact, Lead, Stage, Visit

from ..conftest import activate_preset

TODAY = timezone.localdate()


def test_contact_book_is_the_teams_own(world, client_for):
    services.contact_add(user=world.users["chief_a"], station=world.station_a, enterprise_name="甲公司", name="张总")
    with pytest.raises(PermissionDenied):
        services.contact_add(user=world.users["chief_a"], station=world.station_b, enterprise_name="乙", name="李")
    assert client_for("chief_b").get(reverse("leads:contacts"), {"team": world.station_a.pk}).status_code == 404
    page = client_for("bureau").get(reverse("leads:contacts"), {"team": world.station_a.pk})
    assert [contact.name for contact in page.context["contacts"]] == ["张总"]
    assert page.context["form"] is None  # the bureau reads every book but writes none


def test_visit_with_another_teams_contact_or_a_future_date_is_refused(world):
    other = services.contact_add(user=world.users["chief_b"], station=world.station_b, enterprise_name="乙公司",
                                 name="李总")
    with pytest.raises(ValidationError):
        services.visit_add(user=world.users["chief_a"], station=world.station_a, date=TODAY, enterprise_name="",
                           purpose="拜访", contact=other)
    with pytest.raises(ValidationError):
        services.visit_add(user=world.users["chief_a"], station=world.station_a,
                           date=timezone.localdate() + datetime.timedelta(days=2), enterprise_name="甲公司", purpose="拜访")
    assert not Visit.objects.exists()


def test_shanting_shows_two_visits_a_week_per_office(world, client_for):
    activate_preset("shanting")
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    services.visit_add(user=world.users["chief_a"], station=world.station_a, date=monday, enterprise_name="甲公司",
                       purpose="对接", visitors=[world.person("chief_a")])
    summary = selectors.visit_summary(station=world.station_a, rules=services.rules_for())
    assert (summary["team_visits"], summary["target"], summary["per_person"]) == (1, 2, False)
    content = client_for("chief_a").get(reverse("leads:visits")).content.decode()
    assert "未达标" in content.split("visit-targets")[1].split("</p>")[0]  # 1 of 2 this week


def test_all_staff_counts_new_investors_per_person(world):
    activate_preset("all-staff")
    for number in range(3):
        services.visit_add(user=world.users["chief_a"], station=world.station_a, date=TODAY.replace(day=1),
                           enterprise_name=f"企业{number}", purpose="首次接触", new_investor=True,
                           visitors=[world.person("staff_a")])
    summary = selectors.visit_summary(station=world.station_a, rules=services.rules_for(), today=TODAY)
    rows = {row["person"].name: row["new_investors"] for row in summary["people"]}
    assert rows["staff_a"] == 3 and rows["chief_a"] == 0
    assert summary["new_investor_target"] == 5


def signed_lead(world, file_lead):
    lead = services.lead_move(lead=file_lead("chief_a", total_investment=Decimal("200000000")),
                              user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    for stage in (Stage.INTENTION, Stage.AGREEMENT):
        lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=stage)
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.REVIEW, review_site="东区",
                              review_land_utilities="净地", review_policy="奖补", review_leader="王副区长")
    return services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.SIGNED, signed_on=TODAY,
                              contract_amount=Decimal("200000000"))


def test_the_lead_page_shows_the_review_and_a_lost_leads_reason(world, file_lead, client_for):
    lead = signed_lead(world, file_lead)
    page = client_for("chief_a").get(lead.get_absolute_url()).content.decode()
    review = page.split('data-testid="lead-review">')[1].split("</dd>")[0]
    assert all(fact in review for fact in ("东区", "净地", "奖补", "王副区长"))

    lost = services.lead_move(lead=file_lead("chief_a", title="流失的项目", enterprise_name="另一家"),
                              user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    lost = services.lead_move(lead=lost, user=world.users["chief_a"], to_stage=Stage.LOST, lost_reason="去了外地",
                              lost_poor_service=True)
    page = client_for("chief_a", HTTP_ACCEPT_LANGUAGE="en").get(lost.get_absolute_url()).content.decode()
    assert "去了外地" in page.split('data-testid="lead-lost">')[1].split("</dd>")[0]
    assert "lost through poor service" in page.split('data-testid="lead-lost">')[1].split("</dd>")[0]


def test_aftercare_after_landing(world, file_lead):
    lead = signed_lead(world, file_lead)
    services.follow_up_plan_set(lead=lead, user=world.users["chief_a"], leader="王副区长", department="发改局",
                                team="新能源专班", wechat_group="新能源项目群", timeline="年底开工")
    services.return_visit_add(lead=lead, user=world.users["chief_a"], date=TODAY, note="企业反映用电报装慢")
    with pytest.raises(ValidationError):  # output and tax come after completion
        services.outcome_set(lead=lead, user=world.users["chief_a"], year=TODAY.year, output_value=Decimal(1),
                             tax=Decimal(1))
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.STARTED, started_on=TODAY)
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.COMPLETED, completed_on=TODAY)
    services.outcome_set(lead=lead, user=world.users["chief_a"], year=TODAY.year, output_value=Decimal("5e7"),
                         tax=Decimal("2e6"))
    services.outcome_set(lead=lead, user=world.users["chief_a"], year=TODAY.year, output_value=Decimal("6e7"),
                         tax=Decimal("2e6"))  # corrects the year's figures
    assert list(lead.outcomes.values_list("year", "output_value")) == [(TODAY.year, Decimal("60000000.00"))]
    assert lead.follow_up_plan.team == "新能源专班"
    with pytest.raises(PermissionDenied):
        services.return_visit_add(lead=lead, user=world.users["chief_b"], date=TODAY, note="x")


def test_bureau_determines_introducer_and_service_unit(world, file_lead, client_for):
    lead = file_lead("chief_a")
    response = client_for("bureau").post(reverse("leads:determine", args=[lead.pk]), {
        "introducer_unit": world.unit_a.pk, "introducer_person": "张三", "service_unit": world.park_unit.pk,
        "service_secretary": "李四", "investor_name": "王总"})
    assert response.status_code == HTTPStatus.FOUND
    lead.refresh_from_db()
    assert (lead.introducer_unit, lead.service_secretary, lead.determined_by) == (
        world.unit_a, "李四", world.users["bureau"])


def workbook_bytes(rows):
    workbook = openpyxl.load_workbook(io.BytesIO(excel.template_workbook()))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_upload_checks_then_confirm_saves_every_row(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = workbook_bytes([
        {"项目名称": "新材料项目", "企业名称": "示例新材料有限公司", "总投资（万元）": 5000, "所属团队": "SH"},
        {"项目名称": "装备项目", "企业名称": "示例装备有限公司", "总投资（万元）": "1.2亿", "所属团队": "SH"},
    ])
    client = client_for("chief_a")
    response = client.post(reverse("leads:import"), {"file": SimpleUploadedFile("台账.xlsx", content)})
    report = response.context["report"]
    assert report.is_valid, report.lines()
    assert not Lead.objects.exists()  # checked, not saved
    response = client.post(reverse("leads:import_confirm"))
    assert response.status_code == HTTPStatus.FOUND
    assert sorted(Lead.objects.values_list("total_investment", flat=True)) == [Decimal("50000000.00"),
                                                                                Decimal("120000000.00")]
    assert list(tmp_path.joinpath("imports").iterdir()) == []  # the kept file is removed
    # A second confirm has nothing to import and saves nothing.
    client.post(reverse("leads:import_confirm"))
    assert Lead.objects.count() == 2


def test_upload_of_a_bad_file_says_why_and_keeps_nothing(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for("chief_a").post(reverse("leads:import"), {
        "file": SimpleUploadedFile("台账.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)})
    assert ".xlsx" in " ".join(response.context["form"].errors["file"])
    assert not Lead.objects.exists()
    assert "leads_import" not in client_for("chief_a").session


def test_a_row_for_another_team_blocks_the_whole_file(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = workbook_bytes([
        {"项目名称": "新材料项目", "企业名称": "示例新材料有限公司", "总投资（万元）": 5000, "所属团队": "SH"},
        {"项目名称": "别人的项目", "企业名称": "某公司", "总投资（万元）": 100, "所属团队": "BJ"},
    ])
    client = client_for("chief_a")
    report = client.post(reverse("leads:import"), {"file": SimpleUploadedFile("a.xlsx", content)}).context["report"]
    assert not report.is_valid
    assert any("其他团队" in error for row in report.rows for error in row.errors)
    client.post(reverse("leads:import_confirm"))
    assert not Lead.objects.exists()
    assert not Contact.objects.exists()


def test_a_second_upload_replaces_the_first_checked_file(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = workbook_bytes([{"项目名称": "新材料项目", "企业名称": "示例新材料有限公司", "总投资（万元）": 5000,
                               "所属团队": "SH"}])
    client = client_for("chief_a")
    client.post(reverse("leads:import"), {"file": SimpleUploadedFile("a.xlsx", content)})
    client.post(reverse("leads:import"), {"file": SimpleUploadedFile("b.xlsx", content)})
    assert len(list(tmp_path.joinpath("imports").iterdir())) == 1
    client.post(reverse("leads:import_confirm"))
    assert Lead.objects.count() == 1
    assert list(tmp_path.joinpath("imports").iterdir()) == []
