"""The page cache (stations.pagecache) and the data version under it (stations.dataversion).

PostgreSQL only, like the feature: on SQLite there is no data version and no page is kept. The
page tests are transactional: a page is kept only outside a transaction, and the version moves
only when a write commits, as on a server.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads import services as lead_services
from leads.models import Lead
from stations import dataversion, pagecache
from stations.models import Unit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the data version and the page cache exist on PostgreSQL only")

# A kept page costs the session, the user and the data version.
KEPT_QUERIES = 3


def made_afresh(captured) -> bool:
    """Whether the view ran: a query beyond the session, the user and the data version (and the
    session's once-a-minute save, which the middleware may add either way)."""
    own = ("django_session", "auth_user", "outpost_data_version")
    return any(not any(table in query["sql"] for table in own) and query["sql"] not in ("BEGIN", "COMMIT")
               for query in captured)


def count() -> int:
    """The number of committed writing transactions in the data version ("<table OID>:<count>")."""
    return int(dataversion.current().split(":")[1])


@pytest.mark.django_db
def test_every_table_is_counted():
    """A table without the triggers (one a migration added, say) would let its changes go unseen."""
    assert dataversion.uncounted_tables() == []


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_once_per_committed_transaction():
    start = count()
    with transaction.atomic():
        for number in range(3):
            Unit.objects.create(name=f"单位{number}")
    assert count() == start + 1

    with pytest.raises(RuntimeError), transaction.atomic():
        Unit.objects.create(name="回滚的单位")
        raise RuntimeError
    assert count() == start + 1

    Unit.objects.filter(name="单位1").update(short_name="一")  # a bulk update, no signal sent
    assert count() == start + 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE stations_unit SET short_name = 'x' WHERE name = '单位2'")
    assert count() == start + 3


@pytest.mark.django_db(transaction=True)
def test_folding_the_count_keeps_it_and_keeps_the_table_small():
    unit = Unit.objects.create(name="单位")
    start = count()
    for number in range(1200):  # at least two folds (every 500th row)
        Unit.objects.filter(pk=unit.pk).update(short_name=str(number))
    assert count() == start + 1200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM outpost_data_version")
        assert cursor.fetchone()[0] < 500


@pytest.mark.django_db(transaction=True)
def test_commits_do_not_queue_or_deadlock_on_the_count():
    """One transaction holds a group FOR UPDATE and commits while another, writing two rows that
    point to groups, commits: its deferred foreign-key checks run between the count's trigger
    events. A count kept in one locked row deadlocked here; rows added wait for no one."""
    import threading

    import psycopg2
    from django.contrib.auth.models import Group, User

    first, second = Group.objects.create(name="甲"), Group.objects.create(name="乙")
    user = User.objects.create(username="someone")
    settings_dict = connection.settings_dict
    dsn = {"dbname": settings_dict["NAME"], "user": settings_dict["USER"], "host": settings_dict["HOST"],
           "port": settings_dict["PORT"] or 5432, "password": settings_dict["PASSWORD"]}
    holder = psycopg2.connect(**dsn)
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM auth_group WHERE id = %s FOR UPDATE", [second.pk])
        cursor.execute("UPDATE auth_group SET name = '乙组' WHERE id = %s", [second.pk])
    outcome = {}

    def add_memberships():
        writer = psycopg2.connect(**dsn)
        try:
            with writer.cursor() as cursor:
                for group in (first, second):
                    cursor.execute("INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s)",
                                   [user.pk, group.pk])
            writer.commit()
            outcome["writer"] = "committed"
        except psycopg2.Error as error:
            outcome["writer"] = type(error).__name__
        finally:
            writer.close()

    thread = threading.Thread(target=add_memberships)
    start = count()
    thread.start()
    thread.join(1.0)  # the writer now waits for the holder's lock on 乙
    holder.commit()
    holder.close()
    thread.join(10)
    assert outcome == {"writer": "committed"}
    assert count() == start + 2
    assert user.groups.count() == 2


@pytest.mark.django_db
def test_without_the_count_table_pages_are_made_afresh():
    """New code may serve before `migrate` has made the table: no version, no error."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE outpost_data_version")
        assert dataversion.current() is None
        transaction.set_rollback(True)
    assert dataversion.current() is not None


@pytest.mark.django_db(transaction=True)
def test_session_writes_do_not_move_the_version(world, client_for):
    client = client_for("bureau")
    start = count()
    session = client.session
    session["anything"] = 1
    session.save()
    assert count() == start


def keep(client, url, **extra):
    """Ask twice: the first answer sets the CSRF cookie (no page is kept without one), the second
    is kept. Returns the second's content."""
    client.get(url, **extra)
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db(transaction=True)
def test_a_page_asked_again_is_served_as_kept(world, client_for, django_assert_num_queries):
    client = client_for("bureau")
    url = reverse("leads:list")
    kept = keep(client, url)
    with django_assert_num_queries(KEPT_QUERIES):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == kept
    assert again["Content-Type"].startswith("text/html")


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_shows_at_once(world, client_for):
    lead = lead_services.lead_file(user=world.users["chief_a"], station=world.station_a, title="电池项目",
                                   enterprise_name="示例新能源有限公司")
    client = client_for("chief_a")
    url = reverse("leads:detail", args=[lead.pk])
    assert "电池项目" in keep(client, url).decode()

    Lead.objects.filter(pk=lead.pk).update(title="储能项目")
    page = client.get(url).content.decode()
    assert "储能项目" in page
    assert "电池项目" not in page


@pytest.mark.django_db(transaction=True)
def test_kept_pages_are_each_users_own(world, client_for):
    lead = lead_services.lead_file(user=world.users["chief_a"], station=world.station_a, title="电池项目",
                                   enterprise_name="示例新能源有限公司")
    url = reverse("leads:detail", args=[lead.pk])
    keep(client_for("chief_a"), url)
    # Another team's chief asks for the same URL: still not found, never chief_a's copy.
    other = client_for("chief_b")
    other.get(url)
    assert other.get(url).status_code == 404

    # Another user on the same browser (the same CSRF cookie) gets their own home page.
    home = reverse("stations:home")
    first, second = client_for("chief_a"), client_for("staff_a")  # logging in is a write: both first
    first.get(home)
    second.cookies[settings.CSRF_COOKIE_NAME] = first.cookies[settings.CSRF_COOKIE_NAME].value
    keep(first, home)
    with CaptureQueriesContext(connection) as captured:
        page = second.get(home).content.decode()
    assert made_afresh(captured)
    assert "staff_a" in page


@pytest.mark.django_db(transaction=True)
def test_a_page_is_kept_per_language(world, client_for):
    client = client_for("bureau")
    url = reverse("stations:todo_list")
    assert "待办" in keep(client, url).decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "To-do" in english
    assert "待办" not in english


@pytest.mark.django_db(transaction=True)
def test_a_page_is_made_afresh_the_next_day(world, client_for):
    """Warnings and deadlines are by day: a page kept at 23:59 is not served at 00:01."""
    url = reverse("stations:warning_list")
    today = timezone.localdate()
    before_midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59)))
    with time_machine.travel(before_midnight, tick=False):
        client = client_for("bureau")  # logged in then, so that the session has not expired by 00:01
        keep(client, url)
    with time_machine.travel(before_midnight + datetime.timedelta(minutes=2), tick=False), \
            CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert made_afresh(captured)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_inside_a_transaction(world, client_for):
    """Inside a transaction its own writes are not yet counted, so a page could show them under
    a version that other requests would read without them."""
    client = client_for("bureau")
    url = reverse("leads:list")
    with transaction.atomic():
        client.get(url)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
    assert made_afresh(captured)
    assert not any("outpost_data_version" in query["sql"] for query in captured)


