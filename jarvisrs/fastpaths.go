package jarvisrs

import "github.com/jarvis/jarvis_rust_extensions/jarvisrs/pyaccel"

// InstallFastPaths stores the CPython fast paths (package pyaccel: the monitor's cache base class
// and the float32 list reader) in the Python dict at address namespace, which the caller keeps
// alive for the call. It reports false, storing nothing, when the extension was built without them
// (no jarvis_cpython build tag); Python then uses its pure-Python fallbacks.
func InstallFastPaths(namespace uintptr) (installed bool, err error) {
	defer recoverPanic(&err)
	if !pyaccel.Built {
		return false, nil
	}
	if err := pyaccel.Install(namespace); err != nil {
		return false, err
	}
	return true, nil
}
