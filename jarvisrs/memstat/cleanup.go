package memstat

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/shirou/gopsutil/v3/process"
)

const (
	// CleanupMinRSSBytes is the resident size a process must exceed to be suggested (50 MiB).
	CleanupMinRSSBytes = 50 << 20
	// CleanupMaxSuggestions is the most suggestions SuggestCleanup returns.
	CleanupMaxSuggestions = 5
)

// Suggestion is a process whose closing would free about RSSBytes of memory.
type Suggestion struct {
	Pid  int
	Name string
	// RSSBytes is the resident set size, in bytes.
	RSSBytes uint64
}

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

// SelectCleanup is SuggestCleanup's choice over a given process list, without touching the
// system. It keeps processes other than selfPid with RSS over CleanupMinRSSBytes whose lower-cased
// name contains neither "jarvis" nor "system", orders them by RSS, largest first (ties by pid),
// and takes them while fewer than CleanupMaxSuggestions are taken and the running total of their
// RSS in MiB is still below targetMB: the one that reaches the target is included, and a target
// of zero or less yields none. candidates is read, never modified or retained; the result is a
// new slice. A NaN targetMB never stops early.
func SelectCleanup(candidates []Suggestion, targetMB float64, selfPid int) []Suggestion {
	var kept []Suggestion
	for _, c := range candidates {
		name := strings.ToLower(c.Name)
		if c.Pid == selfPid || c.RSSBytes <= CleanupMinRSSBytes ||
			strings.Contains(name, "jarvis") || strings.Contains(name, "system") {
			continue
		}
		kept = append(kept, c)
	}
	slices.SortFunc(kept, func(a, b Suggestion) int {
		if a.RSSBytes != b.RSSBytes {
			return cmp.Compare(b.RSSBytes, a.RSSBytes)
		}
		return cmp.Compare(a.Pid, b.Pid)
	})
	var freedMB float64
	n := 0
	for n < len(kept) && n < CleanupMaxSuggestions && !(freedMB >= targetMB) {
		freedMB += bytesToMiB(kept[n].RSSBytes)
		n++
	}
	return slices.Clip(kept[:n])
}
