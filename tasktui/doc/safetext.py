"""File text is data: the one rule for showing text that came from a tasks file,
tasktui's state folder or its config.

Such text is never parsed as markup (widgets get it through
``tasktui.ui.widgets.plain``, which builds markup-free Content and Text from
``visible``) and never reaches a terminal with its control characters:

- C0 controls (other than tab) become the Control Pictures ``␀`` … ``␟``;
  DEL becomes ``␡``;
- C1 controls become ``⟨9B⟩`` (their code in hex);
- bidirectional controls (embeddings, overrides, isolates and the marks)
  and the Unicode line and paragraph separators become their names,
  ``⟨RLO⟩``, ``⟨LRI⟩``, ``⟨LS⟩`` …, so that text cannot hide what it says;
- bytes that are not UTF-8 (kept by the model as lone surrogates, so that
  they are written back unchanged) become ``�`` (U+FFFD).

Everything else, including emoji, CJK, combining marks and right-to-left
letters, is shown as it is. The mapping changes only characters that print
nothing or act on the terminal, so ``visible(s) == s`` for ordinary text.

``restore`` undoes ``visible`` for text the user edited in a prefilled input:
a placeholder left in place stands for the character it replaced.

``json_text`` is the rule for JSON output (data, not terminal output): text
keeps its control characters, to be escaped by the JSON encoder, and
undecodable bytes become U+FFFD, so the output is valid UTF-8.
"""

from __future__ import annotations

import json

_BIDI = {
    0x061C: "ALM", 0x200E: "LRM", 0x200F: "RLM",
    0x202A: "LRE", 0x202B: "RLE", 0x202C: "PDF", 0x202D: "LRO", 0x202E: "RLO",
    0x2066: "LRI", 0x2067: "RLI", 0x2068: "FSI", 0x2069: "PDI",
    0x2028: "LS", 0x2029: "PS",
}


def _table(keep: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)
    table[0x7F] = "\u2421"
    for code in range(0x80, 0xA0):
        table[code] = f"⟨{code:02X}⟩"
    for code, name in _BIDI.items():
        table[code] = f"⟨{name}⟩"
    for code in range(0xD800, 0xE000):
        table[code] = "\ufffd"
    for ch in keep:
        table.pop(ord(ch), None)
    return table


_ONE_LINE = _table("\t")
_MULTI_LINE = _table("\t\n")


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` as it may be shown on a terminal (see the module's docstring).
    Tabs are kept; with ``multiline`` line feeds are kept too."""
    if text.isprintable():  # the common case, at C speed
        return text
    return text.translate(_MULTI_LINE if multiline else _ONE_LINE)


def one_line(text: str) -> str:
    """``visible(text)`` for a single row: tabs become spaces too."""
    return visible(text).replace("\t", " ")


def _placeholders(original: str) -> dict[str, str]:
    """Each placeholder ``visible(original)`` used, and the character it stands for."""
    out: dict[str, str] = {}
    for ch in original:
        if not ch.isprintable() and ch != "\t":
            shown = visible(ch)
            if shown != ch and shown != "\ufffd":
                out.setdefault(shown, ch)
    return out


def restore(edited: str, original: str) -> str:
    """``edited`` (typed over ``visible(original)``) with the placeholders of
    characters ``original`` holds put back as those characters. Undecodable
    bytes cannot be put back: a ``�`` stays what it is."""
    if edited == visible(original):
        return original
    for shown, ch in _placeholders(original).items():
        edited = edited.replace(shown, ch)
    return edited


_SURROGATES = {code: "\ufffd" for code in range(0xD800, 0xE000)}


def json_text(text: str) -> str:
    """Text for JSON output: each undecodable byte (a lone surrogate) becomes one
    U+FFFD, as on screen; control characters stay, for the encoder to escape."""
    if text.isascii():
        return text
    return text.translate(_SURROGATES)


def json_clean(value):
    """``value`` (JSON-shaped: dicts, lists, strings, numbers) with every string made ``json_text``."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, dict):
        return {k: json_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_clean(v) for v in value]
    return value


# Characters json.dumps(ensure_ascii=False) leaves raw that a terminal (or a
# JavaScript reader, for U+2028/U+2029) would act on: escaped as \uXXXX.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in [0x7F, *range(0x80, 0xA0), *_BIDI]}


def dumps(value, **kwargs) -> str:
    """JSON text for ``value``: valid UTF-8 whatever bytes the file holds, every
    control character (C0, DEL, C1) and bidi control escaped."""
    return json.dumps(json_clean(value), ensure_ascii=False, **kwargs).translate(_JSON_ESCAPES)
