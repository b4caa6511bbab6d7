package memstat

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Pressure is one reading of memory pressure as a Monitor sees it.
type Pressure struct {
	// Level is LevelFor(AvailableMB, the thresholds asked for).
	Level PressureLevel
	// AvailableMB is the available memory of the reading the pressure describes (the figure
	// Stats reports for that reading).
	AvailableMB float64
	// TrendMBPerS is the least-squares slope of available memory over the Monitor's last
	// TrendLen refreshes, in MiB per second; valid only when HasTrend (two readings or more).
	TrendMBPerS float64
	HasTrend    bool
	// Kernel is the kernel's own figure; Kind KernelNone when the kernel offers none or reading
	// it failed. It is read again at a refresh only when the kept figures are KernelMaxAge old:
	// at most KernelMaxAge older than AvailableMB.
	Kernel KernelPressure
	// KernelReading numbers the kernel reading Kernel comes from (1, 2, ... per Monitor): equal
	// numbers mean the same figures, so a caller can keep what it built from them.
	KernelReading uint64
}

// KernelMaxAge is how long the kernel's pressure figures are kept across refreshes. The kernel
// recomputes its PSI averages every 2 s, so reading the file more often mostly returns the same
// averages; only the stall totals move, and they may be this much older than the memory reading.
const KernelMaxAge = 2 * time.Second

// pressureState is the Monitor's share of pressure tracking. Its zero value is ready: the
// trend fills as the Monitor refreshes, and the kernel reader defaults to the real machine's.
type pressureState struct {
	trendMu sync.Mutex
	trend   Trend

	kernel   atomic.Pointer[KernelPressureReader] // nil: DefaultKernelPressure()
	clock    atomic.Pointer[func() time.Time]     // nil: time.Now; the kernel figures' age only
	kernelMu sync.Mutex                           // one kernel read at a time
	kernelAt atomic.Pointer[kernelReading]
}

// kernelReading is one reading of the kernel's figures, immutable once published.
type kernelReading struct {
	at   time.Time // by the pressure clock
	snap *snapshot // the memory reading it was made for
	kp   KernelPressure
	num  uint64 // 1, 2, ...: see Pressure.KernelReading
}

// record feeds one refresh's available memory into the trend. The Monitor calls it from every
// successful refresh; it is how the trend gets its readings.
func (p *pressureState) record(at time.Time, availableMB float64) {
	p.trendMu.Lock()
	p.trend.Add(at, availableMB)
	p.trendMu.Unlock()
}

func (p *pressureState) slope() (float64, bool) {
	p.trendMu.Lock()
	defer p.trendMu.Unlock()
	return p.trend.Slope()
}

func (p *pressureState) reader() *KernelPressureReader {
	if r := p.kernel.Load(); r != nil {
		return r
	}
	return DefaultKernelPressure()
}

func (p *pressureState) now() time.Time {
	if c := p.clock.Load(); c != nil {
		return (*c)()
	}
	return time.Now()
}

// fresh reports whether the kept kernel reading k may serve the memory reading s: it was made
// for s (no refresh since: the figures follow the update interval), or it is younger than
// KernelMaxAge (a refresh does not read the kernel file again before then).
func (p *pressureState) fresh(k *kernelReading, s *snapshot) bool {
	return k != nil && (k.snap == s || p.now().Sub(k.at) < KernelMaxAge)
}

// kernelFigures returns the kernel's figures for the memory reading s (see fresh).
func (p *pressureState) kernelFigures(s *snapshot) *kernelReading {
	if k := p.kernelAt.Load(); p.fresh(k, s) {
		return k
	}
	p.kernelMu.Lock()
	defer p.kernelMu.Unlock()
	prev := p.kernelAt.Load()
	if p.fresh(prev, s) {
		return prev
	}
	kp, err := p.reader().Read()
	if err != nil {
		kp = KernelPressure{}
	}
	k := &kernelReading{at: p.now(), snap: s, kp: kp, num: 1}
	if prev != nil {
		k.num = prev.num + 1
	}
	p.kernelAt.Store(k)
	return k
}

// UseKernelPressure makes the Monitor read kernel pressure through r instead of the real
// machine's reader (for fake trees in tests); the next pressure reads r at once. It is safe for
// concurrent use.
func (m *Monitor) UseKernelPressure(r *KernelPressureReader) {
	m.pressure.kernel.Store(r)
	m.pressure.kernelMu.Lock()
	if k := m.pressure.kernelAt.Load(); k != nil {
		// Keep the numbering going: a caller holding figures numbered k.num must not take the
		// new reader's first reading for them.
		m.pressure.kernelAt.Store(&kernelReading{num: k.num})
	}
	m.pressure.kernelMu.Unlock()
}

// UseKernelClock makes the Monitor measure the age of its kernel figures (see KernelMaxAge)
// with now instead of time.Now, for tests; nil restores time.Now. It is safe for concurrent use.
func (m *Monitor) UseKernelClock(now func() time.Time) {
	if now == nil {
		m.pressure.clock.Store(nil)
		return
	}
	m.pressure.clock.Store(&now)
}

// KernelPressureReader returns the reader the Monitor uses for kernel figures (and whose PSI
// file a PSITrigger should watch).
func (m *Monitor) KernelPressureReader() *KernelPressureReader {
	return m.pressure.reader()
}

// Pressure refreshes the cache when it is older than the interval, as Stats does, and returns
// the pressure under thresholds t: the level from the cached available memory, the trend over
// the last refreshes and the kernel's figures. Invalid thresholds return an error wrapping
// ErrInvalidArgument; a failed refresh returns Stats' error. Safe for concurrent use.
func (m *Monitor) Pressure(t Thresholds) (Pressure, error) {
	if err := t.Validate(); err != nil {
		return Pressure{}, err
	}
	if _, err := m.Stats(); err != nil {
		return Pressure{}, err
	}
	return m.pressureOf(m.snap.Load(), t), nil // the snapshot Stats used, or a newer one
}

// StatsAndPressure returns the statistics of one reading and the pressure under thresholds t for
// that same reading. With refresh it reads fresh figures first, whatever the cache's age (as
// Refresh does: one reading of the pressure trend); without, it takes the latest reading as it
// is, however old (an empty cache is filled first). It is what a caller with a cache of its
// own calls: refresh when its cache is stale, none when it only lacks the pressure of its
// current reading. Errors as Pressure and Refresh. Safe for concurrent use.
func (m *Monitor) StatsAndPressure(t Thresholds, refresh bool) (Stats, Pressure, error) {
	if err := t.Validate(); err != nil {
		return Stats{}, Pressure{}, err
	}
	s := m.snap.Load()
	if refresh || s.at.IsZero() {
		m.refreshMu.Lock()
		fresh, err := m.refreshLocked()
		m.refreshMu.Unlock()
		if err != nil {
			return Stats{}, Pressure{}, err
		}
		s = fresh
	}
	return m.statsOf(s), m.pressureOf(s, t), nil
}

// pressureOf is the pressure of the memory reading s under thresholds t (assumed valid).
func (m *Monitor) pressureOf(s *snapshot, t Thresholds) Pressure {
	p := Pressure{AvailableMB: s.availableMB, Level: LevelFor(s.availableMB, t)}
	p.TrendMBPerS, p.HasTrend = m.pressure.slope()
	if !p.HasTrend {
		p.TrendMBPerS = math.NaN()
	}
	k := m.pressure.kernelFigures(s)
	p.Kernel, p.KernelReading = k.kp, k.num
	return p
}
