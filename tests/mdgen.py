"""A hypothesis strategy for markdown tasks files, as bytes.

It mixes what makes tasks files hard to read right: ATX headings (levels 1-7,
indents, closing hashes) and setext headings; nested lists of tasks with every
bullet and number style and many checkbox-looking prefixes; fences (``` and ~~~
of several lengths, unclosed, inside list items and blockquotes); indented
code; HTML blocks and comments; blockquotes; front matter; thematic breaks;
and odd bytes (invalid UTF-8, NUL, a BOM in the middle, form feeds, NEL and
U+2028), joined with a mix of \\n, \\r\\n and \\r, with or without a BOM and a
final line ending.
"""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = [
    b"alpha", b"beta gamma", b"T001", b"T012a", b"[P]", b"[US1]", b"1.", b"1.1", b"2.3.4",
    b"**Estimated Time**: 2 hours", b"**Actual Time**: 90 minutes", b"**Status**: ok",
    b"na\xc3\xafve caf\xc3\xa9", b"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", b"\xc3\xa2\xc2\xac\xc5\x93",
    b"`code`", b"<span>", b"a * b", b"x_y_", b"tab\there", b"trailing  ", b"#hash", b"[ ] fake",
    b"[x]", b"- [ ] inline", b"<!-- c -->", b"```", b"~~~", b"> q", b"\\[ ]", b"&amp;",
    # odd bytes
    b"\xff", b"\xc3", b"\x00", b"\xef\xbb\xbf", b"\x0c", b"\x0b", b"\xc2\x85", b"\xe2\x80\xa8", b"\x1c",
]

CHECKBOXES = [
    b"[ ] ", b"[x] ", b"[X] ", b"[-] ", b"[/] ", b"[~] ", b"[v] ", b"[P] ", b"[1] ", b"[ ]* ", b"[x]* ",
    b"[ ]", b"[] ", b"[ x] ", b"[\t] ", b"[x]\t", b"[ ]  ", b"[\xc3\xa9] ", b"[\xe2\x9c\x93] ", b"[\x00] ",
    b"[\xff] ", b"[*] ", b"[[] ", b"", b"", b"",
]
BULLETS = [b"-", b"*", b"+", b"1.", b"1)", b"2.", b"10.", b"0)", b"123456789."]
GAPS = [b" ", b" ", b" ", b"  ", b"\t", b"     "]


@st.composite
def text(draw, min_size: int = 0, max_size: int = 4) -> bytes:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=min_size, max_size=max_size))
    return b" ".join(words)


@st.composite
def atx_heading(draw, prefix: bytes = b"") -> list[bytes]:
    indent = draw(st.sampled_from([b"", b"", b" ", b"   ", b"    ", b"\t"]))
    level = draw(st.integers(1, 7))
    sep = draw(st.sampled_from([b" ", b" ", b"\t", b""]))
    closing = draw(st.sampled_from([b"", b"", b" ##", b" #", b"#"]))
    return [prefix + indent + b"#" * level + sep + draw(text(0, 3)) + closing]


@st.composite
def setext_heading(draw, prefix: bytes = b"") -> list[bytes]:
    under = draw(st.sampled_from([b"=", b"-"])) * draw(st.integers(1, 4))
    indent = draw(st.sampled_from([b"", b" ", b"   ", b"    "]))
    return [prefix + draw(text(1, 3)), prefix + indent + under]


@st.composite
def fence(draw, prefix: bytes = b"") -> list[bytes]:
    char = draw(st.sampled_from([b"`", b"~"]))
    n = draw(st.integers(3, 5))
    indent = draw(st.sampled_from([b"", b"", b" ", b"   ", b"    "]))
    info = draw(st.sampled_from([b"", b"bash", b"md", b" python x", b"a`b"]))
    body = [prefix + draw(st.sampled_from([b"", b"  ", b"    "])) + draw(task_line_text()) for _ in range(draw(st.integers(0, 3)))]
    close = draw(
        st.sampled_from(
            [char * n, char * n, char * (n + 1), char * (n - 1), (b"~" if char == b"`" else b"`") * n, None, char * n + b" x"]
        )
    )
    lines = [prefix + indent + char * n + info, *body]
    if close is not None:
        lines.append(prefix + draw(st.sampled_from([b"", b" ", b"  "])) + close)
    return lines


@st.composite
def task_line_text(draw) -> bytes:
    """A line that looks like a task item (used inside code, HTML and comments)."""
    return draw(st.sampled_from(BULLETS)) + b" " + draw(st.sampled_from(CHECKBOXES)) + draw(text(0, 2))


@st.composite
def html_block(draw, prefix: bytes = b"") -> list[bytes]:
    kind = draw(st.sampled_from(["div", "comment", "comment1", "pre", "script", "details"]))
    inner = [prefix + draw(task_line_text()) for _ in range(draw(st.integers(0, 2)))]
    if kind == "div":
        return [prefix + b"<div>", *inner, prefix + b"</div>"]
    if kind == "details":
        return [prefix + b"<details><summary>x</summary>", b"", *inner, b"", prefix + b"</details>"]
    if kind == "comment":
        end = draw(st.sampled_from([[prefix + b"-->"], []]))
        return [prefix + b"<!--", *inner, *end]
    if kind == "comment1":
        return [prefix + b"<!-- " + draw(task_line_text()) + b" -->"]
    if kind == "pre":
        return [prefix + b"<pre>", *inner, prefix + b"</pre>"]
    return [prefix + b"<script>", *inner, prefix + b"</script>"]


