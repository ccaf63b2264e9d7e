"""The command line's manners: a mistyped command gets a suggestion, shell
completion scripts (run in a real bash; zsh and fish when installed), and
`time --set` with its word for a negative duration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from support import run
from tasktui.cli import commands as cli
from tasktui.cli import completion


# ------------------------------------------------------------------ unknown commands
@pytest.mark.parametrize("argv, wrong, meant", [
    (["chekc", "F"], "chekc", "check"),
    (["lsit", "tasks.md"], "lsit", "list"),
    (["stauts"], "stauts", "status"),
    (["completoin", "bash"], "completoin", "completion"),
])
def test_a_mistyped_command_gets_a_suggestion_and_exit_2(capsys, tmp_path, monkeypatch, argv, wrong, meant):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, *argv) == (2, "", f"tasktui: unknown command '{wrong}'; did you mean '{meant}'?\n")


def test_a_file_named_like_a_command_is_still_opened_as_a_file(capsys, tmp_path, monkeypatch):
    """A word that is a file there, or looks like a path, is never taken for a command."""
    monkeypatch.chdir(tmp_path)
    for word in ("chekc.md", "specs/chekc"):
        code, _out, err = run(capsys, word, "--read-only")
        assert "unknown command" not in err and code == 1, err  # not there: that file is missing
    code, _out, err = run(capsys, "chekc")
    assert code == 2 and "unknown command 'chekc'" in err, "nothing named so there: a mistyped command"
    (tmp_path / "chekc").mkdir()
    code, _out, err = run(capsys, "chekc")
    assert "unknown command" not in err and code == 1, err
    assert "no tasks files below chekc" in err, "a folder of that name: opened, as any folder"


# -------------------------------------------------------------------------- time --set
FILE = b"# T\n\n- [ ] a\n  - **Estimated Time**: 3 hours\n  - **Actual Time**: 5 hours\n- [ ] b\n"


def test_time_set_sets_the_booked_time(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(FILE)
    assert run(capsys, "time", path, "a", "--set", "2h") == (0, "L3 a: Actual Time 2 hours\n", "")
    assert path.read_bytes() == FILE.replace(b"Actual Time**: 5 hours", b"Actual Time**: 2 hours")
    assert run(capsys, "time", path, "b", "--set", "45m")[0] == 0
    assert path.read_bytes() == FILE.replace(b"Actual Time**: 5 hours", b"Actual Time**: 2 hours") + \
        b"  - **Actual Time**: 0.75 hours\n"
    assert run(capsys, "time", path, "a", "--set", "0")[0] == 0  # nothing spent, after all
    assert path.read_bytes() == FILE.replace(b"Actual Time**: 5 hours", b"Actual Time**: 0 hours") + \
        b"  - **Actual Time**: 0.75 hours\n"


def test_time_needs_a_duration_or_set_but_not_both(capsys, tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(FILE)
    for argv in (["time", path, "a"], ["time", path, "a", "1h", "--set", "2h"]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, "") and "--set DURATION" in err and err.count("\n") == 1, err
    code, out, err = run(capsys, "time", path, "a", "--set", "soon")
    assert code == 1 and "'soon' is not a duration" in err
    assert path.read_bytes() == FILE


@pytest.mark.parametrize("argv, said", [
    (["time", "{path}", "a", "-5h"], "time spent cannot be negative (-5h): to correct what is booked, set it with "
                                     "`tasktui time FILE REF --set 2h`"),
    (["time", "{path}", "a", "--set", "-1h"], "time spent cannot be negative (-1h)"),
    (["estimate", "{path}", "a", "-2h"], "an estimate cannot be negative (-2h)"),
])
def test_a_negative_duration_gets_one_sentence_pointing_to_set(capsys, tmp_path, argv, said):
    path = tmp_path / "tasks.md"
    path.write_bytes(FILE)
    code, out, err = run(capsys, *[str(path) if a == "{path}" else a for a in argv])
    assert (code, out) == (2, "") and err.startswith(f"tasktui: {said}") and err.count("\n") == 1, err
    assert path.read_bytes() == FILE


# ------------------------------------------------------------------------- completion
def script(shell: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "tasktui", "completion", shell], capture_output=True, text=True,
                          timeout=60, check=True)
    return proc.stdout


@pytest.mark.parametrize("shell", completion.SHELLS)
def test_every_script_holds_every_command_and_option_of_the_parser(shell):
    text = script(shell)
    top, commands = completion.read(cli.build_parser())
    assert {c.name for c in commands} == set(cli.COMMANDS)
    for c in commands:
        assert c.name in text
        for option in c.options:
            long = next(f for f in option.flags if f.startswith("--"))
            assert (long if shell != "fish" else f"-l {long[2:]}") in text, (shell, c.name, long)
    assert ("--demo" if shell != "fish" else "-l demo") in text


def bash_complete(tmp_path, *words: str) -> list[str]:
    """What bash offers for the last of ``words`` (tasktui's script loaded, in ``tmp_path``)."""
    body = f'''
eval "$(cat {tmp_path.parent / "tasktui.bash"})"
COMP_WORDS=({" ".join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; COMPREPLY=()
_tasktui
printf '%s\\n' "${{COMPREPLY[@]}}"
'''
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", body], capture_output=True, text=True, cwd=tmp_path,
                          timeout=30)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return sorted(line for line in proc.stdout.splitlines() if line)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_in_a_real_bash(tmp_path):
    (tmp_path / "tasktui.bash").write_text(script("bash"))
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    (tmp_path / "tasks.md").write_bytes(FILE)
    (tmp_path / "todo.md").write_bytes(FILE)
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", 'eval "$(cat ../tasktui.bash)"; complete -p tasktui'],
                          capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert proc.stdout.strip() == "complete -o bashdefault -o filenames -F _tasktui tasktui", proc.stderr
    assert bash_complete(tmp_path, "tasktui", "che") == ["check"]
    assert bash_complete(tmp_path, "tasktui", "t") == ["tasks.md", "time", "todo.md", "toggle"]  # tasktui FILE too
    assert bash_complete(tmp_path, "tasktui", "--d") == ["--demo"]
    assert bash_complete(tmp_path, "tasktui", "list", "ta") == ["tasks.md"]
    assert bash_complete(tmp_path, "tasktui", "list", "tasks.md", "--js") == ["--json"]
    assert bash_complete(tmp_path, "tasktui", "list", "tasks.md", "--dialect", "k") == ["kiro"]
    assert bash_complete(tmp_path, "tasktui", "list", "--state", "open", "ta") == ["tasks.md"]  # past an option's value
    assert bash_complete(tmp_path, "tasktui", "toggle", "tasks.md", "") == []  # REF: not a file name
    assert bash_complete(tmp_path, "tasktui", "time", "tasks.md", "a", "--s") == ["--set"]
    assert bash_complete(tmp_path, "tasktui", "completion", "") == ["bash", "fish", "zsh"]
    assert bash_complete(tmp_path, "tasktui", "tasks.md", "--re") == ["--read-only"]  # the app's own options


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_script_is_valid_zsh(tmp_path):
    path = tmp_path / "_tasktui"
    path.write_text(script("zsh"))
    proc = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert path.read_text().startswith("#compdef tasktui\n")


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_the_fish_script_completes_in_a_real_fish(tmp_path):
    path = tmp_path / "tasktui.fish"
    path.write_text(script("fish"))
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    (tmp_path / "tasks.md").write_bytes(FILE)

    def offered(line: str) -> list[str]:
        proc = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C {line!r}"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=30,
                              env={**os.environ, "HOME": str(tmp_path)})
        assert proc.returncode == 0, proc.stderr
        return sorted(row.split("\t")[0] for row in proc.stdout.splitlines())

    assert offered("tasktui che") == ["check"]
    assert offered("tasktui list tasks.md --dialect k") == ["kiro"]
    assert offered("tasktui list ta") == ["tasks.md"]
    assert offered("tasktui completion ") == ["bash", "fish", "zsh"]
