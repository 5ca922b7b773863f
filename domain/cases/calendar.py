"""Business hours: when a store or the back office works, and SLA time counted in them.

A :class:`BusinessCalendar` has opening intervals per weekday in local time (several per day
for a lunch break; ``24:00`` closes at midnight), optional closed days (holidays) and a time
zone: an IANA name, or ``""`` for the time zone of the machine StoreDesk runs on. All
instants in and out are timezone-aware; the arithmetic walks the calendar day by day in UTC,
so a day with a daylight-saving change counts its real length.

- :meth:`BusinessCalendar.add`: the instant ``duration`` of working time after ``start``
  (an SLA due time).
- :meth:`BusinessCalendar.between`: the working time in ``[start, end)`` (how long a case
  waited for the customer, to be added back to its due time).

``between(start, add(start, d)) == d`` holds for every start and every ``d >= 0``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
# No real calendar needs more than a year to find its next open minute; a calendar that
# does (closed every day it opens) is refused instead of looping for ever.
SEARCH_DAYS = 800

Interval = tuple[int, int]  # minutes after local midnight, [start, end), end <= 1440

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """Opening hours that cannot be read; the message says which part and why."""


def parse_day_hours(text: str) -> tuple[Interval, ...]:
    """``"09:00-13:00, 14:00-18:00"`` → ((540, 780), (840, 1080)); ``""`` means closed.

    Intervals must be in order and must not overlap; ``24:00`` is allowed as an end.
    """
    if not text.strip() or text.strip().lower() == "closed":
        return ()
    out: list[Interval] = []
    for part in text.split(","):
        match = _INTERVAL.match(part)
        if match is None:
            raise CalendarError(f'"{part.strip()}" is not a time range like 09:00-18:00')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        for h, mi in ((h1, m1), (h2, m2)):
            if mi > 59 or h > 24 or (h == 24 and mi):
                raise CalendarError(f'"{part.strip()}" has a time that does not exist')
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == DAY_MINUTES:
            raise CalendarError(f'"{part.strip()}" starts at 24:00; the day starts at 00:00')
        if end <= start:
            raise CalendarError(f'"{part.strip()}" ends before it starts')
        if out and start < out[-1][1]:
            raise CalendarError(f'"{part.strip()}" overlaps or comes before the range before it')
        out.append((start, end))
    return tuple(out)


def format_day_hours(intervals: tuple[Interval, ...]) -> str:
    return ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in intervals)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def load_zone(name: str) -> tzinfo | None:
    """The IANA zone ``name``, or None for "this machine's local time" (``""``)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f'"{name}" is not a time zone name such as Europe/Berlin') from None


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (Monday first), closed days, and the time zone."""

    name: str
    week: tuple[tuple[Interval, ...], ...]
    time_zone: str = ""
    closed: frozenset[date] = frozenset()
    label: str = ""
    _zone: tzinfo | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise CalendarError("a week has 7 days of opening hours")
        if not any(self.week):
            raise CalendarError(f"calendar {self.name} never opens")
        object.__setattr__(self, "_zone", load_zone(self.time_zone))

    @classmethod
    def from_hours(
        cls,
        name: str,
        hours: dict[str, str],
        *,
        time_zone: str = "",
        closed: frozenset[date] = frozenset(),
        label: str = "",
    ) -> BusinessCalendar:
        """From ``{"mon": "09:00-18:00", …}``; a weekday left out is closed."""
        unknown = set(hours) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"unknown weekday {sorted(unknown)[0]!r} (use mon … sun)")
        week = tuple(parse_day_hours(hours.get(day, "")) for day in WEEKDAYS)
        return cls(name, week, time_zone=time_zone, closed=closed, label=label or name)

    def hours(self) -> dict[str, str]:
        return {d: format_day_hours(iv) for d, iv in zip(WEEKDAYS, self.week, strict=True) if iv}

    @cached_property
    def weekly(self) -> timedelta:
        """Working time in a week without closed days."""
        return timedelta(minutes=sum(b - a for day in self.week for a, b in day))

    # -- local time ------------------------------------------------------------------------
    def local_date(self, instant: datetime) -> date:
        _aware(instant)
        return (instant.astimezone(self._zone) if self._zone else instant.astimezone()).date()

    def _instant(self, day: date, minute: int) -> datetime:
        naive = datetime.combine(day, time()) + timedelta(minutes=minute)
        local = naive.replace(tzinfo=self._zone) if self._zone else naive.astimezone()
        return local.astimezone(UTC)

    def open_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's opening intervals as UTC instants (none on a closed day)."""
        if day in self.closed:
            return
        for start, end in self.week[day.weekday()]:
            yield self._instant(day, start), self._instant(day, end)

    def is_open(self, instant: datetime) -> bool:
        day = self.local_date(instant)
        return any(a <= instant < b for a, b in self.open_intervals(day))

    # -- arithmetic ------------------------------------------------------------------------
    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant after ``duration`` of working time from ``start``.

        A zero duration gives ``start`` itself; otherwise the result lies in an opening
        interval (or at its end), never in closed time.
        """
        _aware(start)
        if duration < timedelta(0):
            raise ValueError("a duration of working time cannot be negative")
        if duration == timedelta(0):
            return start
        remaining = duration
        day = self.local_date(start) - timedelta(days=1)  # DST edges: look one day back
        for _ in range(SEARCH_DAYS + (duration // max(self.weekly, timedelta(minutes=1)) + 1) * 7):
            for begin, end in self.open_intervals(day):
                if end <= start:
                    continue
                begin = max(begin, start)
                span = end - begin
                if remaining <= span:
                    return begin + remaining
                remaining -= span
            day += timedelta(days=1)
        raise CalendarError(f"calendar {self.name} does not open again within {SEARCH_DAYS} days")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in ``[start, end)``; zero when ``end`` is not after ``start``."""
        _aware(start)
        _aware(end)
        total = timedelta(0)
        if end <= start:
            return total
        day = self.local_date(start) - timedelta(days=1)
        last = self.local_date(end) + timedelta(days=1)
        while day <= last:
            for begin, finish in self.open_intervals(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


def _aware(instant: datetime) -> None:
    if instant.tzinfo is None:
        raise ValueError("naive datetime given; SLA arithmetic needs aware instants")
