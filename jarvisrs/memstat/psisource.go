package memstat

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SelectPSISource picks the pressure file that describes the memory this process lives under,
// from <procRoot>/self/cgroup and <sysRoot>/fs/cgroup: the memory.pressure of the process's
// cgroup v2 when a memory limit applies there (a numeric memory.max at that cgroup or an ancestor
// up to the mount root, below the host's MemTotal: the rule that makes Memory's Source
// SourceCgroup), else <procRoot>/pressure/memory, the whole machine's. It returns "" when
// neither file exists (a kernel without PSI, or not Linux). It only looks at files, so it runs
// on any OS against fake trees; the choice is made once, as a Reader resolves its cgroup once.
func SelectPSISource(procRoot, sysRoot string) string {
	if p := cgroupPressureFile(procRoot, sysRoot); p != "" {
		return p
	}
	if p := filepath.Join(procRoot, "pressure", "memory"); isRegularFile(p) {
		return p
	}
	return ""
}

// cgroupPressureFile returns the memory.pressure of this process's cgroup v2 when a memory limit
// applies to it, else "".
func cgroupPressureFile(procRoot, sysRoot string) string {
	content, err := os.ReadFile(filepath.Join(procRoot, "self", "cgroup"))
	if err != nil {
		return ""
	}
	var cgPath string
	found := false
	for _, line := range strings.Split(string(content), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok {
			cgPath, found = rest, true
			break
		}
	}
	if !found {
		return ""
	}
	cgroupFS := filepath.Join(sysRoot, "fs", "cgroup")
	mount := cgroupFS
	if !isRegularFile(filepath.Join(cgroupFS, "cgroup.controllers")) {
		mount = filepath.Join(cgroupFS, "unified") // a hybrid host
	}
	if !isDirectory(mount) {
		return ""
	}
	leaf := filepath.Join(mount, cgPath)
	if rel, err := filepath.Rel(mount, leaf); err != nil || rel == ".." || strings.HasPrefix(rel, "../") || !isDirectory(leaf) {
		leaf = mount // a cgroup namespace: the mount root is this process's cgroup
	}
	pressure := filepath.Join(leaf, "memory.pressure")
	if !isRegularFile(pressure) {
		return ""
	}
	hostTotal := meminfoTotal(filepath.Join(procRoot, "meminfo"))
	for dir := leaf; ; dir = filepath.Dir(dir) {
		if limit, ok := readLimit(filepath.Join(dir, "memory.max")); ok && limit < hostTotal {
			return pressure
		}
		if dir == mount || len(dir) <= len(mount) {
			return ""
		}
	}
}

// readLimit reads a memory.max; "max" and anything unreadable are no limit.
func readLimit(path string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
	return v, err == nil
}

// meminfoTotal returns MemTotal in bytes from a /proc/meminfo, or the largest uint64 when it
// cannot be read (then any numeric limit counts).
func meminfoTotal(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return ^uint64(0)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 1 {
				if kb, err := strconv.ParseUint(fields[0], 10, 64); err == nil && kb > 0 && kb < 1<<53 {
					return kb * 1024
				}
			}
		}
	}
	return ^uint64(0)
}

// isRegularFile and isDirectory are this file's own (cgroup.go has twins), so PSI source
// selection builds on every OS whatever happens to the Linux readers.
func isRegularFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func isDirectory(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
