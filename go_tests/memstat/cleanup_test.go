package memstat_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelectCleanup(t *testing.T) {
	const self = 16
	candidates := []memstat.Suggestion{
		{Pid: 10, Name: "chrome", RSSBytes: 500 * mib},
		{Pid: 11, Name: "Jarvis-backend", RSSBytes: 900 * mib},
		{Pid: 12, Name: "systemd-journald", RSSBytes: 100 * mib},
		{Pid: 17, Name: "firefox", RSSBytes: 300 * mib},
		{Pid: 13, Name: "python3", RSSBytes: 300 * mib},
		{Pid: 14, Name: "small", RSSBytes: 50 * mib},
		{Pid: 15, Name: "code", RSSBytes: 50*mib + 1},
		{Pid: self, Name: "me", RSSBytes: 2000 * mib},
		{Pid: 18, Name: "slack", RSSBytes: 200 * mib},
		{Pid: 19, Name: "docker", RSSBytes: 120 * mib},
		{Pid: 20, Name: "MYSYSTEMTOOL", RSSBytes: 400 * mib},
		{Pid: 21, Name: "", RSSBytes: 60 * mib},
	}
	top := func(pids ...int) []int { return pids }
	tests := []struct {
		name     string
		targetMB float64
		want     []int
	}{
		{"large target: five, largest first, ties by pid", 10000, top(10, 13, 17, 18, 19)},
		{"the first reaches the target exactly", 500, top(10)},
		{"the second crosses the target", 500.5, top(10, 13)},
		{"small target", 1, top(10)},
		{"zero target", 0, nil},
		{"negative target", -5, nil},
		{"infinite target", math.Inf(1), top(10, 13, 17, 18, 19)},
		{"NaN target never stops", math.NaN(), top(10, 13, 17, 18, 19)},
		{"reaches the target at the fourth", 1300, top(10, 13, 17, 18)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(candidates)
			got := memstat.SelectCleanup(candidates, tc.targetMB, self)
			assert.Equal(t, before, candidates, "input must not be modified")
			var pids []int
			for _, s := range got {
				pids = append(pids, s.Pid)
			}
			assert.Equal(t, tc.want, pids)
		})
	}
}

func TestSelectCleanupFewCandidates(t *testing.T) {
	assert.Empty(t, memstat.SelectCleanup(nil, 100, 1))
	got := memstat.SelectCleanup([]memstat.Suggestion{
		{Pid: 2, Name: "code", RSSBytes: 60 * mib},
		{Pid: 3, Name: "code", RSSBytes: 70 * mib},
	}, 1e9, 1)
	assert.Equal(t, []memstat.Suggestion{{Pid: 3, Name: "code", RSSBytes: 70 * mib}, {Pid: 2, Name: "code", RSSBytes: 60 * mib}}, got)
}

func TestSuggestCleanupNaN(t *testing.T) {
	_, err := memstat.SuggestCleanup(math.NaN(), os.Getpid())
	require.ErrorIs(t, err, memstat.ErrInvalidArgument)
}

// childEnv makes the test binary, started again, hold memory until its stdin closes.
const childEnv = "MEMSTAT_TEST_HOLD_MIB"

func TestMain(m *testing.M) {
	if n := os.Getenv(childEnv); n != "" {
		holdMemory(n)
		return
	}
	os.Exit(m.Run())
}

func holdMemory(n string) {
	var mibs int
	if _, err := fmt.Sscan(n, &mibs); err != nil {
		os.Exit(2)
	}
	b := make([]byte, mibs*mib)
	for i := range b {
		b[i] = 1 // touch every page so it is resident
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	os.Stdout.Write(b[:0])
}

func TestSuggestCleanupRealProcesses(t *testing.T) {
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=96")
	stdin, err := child.StdinPipe()
	require.NoError(t, err)
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	startOrSkip(t, child)
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = child.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)

	got, err := memstat.SuggestCleanup(1e9, os.Getpid())
	require.NoError(t, err)
	t.Logf("suggestions: %+v (child pid %d)", got, child.Process.Pid)
	require.LessOrEqual(t, len(got), memstat.CleanupMaxSuggestions)
	childRSS := uint64(0)
	for i, s := range got {
		name := strings.ToLower(s.Name)
		assert.NotEqual(t, os.Getpid(), s.Pid)
		assert.Greater(t, s.RSSBytes, uint64(memstat.CleanupMinRSSBytes))
		assert.NotContains(t, name, "jarvis")
		assert.NotContains(t, name, "system")
		if i > 0 {
			assert.GreaterOrEqual(t, got[i-1].RSSBytes, s.RSSBytes)
		}
		if s.Pid == child.Process.Pid {
			childRSS = s.RSSBytes
		}
	}
	// The child is listed unless five larger processes crowd it out.
	if childRSS == 0 {
		require.Len(t, got, memstat.CleanupMaxSuggestions)
		assert.Greater(t, got[len(got)-1].RSSBytes, uint64(96*mib))
	} else {
		assert.Greater(t, childRSS, uint64(90*mib))
	}

	excluded, err := memstat.SuggestCleanup(1e9, child.Process.Pid)
	require.NoError(t, err)
	for _, s := range excluded {
		assert.NotEqual(t, child.Process.Pid, s.Pid)
	}
}
