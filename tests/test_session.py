"""The Session: the app's rules, tested without Textual (no run_test). Real files,
real writes; time comes from an injected clock."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace

import pytest

from support import open_session
from support import SAMPLES_DIR
from tasktui.storage import config, store
from tasktui.storage import timer as timer_mod
from tasktui.doc import edits
from tasktui.doc.model import Document
from tasktui.doc.ready import Readiness
from tasktui.core.outline import Outline
from tasktui.core.session import Booking, Session, changed_tasks

TEXT = b"# Plan\n\n## Phase 1\n\n- [ ] alpha\n- [ ] beta\n- [x] gamma\n\n## Phase 2\n\n- [ ] delta\n"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    s = Session(path, config.Config(), clock=Clock())
    snap = store.read(path)
    s.loaded(s.open_file(snap, Document(snap.data), {}))
    return s


def task(s: Session, text: str):
    return next(t for t in s.doc.tasks if t.text == text)


def key(s: Session, text: str):
    return s.key(task(s, text))


def test_marks_are_written_while_loading_and_other_edits_wait_for_the_whole_file(tmp_path):
    """While a big file loads, a mark on a task shown is written at once on the bytes
    read (through TasksFile.apply, on a TasksFile of the top of the file); an edit
    that needs the whole file waits on the edit thread until the loader hands it
    over, and is then planned on the whole file, its task named by its line."""
    path = tmp_path / "tasks.md"
    whole = TEXT + b"\n## Phase 3\n\n- [ ] alpha\n"  # a second alpha, below what is shown
    path.write_bytes(whole)
    s = Session(path, config.Config())
    assert s.why_not_editable() is None  # while loading, an edit waits for the file (or is written early)
    read = store.read(path)
    top = Document(whole[:whole.index(b"- [x] gamma")])  # the top of the file, shown while the rest loads
    s.loading(top, read)
    assert s.early_file.partial and s.shown is top
    result = s.run(edits.Toggle(top.keys[0]))
    marked = whole.replace(b"- [ ] alpha\n- [ ] beta", b"- [x] alpha\n- [ ] beta")
    assert result.changed and path.read_bytes() == marked
    assert s.early_file.doc.tasks[0].state == "done" and s.tasks_file is None
    # text edits need the whole file: this one waits on its thread, and its key (alpha is
    # unique at the top, not in the whole file) names the task on alpha's line
    told = threading.Event()
    results: list = []
    thread = threading.Thread(target=lambda: results.append(s.run(s.text_op(top.tasks[1], "beta!"), told.set)))
    thread.start()
    assert told.wait(5) and thread.is_alive() and path.read_bytes() == marked
    loaded = s.open_file(replace(store.read(path), data=whole), Document(whole), {})  # read before the mark
    s.handover(loaded)
    thread.join(5)
    assert not thread.is_alive() and results[0].changed
    assert path.read_bytes() == marked.replace(b"- [ ] beta", b"- [ ] beta!")
    assert s.integrate() == [] and s.tasks_file is loaded and len(loaded.undo_stack) == 2
    s.edited(s.run(edits.Toggle(top.keys[0])))  # a key made on the top, planned on the whole file
    assert path.read_bytes() == marked.replace(b"- [ ] beta", b"- [ ] beta!").replace(b"- [x] alpha\n- [ ] beta",
                                                                                   b"- [ ] alpha\n- [ ] beta")
    for _ in range(3):
        s.undo()
    assert path.read_bytes() == whole


def test_an_edit_waiting_for_a_file_never_read_ends_with_a_sentence(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    s = Session(path, config.Config())
    s.handover(None, "tasks.md was closed before it was read; nothing was written.")
    with pytest.raises(store.StoreError, match="closed before it was read"):
        s.run(edits.AddTask("later"))
    assert path.read_bytes() == TEXT


def test_nothing_is_editable_read_only(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    s = Session(path, config.Config(), read_only=True)
    assert "read-only" in s.why_not_editable().text
    snap = store.read(path)
    s.loaded(s.open_file(snap, Document(snap.data), {}))
    notice = s.why_not_editable()
    assert notice.severity == "warning" and "read-only (read-only mode)" in notice.text


def test_an_edit_is_written_and_said(session):
    result = session.apply(edits.Toggle(key(session, "alpha")))
    assert session.path.read_bytes() == TEXT.replace(b"- [ ] alpha", b"- [x] alpha")
    assert [n.text for n in session.edited(result, quiet=True)] == []
    assert [n.text for n in session.edited(result)] == ["L5 alpha: [ ] -> [x]"]


def test_another_programs_overwrite_of_our_edit_is_reported(session):
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))), quiet=True)
    before = session.doc
    session.path.write_bytes(TEXT.replace(b"delta", b"delta!"))  # from the old text: our [x] is gone
    change = session.took(session.take(), before)
    assert change.changed and not change.gone
    assert [(n.title, n.severity) for n in change.notices] == [("Change lost", "error")]
    assert "L5 alpha" in change.notices[0].text
    assert change.flash == {task(session, "alpha").index, task(session, "delta!").index}
    # said once: the next outside change does not repeat it
    before = session.doc
    session.path.write_bytes(TEXT.replace(b"delta", b"delta!!"))
    assert session.took(session.take(), before).notices == ()


def test_an_undone_edit_is_not_reported_as_lost(session):
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))), quiet=True)
    session.edited(session.undo())
    assert session.path.read_bytes() == TEXT
    before = session.doc
    session.path.write_bytes(TEXT.replace(b"delta", b"delta!"))
    change = session.took(session.take(), before)
    assert change.changed and [n for n in change.notices if n.title == "Change lost"] == []


def test_a_redone_edit_is_watched_again(session):
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))), quiet=True)
    session.edited(session.undo())
    session.edited(session.redo())
    assert session.path.read_bytes() == TEXT.replace(b"- [ ] alpha", b"- [x] alpha")
    before = session.doc
    session.path.write_bytes(TEXT)  # someone puts the old file back
    change = session.took(session.take(), before)
    assert [n.title for n in change.notices] == ["Change lost"]


def lost(change) -> list[str]:
    return [n.text for n in change.notices if n.title == "Change lost"]


def take(s: Session) -> list[str]:
    """The session reads the file again (as the watcher makes it): the 'Change lost' sentences."""
    return lost(s.took(s.take(), s.doc))


def test_our_edits_and_the_command_lines_in_turn_are_no_alarm(session, capsys):
    """The app toggles alpha, `tasktui toggle` another task, the app alpha again, the
    command line another: every version was built on the one before; nothing is lost."""
    from support import run

    path = session.path
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))), quiet=True)
    assert run(capsys, "toggle", path, "beta")[0] == 0
    assert take(session) == []
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))), quiet=True)
    assert run(capsys, "toggle", path, "delta")[0] == 0
    assert take(session) == []
    assert path.read_bytes() == TEXT.replace(b"[ ] beta", b"[x] beta").replace(b"[ ] delta", b"[x] delta")


def test_two_apps_editing_in_turn_are_no_alarm(session):
    other = open_session(session.path)
    for mine, theirs in (("alpha", "beta"), ("delta", "gamma"), ("alpha", "beta")):
        session.edited(session.apply(edits.Toggle(key(session, mine))))
        assert take(other) == []
        other.edited(other.apply(edits.Toggle(key(other, theirs))))
        assert take(session) == []
    other.edited(other.apply(edits.SetState(key(other, "alpha"), "in_progress")))  # a new value: theirs, no loss
    assert take(session) == []


def test_undo_after_an_outside_edit_is_no_alarm(session):
    path = session.path
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))))
    path.write_bytes(path.read_bytes().replace(b"delta", b"delta!"))  # built on ours: [x] alpha stays
    assert take(session) == []
    session.edited(session.undo())
    assert path.read_bytes() == TEXT.replace(b"delta", b"delta!")
    path.write_bytes(path.read_bytes().replace(b"beta", b"beta!"))
    assert take(session) == []
    session.edited(session.redo())
    assert take(session) == []


def test_a_just_written_mark_overwritten_is_said_once(session):
    path = session.path
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))))
    session.edited(session.apply(edits.Toggle(key(session, "delta"))))
    path.write_bytes(TEXT.replace(b"- [ ] delta", b"- [x] delta").replace(b"beta", b"beta (env + file)"))
    assert take(session) == ["Another program overwrote your change: L5 alpha: [ ] -> [x]"]
    path.write_bytes(TEXT.replace(b"beta", b"beta (env + file)"))  # now delta too, and never alpha again
    assert take(session) == ["Another program overwrote your change: L11 delta: [ ] -> [x]"]
    path.write_bytes(TEXT)
    assert take(session) == []


def test_an_overwrite_taken_in_by_our_next_write_is_said_with_it(session):
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))))
    session.path.write_bytes(TEXT.replace(b"delta", b"delta!"))  # from a copy older than our [x]
    result = session.apply(edits.Toggle(key(session, "beta")))  # before the watcher's event
    assert result.replanned and [n.title for n in session.edited(result, quiet=True)][0] == "Change lost"
    assert take(session) == []


def test_an_overwrite_of_a_renamed_task_is_found_by_its_line(session):
    """Another program writes every task again from an old copy (new texts, the old
    marks): our mark is found on its line, and its loss is said."""
    session.edited(session.apply(edits.Toggle(key(session, "beta"))))
    session.path.write_bytes(TEXT.replace(b"alpha", b"alpha v2").replace(b"beta", b"beta v2"))
    assert take(session) == ["Another program overwrote your change: L6 beta: [ ] -> [x]"]


def test_their_own_change_of_our_task_is_no_loss(session):
    path = session.path
    session.edited(session.apply(edits.Toggle(key(session, "alpha"))))
    session.edited(session.apply(edits.EditText(key(session, "beta"), "beta renamed")))
    session.edited(session.apply(edits.DeleteTask(key(session, "delta"))))
    data = path.read_bytes()
    path.write_bytes(data.replace(b"[x] alpha", b"[-] alpha").replace(b"beta renamed", b"beta renamed again"))
    assert take(session) == []
    path.write_bytes(path.read_bytes().replace(b"- [-] alpha\n", b""))
    assert take(session) == []


def test_a_deleted_task_put_back_from_an_old_copy_is_a_loss(session):
    session.edited(session.apply(edits.DeleteTask(key(session, "beta"))))
    session.edited(session.apply(edits.AddTask("epsilon", after=key(session, "delta"))))
    session.path.write_bytes(TEXT.replace(b"- [ ] delta\n", b"- [ ] delta\n- [ ] epsilon\n"))
    assert take(session) == ["Another program overwrote your change: deleted L6 beta"]
    session.path.write_bytes(TEXT)
    assert take(session) == ["Another program overwrote your change: added L11 epsilon"]


def test_gone_back_and_read_only(session):
    path = session.path
    path.unlink()
    change = session.took(session.take(), session.doc)
    assert change.gone and "gone from disk" in change.notices[0].text
    assert session.why_not_editable() is not None
    assert session.took(session.take(), session.doc).notices == ()  # said once
    path.write_bytes(TEXT)
    change = session.took(session.take(), session.doc)
    assert [n.text for n in change.notices] == ["tasks.md is back."] and session.why_not_editable() is None
    if os.geteuid() != 0:  # root may write anything: the mode says nothing then
        path.chmod(0o444)
        change = session.took(session.take(), session.doc)
        assert "became read-only" in change.notices[0].text


def test_focus_after_an_added_task(session):
    result = session.apply(edits.AddTask("epsilon", after=key(session, "beta")))
    assert session.focus_after(result).text == "epsilon"


def test_navigation_goes_to_the_tasks_that_can_start_and_follows_the_filter(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# Plan\n\n## Phase 1\n\n- [ ] alpha\n- [ ] T002 [P] beta\n- [x] gamma\n- [ ] T004 [P] delta\n- [ ] omega\n")
    s = open_session(path)
    ready = Readiness(s.doc, s.tasks_file.rollup)
    outline = Outline(s.doc, s.tasks_file.rollup)
    assert s.first_task(ready).text == "alpha"
    assert s.next_ready(ready, 0, 1).text == "T002 [P] beta"
    assert s.next_ready(ready, 1, 1).text == "T004 [P] delta"  # gamma is done
    assert s.next_ready(ready, 0, 1, outline.matcher("DEL")).text == "T004 [P] delta"
    assert s.next_ready(ready, 0, 1, outline.matcher("-beta state:open")).text == "T004 [P] delta"
    assert s.next_ready(ready, 0, 1, outline.matcher("gamma")) is None  # done: nothing to start
    assert s.next_ready(ready, 3, -1).text == "T002 [P] beta"
    assert s.next_ready(ready, 3, 1) is None, "omega waits for alpha"


def test_the_cursor_starts_on_what_can_start_else_on_the_task_in_progress(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"- [/] a\n- [ ] b\n")
    ready = Readiness(Document(path.read_bytes()))
    assert Session.first_task(ready).text == "a"
    assert Session.first_task(Readiness(Document(b"- [x] a\n- [ ] b\n"))).text == "b"
    assert Session.first_task(Readiness(Document(b"- [x] a\n"))) is None


def test_changed_tasks_finds_new_and_changed_ones():
    a = Document(b"- [ ] a\n- [ ] b\n")
    b = Document(b"- [x] a\n- [ ] b\n- [ ] c\n")
    assert changed_tasks(a, b) == {0, 2}
    assert changed_tasks(None, b) == set()


# ------------------------------------------------------------------------- the timer
def test_the_timer_starts_stops_and_books_whole_minutes(session):
    clock = session.clock
    alpha = task(session, "alpha")
    notices, booking = session.timer_pressed(alpha)
    assert booking is None and "Timer started on alpha" in notices[0].text
    assert json.loads(timer_mod.state_file().read_text())["label"] == "alpha"
    clock.now += 29
    assert session.timer_shown(session.doc) == ("0:00:29 alpha", (alpha.index, "0:00:29"))
    clock.now += 61  # 90 s: rounds to 2 minutes
    notices, booking = session.timer_pressed(alpha)
    assert notices == [] and booking.hours == 2 / 60 and session.running is None
    result = session.book(booking)
    assert session.booked(booking, True) is None
    assert b"**Actual Time**: 2 minutes" in session.path.read_bytes() and result.changed
    assert not timer_mod.state_file().exists()


def test_less_than_a_minute_books_nothing(session):
    session.timer_pressed(task(session, "alpha"))
    session.clock.now += 20
    notices, booking = session.timer_pressed(task(session, "alpha"))
    assert booking is None and "less than a minute" in notices[0].text and not timer_mod.state_file().exists()


def test_starting_on_another_task_books_the_first(session):
    session.timer_pressed(task(session, "alpha"))
    session.clock.now += 600
    notices, booking = session.timer_pressed(task(session, "beta"))
    assert booking.timer.label == "alpha" and booking.hours == 10 / 60
    assert session.running.label == "beta" and "Timer started on beta" in notices[0].text
    assert session.booked(booking, True) is None
    assert timer_mod.load() == session.running  # the new timer stays


def test_a_booking_that_fails_keeps_the_time(session):
    session.timer_pressed(task(session, "alpha"))
    session.clock.now += 300
    _, booking = session.timer_pressed(task(session, "alpha"))
    assert session.booked(booking, False) is None
    assert session.running == booking.timer and timer_mod.load() == booking.timer  # still running: nothing lost
    session.timer_pressed(task(session, "beta"))  # a new one meanwhile: the lost time is said
    session.running = timer_mod.load()
    notice = session.booked(booking, False)
    assert notice.severity == "error" and "0:05:00" in notice.text


@pytest.mark.parametrize("choice", ["keep", "trim", "discard"])
def test_a_timer_left_running_for_days_asks_first(session, choice):
    timer_mod.start(session.path, key(session, "alpha"), "alpha", session.clock() - 30 * 3600)
    notices, question = session.resume_timer()
    assert notices == [] and "running for 30:00:00, longer than a working day (8h)" in question
    started = session.running
    notice, booking = session.long_timer(choice)
    if choice == "keep":
        assert (notice, booking) == (None, None)
        assert session.running.elapsed(session.clock()) == 30 * 3600 and timer_mod.load() == session.running
    elif choice == "discard":
        assert booking is None and session.running is None and not timer_mod.state_file().exists()
    else:  # trim: one working day to book, and the timer stops (once booked, its state goes)
        assert booking == Booking(started, 8.0) and session.running is None
        assert notice.text == "Timer stopped: one working day (8h) booked on alpha."
        assert session.booked(booking, True) is None and not timer_mod.state_file().exists()


def test_a_short_timer_resumes_without_a_question(session):
    timer_mod.start(session.path, key(session, "alpha"), "alpha", session.clock() - 3600)
    assert session.resume_timer() == ([], None)
    assert session.running.label == "alpha"


def test_a_timer_of_another_file_is_shown_with_its_name(session, tmp_path):
    other = tmp_path / "other.md"
    other.write_bytes(b"- [ ] far\n")
    far = Document(other.read_bytes())
    timer_mod.start(other, far.keys[0], "far", session.clock() - 60)
    session.resume_timer()
    assert session.timer_shown(session.doc) == ("0:01:00 far (other.md)", None)
    _, booking = session.timer_pressed(None)
    session.book(booking)
    assert other.read_bytes() == b"- [ ] far\n  - **Actual Time**: 1 minute\n"
    assert session.path.read_bytes() == TEXT


def test_the_sample_session_round_trip(tmp_path):
    path = tmp_path / "t.md"
    path.write_bytes((SAMPLES_DIR / "template-project.md").read_bytes())
    s = open_session(path)
    first = s.first_task(Readiness(s.doc, s.tasks_file.rollup))
    s.edited(s.apply(edits.Toggle(s.key(first))))
    s.edited(s.undo())
    assert path.read_bytes() == (SAMPLES_DIR / "template-project.md").read_bytes()


# ------------------------------------------------------------------ opening, what is said once, closing
ODD = ("# T\n\n## Phase 1: One\n\n- [ ] T001 [P] a (depends on T002)\n- [ ] T002 [P] b (depends on T001)\n"
       "- [ ] T003 Ship the Ã¤rger fix\n").encode()


def test_opening_the_whole_file_builds_what_the_first_key_needs(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(ODD)
    s = Session(path, config.Config())
    opened = s.open_whole(s.opener.read())
    assert opened is not None
    tf, outline = opened
    assert tf.doc is outline.doc and tf.doc.source.data == ODD
    assert [t.id for t in tf.doc.tasks] == ["T001", "T002", "T003"]
    assert s.open_whole(s.opener.read(), cancelled=lambda: True) is None, "closed meanwhile: nothing handed over"
    assert path.read_bytes() == ODD


def test_what_an_open_file_says_and_the_repair_offer_only_once(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(ODD)
    s = Session(path, config.Config())
    tf, outline = s.open_whole(s.opener.read())
    s.loaded(tf)
    first = [n.text for n in s.opened_notices(tf.doc, outline)]
    assert len(first) == 2, first
    assert first[0].startswith("A problem with the order this file states; line 5: ") and "tasktui check tasks.md" in first[0]
    assert first[1] == "1 garbled characters (Ã¤→ä): ctrl+p “Repair mojibake” fixes them."
    again = [n.text for n in s.opened_notices(tf.doc, outline)]
    assert again == first[:1], "the repair offer comes once for a kind of mojibake"
    read_only = Session(path, config.Config(), read_only=True)
    tf2, outline2 = read_only.open_whole(read_only.opener.read())
    read_only.loaded(tf2)
    assert not any("garbled" in n.text for n in read_only.opened_notices(tf2.doc, outline2))
    assert path.read_bytes() == ODD


def test_closing_stops_the_watcher_and_ends_what_waits_for_the_file(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(TEXT)
    s = Session(path, config.Config())
    tf, _outline = s.open_whole(s.opener.read())
    s.watch(tf, lambda event: None)
    watcher = s.watcher
    assert watcher is not None and watcher.ready.wait(5)
    s.close("tasks.md was closed before it was read; nothing was written.")
    assert s.watcher is None
    with pytest.raises(store.StoreError, match="closed before it was read"):
        s.integrate()  # handed over nothing: what waited ends with the sentence
    assert path.read_bytes() == TEXT


def test_reading_again_after_the_editor_takes_the_users_change_as_theirs(session):
    path = session.path
    session.run(edits.Toggle(key(session, "alpha")))
    assert b"- [x] alpha" in path.read_bytes()
    undone = path.read_bytes().replace(b"- [x] alpha", b"- [ ] alpha")  # the user's editor takes the mark back
    path.write_bytes(undone)
    assert session.reread() is True
    assert session.doc.source.data == undone
    result = session.run(edits.Toggle(key(session, "beta")))
    assert result.lost == () and not any("Change lost" in n.title for n in session.edited(result))
    assert path.read_bytes() == undone.replace(b"- [ ] beta", b"- [x] beta")
    assert session.reread() is False
