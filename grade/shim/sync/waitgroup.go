package sync

import (
	gosync "sync"

	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
)

// WaitGroup is sync.WaitGroup.
type WaitGroup struct {
	mu   gosync.Mutex // protects n and zero
	n    int
	zero chan struct{} // natively: closed when n drops to zero; nil while nobody waits
}

func (wg *WaitGroup) explored() labs.WaitGroup {
	o := shim.Explored(wg, "sync.WaitGroup", func(rt labs.Runtime, name string) any { return rt.WaitGroup(name) })
	if o == nil {
		return nil
	}
	return o.(labs.WaitGroup)
}

// Add adds delta, which may be negative, to the counter. A negative
// counter panics.
func (wg *WaitGroup) Add(delta int) {
	if e := wg.explored(); e != nil {
		e.Add(delta)
		return
	}
	wg.mu.Lock()
	defer wg.mu.Unlock()
	wg.n += delta
	if wg.n < 0 {
		panic("sync: negative WaitGroup counter")
	}
	if wg.n == 0 && wg.zero != nil {
		close(wg.zero)
		wg.zero = nil
	}
}

// Done decrements the counter by one.
func (wg *WaitGroup) Done() { wg.Add(-1) }

// Go calls f in a new goroutine and adds that task to the WaitGroup, as
// sync.WaitGroup.Go.
func (wg *WaitGroup) Go(f func()) {
	wg.Add(1)
	shim.Go(func() {
		defer wg.Done()
		f()
	}, -1)
}

// Wait blocks until the counter is zero.
func (wg *WaitGroup) Wait() {
	if e := wg.explored(); e != nil {
		e.Wait()
		return
	}
	wg.mu.Lock()
	if wg.n == 0 {
		wg.mu.Unlock()
		return
	}
	if wg.zero == nil {
		wg.zero = make(chan struct{})
	}
	z := wg.zero
	wg.mu.Unlock()
	select {
	case <-z:
	case <-shim.Abort():
		shim.Aborted()
	}
}
