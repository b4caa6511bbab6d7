"""setuptools entry point: builds the Go extension with gopy while building the package.

The metadata lives in pyproject.toml; this file only adds the gopy step and marks the wheel as
platform-specific (it carries a native extension).
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_support.gopy_build import build_extension  # noqa: E402


class BuildPyWithGo(build_py):
    """build_py that also compiles ``jarvisrs`` into ``jarvis_rust_extensions/_gopy/``."""

    def run(self):
        super().run()
        out_dir = os.path.join(self.build_lib, "jarvis_rust_extensions", "_gopy")
        build_extension(HERE, out_dir)
        with open(os.path.join(out_dir, "__init__.py"), "w") as f:
            f.write('"""Private: the gopy-generated extension `_jarvisrs` (built from ../jarvisrs)."""\n')


class BinaryDistribution(Distribution):
    """The wheel contains a compiled extension, so it must carry a platform tag."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildPyWithGo}, distclass=BinaryDistribution)
