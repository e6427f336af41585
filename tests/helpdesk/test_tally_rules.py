"""What one ticket adds to the daily tally, the step and the worked-time counts
(pure rules, no Flask)."""

from collections import Counter
from datetime import date
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from helpdesk.models.tallies import COUNTERS
from helpdesk.tally_rules import Facts
from helpdesk.tally_rules import bucket
from helpdesk.tally_rules import bucket_start
from helpdesk.tally_rules import contribution
from helpdesk.tally_rules import decode
from helpdesk.tally_rules import decode_steps
from helpdesk.tally_rules import decode_worked
from helpdesk.tally_rules import difference
from helpdesk.tally_rules import encode
from helpdesk.tally_rules import encode_keys
from helpdesk.tally_rules import step_key
from helpdesk.tally_rules import step_names
from helpdesk.tally_rules import stepped
from helpdesk.tally_rules import takes
from helpdesk.tally_rules import worked

MON, WED = date(2026, 10, 5), date(2026, 10, 7)
P09 = "GCH-CCS-P09"


def facts(**changes):
    return Facts(
        **{
            "service_code": P09,
            "unit_id": 4,
            "department_id": 2,
            "assignee_id": None,
            "received_day": MON,
            **changes,
        }
    )


def test_an_open_ticket_counts_its_receipt_only():
    assert contribution(facts()) == {(MON, P09, 4, 2, 0): Counter(received=1)}


def test_a_concluded_ticket_counts_its_closing_day_with_clocks_and_survey():
    found = contribution(
        facts(
            closed_day=WED,
            outcome="concluded",
            clocks=(("respond", False), ("resolve", True)),
            survey=(True, "regular"),
        )
    )
    assert found == {
        (MON, P09, 4, 2, 0): Counter(received=1),
        (WED, P09, 4, 2, 0): Counter(
            settled=1,
            concluded=1,
            sla_total=1,  # one clock overrun: the ticket missed its SLA
            respond_total=1,
            respond_met=1,
            resolve_total=1,
            surveys_sent=1,
            surveys_answered=1,
            regular=1,
        ),
    }


def test_met_when_no_clock_is_overrun_and_unanswered_surveys_are_only_sent():
    found = contribution(
        facts(
            closed_day=MON,
            outcome="concluded",
            clocks=(("resolve", False),),
            survey=(False, None),
        )
    )
    assert found == {
        (MON, P09, 4, 2, 0): Counter(
            received=1,
            settled=1,
            concluded=1,
            sla_total=1,
            sla_met=1,
            resolve_total=1,
            resolve_met=1,
            surveys_sent=1,
        )
    }


def test_rejected_and_withdrawn_count_no_sla_nor_survey():
    for outcome in ("rejected", "withdrawn"):
        found = contribution(
            facts(closed_day=WED, outcome=outcome, clocks=(("resolve", True),), survey=(True, "x"))
        )
        assert found[(WED, P09, 4, 2, 0)] == Counter({"settled": 1, outcome: 1})


def test_a_ticket_closed_before_the_day_it_is_received_settles_on_that_day():
    # Filed on Saturday, received on Monday, refused on Sunday: it was never in
    # progress before Monday, so it leaves the count on Monday.
    sunday = MON - timedelta(days=1)
    found = contribution(facts(closed_day=sunday, outcome="rejected"))
    assert found == {
        (MON, P09, 4, 2, 0): Counter(received=1, settled=1),
        (sunday, P09, 4, 2, 0): Counter(rejected=1),
    }


def test_difference_moves_a_ticket_between_departments():
    before = contribution(facts())
    after = contribution(facts(department_id=3))
    assert difference(before, after) == {
        (MON, P09, 4, 2, 0): {"received": -1},
        (MON, P09, 4, 3, 0): {"received": 1},
    }
    assert difference(after, after) == {}


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
all_facts = st.builds(
    Facts,
    service_code=st.sampled_from(("GCH-CCS-P09", "CAU", "PSDT-05")),
    unit_id=st.none() | st.integers(1, 50),
    department_id=st.none() | st.integers(1, 9),
    assignee_id=st.none() | st.integers(1, 99),
    received_day=days,
    closed_day=st.none() | days,
    outcome=st.none() | st.sampled_from(("concluded", "rejected", "withdrawn")),
    clocks=st.lists(
        st.tuples(st.sampled_from(("respond", "resolve")), st.booleans()),
        max_size=2,
        unique_by=lambda clock: clock[0],
    ).map(tuple),
    survey=st.none() | st.tuples(st.booleans(), st.sampled_from(("satisfied", "regular", None))),
)


@given(all_facts)
def test_stored_and_read_back_unchanged(found):
    assert decode(encode(contribution(found))) == contribution(found)


@given(all_facts, all_facts)
def test_applying_the_difference_turns_one_contribution_into_the_other(old, new):
    rows = {key: Counter(value) for key, value in contribution(old).items()}
    for key, delta in difference(contribution(old), contribution(new)).items():
        rows.setdefault(key, Counter()).update(delta)
    kept = {key: +counters for key, counters in rows.items() if +counters}
    assert kept == contribution(new)


