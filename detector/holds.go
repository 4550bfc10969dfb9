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
// a goroutine that holds nothing drops one hold of the oldest holder in the
// table), recursive read locking visible (a goroutine finds its own word)
// and exited readers detectable (the table names them).
type holdTable struct {
	e [holdWords]holdEntry

	over  atomic.Int32 // holders in extra; checked before taking mu
	mu    sync.Mutex   // protects extra
	extra map[int64]*extraHold
}

// holdEntry is one word and the site of its first hold, alone on a cache
// line so that readers on different processors do not share one.
type holdEntry struct {
	word atomic.Uint64 // gid<<holdBits | count; 0 when free
	site Site          // where the word's holder first took the lock
	_    [64 - 8 - siteDepth*8]byte
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

// home is the entry a goroutine tries first, so that readers on different
// processors usually touch different cache lines.
func home(gid int64) int { return int(uint64(gid) * 0x9e3779b97f4a7c15 >> 61) }

// add records one more hold by gid without looking for an earlier one: a
// recursive hold takes a word of its own. The caller knows from the
// goroutine's own record whether the hold is recursive; this keeps the
// read path off the other readers' cache lines.
func (t *holdTable) add(gid int64, pcs *[siteDepth]uintptr) {
	h := home(gid)
	for i := range holdWords {
		e := &t.e[(h+i)%holdWords]
		if e.word.Load() == 0 && e.word.CompareAndSwap(0, uint64(gid)<<holdBits|1) {
			e.site.store(pcs)
			return
		}
	}
	t.addExtra(gid, pcs)
}

func (t *holdTable) addExtra(gid int64, pcs *[siteDepth]uintptr) *extraHold {
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
	return h
}

// acquire records one more hold by gid, looking for an earlier one first.
// It returns whether gid already held (a recursive hold) and, if so,
// where it first took the lock.
func (t *holdTable) acquire(gid int64, pcs *[siteDepth]uintptr) (again bool, first *Site) {
	for i := range t.e {
		e := &t.e[i]
		for {
			w := e.word.Load()
			if holdGID(w) != gid || w == 0 {
				break
			}
			if w&holdMax == holdMax {
				return true, &e.site // saturated: the count stops
			}
			if e.word.CompareAndSwap(w, w+1) {
				return true, &e.site
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
	h := home(gid)
	for i := range holdWords {
		e := &t.e[(h+i)%holdWords]
		if e.word.Load() == 0 && e.word.CompareAndSwap(0, uint64(gid)<<holdBits|1) {
			e.site.store(pcs)
			return false, nil
		}
	}
	x := t.addExtra(gid, pcs)
	return x.n > 1, &x.site
}

// release drops one hold of gid. If gid holds nothing (a release by
// another goroutine than the holder, which sync allows), it drops one hold
// of the holder with the lowest goroutine id instead: the oldest
// goroutine, since ids grow, and the same choice whatever the timing. It
// returns whose hold was dropped, or 0 if the table is empty.
func (t *holdTable) release(gid int64) int64 {
	if t.dropOwn(gid) || t.drop(func(g int64) bool { return g == gid }) {
		return gid
	}
	for range 8 { // retried if the chosen holder releases meanwhile
		oldest := int64(0)
		t.each(func(g int64, _ *Site) {
			if oldest == 0 || g < oldest {
				oldest = g
			}
		})
		if oldest == 0 {
			return 0
		}
		if t.dropOwn(oldest) || t.drop(func(g int64) bool { return g == oldest }) {
			return oldest
		}
	}
	return 0
}

// dropOwn releases one hold of gid, looking from its home entry.
func (t *holdTable) dropOwn(gid int64) bool {
	h := home(gid)
	for i := range holdWords {
		e := &t.e[(h+i)%holdWords]
		for {
			w := e.word.Load()
			if w == 0 || holdGID(w) != gid {
				break
			}
			if w&holdMax == 1 && plainRelease {
				// The word's only hold, released by its holder: no one
				// else writes a word its holder still uses (a release
				// by another goroutine only takes holds the program no
				// longer releases itself), so the store needs no lock.
				zeroWord(&e.word)
				return true
			}
			next := w - 1
			if next&holdMax == 0 {
				next = 0
			}
			if e.word.CompareAndSwap(w, next) {
				return true
			}
		}
	}
	return false
}

// drop releases one hold of the first holder that match accepts.
func (t *holdTable) drop(match func(int64) bool) bool {
	for i := range t.e {
		e := &t.e[i]
		for {
			w := e.word.Load()
			if w == 0 || !match(holdGID(w)) {
				break
			}
			next := w - 1
			if next&holdMax == 0 {
				next = 0
			}
			if e.word.CompareAndSwap(w, next) {
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
	for i := range t.e {
		if w := t.e[i].word.Load(); w != 0 && holdGID(w) == gid {
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

// each calls fn for every word in use, in table order (a goroutine with
// two words is listed twice), then for the extra holders by id.
func (t *holdTable) each(fn func(gid int64, site *Site)) {
	for i := range t.e {
		if w := t.e[i].word.Load(); w != 0 {
			fn(holdGID(w), &t.e[i].site)
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
