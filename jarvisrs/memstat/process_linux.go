package memstat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v3/process"
	"golang.org/x/sys/unix"
)

// userHZ is the unit of /proc/<pid>/stat times: USER_HZ, which Linux fixes at 100 on every
// architecture it exposes to user space (sysconf(_SC_CLK_TCK) would need cgo to ask).
const userHZ = 100

// statm is /proc/self/statm kept open for ProcessRSS, valid only in the process that opened it:
// a child forked later inherits the descriptor, which still names the parent.
var statm = struct {
	file  *kernelFile
	owner int
}{newKernelFile("/proc/self/statm"), os.Getpid()}

// ProcessRSS returns the resident set size of the calling process in bytes, from
// /proc/self/statm, kept open after the first call (close-on-exec; reopened if closed behind its
// back, and not used by a forked child): one pread, no allocation. It is safe for concurrent use.
func ProcessRSS() (uint64, error) {
	if os.Getpid() != statm.owner {
		return readRSS(nil)
	}
	rss, err := readRSS(statm.file)
	if err != nil && statm.file.keptReplaced() { // not statm after all: a reused descriptor
		rss, err = readRSS(statm.file)
	}
	return rss, err
}

// readRSS reads /proc/self/statm through f, or opens it afresh when f is nil.
func readRSS(f *kernelFile) (uint64, error) {
	var buf [256]byte
	var b []byte
	var err error
	if f != nil {
		b, err = f.readAll(buf[:])
	} else {
		b, err = readKernelFile("/proc/self/statm", buf[:])
	}
	if err != nil {
		return 0, fmt.Errorf("reading /proc/self/statm: %v: %w", err, ErrUnavailable)
	}
	// statm is "size resident shared text lib data dt", in pages.
	_, rest, _ := bytes.Cut(b, []byte{' '})
	resident, _, _ := bytes.Cut(rest, []byte{' '})
	pages, err := parseUint(bytes.TrimSpace(resident))
	if err != nil {
		// string(b) copies, so buf stays on the stack on the happy path.
		return 0, fmt.Errorf("parsing /proc/self/statm %q: %w", string(b), ErrUnavailable)
	}
	return pages * pageSize, nil
}

// cpuClock remembers the previous SelfInfo sample, so CPUPercent covers the time in between.
var cpuClock struct {
	sync.Mutex
	pid     int
	cpu     time.Duration
	elapsed time.Duration // since boot (CLOCK_BOOTTIME), the clock /proc/<pid>/stat counts in
}

// SelfInfo returns the calling process's virtual size, RSS, CPU percent and name. It reads
// /proc/self/stat and /proc/self/comm (and /proc/self/cmdline for long names) and is safe for
// concurrent use; concurrent callers share the CPU-percent window.
func SelfInfo() (ProcessInfo, error) {
	var buf [1024]byte
	b, err := readKernelFile("/proc/self/stat", buf[:])
	if err != nil {
		return ProcessInfo{}, fmt.Errorf("reading /proc/self/stat: %v: %w", err, ErrUnavailable)
	}
	st, err := parseStat(b)
	if err != nil {
		return ProcessInfo{}, err
	}
	pid := os.Getpid()
	name, err := (&process.Process{Pid: int32(pid)}).NameWithContext(context.Background())
	if err != nil {
		return ProcessInfo{}, fmt.Errorf("reading process name: %v: %w", err, ErrUnavailable)
	}
	cpu, now, err := cpuAndBootClock()
	if err != nil {
		return ProcessInfo{}, err
	}

	cpuClock.Lock()
	since, used := cpuClock.elapsed, cpuClock.cpu
	if cpuClock.pid != pid { // first call, or a forked child that inherited the parent's sample
		since, used = time.Duration(st.startTicks)*(time.Second/userHZ), 0
	}
	cpuClock.pid, cpuClock.cpu, cpuClock.elapsed = pid, cpu, now
	cpuClock.Unlock()

	percent := 0.0
	if wall := now - since; wall > 0 && cpu > used {
		percent = float64(cpu-used) / float64(wall) * 100
	}
	return ProcessInfo{
		VirtualBytes: st.vsize,
		RSSBytes:     st.rssPages * pageSize,
		CPUPercent:   percent,
		Name:         name,
	}, nil
}

// errBadStat is built once: parseStat runs on every SelfInfo call and its happy path should not
// pay for an error value.
var errBadStat = fmt.Errorf("parsing /proc/self/stat: %w", ErrUnavailable)

type selfStat struct {
	startTicks, vsize, rssPages uint64
}

// parseStat reads fields 22-24 (starttime, vsize, rss) of /proc/<pid>/stat. The command name,
// field 2, may hold spaces and parentheses, so fields are counted from its last ')'.
func parseStat(b []byte) (selfStat, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return selfStat{}, errBadStat
	}
	fields := bytes.Fields(b[end+1:]) // fields[0] is field 3, state
	if len(fields) < 22 {
		return selfStat{}, errBadStat
	}
	var st selfStat
	var errs [3]error
	st.startTicks, errs[0] = parseUint(fields[19])
	st.vsize, errs[1] = parseUint(fields[20])
	st.rssPages, errs[2] = parseUint(fields[21])
	for _, e := range errs {
		if e != nil {
			return selfStat{}, errBadStat
		}
	}
	return st, nil
}

// cpuAndBootClock returns the process's CPU time so far and the time since boot. getrusage
// counts in microseconds where /proc's stat counts in 10 ms ticks, which matters for short
// windows between calls.
func cpuAndBootClock() (cpu, sinceBoot time.Duration, err error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, fmt.Errorf("getrusage: %v: %w", err, ErrUnavailable)
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0, 0, fmt.Errorf("clock_gettime(CLOCK_BOOTTIME): %v: %w", err, ErrUnavailable)
	}
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu, time.Duration(ts.Nano()), nil
}
