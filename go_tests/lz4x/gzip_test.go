package lz4x_test

import (
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gzipBytes(t testing.TB, members ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range members {
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(m)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	return buf.Bytes()
}

func TestIsGzip(t *testing.T) {
	tests := []struct {
		src  []byte
		want bool
	}{
		{nil, false},
		{[]byte{0x1f}, false},
		{[]byte{0x1f, 0x8b}, true},
		{readTestdata(t, "python_gzip6.gz"), true},
		{readTestdata(t, "cli_B4_size.lz4"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, lz4x.IsGzip(tt.src), "%x", tt.src[:min(len(tt.src), 4)])
	}
}

func TestDecompressGzip(t *testing.T) {
	input := readTestdata(t, "input.txt")
	big := text(3 << 20)
	tests := []struct {
		name  string
		src   []byte
		limit int64
		want  []byte
	}{
		{"python gzip", readTestdata(t, "python_gzip6.gz"), 1 << 30, input},
		{"exact limit", readTestdata(t, "python_gzip6.gz"), int64(len(input)), input},
		{"empty", gzipBytes(t, nil), 0, []byte{}},
		{"two members", gzipBytes(t, []byte("hello "), []byte("world")), 100, []byte("hello world")},
		{"large", gzipBytes(t, big), 1 << 30, big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lz4x.DecompressGzip(tt.src, tt.limit)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(tt.want, got))
		})
	}
}

func TestDecompressGzipMisleadingTrailerSize(t *testing.T) {
	// ISIZE only sizes the first allocation; a wrong one must not change the result.
	src := text(200_000)
	gz := gzipBytes(t, src)
	for _, at := range []int{len(gz) - 4, len(gz) - 1} { // ISIZE's low and high byte
		bad := bytes.Clone(gz)
		bad[at] ^= 0x80
		_, err := lz4x.DecompressGzip(bad, 1<<30)
		assert.ErrorIs(t, err, lz4x.ErrCorrupt, "the trailer is checked too")
	}
	// Two members: ISIZE describes only the last one.
	got, err := lz4x.DecompressGzip(gzipBytes(t, src, []byte("x")), 1<<30)
	require.NoError(t, err)
	assert.Equal(t, append(bytes.Clone(src), 'x'), got)
}

func TestDecompressGzipErrors(t *testing.T) {
	good := readTestdata(t, "python_gzip6.gz")
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	tests := []struct {
		name  string
		src   []byte
		limit int64
		want  error
	}{
		{"not gzip", []byte("plain text"), 1 << 20, lz4x.ErrNotLZ4Frame},
		{"empty", nil, 1 << 20, lz4x.ErrNotLZ4Frame},
		{"magic only", good[:2], 1 << 20, lz4x.ErrCorrupt},
		{"truncated", good[:len(good)/2], 1 << 20, lz4x.ErrCorrupt},
		{"no trailer", good[:len(good)-8], 1 << 20, lz4x.ErrCorrupt},
		{"crc", flip(len(good) - 6), 1 << 20, lz4x.ErrCorrupt},
		{"deflate data", flip(len(good) / 2), 1 << 20, lz4x.ErrCorrupt},
		{"trailing garbage", append(bytes.Clone(good), "junk"...), 1 << 20, lz4x.ErrCorrupt},
		{"over limit", good, 96<<10 - 1, lz4x.ErrTooLarge},
		{"zero limit", good, 0, lz4x.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lz4x.DecompressGzip(tt.src, tt.limit)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}
