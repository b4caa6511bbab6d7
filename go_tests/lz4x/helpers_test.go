package lz4x_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// weights returns n bytes of float32 values drawn from N(0, 0.02), little-endian: what model
// weights look like, and close to incompressible for LZ4.
func weights(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := 0; i+4 <= n; i += 4 {
		binary.LittleEndian.PutUint32(b[i:], math.Float32bits(float32(r.NormFloat64()*0.02)))
	}
	return b
}

var textWords = strings.Fields(`model weight tensor layer cache memory jarvis quantize float int8
	scale zero point block frame checksum the of and to in is a for with pickle numpy array`)

// text returns n bytes of repetitive text, which LZ4 compresses about 2.5:1.
func text(n int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 0, n+16)
	for len(b) < n {
		b = append(b, textWords[r.IntN(len(textWords))]...)
		if r.IntN(12) == 0 {
			b = append(b, '\n')
		} else {
			b = append(b, ' ')
		}
	}
	return b[:n]
}

// random returns n incompressible bytes.
func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{5, 6}).Read(b)
	return b
}

// datasets are the inputs most tests run over.
var datasets = []struct {
	name string
	gen  func(int) []byte
}{
	{"weights", weights},
	{"text", text},
	{"random", random},
	{"zeros", func(n int) []byte { return make([]byte, n) }},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// lz4CLI returns the path of the lz4 command, skipping the test when it is not installed.
func lz4CLI(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("lz4")
	if err != nil {
		skipInterop(t, "the lz4 command is not installed (CI installs it): skipping interop with it")
	}
	return p
}

// skipInterop skips a test whose outside reference tool is missing, or fails it when the
// environment says the tools must be there (CI sets JRX_REQUIRE_INTEROP=1), so that CI cannot
// pass by skipping the interop checks.
func skipInterop(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("JRX_REQUIRE_INTEROP") == "1" {
		t.Fatalf("JRX_REQUIRE_INTEROP=1 but "+format, args...)
	}
	t.Skipf(format, args...)
}

// pythonWithLZ4 returns a Python interpreter that imports python-lz4 (LZ4X_PYTHON, else python3
// from PATH: CI installs python-lz4 in a venv, not for the system's python3), or skips the test
// through skipInterop, saying why it matters.
func pythonWithLZ4(t *testing.T, why string) string {
	t.Helper()
	py := os.Getenv("LZ4X_PYTHON")
	if py == "" {
		py, _ = exec.LookPath("python3")
	}
	if py == "" || exec.Command(py, "-c", "import lz4.block, lz4.frame").Run() != nil {
		skipInterop(t, "no python with python-lz4 (%q; set LZ4X_PYTHON)%s", py, why)
	}
	return py
}
