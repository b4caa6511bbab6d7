package lz4x_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicOf runs fn with lz4x.WorkerPanicForTests set to kind and returns what fn panicked with on
// the calling goroutine (nil if it returned). A panic on a helper goroutine would abort the whole
// test binary instead; a helper that never finishes fails the test after a minute.
func panicOf(t *testing.T, kind int32, fn func()) (got any) {
	t.Helper()
	lz4x.WorkerPanicForTests.Store(kind)
	defer lz4x.WorkerPanicForTests.Store(lz4x.InjectNothing)
	result := make(chan any, 1)
	go func() {
		defer func() { result <- recover() }()
		fn()
	}()
	select {
	case got = <-result:
		return got
	case <-time.After(time.Minute):
		t.Fatal("the call hung after a worker panicked")
		return nil
	}
}

// textLike is compressible input of n bytes.
func textLike(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %d: the quick brown fox %d jumps over %d lazy dogs\n", i, i*7, i%13)
	}
	return b.Bytes()[:n]
}

func assertInjected(t *testing.T, got any) {
	t.Helper()
	require.NotNil(t, got, "the injected panic did not reach the caller")
	assert.Contains(t, fmt.Sprint(got), "injected panic")
	assert.Contains(t, fmt.Sprint(got), "worker goroutine")
}

func TestWorkerPanicReachesTheCaller(t *testing.T) {
	src := textLike(9 << 20) // several HC segments and several frame blocks
	frame := make([]byte, lz4x.CompressFrameBound(len(src)))
	n, err := lz4x.CompressFrame(frame, src, 0)
	require.NoError(t, err)
	frame = frame[:n]
	withProcs(t, 2, func() {
		t.Run("CompressBlockHC (parallelFor)", func(t *testing.T) {
			dst := make([]byte, lz4x.CompressBlockBound(4<<20))
			assertInjected(t, panicOf(t, lz4x.InjectWorkPanic, func() { _, _ = lz4x.CompressBlockHC(dst, src[:4<<20], 3) }))
		})
		t.Run("CompressFrame (orderedParallel)", func(t *testing.T) {
			dst := make([]byte, lz4x.CompressFrameBound(len(src)))
			assertInjected(t, panicOf(t, lz4x.InjectWorkPanic, func() { _, _ = lz4x.CompressFrame(dst, src, 0) }))
		})
		t.Run("DecompressFrame (orderedParallel)", func(t *testing.T) {
			dst := make([]byte, len(src))
			assertInjected(t, panicOf(t, lz4x.InjectWorkPanic, func() { _, _ = lz4x.DecompressFrame(dst, frame) }))
		})
		dir := t.TempDir()
		in := writeFile(t, dir, "in", src)
		packed := writeFile(t, dir, "in.lz4", frame)
		for _, kind := range []int32{lz4x.InjectWorkPanic, lz4x.InjectDrainPanic} {
			t.Run(fmt.Sprintf("CompressFile (pipeline) kind %d", kind), func(t *testing.T) {
				out := filepath.Join(dir, "out.lz4")
				assertInjected(t, panicOf(t, kind, func() { _, _ = lz4x.CompressFile(in, out, 0, nil) }))
				assert.NoFileExists(t, out)
			})
			t.Run(fmt.Sprintf("DecompressFile (pipeline) kind %d", kind), func(t *testing.T) {
				out := filepath.Join(dir, "out.bin")
				assertInjected(t, panicOf(t, kind, func() { _, _ = lz4x.DecompressFile(packed, out, nil) }))
				assert.NoFileExists(t, out)
			})
		}
		// Nothing is left broken: the same calls work once the injection is off.
		dst := make([]byte, len(src))
		m, err := lz4x.DecompressFrame(dst, frame)
		require.NoError(t, err)
		assert.Equal(t, src, dst[:m])
		_, err = lz4x.CompressFile(in, filepath.Join(dir, "ok.lz4"), 0, nil)
		require.NoError(t, err)
	})
}

// TestParallelPathsRoundTrip runs every parallel helper (parallelFor through CompressBlockHC's
// segments, orderedParallel through frame compression and decompression, the file pipeline) on
// inputs just large enough to use several goroutines. It is small so that CI can run it under
// the race detector (.ci/steps/52-go-test-variants.sh).
func TestParallelPathsRoundTrip(t *testing.T) {
	src := textLike(9<<20 + 5)
	withProcs(t, 4, func() {
		block := make([]byte, lz4x.CompressBlockBound(3<<20))
		n, err := lz4x.CompressBlockHC(block, src[:3<<20], 3)
		require.NoError(t, err)
		plain := make([]byte, 3<<20)
		m, err := lz4x.DecompressBlock(plain, block[:n])
		require.NoError(t, err)
		require.Equal(t, src[:3<<20], plain[:m])

		frame := make([]byte, lz4x.CompressFrameBound(len(src)))
		n, err = lz4x.CompressFrame(frame, src, 0)
		require.NoError(t, err)
		back := make([]byte, len(src))
		m, err = lz4x.DecompressFrame(back, frame[:n])
		require.NoError(t, err)
		require.Equal(t, src, back[:m])

		dir := t.TempDir()
		in := writeFile(t, dir, "in", src)
		_, err = lz4x.CompressFile(in, filepath.Join(dir, "in.lz4"), 0, nil)
		require.NoError(t, err)
		_, err = lz4x.DecompressFile(filepath.Join(dir, "in.lz4"), filepath.Join(dir, "out"), nil)
		require.NoError(t, err)
		assert.FileExists(t, filepath.Join(dir, "out"))
	})
}
