"""Mojibake repair: UTF-8 that was decoded as cp1252 (the template's `â¬œ`,
`ðŸŸ¡`, `âœ…`, `â†’`, `â‰¥`) is found and rewritten, exactly those sequences and
nothing else, by `repair.find/patches/diff`, `tasktui repair [--check]`, the
edits.Repair operation (undoable through TasksFile) and the app's palette command.

Expected bytes are computed independently: the original text with each known
sequence replaced by the character it stands for.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from support import SAMPLES_DIR, corpus_names
from support import SIZE, first_command, quiesce, record_notifications, wait_file, wait_for
from support import assert_one_line_error, run
from tasktui.doc import repair
from tasktui.ui.app import TaskTuiApp
from tasktui.doc import Document, edits
from tasktui.doc.patch import apply
from tasktui.doc.source import Source
from tasktui.ui.screens.dialogs import ConfirmScreen
from tasktui.core.tasksfile import TasksFile

SEQUENCES = {"â¬œ": "⬜", "ðŸŸ¡": "🟡", "âœ…": "✅", "â†’": "→", "â‰¥": "≥"}


def repaired(data: bytes) -> bytes:
    text = data.decode("utf-8")
    for old, new in SEQUENCES.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def counts(data: bytes) -> Counter:
    text = data.decode("utf-8")
    return Counter({(old, new): text.count(old) for old, new in SEQUENCES.items() if old in text})


def source_of(data: bytes) -> Source:
    return Document(data).source


@pytest.fixture
def template_copy(tmp_path, template_path) -> Path:
    path = tmp_path / "tasks.md"
    shutil.copyfile(template_path, path)  # copyfile: the seed itself is read-only
    return path


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    path = tmp_path / "tasks.md"
    shutil.copyfile(SAMPLES_DIR / "template-project.md", path)
    return path


# ------------------------------------------------------------ find / patches / diff
def test_find_on_the_template_gives_exactly_its_mojibake(template_path):
    data = template_path.read_bytes()
    src = source_of(data)
    fixes = repair.find(src)
    assert Counter((f.old, f.new) for f in fixes) == Counter(
        {("â¬œ", "⬜"): 5, ("ðŸŸ¡", "🟡"): 5, ("âœ…", "✅"): 5, ("â†’", "→"): 3, ("â‰¥", "≥"): 1}
    )
    assert Counter((f.old, f.new) for f in fixes) == counts(data)
    for f in fixes:
        assert src.lines[f.line][f.col:f.col + len(f.old)] == f.old


def test_patches_give_the_whole_expected_bytes(template_path):
    data = template_path.read_bytes()
    src = source_of(data)
    fixes = repair.find(src)
    patches = repair.patches(src, fixes)
    assert len(patches) == len(fixes)
    for p, f in zip(patches, fixes):
        assert data[p.start:p.end] == f.old.encode() and p.data == f.new.encode()
    out = apply(data, patches)
    assert out == repaired(data)
    assert "â" not in out.decode() and "ð" not in out.decode()
    assert repair.find(source_of(out)) == []


def test_diff_of_a_small_file_exactly():
    data = "# Tâ†’do\n\n- [ ] keep\n- [x] done âœ… and â¬œ\n**Phase 1**: ðŸŸ¡ In Progress  \n".encode()
    src = source_of(data)
    fixes = repair.find(src)
    assert [(f.line, f.col, f.old, f.new) for f in fixes] == [
        (0, 3, "â†’", "→"), (3, 11, "âœ…", "✅"), (3, 19, "â¬œ", "⬜"), (4, 13, "ðŸŸ¡", "🟡"),
    ]
    assert repair.diff(src, fixes, "t.md") == "\n".join([
        "--- t.md",
        "+++ t.md (repaired)",
        "@@ line 1 @@",
        "-# Tâ†’do",
        "+# T→do",
        "@@ line 4 @@",
        "-- [x] done âœ… and â¬œ",
        "+- [x] done ✅ and ⬜",
        "@@ line 5 @@",
        "-**Phase 1**: ðŸŸ¡ In Progress  ",
        "+**Phase 1**: 🟡 In Progress  ",
    ])
    assert repair.diff(src, [], "t.md") == "--- t.md\n+++ t.md (repaired)"


def test_diff_of_the_template_shows_each_changed_line_once(template_path):
    data = template_path.read_bytes()
    src = source_of(data)
    diff = repair.diff(src, repair.find(src), "tasks.md").split("\n")
    changed = [n for n, line in enumerate(src.lines) if line != repaired(line.encode()).decode()]
    assert diff[:2] == ["--- tasks.md", "+++ tasks.md (repaired)"]
    assert diff[2::3] == [f"@@ line {n + 1} @@" for n in changed]
    assert diff[3::3] == [f"-{src.lines[n]}" for n in changed]
    assert diff[4::3] == [f"+{repaired(src.lines[n].encode()).decode()}" for n in changed]


@pytest.mark.parametrize(
    "text,old,new",
    [
        ("Ã¤rger mit Ã¶l", "Ã¤", "ä"),  # German umlauts, once mis-decoded
        ("Ã\x81rbol", "Ã\x81", "Á"),  # a byte cp1252 leaves undefined, passed through as U+0081
        ("ðŸš€ launch", "ðŸš€", "🚀"),  # four-byte emoji
    ],
)
def test_other_mojibake_is_found(text, old, new):
    fixes = repair.find(Source(text.encode()))
    assert [(f.old, f.new) for f in fixes][:1] == [(old, new)]


# ------------------------------------------------------------- no false positives
@pytest.mark.parametrize("name", corpus_names())
def test_no_false_positives_in_the_corpus(corpus_dir, name):
    """CJK, Cyrillic, Japanese, German umlauts, emoji, typographic punctuation: nothing to repair."""
    assert repair.find(source_of((corpus_dir / name).read_bytes())) == []


def test_the_corpus_has_the_scripts_that_matter(corpus_dir):
    text = "".join((corpus_dir / n).read_text(encoding="utf-8") for n in corpus_names())
    for sample in ("ä", "ö", "ü", "я", "任务", "✅"):
        assert sample in text


@pytest.mark.parametrize(
    "text",
    [
        "Größe über Straße, naïve café, Ärger° Öl§ — “quoted” … €5 ½ 20 °C ±1 × 3",
        "Привет мир: задача выполнена ✅",
        "任务：完成 ✅ 進行中 🟡 テスト",
        "à€€ is not valid UTF-8 when re-encoded (overlong)",
        "São Paulo, Curaçao, Zürich, Ørsted, Œuvre, señor",
    ],
)
def test_legitimate_text_is_left_alone(text):
    assert repair.find(Source(text.encode())) == []


@pytest.mark.parametrize("text", ["Das macht „Spaß“.", "Viele Grüße, Gruß…", "Maß–Einheit", "« CAFÉ” »"])
def test_german_and_french_punctuation_is_not_mojibake(text):
    assert repair.find(Source(text.encode())) == []


# --------------------------------------------------------------------------- CLI
def test_cli_check_prints_the_diff_and_writes_nothing(capsys, sample_copy):
    data = sample_copy.read_bytes()
    src = source_of(data)
    fixes = repair.find(src)
    code, out, err = run(capsys, "repair", sample_copy, "--check")
    assert (code, err) == (1, "")
    assert out == repair.diff(src, fixes, str(sample_copy)) + (
        f"\n{sample_copy}: {len(fixes)} mojibake sequence(s) would be repaired\n")
    assert sample_copy.read_bytes() == data
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["tasks.md"]


def test_cli_repair_writes_exactly_the_repaired_bytes(capsys, sample_copy):
    data = sample_copy.read_bytes()
    fixes = repair.find(source_of(data))
    code, out, err = run(capsys, "repair", sample_copy)
    assert (code, err) == (0, "")
    assert out.startswith(f"--- {sample_copy}\n+++ {sample_copy} (repaired)\n")
    assert out.splitlines()[-1].startswith(f"repaired {len(fixes)} mojibake sequence(s): ")
    assert sample_copy.read_bytes() == repaired(data)
    code, out, err = run(capsys, "repair", sample_copy, "--check")
    assert (code, out) == (0, f"{sample_copy}: no mojibake found\n")


def test_cli_repair_of_the_template_without_sync(capsys, template_copy):
    data = template_copy.read_bytes()
    code, out, err = run(capsys, "repair", template_copy, "--no-sync")
    assert (code, err) == (0, "")
    assert template_copy.read_bytes() == repaired(data)


def test_cli_repair_of_the_template_with_sync(capsys, template_copy):
    data = template_copy.read_bytes()
    code, out, err = run(capsys, "repair", template_copy)
    assert (code, err) == (0, "")
    assert template_copy.read_bytes() == repaired(data)


def test_cli_repair_json_is_json(capsys, sample_copy):
    code, out, err = run(capsys, "repair", sample_copy, "--json")
    assert code == 0
    assert json.loads(out)["fixed"] == 12


def test_cli_repair_that_would_change_the_tasks_is_refused(capsys, tmp_path):
    """`[Â\\xa0]` is not a task; repaired it would be `[\\xa0]`, which is one: refused."""
    path = tmp_path / "tasks.md"
    data = "- [Â\xa0] not a task yet\n- [ ] a task\n".encode()
    path.write_bytes(data)
    code, out, err = run(capsys, "repair", path)
    assert out.startswith(f"--- {path}\n")  # the diff was shown first
    assert_one_line_error(code, "", err, "would change the number of tasks", "nothing was written")
    assert path.read_bytes() == data


# ------------------------------------------------------------- TasksFile and undo
def test_repair_op_is_undoable_through_tasksfile(sample_copy):
    data = sample_copy.read_bytes()
    tf = TasksFile(sample_copy)
    result = tf.apply(edits.Repair())
    assert result.changed and result.details.fixed == 12
    assert list(result.details.lines) == sorted({f.line + 1 for f in repair.find(source_of(data))})
    assert sample_copy.read_bytes() == repaired(data)
    assert tf.undo().changed
    assert sample_copy.read_bytes() == data
    assert tf.redo().changed
    assert sample_copy.read_bytes() == repaired(data)
    again = tf.apply(edits.Repair())
    assert (again.changed, again.summary) == (False, "no mojibake found")


# ---------------------------------------------------------------------------- app
async def _loaded(pilot, app) -> None:
    await wait_for(pilot, lambda: app.tasks_file is not None and app.main.tree.doc is app.tasks_file.doc, what="the file to load")


async def test_palette_repair_confirms_then_writes(sample_copy):
    data = sample_copy.read_bytes()
    app = TaskTuiApp(sample_copy)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await _loaded(pilot, app)
        assert any("12 garbled characters" in m and "Repair mojibake" in m for m, _, _ in notes)
        # through the command palette, by name
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: bool(app.screen.query("CommandInput")), what="the command palette")
        app.screen.query_one("CommandInput").value = "Repair mojibake"
        await wait_for(pilot, lambda: first_command(app) == "Repair mojibake", what="the palette to offer the command")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        assert "Rewrite 12 mojibake sequence(s)" in app.screen.question
        assert "+**Phase 2**: 🟡 In Progress  " in app.screen.question
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the dialog to close")
        await app.workers.wait_for_complete()
        assert sample_copy.read_bytes() == data

        app.main.action_repair()
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        await pilot.press("y")
        await wait_file(pilot, sample_copy, repaired(data))
        await wait_for(pilot, lambda: app.tasks_file.doc.source.data == repaired(data), what="the app to show the repair")
        app.main.action_repair()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert notes[-1][0] == "No mojibake in this file."
        await quiesce(app, pilot)
    assert sample_copy.read_bytes() == repaired(data)


async def test_read_only_app_neither_offers_nor_repairs(sample_copy):
    data = sample_copy.read_bytes()
    app = TaskTuiApp(sample_copy, read_only=True)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await _loaded(pilot, app)
        app.main.action_repair()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert not any("garbled" in m for m, _, _ in notes)
        assert any("read-only" in m for m, _, _ in notes)
        await quiesce(app, pilot)
    assert sample_copy.read_bytes() == data


async def test_the_repair_notice_comes_once_per_file_not_on_every_open(sample_copy, tmp_path):
    async def told(path) -> bool:
        app = TaskTuiApp(path)
        notes = record_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await _loaded(pilot, app)
            await quiesce(app, pilot)
        return any("garbled characters" in m for m, _, _ in notes)

    assert await told(sample_copy)
    assert not await told(sample_copy), "the same file, the same mojibake: said once"
    other = tmp_path / "elsewhere" / "tasks.md"
    other.parent.mkdir()
    other.write_bytes(sample_copy.read_bytes())
    assert await told(other), "another file"
    sample_copy.write_bytes(sample_copy.read_bytes() + "\n- [ ] Check the cafÃ© menu\n".encode())
    assert await told(sample_copy), "mojibake of a new kind"
    assert not await told(sample_copy)
