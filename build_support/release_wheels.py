"""The release matrix behind ``python3 build.py --wheels``: CPython 3.9-3.13 x (x86_64, aarch64).

One set of build tools (setuptools, wheel, pybindgen and zig, the versions pyproject.toml's
[build-system] names) is pip-installed once into ``_build/wheel-tools`` and put on PYTHONPATH for
every build, so ten wheels do not install zig ten times. Each wheel is built by its own CPython
(pip wheel --no-build-isolation); aarch64 ones are cross-compiled by the x86_64 CPython of the same
version with ``JRX_TARGET_ARCH=aarch64``. Every wheel is then normalized (reproducible), checked
(the extension's glibc floor by readelf during the build; ``auditwheel show`` when auditwheel is
installed, for the host's CPU) and its size printed.

Headers for aarch64: CPython's C API headers do not depend on the CPU; only pyconfig.h does, and
the values this extension's code depends on (type sizes and alignment, byte order) are the same on
x86_64 and aarch64 Linux (both LP64, little-endian). So the x86_64 headers of the same version are
used, except where the real arm64 headers are given (``--arm64-include VERSION=DIR[:DIR]``, e.g.
Debian's python3.11-dev:arm64, which .ci uses for 3.11).
"""

from __future__ import annotations

import glob
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from typing import Dict, List, Optional, Sequence

from . import wheel_files

VERSIONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
# Exact releases of the build tools that write the wheel (its WHEEL file names the setuptools
# version), so a commit builds the same bytes later too; pip constraints on top of pyproject's.
TOOL_PINS = ("setuptools==80.9.0", "wheel==0.45.1", "pybindgen==0.22.1", "ziglang==0.17.1")
ARCHES = ("x86_64", "aarch64")


class ReleaseError(RuntimeError):
    """The matrix cannot be built or a wheel fails a check; the message says which."""


