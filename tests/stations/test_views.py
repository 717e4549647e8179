import datetime
import io
from http import HTTPStatus

import openpyxl
import pytest
from django.urls import reverse

from stations.models import Posting, Station

from ..factories import PersonFactory


def test_chief_home_shows_only_their_station(world, client_for):
    response = client_for("chief_a").get(reverse("stations:home"))
    content = response.content.decode()
    assert "驻上海招商站" in content
    assert "驻北京招商站" not in content
    assert world.person("staff_a").name in content


def test_bureau_home_lists_every_team_with_chief_and_staff(world, client_for):
    content = client_for("bureau").get(reverse("stations:home")).content.decode()
    for name in ("驻上海招商站", "驻北京招商站", "chief_a", "staff_a", "chief_b"):
        assert name in content


def test_station_list_search_and_kind_filter(world, client_for):
    client = client_for("bureau")
    assert list(client.get(reverse("stations:list"), {"q": "北京"}).context["stations"]) == [world.station_b]
    assert list(client.get(reverse("stations:list"), {"kind": "hub"}).context["stations"]) == []


def test_outsider_list_never_shows_another_team(world, client_for):
    stations = client_for("chief_b").get(reverse("stations:list")).context["stations"]
    assert list(stations) == [world.station_b]


def test_ui_is_chinese_by_default(world, client_for):
    content = client_for("bureau").get(reverse("stations:list")).content.decode()
    assert 'lang="zh-hans"' in content
    assert "团队" in content


def test_language_switcher_changes_to_english(world, client_for):
    client = client_for("bureau")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("stations:list")})
    assert response.status_code == HTTPStatus.FOUND
    content = client.get(reverse("stations:list")).content.decode()
    assert 'lang="en"' in content
    assert "Teams" in content


def station_form_data(**overrides):
    data = {
        "name": "驻厦门招商站", "code": "XM", "kind": "resident_station", "home_city": "厦门",
        "radiates_to": "泉州、漳州", "region": "海西", "focus_industries": "电子信息, 新材料",
        "opened_on": "2026-03-01", "is_active": "on",
    }
    data.update(overrides)
    return data


