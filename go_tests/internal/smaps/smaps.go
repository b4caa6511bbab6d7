//go:build linux

// Package smaps reads what the kernel says about this process's memory mappings
// (/proc/self/smaps), for tests that check the advice given to the kernel about a buffer.
package smaps

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// VMFlags returns the VmFlags line of the mapping that holds addr (" hg" in it means the mapping
// was advised MADV_HUGEPAGE).
func VMFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inside := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 && !strings.Contains(line[:strings.IndexByte(line, ' ')], ":") {
			inside = lo <= addr && addr < hi
			continue
		}
		if inside && strings.HasPrefix(line, "VmFlags:") {
			return line, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("smaps: no mapping holds %#x", addr)
}

// HugePagesOff reports whether transparent huge pages are unavailable or set to "never" here.
func HugePagesOff() bool {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err != nil || strings.Contains(string(b), "[never]")
}
