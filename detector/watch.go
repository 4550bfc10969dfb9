package detector

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The watch: with a wait timeout, a timer looks at the waits a few times
// a second while there are any (it is not rearmed when there are none, so
// an idle Detector has no timer and no goroutine). A wait that has lasted
// the exit delay is checked for an owner that has exited; a wait that has
// lasted the timeout is reported with what its holders are doing now.
// Both read every goroutine's stack once per look, and only when some
// wait has just crossed a line.

// DefaultWaitTimeout is the wait timeout of the process default detector
// of package locks and of package locktest: long enough that contention in
// a loaded test run under -race does not reach it, short enough to explain
// a hang long before go test's 10-minute timeout, and 15 times shorter
// than go-deadlock's 30 s. The lab's stall limit is the same 2 s.
const DefaultWaitTimeout = 2 * time.Second

func (d *Detector) tick() time.Duration {
	return max(min(d.exitDelay, d.waitTimeout)/2, time.Millisecond)
}

// watch looks at the waits once, and rearms itself while there are any.
func (d *Detector) watch() {
	now := time.Now()
	type job struct {
		r        *waitRecord
		exit     bool // look for an exited owner
		timeout  bool // report the wait timeout
		blockers []int64
		unknown  bool
	}
	var jobs []job
	d.wmu.Lock()
	if len(d.waits) == 0 || d.Aborted() {
		d.armed = false
		d.wmu.Unlock()
		return
	}
	for _, r := range d.waits {
		if r.unwound {
			continue
		}
		age := now.Sub(r.since)
		j := job{r: r}
		if !r.exitChecked && age >= d.exitDelay && r.lock.kind.lockLike() {
			r.exitChecked, j.exit = true, true
		}
		if !r.timedOut && age >= d.waitTimeout && r.lock.kind != KindCond {
			r.timedOut, j.timeout = true, true
		}
		if j.exit || j.timeout {
			j.blockers, j.unknown = r.blockers()
			jobs = append(jobs, j)
		}
	}
	time.AfterFunc(d.tick(), d.watch)
	d.wmu.Unlock()
	if len(jobs) == 0 {
		return
	}
	nm := d.namer()
	gs := nm.stacks()
	for _, j := range jobs {
		if j.exit {
			for _, b := range j.blockers {
				if !gs.has(b) && !gs.descendantsAlive(b) {
					d.exited(nm, j.r.lock, b, j.r)
				}
			}
		}
		if j.timeout {
			d.report(d.timeoutFinding(nm, j.r, j.blockers, j.unknown, now, false))
		}
	}
}

// exited reports that owner, which has exited, still holds l; waiter, if
// not nil, waits for it.
func (d *Detector) exited(nm *namer, l *Lock, owner int64, waiter *waitRecord) {
	if !d.once(fmt.Sprintf("exited:%d:%d", l.id, owner)) {
		return
	}
	d.report(d.exitedFinding(nm, l, owner, waiter))
}

func (d *Detector) exitedFinding(nm *namer, l *Lock, owner int64, waiter *waitRecord) Finding {
	who := nm.name(owner)
	taken := l.siteOf(owner)
	msg := fmt.Sprintf("%s is still held by %s, which has exited", l.Name(), who)
	if taken != nil {
		msg = fmt.Sprintf("%s is still held by %s, which took it at %s and has exited", l.Name(), who, taken)
	}
	steps := []Step{{Worker: who, Holds: []string{l.Name()}, Taken: taken, State: "exited", Now: "exited"}}
	if waiter != nil {
		w := nm.name(waiter.gid)
		msg += "; " + w + " waits for it"
		steps = append(steps, Step{Worker: w, Lock: l.Name(), Owner: who, At: waiter.at(), State: "blocked"})
	}
	return Finding{Kind: ExitedOwner, Message: msg, Steps: steps}
}

