package memstat

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v3/common"
	"github.com/shirou/gopsutil/v3/mem"
)

// Reader reads Memory from a /proc and /sys tree. NewReader("/proc", "/sys") reads the real
// machine; other roots let tests point it at fake trees. A Reader is immutable after
// construction and safe for concurrent use.
type Reader struct {
	// hostCtx carries gopsutil's HOST_PROC override, so /proc/meminfo comes from procRoot
	// whatever the environment says.
	hostCtx     context.Context
	hierarchies []hierarchy
}

// NewReader returns a Reader over procRoot and sysRoot. It resolves this process's cgroup
// memory files once, here (from <procRoot>/self/cgroup and <sysRoot>/fs/cgroup); each Read then
// opens only /proc/meminfo and a few small cgroup files. Missing or unreadable cgroup files mean
// "no limit known", never an error. A process moved to another cgroup needs a new Reader.
func NewReader(procRoot, sysRoot string) *Reader {
	return &Reader{
		hostCtx:     context.WithValue(context.Background(), common.EnvKey, common.EnvMap{common.HostProcEnvKey: procRoot}),
		hierarchies: resolveHierarchies(procRoot, sysRoot),
	}
}

// Read returns the memory the calling process lives under. When a cgroup limit is below the
// host total, the figures describe the limit (Source SourceCgroup): TotalBytes is the limit,
// AvailableBytes is what is left under it but never more than the host has available, and
// UsedBytes is the rest (at least the cgroup's usage less its inactive page cache). Otherwise
// they are the host's (Source SourceHost). It returns an error wrapping ErrUnavailable only when
// the host figures cannot be read.
func (r *Reader) Read() (Memory, error) {
	vm, err := mem.VirtualMemoryWithContext(r.hostCtx)
	if err != nil {
		return Memory{}, fmt.Errorf("reading meminfo: %v: %w", err, ErrUnavailable)
	}
	if vm.Total == 0 { // gopsutil reports a missing /proc/meminfo as all zeros, not an error
		return Memory{}, fmt.Errorf("meminfo reports no memory total: %w", ErrUnavailable)
	}
	hostAvailable := min(vm.Available, vm.Total)

	best, found := cgroupLimit{limit: vm.Total}, false
	for i := range r.hierarchies {
		if c, ok := r.hierarchies[i].read(); ok && c.limit < best.limit {
			best, found = c, true
		}
	}
	if !found {
		return Memory{
			TotalBytes:     vm.Total,
			AvailableBytes: hostAvailable,
			UsedBytes:      vm.Total - hostAvailable,
			Source:         SourceHost,
		}, nil
	}
	used := min(best.usage, best.limit)
	available := min(best.limit-used, hostAvailable)
	return Memory{
		TotalBytes:     best.limit,
		AvailableBytes: available,
		UsedBytes:      best.limit - available,
		Source:         SourceCgroup,
	}, nil
}