@given(all_facts)
def test_every_ticket_is_received_once_and_settled_at_most_once(found):
    total = Counter()
    for counters in contribution(found).values():
        total.update(counters)
        assert set(counters) <= set(COUNTERS)
    assert total["received"] == 1
    assert total["settled"] == (found.closed_day is not None and found.outcome is not None)
    assert total["sla_met"] <= total["sla_total"] <= total["concluded"] <= 1
    assert total["surveys_answered"] <= total["surveys_sent"] <= total["concluded"]


# -- step counts ------------------------------------------------------------------------

RETURNS = step_key(("reject",), ("needs_completion",))


def test_a_measure_key_reads_back_as_its_steps_and_states():
    assert RETURNS == "reject/needs_completion"
    assert step_names(RETURNS) == ({"reject"}, {"needs_completion"})
    assert step_names(step_key((), ("unresolved",))) == (set(), {"unresolved"})
    assert step_key(("b", "a", "a"), ()) == "a,b/"


def test_a_ticket_returned_twice_in_a_month_counts_once_in_each_period():
    events = (
        ("file", None, "received", MON),
        ("request_completion", "received", "needs_completion", MON),
        ("resubmit", "needs_completion", "received", WED),
        ("request_completion", "received", "needs_completion", WED),
    )
    found = stepped(facts(events=events), [RETURNS])
    assert found == {
        (RETURNS, "2026-10", P09, 4, 2),
        (RETURNS, "2026-Q4", P09, 4, 2),
        (RETURNS, "2026", P09, 4, 2),
    }


def test_a_ticket_returned_in_two_months_counts_in_both_and_once_in_the_quarter():
    events = (
        ("request_completion", "received", "needs_completion", date(2026, 10, 30)),
        ("reject", "received", "rejected", date(2026, 11, 2)),
    )
    periods_found = sorted(key[1] for key in stepped(facts(events=events), [RETURNS]))
    assert periods_found == ["2026", "2026-10", "2026-11", "2026-Q4"]


def test_staying_in_a_state_is_not_entering_it():
    events = (("edit", "needs_completion", "needs_completion", MON),)
    assert stepped(facts(events=events), [RETURNS]) == set()
    assert stepped(facts(events=events), []) == set()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(("file", "reject", "request_completion", "resubmit", "edit")),
            st.sampled_from((None, "received", "needs_completion")),
            st.sampled_from(("received", "needs_completion", "rejected")),
            st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        ),
        max_size=8,
    )
)
def test_each_period_a_ticket_counts_in_holds_one_of_its_matching_events(events):
    found = stepped(facts(events=tuple(events)), [RETURNS])
    matching = [event for event in events if takes(RETURNS, event)]
    assert {key[1] for key in found if len(key[1]) == 4} == {str(e[3].year) for e in matching}
    assert {key[1] for key in found if "-Q" not in key[1] and len(key[1]) == 7} == {
        f"{e[3].year}-{e[3].month:02d}" for e in matching
    }
    assert decode_steps(encode_keys(found)) == found


# -- worked-time counts ------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**9))
def test_a_time_worked_falls_inside_its_bucket(seconds):
    where = bucket(seconds)
    assert bucket_start(where) <= seconds < bucket_start(where + 1)


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=10**8))
def test_buckets_keep_the_order_of_the_times_worked(one, other):
    # The quantile seeks its rank from a bucket's start: a longer time never
    # falls in an earlier bucket.
    if one <= other:
        assert bucket(one) <= bucket(other)


def test_buckets_widen_with_the_time_worked():
    assert [bucket(s) for s in (0, 9, 10, 39, 40, 89, 90)] == [0, 0, 1, 1, 2, 2, 3]
    # About 40 minutes wide at 40 hours: a few hundred buckets cover any year.
    assert bucket_start(bucket(40 * 3600) + 1) - bucket_start(bucket(40 * 3600)) < 2500
    assert bucket(-5) == 0


def test_a_concluded_ticket_counts_its_worked_time_in_its_closing_periods():
    found = worked(facts(closed_day=date(2026, 12, 31), outcome="concluded", work_seconds=3600))
    # Its service, unit 4 and department 2, in each period of its closing.
    assert found == {
        ("2026-12", P09, 4, 2, bucket(3600)),
        ("2026-Q4", P09, 4, 2, bucket(3600)),
        ("2026", P09, 4, 2, bucket(3600)),
    }
    unassigned = worked(facts(closed_day=WED, outcome="concluded", work_seconds=0, unit_id=None))
    assert ("2026-10", P09, 0, 2, 0) in unassigned
    assert decode_worked(encode_keys(found)) == found


def test_only_concluded_tickets_with_a_worked_time_count_it():
    closed = {"closed_day": WED, "work_seconds": 60}
    assert worked(facts(**closed, outcome="rejected")) == set()
    assert worked(facts(closed_day=WED, outcome="concluded")) == set()
    assert worked(facts(outcome="concluded", work_seconds=60)) == set()
    assert worked(facts(**closed, outcome="concluded")) != set()
