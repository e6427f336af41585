"""Office hours as a value: validation, JSON round trip, description."""

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk import office_hours
from helpdesk.office_hours import OfficeHoursError


def test_standard_hours_are_monday_to_friday_nine_to_four():
    hours = office_hours.standard_office_hours()
    assert sorted(hours) == [0, 1, 2, 3, 4]
    assert hours[0] == ((time(9), time(16)),)
    assert office_hours.describe(hours) == "Monday–Friday, 09:00–16:00"


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ({0: ((time(16), time(9)),)}, "closing time"),
        ({0: ((time(9), time(9)),)}, "closing time"),
        ({0: ((time(9), time(13)), (time(12), time(16)))}, "overlap"),
        ({}, "at least one open day"),
        ({0: ()}, "at least one open day"),
        ({7: ((time(9), time(16)),)}, "Invalid weekday"),
    ],
)
def test_unusable_hours_are_refused_with_a_reason(hours, fragment):
    with pytest.raises(OfficeHoursError, match=fragment):
        office_hours.validate(hours)


def test_touching_intervals_are_allowed_and_sorted():
    hours = office_hours.validate({2: ((time(13), time(16)), (time(9), time(13)))})
    assert hours == {2: ((time(9), time(13)), (time(13), time(16)))}


def test_description_groups_consecutive_days():
    hours = {**office_hours.standard_office_hours(), 5: ((time(9), time(13)),)}
    assert office_hours.describe(hours) == "Monday–Friday, 09:00–16:00; Saturday, 09:00–13:00"


def test_unreadable_json_is_refused():
    with pytest.raises(OfficeHoursError):
        office_hours.from_json({"0": [["nine", "four"]]})


minutes = st.integers(min_value=0, max_value=23 * 60 + 58)


@st.composite
def day_hours(draw):
    start = draw(minutes)
    end = draw(st.integers(min_value=start + 1, max_value=23 * 60 + 59))
    return ((time(start // 60, start % 60), time(end // 60, end % 60)),)


@given(st.dictionaries(st.integers(min_value=0, max_value=6), day_hours(), min_size=1))
def test_json_round_trip_keeps_valid_hours(hours):
    clean = office_hours.validate(hours)
    assert office_hours.from_json(office_hours.to_json(clean)) == clean
