"""setuptools entry point: builds the Go extension with gopy while building the package.

The metadata lives in pyproject.toml; this file only adds the gopy step, marks the wheel as
platform-specific (it carries a native extension) and gives it the platform tag the build plan
promises (manylinux2014 when zig linked it against glibc 2.17; see build_support/platforms.py).
"""

import os
import shutil
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_support.gopy_build import build_extension, current_plan  # noqa: E402

GOPY_INIT = '"""Private: the gopy-generated extension `_jarvisrs` (built from ../jarvisrs)."""\n'


class BuildPyWithGo(build_py):
    """build_py that also compiles ``jarvisrs`` into ``jarvis_rust_extensions/_gopy/``.

    An editable install (``pip install -e .``) imports the source folder, so there the extension
    is built into the source folder's ``_gopy/`` (ignored by git); run it again after Go changes.
    """

    def run(self):
        super().run()
        base = HERE if getattr(self, "editable_mode", False) else self.build_lib
        out_dir = os.path.join(base, "jarvis_rust_extensions", "_gopy")
        # An earlier build for another Python or CPU may have left its extension here.
        shutil.rmtree(out_dir, ignore_errors=True)
        build_extension(HERE, out_dir)
        with open(os.path.join(out_dir, "__init__.py"), "w") as f:
            f.write(GOPY_INIT)


class BdistWheelTagged(bdist_wheel):
    """bdist_wheel with the platform tag of the build plan (e.g. manylinux_2_17_x86_64.manylinux2014_x86_64)."""

    def get_tag(self):
        impl, abi, plat = super().get_tag()
        return impl, abi, current_plan().wheel_platform or plat


class BinaryDistribution(Distribution):
    """The wheel contains a compiled extension, so it must carry a platform tag."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildPyWithGo, "bdist_wheel": BdistWheelTagged}, distclass=BinaryDistribution)
