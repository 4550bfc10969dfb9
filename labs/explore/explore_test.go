package explore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func lookup(t testing.TB, scenario, variant string) (*labs.Scenario, *labs.Variant) {
	t.Helper()
	s, v, err := catalog.LookupVariant(scenario, variant)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// small is the configuration the tests explore per scenario: small enough
// to be quick under -race, large enough for every buggy variant's bug.
// Bank needs three clerks so that two of them transfer in opposite
// directions with seed 42.
var small = map[string]labs.Config{
	"counter":      {Workers: 2, Ops: 2},
	"bank":         {Workers: 3, Ops: 2},
	"philosophers": {Workers: 3, Ops: 2},
	"reentrant":    {Workers: 2, Ops: 2},
	// One writer and two readers: enough for a reader to overtake a
	// waiting writer while the other reads.
	"readers-writers": {Workers: 3, Ops: 2},
	// Two producers and two consumers: two of a kind can meet on a
	// condition variable.
	"bounded-buffer":      {Workers: 4, Ops: 2},
	"lock-across-channel": {Workers: 2, Ops: 2},
	"leaks":               {Workers: 2, Ops: 2},
	// Four tasks: the fourth fails.
	"waitgroup": {Workers: 2, Ops: 4},
}

// bug is what the explorer must find in a buggy variant, with the
// configuration it explores.
type bug struct {
	want run.Outcome
	cfg  labs.Config
}

// bugs lists every buggy variant of the catalog
// (TestEveryBuggyVariantListed keeps it complete). Check-then-act needs
// two clerks whose seeded transfers draw on one account for more than it
// holds: with seed 42, two clerks and two transfers each do.
var bugs = map[string]bug{
	"counter/unsynchronized":              {run.Violated, small["counter"]},
	"counter/cooperative-await":           {run.Violated, small["counter"]},
	"bank/from-then-to":                   {run.Deadlock, small["bank"]},
	"bank/check-then-act":                 {run.Violated, labs.Config{Workers: 2, Ops: 2}},
	"philosophers/left-then-right":        {run.Deadlock, small["philosophers"]},
	"philosophers/polite":                 {run.Livelock, small["philosophers"]},
	"reentrant/double-lock":               {run.Deadlock, small["reentrant"]},
	"readers-writers/reader-preference":   {run.Violated, small["readers-writers"]},
	"readers-writers/recursive-rlock":     {run.Deadlock, small["readers-writers"]},
	"bounded-buffer/if-wait":              {run.Violated, small["bounded-buffer"]},
	"bounded-buffer/signal-one-cond":      {run.Stall, small["bounded-buffer"]},
	"lock-across-channel/send-under-lock": {run.Stall, small["lock-across-channel"]},
	"leaks/early-return":                  {run.Violated, small["leaks"]},
	"leaks/unclosed-range":                {run.Stall, small["leaks"]},
	"waitgroup/add-inside":                {run.Violated, small["waitgroup"]},
	"waitgroup/missing-done":              {run.Stall, small["waitgroup"]},
}

func TestEveryBuggyVariantListed(t *testing.T) {
	for _, s := range catalog.All() {
		for _, v := range s.Variants {
			key := s.Name + "/" + v.Name
			_, listed := bugs[key]
			if buggy := v.Kind == labs.Buggy; buggy != listed {
				t.Errorf("%s: buggy %v, but listed in bugs %v", key, buggy, listed)
			}
		}
	}
}

// With a fixed seed, PCT finds every buggy variant within 1,000
// schedules, with the expected outcome, and the failure's token replays
// to an identical failure.
func TestFindsEveryBug(t *testing.T) {
	for _, s := range catalog.All() {
		for i := range s.Variants {
			v := &s.Variants[i]
			b, ok := bugs[s.Name+"/"+v.Name]
			if !ok {
				continue
			}
			want := b.want
			t.Run(s.Name+"/"+v.Name, func(t *testing.T) {
				t.Parallel()
				res, err := explore.Explore(context.Background(), s, v, explore.Options{Seed: 1, Schedules: 1000, Config: b.cfg})
				if err != nil {
					t.Fatalf("Explore() error = %v", err)
				}
				if res.First == nil {
					t.Fatalf("Explore() found nothing in %d schedules; want %s", res.Schedules, want)
				}
				f := res.First
				if f.Outcome != want {
					t.Fatalf("Explore() outcome = %s (%v); want %s", f.Outcome, f.Findings, want)
				}
				t.Logf("schedule %d, %d switches, %d events, token %s", f.Schedule, f.Switches, len(f.Trace), f.Token)
				if len(f.Findings) == 0 || len(f.Trace) == 0 || !strings.HasPrefix(f.Token, "ll1-") {
					t.Errorf("failure has %d findings, %d events, token %q; want some of each", len(f.Findings), len(f.Trace), f.Token)
				}
				first, err := explore.Replay(context.Background(), s, v, f.Token)
				if err != nil {
					t.Fatalf("Replay() error = %v", err)
				}
				second, err := explore.Replay(context.Background(), s, v, f.Token)
				if err != nil {
					t.Fatalf("second Replay() error = %v", err)
				}
				a, b := mustJSON(t, first), mustJSON(t, second)
				if !bytes.Equal(a, b) {
					t.Errorf("two replays differ:\n%s\n%s", a, b)
				}
				f.Schedule = 0
				if found := mustJSON(t, f); !bytes.Equal(found, a) {
					t.Errorf("replay differs from the failure found:\n%s\n%s", found, a)
				}
			})
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every fixed and cooperative variant stays clean for 10,000 schedules of
// PCT (500 with -short), and for a random walk too.
func TestFixedStayClean(t *testing.T) {
	schedules := 10000
	if testing.Short() {
		schedules = 500
	}
	for _, s := range catalog.All() {
		for i := range s.Variants {
			v := &s.Variants[i]
			if v.Kind == labs.Buggy {
				continue
			}
			for _, strategy := range []string{"pct", "random"} {
				t.Run(s.Name+"/"+v.Name+"/"+strategy, func(t *testing.T) {
					t.Parallel()
					res, err := explore.Explore(context.Background(), s, v, explore.Options{
						Strategy: strategy, Seed: 1, Schedules: schedules, Config: small[s.Name], NoMinimize: true})
					if err != nil {
						t.Fatalf("Explore() error = %v", err)
					}
					if res.First != nil {
						t.Fatalf("Explore() = %s at schedule %d: %v; want clean", res.First.Outcome, res.First.Schedule, res.First.Findings)
					}
					if res.Schedules != schedules {
						t.Errorf("Explore() ran %d schedules; want %d", res.Schedules, schedules)
					}
				})
			}
		}
	}
}

// The bounded exhaustive search completes on small configurations:
// clean for the fixes, and it finds the AB-BA deadlock.
func TestDFS(t *testing.T) {
	tests := []struct {
		scenario, variant string
		cfg               labs.Config
		want              run.Outcome // OK: exhausted clean
	}{
		{"bank", "ordered", labs.Config{Workers: 2, Ops: 1}, run.OK},
		{"bank", "global", labs.Config{Workers: 2, Ops: 2}, run.OK},
		{"philosophers", "hierarchy", labs.Config{Workers: 2, Ops: 1}, run.OK},
		{"counter", "mutex", labs.Config{Workers: 2, Ops: 2}, run.OK},
		{"counter", "cooperative", labs.Config{Workers: 2, Ops: 2}, run.OK},
		{"bank", "from-then-to", labs.Config{Workers: 3, Ops: 2}, run.Deadlock},
		{"philosophers", "left-then-right", labs.Config{Workers: 2, Ops: 1}, run.Deadlock},
		{"counter", "cooperative-await", labs.Config{Workers: 2, Ops: 1}, run.Violated},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.variant, func(t *testing.T) {
			s, v := lookup(t, tt.scenario, tt.variant)
			res, err := explore.Explore(context.Background(), s, v, explore.Options{Strategy: "dfs", Schedules: 100000, Config: tt.cfg})
			if err != nil {
				t.Fatalf("Explore() error = %v", err)
			}
			t.Logf("%d schedules, exhausted %v", res.Schedules, res.Exhausted)
			if tt.want == run.OK {
				if res.First != nil || !res.Exhausted {
					t.Fatalf("Explore(dfs) = failure %v, exhausted %v after %d schedules; want clean and exhausted", res.First, res.Exhausted, res.Schedules)
				}
				return
			}
			if res.First == nil || res.First.Outcome != tt.want {
				t.Fatalf("Explore(dfs) = %+v; want %s", res.First, tt.want)
			}
		})
	}
}

// The same options give the same exploration, schedule for schedule.
func TestDeterministic(t *testing.T) {
	for _, strategy := range []string{"random", "pct", "dfs"} {
		t.Run(strategy, func(t *testing.T) {
			s, v := lookup(t, "philosophers", "left-then-right")
			opts := explore.Options{Strategy: strategy, Seed: 7, Schedules: 300, KeepGoing: true, Config: labs.Config{Workers: 2, Ops: 1}}
			a, err := explore.Explore(context.Background(), s, v, opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := explore.Explore(context.Background(), s, v, opts)
			if err != nil {
				t.Fatal(err)
			}
			a.Elapsed, b.Elapsed = 0, 0
			if ja, jb := mustJSON(t, a), mustJSON(t, b); !bytes.Equal(ja, jb) {
				t.Errorf("two explorations differ:\n%s\n%s", ja, jb)
			}
			if a.Failures == 0 {
				t.Errorf("Explore(%s) found no deadlock in 300 schedules", strategy)
			}
		})
	}
}

// The deadlock finding names the cycle as the wait-for graph does, with
// the variant's source lines; the trace ends with the blocked workers.
func TestDeadlockFinding(t *testing.T) {
	s, v := lookup(t, "philosophers", "left-then-right")
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Config: labs.Config{Workers: 3, Ops: 1}})
	if err != nil || res.First == nil {
		t.Fatalf("Explore() = %v, %v; want a deadlock", res, err)
	}
	f := res.First.Findings[0]
	n := res.First.Config.Workers // shrunk: the fewest philosophers that deadlock
	if f.Kind != detector.Deadlock || len(f.Steps) != n || n < 2 || n > 3 {
		t.Fatalf("finding = %v; want a deadlock of all %d philosophers", f, n)
	}
	for i, st := range f.Steps {
		next := f.Steps[(i+1)%len(f.Steps)]
		if st.Owner != next.Worker || len(st.Holds) != 1 || st.At.File != "labs/philosophers/lefthand.go" || st.At.Line == 0 {
			t.Errorf("step %d = %+v; want owner %s, one fork held, at labs/philosophers/lefthand.go", i, st, next.Worker)
		}
	}
	var blocked int
	for _, e := range res.First.Trace {
		if e.Op == "blocked" {
			blocked++
		}
	}
	if blocked != n {
		t.Errorf("trace has %d blocked events; want %d", blocked, n)
	}
	if res.First.Switches > 3 {
		t.Errorf("minimized failure has %d switches; want at most 3", res.First.Switches)
	}
}

func TestRunOnce(t *testing.T) {
	tests := []struct {
		variant string
		want    run.Outcome
	}{
		{"cooperative", run.OK},
		{"cooperative-await", run.Violated},
		{"unsynchronized", run.Violated},
		{"mutex", run.OK},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			s, v := lookup(t, "counter", tt.variant)
			res, err := explore.RunOnce(context.Background(), s, v, labs.Config{Workers: 4, Ops: 100}, 1)
			if err != nil {
				t.Fatalf("RunOnce() error = %v", err)
			}
			if res.Outcome != tt.want {
				t.Errorf("RunOnce(%s) = %s (%s); want %s", tt.variant, res.Outcome, res.Summary(), tt.want)
			}
			if len(res.Invariants) == 0 || len(res.Workers) != 4 {
				t.Errorf("RunOnce(%s): %d invariants, %d workers; want some and 4", tt.variant, len(res.Invariants), len(res.Workers))
			}
		})
	}
}

