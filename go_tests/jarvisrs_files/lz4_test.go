package jarvisrs_files_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

func TestCompressFileJobRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data.bin")
	data := bytes.Repeat([]byte("model weights and a little text\n"), 100_000)
	data = append(data, f32Tensor("x", 1, 256, 1024).data...)
	require.NoError(t, os.WriteFile(src, data, 0o644))
	for _, level := range []int{0, 3, 12} {
		var res struct {
			BytesWritten int64 `json:"bytes_written"`
		}
		zst := filepath.Join(dir, "data.lz4")
		j, err := jarvisrs.CompressFileJob(src, zst, level)
		require.NoError(t, runJob(t, j, err, &res))
		info, err := os.Stat(zst)
		require.NoError(t, err)
		require.Equal(t, info.Size(), res.BytesWritten)
		require.Equal(t, len(data), j.Total())
		require.Equal(t, len(data), j.Done())

		back := filepath.Join(dir, "back.bin")
		j, err = jarvisrs.DecompressFileJob(zst, back)
		require.NoError(t, runJob(t, j, err, &res))
		require.Equal(t, int64(len(data)), res.BytesWritten)
		got, err := os.ReadFile(back)
		require.NoError(t, err)
		require.True(t, bytes.Equal(data, got))
	}
	require.Empty(t, tempLeftovers(t, dir))
}

func TestCompressFileJobErrors(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "s.bin")
	require.NoError(t, os.WriteFile(src, []byte("not lz4 at all"), 0o644))
	_, err := jarvisrs.CompressFileJob(src, filepath.Join(dir, "x"), 13)
	requireCode(t, err, "value")
	_, err = jarvisrs.CompressFileJob(filepath.Join(dir, "missing"), filepath.Join(dir, "x"), 0)
	requireCode(t, err, "os:2")
	_, err = jarvisrs.DecompressFileJob(dir, filepath.Join(dir, "x"))
	requireCode(t, err, "os:21")

	dst := filepath.Join(dir, "keep")
	require.NoError(t, os.WriteFile(dst, []byte("keep"), 0o644))
	var res struct{}
	j, err := jarvisrs.DecompressFileJob(src, dst)
	requireCode(t, runJob(t, j, err, &res), "corrupt")
	j, err = jarvisrs.CompressFileJob(src, filepath.Join(dir, "no", "such", "dir"), 0)
	err = runJob(t, j, err, &res)
	requireCode(t, err, "os:2")
	require.Contains(t, err.Error(), filepath.Join(dir, "no", "such", "dir"), "the error names dst, not a temporary")
	got, _ := os.ReadFile(dst)
	require.Equal(t, "keep", string(got))
	require.Empty(t, tempLeftovers(t, dir))
}

// TestCompressFileJobCancelKeepsDst: lz4x cannot be interrupted, so a cancelled job runs to the
// end of its pass, then discards its output instead of replacing dst.
func TestCompressFileJobCancelKeepsDst(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "s.bin")
	var data []byte
	for i := range 24 {
		data = append(data, f32Tensor("x", uint64(i), 1024, 1024).data...)
	}
	require.NoError(t, os.WriteFile(src, data, 0o644))
	dst := filepath.Join(dir, "d.lz4")
	require.NoError(t, os.WriteFile(dst, []byte("keep"), 0o644))
	j, err := jarvisrs.CompressFileJob(src, dst, 0)
	require.NoError(t, err)
	require.True(t, j.Run())
	require.False(t, j.Run(), "a job runs once")
	j.Cancel()
	deadline := time.Now().Add(time.Minute)
	for !j.Wait(100) && time.Now().Before(deadline) {
	}
	_, err = j.Result()
	require.ErrorContains(t, err, "cancelled")
	got, _ := os.ReadFile(dst)
	require.Equal(t, "keep", string(got))
	require.Empty(t, tempLeftovers(t, dir))
}
