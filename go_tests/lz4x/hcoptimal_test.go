package lz4x_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// periodic repeats a random period of p bytes up to n bytes, with one byte in 97 changed, so
// every match is a chain of near-repeats exactly p bytes back (p near 64 KiB tests the window's
// edge) and many candidates match briefly before they differ.
func periodic(n, p int) []byte {
	base := random(p)
	b := make([]byte, n)
	for i := range b {
		b[i] = base[i%p]
		if i%97 == 0 {
			b[i] ^= 0x5A
		}
	}
	return b
}

// TestOptimalLevelsRoundTrip: the optimal parser's levels (10, 11 with the match finder's chain
// switch on partial matches, 12) give blocks and frames that decode to their input, on data whose
// hash chains are full of short matches, at the window's edge, and across 1 MiB segments.
func TestOptimalLevelsRoundTrip(t *testing.T) {
	inputs := map[string][]byte{
		"text":          text(300 << 10),
		"period-65535":  periodic(200<<10, 65535),
		"period-65536":  periodic(200<<10, 65536),
		"period-7":      periodic(100<<10, 7),
		"text+weights":  append(text(150<<10), weights(150<<10)...),
		"segments":      text(1<<20 + 4321),
		"short":         []byte("abcabcabcabcabcabcabcabc"),
		"one-repeat-13": bytes.Repeat([]byte("0123456789abc"), 40),
		"runs":          withRuns(readTestdata(t, "input.txt")),
		// A run across the 1 MiB segment boundary: the run jumps of the second segment reach
		// back into the first.
		"run-across-segments": slices.Concat(text(1<<20-3000), make([]byte, 10000), text(5000)),
	}
	for name, src := range inputs {
		for _, level := range []int{10, 11, 12} {
			if level == 12 && len(src) > 1<<20 {
				continue
			}
			t.Run(fmt.Sprintf("%s/L%d", name, level), func(t *testing.T) {
				block := compressBlock(t, src, level)
				out := make([]byte, len(src))
				n, err := lz4x.DecompressBlock(out, block)
				require.NoError(t, err)
				require.Equal(t, src, out[:n])
				require.Equal(t, src, decompressFrame(t, compressFrame(t, src, level)))
			})
		}
	}
}

// TestLevel11NoBiggerThanLevel10: the chain switch on partial matches lets level 11 search
// deeper for less time; it must not cost size.
func TestLevel11NoBiggerThanLevel10(t *testing.T) {
	for name, src := range map[string][]byte{"text": text(1 << 20), "period": periodic(300<<10, 4099)} {
		l10, l11 := len(compressBlock(t, src, 10)), len(compressBlock(t, src, 11))
		assert.LessOrEqual(t, l11, l10, "%s: level 11 %d bytes, level 10 %d", name, l11, l10)
		assert.Less(t, l11, len(src)/2, "%s: level 11 should compress this data well", name)
	}
}

// TestOptimalLevelsOnRunsMatchLiblz4 pins levels 10 to 12 on "runs" (text with runs of one byte
// value up to 3000 long) to liblz4 1.9.4's blocks (python-lz4 4.4.5, `lz4.block.compress(src,
// mode="high_compression", compression=L, store_size=False)`): levels 11 and 12 byte for byte,
// level 10 no bigger. It needs no Python, unlike TestOptimalLevelsAgainstPythonLZ4. Without the
// match finder's jumps over runs (hcMatcher.runs), levels 10 and 11 come out 57 and 36 bytes
// bigger: their searches spend every attempt a byte at a time inside the runs.
func TestOptimalLevelsOnRunsMatchLiblz4(t *testing.T) {
	src := withRuns(readTestdata(t, "input.txt"))
	require.Len(t, src, 132876)
	assert.LessOrEqual(t, len(compressBlock(t, src, 10)), 26629, "level 10 bigger than liblz4's")
	for _, r := range []struct {
		level  int
		size   int
		sha256 string
	}{
		{11, 26441, "9fd75c9001bcdee8eea0f03d7ea32118c1d0b3f35f250d7ac4e722c915dd3439"},
		{12, 26439, "de5bdd128837faef5c700d19ab53af108d25a3ee63fa2b73ca05dfbc66653db9"},
	} {
		got := compressBlock(t, src, r.level)
		sum := sha256.Sum256(got)
		assert.Equal(t, r.size, len(got), "level %d size", r.level)
		assert.Equal(t, r.sha256, hex.EncodeToString(sum[:]),
			"level %d bytes differ from liblz4's", r.level)
	}
}
