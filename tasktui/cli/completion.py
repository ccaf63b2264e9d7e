"""``tasktui completion bash|zsh|fish``: a shell completion script, generated from
the command line's own argparse parser, so that it offers exactly the commands
and options there are: the commands (and file names: ``tasktui FILE`` opens
one), each command's options, the values of options with a fixed set of them
(``--dialect``), and file names where a command takes its FILE.

The parser is read through argparse's actions (its ``_actions`` and the
sub-parsers' ``choices``), as completion generators for argparse do."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

SHELLS = ("bash", "zsh", "fish")
PROG = "tasktui"


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]  # -h, --help
    help: str
    value: str | None  # the metavar of the value it takes; None for a switch
    choices: tuple[str, ...]  # the values it takes, when they are a fixed set


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    positionals: tuple[tuple[str, tuple[str, ...]], ...]  # (metavar, its choices) in order; FILE first

    @property
    def takes_file(self) -> bool:
        return bool(self.positionals) and self.positionals[0][0] == "FILE"

    @property
    def valued(self) -> list[str]:
        """The flags that take a value (the next word is that value, not an argument)."""
        return [flag for o in self.options if o.value is not None for flag in o.flags]


def _options(parser: argparse.ArgumentParser) -> tuple[Option, ...]:
    out = []
    for action in parser._actions:
        if not action.option_strings:
            continue
        takes = action.nargs != 0
        value = (action.metavar or action.dest.upper()) if takes else None
        out.append(Option(tuple(action.option_strings), _one_line(action.help or ""), value,
                          tuple(str(c) for c in action.choices or ())))
    return tuple(out)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def read(parser: argparse.ArgumentParser) -> tuple[tuple[Option, ...], list[Command]]:
    """The top level's options and every command, from ``parser``."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands = []
    for name, p in sub.choices.items():
        about = _one_line((p.description or "").split(".  Example")[0])
        positionals = tuple((a.metavar or a.dest.upper(), tuple(str(c) for c in a.choices or ()))
                            for a in p._actions if not a.option_strings)
        commands.append(Command(name, about, _options(p), positionals))
    top = tuple(o for o in _options(parser))
    return top, commands


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (one of SHELLS)."""
    top, commands = read(parser)
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](top, commands)


# ----------------------------------------------------------------------------- bash
def _bash(top: tuple[Option, ...], commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    flags = " ".join(f for o in top for f in o.flags)
    cases = []
    for c in commands:
        opts = " ".join(f for o in c.options for f in o.flags)
        cases.append(f'        {c.name}) opts="{opts}"; valued=" {" ".join(c.valued)} " ;;')
    values = []
    for c in commands:
        for o in c.options:
            if o.value is None:
                continue
            pattern = "|".join(f"{c.name}:{flag}" for flag in o.flags)
            offered = f'COMPREPLY=($(compgen -W "{" ".join(o.choices)}" -- "$cur")); ' if o.choices else ""
            values.append(f"        {pattern}) {offered}return ;;")
    second = []
    for c in commands:
        if len(c.positionals) == 1 and c.positionals[0][1]:  # one argument from a fixed set (completion)
            words = " ".join(c.positionals[0][1])
            second.append(f'        {c.name}) [[ $n -eq 0 ]] && COMPREPLY=($(compgen -W "{words}" -- "$cur")); return ;;')
    return f"""# bash completion for tasktui, made by `tasktui completion bash`:
