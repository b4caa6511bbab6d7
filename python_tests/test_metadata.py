"""What a package index reads: the installed distribution's license, classifiers and URLs."""

import os
import re
import sys
from importlib import metadata

DIST = "jarvis_rust_extensions"
TESTED_PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]


def _meta():
    return metadata.metadata(DIST)


def test_license_is_an_spdx_expression_with_the_mit_text_installed(repo_root):
    meta = _meta()
    assert meta["License-Expression"] == "MIT"
    assert not [c for c in meta.get_all("Classifier") if c.startswith("License ::")], "PEP 639: no License classifier"
    licenses = [f for f in metadata.distribution(DIST).files if f.name == "LICENSE"]
    assert len(licenses) == 1, licenses
    text = licenses[0].read_text()
    with open(os.path.join(repo_root, "LICENSE")) as f:
        assert text == f.read()
    assert text.startswith("MIT License") and "The jarvis_rust_extensions authors" in text
    assert "Permission is hereby granted, free of charge" in text


def test_python_classifiers_are_the_tested_versions_and_match_requires_python():
    meta = _meta()
    classifiers = meta.get_all("Classifier")
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions == TESTED_PYTHONS
    assert meta["Requires-Python"] == f">={TESTED_PYTHONS[0]}"
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" in versions
    assert "Programming Language :: Python :: Implementation :: CPython" in classifiers
    assert {"Operating System :: POSIX :: Linux", "Operating System :: MacOS"} <= set(classifiers)
    assert "Typing :: Typed" in classifiers


def test_project_urls_are_https():
    urls = _meta().get_all("Project-URL")
    assert urls
    for entry in urls:
        label, url = entry.split(", ", 1)
        assert label and url.startswith("https://"), entry
