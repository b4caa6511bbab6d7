"""Packaging contract: what is installed, how it imports, what it links, and what it never does."""

import os
import subprocess
import sys
import glob

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


def test_extension_does_not_link_libpython_or_carry_an_rpath():
    dyn = _dynamic_section(_extension_path())
    needed = [line for line in dyn.splitlines() if "(NEEDED)" in line]
    assert needed, dyn
    assert not any("libpython" in line for line in needed), needed
    assert "RPATH" not in dyn and "RUNPATH" not in dyn


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
