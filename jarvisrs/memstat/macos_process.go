package memstat

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path"
	"strings"
	"time"
)

// This file is macOS's per-process decoding, kept free of build tags so tests run it on every OS
// with injected readings; process_darwin.go and cleanup_darwin.go only make the system calls.

// ProcTaskInfoSize is the size in bytes of the struct proc_taskinfo that
// proc_pidinfo(pid, PROC_PIDTASKINFO) fills: six uint64 fields, then twelve int32 ones.
const ProcTaskInfoSize = 96

// ProcTaskInfo is what this package uses of a macOS struct proc_taskinfo, the figures psutil's
// Process.memory_info reports on macOS.
type ProcTaskInfo struct {
	// VirtualBytes is pti_virtual_size, the task's virtual size in bytes (psutil's vms).
	VirtualBytes uint64
	// ResidentBytes is pti_resident_size, its resident size in bytes (psutil's rss).
	ResidentBytes uint64
}

// ParseProcTaskInfo decodes a struct proc_taskinfo as proc_pidinfo returns it: raw is the filled
// part, in the host's (little-endian) byte order. raw is read, not retained. Anything but a whole
// record (proc_pidinfo returns the size it wrote, and psutil too refuses a short one) returns an
// error wrapping ErrUnavailable.
func ParseProcTaskInfo(raw []byte) (ProcTaskInfo, error) {
	if len(raw) != ProcTaskInfoSize {
		return ProcTaskInfo{}, fmt.Errorf("proc_taskinfo of %d bytes, want %d: %w",
			len(raw), ProcTaskInfoSize, ErrUnavailable)
	}
	return ProcTaskInfo{
		VirtualBytes:  binary.LittleEndian.Uint64(raw[0:]),
		ResidentBytes: binary.LittleEndian.Uint64(raw[8:]),
	}, nil
}

// CPUPercent is the CPU usage over a window: cpu, the process's CPU time (user + system, all
// threads) used in the window, over wall, the window's length, in percent of one core (so up to
// 100 × cores). It is 0 for a window or CPU time of zero or less, as when the clock stepped back.
func CPUPercent(cpu, wall time.Duration) float64 {
	if wall <= 0 || cpu <= 0 {
		return 0
	}
	return float64(cpu) / float64(wall) * 100
}

// darwinCommLen is MAXCOMLEN, the most bytes macOS keeps of a process name in p_comm.
const darwinCommLen = 16

// DarwinCommName returns the name in a kinfo_proc p_comm field: the bytes before the first NUL
// (all of them if there is none), as a string.
func DarwinCommName(comm []byte) string {
	if i := bytes.IndexByte(comm, 0); i >= 0 {
		comm = comm[:i]
	}
	return string(comm)
}

// DarwinNameNeedsArgs reports whether a p_comm name may be truncated, so that DarwinProcessName
// would look at the command line: when it is 15 bytes or longer, as psutil decides.
func DarwinNameNeedsArgs(comm string) bool {
	return len(comm) >= darwinCommLen-1
}

// DarwinProcessName returns a process's name as psutil gives it on macOS: comm (from p_comm),
// unless it may be truncated (DarwinNameNeedsArgs) and the base name of the command line's first
// argument, read from procargs2 (the kern.procargs2 sysctl's bytes; nil when not read), starts
// with it; then that longer name. A procargs2 that does not parse leaves comm as it is.
func DarwinProcessName(comm string, procargs2 []byte) string {
	if !DarwinNameNeedsArgs(comm) || procargs2 == nil {
		return comm
	}
	argv, err := ParseProcArgs2(procargs2)
	if err != nil || len(argv) == 0 || argv[0] == "" {
		return comm
	}
	if base := path.Base(argv[0]); strings.HasPrefix(base, comm) {
		return base
	}
	return comm
}

// ParseProcArgs2 returns the command-line arguments in a kern.procargs2 sysctl value: a 32-bit
// little-endian argc, the executable's path and its NUL padding, then argc NUL-terminated
// arguments (the environment follows and is ignored). raw is read, not retained; the strings are
// copies. A value too short for argc, with a negative argc, or whose executable path or arguments
// run off its end returns an error wrapping ErrUnavailable, never a panic.
func ParseProcArgs2(raw []byte) ([]string, error) {
	if len(raw) < 4 {
		return nil, fmt.Errorf("procargs2 of %d bytes has no argument count: %w", len(raw), ErrUnavailable)
	}
	argc := int64(int32(binary.LittleEndian.Uint32(raw)))
	if argc < 0 {
		return nil, fmt.Errorf("procargs2 argument count %d: %w", argc, ErrUnavailable)
	}
	rest := raw[4:]
	end := bytes.IndexByte(rest, 0)
	if end < 0 {
		return nil, fmt.Errorf("procargs2 executable path is not terminated: %w", ErrUnavailable)
	}
	rest = bytes.TrimLeft(rest[end:], "\x00")
	if argc > int64(len(rest)) {
		return nil, fmt.Errorf("procargs2 claims %d arguments in %d bytes: %w", argc, len(rest), ErrUnavailable)
	}
	argv := make([]string, 0, argc)
	for range argc {
		end := bytes.IndexByte(rest, 0)
		if end < 0 {
			return nil, fmt.Errorf("procargs2 argument %d is not terminated: %w", len(argv), ErrUnavailable)
		}
		argv = append(argv, string(rest[:end]))
		rest = rest[end+1:]
	}
	return argv, nil
}
