# The Go tests again for linux/arm64 (the NEON kernels, and everything else built for arm64),
# each test binary run under qemu-user: no arm64 machine or binfmt_misc needed. -short skips
# the one-off exhaustive checks, which take minutes under emulation (each names its reason).
if ! command -v qemu-aarch64-static >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static
fi
GOARCH=arm64 CGO_ENABLED=0 go test -count=1 -short -exec qemu-aarch64-static ./...
