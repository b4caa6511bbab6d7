package memstat_test

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// nestedV2Tree builds a v2 tree whose process sits depth levels below the mount root, with a
// memory.max at every level, so Read opens depth limit files.
func nestedV2Tree(b *testing.B, depth int) fakeTree {
	tree := fakeTree(b.TempDir())
	tree.write(b, "proc/meminfo", meminfo(16384, 12288))
	tree.write(b, "sys/fs/cgroup/cgroup.controllers", "")
	path := ""
	for i := range depth {
		path += fmt.Sprintf("/l%d", i)
		tree.write(b, "sys/fs/cgroup"+path+"/memory.max", strconv.Itoa((1024+i)*mib))
	}
	tree.write(b, "proc/self/cgroup", "0::"+path+"\n")
	tree.write(b, "sys/fs/cgroup"+path+"/memory.current", strconv.Itoa(100*mib))
	tree.write(b, "sys/fs/cgroup"+path+"/memory.stat", strings.Repeat("anon 1\n", 40)+"inactive_file 4096\n")
	return tree
}

func BenchmarkReaderRead(b *testing.B) {
	b.Run("real", func(b *testing.B) {
		if runtime.GOOS != "linux" {
			b.Skip("the machine's /proc and /sys trees are Linux's")
		}
		r := memstat.NewReader("/proc", "/sys")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Read(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, depth := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("v2-depth-%d", depth), func(b *testing.B) {
			tree := nestedV2Tree(b, depth)
			r := memstat.NewReader(tree.proc(), tree.sys())
			if m, err := r.Read(); err != nil || m.Source != memstat.SourceCgroup {
				b.Fatal(m, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSystemMemory is the platform's own reading: the /proc Reader on Linux, the Mach VM
// statistics on macOS.
func BenchmarkSystemMemory(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := memstat.SystemMemory(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProcessRSS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := memstat.ProcessRSS(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSelfInfo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := memstat.SelfInfo(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMonitorStatsCached(b *testing.B) {
	m := memstat.NewMonitor(time.Hour, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Stats(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMonitorStatsRefreshing(b *testing.B) {
	m := memstat.NewMonitor(0, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Stats(); err != nil {
			b.Fatal(err)
		}
	}
}

var sink bool

func BenchmarkMonitorIsAvailable(b *testing.B) {
	m := memstat.NewMonitor(time.Hour, nil)
	b.ReportAllocs()
	for b.Loop() {
		sink = m.IsAvailable(200, 70)
	}
}

func BenchmarkSuggestCleanup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := memstat.SuggestCleanup(1e9, 0); err != nil {
			b.Fatal(err)
		}
	}
}
