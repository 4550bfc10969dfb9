package locks

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"
)

// Ranked is a lock with its place in a global order.
type Ranked struct {
	Rank int
	L    sync.Locker
}

// LockRanked locks every lock in ascending rank (ties keep argument
// order) and returns a function that unlocks them in reverse. Acquiring a
// set of locks in one global order everywhere breaks the circular-wait
// condition: no cycle of waits can form.
func LockRanked(ls ...Ranked) (unlock func()) {
	sorted := slices.Clone(ls)
	slices.SortStableFunc(sorted, func(a, b Ranked) int { return cmp.Compare(a.Rank, b.Rank) })
	for _, r := range sorted {
		r.L.Lock()
	}
	return func() {
		for i := len(sorted) - 1; i >= 0; i-- {
			sorted[i].L.Unlock()
		}
	}
}

// TryLocker is a lock that can be tried without blocking; *Mutex and
// *sync.Mutex are TryLockers.
type TryLocker interface {
	sync.Locker
	TryLock() bool
}

// TryAll locks every lock in ls, all or none per attempt: it tries each in
// turn and, at the first that is taken, releases the ones it got, calls
// backoff with the number of failed attempts so far, and starts over. It
// returns a function that unlocks them all. Never holding one lock while
// waiting for another breaks the hold-and-wait condition; the backoff keeps
// two goroutines from repeating each other's steps forever (livelock).
func TryAll(backoff func(attempt int), ls ...TryLocker) (unlock func()) {
	for attempt := 1; ; attempt++ {
		got := 0
		for _, l := range ls {
			if !l.TryLock() {
				break
			}
			got++
		}
		if got == len(ls) {
			return func() {
				for i := len(ls) - 1; i >= 0; i-- {
					ls[i].Unlock()
				}
			}
		}
		for i := got - 1; i >= 0; i-- {
			ls[i].Unlock()
		}
		backoff(attempt)
	}
}

// RandomBackoff returns a backoff for TryAll that calls pause a random
// number of times between 1 and 2^min(attempt, maxExp): randomized
// exponential backoff. pause is one unit of waiting, such as a yield or a
// short sleep.
func RandomBackoff(r *rand.Rand, maxExp int, pause func()) func(attempt int) {
	return func(attempt int) {
		n := 1 + r.IntN(1<<min(attempt, maxExp))
		for range n {
			pause()
		}
	}
}
