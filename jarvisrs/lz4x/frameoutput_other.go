//go:build !linux

package lz4x

// AdviseFrameOutput is a hint about a fresh output buffer that only Linux's transparent huge
// pages act on; elsewhere it does nothing. See the Linux version. Safe for concurrent use.
func AdviseFrameOutput(dst []byte) {}
