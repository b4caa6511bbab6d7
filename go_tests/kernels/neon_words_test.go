package kernels_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// wordLine is how the arm64 kernels write a NEON instruction Go's assembler lacks: the
// encoding, then the instruction in GNU syntax.
var wordLine = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-f]{8})\s*//\s*(.+?)\s*$`)

// TestNEONWordEncodings assembles the mnemonic beside every WORD in the arm64 assembly with
// GNU as for aarch64 (Debian's binutils-aarch64-linux-gnu, which CI installs) and checks that
// it gives that word, so no hand-encoded instruction can be other than its comment says.
func TestNEONWordEncodings(t *testing.T) {
	as, err := exec.LookPath("aarch64-linux-gnu-as")
	if err != nil {
		t.Skip("aarch64-linux-gnu-as not installed (apt-get install binutils-aarch64-linux-gnu)")
	}
	objdump, err := exec.LookPath("aarch64-linux-gnu-objdump")
	require.NoError(t, err)
	files, err := filepath.Glob("../../jarvisrs/kernels/*_arm64.s")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var words, asm []string
	var where []string
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if m := wordLine.FindStringSubmatch(text); m != nil {
				words = append(words, m[1])
				asm = append(asm, m[2])
				where = append(where, filepath.Base(f)+":"+strconv.Itoa(line))
			} else if strings.HasPrefix(strings.TrimSpace(text), "WORD") {
				t.Errorf("%s:%d: WORD without a mnemonic comment: %q", f, line, text)
			}
		}
		require.NoError(t, sc.Err())
		fh.Close()
	}
	require.NotEmpty(t, words)
	dir := t.TempDir()
	src, obj := filepath.Join(dir, "w.s"), filepath.Join(dir, "w.o")
	require.NoError(t, os.WriteFile(src, []byte(strings.Join(asm, "\n")+"\n"), 0o600))
	out, err := exec.Command(as, "-o", obj, src).CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(objdump, "-d", obj).Output()
	require.NoError(t, err)
	var got []string
	insn := regexp.MustCompile(`^\s+[0-9a-f]+:\t([0-9a-f]{8})\s`)
	for _, l := range strings.Split(string(out), "\n") {
		if m := insn.FindStringSubmatch(l); m != nil {
			got = append(got, m[1])
		}
	}
	require.Len(t, got, len(words))
	for i := range words {
		if got[i] != words[i] {
			t.Errorf("%s: WORD $0x%s, but %q assembles to 0x%s", where[i], words[i], asm[i], got[i])
		}
	}
	t.Logf("%d hand-encoded NEON instructions checked", len(words))
}
