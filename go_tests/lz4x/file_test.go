package lz4x_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// assertOnlyFiles fails if dir holds anything but names (e.g. a leftover temporary file).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got)
}

func TestFileRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 1 << 20, 5<<20 + 77} {
		for _, level := range []int{0, 3} {
			t.Run(fmt.Sprintf("%d/L%d", n, level), func(t *testing.T) {
				dir := t.TempDir()
				src := mixed(n)
				in := writeFile(t, dir, "in", src)
				comp, out := filepath.Join(dir, "in.lz4"), filepath.Join(dir, "out")

				written, err := lz4x.CompressFile(in, comp, level, nil)
				require.NoError(t, err)
				frame, err := os.ReadFile(comp)
				require.NoError(t, err)
				assert.Equal(t, int64(len(frame)), written)
				// A file compresses to exactly the frame CompressFrame makes.
				assert.True(t, bytes.Equal(compressFrame(t, src, level), frame), "file and in-memory frames differ")

				written, err = lz4x.DecompressFile(comp, out, nil)
				require.NoError(t, err)
				assert.Equal(t, int64(n), written)
				got, err := os.ReadFile(out)
				require.NoError(t, err)
				assert.True(t, bytes.Equal(src, got))
				assertOnlyFiles(t, dir, "in", "in.lz4", "out")
			})
		}
	}
}

func TestFileProgress(t *testing.T) {
	dir := t.TempDir()
	// Incompressible, so both directions read past one 64 MiB reporting step.
	in := writeFile(t, dir, "in", random(70<<20))
	for _, tt := range []struct {
		name string
		run  func(func(done, total int64)) error
	}{
		{"compress", func(p func(done, total int64)) error {
			_, err := lz4x.CompressFile(in, filepath.Join(dir, "c.lz4"), 0, p)
			return err
		}},
		{"decompress", func(p func(done, total int64)) error {
			_, err := lz4x.DecompressFile(filepath.Join(dir, "c.lz4"), filepath.Join(dir, "d"), p)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls [][2]int64
			start := time.Now()
			require.NoError(t, tt.run(func(done, total int64) { calls = append(calls, [2]int64{done, total}) }))
			elapsed := time.Since(start)
			require.GreaterOrEqual(t, len(calls), 2, "a report at 64 MiB (or 100 ms) and the final one")
			total := calls[0][1]
			for i, c := range calls {
				assert.Equal(t, total, c[1], "total changes")
				assert.LessOrEqual(t, c[0], total)
				if i > 0 {
					assert.GreaterOrEqual(t, c[0], calls[i-1][0], "done goes backwards")
				}
			}
			assert.Equal(t, [2]int64{total, total}, calls[len(calls)-1], "the last report is complete")
			// Rate-limited: one per 64 MiB or per 100 ms, plus the final one.
			maxCalls := int(total>>26) + int(elapsed/(100*time.Millisecond)) + 2
			assert.LessOrEqual(t, len(calls), maxCalls)
		})
	}
}

func TestFileErrorsLeaveDestinationAlone(t *testing.T) {
	dir := t.TempDir()
	good := compressFrame(t, text(300_000), 0)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-1] ^= 1 // content checksum
	writeFile(t, dir, "good.lz4", good)
	writeFile(t, dir, "corrupt.lz4", corrupt)
	writeFile(t, dir, "truncated.lz4", good[:len(good)-100])
	writeFile(t, dir, "plain.txt", []byte("not compressed"))
	writeFile(t, dir, "empty", nil)
	writeFile(t, dir, "legacy.lz4", readTestdata(t, "cli_legacy.lz4"))
	writeFile(t, dir, "dst", []byte("old content"))
	all := []string{"good.lz4", "corrupt.lz4", "truncated.lz4", "plain.txt", "empty", "legacy.lz4", "dst"}
	at := func(name string) string { return filepath.Join(dir, name) }

	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"compress missing source", func() error {
			_, err := lz4x.CompressFile(at("missing"), at("dst"), 0, nil)
			return err
		}, fs.ErrNotExist},
		{"compress bad level", func() error {
			_, err := lz4x.CompressFile(at("plain.txt"), at("dst"), 13, nil)
			return err
		}, lz4x.ErrBadLevel},
		{"decompress missing source", func() error {
			_, err := lz4x.DecompressFile(at("missing"), at("dst"), nil)
			return err
		}, fs.ErrNotExist},
		{"decompress corrupt", func() error {
			_, err := lz4x.DecompressFile(at("corrupt.lz4"), at("dst"), nil)
			return err
		}, lz4x.ErrCorrupt},
		{"decompress truncated", func() error {
			_, err := lz4x.DecompressFile(at("truncated.lz4"), at("dst"), nil)
			return err
		}, lz4x.ErrCorrupt},
		{"decompress plain", func() error {
			_, err := lz4x.DecompressFile(at("plain.txt"), at("dst"), nil)
			return err
		}, lz4x.ErrNotLZ4Frame},
		{"decompress empty", func() error {
			_, err := lz4x.DecompressFile(at("empty"), at("dst"), nil)
			return err
		}, lz4x.ErrNotLZ4Frame},
		{"decompress legacy", func() error {
			_, err := lz4x.DecompressFile(at("legacy.lz4"), at("dst"), nil)
			return err
		}, lz4x.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.run(), tt.want)
			got, err := os.ReadFile(at("dst"))
			require.NoError(t, err)
			assert.Equal(t, "old content", string(got))
			assertOnlyFiles(t, dir, all...)
		})
	}
}

