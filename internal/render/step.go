package render

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// StepIntro writes the opening of step mode: the variant, its
// configuration, and the rules of the game.
//
// smallest reports a game chosen as the smallest in which the bug shows.
func StepIntro(w io.Writer, s *labs.Scenario, v *labs.Variant, cfg run.ConfigJSON, smallest bool, st Style) error {
	var b strings.Builder
	variantHeader(&b, s, v, st)
	fmt.Fprintf(&b, "%s, %s each, seed %d", count(cfg.Workers, s.Workers), count(cfg.Ops, opOr(s.Ops)), cfg.Seed)
	b.WriteString("\n")
	if smallest {
		fmt.Fprintf(&b, "%s\n", wrap("The smallest game in which the bug can show, whatever you move first; --workers, --ops and --seed choose another.", lineWidth, 0, 0))
	}
	b.WriteString("\n")
	noun := nounOr(s.Workers)
	goal := "make the bug show: a deadlock, or a broken invariant"
	if v.Kind != labs.Buggy {
		goal = "try to make it fail: a deadlock, or a broken invariant (this variant is not buggy, so you should not manage)"
	}
	rules := fmt.Sprintf("You are the scheduler. One %s runs at a time, up to its next lock, channel operation or yield point; you choose which. Type the number of a %s to move it, u to undo, q to quit. Goal: %s.",
		noun, noun, goal)
	fmt.Fprintf(&b, "%s\n", wrap(rules, lineWidth, 0, 0))
	return writeString(w, &b)
}

// StepState writes the state of a step-mode game: every worker with what
// it holds and what it does next (or what it waits for), then the prompt.
// The prompt ends without a newline.
//
// locks, when given, are shown after the workers: who holds each and who
// waits.
func StepState(w io.Writer, s *labs.Scenario, step int, states []explore.WorkerState, choices []explore.Choice, st Style, locks ...explore.LockState) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", st.paint(bold, "Step "+strconv.Itoa(step+1)))
	head := []string{"#", strings.ToUpper(nounOr(s.Workers)), "HOLDS", "NEXT"}
	doing := slices.ContainsFunc(states, func(ws explore.WorkerState) bool { return ws.Doing != "" })
	if doing {
		head = append(head, "DOING")
	}
	t := &table{indent: 2, head: head}
	for _, ws := range states {
		next, p := opText(ws.Next, ws.Target), plain
		switch {
		case ws.Done:
			next, p = "done", green
		case ws.Waiting != "":
			next, p = "blocked: waits for "+ws.Waiting, red
			if owner := holder(states, ws.Waiting); owner != "" {
				next += " (held by " + owner + ")"
			}
		}
		num := strconv.Itoa(ws.Worker)
		if !slices.ContainsFunc(choices, func(ch explore.Choice) bool { return ch.Worker == ws.Worker }) {
			num = "-"
		}
		cells := []cell{c(num), c(ws.Name), c(dash(strings.Join(ws.Holds, ", "))), cp(p, next)}
		if doing {
			what := ws.Doing
			if ws.Done {
				what = ""
			}
			cells = append(cells, c(dash(what)))
		}
		t.row(cells...)
	}
	t.write(&b, st)
	if len(locks) > 0 {
		b.WriteString("\n")
		stepLocks(&b, locks, st)
		b.WriteString("\n")
	}
	b.WriteString(StepPrompt(choices))
	return writeString(w, &b)
}

// StepLocks writes one line per lock of a step-mode game: who holds it
// and who waits for it.
func StepLocks(w io.Writer, locks []explore.LockState, st Style) error {
	if len(locks) == 0 {
		return nil
	}
	var b strings.Builder
	stepLocks(&b, locks, st)
	return writeString(w, &b)
}

func stepLocks(b *strings.Builder, locks []explore.LockState, st Style) {
	t := &table{indent: 2, head: []string{"LOCK", "HELD BY", "WAITING"}}
	for _, l := range locks {
		waiting, p := dash(strings.Join(l.Waiters, ", ")), plain
		if len(l.Waiters) > 0 {
			p = red
		}
		t.row(c(l.Name), c(dash(strings.Join(l.Holders, ", "))), cp(p, waiting))
	}
	t.write(b, st)
}

