"""One version, kept in jarvisrs/VERSION: the wheel's metadata, the Go extension and ``__version__``
agree, and an extension from another release is refused at import with both versions named."""

import os
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _version


def _import_with_patched_metadata(patch):
    """Import the package in a fresh interpreter after replacing importlib.metadata.version."""
    code = textwrap.dedent(f"""
        import importlib.metadata as m
        real = m.version
        {patch}
        try:
            import jarvis_rust_extensions as j
        except ImportError as exc:
            print("ImportError:", exc)
        else:
            print("imported", j.__version__)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_installed_versions_agree(repo_root):
    with open(os.path.join(repo_root, "jarvisrs", "VERSION")) as f:
        source = f.read().strip()
    assert jre.__version__ == source
    assert metadata.version("jarvis_rust_extensions") == source
    assert _version.extension_version() == source
    assert _version.package_version() == source


def test_version_is_a_plain_string():
    v = _version.extension_version()
    assert type(v) is str and v == v.strip() and v.count(".") >= 2


def test_mismatched_extension_is_refused_at_import():
    out = _import_with_patched_metadata(
        "m.version = lambda name: '0.0.1' if name == 'jarvis_rust_extensions' else real(name)")
    assert out.startswith("ImportError:"), out
    assert "0.0.1" in out and jre.__version__ in out, out
    assert "reinstall" in out.lower()


def test_without_metadata_the_extension_version_is_reported():
    # The package folder copied by hand onto sys.path has no metadata to compare with.
    out = _import_with_patched_metadata(
        "def missing(name):\n"
        "            raise m.PackageNotFoundError(name)\n"
        "        m.version = missing")
    assert out == f"imported {jre.__version__}"


@pytest.mark.parametrize("package,extension", [("2.0.0", "1.9.0"), ("2.0.1", "2.0.0"), ("2.0.0", "2.0.0rc1")])
def test_check_names_both_versions(package, extension):
    with pytest.raises(ImportError) as info:
        _version.check(package, extension)
    message = str(info.value)
    assert f"version {package}" in message and f"version {extension}" in message


def test_check_accepts_equal_versions_and_missing_metadata():
    assert _version.check("2.0.0", "2.0.0") == "2.0.0"
    assert _version.check(None, "2.0.0") == "2.0.0"
