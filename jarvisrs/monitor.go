package jarvisrs

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// Lengths of the float64 buffers Python passes to the fill functions below.
const (
	statsLen     = 9 // total, available, used MiB, system %, process MiB, ML MiB, ML count, ML %, source
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

// RustMemoryMonitor is the Go half of the Python RustMemoryMonitor: cached memory statistics and
// the ML accounting. Safe for concurrent use.
type RustMemoryMonitor struct {
	mon      *memstat.Monitor
	interval float64
}

// NewRustMemoryMonitor returns a monitor whose statistics stay cached for updateInterval seconds
// (finite, >= 0). The cache is filled at once, this process's RSS included.
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

// FillStats refreshes the cache if it is older than the interval, then fills the n float64s at out
// (n >= 9): total, available, used MiB, system percent, process RSS MiB, ML MiB, ML model count, ML
// percent, and the limit source (0 host, 1 cgroup).
func (m *RustMemoryMonitor) FillStats(out uintptr, n int) (status int, err error) {
	defer recoverPanic(&err)
	if err := checkFloatOut(out, n, statsLen); err != nil {
		return 0, err
	}
	s, err := m.mon.Stats()
	if err != nil {
		return 0, memstatError(err)
	}
	dst := float64sAt(out, n)
	dst[0], dst[1], dst[2], dst[3] = s.TotalMB, s.AvailableMB, s.UsedMB, s.SystemPercent
	dst[4], dst[5], dst[6], dst[7] = s.ProcessMB, s.MLModelsMB, float64(s.MLModelsCount), s.MLPercent
	dst[8] = 0
	if s.LimitSource == memstat.SourceCgroup {
		dst[8] = 1
	}
	return 0, nil
}

// UpdateMLStats records the MiB held by ML models and their count; they survive refreshes.
func (m *RustMemoryMonitor) UpdateMLStats(modelsMB float64, modelsCount int) (status int, err error) {
	defer recoverPanic(&err)
	if math.IsNaN(modelsMB) || math.IsInf(modelsMB, 0) || modelsMB < 0 {
		return 0, valueErrorf("models_mb must be a finite number >= 0, got %v", modelsMB)
	}
	if modelsCount < 0 {
		return 0, valueErrorf("models_count must be >= 0, got %d", modelsCount)
	}
	m.mon.SetML(modelsMB, modelsCount)
	return 0, nil
}

// IsMemoryAvailable reports, from the cache only, whether requiredMB more MiB fit:
// (used + required) / total * 100 < thresholdPercent and available > required.
func (m *RustMemoryMonitor) IsMemoryAvailable(requiredMB, thresholdPercent float64) bool {
	return m.mon.IsAvailable(requiredMB, thresholdPercent)
}

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
