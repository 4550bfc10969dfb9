package locks_test

// This file is written as an engineer's code is after the two-line
// adoption: sync is this package, under sync's name.

import (
	"testing"

	sync "github.com/locklab/locklab/locks"
)

type registry struct {
	mu    sync.RWMutex
	ready *sync.Cond
	once  sync.Once
	wg    sync.WaitGroup
	cache sync.Map
	pool  sync.Pool
	names map[string]int
}

func TestImportAsSync(t *testing.T) {
	r := &registry{names: map[string]int{}}
	var l sync.Locker = r.mu.RLocker()
	r.ready = sync.NewCond(&sync.Mutex{})
	r.once.Do(func() { r.pool.New = func() any { return new(int) } })
	for i := range 4 {
		r.wg.Go(func() {
			r.mu.Lock()
			r.names[string(rune('a'+i))] = i
			r.mu.Unlock()
			r.cache.Store(i, i)
		})
	}
	r.wg.Wait()
	l.Lock()
	n := len(r.names)
	l.Unlock()
	get := sync.OnceValue(func() int { return n })
	if get() != 4 || r.pool.Get() == nil {
		t.Fatalf("names %d", get())
	}
	sync.OnceFunc(func() {})()
	if a, b := sync.OnceValues(func() (int, error) { return 1, nil })(); a != 1 || b != nil {
		t.Fatal("OnceValues")
	}
}
