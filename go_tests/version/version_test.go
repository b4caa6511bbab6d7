// Package version_test checks the single source of the release version: jarvisrs/VERSION, which
// the extension embeds and pyproject.toml reads.
package version_test

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestVersionIsTheEmbeddedFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "jarvisrs", "VERSION"))
	require.NoError(t, err)
	require.Equal(t, strings.TrimSpace(string(raw)), jarvisrs.Version())
}

func TestVersionIsAPlainReleaseNumber(t *testing.T) {
	// PEP 440 release (optionally with a pre-release, post or dev part), no spaces or newlines.
	pep440 := regexp.MustCompile(`^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$`)
	require.Regexp(t, pep440, jarvisrs.Version())
}

func TestPyprojectReadsTheSameFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "pyproject.toml"))
	require.NoError(t, err)
	text := string(raw)
	require.Contains(t, text, `dynamic = ["version"]`, "pyproject.toml must not write the version itself")
	require.Regexp(t, regexp.MustCompile(`(?m)^version = \{ ?file = "jarvisrs/VERSION" ?\}`), text)
	require.NotRegexp(t, regexp.MustCompile(`(?m)^version = "`), text, "a literal version in pyproject.toml")
}
