package sync

import (
	"sync/atomic"

	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
)

// Once is sync.Once.
type Once struct {
	done atomic.Bool
	m    Mutex // natively: an instrumented lock, so a Do re-entered from its own f is a double lock the detector reports
}

// Do calls f if and only if Do is being called for the first time for
// this Once; every other call returns after that call of f has returned.
func (o *Once) Do(f func()) {
	if x := shim.Explored(o, "sync.Once", func(rt labs.Runtime, name string) any { return rt.Once(name) }); x != nil {
		x.(labs.Once).Do(f)
		return
	}
	if o.done.Load() {
		return
	}
	o.m.Lock()
	defer o.m.Unlock()
	if !o.done.Load() {
		defer o.done.Store(true)
		f()
	}
}

// OnceFunc returns a function that calls f only once, as sync.OnceFunc.
// If f panics, the returned function panics with the same value on every
// call.
func OnceFunc(f func()) func() {
	var (
		once  Once
		valid bool
		p     any
	)
	g := func() {
		defer func() {
			p = recover()
			if !valid {
				panic(p)
			}
		}()
		f()
		f = nil
		valid = true
	}
	return func() {
		once.Do(g)
		if !valid {
			panic(p)
		}
	}
}

// OnceValue returns a function that calls f only once and returns its
// value, as sync.OnceValue.
func OnceValue[T any](f func() T) func() T {
	var (
		once   Once
		valid  bool
		p      any
		result T
	)
	g := func() {
		defer func() {
			p = recover()
			if !valid {
				panic(p)
			}
		}()
		result = f()
		f = nil
		valid = true
	}
	return func() T {
		once.Do(g)
		if !valid {
			panic(p)
		}
		return result
	}
}

// OnceValues returns a function that calls f only once and returns its
// values, as sync.OnceValues.
func OnceValues[T1, T2 any](f func() (T1, T2)) func() (T1, T2) {
	var (
		once  Once
		valid bool
		p     any
		r1    T1
		r2    T2
	)
	g := func() {
		defer func() {
			p = recover()
			if !valid {
				panic(p)
			}
		}()
		r1, r2 = f()
		f = nil
		valid = true
	}
	return func() (T1, T2) {
		once.Do(g)
		if !valid {
			panic(p)
		}
		return r1, r2
	}
}