// StepPrompt is the prompt of step mode: the workers that can move.
func StepPrompt(choices []explore.Choice) string {
	if len(choices) == 0 {
		return "(u undo, q quit)> "
	}
	nums := make([]string, len(choices))
	for i, ch := range choices {
		nums[i] = strconv.Itoa(ch.Worker)
	}
	return "move " + strings.Join(nums, ", ") + " (u undo, q quit)> "
}

// holder returns the worker whose holds include lock, or "".
func holder(states []explore.WorkerState, lock string) string {
	for _, ws := range states {
		if slices.Contains(ws.Holds, lock) {
			return ws.Name
		}
	}
	return ""
}

// opText is an operation and its target: "lock account 0".
func opText(op, target string) string {
	switch {
	case target == "":
		return dash(op)
	case op == "blocked":
		return "blocked on " + target
	}
	return op + " " + target
}

// StepEvents writes the steps a move made: who did what, and what it
// holds after.
func StepEvents(w io.Writer, events []explore.Event, st Style) error {
	var b strings.Builder
	for _, e := range events {
		line := e.Worker + ": " + opText(e.Op, e.Target)
		if len(e.Holds) > 0 {
			line += ", holds " + strings.Join(e.Holds, ", ")
		}
		fmt.Fprintf(&b, "  %s %s\n", st.paint(opPaint(e.Op), "->"), line)
	}
	return writeString(w, &b)
}

// StepMessage writes one line that answers bad input or reports an
// undo.
func StepMessage(w io.Writer, msg string, st Style) error {
	_, err := io.WriteString(w, st.paint(yellow, msg)+"\n")
	return err
}

// StepEnd writes the end of a step-mode game: when the schedule ended in
// a problem, that the player won, with the findings and the schedule;
// when it ended cleanly or the player quit, what happened; and in every
// case the command that replays the path taken.
func StepEnd(w io.Writer, s *labs.Scenario, v *labs.Variant, f *explore.Failure, token string, quit bool, st Style) error {
	var b strings.Builder
	b.WriteString("\n")
	switch {
	case f != nil && f.Outcome.Problem():
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldGreen, "YOU WIN:"),
			wrap(fmt.Sprintf("this schedule ends in %s.", outcomeText(f.Outcome)), lineWidth, 9, 2))
		g := *f
		g.Token = token
		failure(&b, s, v, &g, "", st)
		exploreLesson(&b, s, v, true, st)
		return writeString(w, &b)
	case f != nil:
		fmt.Fprintf(&b, "%s\n", wrap(fmt.Sprintf("The schedule ran to its end: every %s finished and every invariant held. No bug this time.", nounOr(s.Workers)), lineWidth, 0, 0))
	case quit:
		fmt.Fprintf(&b, "%s\n", "Quit before the bug showed.")
	}
	fmt.Fprintf(&b, "%s %s\n", st.paint(bold, "Replay:"), ReplayCommand(s.Name, v.Name, token))
	return writeString(w, &b)
}

// StepResult is the path a step-mode game took, as `locklab step --json`
// writes it.
type StepResult struct {
	Scenario string         `json:"scenario"`
	Variant  string         `json:"variant"`
	Config   run.ConfigJSON `json:"config"`
	// Won is true when the bug showed.
	Won bool `json:"won"`
	// Outcome is how the schedule ended; empty if the player quit first.
	Outcome  run.Outcome        `json:"outcome,omitempty"`
	Findings []detector.Finding `json:"findings"`
	Token    string             `json:"token"` // replays the path taken
	Trace    []explore.Event    `json:"trace"`
}

// StepJSON writes a step-mode game's path as indented JSON, empty lists
// as [].
func StepJSON(w io.Writer, r *StepResult) error {
	out := *r
	out.Findings = nonNil(out.Findings)
	out.Trace = nonNil(out.Trace)
	return writeJSON(w, &out)
}
