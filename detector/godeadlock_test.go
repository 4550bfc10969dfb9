package detector_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

var update = flag.Bool("update", false, "rewrite the captured go-deadlock reports in testdata/godeadlock")

// gdTimeout is go-deadlock's lock-wait timeout in this test process. Its
// options are process-global and set once: every test here uses the same
// value, and none runs in parallel.
const gdTimeout = 200 * time.Millisecond

const gdTestFile = "detector/godeadlock_test.go"

// gdLog returns the process's GoDeadlock, emptied for a new test.
func gdLog(t *testing.T) *detector.GoDeadlock {
	t.Helper()
	g, err := detector.ConfigureGoDeadlock(detector.GoDeadlockConfig{Timeout: gdTimeout})
	if err != nil {
		t.Fatal(err)
	}
	g.Reset()
	return g
}

// gdGo runs f in a goroutine named name and waits for it.
func gdGo(g *detector.GoDeadlock, name string, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.NameGoroutine(goid.Get(), name)
		f()
	}()
	<-done
}

// gdLine returns the line of this file holding the comment "// at: mark".
func gdLine(t *testing.T, mark string) int {
	t.Helper()
	f, err := os.Open("godeadlock_test.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.HasSuffix(sc.Text(), "// at: "+mark) {
			return n
		}
	}
	t.Fatalf("no line marked %q", mark)
	return 0
}

// capture writes a captured log to testdata/godeadlock with -update.
func capture(t *testing.T, name string, log []byte) {
	t.Helper()
	if !*update {
		return
	}
	if err := os.WriteFile(filepath.Join("testdata", "godeadlock", name), log, 0o644); err != nil {
		t.Fatal(err)
	}
}

func at(t *testing.T, mark string) detector.Pos {
	return detector.Pos{File: gdTestFile, Line: gdLine(t, mark)}
}

func TestGoDeadlockInversion(t *testing.T) {
	g := gdLog(t)
	a, b := g.NewMutex("A"), g.NewMutex("B")
	gdGo(g, "w0", func() {
		a.Lock()
		b.Lock() // at: inversion first
		b.Unlock()
		a.Unlock()
	})
	gdGo(g, "w1", func() {
		b.Lock()
		a.Lock() // at: inversion second
		a.Unlock()
		b.Unlock()
	})
	if g.Reports() != 1 || g.FirstReport().IsZero() {
		t.Fatalf("Reports() = %d, FirstReport() = %v; want 1 report, with its time", g.Reports(), g.FirstReport())
	}
	log := g.Log()
	capture(t, "inversion.txt", log)
	fs := detector.ParseGoDeadlock(log)
	if len(fs) != 1 {
		t.Fatalf("ParseGoDeadlock() = %d findings; want 1:\n%s", len(fs), log)
	}
	gdCheck(t, fs[0], "lock order inversion: w0 took A before B, and w1 takes B before A", []detector.Step{
		{Worker: "w0", Holds: []string{"A"}, Lock: "B", At: at(t, "inversion first")},
		{Worker: "w1", Holds: []string{"B"}, Lock: "A", At: at(t, "inversion second")},
	})
}

