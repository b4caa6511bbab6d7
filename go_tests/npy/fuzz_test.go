package npy_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/npy"
)

// FuzzParseHeader feeds arbitrary bytes to ParseHeader. It must never panic, must fail only with
// the package's sentinels, and whatever it accepts must be self-consistent and read the same
// through ReadHeader when the data is present.
func FuzzParseHeader(f *testing.F) {
	for name := range loadExpected(f) {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(raw)
	}
	for _, seed := range [][]byte{
		npyFile(1, okDict, 0),
		npyFile(2, "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,)}", 0),
		npyFile(3, "{'descr': '<c16', 'fortran_order': True, 'shape': ((2),)}", 0),
		npyFile(1, "{'descr': u'|b1', 'fortran_order': False, 'shape': (-0, 3L,),}", 0),
		rawFile(2, 0xffffffff, "", 0),
		[]byte("\x93NUMPY\x01\x00\x05\x00{'a':"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		h, err := npy.ParseHeader(head)
		if err != nil {
			if !errors.Is(err, npy.ErrMalformed) && !errors.Is(err, npy.ErrUnsupported) && !errors.Is(err, npy.ErrTooLarge) {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		require.LessOrEqual(t, h.DataOffset, int64(len(head)))
		require.LessOrEqual(t, len(h.Shape), npy.MaxDims)
		require.Contains(t, []int{1, 2, 4, 8, 16}, h.ItemSize)
		require.NotEmpty(t, h.Descr)
		product := float64(h.ItemSize)
		for _, d := range h.Shape {
			require.GreaterOrEqual(t, d, int64(0))
			product *= float64(d)
		}
		require.Less(t, product, float64(math.MaxInt64)*1.01)
		require.GreaterOrEqual(t, h.DataLen(), int64(0))

		if h.DataLen() <= 1<<20 {
			file := append(bytes.Clone(head[:h.DataOffset]), make([]byte, h.DataLen())...)
			h2, err := npy.ReadHeader(bytes.NewReader(file), int64(len(file)))
			require.NoError(t, err)
			require.Equal(t, h, h2)
			if h.DataLen() > 0 {
				_, err = npy.ReadHeader(bytes.NewReader(file[:len(file)-1]), int64(len(file)-1))
				require.ErrorIs(t, err, npy.ErrMalformed)
			}
		}
	})
}
