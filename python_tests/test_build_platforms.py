"""The build's platform choices (build_support/platforms.py) for every target, macOS included.

No Mac is here: the choices are a pure function, so its darwin answers are checked directly. The
readelf verdicts and the wheel normalization are checked on made-up inputs the same way.
"""

import os
import sys
import zipfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.append(REPO)  # last: the installed package and its metadata stay first

from build_support import elf_checks, wheel_files  # noqa: E402
from build_support.platforms import PlanError, export_ldflag, make_plan, target_ext_suffix  # noqa: E402

ZIG = ["/py", "-m", "ziglang"]
LINUX_SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def test_linux_x86_64_with_zig_is_manylinux2014():
    plan = make_plan("linux", "x86_64", LINUX_SUFFIX, ["/inc"], zig=ZIG)
    assert (plan.goos, plan.goarch, plan.cross) == ("linux", "amd64", False)
    assert plan.cc == ("/py", "-m", "ziglang", "cc", "-target", "x86_64-linux-gnu.2.17")
    assert plan.wheel_platform == "manylinux_2_17_x86_64.manylinux2014_x86_64"
    assert plan.max_glibc == (2, 17) and plan.check_elf
    assert plan.ext_filename == "_jarvisrs.cpython-311-x86_64-linux-gnu.so"
    assert plan.cflags[0] == "-I/inc" and "-ffast-math" not in plan.cflags
    assert plan.ldflags == ()  # no libpython, no RPATH
    assert plan.export_file == ("exports.map", "{ global: PyInit__jarvisrs; local: *; };\n")
    assert export_ldflag(plan, "/w/exports.map") == "-Wl,--version-script=/w/exports.map"


def test_linux_cross_build_for_aarch64():
    plan = make_plan("linux", "x86_64", LINUX_SUFFIX, ["/arm/inc", "/arm"], target_machine="aarch64", zig=ZIG)
    assert (plan.goarch, plan.cross) == ("arm64", True)
    assert plan.cc[-1] == "aarch64-linux-gnu.2.17"
    assert plan.ext_filename == "_jarvisrs.cpython-311-aarch64-linux-gnu.so"
    assert plan.wheel_platform == "manylinux_2_17_aarch64.manylinux2014_aarch64"
    assert plan.cflags[:2] == ("-I/arm/inc", "-I/arm")


def test_linux_without_zig_uses_the_host_compiler_and_promises_nothing():
    plan = make_plan("linux", "x86_64", LINUX_SUFFIX, ["/inc"], zig=None)
    assert plan.cc is None and plan.wheel_platform == "linux_x86_64" and plan.max_glibc is None
    with pytest.raises(PlanError, match="pip install ziglang"):
        make_plan("linux", "x86_64", LINUX_SUFFIX, ["/inc"], target_machine="aarch64", zig=None)


@pytest.mark.parametrize("machine, goarch", [("arm64", "arm64"), ("x86_64", "amd64")])
def test_darwin_links_no_libpython_and_needs_no_elf_tools(machine, goarch):
    suffix = ".cpython-312-darwin.so"
    plan = make_plan("darwin", machine, suffix, ["/Library/inc"], zig=ZIG)
    assert (plan.goos, plan.goarch, plan.cross) == ("darwin", goarch, False)
    assert plan.cc is None  # the Xcode command line tools' clang, never zig
    assert plan.ldflags == ("-Wl,-undefined,dynamic_lookup",)
    assert plan.ext_filename == "_jarvisrs.cpython-312-darwin.so"  # EXT_SUFFIX as sysconfig gives it
    assert not plan.check_elf and plan.max_glibc is None
    assert plan.wheel_platform is None  # bdist_wheel's macosx_* tag
    assert plan.export_file == ("exports.txt", "_PyInit__jarvisrs\n")
    assert export_ldflag(plan, "/w/exports.txt") == "-Wl,-exported_symbols_list,/w/exports.txt"


def test_darwin_refuses_to_cross_build_and_unknown_targets_are_named():
    with pytest.raises(PlanError, match="macOS"):
        make_plan("darwin", "arm64", ".cpython-312-darwin.so", [], target_machine="x86_64")
    with pytest.raises(PlanError, match="unsupported OS 'win32'"):
        make_plan("win32", "x86_64", ".pyd", [])
    with pytest.raises(PlanError, match="unsupported CPU 'riscv64'"):
        make_plan("linux", "riscv64", ".so", [])


def test_extension_suffix_for_another_cpu():
    assert target_ext_suffix(LINUX_SUFFIX, "x86_64", "aarch64") == ".cpython-311-aarch64-linux-gnu.so"
    assert target_ext_suffix(".cpython-39-aarch64-linux-gnu.so", "aarch64", "x86_64") == ".cpython-39-x86_64-linux-gnu.so"
    assert target_ext_suffix(".cpython-313-darwin.so", "arm64", "arm64") == ".cpython-313-darwin.so"


READELF_V = """
Version needs section '.gnu.version_r' contains 2 entries:
  000000: Version: 1  File: libc.so.6  Cnt: 2
  0x0010:   Name: GLIBC_2.3.2  Flags: none  Version: 3
  0x0020:   Name: GLIBC_2.17  Flags: none  Version: 2
"""


