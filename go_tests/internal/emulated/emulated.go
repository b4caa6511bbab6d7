// Package emulated tells tests whether they run under qemu-user, which CI uses to run the arm64
// test binaries (.ci/steps/55-go-test-arm64.sh): it emulates the process but not all of its
// surroundings, so a few checks of the kernel's view of the process cannot hold there.
package emulated

import (
	"os"
	"strings"
)

// QEMUUser reports whether this process runs under qemu-user. qemu answers /proc/self/stat itself
// and writes 0 for every field it does not emulate, the virtual size and RSS included; a live
// process on a real kernel never has both at 0.
func QEMUUser() bool {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// After the name: state is field 3 of proc(5), vsize 23 and rss 24.
	return len(fields) > 21 && fields[20] == "0" && fields[21] == "0"
}