// TestGoDeadlockInversionPlain parses go-deadlock's text without the
// annotations (locks made as zero values): names and lines come from
// go-deadlock alone.
func TestGoDeadlockInversionPlain(t *testing.T) {
	g := gdLog(t)
	var a, b detector.GoDeadlockMutex
	gdGo(g, "w0", func() {
		a.Lock()
		b.Lock()
		b.Unlock()
		a.Unlock()
	})
	gdGo(g, "w1", func() {
		b.Lock()
		a.Lock()
		a.Unlock()
		b.Unlock()
	})
	var plain bytes.Buffer
	for line := range strings.Lines(string(g.Log())) {
		if !strings.HasPrefix(line, "locklab: ") {
			plain.WriteString(line)
		}
	}
	capture(t, "plain.txt", plain.Bytes())
	fs := detector.ParseGoDeadlock(plain.Bytes())
	if len(fs) != 1 || len(fs[0].Steps) != 2 {
		t.Fatalf("ParseGoDeadlock() = %v; want 1 finding with 2 steps:\n%s", fs, plain.Bytes())
	}
	// go-deadlock prints the address of the lock held (B), not of the one
	// being acquired (A).
	first, second := fs[0].Steps[0], fs[0].Steps[1]
	if first.Holds[0] != "another lock" || !strings.HasPrefix(first.Lock, "lock 0x") ||
		second.Holds[0] != first.Lock || second.Lock != "another lock" {
		t.Errorf("steps hold %v, want %s; hold %v, want %s; want another lock, lock 0x..., and the other way round",
			first.Holds, first.Lock, second.Holds, second.Lock)
	}
	for i, st := range fs[0].Steps {
		if !strings.HasSuffix(st.At.File, "godeadlock_test.go") || st.At.Line == 0 {
			t.Errorf("step %d: At = %v; want a line of godeadlock_test.go", i, st.At)
		}
	}
	if w := fs[0].Steps[0].Worker; w != "some goroutine" {
		t.Errorf("step 0 worker = %q; want %q: go-deadlock does not say who took the first order", w, "some goroutine")
	}
}

func TestGoDeadlockRecursive(t *testing.T) {
	g := gdLog(t)
	a := g.NewMutex("A")
	var ok bool
	gdGo(g, "w0", func() {
		a.Lock()         // at: recursive first
		ok = a.TryLock() // at: recursive again
		a.Unlock()
	})
	if ok {
		t.Fatalf("TryLock() on a held lock = true; want false")
	}
	log := g.Log()
	capture(t, "recursive.txt", log)
	fs := detector.ParseGoDeadlock(log)
	if len(fs) != 1 {
		t.Fatalf("ParseGoDeadlock() = %d findings; want 1:\n%s", len(fs), log)
	}
	gdCheck(t, fs[0], fmt.Sprintf("w0 locks A, which it already holds (taken at %s)", at(t, "recursive first")), []detector.Step{
		{Worker: "w0", Holds: []string{"A"}, Lock: "A", Owner: "w0", At: at(t, "recursive again")},
	})
	if fs[0].Gated == "" {
		t.Errorf("Gated = %q; want why a TryLock cannot deadlock", fs[0].Gated)
	}
}

func TestGoDeadlockInversionWithTryLock(t *testing.T) {
	tests := []struct {
		name       string
		first, snd func(a, b *detector.GoDeadlockMutex) // w0 holds a, then takes b; w1 the other way
		gated      bool
	}{
		{"lock, lock", lockThen, lockThen, false},
		{"try first", tryThen, lockThen, true},
		{"try second", lockThen, tryThen, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gdLog(t)
			a, b := g.NewMutex("A"), g.NewMutex("B")
			gdGo(g, "w0", func() { tt.first(a, b) })
			gdGo(g, "w1", func() { tt.snd(b, a) })
			fs := detector.ParseGoDeadlock(g.Log())
			if len(fs) != 1 {
				t.Fatalf("ParseGoDeadlock() = %d findings; want 1", len(fs))
			}
			if gated := fs[0].Gated != ""; gated != tt.gated {
				t.Errorf("Gated = %q; want gated %v", fs[0].Gated, tt.gated)
			}
		})
	}
}

// lockThen locks a, then b, and unlocks both.
func lockThen(a, b *detector.GoDeadlockMutex) {
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
}

// tryThen locks a, then tries b, and unlocks what it got.
func tryThen(a, b *detector.GoDeadlockMutex) {
	a.Lock()
	if b.TryLock() {
		b.Unlock()
	}
	a.Unlock()
}

