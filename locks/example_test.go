package locks_test

import (
	"fmt"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
)

// Two transfers that lock their accounts in argument order never hang when
// run one after the other, yet the lock-order graph sees that run
// concurrently they could: a before b in one, b before a in the other.
func ExampleMutex_lockOrder() {
	d := detector.New()
	a := locks.NewMutex("account a", locks.WithDetector(d))
	b := locks.NewMutex("account b", locks.WithDetector(d))

	transfer := func(from, to *locks.Mutex) {
		from.Lock()
		to.Lock()
		to.Unlock()
		from.Unlock()
	}
	transfer(a, b)
	transfer(b, a)

	for _, f := range d.Findings() {
		fmt.Println(f.Kind, "-", f.Message)
	}
	// Output:
	// lock-order - locks taken in inconsistent order: account a -> account b -> account a
}

// Taking every lock in one global order (here, by rank) means no cycle of
// waits can form: the circular-wait condition is broken.
func ExampleLockRanked() {
	d := detector.New()
	a := locks.NewMutex("account 1", locks.WithDetector(d))
	b := locks.NewMutex("account 2", locks.WithDetector(d))

	transfer := func(from, to locks.Ranked) {
		unlock := locks.LockRanked(from, to)
		defer unlock()
	}
	transfer(locks.Ranked{Rank: 1, L: a}, locks.Ranked{Rank: 2, L: b})
	transfer(locks.Ranked{Rank: 2, L: b}, locks.Ranked{Rank: 1, L: a})

	fmt.Println(len(d.Findings()), "findings")
	// Output:
	// 0 findings
}
