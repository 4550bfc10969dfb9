package detector

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// The lock-order graph has a node per lock and an edge H -> L for "L was
// acquired while H was held". A cycle is a potential deadlock, reported
// once, even if the run never hung: it is how Linux lockdep works, and
// unlike github.com/sasha-s/go-deadlock (which compares pairs) it finds
// cycles of any length.
//
// Each edge also remembers its guard: the other locks held whenever the
// edge was taken (the intersection over every distinct guard set seen). A
// cycle whose edges share a guard that admits fewer holders than the cycle
// is long cannot close: two goroutines cannot both be inside a Mutex, and a
// waiter admitting n-1 philosophers cannot seat all n. Such a cycle is
// reported as gated, not as a potential deadlock.

// edge is one known "held from, then acquired to" fact. Edges live in the
// from lock's successor list, which is copied on write so the fast path
// reads it without locking.
type edge struct {
	to     *Lock
	sig    uint64 // signature of the guard set this occurrence had
	worker string // who first took the edge
	at     Pos    // where to was acquired while holding from
	taken  *Pos   // where from was taken, when known
	guard  *guardSet
}

type guardSet struct {
	locks []*Lock // intersection of guards over every occurrence; d.omu
}

// held is one entry of a goroutine's stack of held locks.
type held struct {
	lock *Lock
	mode Mode
}

const maxHeld = 16

// slot is the record of one goroutine that holds at least one lock. Only
// that goroutine reads or writes n and stack while it owns the slot (gid
// set), so the fast path takes no lock.
type slot struct {
	gid   atomic.Int64
	n     int
	stack [maxHeld]held
	// away counts the goroutines whose home this slot is that hold a slot
	// further along the probe: while it is zero, a goroutine whose home
	// this is has its slot here or none, and finds out with one load.
	away atomic.Int32
	home *slot // the home of the goroutine holding this slot, if not this one
}

func (s *slot) push(h held) {
	if s.n < maxHeld {
		s.stack[s.n] = h
	}
	s.n++
}

// purge drops holds that another goroutine has since released: a Mutex
// may be unlocked, and an RWMutex read-unlocked, by a goroutine other than
// its locker. Until the first such release (d.foreign), there is nothing
// to drop.
func (s *slot) purge(d *Detector, gid int64) {
	if d.foreign.Load() == 0 {
		return
	}
	for i := min(s.n, maxHeld) - 1; i >= 0; i-- {
		h := s.stack[i]
		switch {
		case h.lock.exclusive(h.mode):
			if h.lock.Owner() != gid {
				s.remove(h.lock)
			}
		case h.lock.kind == KindWaitGroup:
		case h.lock.holds != nil && h.lock.foreign.Load() != 0 && !h.lock.holds.holds(gid):
			s.remove(h.lock)
		}
	}
}

// holdsShared reports whether the goroutine's record has l held Shared.
func (s *slot) holdsShared(l *Lock) bool {
	for i := range min(s.n, maxHeld) {
		if h := s.stack[i]; h.lock == l && h.mode == Shared {
			return true
		}
	}
	return false
}

func (s *slot) remove(l *Lock) {
	top := min(s.n, maxHeld)
	for i := top - 1; i >= 0; i-- {
		if s.stack[i].lock == l {
			copy(s.stack[i:top], s.stack[i+1:top])
			s.n--
			return
		}
	}
	if s.n > maxHeld {
		s.n-- // it was one of the untracked deep holds
	}
}

const (
	slotCount = 1024
	slotProbe = 8
)

// slotTable maps goroutine ids to slots by open addressing with a bounded
// probe. A goroutine claims a slot when it first holds a lock and gives it
// back when it holds none. Its home slot, where its id hashes, is almost
// always the one: only when the home is taken does it probe further, and
// the home's away count says so.
type slotTable struct {
	slots [slotCount]slot

	// Outside race builds a goroutine keeps its slot when it comes to
	// hold nothing, so that its next first lock claims nothing: slots of
	// goroutines that have exited are reclaimed when a claim finds its
	// neighbourhood full, and while most slots belong to live goroutines
	// (crowded) slots are given back as soon as they are empty.
	crowded   atomic.Bool
	reclaimed atomic.Int64 // UnixNano of the last reclaim
}

func homeSlot(gid int64) uint64 { return uint64(gid) * 0x9e3779b97f4a7c15 >> 54 }

func (t *slotTable) find(gid int64) *slot {
	h := homeSlot(gid)
	home := &t.slots[h]
	if home.gid.Load() == gid {
		return home
	}
	if home.away.Load() == 0 {
		return nil
	}
	for i := uint64(1); i < slotProbe; i++ {
		if s := &t.slots[(h+i)%slotCount]; s.gid.Load() == gid {
			return s
		}
	}
	return nil
}

