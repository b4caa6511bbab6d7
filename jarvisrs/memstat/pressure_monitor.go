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
	// AvailableMB is the Monitor's cached available memory (the figure Stats reports).
	AvailableMB float64
	// TrendMBPerS is the least-squares slope of available memory over the Monitor's last
	// TrendLen refreshes, in MiB per second; valid only when HasTrend (two readings or more).
	TrendMBPerS float64
	HasTrend    bool
	// Kernel is the kernel's own figure, read at most once per refresh interval; Kind
	// KernelNone when the kernel offers none or reading it failed.
	Kernel KernelPressure
}

// pressureState is the Monitor's share of pressure tracking. Its zero value is ready: the
// trend fills as the Monitor refreshes, and the kernel reader defaults to the real machine's.
type pressureState struct {
	trendMu sync.Mutex
	trend   Trend

	kernel   atomic.Pointer[KernelPressureReader] // nil: DefaultKernelPressure()
	kernelMu sync.Mutex                           // one kernel read at a time
	kernelAt atomic.Pointer[kernelReading]
}

type kernelReading struct {
	at time.Time
	kp KernelPressure
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

// kernelFigures returns the kernel's figures, read again only when the last reading is older
// than interval.
func (p *pressureState) kernelFigures(interval time.Duration) KernelPressure {
	if k := p.kernelAt.Load(); k != nil && time.Since(k.at) < interval {
		return k.kp
	}
	p.kernelMu.Lock()
	defer p.kernelMu.Unlock()
	if k := p.kernelAt.Load(); k != nil && time.Since(k.at) < interval {
		return k.kp
	}
	kp, err := p.reader().Read()
	if err != nil {
		kp = KernelPressure{}
	}
	p.kernelAt.Store(&kernelReading{at: time.Now(), kp: kp})
	return kp
}

// UseKernelPressure makes the Monitor read kernel pressure through r instead of the real
// machine's reader (for fake trees in tests). It is safe for concurrent use.
func (m *Monitor) UseKernelPressure(r *KernelPressureReader) {
	m.pressure.kernel.Store(r)
	m.pressure.kernelAt.Store(nil)
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
	s := m.snap.Load() // the snapshot Stats used, or a newer one
	p := Pressure{AvailableMB: s.availableMB, Level: LevelFor(s.availableMB, t)}
	p.TrendMBPerS, p.HasTrend = m.pressure.slope()
	if !p.HasTrend {
		p.TrendMBPerS = math.NaN()
	}
	p.Kernel = m.pressure.kernelFigures(m.interval)
	return p, nil
}
