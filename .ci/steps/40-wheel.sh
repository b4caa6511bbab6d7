# The release wheels: `build.py --wheels` builds CPython 3.9-3.13 x (x86_64, aarch64), manylinux2014
# (zig, glibc 2.17), checks each (readelf: glibc floor, stripped, no RPATH/libpython; auditwheel
# show for x86_64) and prints their sizes. The 3.11 aarch64 wheel uses Debian's arm64 headers
# (step 35). Then a fresh virtual environment with this Python's wheel and the test-only
# dependencies, for step 90.
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q auditwheel
rm -rf "$root/dist"
nice "$venv/bin/python" build.py --wheels \
    --arm64-include "3.11=$arm64_root/usr/include/python3.11:$arm64_root/usr/include"
"$venv/bin/python" -m pip install -q --no-index --find-links "$root/dist" --no-deps jarvis_rust_extensions
"$venv/bin/python" -m pip install -q -r "$root/python_tests/requirements.txt"
# Reproducible: one wheel built again must match the matrix's byte for byte (same commit, same
# SOURCE_DATE_EPOCH: the commit's time).
host_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
nice "$venv/bin/python" build.py --wheels --python "$host_version" --arch x86_64 --dist "$root/_build/repro"
for wheel in "$root"/_build/repro/*.whl; do cmp "$wheel" "$root/dist/$(basename "$wheel")"; done
echo "reproducible: $(basename "$root"/_build/repro/*.whl) rebuilt byte-identical"
