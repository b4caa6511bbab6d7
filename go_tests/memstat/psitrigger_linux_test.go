package memstat_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

func TestPSITriggerRefusalsAreUnavailable(t *testing.T) {
	_, err := memstat.OpenPSITrigger("", 150*time.Millisecond, time.Second)
	require.ErrorIs(t, err, memstat.ErrUnavailable)
	_, err = memstat.OpenPSITrigger(t.TempDir()+"/missing", 150*time.Millisecond, time.Second)
	require.ErrorIs(t, err, memstat.ErrUnavailable)
}

// TestPSITriggerReal opens triggers on this kernel's pressure file in the two forms the wait
// tries: a 1 s window (kernels refuse it without CAP_SYS_RESOURCE) and a 2 s one (allowed to
// anyone with write access). A refusal must be ErrUnavailable (the wait then polls); an accepted
// trigger waits without error and closes once.
func TestPSITriggerReal(t *testing.T) {
	path := memstat.DefaultKernelPressure().PSIPath()
	if path == "" {
		t.Skip("no PSI file on this machine (/proc/pressure/memory missing)")
	}
	for _, form := range []struct{ stall, window time.Duration }{
		{150 * time.Millisecond, time.Second}, {300 * time.Millisecond, 2 * time.Second},
	} {
		tr, err := memstat.OpenPSITrigger(path, form.stall, form.window)
		if err != nil {
			require.ErrorIs(t, err, memstat.ErrUnavailable)
			t.Logf("trigger %v/%v refused here: %v", form.stall, form.window, err)
			continue
		}
		t.Logf("trigger %v/%v accepted", form.stall, form.window)
		start := time.Now()
		_, err = tr.Wait(50 * time.Millisecond)
		require.NoError(t, err)
		require.Less(t, time.Since(start), 5*time.Second)
		require.NoError(t, tr.Close())
		require.NoError(t, tr.Close(), "a second Close does nothing")
		_, err = tr.Wait(time.Millisecond)
		require.ErrorIs(t, err, memstat.ErrUnavailable, "a closed trigger cannot wait")
	}
}

// TestPSITriggerDroppedIsClosed drops accepted triggers without Close: their descriptors must
// go once they are unreachable.
func TestPSITriggerDroppedIsClosed(t *testing.T) {
	path := memstat.DefaultKernelPressure().PSIPath()
	tr, err := memstat.OpenPSITrigger(path, 300*time.Millisecond, 2*time.Second)
	if err != nil {
		t.Skipf("no PSI trigger accepted here (%v): nothing to drop", err)
	}
	require.NoError(t, tr.Close())
	triggerFDCount := func(t *testing.T) int { return fdsOpenOn(t, path) }
	before := settledFDsOpenOn(t, path) // earlier tests' dropped readers may still hold the file
	for range 5 {
		_, err := memstat.OpenPSITrigger(path, 300*time.Millisecond, 2*time.Second)
		require.NoError(t, err)
	}
	require.GreaterOrEqual(t, triggerFDCount(t), before+5)
	deadline := time.Now().Add(10 * time.Second)
	for triggerFDCount(t) > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	require.LessOrEqual(t, triggerFDCount(t), before)
}
