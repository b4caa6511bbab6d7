package memstat

import (
	"context"
	"fmt"
	"math"

	"github.com/shirou/gopsutil/v3/process"
)

// SuggestCleanup lists other processes worth closing to free targetMB MiB: those SelectCleanup
// keeps from every process on the machine. Processes that vanish or cannot be read mid-scan are
// skipped. It reads /proc/<pid>/statm for every process and the name only of those large enough,
// so it costs milliseconds; it is safe for concurrent use. A NaN targetMB returns an error
// wrapping ErrInvalidArgument; failing to list /proc wraps ErrUnavailable.
func SuggestCleanup(targetMB float64, selfPid int) ([]Suggestion, error) {
	if math.IsNaN(targetMB) {
		return nil, fmt.Errorf("cleanup target is NaN: %w", ErrInvalidArgument)
	}
	ctx := context.Background()
	pids, err := process.PidsWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %v: %w", err, ErrUnavailable)
	}
	var candidates []Suggestion
	for _, pid := range pids {
		if int(pid) == selfPid {
			continue
		}
		// A bare Process value: NewProcess would first stat the pid and read its start time,
		// two wasted reads per process when most are dropped on RSS alone.
		p := &process.Process{Pid: pid}
		mi, err := p.MemoryInfoWithContext(ctx)
		if err != nil || mi.RSS <= CleanupMinRSSBytes {
			continue
		}
		name, err := p.NameWithContext(ctx)
		if err != nil {
			continue
		}
		candidates = append(candidates, Suggestion{Pid: int(pid), Name: name, RSSBytes: mi.RSS})
	}
	return SelectCleanup(candidates, targetMB, selfPid), nil
}
