"""Checks on the built Linux extension, read with ``readelf`` (binutils reads any CPU's ELF).

A wheel tagged manylinux2014 must need nothing newer than glibc 2.17, link no libpython and carry
no RPATH into the build machine; a release extension is stripped. ``check_extension`` fails the
build loudly when any of that is false, for x86_64 and cross-built aarch64 alike.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import List, Optional, Tuple

_GLIBC = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")


class ElfCheckError(RuntimeError):
    """The extension breaks a rule its wheel tag promises; the message lists every problem."""


def glibc_versions(version_info: str) -> List[Tuple[int, ...]]:
    """Every GLIBC_x.y[.z] symbol version named in ``readelf -V`` output, sorted, no repeats."""
    found = {tuple(int(p) for p in m.groups() if p is not None) for m in _GLIBC.finditer(version_info)}
    return sorted(found)


def problems(dynamic: str, version_info: str, sections: str, max_glibc: Optional[Tuple[int, int]]) -> List[str]:
    """What is wrong, given ``readelf -d``, ``readelf -V`` and ``readelf -S`` output (empty: all good)."""
    found = []
    for line in dynamic.splitlines():
        if "(NEEDED)" in line and "libpython" in line:
            found.append("links libpython: " + line.strip())
        if "(RPATH)" in line or "(RUNPATH)" in line:
            found.append("carries a search path: " + line.strip())
    if max_glibc is not None:
        too_new = [v for v in glibc_versions(version_info) if v[:2] > max_glibc]
        if too_new:
            names = ", ".join("GLIBC_" + ".".join(map(str, v)) for v in too_new)
            found.append(f"needs glibc newer than {max_glibc[0]}.{max_glibc[1]}: {names}")
    if re.search(r"\]\s+\.(symtab|debug_info)\s", sections):
        found.append("is not stripped (.symtab or .debug_info present)")
    return found


def readelf(*args: str) -> str:
    """Run readelf and return its output."""
    exe = shutil.which("readelf")
    if exe is None:
        raise ElfCheckError("readelf (binutils) is needed to check the extension: apt-get install binutils")
    return subprocess.run([exe, "-W", *args], check=True, capture_output=True, text=True).stdout


def check_extension(path: str, max_glibc: Optional[Tuple[int, int]]) -> List[Tuple[int, ...]]:
    """Raise ElfCheckError unless ``path`` passes every check; return its glibc versions."""
    version_info = readelf("-V", path)
    found = problems(readelf("-d", path), version_info, readelf("-S", path), max_glibc)
    if found:
        raise ElfCheckError(f"{path}:\n  - " + "\n  - ".join(found))
    return glibc_versions(version_info)