func TestFileMissingDestinationDirectory(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in", text(1000))
	_, err := lz4x.CompressFile(in, filepath.Join(dir, "no", "such", "dir", "out.lz4"), 0, nil)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestDecompressFileConcatenatedFrames(t *testing.T) {
	dir := t.TempDir()
	a, b := text(2<<20+1), weights(1<<20)
	var stream []byte
	stream = append(stream, compressFrame(t, a, 0)...)
	stream = append(stream, readTestdata(t, "cli_B4D_linked.lz4")...)
	stream = append(stream, compressFrame(t, b, 3)...)
	in := writeFile(t, dir, "in.lz4", stream)
	_, err := lz4x.DecompressFile(in, filepath.Join(dir, "out"), nil)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "out"))
	require.NoError(t, err)
	want := append(append(bytes.Clone(a), readTestdata(t, "input.txt")...), b...)
	assert.True(t, bytes.Equal(want, got))
}

func TestCompressFileFromPipe(t *testing.T) {
	// A pipe has no size up front, so the frame goes without a content size.
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	src := text(3 << 20)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.Write(src)
	}()
	comp := filepath.Join(dir, "out.lz4")
	_, err := lz4x.CompressFile(fifo, comp, 0, nil)
	require.NoError(t, err)
	frame, err := os.ReadFile(comp)
	require.NoError(t, err)
	_, known, err := lz4x.FrameContentSize(frame)
	require.NoError(t, err)
	assert.False(t, known)
	got, err := lz4x.DecompressFrameAlloc(frame, 1<<30)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(src, got))
}

func TestCompressFileSourceChangedSize(t *testing.T) {
	// Files in /proc are regular but report size 0 while holding data: the size read differs
	// from the size recorded in the header.
	const src = "/proc/self/status"
	if _, err := os.Stat(src); err != nil {
		t.Skip("no /proc on this system")
	}
	dir := t.TempDir()
	_, err := lz4x.CompressFile(src, filepath.Join(dir, "out.lz4"), 0, nil)
	assert.ErrorIs(t, err, lz4x.ErrSourceChanged)
	assertOnlyFiles(t, dir)
}

func TestFileFunctionsStopWhenTheContextIsCancelled(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	require.NoError(t, os.WriteFile(src, bytes.Repeat([]byte("cancel me "), 1<<20), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst := filepath.Join(dir, "out.lz4")
	require.NoError(t, os.WriteFile(dst, []byte("old"), 0o600))
	_, err := lz4x.CompressFileContext(ctx, src, dst, 0, nil)
	require.ErrorIs(t, err, context.Canceled)
	got, _ := os.ReadFile(dst)
	require.Equal(t, "old", string(got), "dst is left as it was")

	frame := filepath.Join(dir, "good.lz4")
	_, err = lz4x.CompressFile(src, frame, 0, nil)
	require.NoError(t, err)
	_, err = lz4x.DecompressFileContext(ctx, frame, dst, nil)
	require.ErrorIs(t, err, context.Canceled)
	got, _ = os.ReadFile(dst)
	require.Equal(t, "old", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 3, "no temporaries left behind")
}
