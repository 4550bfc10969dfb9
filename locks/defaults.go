package locks

import (
	"sync"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
)

// defaults is the Detector that unbound locks report to, with a
// generation that changes each time it is set. A lock bound to a default
// Detector remembers the generation (in its node's Tag); when the default
// changes, the lock rebinds on its next operation. That is how package
// locktest gives every test a fresh Detector even for package-level locks.
type defaults struct {
	det *detector.Detector // nil: detection off
	gen uint64
}

var (
	// current is the default; nil until first use, when the process
	// default is made (see DefaultDetector).
	current atomic.Pointer[defaults]
	gens    atomic.Uint64
	// curTag is what the fast path compares a node's Tag with: the
	// current default's generation shifted left once, with offBit set
	// when detection is off; 0 before the first use.
	curTag atomic.Uint64

	processOnce sync.Once
	process     *defaults
)

// SetDefaultDetector makes d the Detector that unbound locks (zero values,
// and locks made without WithDetector) report to, and returns a function
// that restores the previous one. Locks already bound to the previous
// default rebind to d on their next operation; locks bound with
// WithDetector keep their Detector. A nil d turns detection off for every
// lock not bound with WithDetector: its fast path is then a plain
// compare-and-swap.
//
// Set it where no lock is in use by another goroutine, such as in TestMain
// or at the start of a test that does not run in parallel; package
// locktest does it for you. A lock held while the default changes keeps
// its owner (the lock knows it) but forgets where it was taken.
func SetDefaultDetector(d *detector.Detector) (restore func()) {
	st := &defaults{det: d, gen: gens.Add(1)}
	old := current.Swap(st)
	curTag.Store(st.tag())
	return func() {
		current.Store(old)
		curTag.Store(old.tag())
	}
}

const offBit = 1

// tag is the Tag of nodes bound to st, and the value of curTag while st
// is in force.
func (st *defaults) tag() uint64 {
	switch {
	case st == nil:
		return 0
	case st.det == nil:
		return st.gen<<1 | offBit
	}
	return st.gen << 1
}

// DefaultDetector returns the Detector that unbound locks report to now:
// the one set with SetDefaultDetector, or else the process default, made
// on first use with detector.NewDefault: both graphs, a deadlock unwinds
// only the goroutines in its cycle, a 2 s wait timeout, every finding on
// stderr. It returns nil when detection is off (SetDefaultDetector(nil),
// or LOCKLAB_DETECTOR=off in the environment).
func DefaultDetector() *detector.Detector {
	if st := current.Load(); st != nil {
		return st.det
	}
	return processDefaults().det
}

// processDefaults installs the process default, unless a default was set
// meanwhile, and returns the default in force.
func processDefaults() *defaults {
	processOnce.Do(func() {
		process = &defaults{gen: gens.Add(1)}
		if !detector.DefaultOff() {
			process.det = detector.NewDefault()
		}
	})
	if current.CompareAndSwap(nil, process) {
		curTag.Store(process.tag())
	}
	return current.Load()
}

// primitive is every lock type of this package: it makes its Detector
// node.
type primitive interface {
	newNode(d *detector.Detector, name string) *detector.Lock
}

// binding is a primitive's node, bound on first use to the default
// Detector and rebound when the default changes.
type binding struct {
	node  atomic.Pointer[detector.Lock]
	name  string // given at construction; "" for a zero value
	fixed bool   // bound with WithDetector, at construction
}

// get returns the primitive's node, or nil when detection is off for it.
func (b *binding) get(p primitive) *detector.Lock {
	if n := b.fast(); n != nil {
		return n
	}
	return b.slow(p)
}

// fast returns the node if it is bound for good or to the default in
// force: two loads, small enough to inline into every lock method, which
// call slow when it returns nil.
func (b *binding) fast() *detector.Lock {
	if n := b.node.Load(); n != nil && (b.fixed || n.Tag() == curTag.Load()) {
		return n
	}
	return nil
}

// slow is get's other cases: detection off, a first use, a new default.
func (b *binding) slow(p primitive) *detector.Lock {
	n := b.node.Load()
	if n == nil && curTag.Load()&offBit != 0 {
		return nil
	}
	return b.rebind(n, p)
}

// rebind binds the primitive to the default Detector in force, keeping
// its name.
func (b *binding) rebind(n *detector.Lock, p primitive) *detector.Lock {
	st := current.Load()
	if st == nil {
		st = processDefaults()
	}
	if st.det == nil {
		b.node.CompareAndSwap(n, nil)
		return nil
	}
	name := b.name
	if n != nil {
		name = n.Name()
	}
	nn := p.newNode(st.det, name)
	nn.SetTag(st.tag())
	if b.node.CompareAndSwap(n, nn) {
		return nn
	}
	return b.node.Load()
}

// bindTo binds the primitive for good: to the Detector of its options, or
// else to the default in force.
func (b *binding) bindTo(p primitive, opts []Option) {
	c := newConfig(opts)
	if c.det != nil {
		b.fixed = true
		b.node.Store(p.newNode(c.det, b.name))
		return
	}
	b.get(p)
}

// Option configures a lock made by NewMutex, NewRWMutex, NewSemaphore,
// NewCond, NewOnce or NewWaitGroup.
type Option interface{ apply(*config) }

type config struct {
	det *detector.Detector
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithDetector binds the lock to d for good, instead of the default
// Detector.
func WithDetector(d *detector.Detector) Option {
	return optionFunc(func(c *config) { c.det = d })
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

// SetName names a Mutex for reports. Call it before the lock is first
// used, while no other goroutine can use it (as with its construction); a
// lock already bound keeps the name it had until it is bound again.
func (m *Mutex) SetName(name string) { m.b.name = name }

// SetName names an RWMutex for reports, as Mutex.SetName does.
func (rw *RWMutex) SetName(name string) { rw.b.name = name }
