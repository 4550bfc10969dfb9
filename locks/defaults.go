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
	old := current.Swap(&defaults{det: d, gen: gens.Add(1)})
	return func() { current.Store(old) }
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
	current.CompareAndSwap(nil, process)
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
	node atomic.Pointer[detector.Lock]
	name string // given at construction; "" for a zero value
}

// get returns the primitive's node, or nil when detection is off for it.
// The common case, a node of the current generation, is two loads.
func (b *binding) get(p primitive) *detector.Lock {
	n := b.node.Load()
	st := current.Load()
	if n != nil && (n.Tag() == 0 || st != nil && n.Tag() == st.gen) {
		return n
	}
	if n == nil && st != nil && st.det == nil {
		return nil
	}
	return b.rebind(n, st, p)
}

// rebind binds the primitive to the default Detector in force, keeping
// its name.
func (b *binding) rebind(n *detector.Lock, st *defaults, p primitive) *detector.Lock {
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
	nn.SetTag(st.gen)
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
