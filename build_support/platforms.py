"""Every platform-dependent choice of the extension build, as one pure function.

``make_plan`` maps a description of the build (host OS and CPU, target CPU, the Python's headers and
extension suffix, whether zig is at hand) to a ``BuildPlan``: Go's GOOS/GOARCH, the C compiler for
cgo, compiler and linker flags, the extension's file name, which checks apply to the result and
the wheel's platform tag. It reads nothing from the machine, so the macOS and cross-compiling
choices are unit-tested on Linux (python_tests/test_build_platforms.py).

Linux: zig (``python -m ziglang cc -target <arch>-linux-gnu.2.17``) links against glibc 2.17, so
the wheel is manylinux2014 without a manylinux container, for x86_64 and, cross-compiled, aarch64.
Without zig the host C compiler is used and the wheel keeps the plain ``linux_<arch>`` tag.
macOS: the Xcode command line tools' clang; ``-undefined dynamic_lookup`` leaves libpython out
(symbols come from the interpreter that loads the extension); no patchelf or readelf there.
Both: only ``PyInit__jarvisrs`` is exported, so a second Go runtime in the process cannot
interpose on this one's symbols (gopy issue #370).
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

MODULE_NAME = "_jarvisrs"
INIT_SYMBOL = "PyInit_" + MODULE_NAME
# manylinux2014 is glibc 2.17; zig links against exactly that symbol set.
GLIBC_FLOOR = (2, 17)

_GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
# The same CPU under each OS's own name (the extension suffix and the wheel tag use it).
_LINUX_CPU = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


class PlanError(ValueError):
    """The requested build cannot be made on this host; the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class BuildPlan:
    """How to compile the extension for one target (see ``make_plan``)."""

    goos: str
    goarch: str
    cc: Optional[Tuple[str, ...]]      # the C compiler command for cgo; None: Go's default (cc/clang)
    cflags: Tuple[str, ...]            # CGO_CFLAGS: Python's headers and optimisation
    ldflags: Tuple[str, ...]           # CGO_LDFLAGS for the final link
    export_file: Tuple[str, str]       # (file name, content) restricting the exported symbols
    ext_filename: str                  # e.g. _jarvisrs.cpython-311-aarch64-linux-gnu.so
    check_elf: bool                    # readelf checks (glibc floor, no RPATH, no libpython) apply
    max_glibc: Optional[Tuple[int, int]]  # newest GLIBC_x.y symbol version allowed, None: no limit
    wheel_platform: Optional[str]      # the wheel's platform tag; None: let bdist_wheel decide
    cross: bool                        # target CPU differs from the host's


def _cpu(machine: str) -> str:
    key = machine.lower()
    if key not in _GOARCH:
        raise PlanError(f"unsupported CPU {machine!r}: the extension is built for x86_64 and arm64/aarch64")
    return key


def target_ext_suffix(host_suffix: str, host_cpu: str, target_cpu: str) -> str:
    """The extension suffix for ``target_cpu`` given the host Python's (same version and OS).

    ``.cpython-311-x86_64-linux-gnu.so`` becomes ``.cpython-311-aarch64-linux-gnu.so``. macOS
    suffixes (``.cpython-311-darwin.so``) name no CPU and are returned unchanged.
    """
    host, target = _LINUX_CPU[_cpu(host_cpu)], _LINUX_CPU[_cpu(target_cpu)]
    if host == target or f"-{host}-" not in host_suffix:
        return host_suffix
    return host_suffix.replace(f"-{host}-", f"-{target}-")


def zig_target(cpu: str) -> str:
    """zig's target triple for a manylinux2014 build on ``cpu``: glibc 2.17 symbol versions."""
    return f"{_LINUX_CPU[_cpu(cpu)]}-linux-gnu.{GLIBC_FLOOR[0]}.{GLIBC_FLOOR[1]}"


def make_plan(platform: str, host_machine: str, ext_suffix: str, include_dirs: Sequence[str],
              target_machine: Optional[str] = None, zig: Optional[Sequence[str]] = None) -> BuildPlan:
    """Decide how to build the extension.

    platform: ``sys.platform`` of the build host ("linux" or "darwin"); host_machine:
    ``platform.machine()``; ext_suffix: the building Python's ``EXT_SUFFIX``; include_dirs: where
    the *target* Python's headers are (first wins); target_machine: the CPU to build for (None:
    the host's); zig: the command that runs zig (e.g. ``[python, "-m", "ziglang"]``), None if zig
    is not installed.
    """
    host_cpu = _cpu(host_machine)
    target_cpu = _cpu(target_machine or host_machine)
    goarch = _GOARCH[target_cpu]
    cross = goarch != _GOARCH[host_cpu]
    cflags = tuple(f"-I{d}" for d in include_dirs) + ("-O2", "-fPIC")

    if platform.startswith("linux"):
        cpu = _LINUX_CPU[target_cpu]
        if zig:
            cc: Optional[Tuple[str, ...]] = tuple(zig) + ("cc", "-target", zig_target(cpu))
            wheel_platform: Optional[str] = f"manylinux_2_17_{cpu}.manylinux2014_{cpu}"
            max_glibc: Optional[Tuple[int, int]] = GLIBC_FLOOR
        elif cross:
            raise PlanError(f"building for {cpu} on {_LINUX_CPU[host_cpu]} needs zig as the cross C compiler: "
                            "pip install ziglang")
        else:
            cc, wheel_platform, max_glibc = None, f"linux_{cpu}", None
        return BuildPlan(
            goos="linux", goarch=goarch, cc=cc, cflags=cflags, ldflags=(),
            export_file=("exports.map", f"{{ global: {INIT_SYMBOL}; local: *; }};\n"),
            ext_filename=MODULE_NAME + target_ext_suffix(ext_suffix, host_cpu, target_cpu),
            check_elf=True, max_glibc=max_glibc, wheel_platform=wheel_platform, cross=cross)

    if platform == "darwin":
        if cross:
            raise PlanError("on macOS the extension is built for the Mac's own CPU (cibuildwheel runs on "
                            "arm64 and x86_64 runners); cross-building needs the macOS SDK's frameworks")
        return BuildPlan(
            goos="darwin", goarch=goarch, cc=None, cflags=cflags,
            # libpython stays out: the interpreter that imports the extension provides its symbols.
            ldflags=("-Wl,-undefined,dynamic_lookup",),
            export_file=("exports.txt", f"_{INIT_SYMBOL}\n"),
            ext_filename=MODULE_NAME + ext_suffix,
            check_elf=False, max_glibc=None, wheel_platform=None, cross=False)

    raise PlanError(f"unsupported OS {platform!r}: the extension builds on Linux and macOS")


def export_ldflag(plan: BuildPlan, export_path: str) -> str:
    """The linker option that limits the exported symbols to the module's init function."""
    if plan.goos == "darwin":
        return f"-Wl,-exported_symbols_list,{export_path}"
    return f"-Wl,--version-script={export_path}"
