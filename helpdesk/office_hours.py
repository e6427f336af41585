"""Weekly office hours as a value: which intervals of each weekday are open.

Pure functions, no Flask: the admin forms and the business-time engine both
rely on :func:`validate` so a calendar with overlapping or empty hours is never
stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

# weekday (0 = Monday) -> ((open, close), ...)
WeeklyHours = Mapping[int, tuple[tuple[time, time], ...]]

# A closing time of "24:00" (an office open until midnight, or around the
# clock) is stored as the last representable time of the day.
END_OF_DAY = time.max


def format_time(value: time) -> str:
    """ "HH:MM", with the end of the day written as "24:00"."""
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


def parse_time(text: str) -> time:
    """Read "HH:MM" (or "24:00" for the end of the day)."""
    text = text.strip()
    if text in ("24:00", "24:00:00"):
        return END_OF_DAY
    return time.fromisoformat(text)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction; the caller translates it."""
    return message


WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


class OfficeHoursError(ValueError):
    """The office hours are not usable.

    ``template`` is an English gettext message id and ``params`` its values, so a
    view can show it in the user's language; ``str()`` gives the English text.
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)


def standard_office_hours() -> dict[int, tuple[tuple[time, time], ...]]:
    """Monday to Friday, 9:00 to 16:00: the receiving hours of CATALOG.md."""
    return {day: ((time(9), time(16)),) for day in range(5)}


def validate(hours: WeeklyHours) -> dict[int, tuple[tuple[time, time], ...]]:
    """Check and normalise office hours, sorting each day's intervals.

    :raises OfficeHoursError: for a weekday outside 0-6, an interval whose end
        is not after its start, overlapping intervals, or no open time at all.
    """
    clean: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, intervals in hours.items():
        if day not in range(7):
            raise OfficeHoursError(N_("Invalid weekday: %(day)s."), day=day)
        ordered = tuple(sorted(intervals))
        name = WEEKDAY_NAMES[day]
        for start, end in ordered:
            if end <= start:
                raise OfficeHoursError(
                    N_("%(day)s: closing time (%(end)s) must be after opening time (%(start)s)."),
                    day=name,
                    end=format_time(end),
                    start=format_time(start),
                )
        for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
            if start < end:
                raise OfficeHoursError(N_("%(day)s: the opening hours overlap."), day=name)
        if ordered:
            clean[day] = ordered
    if not clean:
        raise OfficeHoursError(N_("The office hours must have at least one open day."))
    return dict(sorted(clean.items()))


def to_json(hours: WeeklyHours) -> dict[str, list[list[str]]]:
    """Serialise for a JSON column: {"0": [["09:00", "16:00"]], ...}."""
    return {
        str(day): [[format_time(start), format_time(end)] for start, end in intervals]
        for day, intervals in hours.items()
    }


def from_json(data: Mapping[str, list[list[str]]]) -> dict[int, tuple[tuple[time, time], ...]]:
    """Read what :func:`to_json` wrote, validating it again."""
    try:
        hours = {
            int(day): tuple((parse_time(a), parse_time(b)) for a, b in intervals)
            for day, intervals in data.items()
        }
    except (TypeError, ValueError) as exc:
        raise OfficeHoursError(N_("Unreadable office hours: %(error)s."), error=str(exc)) from None
    return validate(hours)


def describe(
    hours: WeeklyHours,
    day_names: tuple[str, ...] = WEEKDAY_NAMES,
    through: str = "–",
) -> str:
    """A short description, e.g. "Monday–Friday, 09:00–16:00" (names passed in translated)."""
    groups: list[tuple[list[int], str]] = []
    for day, intervals in sorted(hours.items()):
        text = ", ".join(f"{format_time(a)}–{format_time(b)}" for a, b in intervals)
        if groups and groups[-1][1] == text and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))
    parts = []
    for days, text in groups:
        if len(days) == 1:
            label = day_names[days[0]]
        else:
            label = f"{day_names[days[0]]}{through}{day_names[days[-1]]}"
        parts.append(f"{label}, {text}")
    return "; ".join(parts)
