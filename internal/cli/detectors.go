package cli

import (
	"errors"
	"strings"

	"github.com/locklab/locklab/labs"
)

// The --detector choices.
const (
	detectorWaitFor    = string(labs.WaitFor)
	detectorLockOrder  = string(labs.LockOrder)
	detectorGoDeadlock = string(labs.GoDeadlock)
	detectorNone       = "none"
)

var detectorChoices = []struct{ name, help string }{
	{detectorWaitFor, "wait-for graph: actual deadlocks, reported as the cycle closes"},
	{detectorLockOrder, "lock-order graph: potential deadlocks, even in a run that did not hang"},
	{detectorGoDeadlock, "github.com/sasha-s/go-deadlock underneath, in a child process; runs alone"},
	{detectorNone, "no deadlock detector; the watchdog still stops a hang"},
}

func detectorNames() []string {
	names := make([]string, len(detectorChoices))
	for i, d := range detectorChoices {
		names[i] = d.name
	}
	return names
}

// detectorSet is a parsed --detector list.
type detectorSet struct {
	WaitFor, LockOrder, GoDeadlock bool
}

// parseDetectors parses a comma-separated list of detector names. "none"
// turns both graphs off and stands alone; names may repeat.
func parseDetectors(list string) (detectorSet, error) {
	var set detectorSet
	var none, other bool
	for _, name := range strings.Split(list, ",") {
		switch name = strings.TrimSpace(name); name {
		case detectorWaitFor:
			set.WaitFor, other = true, true
		case detectorLockOrder:
			set.LockOrder, other = true, true
		case detectorGoDeadlock:
			set.GoDeadlock, other = true, true
		case detectorNone:
			none = true
		case "":
			return set, errors.New("--detector: empty detector name; valid: " + strings.Join(detectorNames(), ", "))
		default:
			return set, &labs.UnknownError{What: "detector", Name: name, Valid: detectorNames()}
		}
	}
	if none && other {
		return set, errors.New("--detector: none cannot be combined with other detectors")
	}
	if set.GoDeadlock && (set.WaitFor || set.LockOrder) {
		// go-deadlock's locks replace the lab's instrumented ones, so the
		// lab's graphs would see nothing.
		return set, errors.New("--detector: godeadlock runs alone (its locks replace the ones waitfor and lockorder observe)")
	}
	return set, nil
}
