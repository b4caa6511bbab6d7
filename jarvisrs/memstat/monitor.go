package memstat

import (
	"sync"
	"sync/atomic"
	"time"
)

// Stats is one view of a Monitor's cache. Sizes are MiB (bytes / 1024 / 1024), percentages are
// 0-100; every ratio is 0 when the total is 0.
type Stats struct {
	TotalMB, AvailableMB, UsedMB float64
	// SystemPercent is UsedMB / TotalMB * 100.
	SystemPercent float64
	// ProcessMB is this process's resident set size.
	ProcessMB float64
	// MLModelsMB and MLModelsCount are what SetML recorded last.
	MLModelsMB    float64
	MLModelsCount int
	// MLPercent is MLModelsMB / TotalMB * 100.
	MLPercent float64
	// LimitSource is the Memory Source the figures came from: SourceHost or SourceCgroup.
	LimitSource string
}

// snapshot is one refresh, immutable once published, so readers need no lock.
type snapshot struct {
	at                                   time.Time // zero: never filled, refresh on next Stats
	totalMB, availableMB, usedMB, procMB float64
	source                               string
}

type mlFigures struct {
	mb    float64
	count int
}

// Monitor caches memory statistics and refreshes them at most once per interval. It is the state
// behind RustMemoryMonitor and is safe for concurrent use.
type Monitor struct {
	interval  time.Duration
	read      func() (Memory, error) // the Reader's Read, or the machine's systemMemorySource
	refreshMu sync.Mutex             // one refresh at a time; readers never take it
	snap      atomic.Pointer[snapshot]
	ml        atomic.Pointer[mlFigures]
	pressure  pressureState // the trend and kernel figures behind Pressure (pressure_monitor.go)
}

// NewMonitor returns a Monitor that refreshes when its cache is older than interval (interval
// <= 0: on every Stats call) from reader (nil: the real machine's, as SystemMemory reads). It fills
// the cache at once, process RSS included; if that first reading fails, the cache stays empty
// (IsAvailable reports false) and the next Stats retries and returns the error.
func NewMonitor(interval time.Duration, reader *Reader) *Monitor {
	read := systemMemorySource()
	if reader != nil {
		read = reader.Read
	}
	m := &Monitor{interval: interval, read: read}
	m.snap.Store(&snapshot{})
	m.ml.Store(&mlFigures{})
	m.refreshMu.Lock()
	_, _ = m.refreshLocked()
	m.refreshMu.Unlock()
	return m
}

// Interval returns the refresh interval given to NewMonitor.
func (m *Monitor) Interval() time.Duration {
	return m.interval
}

// Stats returns the cached statistics, first refreshing them (memory figures and process RSS)
// when the last refresh is older than the interval. A failed refresh returns the error (wrapping
// ErrUnavailable) and keeps the previous cache.
func (m *Monitor) Stats() (Stats, error) {
	s := m.snap.Load()
	if m.stale(s) {
		m.refreshMu.Lock()
		// Another caller may have refreshed while this one waited for the lock.
		if s = m.snap.Load(); m.stale(s) {
			var err error
			if s, err = m.refreshLocked(); err != nil {
				m.refreshMu.Unlock()
				return Stats{}, err
			}
		}
		m.refreshMu.Unlock()
	}
	return m.statsOf(s), nil
}

// statsOf is the view of the reading s with the current ML accounting.
func (m *Monitor) statsOf(s *snapshot) Stats {
	ml := m.ml.Load()
	return Stats{
		TotalMB:       s.totalMB,
		AvailableMB:   s.availableMB,
		UsedMB:        s.usedMB,
		SystemPercent: percentOf(s.usedMB, s.totalMB),
		ProcessMB:     s.procMB,
		MLModelsMB:    ml.mb,
		MLModelsCount: ml.count,
		MLPercent:     percentOf(ml.mb, s.totalMB),
		LimitSource:   s.source,
	}
}

// Refresh reads fresh figures now, whatever the cache's age, publishes them (they count for
// Stats and for the pressure trend like any refresh) and returns them. On failure it returns the
// error (wrapping ErrUnavailable) and keeps the previous cache. It is what a caller with a cache
// of its own calls when that cache is stale.
func (m *Monitor) Refresh() (Stats, error) {
	m.refreshMu.Lock()
	s, err := m.refreshLocked()
	m.refreshMu.Unlock()
	if err != nil {
		return Stats{}, err
	}
	// Not m.Stats(): with an interval of 0 the new reading is already stale to it, and it
	// would read (and feed the trend) a second time.
	return m.statsOf(s), nil
}

// SetML records the memory held by ML models (MiB) and how many there are. The figures are kept
// as given and survive refreshes.
func (m *Monitor) SetML(modelsMB float64, count int) {
	m.ml.Store(&mlFigures{mb: modelsMB, count: count})
}

// IsAvailable reports whether requiredMB more MiB fit under thresholdPercent of the total:
// (used + required) / total * 100 < thresholdPercent and available > required, from the cached
// figures only. It makes no system call and never refreshes; it is false while the cache is
// empty or the total is 0, and for NaN arguments.
func (m *Monitor) IsAvailable(requiredMB, thresholdPercent float64) bool {
	s := m.snap.Load()
	if !(s.totalMB > 0) {
		return false
	}
	return (s.usedMB+requiredMB)/s.totalMB*100 < thresholdPercent && s.availableMB > requiredMB
}

func (m *Monitor) stale(s *snapshot) bool {
	return s.at.IsZero() || time.Since(s.at) >= m.interval
}

// refreshLocked reads fresh figures and publishes them; refreshMu must be held.
func (m *Monitor) refreshLocked() (*snapshot, error) {
	mem, err := m.read()
	if err != nil {
		return nil, err
	}
	rss, err := ProcessRSS()
	if err != nil {
		return nil, err
	}
	s := &snapshot{
		at:          time.Now(),
		totalMB:     bytesToMiB(mem.TotalBytes),
		availableMB: bytesToMiB(mem.AvailableBytes),
		usedMB:      bytesToMiB(mem.UsedBytes),
		procMB:      bytesToMiB(rss),
		source:      mem.Source,
	}
	m.snap.Store(s)
	m.pressure.record(s.at, s.availableMB)
	return s, nil
}

func percentOf(part, total float64) float64 {
	if !(total > 0) {
		return 0
	}
	return part / total * 100
}
