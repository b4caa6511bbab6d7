package lz4x_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withRuns is testdata/input.txt cut into 4 KiB pieces with runs of one byte value (up to about
// 3000 bytes) between them: the runs exercise level 9's shortcut through repeats. The same
// construction in Python made the reference digests below.
func withRuns(d []byte) []byte {
	var b []byte
	for i := range 24 {
		b = append(b, d[i*4096:(i+1)*4096]...)
		b = append(b, bytes.Repeat([]byte{byte(i % 7)}, i*397%3000)...)
	}
	return b
}

// TestLazyLevelsMatchLiblz4 pins levels 1 to 9 to liblz4's own blocks: the lazy parser makes
// the same choices as liblz4's hash-chain parser (same hash, chains, search depth, widening and
// trimming), so on a single-segment input the blocks are identical. The references are the
// sizes and SHA-256 of `lz4.block.compress(src, mode="high_compression", compression=L,
// store_size=False)` from python-lz4 4.4.5 (liblz4 1.9.4), src as described in testdata/README.md.
func TestLazyLevelsMatchLiblz4(t *testing.T) {
	input := readTestdata(t, "input.txt")
	inputs := map[string][]byte{"input.txt": input, "runs": withRuns(input)}
	require.Len(t, inputs["runs"], 132876)
	refs := []struct {
		input  string
		level  int
		size   int
		sha256 string
	}{
		{"input.txt", 1, 31447, "7a53d2a95d49d06ba1b869228384e18492b24f12c20efcadf73e129e6032205a"},
		{"input.txt", 2, 31447, "7a53d2a95d49d06ba1b869228384e18492b24f12c20efcadf73e129e6032205a"},
		{"input.txt", 3, 29937, "09ed3ce424fd1acc7a37ae8e893a43370686814e50eaedca2d25af17928662af"},
		{"input.txt", 4, 28816, "43becd608c12d4cac63189e3a0538450605e10239ac240c3008470159b4030d4"},
		{"input.txt", 5, 28081, "f5d857e8f17e981706c6b9803426ef791a395bde8e62ae20451afb405e45ae61"},
		{"input.txt", 6, 27593, "220723c09d52ced0c7d6150cae67859a04059266f976615432335518b175ded6"},
		{"input.txt", 7, 27221, "c5ceda819335fc89e9b2d146166ba1b670f700bbc7e072370612ed39d1db1360"},
		{"input.txt", 8, 27083, "13291b313429100d5783daf66ea1742f21fe08c1aa248069d25819e8f6e25e7c"},
		{"input.txt", 9, 27002, "6214f3ea3277a53f98d7f539088148e133173421d4e7f2f6646ecc8ecca36f6f"},
		{"runs", 1, 31725, "22fee808e49f392755cdededac16bbb037dc881bf828b3028e64f0273f7bce35"},
		{"runs", 2, 31725, "22fee808e49f392755cdededac16bbb037dc881bf828b3028e64f0273f7bce35"},
		{"runs", 3, 30256, "20c5faeb241f0c3a24fef6241879d4e832f308248be830c97dcb9de5f0e8a447"},
		{"runs", 4, 29143, "1514d5e2bb9d965879be380965ea309a71b99aa57eec62dbb007ee32c279f7f8"},
		{"runs", 5, 28499, "69149239c4bb15338f3f627702773d143b4c764960a538b2f5b2d9b6aa278a2a"},
		{"runs", 6, 28024, "d8d588d58e128e5177ec46c150a12baee54ca350373b23b099fb5a71b4a54b74"},
		{"runs", 7, 27699, "7d27d17dfd5762ba4ed3b275edba750504d68de72afdc01147cf61b20348b22a"},
		{"runs", 8, 27552, "2c7eb0adc85a5b5e1d28aaed76ebe6785ddfb61c408f5cdc96a69fdc1e6c507b"},
		{"runs", 9, 27442, "fddc4f59f70a56fafa4ac572ce51427ccd6edc2c74950a01c3fe79a95013fe33"},
	}
	for _, r := range refs {
		t.Run(fmt.Sprintf("%s/L%d", r.input, r.level), func(t *testing.T) {
			got := compressBlock(t, inputs[r.input], r.level)
			sum := sha256.Sum256(got)
			assert.Equal(t, r.size, len(got), "size")
			assert.Equal(t, r.sha256, hex.EncodeToString(sum[:]), "bytes differ from liblz4's")
		})
	}
}

// lazyEdgeInputs are inputs around the lazy parser's edges: the format's end rules, the 64 KiB
// window (a repeat exactly at, just inside and just beyond reach), long runs, data that does not
// compress, and more than one 1 MiB segment (each reaching back into the one before).
func lazyEdgeInputs() map[string][]byte {
	r := rand.New(rand.NewPCG(9, 10))
	farRepeat := func(dist int) []byte {
		head := make([]byte, 64)
		for i := range head {
			head[i] = byte(r.Uint32())
		}
		b := append(append([]byte{}, head...), random(dist-64)...)
		return append(append(b, head...), random(300)...)
	}
	in := map[string][]byte{
		"empty":              nil,
		"13 bytes":           []byte("abcdabcdabcda"),
		"short repeats":      bytes.Repeat([]byte("ab"), 20),
		"random 100 KiB":     random(100 << 10),
		"zeros 300 KiB":      make([]byte, 300<<10),
		"repeat at 65535":    farRepeat(65535),
		"repeat at 65536":    farRepeat(65536),
		"repeat at 65600":    farRepeat(65600),
		"weights then text":  append(weights(70_000), text(70_000)...),
		"text over segments": text(2<<20 + 4099),
		"runs over segments": nil,
	}
	var runs []byte
	for len(runs) < 1<<20+70_000 {
		runs = append(runs, bytes.Repeat([]byte{byte(r.IntN(3))}, r.IntN(5000))...)
		runs = append(runs, text(r.IntN(300))...)
	}
	in["runs over segments"] = runs
	for n := 1; n <= 20; n++ {
		in[fmt.Sprintf("text %d", n)] = text(n)
	}
	return in
}

func TestLazyLevelsRoundTrip(t *testing.T) {
	for name, src := range lazyEdgeInputs() {
		for level := 1; level <= 9; level++ {
			t.Run(fmt.Sprintf("%s/L%d", name, level), func(t *testing.T) {
				block := compressBlock(t, src, level)
				// Never worse than storing the input as literals.
				assert.LessOrEqual(t, len(block), max(1, len(src)+len(src)/255+2))
				out := make([]byte, len(src))
				n, err := lz4x.DecompressBlock(out, block)
				require.NoError(t, err)
				require.True(t, bytes.Equal(src, out[:n]), "round trip differs")
				clear(out)
				n, err = lz4.UncompressBlock(block, out)
				require.NoError(t, err)
				require.True(t, bytes.Equal(src, out[:n]), "pierrec's decoder differs")
			})
		}
	}
}

// TestLazyLevelsReachFarMatches: a 64 KiB-old repeat is found exactly when its offset fits in 16
// bits (65535 does, 65536 does not), at every level.
func TestLazyLevelsReachFarMatches(t *testing.T) {
	in := lazyEdgeInputs()
	for level := 1; level <= 9; level++ {
		near := len(compressBlock(t, in["repeat at 65535"], level))
		far := len(compressBlock(t, in["repeat at 65536"], level))
		assert.Less(t, near+50, far, "level %d: the 64-byte repeat at offset 65535 should be a match", level)
	}
}

// TestLazyLevelsShrink: on compressible data every level is at least as small as the one below.
func TestLazyLevelsShrink(t *testing.T) {
	input := readTestdata(t, "input.txt")
	for name, src := range map[string][]byte{"text": text(1 << 20), "input.txt": input, "runs": withRuns(input), "mixed": mixed(300_000)} {
		prev := len(src) + 1
		for level := 1; level <= 10; level++ {
			n := len(compressBlock(t, src, level))
			assert.LessOrEqual(t, n, prev, "%s: level %d larger than level %d", name, level, level-1)
			prev = n
		}
	}
}

// TestLazyLevelsNoBiggerThanPythonLZ4 compresses the same inputs with python-lz4's liblz4 at
// every lazy level and requires our blocks to be no bigger: single-segment inputs (up to 1 MiB)
// must come out identical, byte for byte (compared by SHA-256); larger ones lose at most a few
// bytes per 1 MiB segment boundary, which liblz4's single pass does not have, so they are
// allowed 16 bytes per boundary.
func TestLazyLevelsNoBiggerThanPythonLZ4(t *testing.T) {
	py := pythonWithLZ4(t, "")
	dir := t.TempDir()
	input := readTestdata(t, "input.txt")
	inputs := map[string][]byte{"text": text(1 << 20), "weights": weights(1 << 20), "mixed": mixed(700_000), "text3M": text(3<<20 + 5),
		"runs": withRuns(input), "input.txt": input}
	for name, src := range inputs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), src, 0o600))
	}
	script := `
import hashlib, json, os, sys, lz4.block
d = sys.argv[1]
blocks = {n: [lz4.block.compress(open(os.path.join(d, n), "rb").read(), mode="high_compression",
                                 compression=L, store_size=False) for L in range(1, 10)]
          for n in os.listdir(d)}
print(json.dumps({n: [[len(b), hashlib.sha256(b).hexdigest()] for b in bs] for n, bs in blocks.items()}))
`
	out, err := exec.Command(py, "-c", script, dir).Output()
	require.NoError(t, err)
	var refs map[string][][2]any // per input, per level: size and SHA-256 of liblz4's block
	require.NoError(t, json.Unmarshal(out, &refs))
	for name, src := range inputs {
		slack := 16 * ((len(src) - 1) >> 20)
		for level := 1; level <= 9; level++ {
			got := compressBlock(t, src, level)
			size, sum := int(refs[name][level-1][0].(float64)), refs[name][level-1][1].(string)
			assert.LessOrEqual(t, len(got), size+slack, "%s level %d: liblz4 wrote %d", name, level, size)
			if len(src) <= 1<<20 {
				ours := sha256.Sum256(got)
				assert.Equal(t, sum, hex.EncodeToString(ours[:]), "%s level %d: bytes differ from liblz4's", name, level)
			}
		}
	}
}
