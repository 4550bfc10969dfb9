package sync

import (
	gosync "sync"

	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
)

// Cond is sync.Cond: L is held while the condition is checked or changed.
type Cond struct {
	L Locker

	mu      gosync.Mutex    // protects waiters
	waiters []chan struct{} // natively: one ticket per Wait, oldest first
}

// NewCond returns a new Cond with Locker l.
func NewCond(l Locker) *Cond { return &Cond{L: l} }

func (c *Cond) explored() labs.Cond {
	o := shim.Explored(c, "sync.Cond", func(rt labs.Runtime, name string) any { return rt.Cond(name, c.L) })
	if o == nil {
		return nil
	}
	return o.(labs.Cond)
}

// Wait unlocks c.L, suspends until woken by Signal or Broadcast, and
// locks c.L again before returning. As with sync.Cond, check the
// condition in a loop: a woken Wait does not know that it still holds.
func (c *Cond) Wait() {
	if e := c.explored(); e != nil {
		e.Wait()
		return
	}
	t := make(chan struct{})
	c.mu.Lock()
	c.waiters = append(c.waiters, t)
	c.mu.Unlock()
	c.L.Unlock()
	select {
	case <-t:
	case <-shim.Abort():
		shim.Aborted()
	}
	c.L.Lock()
}

// Signal wakes the longest-waiting goroutine, if there is one.
func (c *Cond) Signal() {
	if e := c.explored(); e != nil {
		e.Signal()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) > 0 {
		close(c.waiters[0])
		c.waiters = c.waiters[1:]
	}
}

// Broadcast wakes every waiting goroutine.
func (c *Cond) Broadcast() {
	if e := c.explored(); e != nil {
		e.Broadcast()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.waiters {
		close(t)
	}
	c.waiters = nil
}