@st.composite
def indented_code(draw, prefix: bytes = b"") -> list[bytes]:
    return [b"", *[prefix + b"    " + draw(task_line_text()) for _ in range(draw(st.integers(1, 2)))]]


@st.composite
def list_block(draw, prefix: bytes = b"", depth: int = 0) -> list[bytes]:
    lines: list[bytes] = []
    bullet = draw(st.sampled_from(BULLETS))
    lead = draw(st.sampled_from([b"", b"", b" ", b"  ", b"   "])) if depth == 0 else b""
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 4)) == 0:
            bullet = draw(st.sampled_from(BULLETS))
        gap = draw(st.sampled_from(GAPS))
        box = draw(st.sampled_from(CHECKBOXES))
        first = prefix + lead + bullet + gap + box + draw(text(0, 3))
        if draw(st.integers(0, 6)) == 0:  # an empty item, or a checkbox on the next line
            first = prefix + lead + bullet
            lines.append(first)
            lines.append(prefix + lead + b" " * (len(bullet) + 1) + box + draw(text(0, 2)))
        else:
            lines.append(first)
        inner = prefix + lead + draw(st.sampled_from([b" " * (len(bullet) + 1), b" " * (len(bullet) + 1), b"\t", b"  ", b"    "]))
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["detail", "lazy", "blank", "sub", "sub", "fence", "code", "quote", "label", "heading"]))
            if kind == "detail":
                lines.append(inner + b"- " + draw(text(1, 3)))
            elif kind == "label":
                lines.append(inner + b"- **Estimated Time**: " + draw(st.sampled_from([b"2 hours", b"[X hours]", b"90 minutes", b"1h30m"])))
            elif kind == "lazy":
                lines.append(prefix + draw(text(1, 2)))
            elif kind == "blank":
                lines.append(b"")
            elif kind == "sub" and depth < 3:
                lines += draw(list_block(inner, depth + 1))
            elif kind == "fence":
                lines += draw(fence(inner))
            elif kind == "code":
                lines += [b"", inner + b"    " + draw(task_line_text())]
            elif kind == "quote":
                lines.append(inner + b"> " + draw(task_line_text()))
            elif kind == "heading":
                lines += draw(atx_heading(inner))
        if draw(st.booleans()):
            lines.append(b"")
    return lines


@st.composite
def blockquote(draw) -> list[bytes]:
    prefix = draw(st.sampled_from([b"> ", b">", b"> > ", b">> "]))
    inner = draw(st.one_of(list_block(prefix), fence(prefix), atx_heading(prefix), st.just([prefix + draw(text(1, 3))])))
    if draw(st.booleans()):
        inner.append(draw(st.sampled_from([b"", draw(text(1, 2)), prefix.rstrip()])))
    return inner


@st.composite
def front_matter(draw) -> list[bytes]:
    opening = draw(st.sampled_from([b"---", b"---", b"----", b"--- ", b"---\t", b"---yaml"]))
    body = [
        draw(st.sampled_from([b"title: x", b"# yaml comment", b"tags: [a, b]", b"", b"  key: v", b"## not a heading"]))
        for _ in range(draw(st.integers(0, 3)))
    ]
    closing = draw(st.sampled_from([[b"---"], [b"---"], [b"..."], [b"----"], [b"  ---"], [b"---\x0c"], [b"-----"], []]))
    return [opening, *body, *closing]


def block():
    return st.one_of(
        atx_heading(),
        atx_heading(),
        setext_heading(),
        list_block(),
        list_block(),
        list_block(),
        fence(),
        html_block(),
        indented_code(),
        blockquote(),
        st.lists(text(1, 4), min_size=1, max_size=2),  # a paragraph
        st.sampled_from([[b"---"], [b"***"], [b"- - -"], [b""], [b""], [b"[ ] not in a list"], [b"-"], [b"1."]]),
    )


@st.composite
def markdown_lines(draw) -> list[bytes]:
    lines: list[bytes] = []
    if draw(st.integers(0, 4)) == 0:
        lines += draw(front_matter())
    for b in draw(st.lists(block(), min_size=1, max_size=8)):
        lines += b
    return lines


@st.composite
def markdown_bytes(draw) -> bytes:
    lines = draw(markdown_lines())
    main = draw(st.sampled_from([b"\n", b"\n", b"\r\n", b"\r"]))
    mixed = draw(st.booleans())
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i < len(lines) - 1 or draw(st.booleans()):
            out.append(draw(st.sampled_from([b"\n", b"\r\n", b"\r"])) if mixed and draw(st.integers(0, 3)) == 0 else main)
    data = b"".join(out)
    if draw(st.integers(0, 5)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@st.composite
def front_matter_bytes(draw) -> bytes:
    """A document that starts with front matter (or something that looks like it),
    with headings inside and after it: where cuts must not be taken inside."""
    lines = draw(front_matter())
    for b in draw(st.lists(st.one_of(atx_heading(), list_block(), st.just([b"---"]), setext_heading()), min_size=1, max_size=4)):
        lines += b
    return b"\n".join(lines) + b"\n"
