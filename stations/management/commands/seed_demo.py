"""Build the Xiangzhou demo district (seed 000) on the Xiangzhou preset. Idempotent.

Ten resident stations formed by thirteen units, each with a chief from a forming unit's
leadership and one or two staff; a login for every chief and staff member and for every role.
Writes go through the same services as the site, as the `admin` user.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from stations import demo, services, warnings
from stations.models import (
    Person,
    Posting,
    PostingRole,
    Profile,
    Station,
    StationKind,
    Unit,
    UnitKind,
)
from stations.permissions import Role

DEFAULT_PASSWORD = "outpost-demo-2026"
DEMO_PROFILE = "xiangzhou-local"

UNITS = [
    # (name, short name, kind)
    ("襄州区发展和改革局", "区发改局", UnitKind.DEPARTMENT),
    ("襄州区商务局（招商局）", "区招商局", UnitKind.BUREAU),
    ("襄州区经济和信息化局", "区经信局", UnitKind.DEPARTMENT),
    ("襄州区财政局", "区财政局", UnitKind.DEPARTMENT),
    ("襄州区科学技术局", "区科技局", UnitKind.DEPARTMENT),
    ("襄州区人力资源和社会保障局", "区人社局", UnitKind.DEPARTMENT),
    ("襄州区国土资源局", "区国土局", UnitKind.DEPARTMENT),
    ("襄州区工商行政管理局", "区工商局", UnitKind.DEPARTMENT),
    ("襄州区农村工作办公室", "区农办", UnitKind.DEPARTMENT),
    ("襄州区民政局", "区民政局", UnitKind.DEPARTMENT),
    ("襄州区城市建设局", "区城建局", UnitKind.DEPARTMENT),
    ("襄州区国家税务局", "区国税局", UnitKind.DEPARTMENT),
    ("襄州区地方税务局", "区地税局", UnitKind.DEPARTMENT),
    # Units of the other roles (not forming units).
    ("中共襄州区委组织部", "区委组织部", UnitKind.DEPARTMENT),
    ("襄州区审计局", "区审计局", UnitKind.DEPARTMENT),
    ("襄州区考核办公室", "区考核办", UnitKind.OTHER),
    ("襄州经济开发区管委会", "襄州经开区", UnitKind.PARK),
    ("襄州区人民政府", "区政府", UnitKind.OTHER),
]

# (code, name, home city, radiates to, region, forming units, chief, staff)
# People: (name, rank, staff category, education, birth date)
STATIONS = [
    ("KS", "驻昆山招商站", "昆山", [], "长三角", ["区发改局"],
     ("王建国", "副局长", "civil_servant", "bachelor", "1975-04-12"),
     [("刘晓燕", "四级主任科员", "civil_servant", "bachelor", "1988-09-03")]),
    ("SH", "驻上海招商站", "上海", [], "长三角", ["区招商局"],
     ("陈志强", "副局长", "civil_servant", "master", "1978-11-20"),
     [("赵敏", "一级科员", "civil_servant", "master", "1992-02-14"),
      ("孙浩然", "四级主任科员", "managed", "bachelor", "1986-06-30")]),
    ("WX", "驻无锡招商站", "无锡", [], "长三角", ["区经信局"],
     ("李春生", "党组成员、副局长", "civil_servant", "bachelor", "1973-01-08"),
     [("周婷", "二级主任科员", "civil_servant", "bachelor", "1985-12-01")]),
    ("FZ", "驻福州招商站", "福州", ["厦门"], "海西", ["区财政局", "区科技局"],
     ("张卫东", "副局长", "civil_servant", "bachelor", "1976-07-19"),
     [("吴丽华", "一级科员", "institution", "college", "1990-03-22"),
      ("郑凯", "四级主任科员", "civil_servant", "bachelor", "1987-10-05")]),
    ("SZ", "驻苏州招商站", "苏州", [], "长三角", ["区人社局"],
     ("黄国平", "副局长", "civil_servant", "bachelor", "1974-05-27"),
     [("何静", "三级主任科员", "civil_servant", "bachelor", "1984-08-16")]),
    ("NB", "驻宁波招商站", "宁波", [], "长三角", ["区国土局"],
     ("马俊", "党组成员", "civil_servant", "master", "1979-09-09"),
     [("高雪梅", "一级科员", "institution", "bachelor", "1991-11-11")]),
    ("HZ", "驻杭州招商站", "杭州", ["温州"], "长三角", ["区工商局", "区农办"],
     ("林海涛", "副主任", "civil_servant", "bachelor", "1977-02-02"),
     [("罗佳", "四级主任科员", "civil_servant", "master", "1989-04-18"),
      ("梁文博", "一级科员", "managed", "bachelor", "1993-07-07")]),
    ("BJ", "驻北京招商站", "北京", ["天津"], "京津冀", ["区民政局"],
     ("宋立新", "副局长", "civil_servant", "bachelor", "1972-12-12"),
     [("唐欣", "二级主任科员", "civil_servant", "master", "1986-01-25")]),
    ("FS", "驻佛山招商站", "佛山", [], "珠三角", ["区城建局"],
     ("韩志刚", "副局长", "civil_servant", "college", "1975-10-30"),
     [("曹雨", "一级科员", "institution", "bachelor", "1994-05-05")]),
    ("GZ", "驻广州招商站", "广州", ["深圳"], "珠三角", ["区国税局", "区地税局"],
     ("许振华", "副局长", "civil_servant", "master", "1976-03-15"),
     [("邓芳", "四级主任科员", "civil_servant", "bachelor", "1988-12-20"),
      ("冯宇航", "一级科员", "civil_servant", "bachelor", "1992-09-28")]),
]

# Role logins: (username, display name, role group, home unit short name, also superuser)
ROLE_USERS = [
    ("admin", "系统管理员", None, "区招商局", True),
    ("bureau", "杨振宇", Role.BUREAU, "区招商局", False),
    ("assessor", "彭书琴", Role.ASSESSMENT, "区考核办", False),
    ("finance", "蒋红", Role.FINANCE, "区财政局", False),
    ("leader", "袁明德", Role.LEADERSHIP, "区政府", False),
    ("park", "潘亮", Role.PARK, "襄州经开区", False),
    ("audit", "石秀英", Role.AUDIT, "区审计局", False),
    ("homeunit", "田野", Role.HOME_UNIT, "区发改局", False),
    ("orgdept", "范文静", Role.ORG_DEPARTMENT, "区委组织部", False),
    ("thirdparty", "钟诚", Role.ASSESSOR, None, False),
]

# The bureau itself runs the Shanghai station: its chief is bureau staff too (DESIGN §3).
BUREAU_CHIEF_STATION = "SH"


class Command(BaseCommand):
    help = "Create the Xiangzhou demo district with logins for every role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo login.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on production).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has teams.")

    def handle(self, *args, password, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates known logins; it refuses to run with DEBUG off unless given --force.")
        if if_empty and Station.objects.exists():
            self.stdout.write("The database already has teams; demo data not loaded.")
            return
        with transaction.atomic():
            self.seed(password)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo login uses the password: {password}"))

    def seed(self, password):
        call_command("load_holidays", verbosity=0)
        services.presets_install()
        units = {}
        for name, short_name, kind in UNITS:
            units[short_name], _created = Unit.objects.get_or_create(
                name=name, defaults={"short_name": short_name, "kind": kind}
            )
        admin = None
        for username, display, role, unit, superuser in ROLE_USERS:
            user = self.user(username, password, role=role, superuser=superuser)
            self.person(user=user, name=display, home_unit=units.get(unit))
            admin = admin or user
        if not Profile.objects.active().exists():
            self.local_rules(admin)
        today = timezone.localdate()
        opened = datetime.date(today.year - 1, 3, 1)
        for code, name, city, radiates, region, forming, chief, staff in STATIONS:
            station = Station.objects.filter(code=code).first() or services.station_create(
                user=admin,
                code=code,
                name=name,
                kind=StationKind.RESIDENT_STATION,
                home_city=city,
                radiates_to=radiates,
                region=region,
                opened_on=opened,
                forming_units=[units[short] for short in forming],
            )
            members = [(PostingRole.CHIEF, chief, "chief")] + [
                (PostingRole.STAFF, person, f"staff{number}") for number, person in enumerate(staff, start=1)
            ]
            # Two-year terms; Kunshan's people were posted earlier and their terms end soon, so
            # the bureau's to-do list shows term reminders.
            term_end = today + datetime.timedelta(days=40) if code == "KS" else datetime.date(opened.year + 2, 2, 28)
            for index, (role, (person_name, rank, category, education, birth), suffix) in enumerate(members):
                home_unit = units[forming[index % len(forming)]]
                extra_role = Role.BUREAU if (code == BUREAU_CHIEF_STATION and role == PostingRole.CHIEF) else None
                user = self.user(f"{code.lower()}-{suffix}", password, role=extra_role)
                person = self.person(
                    user=user,
                    name=person_name,
                    home_unit=home_unit,
                    rank=rank,
                    staff_category=category,
                    education=education,
                    birth_date=datetime.date.fromisoformat(birth),
                    is_leadership_member=role == PostingRole.CHIEF,
                    phone=f"139{station.pk:04d}{index:04d}",
                )
                if not Posting.objects.current().filter(person=person, station=station).exists():
                    services.posting_create(
                        user=admin,
                        station=station,
                        person=person,
                        role=role,
                        home_unit=home_unit,
                        start_date=opened,
                        term_end=term_end,
                        certificate_no=f"襄招聘〔{opened.year}〕{station.pk:02d}{index:02d}号",
                        certificate_date=opened - datetime.timedelta(days=7),
                    )
        services.todo_refresh_all_term_endings()
        demo.seed(admin=admin)
        for extension in services.DEMO_EXTENSIONS:
            extension(admin=admin)
        warnings.send_reminders()

    def local_rules(self, admin):
        """The demo runs on the bureau's own copy of the Xiangzhou preset, as a real bureau would:
        the seed sets no presence or leave rules, so the copy adds Shanting-style ones (20 days at
        post a month, 240 a year, 5 days of leave a month, events with 10 invited enterprises
        count as large). Other apps add theirs (the leads demo: a weekly visit target)."""
        copy = Profile.objects.filter(code=DEMO_PROFILE).first() or services.profile_copy(
            profile=Profile.objects.get(code="xiangzhou"), user=admin, code=DEMO_PROFILE,
            name="襄州区驻外招商工作站（本地细则）")
        version = copy.versions.order_by("-year").first()
        version.on_post_days_month, version.on_post_days_year = 20, 240
        version.leave_days_month, version.large_event_min_invited = 5, 10
        version.notes = "在襄州区方案基础上，参照山亭区办法增加在岗天数、轮休天数和大型活动的本地细则。"
        services.save_validated(version, user=admin, reason="seed_demo")
        services.profile_activate(profile=copy, user=admin)

    def user(self, username, password, *, role=None, superuser=False):
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(username=username)
        user.is_superuser = user.is_staff = superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    def person(self, *, user, name, home_unit, **fields):
        person, _created = Person.objects.update_or_create(
            user=user, defaults={"name": name, "home_unit": home_unit, **fields}
        )
        return person
