# The Go tests again for linux/arm64 (the NEON kernels, and everything else built for arm64),
# each test binary run under qemu-user: no arm64 machine or binfmt_misc needed. GNU as for
# aarch64 lets go_tests/kernels check every hand-encoded NEON instruction against its mnemonic.
# -short skips or samples the one-off exhaustive checks, which take minutes under emulation
# (each says so where it does).
need_apt=()
command -v qemu-aarch64-static >/dev/null || need_apt+=(qemu-user-static)
command -v aarch64-linux-gnu-as >/dev/null || need_apt+=(binutils-aarch64-linux-gnu)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
# go vet's asmdecl checks the NEON assembly's argument names, offsets and sizes against the
# Go declarations, which go test's own vet subset does not.
GOARCH=arm64 CGO_ENABLED=0 go vet ./jarvisrs/kernels/ ./go_tests/kernels/
GOARCH=arm64 CGO_ENABLED=0 go test -count=1 -short -timeout 30m -exec qemu-aarch64-static ./...  # emulation: 10-50x slower