func TestGoDeadlockTimeout(t *testing.T) {
	g := gdLog(t)
	a, b := g.NewMutex("A"), g.NewMutex("B")
	held, reported := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.NameGoroutine(goid.Get(), "holder")
		b.Lock()
		close(held)
		<-reported
		b.Unlock()
	}()
	<-held
	gdGo(g, "waiter", func() {
		a.Lock()
		go func() {
			defer close(reported)
			deadline := time.Now().Add(10 * time.Second)
			for g.Reports() == 0 && time.Now().Before(deadline) {
				time.Sleep(gdTimeout / 10)
			}
		}()
		b.Lock() // at: timeout wait
		b.Unlock()
		a.Unlock()
	})
	<-done
	log := g.Log()
	capture(t, "timeout.txt", log)
	fs := detector.ParseGoDeadlock(log)
	if len(fs) != 1 {
		t.Fatalf("ParseGoDeadlock() = %d findings; want 1:\n%s", len(fs), log)
	}
	gdCheck(t, fs[0], "waiter has waited more than 200ms for B", []detector.Step{
		{Worker: "waiter", Holds: []string{"A"}, Lock: "B", Owner: "holder", At: at(t, "timeout wait"), State: "blocked"},
	})
}

func TestGoDeadlockRWMutex(t *testing.T) {
	g := gdLog(t)
	for _, rw := range []*detector.GoDeadlockRWMutex{g.NewRWMutex("rw"), new(detector.GoDeadlockRWMutex)} {
		rw.RLock()
		if !rw.TryRLock() {
			t.Errorf("TryRLock() with a reader in = false; want true")
		} else {
			rw.RUnlock()
		}
		if rw.TryLock() {
			t.Errorf("TryLock() with a reader in = true; want false")
		}
		rw.RUnlock()
		rw.Lock()
		if rw.TryRLock() {
			t.Errorf("TryRLock() with a writer in = true; want false")
		}
		rw.Unlock()
		if !rw.TryLock() {
			t.Errorf("TryLock() on a free lock = false; want true")
		}
		rw.Unlock()
	}
	// go-deadlock calls any attempt on a lock the goroutine holds, in
	// either mode, recursive locking, even a TryRLock with no writer
	// waiting: three per lock above.
	if n := g.Reports(); n != 6 {
		t.Errorf("Reports() = %d; want 6 (three tries on a held lock, twice)", n)
	}
}

func TestGoDeadlockMutexZeroValue(t *testing.T) {
	gdLog(t)
	var m detector.GoDeadlockMutex
	m.Lock()
	if m.TryLock() {
		t.Errorf("TryLock() on a held Mutex = true; want false")
	}
	m.Unlock()
	if !m.TryLock() {
		t.Errorf("TryLock() on a free Mutex = false; want true")
	}
	m.Unlock()
}

func TestConfigureGoDeadlockOnce(t *testing.T) {
	g := gdLog(t)
	if g.Timeout() != gdTimeout {
		t.Errorf("Timeout() = %v; want %v", g.Timeout(), gdTimeout)
	}
	again, err := detector.ConfigureGoDeadlock(detector.GoDeadlockConfig{Timeout: gdTimeout})
	if again != g || err != nil {
		t.Errorf("ConfigureGoDeadlock(same) = %p, %v; want %p, nil", again, err, g)
	}
	_, err = detector.ConfigureGoDeadlock(detector.GoDeadlockConfig{})
	if !errors.Is(err, detector.ErrGoDeadlockConfigured) {
		t.Errorf("ConfigureGoDeadlock(other timeout) error = %v; want ErrGoDeadlockConfigured", err)
	}
}

// The ring test runs five goroutines into a circular wait in a child
// process (this test binary again), since go-deadlock's locks cannot be
// unblocked, and parses what go-deadlock wrote there.

const gdRingEnv = "LOCKLAB_DETECTOR_GODEADLOCK_RING"

