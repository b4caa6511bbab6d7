"""The package's version, and the check that its Go extension was built from the same release.

The version is written in one place, ``jarvisrs/VERSION``: setuptools copies it into the installed
distribution's metadata and the Go extension embeds it. At import the two are compared (psutil
does the same with its C module), so Python files from one release never run against a stale
extension from another: that raises ``ImportError`` naming both versions.

The metadata is read from the ``.dist-info`` folder pip puts beside the package (about 0.1 ms);
``importlib.metadata`` (whose import alone costs 40-100 ms here) is the fallback for other
layouts such as editable installs.
"""

from __future__ import annotations

import os

from ._native import lib

DISTRIBUTION = "jarvis_rust_extensions"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def extension_version() -> str:
    """The version the Go extension was built from (``jarvisrs.Version()``)."""
    return str(lib.jarvisrs_Version())


def dist_info_version(site_dir: str) -> str | None:
    """The ``Version`` of the one ``jarvis_rust_extensions-*.dist-info`` in ``site_dir``, or None
    when there is none, more than one, or it cannot be read."""
    try:
        found = [n for n in os.listdir(site_dir) if n.startswith(DISTRIBUTION + "-") and n.endswith(".dist-info")]
        if len(found) != 1:
            return None
        with open(os.path.join(site_dir, found[0], "METADATA"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("Version:"):
                    return line[len("Version:"):].strip()
                if not line.strip():  # the headers end at the first blank line
                    return None
    except (OSError, UnicodeDecodeError):
        return None
    return None


def package_version() -> str | None:
    """The installed distribution's version, or None when there is no metadata to read (for
    example the package folder copied onto ``sys.path`` by hand)."""
    beside = dist_info_version(os.path.dirname(_PACKAGE_DIR))
    if beside is not None:
        return beside
    from importlib import metadata
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def check(package: str | None, extension: str) -> str:
    """Return the version to report, raising ``ImportError`` if the package and extension differ."""
    if package is not None and package != extension:
        raise ImportError(
            f"jarvis_rust_extensions version conflict: the Python package is version {package} but its "
            f"Go extension (_jarvisrs) was built from version {extension}. Reinstall the package "
            "(`pip install --force-reinstall jarvis_rust_extensions`, or `python3 build.py` from a "
            "source checkout) so both come from the same build."
        )
    return extension


__version__ = check(package_version(), extension_version())
