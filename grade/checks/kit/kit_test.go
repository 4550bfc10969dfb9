package kit

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/exercises"
)

// implEnv names the exercise a re-executed test binary runs as the child.
const implEnv = "LOCKLAB_KIT_TEST_IMPL"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(impls[os.Getenv(implEnv)](), mode, os.Stdin, os.Stdout))
	}
	goleak.VerifyTestMain(m)
}

// Submissions written in the test, as students might.

func incLocked(c *exercises.Counter) { c.Mu.Lock(); c.N++; c.Mu.Unlock() }
func incRacy(c *exercises.Counter)   { c.N++ }
func incNoUnlock(c *exercises.Counter) {
	c.Mu.Lock()
	c.N++
}
func incPanic(*exercises.Counter) { panic("boom") }

var never = make(chan struct{}) // the leaky submission's goroutines wait on it; only children run it

func incLeak(c *exercises.Counter) {
	incLocked(c)
	go func() { <-never }()
}

func move(from, to *exercises.Account, amount int) bool {
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}

func transferOrdered(from, to *exercises.Account, amount int) bool {
	a, b := from, to
	if b.ID < a.ID {
		a, b = b, a
	}
	a.Mu.Lock()
	defer a.Mu.Unlock()
	b.Mu.Lock()
	defer b.Mu.Unlock()
	return move(from, to, amount)
}

func transferABBA(from, to *exercises.Account, amount int) bool {
	from.Mu.Lock()
	defer from.Mu.Unlock()
	to.Mu.Lock()
	defer to.Mu.Unlock()
	return move(from, to, amount)
}

func transferCheckThenAct(from, to *exercises.Account, amount int) bool {
	from.Mu.Lock()
	ok := from.Balance >= amount
	from.Mu.Unlock()
	if !ok {
		return false
	}
	from.Mu.Lock()
	from.Balance -= amount
	from.Mu.Unlock()
	to.Mu.Lock()
	to.Balance += amount
	to.Mu.Unlock()
	return true
}

func transferGiveUp(from, to *exercises.Account, amount int) bool {
	if !from.Mu.TryLock() {
		return false
	}
	defer from.Mu.Unlock()
	if !to.Mu.TryLock() {
		return false
	}
	defer to.Mu.Unlock()
	return move(from, to, amount)
}

func eatOrdered(left, right *exercises.Fork, eat func()) {
	a, b := left, right
	if b.ID < a.ID {
		a, b = b, a
	}
	a.Mu.Lock()
	defer a.Mu.Unlock()
	b.Mu.Lock()
	defer b.Mu.Unlock()
	eat()
}

func eatLeftRight(left, right *exercises.Fork, eat func()) {
	left.Mu.Lock()
	defer left.Mu.Unlock()
	right.Mu.Lock()
	defer right.Mu.Unlock()
	eat()
}

func eatPolite(left, right *exercises.Fork, eat func()) {
	for {
		left.Mu.Lock()
		if right.Mu.TryLock() {
			break
		}
		left.Mu.Unlock()
	}
	eat()
	right.Mu.Unlock()
	left.Mu.Unlock()
}

func eatGiveUp(left, right *exercises.Fork, eat func()) {
	if !left.Mu.TryLock() {
		return
	}
	defer left.Mu.Unlock()
	if !right.Mu.TryLock() {
		return
	}
	defer right.Mu.Unlock()
	eat()
}

func eatNoForks(_, _ *exercises.Fork, eat func()) { eat() }

func eatTwice(left, right *exercises.Fork, eat func()) {
	eatOrdered(left, right, func() { eat(); eat() })
}

var impls = map[string]func() *Exercise{
	"counter/locked":    func() *Exercise { return Counter(incLocked) },
	"counter/racy":      func() *Exercise { return Counter(incRacy) },
	"counter/no-unlock": func() *Exercise { return Counter(incNoUnlock) },
	"counter/panic":     func() *Exercise { return Counter(incPanic) },
	"counter/leak":      func() *Exercise { return Counter(incLeak) },
	"bank/ordered":      func() *Exercise { return Bank(transferOrdered) },
	"bank/abba":         func() *Exercise { return Bank(transferABBA) },
	"bank/check-act":    func() *Exercise { return Bank(transferCheckThenAct) },
	"bank/give-up":      func() *Exercise { return Bank(transferGiveUp) },
	"phil/ordered":      func() *Exercise { return Philosophers(eatOrdered) },
	"phil/left-right":   func() *Exercise { return Philosophers(eatLeftRight) },
	"phil/polite":       func() *Exercise { return Philosophers(eatPolite) },
	"phil/give-up":      func() *Exercise { return Philosophers(eatGiveUp) },
	"phil/no-forks":     func() *Exercise { return Philosophers(eatNoForks) },
	"phil/twice":        func() *Exercise { return Philosophers(eatTwice) },
}

