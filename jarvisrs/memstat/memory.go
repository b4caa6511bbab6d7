// Package memstat reads the memory figures the calling process lives under: the host's, or the
// tighter limit of a cgroup (v1 or v2) when there is one, plus this process's own footprint. It
// keeps a cached monitor for hot-path checks and suggests other processes to close when memory
// runs short. It is pure Go (no cgo) for Linux and macOS: the system calls live in _linux.go and
// _darwin.go files, while the parsing and arithmetic of both (the /proc and cgroup Reader;
// macos_memory.go and macos_process.go for the Mach and sysctl records) build on every OS, so
// tests exercise them anywhere with injected readings.
//
// On macOS the figures are psutil's: total = hw.memsize, available = (free + inactive pages) *
// kernel page size from host_statistics64(HOST_VM_INFO64) (see DarwinMemory), per-process sizes
// from proc_pidinfo(PROC_PIDTASKINFO), the process list from the kern.proc.all sysctl. The libSystem
// functions x/sys/unix lacks are called through trampolines as x/sys/unix itself does
// (libsystem_darwin.go), not through gopsutil, whose darwin code (v3.24.5) needs cgo for these
// calls and otherwise runs the vm_stat and ps commands, once per process for memory sizes.
//
// On Linux, gopsutil is the library for process listing and names (SuggestCleanup, SelfInfo). Host memory
// is not read through it: gopsutil's mem.VirtualMemory turns every /proc/meminfo line into
// strings to fill some thirty figures, about 170 allocations and most of the cost of a monitor
// refresh, which is on the hot path (RustMemoryMonitor.get_memory_stats). Read parses just the
// lines it needs straight from the kernel's bytes, keeping gopsutil's formula for kernels
// without MemAvailable, and keeps its /proc and cgroup files open between reads, so a refresh
// is a handful of preads and allocates nothing.
package memstat

import "sync"

// Sources of a Memory reading.
const (
	// SourceHost means the figures are the whole machine's (/proc/meminfo; on macOS, always).
	SourceHost = "host"
	// SourceCgroup means a cgroup memory limit below the host total applies and the figures
	// describe that limit.
	SourceCgroup = "cgroup"
)

// Memory is one reading of the memory the calling process lives under. All figures are bytes.
// UsedBytes is always TotalBytes - AvailableBytes, and AvailableBytes <= TotalBytes.
type Memory struct {
	TotalBytes     uint64
	AvailableBytes uint64
	UsedBytes      uint64
	// Source is SourceHost or SourceCgroup.
	Source string
}

var defaultReader = sync.OnceValue(func() *Reader { return NewReader("/proc", "/sys") })

// SystemMemory reads the real machine's figures. On Linux that is a package-level Reader over
// /proc and /sys, whose cgroup files are resolved on the first call; on macOS the Mach VM
// statistics and hw.memsize (see DarwinMemory; Source is always SourceHost). It is safe for
// concurrent use.
func SystemMemory() (Memory, error) {
	return systemMemorySource()()
}

// bytesToMiB converts bytes to MiB (bytes / 1024 / 1024), the unit of every *MB figure.
func bytesToMiB(b uint64) float64 {
	return float64(b) / 1024 / 1024
}