func TestOptionsErrors(t *testing.T) {
	s, v := lookup(t, "counter", "mutex")
	for _, opts := range []explore.Options{
		{Strategy: "bfs"},
		{Schedules: -1},
		{Config: labs.Config{Workers: 1}},
		{MaxSteps: -5},
	} {
		if _, err := explore.Explore(context.Background(), s, v, opts); err == nil {
			t.Errorf("Explore(%+v) error = nil; want one", opts)
		}
	}
}

// A canceled context ends an exploration early, without an error.
func TestCanceled(t *testing.T) {
	s, v := lookup(t, "counter", "mutex")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := explore.Explore(ctx, s, v, explore.Options{Schedules: 100})
	if err != nil || res.Schedules != 0 {
		t.Errorf("Explore(canceled) = %d schedules, %v; want 0, nil", res.Schedules, err)
	}
}

func TestProgressCallback(t *testing.T) {
	s, v := lookup(t, "counter", "mutex")
	var calls []int
	_, err := explore.Explore(context.Background(), s, v, explore.Options{Schedules: 600, Config: small["counter"],
		Progress: func(done, failures int) { calls = append(calls, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{256, 512, 600}; !slices.Equal(calls, want) {
		t.Errorf("progress calls = %v; want %v", calls, want)
	}
}

func TestReplayErrors(t *testing.T) {
	s, v := lookup(t, "bank", "from-then-to")
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Config: small["bank"]})
	if err != nil || res.First == nil {
		t.Fatalf("Explore() = %v, %v", res, err)
	}
	good := res.First.Token
	_, other := lookup(t, "bank", "ordered")
	ps, pv := lookup(t, "philosophers", "left-then-right")
	tests := []struct {
		name  string
		s     *labs.Scenario
		v     *labs.Variant
		token string
	}{
		{"empty", s, v, ""},
		{"no prefix", s, v, strings.TrimPrefix(good, "ll1-")},
		{"not base64", s, v, "ll1-!!!"},
		{"cut short", s, v, good[:len(good)-3]},
		{"altered", s, v, alter(good)},
		{"other variant", s, other, good},
		{"other scenario", ps, pv, good},
		{"does not fit", s, v, forge(t, s, v)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := explore.Replay(context.Background(), tt.s, tt.v, tt.token)
			if !errors.Is(err, explore.ErrBadToken) {
				t.Errorf("Replay(%q) = %v, %v; want an error wrapping ErrBadToken", tt.token, f, err)
			}
		})
	}
}

// alter flips one character in the middle of the token's payload.
func alter(tok string) string {
	b := []byte(tok)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// forge returns a well-formed token for s/v whose decisions do not fit
// the variant: it runs the checked-by-CRC encoder on a schedule taken
// from a different configuration.
func forge(t *testing.T, s *labs.Scenario, v *labs.Variant) string {
	t.Helper()
	sess, err := explore.NewSession(s, v, labs.Config{Workers: 3, Ops: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	// Run clerk 2 as far as it goes, then clerk 1: deviations that a
	// two-clerk bank cannot follow.
	for range 200 {
		cs := sess.Choices()
		if len(cs) == 0 {
			break
		}
		pick := cs[len(cs)-1].Worker
		if err := sess.Step(pick); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := explore.DecodeToken(sess.Token())
	if err != nil {
		t.Fatal(err)
	}
	tok.Config.Workers = 2
	return tok.Encode()
}

func TestTokenRoundTrip(t *testing.T) {
	s, v := lookup(t, "philosophers", "polite")
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Config: small["philosophers"]})
	if err != nil || res.First == nil {
		t.Fatalf("Explore() = %v, %v", res, err)
	}
	tok, err := explore.DecodeToken(res.First.Token)
	if err != nil {
		t.Fatalf("DecodeToken() error = %v", err)
	}
	c := res.First.Config
	want := labs.Config{Workers: c.Workers, Ops: c.Ops, Seed: 42}
	if tok.Scenario != "philosophers" || tok.Variant != "polite" || tok.Config != want || tok.MaxSteps != 10000 {
		t.Errorf("DecodeToken() = %+v; want philosophers/polite, %+v, 10000 steps", tok, want)
	}
	if again := tok.Encode(); again != res.First.Token {
		t.Errorf("Encode(DecodeToken(%q)) = %q", res.First.Token, again)
	}
	if len(res.First.Token) > 200 {
		t.Errorf("livelock token is %d characters; want a short one", len(res.First.Token))
	}
}

func FuzzDecodeToken(f *testing.F) {
	s, v := lookup(f, "bank", "from-then-to")
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Config: small["bank"]})
	if err != nil || res.First == nil {
		f.Fatalf("Explore() = %v, %v", res, err)
	}
	f.Add(res.First.Token)
	f.Add("ll1-")
	f.Add("ll1-AQ")
	f.Add(alter(res.First.Token))
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := explore.DecodeToken(token)
		if err != nil {
			if !errors.Is(err, explore.ErrBadToken) {
				t.Fatalf("DecodeToken(%q) error %v does not wrap ErrBadToken", token, err)
			}
			return
		}
		again, err := explore.DecodeToken(tok.Encode())
		if err != nil || again.Encode() != tok.Encode() {
			t.Fatalf("DecodeToken(Encode(%+v)) = %+v, %v; want the same token", tok, again, err)
		}
	})
}