func TestGoDeadlockRingChild(t *testing.T) {
	if os.Getenv(gdRingEnv) != "1" {
		t.Skip("runs as TestGoDeadlockRing's child")
	}
	g := gdLog(t)
	const n = 5
	forks := make([]*detector.GoDeadlockMutex, n)
	for i := range forks {
		forks[i] = g.NewMutex(fmt.Sprintf("fork %d", i))
	}
	seated := make(chan struct{}, n)
	for i := range n {
		go func() {
			g.NameGoroutine(goid.Get(), fmt.Sprintf("philosopher %d", i))
			forks[i].Lock()
			seated <- struct{}{}
			for len(seated) < n {
				time.Sleep(time.Millisecond)
			}
			forks[(i+1)%n].Lock() // at: ring wait
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for g.Reports() < n && time.Now().Before(deadline) {
		time.Sleep(gdTimeout / 10)
	}
	os.Stdout.Write(g.Log())
	os.Exit(0) // the philosophers are blocked for good
}

func TestGoDeadlockRing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestGoDeadlockRingChild$", "-test.timeout=20s")
	cmd.Env = append(os.Environ(), gdRingEnv+"=1", "GORACE=atexit_sleep_ms=0")
	cmd.Stderr = os.Stderr
	log, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	capture(t, "ring5.txt", log)
	fs := detector.ParseGoDeadlock(log)
	if len(fs) != 1 {
		t.Fatalf("ParseGoDeadlock() = %d findings; want 1 (no inversion: go-deadlock compares pairs of locks):\n%s", len(fs), log)
	}
	var want []detector.Step
	for i := range 5 {
		want = append(want, detector.Step{
			Worker: fmt.Sprintf("philosopher %d", i),
			Holds:  []string{fmt.Sprintf("fork %d", i)},
			Lock:   fmt.Sprintf("fork %d", (i+1)%5),
			Owner:  fmt.Sprintf("philosopher %d", (i+1)%5),
			At:     at(t, "ring wait"),
			State:  "blocked",
		})
	}
	gdCheck(t, fs[0], "5 workers wait for each other in a cycle, each for more than 200ms", want)
}

// TestParseGoDeadlockCaptured parses the reports captured by the tests
// above (go test -update rewrites them). Their lines may move when this
// file changes, so only the file is checked here.
func TestParseGoDeadlockCaptured(t *testing.T) {
	tests := []struct {
		name    string // file name inside testdata/godeadlock
		file    string // of every step's position
		message string // in the one finding's message
		workers []string
		locks   []string // each step's Lock
	}{
		{"inversion.txt", gdTestFile, "inconsistent locking", []string{"w0", "w1"}, []string{"B", "A"}},
		// Without annotations, file names are as go-deadlock prints them:
		// relative to the directory the program ran in.
		{"plain.txt", "godeadlock_test.go", "inconsistent locking", []string{"some goroutine"}, nil},
		{"recursive.txt", gdTestFile, "recursive locking", []string{"w0"}, []string{"A"}},
		{"timeout.txt", gdTestFile, "lock wait timeout", []string{"waiter"}, []string{"B"}},
		{"ring5.txt", gdTestFile, "5 workers wait for each other in a cycle",
			[]string{"philosopher 0", "philosopher 1", "philosopher 2", "philosopher 3", "philosopher 4"},
			[]string{"fork 1", "fork 2", "fork 3", "fork 4", "fork 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, err := os.ReadFile(filepath.Join("testdata", "godeadlock", tt.name))
			if err != nil {
				t.Fatal(err)
			}
			fs := detector.ParseGoDeadlock(log)
			if len(fs) != 1 {
				t.Fatalf("ParseGoDeadlock(%s) = %d findings; want 1", tt.name, len(fs))
			}
			f := fs[0]
			if f.Kind != detector.PotentialDeadlock || !strings.Contains(f.Message, tt.message) {
				t.Errorf("finding = %s: %q; want %s containing %q", f.Kind, f.Message, detector.PotentialDeadlock, tt.message)
			}
			if tt.workers != nil && !slices.Equal(f.Workers()[:len(tt.workers)], tt.workers) {
				t.Errorf("Workers() = %v; want %v first", f.Workers(), tt.workers)
			}
			var locks []string
			for _, st := range f.Steps {
				locks = append(locks, st.Lock)
				if st.At.File != tt.file || st.At.Line == 0 {
					t.Errorf("%s: At = %v; want a line of %s", st.Worker, st.At, tt.file)
				}
			}
			if tt.locks != nil && !slices.Equal(locks, tt.locks) {
				t.Errorf("locks = %v; want %v", locks, tt.locks)
			}
		})
	}
}

func TestParseGoDeadlockOdd(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want int // findings
	}{
		{"empty", "", 0},
		{"no report", "hello\nworld\n", 0},
		{"header only", "POTENTIAL DEADLOCK:\n", 1},
		{"unknown report", "POTENTIAL DEADLOCK: something new\n", 1},
		{"bad annotation", "locklab: {not json\nPOTENTIAL DEADLOCK: Recursive locking:\n", 1},
		{"truncated inversion", "POTENTIAL DEADLOCK: Inconsistent locking. saw this ordering in one goroutine:\nhappened before\n", 1},
		{"bad line number", "POTENTIAL DEADLOCK: Recursive locking:\ncurrent goroutine 1 lock 0x1\nx.go:99999999999999999999 main.f\n", 1},
		{"repeated", strings.Repeat("POTENTIAL DEADLOCK: Recursive locking:\ncurrent goroutine 1 lock 0x1\n", 3), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := detector.ParseGoDeadlock([]byte(tt.log))
			if len(fs) != tt.want {
				t.Errorf("ParseGoDeadlock(%q) = %v; want %d findings", tt.log, fs, tt.want)
			}
		})
	}
}

