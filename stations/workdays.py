"""Working days: weekdays, less official holidays, plus adjusted working days (`CalendarDay`).

Every function reads the exceptions of its date range in one query, so counting the working
days of a year costs the same as counting those of a week.
"""

import contextlib
import contextvars
import datetime

from .models import CalendarDay, CalendarDayKind

ONE_DAY = datetime.timedelta(days=1)

# A range of the calendar read once for many computations (see `preloaded`).
_PRELOADED = contextvars.ContextVar("preloaded_calendar", default=None)


@contextlib.contextmanager
def preloaded(start: datetime.date, end: datetime.date):
    """Read the calendar from `start` to `end` once; the functions here use it inside the block
    (many due dates for one query)."""
    token = _PRELOADED.set((start, end, _read(start, end)))
    try:
        yield
    finally:
        _PRELOADED.reset(token)


def _read(start, end) -> dict:
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def _exceptions(start: datetime.date, end: datetime.date) -> dict:
    loaded = _PRELOADED.get()
    if loaded and loaded[0] <= start and end <= loaded[1]:
        return {day: kind for day, kind in loaded[2].items() if start <= day <= end}
    return _read(start, end)


def _is_working(day: datetime.date, exceptions: dict) -> bool:
    kind = exceptions.get(day)
    if kind == CalendarDayKind.HOLIDAY:
        return False
    if kind == CalendarDayKind.WORKDAY:
        return True
    return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _is_working(day, _exceptions(day, day))


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The working days from `start` to `end`, both included (empty if end < start)."""
    if end < start:
        return []
    exceptions = _exceptions(start, end)
    days, day = [], start
    while day <= end:
        if _is_working(day, exceptions):
            days.append(day)
        day += ONE_DAY
    return days


def count_working_days(start: datetime.date, end: datetime.date) -> int:
    return len(working_days(start, end))


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `start` (a due date "within N working days")."""
    if count < 0:
        raise ValueError("count must not be negative")
    # Long holidays last at most about nine days: a window of twice the count plus a month is ample.
    window_end = start + datetime.timedelta(days=count * 2 + 31)
    exceptions = _exceptions(start, window_end)
    day, found = start, 0
    while found < count:
        day += ONE_DAY
        if day > window_end:
            window_end += datetime.timedelta(days=62)
            exceptions.update(_exceptions(day, window_end))
        if _is_working(day, exceptions):
            found += 1
    return day
