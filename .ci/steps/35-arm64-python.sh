# Debian's arm64 CPython 3.11, run by qemu-user, for the aarch64 wheel's tests (step 70), and its
# headers (python3.11-dev:arm64) for building that wheel (step 40). Unpacked with dpkg-deb -x into
# $arm64_root, nothing installed system-wide except qemu-user-static and the arm64 package lists.
arm64_root="$root/_build/arm64-root"
arm64_site="$root/_build/arm64-site"
export arm64_root arm64_site
command -v qemu-aarch64-static >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static; }
if [ ! -x "$arm64_root/usr/bin/python3.11" ] || [ ! -f "$arm64_root/usr/include/python3.11/Python.h" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then dpkg --add-architecture arm64; fi
    apt-get update -qq
    debs=$(mktemp -d)
    pkgs="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib python3.11 libpython3.11-dev python3.11-dev
          libc6 libexpat1 zlib1g libffi8 libssl3 libbz2-1.0 liblzma5 libsqlite3-0 libncursesw6 libtinfo6
          libreadline8 libuuid1 libgcc-s1 libstdc++6 libcrypt1 libnsl2 libtirpc3 libdb5.3 libgdbm6 media-types"
    (cd "$debs" && apt-get download -q $(for p in $pkgs; do
        [ "$p" = media-types ] && echo "$p" || echo "$p:arm64"; done))
    rm -rf "$arm64_root" && mkdir -p "$arm64_root"
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$arm64_root"; done
    rm -rf "$debs"
fi
# The test requirements as arm64 wheels for CPython 3.11, plus a sitecustomize that points
# sys.executable at the wrapper (the emulated interpreter cannot exec its own aarch64 binary).
if [ ! -f "$arm64_site/.done" ]; then
    rm -rf "$arm64_site"
    python3 -m pip install -q --target "$arm64_site" --platform manylinux2014_aarch64 --only-binary=:all: \
        --python-version 3.11 --implementation cp -r "$root/python_tests/requirements.txt"
    cat > "$arm64_site/sitecustomize.py" <<'PY'
import os
import sys
if os.environ.get("JRX_EMULATED_PYTHON"):
    sys.executable = os.environ["JRX_EMULATED_PYTHON"]
PY
    touch "$arm64_site/.done"
fi
arm64_python="$root/_build/arm64-python3.11"
cat > "$arm64_python" <<SH
#!/bin/sh
# Debian's arm64 CPython 3.11 under qemu-user (made by .ci/steps/45-arm64-python.sh).
export JRX_EMULATED_PYTHON="$arm64_python" PYTHONPATH="\${JRX_ARM64_PATH:+\$JRX_ARM64_PATH:}$arm64_site"
exec qemu-aarch64-static -L "$arm64_root" "$arm64_root/usr/bin/python3.11" "\$@"
SH
chmod +x "$arm64_python"
export arm64_python
"$arm64_python" -c 'import platform, sys, numpy; print("emulated:", platform.machine(), sys.version.split()[0], "numpy", numpy.__version__)'