def test_bureau_creates_a_team_through_the_form(world, client_for):
    data = station_form_data(forming_units=[world.unit_a.pk, world.unit_b.pk])
    response = client_for("bureau").post(reverse("stations:create"), data)
    station = Station.objects.get(code="XM")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == station.get_absolute_url()
    assert station.radiates_to == ["泉州", "漳州"]
    assert station.focus_industries == ["电子信息", "新材料"]
    assert station.units.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "SH"}, "code"),
        ({"code": "bad code!"}, "code"),
        ({"opened_on": "2026-03-01", "closed_on": "2026-01-01"}, None),
        ({"opened_on": "not a date"}, "opened_on"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_team_input_saves_nothing_and_says_why(world, client_for, overrides, field):
    response = client_for("bureau").post(reverse("stations:create"), station_form_data(**overrides))
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert not Station.objects.filter(name="驻厦门招商站").exists()


def test_unit_cannot_both_form_and_lead(world, client_for):
    data = station_form_data(forming_units=[world.unit_a.pk], lead_units=[world.unit_a.pk])
    response = client_for("bureau").post(reverse("stations:create"), data)
    assert "lead_units" in response.context["form"].errors
    assert not Station.objects.filter(code="XM").exists()


def test_bureau_edits_a_team_and_history_shows_who(world, client_for):
    from stations.models import Person

    Person.objects.filter(user=world.users["bureau"]).update(name="赵处长")
    data = station_form_data(name="驻上海招商联络处", code="SH", forming_units=[world.unit_a.pk])
    client = client_for("bureau")
    assert client.post(reverse("stations:update", args=[world.station_a.pk]), data).status_code == HTTPStatus.FOUND
    world.station_a.refresh_from_db()
    assert world.station_a.name == "驻上海招商联络处"
    detail = client.get(world.station_a.get_absolute_url())
    assert any(entry["row"].history_user == world.users["bureau"] for entry in detail.context["history"])
    assert "· 赵处长 · 驻上海招商联络处" in detail.content.decode()  # named as people know them, not by login


def test_bureau_posts_a_person_with_default_title(world, client_for):
    person = PersonFactory(name="新来的")
    data = {"person": person.pk, "role": "staff", "start_date": "2026-04-01", "term_end": "2028-03-31",
            "certificate_no": "襄招聘〔2026〕12号"}
    response = client_for("bureau").post(reverse("stations:posting_create", args=[world.station_a.pk]), data)
    assert response.status_code == HTTPStatus.FOUND
    posting = Posting.objects.get(person=person)
    assert posting.title == "工作人员"
    assert posting.station == world.station_a


def test_second_chief_through_the_form_shows_the_reason(world, client_for):
    person = PersonFactory()
    data = {"person": person.pk, "role": "chief", "start_date": "2026-04-01"}
    client = client_for("bureau")
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(reverse("stations:posting_create", args=[world.station_a.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert "This team already has a chief; end that posting first." in response.content.decode()
    assert not Posting.objects.filter(person=person).exists()


def test_term_end_before_start_is_refused(world, client_for):
    person = PersonFactory()
    data = {"person": person.pk, "role": "staff", "start_date": "2026-04-01", "term_end": "2026-01-01"}
    response = client_for("bureau").post(reverse("stations:posting_create", args=[world.station_a.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert not Posting.objects.filter(person=person).exists()


def test_end_posting_through_the_form(world, client_for):
    posting = world.postings["chief_b"]
    response = client_for("bureau").post(
        reverse("stations:posting_end", args=[posting.pk]), {"ended_on": "2026-10-31", "end_reason": "任期届满"}
    )
    assert response.status_code == HTTPStatus.FOUND
    posting.refresh_from_db()
    assert posting.ended_on == datetime.date(2026, 10, 31)
    assert posting.end_reason == "任期届满"


def test_end_date_before_start_is_refused(world, client_for):
    posting = world.postings["chief_b"]
    response = client_for("bureau").post(
        reverse("stations:posting_end", args=[posting.pk]), {"ended_on": "2020-01-01", "end_reason": "错误"}
    )
    assert response.status_code == HTTPStatus.OK
    posting.refresh_from_db()
    assert posting.ended_on is None


def test_outsider_posting_another_teams_person_changes_nothing(world, client_for):
    response = client_for("chief_a").post(
        reverse("stations:posting_end", args=[world.postings["chief_b"].pk]),
        {"ended_on": "2026-10-31", "end_reason": "x"},
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Posting.objects.get(pk=world.postings["chief_b"].pk).ended_on is None


def test_bureau_adds_and_edits_a_person(world, client_for):
    client = client_for("bureau")
    data = {"name": "李新", "phone": "13812345678", "rank": "一级科员", "staff_category": "civil_servant",
            "education": "bachelor", "birth_date": "1990-05-01", "home_unit": world.unit_a.pk}
    response = client.post(reverse("stations:person_create"), data)
    assert response.status_code == HTTPStatus.FOUND
    from stations.models import Person

    person = Person.objects.get(name="李新")
    data["phone"] = "not-a-phone"
    response = client.post(reverse("stations:person_update", args=[person.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert "phone" in response.context["form"].errors
    person.refresh_from_db()
    assert person.phone == "13812345678"


def test_roster_export_is_an_excel_file_with_marking_and_text_cells(world, client_for):
    world.person("chief_a").name = "=HYPERLINK(\"http://evil\")"
    world.person("chief_a").save()
    response = client_for("bureau").get(reverse("stations:roster_export"))
    assert response.status_code == HTTPStatus.OK
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert "bureau" in sheet["A1"].value
    names = {sheet.cell(row=row, column=5).value: sheet.cell(row=row, column=5).data_type
             for row in range(4, sheet.max_row + 1)}
    assert set(names) == {"=HYPERLINK(\"http://evil\")", "staff_a", "chief_b", "bureau_a"}
    assert names["=HYPERLINK(\"http://evil\")"] == "s"  # text, not a formula


def test_profile_page_shows_the_approval_chain(world, client_for):
    from stations.models import Profile

    from ..conftest import activate_preset

    activate_preset("shanting")
    profile = Profile.objects.get(code="shanting")
    content = client_for("chief_a").get(profile.get_absolute_url()).content.decode()
    assert "驻外招商工作处" in content  # the profile's own name for the team kind
    assert "山亭区" in content
    chain_table = content.split('data-testid="approval-chains"')[1].split("</table>")[0]
    assert chain_table.count("<tr>") == 1 + 13  # header + Shanting's thirteen steps


def test_todo_done_marks_the_item(world, client_for):
    from stations.models import TodoItem
    from stations.models.todo import TodoKind

    item = TodoItem.objects.create(user=world.users["bureau"], kind=TodoKind.TASK, title="核对")
    response = client_for("bureau").post(reverse("stations:todo_done", args=[item.pk]))
    assert response.status_code == HTTPStatus.FOUND
    item.refresh_from_db()
    assert item.done_at is not None


def test_an_approval_item_offers_its_page_not_a_done_button(world, client_for):
    from stations.models import TodoItem
    from stations.models.todo import TodoKind

    item = TodoItem.objects.create(user=world.users["bureau"], kind=TodoKind.APPROVAL, title="审批：报销申请",
                                   target=world.station_a, url="/somewhere/")
    client = client_for("bureau", HTTP_ACCEPT_LANGUAGE="en")
    for page in (client.get(reverse("stations:todo_list")), client.get(reverse("stations:home"))):
        content = page.content.decode()
        assert 'data-testid="todo-act" href="/somewhere/"' in content
        assert reverse("stations:todo_done", args=[item.pk]) not in content

    response = client.post(reverse("stations:todo_done", args=[item.pk]), follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "This item closes by itself once it is dealt with: open it to act on it."]
    item.refresh_from_db()
    assert item.done_at is None


def test_work_waiting_on_the_user_comes_before_reminders_and_names_its_team(world, client_for):
    import datetime

    from stations.models import TodoItem
    from stations.models.todo import TodoKind

    today = datetime.date.today()
    TodoItem.objects.create(user=world.users["bureau"], kind=TodoKind.REMINDER, title="报告逾期", key="a",
                            station=world.station_b, due_date=today - datetime.timedelta(days=9))
    TodoItem.objects.create(user=world.users["bureau"], kind=TodoKind.APPROVAL, title="审批：报销申请",
                            target=world.station_a, station=world.station_a)
    page = client_for("bureau").get(reverse("stations:home")).content.decode()
    assert page.index("审批：报销申请") < page.index("报告逾期")
    reminder = page.split("报告逾期")[1].split("</li>")[0]
    assert world.station_b.name in reminder


def test_the_profile_page_shows_the_duty_rules_and_who_decides(world, client_for):
    from stations.models import Profile

    from ..conftest import activate_preset

    activate_preset("shanting")
    response = client_for("chief_a").get(reverse("stations:profile_detail",
                                                 args=[Profile.objects.get(code="shanting").pk]),
                                         HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    rules = page[page.index('data-testid="duty-rules"'):page.index('data-testid="accountability-rules"')]
    assert "rotation leave a month (days)" in rules and "<dd class=\"col-sm-7\">5</dd>" in rules
    assert "Research report" in rules  # among the required reports


def test_a_readers_home_page_lists_twenty_teams_and_links_to_all(world, client_for):
    from stations.views import HOME_TEAMS

    from ..factories import StationFactory

    for number in range(HOME_TEAMS):
        StationFactory(name=f"驻测试城市招商站{number:02d}", code=f"T{number:02d}")
    response = client_for("bureau").get(reverse("stations:home"))
    assert len(response.context["stations"]) == HOME_TEAMS
    assert response.context["station_count"] == HOME_TEAMS + 2
    assert reverse("stations:list") in response.content.decode()
