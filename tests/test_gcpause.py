"""gcpause.paused(): the collector is off inside, back as it was after, across nesting and threads."""

from __future__ import annotations

import gc
import threading

import pytest

from support import poll
from tasktui.core import gcpause

pytestmark = pytest.mark.xdist_group("timing")  # timing-sensitive: run apart from each other, in one worker


@pytest.fixture(autouse=True)
def no_other_pause():
    """An app test's loading thread may still be in a pause: wait for it to end."""
    poll(lambda: not gcpause.active(), 10, "another test's pause to end")
    assert gc.isenabled()


def test_paused_turns_the_collector_off_and_back_on():
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the outer pause is still on"
    assert gc.isenabled()


def test_an_error_inside_still_turns_it_back_on():
    with pytest.raises(ValueError):
        with gcpause.paused():
            raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with gcpause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_two_threads_end_with_the_last_one():
    inside, release = threading.Event(), threading.Event()

    def other():
        with gcpause.paused():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    assert inside.wait(5)
    with gcpause.paused():
        pass
    assert not gc.isenabled(), "the other thread's pause has not ended"
    assert gcpause.active()
    release.set()
    t.join(5)
    assert gc.isenabled() and not gcpause.active()
