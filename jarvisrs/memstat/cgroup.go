package memstat

import (
	"math"
	"os"
	"path/filepath"
	"strings"
)

// v1Unlimited: cgroup v1 reports "no limit" as the largest page-aligned int64
// (9223372036854771712 with 4 KiB pages); anything from 2^62 up cannot be a real limit.
const v1Unlimited = uint64(1) << 62

// statBufSize holds a whole memory.stat in one read (v2's has about 50 lines of at most ~40
// bytes today); a longer one is streamed through it.
const statBufSize = 4 << 10

// hierarchy is one cgroup hierarchy that can limit this process's memory, with its files
// resolved once: reading them is all a Read does.
type hierarchy struct {
	limitFiles  []*kernelFile // leaf first, up to the mount root; only those present when resolved
	usageFile   *kernelFile   // the leaf's current usage
	statFile    *kernelFile   // the leaf's memory.stat; may be absent, then nothing is subtracted
	inactiveKey string        // memory.stat line of reclaimable page cache subtracted from usage
	unlimitedAt uint64        // limits at or above this mean "no limit"
}

// cgroupLimit is what one hierarchy says at one instant.
type cgroupLimit struct {
	limit, usage uint64
}

// resolveHierarchies finds the v2 and v1 memory hierarchies this process belongs to according
// to <procRoot>/self/cgroup. Anything missing or malformed yields fewer hierarchies, never an
// error: an unknown limit is no limit.
func resolveHierarchies(procRoot, sysRoot string) []hierarchy {
	content, err := os.ReadFile(filepath.Join(procRoot, "self", "cgroup"))
	if err != nil {
		return nil
	}
	cgroupFS := filepath.Join(sysRoot, "fs", "cgroup")
	var out []hierarchy
	for _, line := range strings.Split(string(content), "\n") {
		id, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		controllers, path, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		switch {
		case id == "0" && controllers == "":
			if h, ok := resolve(unifiedMount(cgroupFS), path, "memory.max", "memory.current", "inactive_file", math.MaxUint64); ok {
				out = append(out, h)
			}
		case hasController(controllers, "memory"):
			if h, ok := resolve(filepath.Join(cgroupFS, "memory"), path, "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file", v1Unlimited); ok {
				out = append(out, h)
			}
		}
	}
	return out
}

// unifiedMount picks the cgroup v2 mount: <sys>/fs/cgroup on a pure v2 host (it has
// cgroup.controllers), <sys>/fs/cgroup/unified on a hybrid one.
func unifiedMount(cgroupFS string) string {
	if fileExists(filepath.Join(cgroupFS, "cgroup.controllers")) {
		return cgroupFS
	}
	if unified := filepath.Join(cgroupFS, "unified"); dirExists(unified) {
		return unified
	}
	return cgroupFS
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// resolve builds the hierarchy for cgroup path cgPath under mount. A path that does not exist
// under the mount (a cgroup namespace, or a container that sees only its own subtree) or that
// would climb out of it means the mount root is this process's cgroup.
func resolve(mount, cgPath, limitName, usageName, inactiveKey string, unlimitedAt uint64) (hierarchy, bool) {
	if !dirExists(mount) {
		return hierarchy{}, false
	}
	leaf := filepath.Join(mount, cgPath)
	if rel, err := filepath.Rel(mount, leaf); err != nil || rel == ".." || strings.HasPrefix(rel, "../") || !dirExists(leaf) {
		leaf = mount
	}
	usage := filepath.Join(leaf, usageName)
	if !fileExists(usage) {
		return hierarchy{}, false
	}
	h := hierarchy{
		usageFile:   newKernelFile(usage),
		statFile:    newKernelFile(filepath.Join(leaf, "memory.stat")),
		inactiveKey: inactiveKey,
		unlimitedAt: unlimitedAt,
	}
	for dir := leaf; ; dir = filepath.Dir(dir) {
		if f := filepath.Join(dir, limitName); fileExists(f) {
			h.limitFiles = append(h.limitFiles, newKernelFile(f))
		}
		if dir == mount || len(dir) <= len(mount) {
			break
		}
	}
	if len(h.limitFiles) == 0 {
		return hierarchy{}, false
	}
	return h, true
}

// read returns the hierarchy's effective limit (the smallest along the path) and the leaf's
// usage less reclaimable page cache, if that limit is below the given bound (the host total, or
// a tighter limit already found). ok is false when no level has a numeric limit below it or the
// usage cannot be read: then this hierarchy says nothing. The limits are read on every call, as
// they can change at any time; usage and memory.stat only when they matter.
func (h *hierarchy) read(below uint64) (cgroupLimit, bool) {
	limit := below
	for _, f := range h.limitFiles {
		v, err := f.readUint()
		if err == nil && v < h.unlimitedAt { // "max", the v1 sentinel and garbage: no limit here
			limit = min(limit, v)
		}
	}
	if limit >= below {
		return cgroupLimit{}, false
	}
	usage, err := h.usageFile.readUint()
	if err != nil {
		return cgroupLimit{}, false
	}
	if inactive, ok := statField(h.statFile, h.inactiveKey); ok {
		usage -= min(usage, inactive)
	}
	return cgroupLimit{limit: limit, usage: usage}, true
}

// close releases the hierarchy's kept descriptors.
func (h *hierarchy) close() {
	for _, f := range h.limitFiles {
		f.close()
	}
	h.usageFile.close()
	h.statFile.close()
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func dirExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
