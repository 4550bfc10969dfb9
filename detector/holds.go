package detector

import (
	"slices"
	"sync"
	"sync/atomic"
)

// holdTable records the shared holders of a lock (the readers of an
// RWMutex, the holders of a Semaphore) without a lock on the common path:
// each word packs a goroutine id and its hold count, and a holder claims a
// free word with one compare-and-swap. Holders that do not fit go to a
// map under a mutex.
//
// The table is what makes cross-goroutine RUnlock harmless (a release by
// a goroutine that holds nothing drops one hold of the first holder in the
// table), recursive read locking visible (a goroutine finds its own word)
// and exited readers detectable (the table names them).
type holdTable struct {
	word [holdWords]atomic.Uint64 // gid<<holdBits | count; 0 when free
	site [holdWords]Site          // where the word's holder first took the lock

	over  atomic.Int32 // holders in extra; checked before taking mu
	mu    sync.Mutex   // protects extra
	extra map[int64]*extraHold
}

type extraHold struct {
	n    int
	site Site
}

const (
	holdWords = 8
	holdBits  = 16
	holdMax   = 1<<holdBits - 1
)

func holdGID(w uint64) int64 { return int64(w >> holdBits) }

// acquire records one more hold by gid. It returns whether gid already
// held (a recursive hold) and, if so, where it first took the lock.
func (t *holdTable) acquire(gid int64, pcs *[siteDepth]uintptr) (again bool, first *Site) {
	for i := range t.word {
		for {
			w := t.word[i].Load()
			if holdGID(w) != gid || w == 0 {
				break
			}
			if w&holdMax == holdMax {
				return true, &t.site[i] // saturated: the count stops
			}
			if t.word[i].CompareAndSwap(w, w+1) {
				return true, &t.site[i]
			}
		}
	}
	if t.over.Load() != 0 {
		t.mu.Lock()
		if h := t.extra[gid]; h != nil {
			h.n++
			t.mu.Unlock()
			return true, &h.site
		}
		t.mu.Unlock()
	}
	for i := range t.word {
		if t.word[i].Load() == 0 && t.word[i].CompareAndSwap(0, uint64(gid)<<holdBits|1) {
			t.site[i].store(pcs)
			return false, nil
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.extra == nil {
		t.extra = map[int64]*extraHold{}
	}
	h := t.extra[gid]
	if h == nil {
		h = &extraHold{}
		t.extra[gid] = h
		t.over.Add(1)
		h.site.store(pcs)
	}
	h.n++
	return h.n > 1, &h.site
}

// release drops one hold of gid. If gid holds nothing (a release by
// another goroutine than the holder, which sync allows), it drops one hold
// of the first holder instead: the first word in use, else the extra
// holder with the lowest id. It returns whose hold was dropped, or 0 if
// the table is empty.
func (t *holdTable) release(gid int64) int64 {
	if t.drop(func(g int64) bool { return g == gid }) {
		return gid
	}
	var dropped int64
	t.drop(func(g int64) bool {
		dropped = g
		return true
	})
	return dropped
}

// drop releases one hold of the first holder that match accepts.
func (t *holdTable) drop(match func(int64) bool) bool {
	for i := range t.word {
		for {
			w := t.word[i].Load()
			if w == 0 || !match(holdGID(w)) {
				break
			}
			next := w - 1
			if next&holdMax == 0 {
				next = 0
			}
			if t.word[i].CompareAndSwap(w, next) {
				return true
			}
		}
	}
	if t.over.Load() == 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := make([]int64, 0, len(t.extra))
	for g := range t.extra {
		ids = append(ids, g)
	}
	slices.Sort(ids)
	for _, g := range ids {
		if !match(g) {
			continue
		}
		h := t.extra[g]
		if h.n--; h.n <= 0 {
			delete(t.extra, g)
			t.over.Add(-1)
		}
		return true
	}
	return false
}

// holds reports whether gid holds at least once.
func (t *holdTable) holds(gid int64) bool {
	for i := range t.word {
		if w := t.word[i].Load(); w != 0 && holdGID(w) == gid {
			return true
		}
	}
	if t.over.Load() == 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.extra[gid] != nil
}

// each calls fn for every holder, in table order, then the extra ones by id.
func (t *holdTable) each(fn func(gid int64, site *Site)) {
	for i := range t.word {
		if w := t.word[i].Load(); w != 0 {
			fn(holdGID(w), &t.site[i])
		}
	}
	if t.over.Load() == 0 {
		return
	}
	t.mu.Lock()
	ids := make([]int64, 0, len(t.extra))
	sites := map[int64]*Site{}
	for g, h := range t.extra {
		ids = append(ids, g)
		sites[g] = &h.site
	}
	t.mu.Unlock()
	slices.Sort(ids)
	for _, g := range ids {
		fn(g, sites[g])
	}
}

// siteOf returns where gid first took its hold, if it holds.
func (t *holdTable) siteOf(gid int64) *Site {
	var out *Site
	t.each(func(g int64, s *Site) {
		if g == gid && out == nil {
			out = s
		}
	})
	return out
}
