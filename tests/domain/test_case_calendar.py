"""Business hours and working-time arithmetic, with properties over generated instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cases.calendar import BusinessCalendar, CalendarError, parse_day_hours
from domain.cases.sla import SlaClock, SlaState, sla_state

WEEKDAYS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-18:00")
OFFICE = BusinessCalendar.from_hours("office", WEEKDAYS, time_zone="UTC")
BERLIN = BusinessCalendar.from_hours(
    "store",
    {"mon": "09:00-13:00, 14:00-20:00", "tue": "09:00-20:00", "sat": "10:00-16:00"},
    time_zone="Europe/Berlin",
    closed=frozenset({date(2026, 12, 26)}),
)
NIGHT = BusinessCalendar.from_hours("night", {"fri": "22:00-24:00", "sat": "00:00-02:00"})
MON = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=hour, minutes=minute)


def test_reading_opening_hours() -> None:
    assert parse_day_hours("09:00-13:00, 14:00-18:00") == ((540, 780), (840, 1080))
    assert parse_day_hours("") == () == parse_day_hours("closed")
    assert parse_day_hours("00:00-24:00") == ((0, 1440),)
    for bad, why in (
        ("9-18", "not a time range"),
        ("18:00-09:00", "ends before it starts"),
        ("09:00-12:00, 11:00-13:00", "overlaps"),
        ("09:60-10:00", "does not exist"),
        ("24:00-24:00", "starts at 24:00"),
    ):
        with pytest.raises(CalendarError, match=why):
            parse_day_hours(bad)
    with pytest.raises(CalendarError, match="never opens"):
        BusinessCalendar.from_hours("x", {})
    with pytest.raises(CalendarError, match="unknown weekday"):
        BusinessCalendar.from_hours("x", {"monday": "09:00-10:00"})
    with pytest.raises(CalendarError, match="time zone"):
        BusinessCalendar.from_hours("x", WEEKDAYS, time_zone="Mars/Olympus")


def test_adding_working_time_skips_nights_and_weekends() -> None:
    assert OFFICE.add(at(0, 10), timedelta(hours=4)) == at(0, 14)
    assert OFFICE.add(at(0, 16), timedelta(hours=4)) == at(1, 11)  # 2 h today, 2 h tomorrow
    assert OFFICE.add(at(0, 6), timedelta(hours=1)) == at(0, 10)  # starts at opening
    assert OFFICE.add(at(4, 17), timedelta(hours=2)) == at(7, 10)  # Friday → Monday
    assert OFFICE.add(at(5, 12), timedelta(minutes=30)) == at(7, 9, 30)  # from Saturday
    assert OFFICE.add(at(0, 18), timedelta(hours=9)) == at(1, 18)  # exactly one day
    assert OFFICE.add(at(5, 12), timedelta(0)) == at(5, 12)  # nothing to add
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add(at(0, 10), timedelta(hours=-1))
    with pytest.raises(ValueError, match="naive"):
        OFFICE.add(datetime(2026, 11, 23, 10), timedelta(hours=1))


def test_working_time_between() -> None:
    assert OFFICE.between(at(0, 10), at(0, 12)) == timedelta(hours=2)
    assert OFFICE.between(at(4, 17), at(7, 10)) == timedelta(hours=2)
    assert OFFICE.between(at(5, 0), at(6, 23)) == timedelta(0)  # a weekend
    assert OFFICE.between(at(1, 0), at(0, 0)) == timedelta(0)  # backwards
    assert OFFICE.between(at(0, 0), at(7, 0)) == timedelta(hours=45)


def test_lunch_breaks_closed_days_and_daylight_saving() -> None:
    berlin_mon = datetime(2026, 12, 21, 8, tzinfo=UTC)  # 09:00 in Berlin (winter, UTC+1)
    assert BERLIN.add(berlin_mon, timedelta(hours=5)) == datetime(2026, 12, 21, 14, tzinfo=UTC)
    # Saturday 26 December is closed: Friday evening → the next Monday.
    friday = datetime(2026, 12, 25, 18, tzinfo=UTC)
    assert BERLIN.add(friday, timedelta(hours=1)) == datetime(2026, 12, 28, 9, tzinfo=UTC)
    # 28 March 2027 (Sunday) Berlin goes to summer time: Monday opens at 07:00 UTC.
    saturday = datetime(2027, 3, 27, 14, tzinfo=UTC)  # 15:00 local, 1 h before closing
    assert BERLIN.add(saturday, timedelta(hours=2)) == datetime(2027, 3, 29, 8, tzinfo=UTC)
    # Open across midnight, on two weekdays.
    friday_night = datetime(2026, 11, 27, 23).astimezone()
    assert NIGHT.add(friday_night, timedelta(hours=2)) == friday_night + timedelta(hours=2)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=60 * 200).map(lambda m: timedelta(minutes=m))
calendars = st.sampled_from([OFFICE, BERLIN, NIGHT])


@settings(max_examples=300, deadline=None)
@given(calendars, instants, durations)
def test_between_undoes_add(cal: BusinessCalendar, start: datetime, duration: timedelta) -> None:
    due = cal.add(start, duration)
    assert due >= start
    assert cal.between(start, due) == duration
    if duration:
        # The due time is inside opening hours or at the end of an interval.
        assert cal.is_open(due) or cal.is_open(due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(calendars, instants, durations, durations)
def test_add_is_monotonic_and_composes(
    cal: BusinessCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    first = cal.add(start, a)
    assert cal.add(start, a + b) >= first
    assert cal.add(first, b) == cal.add(start, a + b)


@settings(max_examples=200, deadline=None)
@given(calendars, instants, instants, instants)
def test_between_is_additive(cal: BusinessCalendar, x: datetime, y: datetime, z: datetime) -> None:
    a, b, c = sorted((x, y, z))
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)


# -- the SLA clock ---------------------------------------------------------------------------


def test_waiting_for_the_customer_moves_the_due_times() -> None:
    clock = SlaClock(at(0, 9), first_response=timedelta(hours=2), resolution=timedelta(hours=8))
    due = clock.due(OFFICE)
    assert (due.response_due, due.resolution_due, due.due) == (at(0, 11), at(0, 17), at(0, 11))
    assert due.warn_at == at(0, 9)  # warns 2 hours before
    clock = clock.respond(at(0, 10))
    assert clock.due(OFFICE).due == at(0, 17)  # answered: the resolution is what is due
    paused = clock.pause(at(0, 12))
    assert paused.due(OFFICE).due is None  # nothing is due while the customer is waited for
    resumed = paused.resume(at(1, 12), OFFICE)  # waited 6 + 3 = 9 working hours
    assert resumed.paused == timedelta(hours=9)
    assert resumed.due(OFFICE).resolution_due == at(1, 17)
    stopped = resumed.stop(at(1, 13), OFFICE)
    assert stopped.due(OFFICE).due is None and stopped.stopped_at == at(1, 13)
    restarted = stopped.restart(at(2, 9))
    assert restarted.due(OFFICE).due == at(2, 17) and restarted.paused == timedelta(0)


def test_sla_state_is_worked_out_when_asked() -> None:
    due, warn = at(0, 17), at(0, 15)
    assert sla_state(at(0, 10), due=due, warn_at=warn, paused=False, stopped=False) is SlaState.OK
    assert sla_state(at(0, 16), due=due, warn_at=warn, paused=False, stopped=False) is SlaState.NEAR
    state = sla_state(at(0, 17), due=due, warn_at=warn, paused=False, stopped=False)
    assert state is SlaState.BREACHED
    assert sla_state(
        at(0, 18), due=None, warn_at=None, paused=True, stopped=False
    ).label.startswith("paused")
    assert (
        sla_state(at(0, 18), due=due, warn_at=warn, paused=False, stopped=True) is SlaState.STOPPED
    )
