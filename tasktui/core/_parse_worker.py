"""A worker process for tasktui.core.loader: reads (lines, ranges) frames on stdin,
parses each range with parse_one, writes the results back. Frames are an 8-byte
length and a pickle; the parent is tasktui itself."""

from __future__ import annotations

import pickle
import sys

from tasktui.doc.parse import parse_one


def _read_exact(stream, n: int) -> bytes:
    parts = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            return b""
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def main() -> None:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = _read_exact(inp, 8)
        if not header:
            return
        lines, ranges = pickle.loads(_read_exact(inp, int.from_bytes(header, "big")))
        results = [parse_one(lines, start, end) for start, end in ranges]
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "big"))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    main()
