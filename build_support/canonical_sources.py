"""Put gopy's generated sources in one fixed order, so that a commit always builds the same bytes.

gopy v0.5.0 walks Go maps while generating, so the order of the struct wrappers, constructors and
handle helpers in ``jarvisrs.go`` and of the function registrations in pybindgen's ``build.py``
(hence of the wrappers in ``jarvisrs.c``) changes from run to run; the compiled extension changes
with it. Neither order means anything: Go top-level declarations may come in any order, and each
registration line is independent. So:

- ``sort_go_declarations``: inside each ``// ---- Section ---`` of the stubs, the
  ``// --- wrapping X ---`` blocks are sorted by their heading, and declarations outside such
  blocks are sorted by their text.
- ``sort_registrations``: the one-line ``mod.add_function(...)`` / ``add_checked_*function(mod, ...)``
  registrations of build.py are sorted by function name.
"""

from __future__ import annotations

import re
from typing import List

_SECTION = re.compile(r"^// ---- .* ---$")
_BLOCK = re.compile(r"^// --- wrapping .* ---$")
_REGISTRATION = re.compile(r"^(?:mod\.add_function|add_checked\w*_function)\(\s*(?:mod,\s*)?'([^']+)'")


def _units(lines: List[str]) -> List[List[str]]:
    """Split lines into top-level declarations: a unit starts at column 0 after a blank line."""
    units: List[List[str]] = []
    for i, line in enumerate(lines):
        starts = line.strip() != "" and not line[0].isspace() and line[0] not in "})" and (i == 0 or lines[i - 1].strip() == "")
        if starts or not units:
            units.append([])
        units[-1].append(line)
    return units


def _sorted_units(lines: List[str]) -> List[str]:
    units = _units(lines)
    body = [u for u in units if any(line.strip() for line in u)]
    trailing = sum((u for u in units if not any(line.strip() for line in u)), [])
    out = []
    for unit in sorted(body, key=lambda u: "\n".join(u).strip()):
        while unit and unit[-1].strip() == "":
            unit = unit[:-1]
        out.extend(unit + [""])
    return out + ([] if out else trailing)


def _sort_section(lines: List[str]) -> List[str]:
    starts = [i for i, line in enumerate(lines) if _BLOCK.match(line)]
    if not starts:
        return _sorted_units(lines)
    head, blocks = lines[:starts[0]], []
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        blocks.append(lines[a:b])
    tail: List[str] = []
    # Declarations after the last block's own code belong to it; keep blocks whole and sort them.
    return head + sum(sorted(blocks, key=lambda blk: blk[0]), tail)


def sort_go_declarations(text: str) -> str:
    """The stubs with the declarations of every section in a fixed order (see the module doc)."""
    lines = text.split("\n")
    marks = [i for i, line in enumerate(lines) if _SECTION.match(line)]
    if not marks:
        return text
    out = lines[:marks[0] + 1]
    for a, b in zip(marks, marks[1:] + [len(lines)]):
        if a != marks[0]:
            out.append(lines[a])
        section = lines[a + 1:b]
        lead = []
        while section and section[0].strip() == "":
            lead.append(section.pop(0))
        out.extend(lead + _sort_section(section) if section else lead)
    return "\n".join(out).rstrip("\n") + "\n"


def sort_registrations(text: str) -> str:
    """build.py with its consecutive registration lines sorted by function name."""
    lines = text.split("\n")
    out: List[str] = []
    run: List[str] = []
    for line in lines + [None]:  # type: ignore[list-item]
        m = _REGISTRATION.match(line) if line is not None else None
        if m:
            run.append(line)
            continue
        out.extend(sorted(run, key=lambda l: (_REGISTRATION.match(l).group(1), l)))
        run = []
        if line is not None:
            out.append(line)
    return "\n".join(out)
