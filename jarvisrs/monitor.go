package jarvisrs

import (
	"sync/atomic"
	"time"

	"encoding/json"
	"errors"
	"math"
	"os"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// Lengths of the float64 buffers Python passes to the fill functions below.
const (
	statsLen     = 6 // total, available, used MiB, system %, process MiB, source
	memoryMapLen = 3 // virtual bytes, RSS bytes, CPU %
	systemLen    = 3 // total bytes, available bytes, used %
)

// maxIntervalSeconds keeps interval arithmetic far from time.Duration overflow (about 292 years).
const maxIntervalSeconds = 1e9

// memstatError codes memstat errors: bad arguments are ValueErrors, unreadable figures OSErrors.
func memstatError(err error) error {
	if errors.Is(err, memstat.ErrInvalidArgument) {
		return withCode(codeValue, err)
	}
	return withCode(codeOS, err)
}

// SystemMemoryInfo fills the n float64s at out (n >= 3) with the total and available bytes and the
// percentage used, of the host or of the cgroup limit the process lives under.
func SystemMemoryInfo(out uintptr, n int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkFloatOut(out, n, systemLen); err != nil {
		return 0, err
	}
	m, err := memstat.SystemMemory()
	if err != nil {
		return 0, memstatError(err)
	}
	dst := float64sAt(out, n)
	dst[0], dst[1] = float64(m.TotalBytes), float64(m.AvailableBytes)
	if m.TotalBytes > 0 {
		dst[2] = float64(m.UsedBytes) / float64(m.TotalBytes) * 100
	}
	return 0, nil
}

// checkFloatOut validates a Python float64 output buffer of n elements that must hold want.
func checkFloatOut(out uintptr, n, want int) error {
	if err := checkBuf(out, n, "output"); err != nil {
		return err
	}
	if n < want || !alignedTo(out, 8) {
		return valueErrorf("output buffer must hold %d aligned float64 values", want)
	}
	return nil
}

// RustMemoryMonitor is the Go half of the Python RustMemoryMonitor. The statistics cache Python
// reads, its age and the ML accounting live on the Python side (the fast paths of package
// pyaccel, or their pure-Python fallback), which calls ReadStats or ReadPressure only to refresh.
// The Go monitor keeps the readings behind the memory pressure (its level, trend and kernel
// figures): every ReadStats or ReadPressure is one of its refreshes. Safe for concurrent use.
type RustMemoryMonitor struct {
	mon      *memstat.Monitor
	interval float64
	used     atomic.Bool // false until the first ReadStats or ReadPressure (see refreshing)
	// thresholds of the pressure levels (SetPressureThresholds); nil: memstat.DefaultThresholds
	thresholds atomic.Pointer[memstat.Thresholds]
}

// NewRustMemoryMonitor returns a monitor for an update interval of updateInterval seconds (finite,
// >= 0); the interval is only validated and kept here.
func NewRustMemoryMonitor(updateInterval float64) (_ *RustMemoryMonitor, err error) {
	defer recoverPanic(&err)
	if math.IsNaN(updateInterval) || updateInterval < 0 || updateInterval > maxIntervalSeconds {
		return nil, valueErrorf("update_interval must be a finite number of seconds >= 0, got %v", updateInterval)
	}
	d := time.Duration(updateInterval * float64(time.Second))
	return &RustMemoryMonitor{mon: memstat.NewMonitor(d, nil), interval: updateInterval}, nil
}

// UpdateInterval is the cache lifetime in seconds.
func (m *RustMemoryMonitor) UpdateInterval() float64 { return m.interval }

// ReadStats reads fresh figures (one refresh of the pressure readings too) into the n float64s at
// out (n >= 6): total, available and used MiB, system percent (used / total * 100, 0 when the
// total is 0), this process's RSS in MiB, and the limit source (0 host, 1 cgroup).
func (m *RustMemoryMonitor) ReadStats(out uintptr, n int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkFloatOut(out, n, statsLen); err != nil {
		return 0, err
	}
	read := m.mon.Stats
	if m.refreshing() {
		read = m.mon.Refresh
	}
	s, err := read()
	if err != nil {
		return 0, memstatError(err)
	}
	fillStats(float64sAt(out, n), s)
	return 0, nil
}

// fillStats writes ReadStats' six figures of s to dst[:statsLen].
func fillStats(dst []float64, s memstat.Stats) {
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = s.TotalMB, s.AvailableMB, s.UsedMB, s.SystemPercent, s.ProcessMB, 0
	if s.LimitSource == memstat.SourceCgroup {
		dst[5] = 1
	}
}

// refreshing reports whether a read should make a fresh reading: false once, for the first
// ReadStats or ReadPressure, which takes the constructor's reading instead of making a second
// one a few microseconds later (it would count twice in the pressure trend).
func (m *RustMemoryMonitor) refreshing() bool { return m.used.Swap(true) }

// bytesToMiB converts bytes to MiB (bytes / 1024 / 1024), the unit of every *_mb figure.
func bytesToMiB(b uint64) float64 { return float64(b) / 1024 / 1024 }

// MemoryMap fills the n float64s at out (n >= 3) with this process's virtual size and RSS in bytes
// and its CPU percent since the previous call, and returns its name.
func (m *RustMemoryMonitor) MemoryMap(out uintptr, n int) (name string, err error) {
	defer recoverPanic(&err)
	if err := checkFloatOut(out, n, memoryMapLen); err != nil {
		return "", err
	}
	info, err := memstat.SelfInfo()
	if err != nil {
		return "", memstatError(err)
	}
	dst := float64sAt(out, n)
	dst[0], dst[1], dst[2] = float64(info.VirtualBytes), float64(info.RSSBytes), info.CPUPercent
	return info.Name, nil
}

// cleanupSuggestion is one entry of suggest_cleanup's "suggestions" list.
type cleanupSuggestion struct {
	Process  string  `json:"process"`
	MemoryMB float64 `json:"memory_mb"`
	Pid      int     `json:"pid"`
}

// cleanupResult is suggest_cleanup's result dict.
type cleanupResult struct {
	Suggestions      []cleanupSuggestion `json:"suggestions"`
	PotentialFreedMB float64             `json:"potential_freed_mb"`
}

// SuggestCleanup returns, as JSON, the other processes worth closing to free targetMB MiB and
// the MiB they would free (see memstat.SelectCleanup for the rules).
func (m *RustMemoryMonitor) SuggestCleanup(targetMB float64) (result string, err error) {
	defer recoverPanic(&err)
	found, err := memstat.SuggestCleanup(targetMB, os.Getpid())
	if err != nil {
		return "", memstatError(err)
	}
	res := cleanupResult{Suggestions: make([]cleanupSuggestion, 0, len(found))}
	for _, s := range found {
		mb := float64(s.RSSBytes) / (1 << 20)
		res.Suggestions = append(res.Suggestions, cleanupSuggestion{Process: s.Name, MemoryMB: mb, Pid: s.Pid})
		res.PotentialFreedMB += mb
	}
	encoded, err := json.Marshal(res)
	return string(encoded), err
}
