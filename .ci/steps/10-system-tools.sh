# System tools the build and the tests use; installed only when missing.
need_apt=()
command -v lz4 >/dev/null || need_apt+=(lz4)
command -v gcc >/dev/null || need_apt+=(gcc)
command -v readelf >/dev/null || need_apt+=(binutils)   # test_package.py reads the extension's ELF header
command -v setpriv >/dev/null || need_apt+=(util-linux) # test_bad_input.py drops root's DAC override
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
command -v go >/dev/null || { echo "Go toolchain not found on PATH" >&2; exit 1; }
go version
python3 --version
