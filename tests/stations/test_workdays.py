"""Working days follow China's holidays and adjusted working days, and the administrator's edits."""

import datetime

import pytest
from django.core.management import call_command

from stations.models import CalendarDay, CalendarDayKind
from stations.workdays import add_working_days, count_working_days, is_working_day, working_days

D = datetime.date


@pytest.fixture
def calendar_2026(db):
    call_command("load_holidays", year=2026, verbosity=0)


def test_national_day_week_is_not_working_and_the_adjusted_saturday_is(calendar_2026):
    assert not is_working_day(D(2026, 10, 1))  # Thursday, 国庆节
    assert not is_working_day(D(2026, 10, 7))
    assert is_working_day(D(2026, 10, 10))  # Saturday, 调休上班
    assert is_working_day(D(2026, 9, 20))  # Sunday, 调休上班
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"


def test_counting_across_a_holiday(calendar_2026):
    # 28 Sep – 11 Oct 2026: ten weekdays, five of them in the holiday, plus the adjusted Saturday.
    assert count_working_days(D(2026, 9, 28), D(2026, 10, 11)) == 10 - 5 + 1
    assert working_days(D(2026, 10, 11), D(2026, 10, 1)) == []


def test_plain_weeks_without_exceptions(db):
    assert count_working_days(D(2025, 6, 2), D(2025, 6, 8)) == 5  # no calendar rows: Mon–Fri


def test_the_administrators_correction_wins(calendar_2026):
    CalendarDay.objects.create(date=D(2026, 11, 23), kind=CalendarDayKind.HOLIDAY, name="地方假日")
    assert not is_working_day(D(2026, 11, 23))


def test_adding_working_days_skips_the_holiday(calendar_2026):
    # Due "within 3 working days" of Wednesday 30 Sep: Oct 1–7 are off, Oct 8 is the first working day.
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 9, 30), -1)


def test_loading_twice_adds_nothing_and_keeps_edits(calendar_2026):
    day = CalendarDay.objects.get(date=D(2026, 10, 1))
    day.name = "国庆节（已核对）"
    day.save()
    count = CalendarDay.objects.count()
    call_command("load_holidays", year=2026, verbosity=0)
    assert CalendarDay.objects.count() == count
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节（已核对）"
