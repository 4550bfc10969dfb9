package detector

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Kind classifies a Finding. The string values are part of the JSON form.
type Kind string

// The kinds of finding.
const (
	// Deadlock is an actual deadlock: a cycle in the wait-for graph.
	Deadlock Kind = "deadlock"
	// LockOrder is a potential deadlock: a cycle in the lock-order graph,
	// reported even when the run did not hang.
	LockOrder Kind = "lock-order"
	// DoubleLock is a goroutine locking a Mutex it already holds.
	DoubleLock Kind = "double-lock"
	// Stall is a run that made no progress within its stall limit: every
	// worker is blocked (a hang the wait-for graph cannot explain, such as
	// a channel deadlock) or running without progress (livelock).
	Stall Kind = "stall"
	// Livelock is a stall in which workers keep running but none progresses.
	Livelock Kind = "livelock"
	// DataRace is a report of the Go race detector.
	DataRace Kind = "data-race"
	// Invariant is a scenario invariant that did not hold.
	Invariant Kind = "invariant"
	// PotentialDeadlock is a report of github.com/sasha-s/go-deadlock.
	PotentialDeadlock Kind = "godeadlock"
	// Panic is a worker that panicked (other than by an abort).
	Panic Kind = "panic"
)

// Pos is a source position.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Func string `json:"func,omitempty"`
}

// String returns file:line, or "" for the zero Pos.
func (p Pos) String() string {
	if p.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// IsZero reports whether p is unknown.
func (p Pos) IsZero() bool { return p.File == "" }

// Step is one line of a finding: for a deadlock, one worker of the cycle
// (what it holds, the lock it waits for, who owns that lock, and where it
// blocked); for a lock-order finding, one edge (the lock held, the lock
// acquired while holding it, and where that edge was first seen); for a
// data race, one of the two accesses (Op, the worker, where).
type Step struct {
	Worker string   `json:"worker"`
	Op     string   `json:"op,omitempty"` // data races: "read", "write", "atomic write", ...
	Holds  []string `json:"holds,omitempty"`
	Lock   string   `json:"lock,omitempty"`
	Owner  string   `json:"owner,omitempty"`
	At     Pos      `json:"at"`
	// State is the worker's state for stall findings: "blocked", "running"
	// or "done".
	State string `json:"state,omitempty"`
}

// Finding is one problem a detector reported, as plain data with a stable
// JSON form.
type Finding struct {
	Kind    Kind   `json:"kind"`
	Message string `json:"message"`
	Steps   []Step `json:"steps,omitempty"`
	// Gated is set on lock-order findings whose cycle cannot close because
	// every edge was taken under a common gate (a lock held around all of
	// them, or a semaphore admitting fewer workers than the cycle is long).
	Gated string `json:"gated,omitempty"`
}

// Workers returns the distinct workers named in f's steps, in order.
func (f Finding) Workers() []string {
	var ws []string
	seen := map[string]bool{}
	for _, s := range f.Steps {
		if !seen[s.Worker] {
			seen[s.Worker] = true
			ws = append(ws, s.Worker)
		}
	}
	return ws
}

func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", f.Kind, f.Message)
	for _, s := range f.Steps {
		fmt.Fprintf(&b, "\n  %s holds %v, wants %s (owner %s) at %s", s.Worker, s.Holds, s.Lock, s.Owner, s.At)
	}
	return b.String()
}

// trimPath shortens an absolute file name to its module-relative form when
// it lies inside a module that has a go.mod above it: the last elements
// after the first of "labs/", "locks/", "detector/", "cmd/", "exercises/".
// Otherwise it keeps the last two path elements.
func trimPath(file string) string {
	file = filepath.ToSlash(file)
	for _, top := range []string{"/labs/", "/locks/", "/detector/", "/cmd/", "/exercises/", "/internal/"} {
		if i := strings.LastIndex(file, top); i >= 0 {
			return file[i+1:]
		}
	}
	parts := strings.Split(file, "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}
