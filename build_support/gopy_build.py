"""Generate the private CPython extension ``_jarvisrs`` from the Go package with gopy, then compile it.

Used by ``setup.py`` (every wheel and ``pip install``) and by ``build.py``. Everything it needs comes
from the project itself: gopy and goimports are pinned as tools in ``go.mod``; pybindgen and zig
(the ``ziglang`` package, Linux) are build requirements in ``pyproject.toml``.

The build has three stages, so that the compiler and its flags are ours, not gopy's:

1. ``generate_sources``: ``gopy gen`` writes the cgo stubs (``jarvisrs.go``) and pybindgen's
   script; the stubs' ``#cgo`` lines (the build machine's include and RPATH) are replaced, both
   files are put in a fixed order (``canonical_sources``: gopy's order changes run to run), the
   export header is made and pybindgen writes the C wrappers (``jarvisrs.c``).
2. ``patch_generated_sources``: the one place where gopy's generated sources are changed.
3. ``compile_extension``: ``go build -buildmode=c-shared`` with the plan's C compiler (zig on
   Linux, targeting glibc 2.17), GOOS/GOARCH, ``-trimpath`` and no symbols, then the ELF checks.

Every platform choice comes from ``platforms.make_plan``. Environment: ``JRX_TARGET_ARCH``
(``aarch64``/``x86_64``) cross-compiles; ``JRX_PYTHON_INCLUDE`` (``os.pathsep``-separated) names
the target Python's header directories (default: the building Python's).

Only the compiled extension is shipped. gopy's generated Python wrapper is deliberately left out:
it changes the working directory while importing and runs a full Go garbage collection after every
Python garbage collection (which also hangs a forked child). The facade calls ``_jarvisrs``
directly and manages handles itself.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from typing import Dict, List, Optional, Sequence

from . import canonical_sources, elf_checks
from .platforms import BuildPlan, PlanError, export_ldflag, make_plan

from . import patch_generated

GO_PACKAGE = "./jarvisrs"
EXTENSION_NAME = "jarvisrs"  # gopy -name: the C extension becomes _jarvisrs
# Go build tag that compiles the CPython fast paths (jarvisrs/pyaccel: C code calling the CPython
# API, no Python headers needed) into the extension. Without it the package still builds and
# Python falls back to slower pure-Python versions of the same calls.
CPYTHON_BUILD_TAG = "jarvis_cpython"
# The #cgo flags gopy writes besides the Python paths; pybindgen's wrappers need them.
_WRAPPER_CFLAGS = "-Wno-error -Wno-implicit-function-declaration -Wno-int-conversion"


class BuildError(RuntimeError):
    """A prerequisite is missing or a build step failed; the message names which."""


def _run(cmd: Sequence[str], cwd: str, env: Dict[str, str]) -> None:
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(list(cmd), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        raise BuildError(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed with exit code {proc.returncode}")


def zig_command() -> Optional[List[str]]:
    """The command that runs zig from the ``ziglang`` package, or None when it is not installed."""
    try:
        import ziglang  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "ziglang"]


def include_dirs() -> List[str]:
    """The target Python's header directories: JRX_PYTHON_INCLUDE, else the building Python's."""
    override = os.environ.get("JRX_PYTHON_INCLUDE")
    if override:
        return [d for d in override.split(os.pathsep) if d]
    return [sysconfig.get_paths()["include"]]


def current_plan() -> BuildPlan:
    """The plan for this interpreter, this host and JRX_TARGET_ARCH."""
    try:
        return make_plan(sys.platform, platform.machine(), sysconfig.get_config_var("EXT_SUFFIX"),
                         include_dirs(), os.environ.get("JRX_TARGET_ARCH") or None, zig_command())
    except PlanError as exc:
        raise BuildError(str(exc)) from exc


def check_prerequisites(plan: Optional[BuildPlan] = None) -> List[str]:
    """Return a list of human-readable problems (empty when the build can proceed)."""
    problems = []
    if shutil.which("go") is None:
        problems.append("the Go toolchain (`go`) is not on PATH: install Go 1.26 or newer from your distribution or go.dev")
    try:
        plan = plan or current_plan()
    except BuildError as exc:
        return problems + [str(exc)]
    if not any(os.path.exists(os.path.join(d, "Python.h")) for d in include_dirs()):
        problems.append(f"the Python development headers are missing (no Python.h in {include_dirs()}): "
                        "install python3-dev (Linux) or use a python.org / Homebrew Python (macOS)")
    try:
        __import__("pybindgen")
    except ImportError:
        problems.append("the Python package `pybindgen` is missing: pip install pybindgen")
    if plan.cc is None and shutil.which("cc") is None and shutil.which("gcc") is None and shutil.which("clang") is None:
        hint = "xcode-select --install" if plan.goos == "darwin" else "install gcc, or pip install ziglang"
        problems.append(f"a C compiler is needed by cgo: {hint}")
    if plan.check_elf and plan.max_glibc is not None and shutil.which("readelf") is None:
        problems.append("readelf (binutils) checks the manylinux promise of the extension: install binutils")
    return problems


def _go_env(plan: BuildPlan, work: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(CGO_ENABLED="1", GOOS=plan.goos, GOARCH=plan.goarch,
               CGO_CFLAGS=" ".join(shlex.quote(f) for f in plan.cflags))
    export_name, export_text = plan.export_file
    export_path = os.path.join(work, export_name)
    with open(export_path, "w") as f:
        f.write(export_text)
    env["CGO_LDFLAGS"] = " ".join(shlex.quote(f) for f in plan.ldflags + (export_ldflag(plan, export_path),))
    if plan.cc is not None:
        env["CC"] = " ".join(shlex.quote(part) for part in plan.cc)
    return env


def _replace_cgo_directives(go_file: str) -> None:
    """Drop the build machine's Python paths and RPATH from the stubs' ``#cgo`` lines.

    The include directories and linker flags come from the plan (CGO_CFLAGS/CGO_LDFLAGS) instead.
    """
    with open(go_file) as f:
        text = f.read()
    text, n_c = re.subn(r"(?m)^#cgo CFLAGS: .*$", "#cgo CFLAGS: " + _WRAPPER_CFLAGS, text)
    text, n_ld = re.subn(r"(?m)^#cgo LDFLAGS: .*\n", "", text)
    if (n_c, n_ld) != (1, 1):
        raise BuildError(f"gopy's stubs changed shape: expected one #cgo CFLAGS and one LDFLAGS line in {go_file}")
    with open(go_file, "w") as f:
        f.write(text)


def _rewrite(path: str, change) -> None:
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(change(text))


def generate_sources(project_dir: str, work: str, plan: BuildPlan) -> None:
    """Stage 1: gopy's cgo stubs, the Go export header and pybindgen's C wrappers, in ``work``."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="jrx-tools-") as tools:
        _run(["go", "build", "-o", os.path.join(tools, "goimports"), "golang.org/x/tools/cmd/goimports"], project_dir, env)
        env["PATH"] = tools + os.pathsep + env.get("PATH", "")
        _run(["go", "tool", "gopy", "gen", f"-vm={sys.executable}", f"-output={os.path.relpath(work, project_dir)}",
              f"-name={EXTENSION_NAME}", f"-build-tags={CPYTHON_BUILD_TAG}", "-dynamic-link=true", "-no-make=true", GO_PACKAGE],
             project_dir, env)
        go_file = os.path.join(work, EXTENSION_NAME + ".go")
        _run(["goimports", "-w", go_file], work, env)
    _replace_cgo_directives(go_file)
    _rewrite(go_file, canonical_sources.sort_go_declarations)
    _rewrite(os.path.join(work, "build.py"), canonical_sources.sort_registrations)
    # The C wrappers include the header cgo writes for the exported Go functions; a c-archive
    # build makes it without linking.
    _run(["go", "build", "-buildmode=c-archive", "-tags", CPYTHON_BUILD_TAG, "-trimpath", "-buildvcs=false", "-o", EXTENSION_NAME + "_go.a", "."], work,
         _go_env(plan, work))
    _run([sys.executable, "build.py"], work, env)
    if not os.path.exists(os.path.join(work, EXTENSION_NAME + ".c")):
        raise BuildError("pybindgen did not write " + EXTENSION_NAME + ".c")


