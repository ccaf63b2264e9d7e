"""Cycles in a graph of what waits for what: its strongly connected parts
(Tarjan's algorithm, without recursion) and, in each, a few different shortest
cycles, with the names a reader knows their nodes by.

A graph is a list of edges per node, each edge a (node waited for, kind)
pair; the caller says what a node is called (``name``: None for the nodes a
reader never sees) and puts a cycle in words (tasktui.doc.dependencies builds
the graph of a file's stated order and reports its cycles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

Edges = list[list[tuple[int, str]]]


@dataclass(frozen=True, slots=True)
class Cycle:
    """One way from a node back to itself."""

    path: tuple[int, ...]  # the nodes, from the first back to it
    kinds: frozenset[str]  # the kinds of the edges it takes
    names: tuple[str, ...]  # the named nodes along it, a name repeated in a row said once


def find_cycles(edges: Edges, name: Callable[[int], str | None], most: int = 5, tries: int = 50) -> list[Cycle]:
    """Every strongly connected part of the graph that holds a cycle, each with up to
    ``most`` different cycles: the shortest through each of its nodes in turn (lowest
    first, at most ``tries`` of them), each set of names once."""
    out: list[Cycle] = []
    for part in strongly_connected(edges):
        if len(part) == 1 and not any(d == part[0] for d, _ in edges[part[0]]):
            continue
        out += _cycles_through(part, edges, name, most, tries)
    return out


def _cycles_through(part: list[int], edges: Edges, name: Callable[[int], str | None], most: int,
                    tries: int) -> list[Cycle]:
    inside = set(part)
    seen: set[frozenset[str]] = set()
    out: list[Cycle] = []
    for tried, first in enumerate(sorted(part)):
        if len(out) >= most or tried >= tries:
            break
        cycle = shortest_cycle(first, inside, edges)
        if cycle is None:
            continue
        path, kinds = cycle
        shown: list[str] = []
        for x in path:
            called = name(x)
            if called is not None and (not shown or shown[-1] != called):
                shown.append(called)
        key = frozenset(shown)
        if key in seen:
            continue
        seen.add(key)
        out.append(Cycle(tuple(path), frozenset(kinds), tuple(shown)))
    return out


def shortest_cycle(first: int, inside: set[int], edges: Edges) -> tuple[list[int], set[str]] | None:
    """The shortest way from ``first`` back to itself within ``inside`` (breadth first)."""
    prev: dict[int, tuple[int, str]] = {}
    queue = [first]
    found = None
    for node in queue:
        for d, why in edges[node]:
            if d not in inside:
                continue
            if d == first:
                found = (node, why)
                break
            if d not in prev:
                prev[d] = (node, why)
                queue.append(d)
        if found:
            break
    if found is None:
        return None
    path = [first]
    kinds = {found[1]}
    node = found[0]
    while node != first:
        path.append(node)
        node, why = prev[node]
        kinds.add(why)
    path.append(first)
    path.reverse()
    return path, kinds


def strongly_connected(edges: Edges) -> list[list[int]]:
    """Tarjan's algorithm without recursion: the strongly connected components."""
    n = len(edges)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1 or not edges[root]:
            continue
        work = [(root, 0)]
        while work:
            v, pos = work[-1]
            if pos == 0 and index[v] == -1:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            if pos < len(edges[v]):
                work[-1] = (v, pos + 1)
                w = edges[v][pos][0]
                if index[w] == -1:
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    part.append(w)
                    if w == v:
                        break
                out.append(part)
    return out
