"""Packaging contract: what is installed, how it imports, what it links, and what it never does."""

import glob
import os
import platform
import re
import subprocess
import sys
import sysconfig

import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _native

ORIGINAL_NAMES = ["RustMemoryMonitor", "RustModelLoader", "compress_data_lz4", "decompress_data_lz4",
                  "get_system_memory_info"]


def _extension_path():
    found = glob.glob(os.path.join(os.path.dirname(jre.__file__), "_gopy", "_jarvisrs*.so"))
    assert len(found) == 1, found
    return found[0]


def test_the_original_names_import_as_callers_write_them():
    code = ("import jarvis_rust_extensions\n"
            "from jarvis_rust_extensions import RustMemoryMonitor, RustModelLoader\n"
            "from jarvis_rust_extensions import compress_data_lz4, decompress_data_lz4, get_system_memory_info\n")
    exec(compile(code, "<caller>", "exec"), {})
    for name in ORIGINAL_NAMES:
        assert name in jre.__all__


def test_installed_copy_is_the_one_under_test(repo_root):
    # The suite must exercise the wheel, not the source folder (which has no compiled extension).
    assert not os.path.dirname(jre.__file__).startswith(os.path.join(repo_root, "jarvis_rust_extensions"))


def test_import_leaves_the_working_directory_alone(tmp_path):
    code = "import os; before = os.getcwd(); import jarvis_rust_extensions; print(before == os.getcwd(), os.getcwd())"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "True", out.stdout


def test_import_works_from_any_directory(tmp_path):
    code = "import jarvis_rust_extensions as j; print(j.get_system_memory_info()[0] > 0)"
    for cwd in (tmp_path, "/"):
        out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "True"


def test_import_does_not_hook_the_garbage_collector():
    code = "import gc; n = len(gc.callbacks); import jarvis_rust_extensions; print(len(gc.callbacks) - n)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def _dynamic_section(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    return out


@pytest.mark.skipif(sys.platform != "darwin", reason="Mach-O facts: macOS only (the wheel workflow runs it)")
def test_macos_extension_does_not_link_libpython():
    # -undefined dynamic_lookup: the interpreter that imports the extension provides Python's symbols.
    libs = subprocess.run(["otool", "-L", _extension_path()], capture_output=True, text=True, check=True).stdout
    assert "libpython" not in libs and "Python.framework" not in libs, libs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF facts: Linux only")
def test_extension_does_not_link_libpython_or_carry_an_rpath():
    dyn = _dynamic_section(_extension_path())
    needed = [line for line in dyn.splitlines() if "(NEEDED)" in line]
    assert needed, dyn
    assert not any("libpython" in line for line in needed), needed
    assert "RPATH" not in dyn and "RUNPATH" not in dyn


def _wheel_tags():
    from importlib.metadata import distribution
    wheel = distribution("jarvis_rust_extensions").read_text("WHEEL") or ""
    return [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF facts: Linux only")
def test_extension_is_stripped_and_meets_its_wheel_tag():
    # A manylinux2014 wheel must need nothing newer than glibc 2.17 (zig links against it); the
    # build checks this too, this checks the installed copy whatever built it.
    path = _extension_path()
    versions = subprocess.run(["readelf", "-W", "-V", path], capture_output=True, text=True, check=True).stdout
    sections = subprocess.run(["readelf", "-W", "-S", path], capture_output=True, text=True, check=True).stdout
    assert " .symtab " not in sections and " .debug_info " not in sections
    tags = _wheel_tags()
    assert tags, "no Tag in the installed WHEEL file"
    if any("manylinux_2_17_" in t for t in tags):
        glibc = sorted({tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_([0-9.]+[0-9])", versions)})
        assert glibc and glibc[-1][:2] <= (2, 17), glibc
        assert any(t.endswith("manylinux2014_" + platform.machine()) for t in tags), tags


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF facts: Linux only")
def test_extension_is_built_for_this_cpu_and_python():
    path = _extension_path()
    header = subprocess.run(["readelf", "-h", path], capture_output=True, text=True, check=True).stdout
    machine = {"x86_64": "X86-64", "aarch64": "AArch64"}[platform.machine()]
    assert re.search(r"Machine:\s+.*" + machine, header), header
    assert os.path.basename(path) == "_jarvisrs" + sysconfig.get_config_var("EXT_SUFFIX")


def test_generated_wrapper_is_not_shipped():
    # gopy's own Python wrapper changes the working directory and hooks the GC: it stays out.
    gopy_dir = os.path.dirname(_extension_path())
    assert sorted(os.listdir(gopy_dir)) in (["__init__.py", os.path.basename(_extension_path())],
                                            ["__init__.py", "__pycache__", os.path.basename(_extension_path())])


def test_stubs_and_py_typed_are_installed():
    pkg = os.path.dirname(jre.__file__)
    assert os.path.exists(os.path.join(pkg, "py.typed"))
    assert os.path.exists(os.path.join(pkg, "__init__.pyi"))


def test_a_go_panic_becomes_an_exception_not_a_crash():
    with pytest.raises(RuntimeError, match="internal error"):
        _native.call("jarvisrs_DiagnosticPanic", "deliberate")
    assert jre.get_system_memory_info()[0] > 0  # and the interpreter carries on


def test_unknown_go_errors_stay_runtime_errors():
    from jarvis_rust_extensions._errors import translate
    plain = RuntimeError("no code here")
    assert translate(plain) is plain
    assert type(translate(RuntimeError("[jrx:value] bad"))) is ValueError
    assert type(translate(RuntimeError("[jrx:os:2] missing"), filename="/x")) is FileNotFoundError
