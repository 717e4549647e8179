"""Seed the holiday calendar from the `chinese-calendar` package; existing rows are kept."""

from django.core.management.base import BaseCommand
from simple_history.utils import bulk_create_with_history

from stations.models import CalendarDay, CalendarDayKind

NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class Command(BaseCommand):
    help = "Load China's holidays and adjusted working days from chinese-calendar (keeps edited rows)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Only this year.")

    def handle(self, *args, year, **options):
        import chinese_calendar

        existing = set(CalendarDay.objects.values_list("date", flat=True))
        rows = []
        for source, kind in ((chinese_calendar.holidays, CalendarDayKind.HOLIDAY),
                             (chinese_calendar.workdays, CalendarDayKind.WORKDAY)):
            for day, name in source.items():
                if (year is None or day.year == year) and day not in existing:
                    rows.append(CalendarDay(date=day, kind=kind, name=NAMES.get(str(name), str(name))))
                    existing.add(day)
        bulk_create_with_history(rows, CalendarDay, default_change_reason="load_holidays")
        self.stdout.write(f"{len(rows)} calendar days added.")