def message_cookie(text):
    """The `messages` cookie a redirect after a form would have set, holding `text`."""
    response = HttpResponse()
    CookieStorage(RequestFactory().get("/"))._store([Message(messages.SUCCESS, text)], response)
    return response.cookies["messages"].value


@pytest.mark.django_db(transaction=True)
def test_waiting_messages_show_once_and_are_not_kept(world, client_for):
    client = client_for("bureau")
    url = reverse("leads:list")
    keep(client, url)
    client.cookies["messages"] = message_cookie("线索已保存。")
    assert "线索已保存。" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as captured:
        assert "线索已保存。" not in client.get(url).content.decode()
    assert not made_afresh(captured)  # the copy kept before the message, served again


@pytest.mark.django_db(transaction=True)
def test_htmx_requests_are_made_afresh(world, client_for):
    client = client_for("bureau")
    url = reverse("leads:list")
    keep(client, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers={"HX-Request": "true"})
    assert made_afresh(captured)


@pytest.mark.django_db(transaction=True)
def test_the_cache_can_be_turned_off(world, client_for, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = client_for("bureau")
    url = reverse("leads:list")
    keep(client, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert made_afresh(captured)


@pytest.mark.parametrize("field", ['name="token"', 'name="entry-token"'])
def test_a_page_with_a_one_time_token_is_not_kept(rf, field):
    """Two tabs served one kept copy would share its token, and the second entry would be taken for
    a double submit of the first."""
    request = rf.get("/")
    page = HttpResponse(f'<form><input type="hidden" {field} value="5f0c"></form>', content_type="text/html")
    assert not pagecache._keepable(request, page)
    assert pagecache._keepable(request, HttpResponse("<form></form>", content_type="text/html"))


@pytest.mark.django_db(transaction=True)
def test_a_page_made_with_rights_just_taken_away_is_not_served_after(monkeypatch):
    """The user row is read before the data version: if the user loses rights between the two,
    the page made with the old rights must not be what they get afterwards."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from stations.models import Station

    User = get_user_model()
    user = User.objects.create_user("rev-admin", password="x-very-long-pass", is_staff=True, is_superuser=True)
    Station.objects.create(name="驻秘密招商站", code="SECRET1", kind="resident_station")
    client = Client()
    client.force_login(user)
    url = reverse("stations:list")
    client.get(url)  # sets the CSRF cookie

    real = dataversion.current
    raced = []

    def demoted_meanwhile(using="default"):
        # Another administrator demotes the user, committed between the user's load and this read.
        if not raced:
            raced.append(True)
            User.objects.filter(pk=user.pk).update(is_superuser=False, is_staff=False)
        return real(using)

    monkeypatch.setattr(pagecache.dataversion, "current", demoted_meanwhile)
    assert "驻秘密招商站" in client.get(url).content.decode()  # made with the rights it began with
    monkeypatch.setattr(pagecache.dataversion, "current", real)
    assert "驻秘密招商站" not in client.get(url).content.decode()
