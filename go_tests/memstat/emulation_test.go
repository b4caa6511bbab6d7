package memstat_test

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/emulated"
)

// CI also runs these tests for arm64 under qemu-user (.ci/steps/55-go-test-arm64.sh), which
// emulates the process but not all of its surroundings. The two helpers below skip a test
// only when they see the emulation itself, never on a real machine.

// skipIfStatFaked skips a test that compares /proc/self/stat with /proc/self/status under
// qemu-user: qemu answers /proc/self/stat itself and writes 0 for every field it does not
// emulate, the virtual size and RSS included, while /proc/self/status is the real (qemu's)
// one. A live process on a real kernel never has both at 0.
func skipIfStatFaked(t *testing.T) {
	t.Helper()
	if emulated.QEMUUser() {
		t.Skip("/proc/self/stat reports vsize and rss 0: emulated by qemu-user")
	}
}

// startOrSkip starts a child that re-executes the test binary, and skips the test when the
// kernel cannot run that binary itself (ENOEXEC: an arm64 binary under qemu-user without
// binfmt_misc).
func startOrSkip(t *testing.T, child *exec.Cmd) {
	t.Helper()
	err := child.Start()
	if errors.Is(err, syscall.ENOEXEC) {
		t.Skipf("cannot re-execute the test binary here: %v (user-mode emulation)", err)
	}
	if err != nil {
		t.Fatalf("starting the child: %v", err)
	}
}
