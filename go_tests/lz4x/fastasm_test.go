package lz4x_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/require"
)

// bothPaths runs fn with the assembly fast compressor and with the pure-Go loop it mirrors, and
// returns the two results. Where there is no assembly both runs use the pure-Go loop.
func bothPaths(fn func() []byte) (asm, pure []byte) {
	prev := lz4x.UseAssembly(true)
	defer lz4x.UseAssembly(prev)
	asm = fn()
	lz4x.UseAssembly(false)
	pure = fn()
	return asm, pure
}

// fastInputs are inputs that reach every path of the fast compressor: no matches, short and long
// literal runs, short and long matches (length bytes of 255), overlapping matches, matches at
// the end rules' limits, and data that turns compressible after a long incompressible stretch.
func fastInputs() map[string][]byte {
	r := random(3 << 20)
	in := map[string][]byte{
		"text":    text(3 << 20),
		"weights": weights(1 << 20),
		"random":  r[:1<<20],
		"zeros":   make([]byte, 1<<20),
		"mixed":   mixed(2<<20 + 77),
		"late":    append(append([]byte{}, r[:1<<20]...), text(1<<20)...),
	}
	// Long literal runs between long matches: random chunks of every length class, repeated.
	var b []byte
	for i, l := range []int{1, 14, 15, 16, 17, 31, 254, 255, 269, 270, 271, 600, 5000} {
		chunk := r[i*8000 : i*8000+l]
		b = append(b, chunk...)
		b = append(b, bytes.Repeat(chunk, 3)...)
		b = append(b, bytes.Repeat([]byte{byte(i)}, 300+l)...)
	}
	in["runs"] = b
	return in
}

func TestFastAssemblyMatchesGo(t *testing.T) {
	if !lz4x.AssemblyAvailable() {
		t.Log("no assembly in this build: both paths are the pure-Go loop")
	}
	for name, src := range fastInputs() {
		for _, n := range []int{13, 14, 20, 100, 4096, 65536 + 3, 1 << 20, len(src)} {
			n := min(n, len(src))
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				asm, pure := bothPaths(func() []byte { return compressFrame(t, src[:n], 0) })
				require.True(t, bytes.Equal(asm, pure), "assembly and Go frames differ")
				// Decoding verifies the content checksum with either xxHash32 loop.
				decAsm, decPure := bothPaths(func() []byte { return decompressFrame(t, asm) })
				require.True(t, bytes.Equal(src[:n], decAsm))
				require.True(t, bytes.Equal(src[:n], decPure))
			})
		}
	}
}

// TestFastAssemblyMatchesGoTight compares the two paths where the output meets the end of its
// room: blocks that shrink by a few bytes or not at all (each block gets one byte less than its
// input), at every size from 13 to 400 bytes and at each offset of a repeated run.
func TestFastAssemblyMatchesGoTight(t *testing.T) {
	r := random(1 << 16)
	for n := 13; n <= 400; n++ {
		for _, rep := range []int{4, 6, 9, 16, 30} {
			for at := 0; at+2*rep <= n; at += max(1, n/7) {
				src := append([]byte{}, r[n:2*n]...)
				copy(src[at+rep:at+2*rep], src[at:at+rep])
				asm, pure := bothPaths(func() []byte { return compressFrame(t, src, 0) })
				require.True(t, bytes.Equal(asm, pure), "n=%d rep=%d at=%d", n, rep, at)
				require.True(t, bytes.Equal(src, decompressFrame(t, asm)), "n=%d rep=%d at=%d", n, rep, at)
			}
		}
	}
}