// TestExplored checks the schedules and progress checks on each
// submission, both ways: every failing check fails on the bug it guards.
func TestExplored(t *testing.T) {
	tests := []struct {
		impl                      string
		schedules, progress       bool
		schedulesMsg, progressMsg string
	}{
		{"counter/locked", true, true, "", ""},
		{"counter/no-unlock", false, false, "deadlock", "deadlock"},
		{"counter/panic", false, false, "panic", "panic"},
		{"bank/ordered", true, true, "", ""},
		{"bank/abba", false, false, "deadlock", "deadlock"},
		{"bank/check-act", false, true, "never overdrawn", ""},
		{"bank/give-up", true, false, "", "had every transfer accepted"},
		{"phil/ordered", true, true, "", ""},
		{"phil/left-right", false, false, "deadlock", "deadlock"},
		{"phil/polite", false, false, "livelock", "livelock"},
		{"phil/give-up", true, false, "", "ate once per call"},
		{"phil/no-forks", false, true, "neighbour held a fork", ""},
		{"phil/twice", false, false, "ate twice", "ate once per call"},
	}
	for _, tt := range tests {
		t.Run(tt.impl, func(t *testing.T) {
			e := impls[tt.impl]()
			for _, c := range []struct {
				got  Result
				pass bool
				msg  string
			}{
				{schedulesCheck(context.Background(), e), tt.schedules, tt.schedulesMsg},
				{progressCheck(context.Background(), e), tt.progress, tt.progressMsg},
			} {
				if c.got.Pass != c.pass || !strings.Contains(c.got.Message, c.msg) {
					t.Errorf("%s: pass = %v, message %q; want %v and a message containing %q", c.got.Check, c.got.Pass, c.got.Message, c.pass, c.msg)
				}
				if !c.got.Pass && !strings.Contains(c.got.Reproduce, "--replay ll1-") {
					t.Errorf("%s: reproduce = %q; want a replay command", c.got.Check, c.got.Reproduce)
				}
			}
		})
	}
}

// TestNative runs the child (this test binary, re-executed) as the
// checks program does.
func TestNative(t *testing.T) {
	tests := []struct {
		impl       string
		race, leak bool
		raceMsg    string
		needsRace  bool
	}{
		{"counter/locked", true, true, "no data race", false},
		{"counter/racy", false, true, "data race", true},
		{"counter/panic", false, false, "panicked", false},
		{"counter/leak", true, false, "no data race", false},
		{"bank/abba", true, true, "no data race", false},
		{"phil/no-forks", false, true, "data race", true},
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.impl, func(t *testing.T) {
			if tt.needsRace && !raceEnabled {
				t.Skip("needs -race")
			}
			t.Setenv(implEnv, tt.impl)
			race, leak := nativeChecks(context.Background(), impls[tt.impl](), self, "locklab grade x")
			if race.Pass != tt.race || !strings.Contains(race.Message, tt.raceMsg) {
				t.Errorf("race-free: pass = %v, message %q; want %v and %q", race.Pass, race.Message, tt.race, tt.raceMsg)
			}
			if leak.Pass != tt.leak {
				t.Errorf("no-leaks: pass = %v, message %q; want %v", leak.Pass, leak.Message, tt.leak)
			}
			if tt.impl == "counter/leak" && !strings.Contains(leak.Message, "incLeak") {
				t.Errorf("no-leaks message %q; want it to name incLeak", leak.Message)
			}
		})
	}
}

func TestReplay(t *testing.T) {
	e := Bank(transferABBA)
	r := schedulesCheck(context.Background(), e)
	_, tok, ok := strings.Cut(r.Reproduce, "--replay ")
	if !ok {
		t.Fatalf("reproduce = %q; want a replay command", r.Reproduce)
	}
	var out bytes.Buffer
	if code := replayMain(e, tok, &out); code != 1 || !strings.Contains(out.String(), "outcome: deadlock") {
		t.Errorf("replayMain = %d, output %q; want 1 and a deadlock", code, out.String())
	}
	out.Reset()
	if code := replayMain(e, "ll1-garbage", &out); code != 2 {
		t.Errorf("replayMain(bad token) = %d; want 2", code)
	}
}

