# Every other x86_64 release wheel (step 40) installed into a fresh venv of its own CPython, then
# the full pytest suite from python_tests (the host's own wheel gets it in step 90). Each CPython
# version matters: the C fast paths read CPython objects whose layout the installer checks per
# version. wheel_tests="test_x.py ..." narrows it for a quick local run.
wheel_tests=${wheel_tests:-"."}
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
