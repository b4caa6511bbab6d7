# Every other x86_64 release wheel (step 40) installed into a fresh venv of its own CPython, then
# pytest from python_tests. The host's own wheel gets the full suite in step 90; these four get
# every test file except the four slowest, which exercise the Go runtime and the OS rather than
# the CPython version (test_leaks, test_fork_and_threads, test_crash_safety,
# test_hypothesis_roundtrips: ~25 s instead of 85 s a wheel here, idle), so CI stays well under
# 30 minutes with the arm64 Go tests.
# wheel_tests="." runs the full suite on every wheel.
wheel_tests=${wheel_tests:-"test_package.py test_drop_in_callers.py test_bad_input.py test_quant_engine.py
    test_quantize_array.py test_lz4_block.py test_loader.py test_mmap.py test_monitor.py test_files.py
    test_cli.py test_stubs.py test_build_platforms.py"}
host_tag=$("$venv/bin/python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
for wheel in "$root"/dist/jarvis_rust_extensions-*-manylinux_2_17_x86_64.*.whl; do
    tag=$(basename "$wheel" | cut -d- -f3)
    [ "$tag" = "$host_tag" ] && continue
    version="3.${tag#cp3}"
    python=$(python3 -c "import sys; sys.path.insert(0, '$root'); from build_support.release_wheels import find_python; print(find_python('$version'))")
    wvenv="$root/_build/venv-$tag"
    rm -rf "$wvenv"
    "$python" -m venv "$wvenv"
    "$wvenv/bin/python" -m pip install -q --disable-pip-version-check "$wheel" -r "$root/python_tests/requirements.txt"
    printf '\n--> %s on %s\n' "$(basename "$wheel")" "$("$wvenv/bin/python" --version)"
    (cd "$root/python_tests" && "$wvenv/bin/python" -m pytest -q -p no:cacheprovider $wheel_tests)
    rm -rf "$wvenv"
done
