package cli

import (
	"strings"
	"testing"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// cross is the default game of step mode on the bank's from-then-to (2
// clerks, 1 transfer each, seed 44: the smallest game in which the
// deadlock shows): clerk 0 moves from account 1 to 0, clerk 1 from 0 to
// 1; both start, each takes its first lock and yields, then each asks for
// the other's.
var cross = strings.Join([]string{
	"0", "1", // start
	"0", "1", // each takes its first lock
	"0", "1", // each yields, holding it
	"0", "1", // each asks for the other's: on from-then-to, nobody can
}, "\n") + "\n"

// alternate moves the two clerks in turn, long enough for any bank game
// of step mode's size to end; a move of a blocked or finished clerk is
// answered and changes nothing.
var alternate = strings.Repeat("0\n1\n", 40)

func TestStep(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		want     []string // in stdout
		notWant  []string
	}{
		{"bank deadlock", []string{"step", "bank", "--variant", "from-then-to"}, cross, exitProblem,
			[]string{"YOU WIN: this schedule ends in a deadlock.", "DEADLOCK: 2 clerks wait for each other in a cycle", "Replay: locklab explore bank --variant from-then-to --replay ll1-"},
			nil},
		{"bank deadlock by default", []string{"step", "bank"}, cross, exitProblem, []string{"YOU WIN"}, nil},
		{"bank ordered: the same moves", []string{"step", "bank", "--variant", "ordered"}, cross + alternate, exitOK,
			[]string{"The schedule ran to its end", "Replay: locklab explore bank --variant ordered --replay ll1-"},
			[]string{"YOU WIN", "DEADLOCK"}},
		{"bank ordered: alternating", []string{"step", "bank", "--variant", "ordered"}, alternate, exitOK,
			[]string{"The schedule ran to its end"}, []string{"YOU WIN"}},
		{"quit at once", []string{"step", "bank", "--variant", "from-then-to"}, "q\n", exitOK,
			[]string{"move 0, 1 (u undo, q quit)> q\n", "Quit before the bug showed.", "Replay: "}, []string{"YOU WIN"}},
		{"end of input", []string{"step", "bank"}, "0\n", exitOK, []string{"-> clerk 0: start", "Quit before the bug showed."}, nil},
		{"empty input", []string{"step", "bank"}, "", exitOK, []string{"Quit before the bug showed."}, nil},
		{"bad moves", []string{"step", "bank"}, "7\nfoo\nu\n?\n0\n1\n0\n1\n0\n0\nq\n", exitOK,
			[]string{"There is no clerk 7 to move; choose 0, 1.", `"foo": type the number of a clerk, u to undo or q to quit.`,
				"Nothing to undo.", "Type the number of a clerk to move it", "clerk 0 cannot move: it waits for account 0 (held by clerk 1)"},
			nil},
		{"undo", []string{"step", "bank"}, "0\nu\nu\n1\nq\n", exitOK,
			[]string{"Undone: back to step 1.", "-> clerk 1: start"}, nil},
		{"undo after the end", []string{"step", "bank", "--variant", "ordered"}, alternate + "u\n0\nq\n", exitOK,
			[]string{"The schedule ran to its end", "The schedule has ended: nobody can move. u to undo, q to quit.\n(u undo, q quit)> ",
				"Undone: back to step", "Quit before the bug showed."}, nil},
		{"lost update", []string{"step", "counter", "--variant", "cooperative-await", "--ops", "1"},
			"0\n1\n0\n1\n0\n1\n0\n1\n0\n1\n", exitProblem,
			[]string{"YOU WIN: this schedule ends in a broken invariant.", "INVARIANT VIOLATED: final count is workers × ops: expected 2, got 1"}, nil},
		{"philosophers", []string{"step", "philosophers", "--buggy", "--ops", "1"}, alternate, exitProblem,
			[]string{"YOU WIN: this schedule ends in a deadlock."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := locklabReal(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("locklab %s: exit %d; want %d\nstdout:\n%s\nstderr: %s", strings.Join(tt.args, " "), code, tt.wantCode, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("locklab %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("locklab %s: stdout has %q:\n%s", strings.Join(tt.args, " "), w, out)
				}
			}
			if stderr != "" {
				t.Errorf("locklab %s: stderr = %q; want nothing", strings.Join(tt.args, " "), stderr)
			}
		})
	}
}

// TestStepReplay checks that the token step mode prints replays the game:
// the same deadlock, with the same steps.
func TestStepReplay(t *testing.T) {
	code, out, _ := locklabReal(t, cross, "step", "bank", "--variant", "from-then-to")
	if code != exitProblem {
		t.Fatalf("step: exit %d; want %d\n%s", code, exitProblem, out)
	}
	args := replayArgs(t, out)
	code, replay, stderr := locklabReal(t, "", args...)
	if code != exitProblem || !strings.Contains(replay, "DEADLOCK") {
		t.Fatalf("locklab %s: exit %d; want %d and the deadlock\n%s\nstderr: %s", strings.Join(args, " "), code, exitProblem, replay, stderr)
	}
	if table(out) == "" || table(out) != table(replay) {
		t.Errorf("replayed steps differ from the game's:\n--- game\n%s\n--- replay\n%s", table(out), table(replay))
	}
}

func TestStepJSON(t *testing.T) {
	code, out, stderr := locklabReal(t, cross, "step", "bank", "--variant", "from-then-to", "--json")
	if code != exitProblem {
		t.Fatalf("exit %d; want %d\nstdout:\n%s", code, exitProblem, out)
	}
	if !strings.Contains(stderr, "YOU WIN") {
		t.Errorf("stderr lacks the game:\n%s", stderr)
	}
	wantKeys(t, []byte(out), "scenario", "variant", "config", "won", "outcome", "findings", "token", "trace")
	var r struct {
		Won     bool
		Outcome run.Outcome
		Token   string
		Trace   []explore.Event
	}
	mustUnmarshal(t, []byte(out), &r)
	if !r.Won || r.Outcome != run.Deadlock || !strings.HasPrefix(r.Token, "ll1-") || len(r.Trace) == 0 {
		t.Errorf("step --json = %+v; want won, deadlock, a token and the trace", r)
	}
}

func TestStepBadInput(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"step", "bank", "--buggy", "--variant", "ordered"}, "--buggy and --variant cannot be used together"},
		{[]string{"step", "bank", "--seed", "0"}, "--seed must be at least 1"},
		{[]string{"step", "bank", "--workers", "1"}, "workers must be between 2 and 1000, got 1"},
		{[]string{"step", "bank", "--ops", "0"}, "ops must be between 1 and 10000000, got 0"},
		{[]string{"step", "bank", "--variant", "nope"}, `unknown variant "nope"`},
		{[]string{"step"}, "locklab step needs a scenario"},
	} {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := locklabReal(t, "", tt.args...)
			if code != exitError || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("locklab %s: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout, %q", name, code, stdout, stderr, tt.want)
			}
		})
	}
}