def patch_generated_sources(work: str) -> None:
    """Stage 2, the hook point: changes to gopy's generated sources (``jarvisrs.go``, ``jarvisrs.c``
    in ``work``) go here, after generation and before compilation: the wrappers' handle lookups are
    mended so an unknown handle raises instead of returning with the GIL released
    (``patch_generated``)."""
    patch_generated.patch_file(os.path.join(work, EXTENSION_NAME + ".go"))


def compile_extension(work: str, plan: BuildPlan) -> str:
    """Stage 3: link the extension in ``work`` (stripped, no build paths, no build id); return its path."""
    target = os.path.join(work, plan.ext_filename)
    _run(["go", "build", "-buildmode=c-shared", "-tags", CPYTHON_BUILD_TAG, "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=",
          "-o", plan.ext_filename, "."], work, _go_env(plan, work))
    if plan.check_elf and (plan.max_glibc is not None or shutil.which("readelf")):
        try:
            versions = elf_checks.check_extension(target, plan.max_glibc)
        except elf_checks.ElfCheckError as exc:
            raise BuildError(str(exc)) from exc
        newest = ".".join(map(str, versions[-1])) if versions else "none"
        print(f"checked {plan.ext_filename}: stripped, no RPATH, no libpython, newest glibc symbol {newest}", flush=True)
    return target


def build_extension(project_dir: str, out_dir: str) -> str:
    """Build ``_jarvisrs`` for this interpreter (and JRX_TARGET_ARCH) into ``out_dir``; return its path."""
    plan = current_plan()
    problems = check_prerequisites(plan)
    if problems:
        raise BuildError("cannot build jarvis_rust_extensions:\n  - " + "\n  - ".join(problems))
    # Underscore: `go vet ./...` and `go test ./...` skip the generated code.
    work = os.path.join(project_dir, "_build", f"gopy-{plan.goos}-{plan.goarch}-{sysconfig.get_config_var('SOABI')}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    generate_sources(project_dir, work, plan)
    patch_generated_sources(work)
    built = compile_extension(work, plan)
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, plan.ext_filename)
    shutil.copyfile(built, target)
    os.chmod(target, 0o755)
    print(f"built {target} ({os.path.getsize(target) / 1e6:.2f} MB)", flush=True)
    return target
