package explore

import (
	"errors"
	"fmt"
	"slices"

	"github.com/locklab/locklab/labs"
)

// Choice is an enabled worker and the operation it would do next.
type Choice struct {
	Worker int    `json:"worker"`
	Name   string `json:"name"`
	Op     string `json:"op"`
	Target string `json:"target,omitempty"`
}

// WorkerState is one worker's state in a Session.
type WorkerState struct {
	Worker  int      `json:"worker"`
	Name    string   `json:"name"`
	Holds   []string `json:"holds,omitempty"`
	Next    string   `json:"next,omitempty"`    // the operation it is about to do
	Target  string   `json:"target,omitempty"`  // of that operation
	Waiting string   `json:"waiting,omitempty"` // what it is blocked on; empty if enabled
	Doing   string   `json:"doing,omitempty"`   // what it set out to do, in words
	Done    bool     `json:"done"`
}

// LockState is one lock of a Session: who holds it and who waits for it.
type LockState struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"` // "mutex", "rwmutex", "semaphore"
	Holders []string `json:"holders,omitempty"`
	Waiters []string `json:"waiters,omitempty"`
}

// Session is a schedule driven one step at a time, by a person choosing
// which worker moves (step mode). Its workers' goroutines live until
// Close. A Session is not safe for concurrent use.
type Session struct {
	s        *labs.Scenario
	v        *labs.Variant
	cfg      labs.Config
	maxSteps int
	rt       *Runtime
	eligible []int
	chosen   []int // the worker moved at each step
}

// NewSession starts variant v of scenario s with cfg (zero fields: the
// scenario's defaults) and stops before the first step.
func NewSession(s *labs.Scenario, v *labs.Variant, cfg labs.Config) (*Session, error) {
	cfg = tokenConfig(cfg.WithDefaults(s.Defaults))
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ss := &Session{s: s, v: v, cfg: cfg, maxSteps: 10000}
	if err := ss.restart(nil); err != nil {
		return nil, err
	}
	return ss, nil
}

// restart starts the schedule afresh and replays the given steps.
func (s *Session) restart(steps []int) error {
	if s.rt != nil {
		s.rt.abort()
	}
	rt, err := newRuntime(s.v, s.cfg, s.maxSteps, true)
	if err != nil {
		return err
	}
	s.rt, s.chosen = rt, nil
	s.advance()
	for _, w := range steps {
		if err := s.Step(w); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) advance() {
	s.eligible = s.rt.eligible(nil)
	s.rt.checkEnd(s.eligible)
}

// Choices returns the workers that can move and their next operations,
// in worker order; empty once the schedule has ended.
func (s *Session) Choices() []Choice {
	if s.rt == nil || s.rt.ended {
		return nil
	}
	cs := make([]Choice, len(s.eligible))
	for i, id := range s.eligible {
		w := s.rt.workers[id]
		cs[i] = Choice{Worker: id, Name: w.name, Op: w.op.String(), Target: w.target()}
	}
	return cs
}

func (w *worker) target() string {
	if w.obj == nil {
		return ""
	}
	return w.obj.name
}

// Step runs the given worker to its next scheduling point. It is an error
// to move a worker that cannot move, or to step after the end.
func (s *Session) Step(worker int) error {
	switch {
	case s.rt == nil:
		return errors.New("explore: session closed")
	case s.rt.ended:
		return errors.New("explore: the schedule has ended")
	case !slices.Contains(s.eligible, worker):
		return fmt.Errorf("explore: worker %d cannot move now; choose one of %v", worker, s.eligible)
	}
	s.rt.do(s.rt.workers[worker], s.eligible)
	s.chosen = append(s.chosen, worker)
	s.advance()
	return nil
}

// Undo takes back the last step by replaying the schedule without it.
func (s *Session) Undo() error {
	if s.rt == nil {
		return errors.New("explore: session closed")
	}
	if len(s.chosen) == 0 {
		return errors.New("explore: nothing to undo")
	}
	return s.restart(slices.Clone(s.chosen[:len(s.chosen)-1]))
}

// Trace returns the steps so far.
func (s *Session) Trace() []Event {
	if s.rt == nil {
		return nil
	}
	return slices.Clone(s.rt.events)
}

// State returns every worker's state.
func (s *Session) State() []WorkerState {
	if s.rt == nil {
		return nil
	}
	var ws []WorkerState
	for _, w := range s.rt.workers {
		st := WorkerState{Worker: w.id, Name: w.name, Holds: w.holdNames(), Done: w.exited, Doing: w.doing}
		if !w.exited {
			st.Next, st.Target = w.op.String(), w.target()
			if !s.rt.enabled(w) {
				st.Waiting = w.target()
			}
		}
		ws = append(ws, st)
	}
	return ws
}

// Locks returns every lock's state: who holds it (a writer, or readers
// and a semaphore's holders) and who waits for it, in the order the locks
// were made.
func (s *Session) Locks() []LockState {
	if s.rt == nil {
		return nil
	}
	var out []LockState
	kinds := map[objKind]string{kMutex: "mutex", kRWMutex: "rwmutex", kSemaphore: "semaphore"}
	for _, o := range s.rt.objects {
		k, ok := kinds[o.kind]
		if !ok {
			continue
		}
		ls := LockState{Name: o.name, Kind: k}
		for _, w := range o.owners() {
			ls.Holders = append(ls.Holders, w.name)
		}
		for _, w := range s.rt.workers {
			if !w.exited && w.obj == o && !s.rt.enabled(w) {
				ls.Waiters = append(ls.Waiters, w.name)
			}
		}
		out = append(out, ls)
	}
	return out
}

// Outcome returns the schedule's end, and true, once it has ended: a bug
// showed (deadlock, broken invariant, livelock, panic) or every worker
// finished (Outcome run.OK).
func (s *Session) Outcome() (*Failure, bool) {
	if s.rt == nil || !s.rt.ended {
		return nil, false
	}
	return s.rt.failure(s.token()), true
}

// Token returns the replay token of the steps taken so far. Replayed
// before the schedule has ended, the token's schedule goes on from there
// by default choices (keep running the last worker).
func (s *Session) Token() string {
	if s.rt == nil {
		return ""
	}
	return s.token().Encode()
}

func (s *Session) token() *Token {
	return &Token{Scenario: s.s.Name, Variant: s.v.Name, Config: s.cfg, MaxSteps: s.maxSteps, devs: slices.Clone(s.rt.devs)}
}

// Close ends the session's goroutines. The Session is unusable afterwards.
func (s *Session) Close() {
	if s.rt != nil {
		s.rt.abort()
		s.rt = nil
	}
}