def run(cmd: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(list(cmd), check=True, **kwargs)


def find_python(version: str) -> str:
    """The CPython ``version`` (e.g. "3.11"): pyenv's newest patch release, else python3.X on PATH."""
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = glob.glob(os.path.join(pyenv_root, "versions", version + ".*", "bin", "python"))
    candidates = [c for c in candidates if re.fullmatch(re.escape(version) + r"\.\d+", c.split(os.sep)[-3])]
    if candidates:
        return max(candidates, key=lambda c: int(c.split(os.sep)[-3].split(".")[2]))
    found = shutil.which("python" + version)
    if found:
        return found
    raise ReleaseError(f"CPython {version} not found (pyenv install {version}, or put python{version} on PATH)")


def build_requirements(project_dir: str) -> List[str]:
    """The requirement strings of pyproject.toml's [build-system] (one source of truth)."""
    with open(os.path.join(project_dir, "pyproject.toml")) as f:
        text = f.read()
    block = re.search(r"^\[build-system\].*?^requires\s*=\s*\[(.*?)\]", text, re.S | re.M)
    if not block:
        raise ReleaseError("pyproject.toml has no [build-system] requires")
    return re.findall(r'"([^"]+)"', block.group(1))


def install_tools(project_dir: str, oldest_python: str) -> str:
    """pip-install the build requirements once into _build/wheel-tools; return that directory.

    The oldest CPython of the matrix installs them, so pip picks releases every version can run.
    """
    tools = os.path.join(project_dir, "_build", "wheel-tools")
    stamp = os.path.join(tools, ".requirements")
    # Pinned pure-Python releases: whichever CPython installed them, the files are the same.
    wanted = "\n".join([*build_requirements(project_dir), *TOOL_PINS])
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return tools
    shutil.rmtree(tools, ignore_errors=True)
    os.makedirs(tools)
    constraints = os.path.join(tools, ".constraints.txt")
    with open(constraints, "w") as f:
        f.write("\n".join(TOOL_PINS) + "\n")
    run([oldest_python, "-m", "pip", "install", "-q", "--target", tools, "-c", constraints,
         *build_requirements(project_dir)])
    with open(stamp, "w") as f:
        f.write(wanted)
    return tools


def source_date_epoch(project_dir: str) -> Optional[int]:
    """SOURCE_DATE_EPOCH if set, else the last commit's time (so a commit builds the same bytes)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project_dir, capture_output=True, text=True)
    except OSError:
        return None
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def build_one(project_dir: str, python: str, arch: str, tools: str, out_dir: str, epoch: Optional[int],
              include: Optional[str]) -> str:
    """Build one wheel with ``python`` for ``arch`` into ``out_dir``; return its path."""
    env = dict(os.environ, PYTHONPATH=tools, JRX_TARGET_ARCH=arch, PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("JRX_PYTHON_INCLUDE", None)
    if include:
        env["JRX_PYTHON_INCLUDE"] = include
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    tmp = os.path.join(project_dir, "_build", "wheel-out")
    shutil.rmtree(tmp, ignore_errors=True)
    run([python, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps", "-w", tmp, project_dir],
        env=env, cwd=project_dir)
    built = glob.glob(os.path.join(tmp, "*.whl"))
    if len(built) != 1:
        raise ReleaseError(f"expected one wheel from {python} for {arch}, got {built}")
    wheel_files.normalize(built[0], epoch)
    target = os.path.join(out_dir, os.path.basename(built[0]))
    os.replace(built[0], target)
    return target


def expected_tag(arch: str) -> str:
    return f"manylinux_2_17_{arch}.manylinux2014_{arch}"


def check_wheel(path: str, arch: str) -> None:
    """The wheel carries the manylinux2014 tag in its name and WHEEL file, and one extension."""
    name = os.path.basename(path)
    if not name.endswith(f"-{expected_tag(arch)}.whl"):
        raise ReleaseError(f"{name} is not tagged {expected_tag(arch)}")
    with zipfile.ZipFile(path) as z:
        wheel_meta = next(z.read(n).decode() for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
    for plat in expected_tag(arch).split("."):
        if f"-{plat}\n" not in wheel_meta:
            raise ReleaseError(f"{name}: WHEEL does not list {plat}:\n{wheel_meta}")
    exts = wheel_files.extension_sizes(path)
    if len(exts) != 1 or f"-{arch}-linux-gnu.so" not in exts[0][0]:
        raise ReleaseError(f"{name}: expected one {arch} extension, found {exts}")


def auditwheel_show(path: str) -> Optional[str]:
    """``auditwheel show``'s verdict for the wheel, or None when auditwheel is not installed."""
    try:
        import auditwheel  # noqa: F401
    except ImportError:
        return None
    out = subprocess.run([sys.executable, "-m", "auditwheel", "show", path], capture_output=True, text=True)
    if out.returncode != 0:
        raise ReleaseError(f"auditwheel show {path} failed:\n{out.stdout}{out.stderr}")
    text = " ".join(out.stdout.split())
    # auditwheel names the oldest policy the wheel meets (manylinux_2_5 includes manylinux_2_17).
    m = re.search(r'consistent with the following platform tag: "manylinux_(\d+)_(\d+)_', text)
    if not m or (int(m.group(1)), int(m.group(2))) > (2, 17):
        raise ReleaseError(f"auditwheel does not confirm manylinux_2_17 for {path}:\n{out.stdout}")
    return text


def build_matrix(project_dir: str, versions: Sequence[str], arches: Sequence[str],
                 arm64_include: Dict[str, str], dist: Optional[str] = None) -> List[str]:
    """Build every (version, arch) wheel into ``dist`` (default dist/), check it and print its size."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        raise ReleaseError("the release matrix is built on Linux x86_64 (macOS wheels: .github/workflows/wheels.yml)")
    pythons = {v: find_python(v) for v in versions}
    tools = install_tools(project_dir, pythons[min(versions, key=lambda v: tuple(map(int, v.split("."))))])
    epoch = source_date_epoch(project_dir)
    dist = dist or os.path.join(project_dir, "dist")
    os.makedirs(dist, exist_ok=True)
    for old in glob.glob(os.path.join(dist, "jarvis_rust_extensions-*.whl")):
        os.remove(old)
    built = []
    for version in versions:
        for arch in arches:
            include = arm64_include.get(version) if arch == "aarch64" else None
            print(f"\n=== CPython {version} {arch}" + (f" (headers {include})" if include else ""), flush=True)
            path = build_one(project_dir, pythons[version], arch, tools, dist, epoch, include)
            check_wheel(path, arch)
            if arch == platform.machine():
                verdict = auditwheel_show(path)
                print("auditwheel:", "not installed (pip install auditwheel)" if verdict is None else verdict)
            built.append(path)
    print("\nwheels (SOURCE_DATE_EPOCH=%s):" % epoch)
    for path in built:
        (ext, ext_size), = wheel_files.extension_sizes(path)
        print(f"  {os.path.getsize(path) / 1e6:6.2f} MB  {os.path.basename(path)}  "
              f"(extension {ext_size / 1e6:.2f} MB)")
    return built
