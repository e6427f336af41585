"""The pure SLA clock: readings from hand-built step lists on Mexico's calendar.

Every expected moment is worked out by hand from the office hours (Monday to
Friday 9:00-16:00, America/Mexico_City, UTC-6 all year since 2023) and written
as a literal, never obtained from the function under test.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from helpdesk.business_time import Calendar
from helpdesk.catalog import BusinessDuration
from helpdesk.office_hours import standard_office_hours
from helpdesk.sla import AT_RISK
from helpdesk.sla import BREACHED
from helpdesk.sla import MET
from helpdesk.sla import MISSED
from helpdesk.sla import ON_TIME
from helpdesk.sla import PAUSED
from helpdesk.sla import ClockReading
from helpdesk.sla import Step
from helpdesk.sla import budget_of
from helpdesk.sla import read_clock
from helpdesk.workflow.definition import ClockKind

MEXICO_CITY = ZoneInfo("America/Mexico_City")
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
COUNTING = ClockKind.COUNTING
WAITING_REQUESTER = ClockKind.WAITING_REQUESTER
WAITING_EXTERNAL = ClockKind.WAITING_EXTERNAL
CLOSED = ClockKind.CLOSED

CALENDAR = Calendar.build(
    "America/Mexico_City",
    standard_office_hours(),
    closed_days=holidays.Mexico(years=[2026, 2027]),
)
EIGHT_HOURS = BusinessDuration(amount=8, unit="hours")
ONE_DAY = BusinessDuration(amount=1, unit="days")


def mx(*args: int) -> datetime:
    return datetime(*args, tzinfo=MEXICO_CITY)


# March 2026: Monday 9, Tuesday 10, Wednesday 11; Saturday 7, Sunday 8.
MON = date(2026, 3, 9)


def mon(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return mx(2026, 3, 9, hour, minute, second)


def tue(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return mx(2026, 3, 10, hour, minute, second)


def wed(hour: int, minute: int = 0) -> datetime:
    return mx(2026, 3, 11, hour, minute)


def filed(at: datetime, clock: ClockKind = COUNTING) -> list[Step]:
    return [Step(at=at, clock=clock)]


# -- budgets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "budget"),
    [
        pytest.param(mon(9), EIGHT_HOURS, 8 * H, id="hours-are-hours"),
        pytest.param(mon(9), ONE_DAY, 7 * H, id="a-standard-day"),
        pytest.param(mon(10), ONE_DAY, 7 * H, id="a-day-from-mid-morning"),
        pytest.param(mx(2026, 11, 13, 10), ONE_DAY, 7 * H, id="over-revolution-day"),
        pytest.param(mon(11), BusinessDuration(amount=3, unit="days"), 21 * H, id="three-days"),
    ],
)
def test_budget_of(start: datetime, duration: BusinessDuration, budget: timedelta) -> None:
    assert budget_of(CALENDAR, start, duration) == budget


def test_a_day_budget_follows_the_target_days_hours():
    # Thursday 9-16, Friday 9-13: Thursday 15:00 + 1 day is Friday 13:00 (clamped),
    # one hour on Thursday and four on Friday.
    short_friday = Calendar.build(
        "America/Mexico_City",
        {**dict.fromkeys(range(4), ((time(9), time(16)),)), 4: ((time(9), time(13)),)},
    )
    assert budget_of(short_friday, mx(2026, 3, 5, 15), ONE_DAY) == 5 * H


# -- where the clock starts ---------------------------------------------------


def test_a_ticket_filed_on_saturday_counts_from_monday_at_opening():
    received = mx(2026, 3, 7, 10)  # Saturday
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, received, filed(received), mon(12))
    # Monday 9:00 + 8 h: seven on Monday, one on Tuesday; 75 % (6 h) on Monday 15:00.
    assert reading == ClockReading(
        target="resolve",
        budget=8 * H,
        used=3 * H,
        used_before_resume=0 * H,
        resumed_at=mon(9),
        due_at=tue(10),
        risk_at=mon(15),
        met_at=None,
        status=ON_TIME,
    )
    assert reading.left == 5 * H
    assert reading.fraction_used == 3 / 8


def test_nothing_is_used_before_the_office_opens():
    received = mx(2026, 3, 7, 10)
    reading = read_clock(
        CALENDAR, "resolve", EIGHT_HOURS, received, filed(received), mx(2026, 3, 8, 18)
    )
    assert reading.used == timedelta(0)
    assert reading.due_at == tue(10)
    assert reading.status == ON_TIME


def test_a_ticket_filed_before_a_long_weekend():
    received = mx(2026, 11, 13, 15, 30)  # Friday; Monday 16 November is a rest day
    one_hour = BusinessDuration(amount=1)
    now = mx(2026, 11, 16, 12)
    reading = read_clock(CALENDAR, "respond", one_hour, received, filed(received), now)
    assert reading.due_at == mx(2026, 11, 17, 9, 30)
    assert reading.used == 30 * MINUTE
    assert reading.status == ON_TIME


def test_a_naive_received_at_is_read_as_utc():
    # SQLite hands back naive UTC datetimes; 15:00 UTC is 9:00 in Mexico City.
    received = datetime(2026, 3, 9, 15)
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, received, filed(mon(9)), mon(10))
    assert reading.resumed_at == mon(9)
    assert reading.due_at == tue(10)


# -- one business day ---------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(mon(10, 17), tue(10, 17), id="monday-mid-morning"),
        pytest.param(mx(2026, 3, 6, 15, 30), mon(15, 30), id="friday-to-monday"),
        pytest.param(mx(2026, 11, 13, 10), mx(2026, 11, 17, 10), id="over-revolution-day"),
        pytest.param(mx(2026, 12, 31, 11), mx(2027, 1, 4, 11), id="over-new-year"),
        pytest.param(mx(2026, 12, 24, 12), mx(2026, 12, 28, 12), id="over-christmas"),
        pytest.param(mx(2026, 9, 15, 14), mx(2026, 9, 17, 14), id="over-september-16"),
        # Received at (or moved to) an opening: due at the next day's opening,
        # not at the first day's closing time.
        pytest.param(mon(9), tue(9), id="at-opening"),
        pytest.param(mx(2026, 3, 7, 10), tue(9), id="filed-on-saturday"),
        pytest.param(mon(16, 30), wed(9), id="filed-after-closing"),
    ],
)
def test_one_business_day_is_the_same_time_on_the_next_working_day(
    received: datetime, due: datetime
) -> None:
    reading = read_clock(
        CALENDAR, "resolve", ONE_DAY, received, filed(received), received + timedelta(minutes=5)
    )
    assert reading.budget == 7 * H
    assert reading.due_at == due


def test_an_unused_day_is_not_breached_overnight():
    # Received Monday 9:00 with one business day: at 17:00 all seven office hours
    # of Monday are used, but the target is Tuesday 9:00.
    reading = read_clock(CALENDAR, "resolve", ONE_DAY, mon(9), filed(mon(9)), mon(17))
    assert reading.used == 7 * H
    assert reading.due_at == tue(9)
    assert reading.status == AT_RISK


def test_a_counting_transition_does_not_move_a_business_day_target():
    # Received Monday 9:00, assigned (still counting) at 10:00: never paused, so
    # the target is still the same time on the next working day.
    steps = [Step(mon(9), COUNTING), Step(mon(10), COUNTING)]
    reading = read_clock(CALENDAR, "resolve", ONE_DAY, mon(9), steps, mon(17))
    assert reading.due_at == tue(9)
    assert reading.status == AT_RISK


def test_a_business_day_target_crossed_between_steps_keeps_its_due_moment():
    steps = [Step(mon(9), COUNTING), Step(tue(10), COUNTING)]
    reading = read_clock(CALENDAR, "resolve", ONE_DAY, mon(9), steps, tue(11))
    assert reading.due_at == tue(9)
    assert reading.status == BREACHED


# -- pauses -------------------------------------------------------------------


@pytest.mark.parametrize("waiting", [WAITING_REQUESTER, WAITING_EXTERNAL], ids=lambda k: k.value)
def test_a_wait_moves_the_due_moment_by_exactly_the_paused_business_time(
    waiting: ClockKind,
) -> None:
    # Never paused, 8 h from Monday 9:00 is due Tuesday 10:00. Paused from
    # Monday 11:00 to 14:00 (three office hours): due Tuesday 13:00.
    steps = [Step(mon(9), COUNTING), Step(mon(11), waiting), Step(mon(14), COUNTING)]
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, mon(15))
    # 2 h before the wait; the 6 h risk mark is 4 h after 14:00: Tuesday 11:00.
    assert reading == ClockReading(
        target="resolve",
        budget=8 * H,
        used=3 * H,
        used_before_resume=2 * H,
        resumed_at=mon(14),
        due_at=tue(13),
        risk_at=tue(11),
        met_at=None,
        status=ON_TIME,
    )


def test_a_wait_over_the_night_only_counts_office_time():
    # Paused Monday 11:00 to Tuesday 10:00: five hours of Monday and one of
    # Tuesday; the due moment moves six office hours, from Tuesday 10:00 to 16:00.
    steps = [
        Step(mon(9), COUNTING),
        Step(mon(11), WAITING_REQUESTER),
        Step(tue(10), COUNTING),
    ]
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, tue(13))
    assert reading.due_at == tue(16)
    assert reading.risk_at == tue(14)
    assert reading.used == 5 * H
    assert reading.status == ON_TIME
    later = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, tue(14))
    assert later.status == AT_RISK


def test_a_clock_waiting_on_someone_is_paused():
    steps = [Step(mon(9), COUNTING), Step(mon(11), WAITING_EXTERNAL)]
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, wed(15))
    assert reading == ClockReading(
        target="resolve",
        budget=8 * H,
        used=2 * H,
        used_before_resume=2 * H,
        resumed_at=None,
        due_at=None,
        risk_at=None,
        met_at=None,
        status=PAUSED,
    )


def test_a_ticket_filed_into_a_wait_is_paused_from_the_start():
    reading = read_clock(
        CALENDAR, "resolve", EIGHT_HOURS, mon(9), filed(mon(9), WAITING_REQUESTER), tue(9)
    )
    assert reading.status == PAUSED
    assert reading.used == timedelta(0)


def test_two_waits_add_up():
    # Paused 10-11 (1 h) and 13-15 (2 h): 8 h from 9:00 becomes 11 h: Tuesday 13:00.
    steps = [
        Step(mon(9), COUNTING),
        Step(mon(10), WAITING_REQUESTER),
        Step(mon(11), COUNTING),
        Step(mon(13), WAITING_EXTERNAL),
        Step(mon(15), COUNTING),
    ]
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, mon(15, 30))
    assert reading.used_before_resume == 3 * H
    assert reading.used == 3 * H + 30 * MINUTE
    assert reading.due_at == tue(13)
    assert reading.risk_at == tue(11)


def test_a_breach_before_a_wait_keeps_its_due_moment():
    # 2 h from Monday 9:00 is due 11:00; paused 14:00 to Tuesday 9:00 afterwards.
    steps = [
        Step(mon(9), COUNTING),
        Step(mon(14), WAITING_REQUESTER),
        Step(tue(9), COUNTING),
    ]
    reading = read_clock(CALENDAR, "resolve", BusinessDuration(amount=2), mon(9), steps, tue(10))
    assert reading.due_at == mon(11)
    assert reading.risk_at == mon(10, 30)
    assert reading.used == 6 * H
    assert reading.status == BREACHED


# -- statuses -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "used", "status"),
    [
        pytest.param(mon(8), 0 * H, ON_TIME, id="before-opening"),
        pytest.param(mon(14, 59), 5 * H + 59 * MINUTE, ON_TIME, id="just-before-risk"),
        pytest.param(mon(15), 6 * H, AT_RISK, id="at-75-percent"),
        pytest.param(mon(18), 7 * H, AT_RISK, id="overnight"),
        pytest.param(tue(10), 8 * H, AT_RISK, id="at-the-due-moment"),
        pytest.param(tue(10, 0, 1), 8 * H + timedelta(seconds=1), BREACHED, id="past-due"),
        pytest.param(wed(12), 17 * H, BREACHED, id="a-day-late"),
    ],
)
def test_status_follows_the_time_used(now: datetime, used: timedelta, status: str) -> None:
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), filed(mon(9)), now)
    assert reading.due_at == tue(10)
    assert reading.risk_at == mon(15)
    assert reading.used == used
    assert reading.status == status


def test_the_risk_ratio_is_a_parameter():
    # Half of 8 h is reached at Monday 13:00.
    def at(now: datetime) -> ClockReading:
        return read_clock(
            CALENDAR, "resolve", EIGHT_HOURS, mon(9), filed(mon(9)), now, risk_ratio=0.5
        )

    assert at(mon(12, 59)).status == ON_TIME
    assert at(mon(13)).status == AT_RISK
    assert at(mon(13)).risk_at == mon(13)
    assert at(mon(13)).due_at == tue(10)


def test_a_target_met_in_time():
    steps = [Step(mon(9), COUNTING), Step(mon(12), COUNTING, ends_respond=True)]
    reading = read_clock(CALENDAR, "respond", BusinessDuration(amount=4), mon(9), steps, wed(9))
    # 4 h from 9:00 is due 13:00; 75 % (3 h) at 12:00, the very moment it was met.
    assert reading == ClockReading(
        target="respond",
        budget=4 * H,
        used=3 * H,
        used_before_resume=3 * H,
        resumed_at=None,
        due_at=mon(13),
        risk_at=mon(12),
        met_at=mon(12),
        status=MET,
    )


def test_a_target_met_exactly_at_the_due_moment_is_met():
    steps = [Step(mon(9), COUNTING), Step(mon(11), COUNTING, ends_respond=True)]
    reading = read_clock(CALENDAR, "respond", BusinessDuration(amount=2), mon(9), steps, wed(9))
    assert reading.met_at == mon(11)
    assert reading.due_at == mon(11)
    assert reading.status == MET


def test_a_target_met_late_is_missed():
    steps = [Step(mon(9), COUNTING), Step(mon(15), COUNTING, ends_respond=True)]
    reading = read_clock(CALENDAR, "respond", BusinessDuration(amount=2), mon(9), steps, wed(9))
    assert reading == ClockReading(
        target="respond",
        budget=2 * H,
        used=6 * H,
        used_before_resume=6 * H,
        resumed_at=None,
        due_at=mon(11),
        risk_at=mon(10, 30),
        met_at=mon(15),
        status=MISSED,
    )


def test_each_target_is_ended_by_its_own_steps():
    steps = [
        Step(mon(9), COUNTING),
        Step(mon(10), COUNTING, ends_respond=True),
        Step(mon(11), WAITING_REQUESTER),
        Step(mon(13), COUNTING),
        Step(tue(9), CLOSED, ends_resolve=True),
    ]
    respond = read_clock(CALENDAR, "respond", BusinessDuration(amount=2), mon(9), steps, wed(9))
    assert respond.met_at == mon(10)
    assert respond.used == H
    assert respond.status == MET
    resolve = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, wed(9))
    # Counting 9-11 and 13-16: five hours; closed Tuesday 9:00.
    assert resolve.met_at == tue(9)
    assert resolve.used == 5 * H
    # 8 h with a 2 h pause: Tuesday 12:00.
    assert resolve.due_at == tue(12)
    assert resolve.status == MET


def test_a_target_ended_while_waiting_uses_only_the_counting_time():
    steps = [
        Step(mon(9), COUNTING),
        Step(mon(10), WAITING_REQUESTER),
        Step(wed(9), CLOSED, ends_resolve=True),
    ]
    reading = read_clock(CALENDAR, "resolve", BusinessDuration(amount=2), mon(9), steps, wed(10))
    assert reading.used == H
    assert reading.met_at == wed(9)
    assert reading.status == MET


# -- recomputing never drifts -------------------------------------------------


STEPS_WITH_A_WAIT = [
    Step(mon(9), COUNTING),
    Step(mon(11), WAITING_REQUESTER),
    Step(mon(14), COUNTING),
]


@pytest.mark.parametrize(
    ("now", "status"),
    [
        pytest.param(mon(14), ON_TIME, id="at-resume"),
        pytest.param(mon(15, 30), ON_TIME, id="same-afternoon"),
        pytest.param(tue(11), AT_RISK, id="at-risk"),
        pytest.param(tue(13), AT_RISK, id="at-due"),
        pytest.param(wed(9), BREACHED, id="next-day"),
        pytest.param(mx(2026, 4, 20, 12), BREACHED, id="weeks-later"),
    ],
)
def test_readings_at_different_moments_agree_on_the_due_moment(now: datetime, status: str) -> None:
    reading = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), STEPS_WITH_A_WAIT, now)
    assert reading.due_at == tue(13)
    assert reading.risk_at == tue(11)
    assert reading.resumed_at == mon(14)
    assert reading.used_before_resume == 2 * H
    assert reading.status == status


def test_a_counting_transition_does_not_move_an_hours_target():
    before = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), filed(mon(9)), mon(9, 30))
    steps = [Step(mon(9), COUNTING), Step(mon(10), COUNTING), Step(mon(12), COUNTING)]
    after = read_clock(CALENDAR, "resolve", EIGHT_HOURS, mon(9), steps, mon(13))
    assert before.due_at == after.due_at == tue(10)
    assert before.risk_at == after.risk_at == mon(15)
    assert after.used == 4 * H
    assert after.resumed_at == mon(12)
    assert after.used_before_resume == 3 * H


TWO_HOURS = BusinessDuration(amount=2, unit="hours")


def test_a_wait_that_starts_exactly_at_the_due_moment_does_not_move_it():
    steps = [Step(mon(9), COUNTING), Step(mon(11), WAITING_REQUESTER), Step(tue(9), COUNTING)]
    reading = read_clock(CALENDAR, "resolve", TWO_HOURS, mon(9), steps, tue(10))
    assert reading.due_at == mon(11)
    assert reading.status == BREACHED
    assert reading.used == 3 * H


def test_overdue_before_a_wait_stays_overdue_while_waiting():
    steps = [Step(mon(9), COUNTING), Step(mon(14), WAITING_REQUESTER)]
    reading = read_clock(CALENDAR, "resolve", TWO_HOURS, mon(9), steps, mon(15))
    assert reading.status == BREACHED
    assert reading.due_at == mon(11)
    assert reading.used == 5 * H


def test_met_keeps_the_real_moment_of_the_answer():
    saturday = mx(2026, 3, 7, 10)
    steps = [Step(saturday, COUNTING), Step(mx(2026, 3, 7, 11), COUNTING, ends_respond=True)]
    reading = read_clock(CALENDAR, "respond", TWO_HOURS, saturday, steps, mon(12))
    assert reading.met_at == mx(2026, 3, 7, 11)
    assert reading.status == MET
    assert reading.used == timedelta(0)
    assert reading.due_at == mon(11)
