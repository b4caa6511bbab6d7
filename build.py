#!/usr/bin/env python3
"""Build and install jarvis_rust_extensions into the running Python (the original's build.py, reborn).

    python3 build.py            check prerequisites, build the wheel, install it, smoke-test it
    python3 build.py --demo     the same, then run `python -m jarvis_rust_extensions demo`
    python3 build.py --check    only check prerequisites
    python3 build.py --wheels   the release wheels: CPython 3.9-3.13 x (x86_64, aarch64), manylinux2014

The wheels land in dist/. The Go toolchain and the Python headers must be present; gopy and
goimports come from go.mod, pybindgen and zig (cgo's C compiler on Linux) from PyPI, all fetched
automatically.

`python -m build` from this directory would import this file as the `build` module; it hands such
calls to the real `build` package (pypa/build) instead.
"""

from __future__ import annotations

import argparse
import glob
import os
import runpy
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _run_pypa_build() -> None:
    """`python -m build ...` from the repository root: run pypa/build, not this script."""
    here = {HERE, os.getcwd(), ""}
    sys.path[:] = [p for p in sys.path if os.path.abspath(p) not in {os.path.abspath(h) for h in here if h} and p != ""]
    sys.modules.pop("build", None)
    try:
        runpy.run_module("build", run_name="__main__", alter_sys=True)
    except ImportError:
        sys.exit("`python -m build` needs the build package: pip install build "
                 "(this directory's build.py is the project's own script: python3 build.py --help)")


if __name__ == "__main__" and __spec__ is not None and __spec__.name == "build":
    _run_pypa_build()
    sys.exit(0)

sys.path.insert(0, HERE)

from build_support.gopy_build import check_prerequisites  # noqa: E402


def run(cmd: list[str], **kwargs) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the prerequisites")
    parser.add_argument("--demo", action="store_true", help="run the demo after installing")
    parser.add_argument("--wheels", action="store_true",
                        help="build the release wheels into dist/ (CPython 3.9-3.13, x86_64 and aarch64)")
    parser.add_argument("--python", nargs="+", metavar="3.X", help="with --wheels: only these CPython versions")
    parser.add_argument("--arch", nargs="+", choices=["x86_64", "aarch64"], help="with --wheels: only these CPUs")
    parser.add_argument("--arm64-include", action="append", default=[], metavar="3.X=DIR[:DIR]",
                        help="with --wheels: the arm64 Python headers of that version (default: the x86_64 ones)")
    parser.add_argument("--dist", metavar="DIR", help="with --wheels: write the wheels here instead of dist/")
    args = parser.parse_args()
    if args.wheels:
        return release_wheels(args)

    # pybindgen (and zig, cgo's C compiler on Linux) are installed into pip's isolated build
    # environment, so only the toolchain and the headers matter here.
    problems = [p for p in check_prerequisites() if "pybindgen" not in p
                and not (sys.platform.startswith("linux") and "C compiler" in p)]
    if problems:
        print("Missing prerequisites:", *problems, sep="\n  - ", file=sys.stderr)
        return 1
    print("prerequisites: Go toolchain, C compiler and Python headers found")
    if args.check:
        return 0

    dist = os.path.join(HERE, "dist")
    for old in glob.glob(os.path.join(dist, "jarvis_rust_extensions-*.whl")):
        os.remove(old)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, HERE])
    wheel = glob.glob(os.path.join(dist, "jarvis_rust_extensions-*.whl"))[0]
    # Replace this package even at the same version, but leave its dependencies (numpy) alone
    # unless they are missing.
    run([sys.executable, "-m", "pip", "install", "--force-reinstall", "--no-deps", wheel])
    run([sys.executable, "-m", "pip", "install", wheel])
    print(f"built {os.path.relpath(wheel, HERE)} and installed it into {sys.executable}")

    # Import from outside the source tree, so the installed copy is what gets checked.
    smoke = ("import jarvis_rust_extensions as j; t, a, p = j.get_system_memory_info(); "
             "print(f'jarvis_rust_extensions {j.__version__}: {t / 2**30:.1f} GiB total, {p:.1f}% used')")
    run([sys.executable, "-c", smoke], cwd=os.path.expanduser("~"))
    if args.demo:
        run([sys.executable, "-m", "jarvis_rust_extensions", "demo"], cwd=os.path.expanduser("~"))
    return 0


def release_wheels(args: argparse.Namespace) -> int:
    from build_support import release_wheels as rw
    headers = dict(item.split("=", 1) for item in args.arm64_include)
    try:
        rw.build_matrix(HERE, args.python or rw.VERSIONS, args.arch or rw.ARCHES, headers,
                        os.path.abspath(args.dist) if args.dist else None)
    except (rw.ReleaseError, subprocess.CalledProcessError) as exc:
        print(f"build.py --wheels failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
