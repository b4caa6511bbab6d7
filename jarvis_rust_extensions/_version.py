"""The package's version, and the check that its Go extension was built from the same release.

The version is written in one place, ``jarvisrs/VERSION``: setuptools copies it into the
installed distribution's metadata and the Go extension embeds it. At import the two are compared
(psutil does the same with its C module), so Python files from one release never run against a
stale extension from another: that raises ``ImportError`` naming both versions.
"""

from __future__ import annotations

from importlib import metadata

from ._native import lib

DISTRIBUTION = "jarvis_rust_extensions"


def extension_version() -> str:
    """The version the Go extension was built from (``jarvisrs.Version()``)."""
    return str(lib.jarvisrs_Version())


def package_version() -> str | None:
    """The installed distribution's version, or None when there is no metadata to read (for
    example the package folder copied onto ``sys.path`` by hand)."""
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
