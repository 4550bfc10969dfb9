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
	// RecursiveRLock is a goroutine read-locking an RWMutex it already
	// holds for reading: a potential deadlock, reported whether or not a
	// writer waits in between (if one does, it is also a Deadlock). Go's
	// sync.RWMutex documentation forbids it.
	RecursiveRLock Kind = "recursive-rlock"
	// ExitedOwner is a lock still held by a goroutine that has returned:
	// a missing Unlock on an early return or an error path, or a callback
	// that returns holding it. It is reported when someone has waited for
	// the lock a short while, and by Audit at the end of a test.
	ExitedOwner Kind = "exited-owner"
	// WaitTimeout is a goroutine that has waited on an instrumented
	// primitive longer than the Detector's wait timeout, with what the
	// holder is doing now. The waiter keeps waiting.
	WaitTimeout Kind = "wait-timeout"
	// WaitUnderLock is a goroutine blocked waiting for a lock whose holder
	// is itself waiting on a primitive with no owner to wait for
	// (Cond.Wait, or WaitGroup.Wait for Done calls from unknown
	// goroutines): if the waker needs the lock, nothing can move.
	WaitUnderLock Kind = "wait-under-lock"
	// Blocked is a goroutine still blocked on an instrumented primitive
	// when a test ended (Audit).
	Blocked Kind = "blocked"
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
	// or "done"; "exited" for a lock's owner that has returned.
	State string `json:"state,omitempty"`
	// Taken is where the worker took the lock it holds (the first of
	// Holds, or Lock for an owner's step): "the previous place where the
	// lock was grabbed".
	Taken *Pos `json:"taken,omitempty"`
	// Now is what the worker was doing when the finding was made, read
	// from its current stack: "chan send", "select", "in
	// sync.WaitGroup.Wait", "waiting for lock b", "running", "exited".
	Now string `json:"now,omitempty"`
	// NowAt is where it was doing it: its innermost frame outside the
	// runtime and locklab.
	NowAt *Pos `json:"now_at,omitempty"`
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

// String returns the finding in full, as the Detector prints it: the kind
// and message, then one block per step: the goroutine, and one line per
// fact, each starting with its file:line as compilers print errors (where
// it took the lock it holds, where it waits and for what, from whom, and
// what it is doing now).
func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", f.Kind, f.Message)
	if f.Gated != "" {
		fmt.Fprintf(&b, "\n  (gated: %s)", f.Gated)
	}
	line := func(at Pos, text string) {
		b.WriteString("\n      ")
		if !at.IsZero() {
			b.WriteString(at.String() + ": ")
		}
		b.WriteString(text)
	}
	for _, s := range f.Steps {
		b.WriteString("\n  " + s.Worker)
		if s.State != "" {
			b.WriteString(" [" + s.State + "]")
		}
		if s.Op != "" && s.Lock == "" {
			line(s.At, s.Op)
		}
		switch {
		case len(s.Holds) > 0 && s.Taken != nil:
			line(*s.Taken, "took "+s.Holds[0])
			if len(s.Holds) > 1 {
				line(Pos{}, "holds "+strings.Join(s.Holds[1:], ", ")+" too")
			}
		case len(s.Holds) > 0:
			line(Pos{}, "holds "+strings.Join(s.Holds, ", "))
		}
		if s.Lock != "" {
			verb := "wants"
			switch {
			case s.Op != "":
				verb = s.Op
			case f.Kind == LockOrder:
				verb = "then takes"
			}
			text := verb + " " + s.Lock
			if s.Owner != "" {
				text += ", held by " + s.Owner
			}
			line(s.At, text)
		}
		if s.Now != "" && s.Now != s.State {
			at := Pos{}
			if s.NowAt != nil {
				at = *s.NowAt
			}
			line(at, "now "+s.Now)
		}
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