// timeoutFinding describes a wait that has lasted the timeout: the waiter
// and what it holds; each holder, where it took the lock, and what it is
// doing now.
// With ended set it describes a wait still going on when a test ended.
func (d *Detector) timeoutFinding(nm *namer, r *waitRecord, blockers []int64, unknown bool, now time.Time, ended bool) Finding {
	gs := nm.stacks()
	l := r.lock
	waiter := nm.name(r.gid)
	ws := Step{Worker: waiter, Lock: l.Name(), At: r.at(), State: "blocked"}
	if hs := d.heldBy(r.gid); len(hs) > 0 {
		ws.Holds = hs
		if len(hs) == 1 {
			ws.Taken = d.siteOfName(r.gid, hs[0])
		}
	}
	var owners []string
	steps := []Step{ws}
	for _, b := range blockers {
		name := nm.name(b)
		owners = append(owners, name)
		st := Step{Worker: name, Holds: []string{l.Name()}, Taken: l.siteOf(b)}
		if l.kind == KindWaitGroup {
			st.Holds, st.Taken, st.Op = nil, nil, "owes a Done to"
			st.Lock = l.Name()
		}
		st.Now, st.NowAt = d.doing(b, gs)
		if !gs.has(b) {
			st.State = "exited"
		}
		steps = append(steps, st)
	}
	steps[0].Owner = strings.Join(owners, ", ")
	waited := now.Sub(r.since).Round(time.Millisecond)
	lead, waiting, kind := fmt.Sprintf("%s has waited %v", waiter, waited), "for", WaitTimeout
	if ended {
		lead, waiting, kind = fmt.Sprintf("%s is still blocked after %v,", waiter, waited), "waiting for", Blocked
	}
	var msg string
	switch {
	case l.kind == KindWaitGroup:
		owed := 0
		if l.count != nil {
			owed = l.count()
		}
		msg = fmt.Sprintf("%s in Wait on %s, which still waits for %d Done call(s)", lead, l.Name(), owed)
		switch {
		case len(owners) == 0:
			msg += " from goroutines locklab does not know (start them with WaitGroup.Go to have them named)"
		case unknown:
			msg += "; known to owe one: " + strings.Join(owners, ", ")
		default:
			msg += " from " + strings.Join(owners, ", ")
		}
	case len(owners) == 0:
		msg = fmt.Sprintf("%s %s %s, which no one holds now", lead, waiting, l.Name())
	default:
		msg = fmt.Sprintf("%s %s %s, held by %s", lead, waiting, l.Name(), strings.Join(owners, ", "))
		if len(blockers) == 1 {
			if now, at := d.doing(blockers[0], gs); now != "" {
				msg += ", which is now " + now
				if at != nil {
					msg += " at " + at.String()
				}
			}
		}
	}
	return Finding{Kind: kind, Message: msg, Steps: steps}
}

// doing says what goroutine g is doing: blocked on an instrumented
// primitive (which, and where), or what its stack says.
func (d *Detector) doing(g int64, gs *stacks) (string, *Pos) {
	d.wmu.Lock()
	r := d.waits[g]
	d.wmu.Unlock()
	if r != nil {
		at := r.at()
		what := "waiting for " + r.lock.Name()
		switch r.lock.kind {
		case KindCond:
			what = "in Cond.Wait on " + r.lock.Name()
		case KindWaitGroup:
			what = "in WaitGroup.Wait on " + r.lock.Name()
		case KindOnce:
			what = "in Do of " + r.lock.Name()
		}
		return what, ptr(at)
	}
	gi := gs.get(g)
	if gi == nil {
		return "exited", nil
	}
	return gi.doing()
}

// heldBy returns the names of the locks gid holds, as far as the locks
// say (read holds marked).
func (d *Detector) heldBy(gid int64) []string {
	var out []string
	for _, l := range d.reg.all() {
		if !l.kind.lockLike() && l.kind != KindOnce {
			continue
		}
		switch {
		case l.Owner() == gid:
			out = append(out, l.Name())
		case l.holds != nil && l.holds.holds(gid):
			if l.kind == KindRWMutex {
				out = append(out, l.Name()+" (read)")
			} else {
				out = append(out, l.Name())
			}
		}
	}
	return out
}

func (d *Detector) siteOfName(gid int64, name string) *Pos {
	name = strings.TrimSuffix(name, " (read)")
	for _, l := range d.reg.all() {
		if l.Name() == name {
			if p := l.siteOf(gid); p != nil {
				return p
			}
		}
	}
	return nil
}

// Audit reports what is wrong at the end of a test, without changing the
// Detector: every lock still held by a goroutine that has exited (or is
// listed in finished, such as the test's own goroutine, whose function has
// returned), with where it was taken (kind ExitedOwner); and every
// goroutine still blocked on an instrumented primitive, with what it waits
// for and what the holders are doing (kind Blocked). A lock held by an
// exited goroutine that started goroutines still running is left out: it
// may have been handed to them. Audit stops the world once, to read every
// goroutine's stack.
func (d *Detector) Audit(finished ...int64) []Finding {
	nm := d.namer()
	gs := nm.stacks()
	gone := func(g int64) bool {
		if slices.Contains(finished, g) {
			return true
		}
		return !gs.has(g) && !gs.descendantsAlive(g)
	}
	var out []Finding
	for _, l := range d.reg.all() {
		if !l.kind.lockLike() {
			continue
		}
		for _, h := range l.holders() {
			if gone(h) {
				f := d.exitedFinding(nm, l, h, nil)
				if slices.Contains(finished, h) {
					f.Message = strings.Replace(f.Message, "which has exited", "whose test has returned", 1)
					f.Message = strings.Replace(f.Message, "and has exited", "and whose test has returned", 1)
					f.Steps[0].State, f.Steps[0].Now = "returned", ""
				}
				out = append(out, f)
			}
		}
	}
	d.wmu.Lock()
	var recs []*waitRecord
	for _, r := range d.waits {
		if !r.unwound {
			recs = append(recs, r)
		}
	}
	d.wmu.Unlock()
	slices.SortFunc(recs, func(a, b *waitRecord) int { return a.since.Compare(b.since) })
	now := time.Now()
	for _, r := range recs {
		bs, unknown := r.blockers()
		out = append(out, d.timeoutFinding(nm, r, bs, unknown, now, true))
	}
	return out
}
