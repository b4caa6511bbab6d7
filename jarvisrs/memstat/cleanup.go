package memstat

import (
	"cmp"
	"slices"
	"strings"
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
