package lz4x

import "time"

const (
	progressBytes    = 64 << 20
	progressInterval = 100 * time.Millisecond
)

// progressMeter rate-limits a progress callback: it reports when 64 MiB more have been done or
// 100 ms have passed since the last report, whichever comes first, so a progress bar moves
// smoothly without a call per block.
type progressMeter struct {
	fn       func(done, total int64)
	total    int64
	lastDone int64
	lastTime time.Time
}

func newProgressMeter(fn func(done, total int64), total int64) *progressMeter {
	return &progressMeter{fn: fn, total: total, lastTime: time.Now()}
}

func (p *progressMeter) update(done int64) {
	if p.fn == nil {
		return
	}
	if now := time.Now(); done-p.lastDone >= progressBytes || now.Sub(p.lastTime) >= progressInterval {
		p.fn(done, p.total)
		p.lastDone, p.lastTime = done, now
	}
}

// finish reports the final count, always.
func (p *progressMeter) finish(done int64) {
	if p.fn != nil {
		p.fn(done, p.total)
	}
}