// A failure shrinks to the smallest run that shows it, then to the
// fewest context switches, as property-based testing shrinks inputs.
func TestShrink(t *testing.T) {
	tests := []struct {
		scenario, variant string
		workers, ops      int
		maxSteps          int
	}{
		{"counter", "cooperative-await", 2, 1, 12},
		{"counter", "unsynchronized", 2, 1, 12},
		{"philosophers", "left-then-right", 2, 1, 12},
		{"bank", "from-then-to", 2, 1, 20},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.variant, func(t *testing.T) {
			s, v := lookup(t, tt.scenario, tt.variant)
			res, err := explore.Explore(context.Background(), s, v, explore.Options{})
			if err != nil || res.First == nil {
				t.Fatalf("Explore() = %v, %v; want a failure", res, err)
			}
			f := res.First
			if f.Config.Workers != tt.workers || f.Config.Ops != tt.ops {
				t.Errorf("shrunk to %d workers × %d ops; want %d × %d", f.Config.Workers, f.Config.Ops, tt.workers, tt.ops)
			}
			steps := 0
			if n := len(f.Trace); n > 0 {
				steps = f.Trace[n-1].Step + 1
			}
			if steps > tt.maxSteps {
				t.Errorf("shrunk schedule has %d steps; want at most %d", steps, tt.maxSteps)
			}
			again, err := explore.Replay(context.Background(), s, v, f.Token)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(f.Trace)
			b, _ := json.Marshal(again.Trace)
			if !bytes.Equal(a, b) || again.Outcome != f.Outcome {
				t.Errorf("the token does not replay the shrunk schedule byte for byte")
			}
		})
	}
}
