package jarvisrs_files_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

type cacheResult struct {
	Path   string          `json:"path"`
	Cached bool            `json:"cached"`
	Stats  *quantizeResult `json:"stats"`
}

func TestQuantizedTensorsCache(t *testing.T) {
	dir := t.TempDir()
	src := testModel(t, dir)
	l, err := jarvisrs.NewRustModelLoader(filepath.Join(dir, "cache"), 0)
	require.NoError(t, err)

	var first, second, other cacheResult
	j, err := l.QuantizedTensorsJob(src, "int8")
	require.NoError(t, runJob(t, j, err, &first))
	require.False(t, first.Cached)
	require.NotNil(t, first.Stats)
	h := readHeader(t, first.Path)
	require.Equal(t, "int8", h.Metadata["jrx.scheme"])
	real, err := filepath.EvalSymlinks(src)
	require.NoError(t, err)
	require.Equal(t, real, h.Metadata["jrx.source.path"])
	before, err := os.Stat(first.Path)
	require.NoError(t, err)

	j, err = l.QuantizedTensorsJob(src, "int8")
	require.NoError(t, err)
	require.True(t, j.Wait(0), "a cache hit is finished at once")
	require.False(t, j.Run(), "a cache hit has no work to start")
	require.NoError(t, runJob(t, j, nil, &second))
	require.True(t, second.Cached)
	require.Equal(t, first.Path, second.Path)
	after, err := os.Stat(first.Path)
	require.NoError(t, err)
	require.True(t, os.SameFile(before, after))

	j, err = l.QuantizedTensorsJob(src, "q4_0")
	require.NoError(t, runJob(t, j, err, &other))
	require.False(t, other.Cached)
	require.NotEqual(t, first.Path, other.Path)

	// A new modification time invalidates the entry.
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(src, later, later))
	j, err = l.QuantizedTensorsJob(src, "int8")
	require.NoError(t, runJob(t, j, err, &second))
	require.False(t, second.Cached)
	require.Equal(t, first.Path, second.Path)

	// A damaged entry is rebuilt.
	require.NoError(t, os.WriteFile(first.Path, []byte("garbage"), 0o600))
	j, err = l.QuantizedTensorsJob(src, "int8")
	require.NoError(t, runJob(t, j, err, &second))
	require.False(t, second.Cached)

	_, err = l.QuantizedTensorsJob(src, "int2")
	requireCode(t, err, "value")
	_, err = l.QuantizedTensorsJob(filepath.Join(dir, "missing"), "int8")
	requireCode(t, err, "os:2")
}
