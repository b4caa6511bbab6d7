"""Shared fixtures. The suite tests the installed package, never the source folder."""

import os

import pytest

import jarvis_rust_extensions

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def repo_root():
    return REPO


@pytest.fixture
def run_forked():
    """``run_forked(child, timeout=10)``: forks, runs ``child()`` in the forked child and returns its
    exit code: what ``child`` returns, 1 if it raised. Kills the child and fails the test if it has
    not exited within ``timeout`` seconds (a child must never hang)."""
    import signal
    import time

    def run(child, timeout=10.0):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 1
            try:
                code = child()
            finally:
                os._exit(code)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("forked child hung")
    return run


@pytest.fixture
def race_threads():
    """``race_threads(work, count)``: runs ``work(i)`` for i in range(count) on as many threads at
    once, switching between them as often as the interpreter allows, and fails the test if any is
    still running after 60 s."""
    import sys
    import threading

    def race(work, count):
        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            pool = [threading.Thread(target=work, args=(i,)) for i in range(count)]
            for t in pool:
                t.start()
            for t in pool:
                t.join(60)
        finally:
            sys.setswitchinterval(old)
        assert not any(t.is_alive() for t in pool), "a thread did not finish within 60 s"
    return race


@pytest.fixture
def rng():
    import numpy as np
    return np.random.default_rng(12345)


def pytest_report_header(config):
    return f"jarvis_rust_extensions {jarvis_rust_extensions.__version__} from {os.path.dirname(jarvis_rust_extensions.__file__)}"
