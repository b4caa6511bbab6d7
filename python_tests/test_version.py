"""One version, kept in jarvisrs/VERSION: the wheel's metadata, the Go extension and ``__version__``
agree, and an extension from another release is refused at import with both versions named."""

import os
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _version

PACKAGE_DIR = os.path.dirname(jre.__file__)


def _copy_package(site, dist_version=None):
    """Copy the installed package into ``site``, with a .dist-info of ``dist_version`` beside it."""
    shutil.copytree(PACKAGE_DIR, os.path.join(site, "jarvis_rust_extensions"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    if dist_version is not None:
        _write_dist_info(site, dist_version)


def _write_dist_info(site, version, name="jarvis_rust_extensions"):
    info = os.path.join(site, f"{name}-{version}.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n\nVersion: 9.9.9 (the description)\n")


def _import_from(site, patch=""):
    """Import the package copied into ``site`` in a fresh interpreter, after running ``patch``."""
    code = textwrap.dedent(f"""
        import importlib.metadata as m
        real = m.version
        {patch}
        try:
            import jarvis_rust_extensions as j
        except ImportError as exc:
            print("ImportError:", exc)
        else:
            print("imported", j.__version__, j.__file__)
    """)
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run([sys.executable, "-c", code], cwd=site, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_installed_versions_agree(repo_root):
    with open(os.path.join(repo_root, "jarvisrs", "VERSION")) as f:
        source = f.read().strip()
    assert jre.__version__ == source
    assert metadata.version("jarvis_rust_extensions") == source
    assert _version.extension_version() == source
    assert _version.package_version() == source
    assert _version.dist_info_version(os.path.dirname(PACKAGE_DIR)) == source, "no .dist-info beside the package"


def test_version_is_a_plain_string():
    v = _version.extension_version()
    assert type(v) is str and v == v.strip() and v.count(".") >= 2


def test_stale_metadata_beside_the_package_is_refused_at_import(tmp_path):
    _copy_package(tmp_path, "0.0.1")
    out = _import_from(tmp_path)
    assert out.startswith("ImportError:"), out
    assert "version 0.0.1" in out and f"version {jre.__version__}" in out, out
    assert "reinstall" in out.lower()


def test_matching_metadata_beside_the_package_imports(tmp_path):
    _copy_package(tmp_path, jre.__version__)
    out = _import_from(tmp_path, "m.version = None  # must not be needed")
    assert out == f"imported {jre.__version__} {tmp_path / 'jarvis_rust_extensions' / '__init__.py'}"


def test_without_dist_info_importlib_metadata_decides(tmp_path):
    # An editable install or another layout: the metadata is wherever importlib.metadata finds it.
    _copy_package(tmp_path)
    out = _import_from(tmp_path, "m.version = lambda name: '0.0.1' if name == 'jarvis_rust_extensions' else real(name)")
    assert out.startswith("ImportError:") and "0.0.1" in out and jre.__version__ in out, out


def test_without_any_metadata_the_extension_version_is_reported(tmp_path):
    # The package folder copied by hand onto sys.path, with no metadata anywhere to compare with.
    _copy_package(tmp_path)
    out = _import_from(tmp_path, "def missing(name):\n"
                                 "            raise m.PackageNotFoundError(name)\n"
                                 "        m.version = missing")
    assert out.startswith(f"imported {jre.__version__} "), out


def test_dist_info_version_reads_only_one_unambiguous_entry(tmp_path):
    assert _version.dist_info_version(str(tmp_path)) is None
    _write_dist_info(tmp_path, "1.2.3", name="jarvis_rust_extensions_other")  # another distribution
    assert _version.dist_info_version(str(tmp_path)) is None
    _write_dist_info(tmp_path, "1.2.3")
    assert _version.dist_info_version(str(tmp_path)) == "1.2.3"
    _write_dist_info(tmp_path, "1.2.4")  # two installs at once: ambiguous
    assert _version.dist_info_version(str(tmp_path)) is None
    assert _version.dist_info_version(str(tmp_path / "missing")) is None


def test_dist_info_without_a_version_header_is_ignored(tmp_path):
    info = tmp_path / "jarvis_rust_extensions-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.4\nName: jarvis_rust_extensions\n\nVersion: 1.0\n")
    assert _version.dist_info_version(str(tmp_path)) is None
    (info / "METADATA").write_bytes(b"\xff\xfe\x00")
    assert _version.dist_info_version(str(tmp_path)) is None


@pytest.mark.parametrize("package,extension", [("2.0.0", "1.9.0"), ("2.0.1", "2.0.0"), ("2.0.0", "2.0.0rc1")])
def test_check_names_both_versions(package, extension):
    with pytest.raises(ImportError) as info:
        _version.check(package, extension)
    message = str(info.value)
    assert f"version {package}" in message and f"version {extension}" in message


def test_check_accepts_equal_versions_and_missing_metadata():
    assert _version.check("2.0.0", "2.0.0") == "2.0.0"
    assert _version.check(None, "2.0.0") == "2.0.0"