func FuzzParseGoDeadlock(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "godeadlock", "*.txt"))
	for _, name := range files {
		log, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(log)
	}
	f.Add([]byte("POTENTIAL DEADLOCK:\nHave been trying to lock it again for more than 1s\ngoroutine 1 lock 0x1\n"))
	f.Fuzz(func(t *testing.T, log []byte) {
		for _, fd := range detector.ParseGoDeadlock(log) {
			if fd.Kind != detector.PotentialDeadlock || fd.Message == "" {
				t.Errorf("finding %+v; want kind %s and a message", fd, detector.PotentialDeadlock)
			}
		}
	})
}

// BenchmarkGoDeadlockMutex measures an uncontended Lock and Unlock of
// go-deadlock's Mutex alone (the zero value) and with the record that
// names locks and lines in reports (NewMutex).
func BenchmarkGoDeadlockMutex(b *testing.B) {
	g, err := detector.ConfigureGoDeadlock(detector.GoDeadlockConfig{Timeout: gdTimeout})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("go-deadlock", func(b *testing.B) {
		var m detector.GoDeadlockMutex
		for b.Loop() {
			m.Lock()
			m.Unlock()
		}
	})
	b.Run("named", func(b *testing.B) {
		m := g.NewMutex("m")
		for b.Loop() {
			m.Lock()
			m.Unlock()
		}
	})
	b.Run("named-nested", func(b *testing.B) {
		outer, m := g.NewMutex("outer"), g.NewMutex("m")
		outer.Lock()
		defer outer.Unlock()
		for b.Loop() {
			m.Lock()
			m.Unlock()
		}
	})
}

// gdCheck compares a finding's message (a prefix) and steps.
func gdCheck(t *testing.T, f detector.Finding, message string, want []detector.Step) {
	t.Helper()
	if f.Kind != detector.PotentialDeadlock || !strings.HasPrefix(f.Message, message) {
		t.Errorf("finding = %s: %q; want %s: %q...", f.Kind, f.Message, detector.PotentialDeadlock, message)
	}
	if len(f.Steps) != len(want) {
		t.Fatalf("%d steps; want %d:\n%v", len(f.Steps), len(want), f)
	}
	for i, w := range want {
		g := f.Steps[i]
		if g.Worker != w.Worker || g.Lock != w.Lock || g.Owner != w.Owner || g.State != w.State || !slices.Equal(g.Holds, w.Holds) {
			t.Errorf("step %d = %+v; want %+v", i, g, w)
		}
		if g.At.File != w.At.File || g.At.Line != w.At.Line {
			t.Errorf("step %d: At = %v; want %s:%d", i, g.At, w.At.File, w.At.Line)
		}
	}
}
