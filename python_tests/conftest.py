"""Shared fixtures. The suite tests the installed package, never the source folder."""

import os

import pytest

import jarvis_rust_extensions

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def repo_root():
    return REPO


@pytest.fixture
def rng():
    import numpy as np
    return np.random.default_rng(12345)


def pytest_report_header(config):
    return f"jarvis_rust_extensions {jarvis_rust_extensions.__version__} from {os.path.dirname(jarvis_rust_extensions.__file__)}"