#   eval "$(tasktui completion bash)"   (in ~/.bashrc)
_tasktui() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local commands="{names}"
    local command="" i n=0 skip="" opts="" valued=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in -*) ;; *) command="${{COMP_WORDS[i]}}"; break ;; esac
    done
    if [[ -z $command ]]; then  # a command, or a file to open, or an option of tasktui itself
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "{flags}" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur") $(compgen -f -- "$cur"))
        fi
        return
    fi
    if [[ " $commands " != *" $command "* ]]; then  # tasktui FILE [options]: the app
        command=open; n=1
    fi
    case "$command" in
{chr(10).join(cases)}
    esac
    for ((i = i + 1; i < COMP_CWORD; i++)); do  # the arguments before this word, option values aside
        if [[ -n $skip ]]; then skip=""; continue; fi
        case "${{COMP_WORDS[i]}}" in
            -*) [[ $valued == *" ${{COMP_WORDS[i]}} "* ]] && skip=1 ;;
            *) ((n++)) ;;
        esac
    done
    if [[ -n $skip ]]; then  # this word is an option's value
        case "$command:$prev" in
{chr(10).join(values)}
        esac
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    case "$command" in
{chr(10).join(second)}
    esac
    [[ $n -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))  # FILE
    return 0
}}
complete -o filenames -o bashdefault -F _tasktui tasktui
"""


# ------------------------------------------------------------------------------ zsh
def _zq(text: str) -> str:
    """``text`` inside single quotes and an _arguments description."""
    return text.replace("'", "'\\''").replace("[", "(").replace("]", ")").replace(":", " -")


def _zsh_option(o: Option) -> str:
    flags = list(o.flags)
    names = flags[0] if len(flags) == 1 else "{" + ",".join(flags) + "}"
    exclusive = f"'({' '.join(flags)})'" if len(flags) > 1 else ""
    spec = f"[{_zq(o.help)}]"
    if o.value is not None:
        action = f"({' '.join(o.choices)})" if o.choices else " "
        spec += f":{_zq(o.value)}:{action}"
    return f"{exclusive}{names}'{spec}'"


def _zsh(top: tuple[Option, ...], commands: list[Command]) -> str:
    described = "\n".join(f"    '{c.name}:{_zq(c.help)}'" for c in commands)
    cases = []
    for c in commands:
        specs = [_zsh_option(o) for o in c.options]
        for k, (metavar, choices) in enumerate(c.positionals):
            action = f"({' '.join(choices)})" if choices else ("_files" if metavar == "FILE" else " ")
            specs.append(f"'{k + 1}:{_zq(metavar)}:{action}'" if k == 0 else f"'*:{_zq(metavar)}:{action}'")
            if k:
                break
        body = " \\\n            ".join(specs)
        cases.append(f"        {c.name})\n          _arguments \\\n            {body}\n          ;;")
    top_specs = " \\\n    ".join(_zsh_option(o) for o in top)
    return f"""#compdef tasktui
# zsh completion for tasktui, made by `tasktui completion zsh`: save it as _tasktui in a
# folder of your $fpath, or add `source <(tasktui completion zsh)` to ~/.zshrc after compinit
_tasktui() {{
  local context state state_descr line
  typeset -A opt_args
  local -a commands
  commands=(
{described}
  )
  _arguments -C \\
    {top_specs} \\
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command)
      _describe -t commands 'tasktui command' commands
      _files
      ;;
    args)
      case $words[1] in
{chr(10).join(cases)}
        *)
          _files
          ;;
      esac
      ;;
  esac
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _tasktui "$@"
else
  compdef _tasktui tasktui
fi
"""


# ----------------------------------------------------------------------------- fish
def _fq(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(condition: str, o: Option) -> str:
    parts = [f"complete -c {PROG} -n {_fq(condition)}"]
    for flag in o.flags:
        parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
    if o.value is not None:
        parts.append("-x")
        if o.choices:
            parts.append(f"-a {_fq(' '.join(o.choices))}")
    parts.append(f"-d {_fq(o.help)}")
    return " ".join(parts)


def _fish(top: tuple[Option, ...], commands: list[Command]) -> str:
    lines = ["# fish completion for tasktui, made by `tasktui completion fish`:",
             "#   tasktui completion fish > ~/.config/fish/completions/tasktui.fish",
             f"complete -c {PROG} -f",
             f"complete -c {PROG} -n __fish_use_subcommand -F  # tasktui FILE opens it"]
    lines += [_fish_option("__fish_use_subcommand", o) for o in top]
    lines += [f"complete -c {PROG} -n __fish_use_subcommand -a {c.name} -d {_fq(c.help)}" for c in commands]
    for c in commands:
        seen = f"__fish_seen_subcommand_from {c.name}"
        if c.takes_file:
            lines.append(f"complete -c {PROG} -n {_fq(seen)} -F")
        elif len(c.positionals) == 1 and c.positionals[0][1]:
            lines.append(f"complete -c {PROG} -n {_fq(seen)} -a {_fq(' '.join(c.positionals[0][1]))}")
        lines += [_fish_option(seen, o) for o in c.options]
    return "\n".join(lines) + "\n"
