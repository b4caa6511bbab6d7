# The aarch64 CPython 3.11 wheel (step 40) under qemu-user with Debian's arm64 CPython (step 35):
# installed into its own directory with pip's --platform/--target, then pytest from python_tests.
# Tests that cannot run under emulation skip themselves only there (JRX_EMULATED_PYTHON is set
# by the wrapper), each with its reason.
arm64_pkg="$root/_build/arm64-pkg"
rm -rf "$arm64_pkg"
python3 -m pip install -q --disable-pip-version-check --no-deps --target "$arm64_pkg" \
    --platform manylinux2014_aarch64 --python-version 3.11 --implementation cp --only-binary=:all: \
    "$root"/dist/jarvis_rust_extensions-*-cp311-cp311-manylinux_2_17_aarch64.*.whl
arm64_tests=${arm64_tests:-.}
cd "$root/python_tests"
JRX_ARM64_PATH="$arm64_pkg" nice "$arm64_python" -m pytest -q -p no:cacheprovider -rs $arm64_tests
