package memstat

import (
	"fmt"
	"math"

	"golang.org/x/sys/unix"
)

// SuggestCleanup lists other processes worth closing to free targetMB MiB: those SelectCleanup
// keeps from every process on the machine. It lists processes with the kern.proc.all sysctl and
// reads each one's resident size with proc_pidinfo(PROC_PIDTASKINFO), as psutil does; processes
// that vanish mid-scan or that macOS does not let this user inspect (other users' processes,
// unless running as root) are skipped. Names are DarwinProcessName's, read only for processes
// large enough. It is safe for concurrent use. A NaN targetMB returns an error wrapping
// ErrInvalidArgument; failing to list processes wraps ErrUnavailable.
func SuggestCleanup(targetMB float64, selfPid int) ([]Suggestion, error) {
	if math.IsNaN(targetMB) {
		return nil, fmt.Errorf("cleanup target is NaN: %w", ErrInvalidArgument)
	}
	procs, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil, fmt.Errorf("sysctl kern.proc.all: %v: %w", err, ErrUnavailable)
	}
	var candidates []Suggestion
	for i := range procs {
		pid := int(procs[i].Proc.P_pid)
		if pid == selfPid {
			continue
		}
		ti, err := taskInfo(pid)
		if err != nil || ti.ResidentBytes <= CleanupMinRSSBytes {
			continue
		}
		candidates = append(candidates, Suggestion{
			Pid:      pid,
			Name:     darwinName(pid, procs[i].Proc.P_comm[:]),
			RSSBytes: ti.ResidentBytes,
		})
	}
	return SelectCleanup(candidates, targetMB, selfPid), nil
}