// TestStepOrderedCannot plays every game of step mode on the bank with
// two clerks whose transfers cross (one transfer each, seed 1): on
// from-then-to some ends in a deadlock; on ordered none ends in any bug.
func TestStepOrderedCannot(t *testing.T) {
	s, err := catalog.Lookup("bank")
	if err != nil {
		t.Fatal(err)
	}
	cfg := labs.Config{Workers: 2, Ops: 1, Seed: 1}
	for _, tt := range []struct {
		variant string
		bugs    bool
	}{{"from-then-to", true}, {"ordered", false}} {
		t.Run(tt.variant, func(t *testing.T) {
			v, err := s.Variant(tt.variant)
			if err != nil {
				t.Fatal(err)
			}
			sess, err := explore.NewSession(s, v, cfg)
			if err != nil {
				t.Fatalf("NewSession: %v", err)
			}
			defer sess.Close()
			games, bugs := 0, map[run.Outcome]int{}
			var walk func(depth int)
			walk = func(depth int) {
				if depth > 100 {
					t.Fatalf("a game longer than 100 moves: %v", sess.Trace())
				}
				if f, ended := sess.Outcome(); ended {
					games++
					if f.Outcome.Problem() {
						bugs[f.Outcome]++
					}
					return
				}
				for _, c := range sess.Choices() {
					if err := sess.Step(c.Worker); err != nil {
						t.Fatalf("Step(%d): %v", c.Worker, err)
					}
					walk(depth + 1)
					if err := sess.Undo(); err != nil {
						t.Fatalf("Undo: %v", err)
					}
				}
			}
			walk(0)
			t.Logf("%s: %d games, bugs %v", tt.variant, games, bugs)
			if games < 2 {
				t.Errorf("%s: %d games; want several", tt.variant, games)
			}
			if got := len(bugs) > 0; got != tt.bugs {
				t.Errorf("%s: bugs %v in %d games; want bugs %v", tt.variant, bugs, games, tt.bugs)
			}
			if tt.bugs && bugs[run.Deadlock] == 0 {
				t.Errorf("%s: bugs %v; want a deadlock among them", tt.variant, bugs)
			}
		})
	}
}
