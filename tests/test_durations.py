"""Durations typed by the user and written by tasktui: the accepted forms, the
limits, and that what tasktui writes reads back exactly, to the minute, so
that booked time adds up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasktui.doc import Document
from tasktui.doc import edits as E
from tasktui.doc.durations import ACCEPTED, MAX_ENTRY_HOURS, DurationError, format_hours, parse_duration, parse_hours


@pytest.mark.parametrize("text, minutes", [
    ("1m", 1), ("45m", 45), ("45 min", 45), ("90 minutes", 90), ("1.5h", 90), ("1h30m", 90), ("1 h 30 m", 90),
    ("2 hours", 120), ("1 hour 5 minutes", 65), ("2d", 16 * 60), ("1 day", 8 * 60), ("1w", 40 * 60),
    ("2 weeks", 80 * 60), ("3", 180), ("24", 24 * 60), ("0.5", 30), ("1,5h", 90), ("1000h", 60000),
])
def test_accepted_forms(text, minutes):
    assert parse_duration(text) * 60 == pytest.approx(minutes)
    assert round(parse_duration(text) * 60) == minutes


def test_a_day_is_the_configured_day():
    assert parse_duration("1d", day_hours=6) == 6
    assert parse_duration("1w", day_hours=6) == 30


@pytest.mark.parametrize("text, needle", [
    ("90", "90 hours? write 90h, or 90m for minutes"),
    ("25", "25 hours? write 25h, or 25m for minutes"),
    ("0.0001m", "at least one minute"),
    ("0.4m", "at least one minute"),
    ("0", "at least one minute"),
    ("1001h", "more than one entry can hold"),
    ("100000d", "more than one entry can hold"),
    ("1e20h", "is not a duration"),
    ("9" * 310 + "h", "is more than one entry can hold"),
    ("9" * 310, "is more than one entry can hold"),
    ("9" * 400 + "d", "is more than one entry can hold"),
    ("9" * 310 + ".5m", "is more than one entry can hold"),
    ("abc", "is not a duration"),
    ("-1h", "is not a duration"),
])
def test_refused_with_one_sentence_that_helps(text, needle):
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    message = str(err.value)
    assert needle in message and "\n" not in message
    if "hours?" not in message:
        assert ACCEPTED in message  # says what is accepted


def test_the_limit_is_per_entry():
    assert parse_duration(f"{MAX_ENTRY_HOURS}h") == MAX_ENTRY_HOURS


@pytest.mark.parametrize("minutes, written", [
    (1, "1 minute"), (3, "0.05 hours"), (7, "7 minutes"), (15, "0.25 hours"), (60, "1 hour"), (65, "1 hour 5 minutes"),
    (80, "1 hour 20 minutes"), (90, "1.5 hours"), (121, "2 hours 1 minute"), (6000, "100 hours"),
])
def test_written_forms(minutes, written):
    assert format_hours(minutes / 60) == written


@given(st.integers(min_value=1, max_value=MAX_ENTRY_HOURS * 60 * 3))
def test_what_is_written_reads_back_to_the_minute(minutes):
    written = format_hours(minutes / 60)
    assert round(parse_hours(written) * 60) == minutes
    assert round(parse_hours(format_hours(minutes / 60, minutes=True)) * 60) == minutes


@given(st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=8))
def test_bookings_add_up_exactly(bookings):
    """Booking time again and again onto one task: the file states their exact sum."""
    doc = Document(b"# T\n\n- [ ] task\n")
    for minutes in bookings:
        plan = E.plan(doc, E.AddTime(doc.keys[0], minutes / 60))
        doc = doc.patched(plan.patches)
    assert round(doc.tasks[0].actual_hours * 60) == sum(bookings)


def test_three_one_minute_bookings_are_three_minutes():
    doc = Document(b"# T\n\n- [ ] task\n")
    for _ in range(3):
        doc = doc.patched(E.plan(doc, E.AddTime(doc.keys[0], parse_duration("1m"))).patches)
    assert doc.source.data == b"# T\n\n- [ ] task\n  - **Actual Time**: 0.05 hours\n"


@pytest.mark.parametrize("text", ["9" * 310 + " hours", "1-" + "9" * 310 + " hours", "9" * 400 + "d", "2000000000h"])
def test_an_estimate_too_large_to_hold_is_not_set(text):
    """A number too big to be a float (it would be inf) or a billion hours in a file:
    no estimate, never inf or a crash in the sums."""
    assert parse_hours(text) is None


def test_the_command_line_refuses_a_310_digit_duration_in_one_line(capsys, tmp_path):
    from support import run

    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [ ] a\n")
    for command in ("time", "estimate"):
        code, out, err = run(capsys, command, path, "a", "9" * 310 + "h")
        assert code == 1 and out == "" and len(err.splitlines()) == 1
        assert "more than one entry can hold" in err and "Traceback" not in err
    assert path.read_bytes() == b"- [ ] a\n"
