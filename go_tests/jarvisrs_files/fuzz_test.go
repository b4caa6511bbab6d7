package jarvisrs_files_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

// fuzzSeeds are small safetensors files, valid and not.
func fuzzSeeds() [][]byte {
	return [][]byte{
		prefixed(`{"w":{"dtype":"F32","shape":[2,32],"data_offsets":[0,256]}}`, 256),
		prefixed(`{"__metadata__":{"a":"b"},"w":{"dtype":"F16","shape":[1,64],"data_offsets":[0,128]},"i":{"dtype":"I8","shape":[3],"data_offsets":[128,131]}}`, 131),
		prefixed(`{"w":{"dtype":"BF16","shape":[4,2],"data_offsets":[0,16]}}`, 16),
		prefixed(`{"w":{"dtype":"F64","shape":[0,2],"data_offsets":[0,0]}}`, 0),
		prefixed(`{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}`, 16),
		prefixed(`{}`, 0),
		[]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"),
		nil,
	}
}

// FuzzSafetensorsHeader: any file either fails with a ValueError code or yields a header whose
// tensors all lie inside the mapping.
func FuzzSafetensorsHeader(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, file []byte) {
		path := filepath.Join(dir, "f.safetensors")
		require.NoError(t, os.WriteFile(path, file, 0o644))
		m, err := jarvisrs.MapFile(path)
		require.NoError(t, err)
		defer m.Close()
		raw, err := m.SafetensorsHeader()
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "[jrx:value]"), err.Error())
			return
		}
		var doc headerDoc
		require.NoError(t, json.Unmarshal([]byte(raw), &doc))
		for _, x := range doc.Tensors {
			require.True(t, x.Offset >= doc.DataStart && x.Length >= 0 && x.Offset+x.Length <= int64(m.Len()))
		}
	})
}

// FuzzQuantizeModelFile: any file is quantized by every scheme or refused with a code, never a
// panic (which the job would report as an internal error), and never leaves a temporary file.
func FuzzQuantizeModelFile(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, uint8(0))
	}
	schemes := []string{"int8", "int4", "fp16", "q8_0", "q4_0"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, file []byte, which uint8) {
		src := filepath.Join(dir, "src.safetensors")
		require.NoError(t, os.WriteFile(src, file, 0o644))
		dst := filepath.Join(dir, "dst.safetensors")
		var res quantizeResult
		j, err := jarvisrs.QuantizeModelFileJob(src, dst, schemes[int(which)%len(schemes)])
		err = runJob(t, j, err, &res)
		if err != nil {
			require.False(t, strings.HasPrefix(err.Error(), "[jrx:internal]"), err.Error())
		} else {
			readHeader(t, dst)
		}
		require.Empty(t, tempLeftovers(t, dir))
	})
}
