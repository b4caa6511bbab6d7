package jarvisrs

import (
	_ "embed" // the release version is embedded from the file VERSION
	"strings"
)

// versionFile is jarvisrs/VERSION, the one place the release version is written: pyproject.toml
// reads the same file ([tool.setuptools.dynamic]), so the wheel's metadata and this extension agree.
//
//go:embed VERSION
var versionFile string

// Version returns the release version this extension was built from (for example "2.0.0"). The
// Python package compares it with its own version at import and refuses a mismatched extension.
func Version() string {
	return strings.TrimSpace(versionFile)
}
