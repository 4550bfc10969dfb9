package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/race"
	"github.com/locklab/locklab/labs/run"
)

// NextStep is a command that shows more than the output it follows, and
// what it shows.
type NextStep struct {
	Command string `json:"command"`
	Shows   string `json:"shows"`
}

// RunNext is where a run of a buggy variant leads on: the race detector
// for a data race, the controlled scheduler for what native timing
// showed only by luck, or missed. controlled reports a variant that ran
// under the controlled scheduler already.
func RunNext(r *run.Result, v *labs.Variant, controlled bool) []NextStep {
	if v == nil || v.Kind != labs.Buggy {
		return nil
	}
	var next []NextStep
	showed := r.Outcome.Problem()
	if v.Expects(labs.Race) && !controlled {
		next = append(next, NextStep{RaceCommand(r.Scenario, r.Variant),
			"the Go race detector names the two conflicting accesses, their workers and lines"})
	}
	switch {
	case controlled:
		next = append(next, NextStep{ExploreCommand(r.Scenario, r.Variant),
			"searches the schedules for the failing one, shrinks it and replays it step by step"})
	case !showed:
		next = append(next, NextStep{ExploreCommand(r.Scenario, r.Variant),
			"the controlled scheduler finds it on purpose, every time, where native timing missed it"})
	default:
		next = append(next, NextStep{ExploreCommand(r.Scenario, r.Variant),
			"the interleaving that led here, shrunk to a few steps, with a token that replays it exactly"})
	}
	return next
}

// RaceNext is where locklab race on a buggy variant leads on.
func RaceNext(o *race.Observation) []NextStep {
	if o.Kind != labs.Buggy {
		return nil
	}
	if o.Raced() {
		return []NextStep{{ExploreCommand(o.Scenario, o.Variant),
			"the schedule that makes the race lose an update, found on purpose and replayed step by step"}}
	}
	return []NextStep{{ExploreCommand(o.Scenario, o.Variant),
		"the race detector cannot see this bug; the controlled scheduler finds the interleaving that shows it"}}
}

// Next writes the next steps, one per line, under "Next:".
func Next(w io.Writer, steps []NextStep, st Style) error {
	if len(steps) == 0 {
		return nil
	}
	var b strings.Builder
	for i, s := range steps {
		label := "     "
		if i == 0 {
			label = st.paint(bold, "Next:")
		}
		fmt.Fprintf(&b, "%s %s\n      %s\n", label, s.Command, st.paint(dim, s.Shows))
	}
	return writeString(w, &b)
}
