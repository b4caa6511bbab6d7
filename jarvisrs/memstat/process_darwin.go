package memstat

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ProcessRSS returns the resident set size of the calling process in bytes: pti_resident_size
// from proc_pidinfo(PROC_PIDTASKINFO), the figure psutil's memory_info().rss gives on macOS. It is
// safe for concurrent use.
func ProcessRSS() (uint64, error) {
	ti, err := taskInfo(os.Getpid())
	if err != nil {
		return 0, fmt.Errorf("this process: %w", err)
	}
	return ti.ResidentBytes, nil
}

// taskInfo reads pid's proc_taskinfo; the error wraps ErrUnavailable.
func taskInfo(pid int) (ProcTaskInfo, error) {
	var buf [ProcTaskInfoSize / 8]uint64
	raw, err := procPidTaskInfoRaw(pid, &buf)
	if err != nil {
		return ProcTaskInfo{}, fmt.Errorf("proc_pidinfo(%d, PROC_PIDTASKINFO): %v: %w", pid, err, ErrUnavailable)
	}
	return ParseProcTaskInfo(raw)
}

// cpuClock remembers the previous SelfInfo sample, so CPUPercent covers the time in between.
var cpuClock struct {
	sync.Mutex
	pid int
	cpu time.Duration
	at  time.Time // with its monotonic reading
}

// SelfInfo returns the calling process's virtual size and RSS (proc_pidinfo PROC_PIDTASKINFO, as
// psutil's memory_info), its CPU percent (getrusage user + system time over wall time since the
// previous call, or since the process started, from kinfo_proc's p_starttime, on the first) and
// its name (DarwinProcessName). It is safe for concurrent use; concurrent callers share the
// CPU-percent window.
func SelfInfo() (ProcessInfo, error) {
	pid := os.Getpid()
	ti, err := taskInfo(pid)
	if err != nil {
		return ProcessInfo{}, err
	}
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		return ProcessInfo{}, fmt.Errorf("sysctl kern.proc.pid.%d: %v: %w", pid, err, ErrUnavailable)
	}
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return ProcessInfo{}, fmt.Errorf("getrusage: %v: %w", err, ErrUnavailable)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	now := time.Now()

	cpuClock.Lock()
	since, used := cpuClock.at, cpuClock.cpu
	if cpuClock.pid != pid { // first call, or a forked child that inherited the parent's sample
		since, used = time.Unix(kp.Proc.P_starttime.Unix()), 0
	}
	cpuClock.pid, cpuClock.cpu, cpuClock.at = pid, cpu, now
	cpuClock.Unlock()

	return ProcessInfo{
		VirtualBytes: ti.VirtualBytes,
		RSSBytes:     ti.ResidentBytes,
		CPUPercent:   CPUPercent(cpu-used, now.Sub(since)),
		Name:         darwinName(pid, kp.Proc.P_comm[:]),
	}, nil
}

// darwinName is pid's name from its p_comm, extended from kern.procargs2 when it may be truncated.
func darwinName(pid int, comm []byte) string {
	name := DarwinCommName(comm)
	if !DarwinNameNeedsArgs(name) {
		return name
	}
	args, err := unix.SysctlRaw("kern.procargs2", pid)
	if err != nil {
		return name
	}
	return DarwinProcessName(name, args)
}
