package memstat_test

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

// FuzzReaderCgroupFiles writes arbitrary cgroup file contents into a v2 and a v1 hierarchy and
// checks that Read never fails or panics because of them, and that its figures stay consistent
// and never exceed the host's.
func FuzzReaderCgroupFiles(f *testing.F) {
	f.Add("0::/app\n", "536870912\n", "314572800\n", "inactive_file 104857600\n")
	f.Add("4:memory:/app\n", "9223372036854771712\n", "1\n", "total_inactive_file 2\n")
	f.Add("0::/app\n4:cpu,memory:/app\n", "max\n", "max\n", "")
	f.Add("0::/../../..\n", "0\n", "18446744073709551615\n", "inactive_file 18446744073709551615")
	f.Add("0::/app\n", "  1048576  \n", "-1", "inactive_file\ninactive_file 5 6\n")
	f.Add("0::/app/../../x\n3:memory:/\x00\n", "99999999999999999999999\n", "12\n", "\n\n\n")
	f.Fuzz(func(t *testing.T, cgroupFile, limit, usage, stat string) {
		if strings.ContainsRune(cgroupFile, 0) {
			t.Skip("a NUL cannot reach a path from a real /proc")
		}
		tree := fakeTree(t.TempDir())
		tree.write(t, "proc/meminfo", meminfo(16384, 12288))
		tree.write(t, "proc/self/cgroup", cgroupFile)
		tree.write(t, "sys/fs/cgroup/cgroup.controllers", "")
		for _, h := range []struct{ dir, limit, usage string }{
			{"sys/fs/cgroup/", "memory.max", "memory.current"},
			{"sys/fs/cgroup/app/", "memory.max", "memory.current"},
			{"sys/fs/cgroup/memory/app/", "memory.limit_in_bytes", "memory.usage_in_bytes"},
		} {
			tree.write(t, h.dir+h.limit, limit)
			tree.write(t, h.dir+h.usage, usage)
			tree.write(t, h.dir+"memory.stat", stat)
		}
		r := memstat.NewReader(tree.proc(), tree.sys())
		defer r.Close() // fuzzing makes readers faster than the collector would close their files
		got, err := r.Read()
		require.NoError(t, err)
		require.Equal(t, got.TotalBytes-got.AvailableBytes, got.UsedBytes)
		require.LessOrEqual(t, got.TotalBytes, uint64(16384*mib))
		require.LessOrEqual(t, got.AvailableBytes, uint64(12288*mib))
		switch got.Source {
		case memstat.SourceHost:
			require.Equal(t, uint64(16384*mib), got.TotalBytes)
		case memstat.SourceCgroup:
			require.Less(t, got.TotalBytes, uint64(16384*mib))
		default:
			t.Fatalf("source %q", got.Source)
		}
	})
}

// FuzzSelectCleanup checks SelectCleanup's contract on arbitrary process lists: each 9-byte
// record of data is a process (pid byte, RSS), named from a small list.
func FuzzSelectCleanup(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0x20, 0, 0, 0, 0, 2, 0, 0, 0, 0x40, 0, 0, 0, 0}, 100.0, 1)
	f.Add([]byte{}, 0.0, 0)
	f.Add(make([]byte, 90), math.Inf(1), 3)
	f.Add([]byte{3, 0, 0, 0, 0x10, 0, 0, 0, 0}, math.NaN(), 0)
	f.Add([]byte{7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, -1.0, 7)
	names := []string{"chrome", "JARVIS", "systemd", "python3", "", "mySystem", "code"}
	f.Fuzz(func(t *testing.T, data []byte, targetMB float64, selfPid int) {
		var in []memstat.Suggestion
		for ; len(data) >= 9; data = data[9:] {
			pid := int(data[0])
			in = append(in, memstat.Suggestion{Pid: pid, Name: names[pid%len(names)], RSSBytes: binary.LittleEndian.Uint64(data[1:9])})
		}
		eligible := 0
		for _, c := range in {
			name := strings.ToLower(c.Name)
			if c.Pid != selfPid && c.RSSBytes > memstat.CleanupMinRSSBytes &&
				!strings.Contains(name, "jarvis") && !strings.Contains(name, "system") {
				eligible++
			}
		}
		got := memstat.SelectCleanup(in, targetMB, selfPid)
		require.LessOrEqual(t, len(got), memstat.CleanupMaxSuggestions)
		var total float64
		for i, s := range got {
			require.False(t, total >= targetMB, "kept going after reaching the target") // NaN never stops
			total += float64(s.RSSBytes) / mib
			name := strings.ToLower(s.Name)
			require.NotEqual(t, selfPid, s.Pid)
			require.Greater(t, s.RSSBytes, uint64(memstat.CleanupMinRSSBytes))
			require.NotContains(t, name, "jarvis")
			require.NotContains(t, name, "system")
			if i > 0 {
				require.GreaterOrEqual(t, got[i-1].RSSBytes, s.RSSBytes)
			}
		}
		if len(got) < memstat.CleanupMaxSuggestions && !(total >= targetMB) {
			require.Equal(t, eligible, len(got), "stopped before the target with candidates left")
		}
	})
}