func TestFindReport(t *testing.T) {
	tests := []struct {
		out  string
		ok   bool
		leak string
	}{
		{`{"nonce":"n","runs":5,"outcomes":["ok"]}`, true, ""},
		{"garbage\n--- PASS\n" + `{"nonce":"n","runs":5,"leaks":"x"}` + "\n", true, "x"},
		{`{"nonce":"forged","runs":5}`, false, ""},
		{`{"nonce":"n","runs":2}`, false, ""},
		{``, false, ""},
	}
	for _, tt := range tests {
		rep, ok := findReport([]byte(tt.out), "n")
		if ok != tt.ok || rep.Leaks != tt.leak {
			t.Errorf("findReport(%q) = %+v, %v; want ok %v, leaks %q", tt.out, rep, ok, tt.ok, tt.leak)
		}
	}
}

func TestLeakSummary(t *testing.T) {
	in := "found unexpected goroutines:\n[Goroutine 12 in state chan receive, with main.f.func1 on top of the stack:\n" +
		"main.f.func1()\n\t/tmp/x/submission/counter.go:16 +0x2c\ncreated by locklab.grade/submission.Inc in goroutine 9\n" +
		"\t/tmp/x/submission/counter.go:16 +0x3b2\n]"
	want := "the first was started by locklab.grade/submission.Inc at submission/counter.go:16"
	if got := leakSummary(in); got != want {
		t.Errorf("leakSummary = %q; want %q", got, want)
	}
}

func TestChecks(t *testing.T) {
	if got := strings.Join(Checks(), ","); got != "race-free,schedules,progress,no-leaks" {
		t.Errorf("Checks() = %s", got)
	}
}

func TestWatchRSS(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan bool)
	go func() { done <- watchRSS(os.Getpid(), stop) }()
	close(stop)
	if <-done {
		t.Errorf("watchRSS(self) = true; want false: this test is far below %d bytes", maxRSS)
	}
}

func TestGuardStops(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	tripped := false
	guard(stop, func(string) { tripped = true })
	if tripped {
		t.Error("guard tripped in a test with a handful of goroutines")
	}
}

func TestGuardTripped(t *testing.T) {
	out := []byte("noise\n" + guardPrefix + "too many goroutines\n")
	if got := guardTripped(out); got != "too many goroutines" {
		t.Errorf("guardTripped = %q; want %q", got, "too many goroutines")
	}
	if got := guardTripped([]byte("nothing")); got != "" {
		t.Errorf("guardTripped(nothing) = %q; want empty", got)
	}
}

func TestExploreChild(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		impl                string
		schedules, progress bool
	}{
		{"bank/ordered", true, true},
		{"bank/abba", false, false},
		{"phil/give-up", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.impl, func(t *testing.T) {
			t.Setenv(implEnv, tt.impl)
			s, p := exploreChecks(context.Background(), self)
			if s.Check != CheckSchedules || s.Pass != tt.schedules {
				t.Errorf("schedules = %+v; want pass %v", s, tt.schedules)
			}
			if p.Check != CheckProgress || p.Pass != tt.progress {
				t.Errorf("progress = %+v; want pass %v", p, tt.progress)
			}
		})
	}
}

// TestStubsAreTestdata checks that each exercise's stub is the "stub"
// submission whose want.json the grader's self-test checks.
func TestStubsAreTestdata(t *testing.T) {
	for _, name := range []string{"counter", "bank", "philosophers"} {
		stub, err := os.ReadFile("../../../exercises/" + name + "/" + name + ".go")
		if err != nil {
			t.Fatal(err)
		}
		td, err := os.ReadFile("../../testdata/submissions/" + name + "/stub/" + name + ".go")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stub, td) {
			t.Errorf("exercises/%s/%s.go differs from grade/testdata/submissions/%s/stub/%s.go; copy it", name, name, name, name)
		}
	}
}

func TestStudentPaths(t *testing.T) {
	e := Bank(transferOrdered)
	tests := []struct{ in, want string }{
		{"read at submission/bank.go:11", "read at exercises/bank/bank.go:11"},
		{"no data race", "no data race"},
		{"data race: read at kit/exercises.go:160", "data race: read at kit/exercises.go:160 (in the grader's own bookkeeping, reached through your calls: the shared state it touches was not guarded by the locks)"},
	}
	for _, tt := range tests {
		if got := studentPaths(e, tt.in); got != tt.want {
			t.Errorf("studentPaths(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