def test_glibc_floor_check_names_every_newer_version():
    assert elf_checks.glibc_versions(READELF_V) == [(2, 3, 2), (2, 17)]
    assert elf_checks.problems("", READELF_V, "", (2, 17)) == []
    newer = READELF_V + "  0x0030:   Name: GLIBC_2.34  Flags: none  Version: 4\n"
    assert elf_checks.problems("", newer, "", (2, 17)) == ["needs glibc newer than 2.17: GLIBC_2.34"]
    assert elf_checks.problems("", newer, "", None) == []


def test_elf_check_finds_rpath_libpython_and_symbols():
    dynamic = (" 0x0000000000000001 (NEEDED)  Shared library: [libpython3.11.so.1.0]\n"
               " 0x000000000000001d (RUNPATH)  Library runpath: [/opt/python/lib]\n")
    sections = "  [27] .symtab           SYMTAB          0000000000000000 3c2e58 01c5d8 18     28 3034  8\n"
    found = elf_checks.problems(dynamic, "", sections, (2, 17))
    assert len(found) == 3 and "libpython" in found[0] and "search path" in found[1] and "stripped" in found[2]


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 5, 6, 7, 8, 9))
            info.external_attr = mode << 16
            z.writestr(info, data)


def test_normalized_wheels_are_identical_whatever_order_time_and_modes(tmp_path):
    a, b = str(tmp_path / "a.whl"), str(tmp_path / "b.whl")
    files = [("p/x.py", b"x", 0o664), ("p-1.dist-info/RECORD", b"r", 0o600),
             ("p-1.dist-info/WHEEL", b"w", 0o644), ("p/_e.so", b"\x7fELF", 0o700)]
    _zip(a, files)
    _zip(b, files[::-1])
    for path in (a, b):
        wheel_files.normalize(path, 1796290237)
    assert open(a, "rb").read() == open(b, "rb").read()
    with zipfile.ZipFile(a) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == ["p/_e.so", "p/x.py", "p-1.dist-info/WHEEL", "p-1.dist-info/RECORD"]
    assert {i.date_time for i in infos} == {wheel_files.zip_time(1796290237)}
    assert [i.external_attr >> 16 & 0o777 for i in infos] == [0o755, 0o644, 0o644, 0o644]
    assert wheel_files.zip_time(0)[0] == 1980  # zip cannot hold earlier times


GO_STUBS = """package main

// ---- Types ---

func handle_B() {}

func handle_A() {
\tx := 1

\t_ = x
}

// ---- Structs ---

// --- wrapping struct: jarvisrs.Zed ---
//
//export jarvisrs_Zed_CTor
func jarvisrs_Zed_CTor() {}

// --- wrapping struct: jarvisrs.Alpha ---
//
//export jarvisrs_Alpha_CTor
func jarvisrs_Alpha_CTor() {}

// ---- Functions ---
"""


def test_gopy_output_order_is_made_canonical():
    # gopy walks Go maps, so the same package comes out in varying orders; two orders must give
    # the same text, and no line may be lost or added.
    from build_support.canonical_sources import sort_go_declarations, sort_registrations
    swapped = GO_STUBS.replace("func handle_B() {}\n\nfunc handle_A() {\n\tx := 1\n\n\t_ = x\n}",
                               "func handle_A() {\n\tx := 1\n\n\t_ = x\n}\n\nfunc handle_B() {}")
    swapped = swapped.replace(GO_STUBS[GO_STUBS.index("// --- wrapping struct: jarvisrs.Zed"):GO_STUBS.index("// ---- Functions")], "")
    swapped = swapped.replace("// ---- Functions ---", GO_STUBS[GO_STUBS.index("// --- wrapping struct: jarvisrs.Alpha"):GO_STUBS.index("// ---- Functions")]
                              + GO_STUBS[GO_STUBS.index("// --- wrapping struct: jarvisrs.Zed"):GO_STUBS.index("// --- wrapping struct: jarvisrs.Alpha")]
                              + "// ---- Functions ---")
    assert swapped != GO_STUBS
    a, b = sort_go_declarations(GO_STUBS), sort_go_declarations(swapped)
    assert a == b
    assert sorted(filter(None, a.split("\n"))) == sorted(filter(None, GO_STUBS.split("\n")))
    assert a.index("wrapping struct: jarvisrs.Alpha") < a.index("wrapping struct: jarvisrs.Zed")
    assert a.index("func handle_A") < a.index("func handle_B") < a.index("// ---- Structs")

    script = ("mod = Module('_x')\nmod.add_include('\"x_go.h\"')\n"
              "add_checked_function(mod, 'b_f', retval('int'), [])\nmod.add_function('a_f', None, [])\n"
              "add_checked_string_function(mod, 'c_f', retval('char*'), [])\n\nmod.generate(open('x.c', 'w'))\n")
    out = sort_registrations(script).split("\n")
    assert [line.split("'")[1] for line in out[2:5]] == ["a_f", "b_f", "c_f"]
    assert out[:2] == script.split("\n")[:2] and out[5:] == script.split("\n")[5:]