func (t *slotTable) claim(gid int64) *slot {
	h := homeSlot(gid)
	home := &t.slots[h]
	switch g := home.gid.Load(); {
	case g == gid:
		return home
	case home.away.Load() != 0:
		if s := t.find(gid); s != nil {
			return s
		}
	}
	if home.gid.Load() == 0 && home.gid.CompareAndSwap(0, gid) {
		home.n, home.home = 0, nil
		return home
	}
	for round := 0; round < 2; round++ {
		for i := uint64(1); i < slotProbe; i++ {
			s := &t.slots[(h+i)%slotCount]
			if s.gid.Load() == 0 && s.gid.CompareAndSwap(0, gid) {
				home.away.Add(1)
				s.n, s.home = 0, home
				return s
			}
		}
		if round == 0 && !t.reclaim() {
			break
		}
		if home.gid.Load() == 0 && home.gid.CompareAndSwap(0, gid) {
			home.n, home.home = 0, nil
			return home
		}
	}
	return nil
}

// done is called when the goroutine holding s comes to hold nothing: it
// gives s back, unless it may keep it.
func (t *slotTable) done(s *slot) {
	if stickySlots && !t.crowded.Load() {
		return
	}
	s.free()
}

func (s *slot) free() {
	if h := s.home; h != nil {
		s.home = nil
		h.away.Add(-1)
	}
	s.release()
}

// reclaim frees the slots of goroutines that have exited, at most every
// 10 ms, and reports whether it ran. It reads every slot's owner, then
// every goroutine's stack: an owner seen before the stacks were read and
// missing from them has exited, and never touches its slot again.
func (t *slotTable) reclaim() bool {
	if !stickySlots {
		return false
	}
	now := time.Now().UnixNano()
	last := t.reclaimed.Load()
	if now-last < int64(10*time.Millisecond) || !t.reclaimed.CompareAndSwap(last, now) {
		return false
	}
	var owners [slotCount]int64
	for i := range t.slots {
		owners[i] = t.slots[i].gid.Load()
	}
	gs := snapshot()
	live := 0
	for i, g := range owners {
		if g <= 0 {
			continue
		}
		if gs.has(g) {
			live++
			continue
		}
		if s := &t.slots[i]; s.gid.CompareAndSwap(g, -1) { // ours now
			s.n = 0
			s.free()
		}
	}
	t.crowded.Store(live > slotCount/2)
	return true
}

// order adds the edges "h -> l" for every lock h the goroutine holds. The
// common case, an edge already known under the same guard set, reads only
// the copy-on-write successor list.
func (d *Detector) order(s *slot, l *Lock, gid int64) {
	top := min(s.n, maxHeld)
	if top == 0 {
		return
	}
	var all uint64
	for i := 0; i < top; i++ {
		all ^= s.stack[i].lock.id * 0x9e3779b97f4a7c15
	}
	for i := 0; i < top; i++ {
		h := s.stack[i].lock
		if h == l {
			continue // re-entry: a read lock taken twice; the wait-for graph judges it
		}
		sig := all ^ h.id*0x9e3779b97f4a7c15
		if known(h, l, sig) {
			continue
		}
		d.addEdge(s, i, l, sig, gid)
	}
}

func known(h, l *Lock, sig uint64) bool {
	if p := h.succ.Load(); p != nil {
		for _, e := range *p {
			if e.to == l && e.sig == sig {
				return true
			}
		}
	}
	return false
}

// addEdge records a new occurrence of the edge stack[i] -> l and reports
// the first cycle that edge closes.
func (d *Detector) addEdge(s *slot, i int, l *Lock, sig uint64, gid int64) {
	h := s.stack[i].lock
	var guard []*Lock
	for j := 0; j < min(s.n, maxHeld); j++ {
		// A read-held RWMutex admits any number of readers: no gate.
		if g := s.stack[j]; j != i && g.lock.kind != KindWaitGroup && (g.mode == Exclusive || g.lock.kind == KindSemaphore) {
			guard = append(guard, g.lock)
		}
	}
	at, worker, taken := Caller(), d.selfName(gid), h.siteOf(gid)
	d.omu.Lock()
	defer d.omu.Unlock()
	if known(h, l, sig) {
		return
	}
	old := h.succ.Load()
	var edges []edge
	var shared *guardSet
	if old != nil {
		edges = slices.Clone(*old)
		for _, e := range edges {
			if e.to == l {
				shared = e.guard
				break
			}
		}
	}
	first := shared == nil
	if first {
		shared = &guardSet{locks: guard}
	} else {
		shared.locks = slices.DeleteFunc(shared.locks, func(g *Lock) bool { return !slices.Contains(guard, g) })
	}
	edges = append(edges, edge{to: l, sig: sig, worker: worker, at: at, taken: taken, guard: shared})
	h.succ.Store(&edges)
	if !first {
		return // the edge existed; only its guard shrank
	}
	if path := d.pathFrom(l, h); path != nil {
		d.reportOrder(append(path, orderEdge{from: h, e: edges[len(edges)-1]}))
	}
}

type orderEdge struct {
	from *Lock
	e    edge
}

// pathFrom finds a path of edges from a to b by depth-first search over
// the first occurrence of each edge. d.omu must be held.
func (d *Detector) pathFrom(a, b *Lock) []orderEdge {
	visited := map[*Lock]bool{}
	var path []orderEdge
	var dfs func(n *Lock) bool
	dfs = func(n *Lock) bool {
		if n == b {
			return true
		}
		visited[n] = true
		p := n.succ.Load()
		if p == nil {
			return false
		}
		for _, e := range firstEdges(*p) {
			if visited[e.to] {
				continue
			}
			path = append(path, orderEdge{from: n, e: e})
			if dfs(e.to) {
				return true
			}
			path = path[:len(path)-1]
		}
		return false
	}
	if dfs(a) {
		return path
	}
	return nil
}

// firstEdges returns one edge per target: the first occurrence.
func firstEdges(es []edge) []edge {
	var out []edge
	for _, e := range es {
		if !slices.ContainsFunc(out, func(o edge) bool { return o.to == e.to }) {
			out = append(out, e)
		}
	}
	return out
}

func (d *Detector) reportOrder(cycle []orderEdge) {
	names := make([]string, len(cycle))
	for i, c := range cycle {
		names[i] = c.from.Name()
	}
	key := "order:" + cycleKey(names)
	if d.seen[key] {
		return
	}
	d.seen[key] = true
	steps := make([]Step, len(cycle))
	for i, c := range cycle {
		steps[i] = Step{Worker: c.e.worker, Holds: []string{c.from.Name()}, Lock: c.e.to.Name(), At: c.e.at, Taken: c.e.taken}
		switch {
		case c.from.kind == KindWaitGroup:
			steps[i].Op = "owes it a Done, and takes"
			steps[i].Taken = nil
		case c.e.to.kind == KindWaitGroup:
			steps[i].Op = "then waits in Wait on"
		case c.e.to.kind == KindOnce:
			steps[i].Op = "then calls Do on"
		}
	}
	f := Finding{
		Kind:    LockOrder,
		Message: "locks taken in inconsistent order: " + cycleText(names),
		Steps:   steps,
	}
	if g := gate(cycle); g != "" {
		f.Gated = g
	}
	d.report(f)
}

// cycleText writes a cycle of lock names as "a -> b -> a"; a long one
// keeps its first and last few names and says how many there are (the
// steps keep every edge).
func cycleText(names []string) string {
	const keep = 4
	if len(names) <= 2*keep {
		return strings.Join(names, " -> ") + " -> " + names[0]
	}
	return fmt.Sprintf("%s -> ... -> %s -> %s (%d locks)", strings.Join(names[:keep], " -> "),
		strings.Join(names[len(names)-keep:], " -> "), names[0], len(names))
}

// gate returns why the cycle cannot close, or "".
func gate(cycle []orderEdge) string {
	common := slices.Clone(cycle[0].e.guard.locks)
	for _, c := range cycle[1:] {
		common = slices.DeleteFunc(common, func(g *Lock) bool { return !slices.Contains(c.e.guard.locks, g) })
	}
	for _, g := range common {
		if g.cap < len(cycle) {
			return fmt.Sprintf("every edge was taken inside %s, which admits %d at a time, fewer than the %d the cycle needs", g.Name(), g.cap, len(cycle))
		}
	}
	return ""
}

// cycleKey names a cycle independently of where it starts: the names
// joined from the rotation that sorts first. It compares rotations in
// place, name by name (the same order as comparing the joined strings,
// since no name holds the separator), so that a long cycle costs O(n)
// when its names are distinct, not O(n^2) string building.
func cycleKey(names []string) string {
	best := 0
	for i := 1; i < len(names); i++ {
		if lessRotation(names, i, best) {
			best = i
		}
	}
	return strings.Join(rotate(names, best), "\x00")
}

// lessRotation reports whether names rotated to start at i sorts before
// names rotated to start at j.
func lessRotation(names []string, i, j int) bool {
	n := len(names)
	for k := range n {
		if a, b := names[(i+k)%n], names[(j+k)%n]; a != b {
			return a < b
		}
	}
	return false
}

func rotate(s []string, i int) []string {
	return append(slices.Clone(s[i:]), s[:i]...)
}
