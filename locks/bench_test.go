package locks_test

// Benchmarks for the quality bars in DESIGN.md: the instrumented Mutex with
// detection off must stay within 1.3x of sync.Mutex, with the wait-for and
// lock-order graphs on within 3x of sync.Mutex and at least 10x faster
// than go-deadlock; the RWMutex read path within 3x of sync.RWMutex under
// full detection; and the fast path must take no global lock (per-op cost
// flat as goroutines are added, each on its own Mutex).
//
// Every benchmark runs the same sub-benchmarks, named so that benchstat
// lines them up side by side:
//
//	sync        sync.Mutex (sync.RWMutex), the baseline
//	off         a zero-value locks.Mutex with detection off (SetDefaultDetector(nil))
//	waitfor     a locks.Mutex bound to a Detector with only the wait-for graph
//	full        a locks.Mutex bound to a Detector with wait-for and lock-order
//	default     a zero-value locks.Mutex under the process default's setup
//	            (detector.NewDefault: full, plus the wait watch), what an
//	            engineer gets by swapping the import
//	godeadlock  github.com/sasha-s/go-deadlock's Mutex with its default Opts
//
// Compare them with
//
//	go test -run='^$' -bench=. -benchmem -count=6 ./locks | tee bench.txt
//	benchstat -col /impl bench.txt
//
// The loops call each lock type directly, not through sync.Locker or a
// type parameter: an indirect call would add a constant to every row and
// shrink the ratios we are here to measure.
//
// This file imports go-deadlock only to compare against it. Library code
// reaches go-deadlock through detector/deadlock.go alone; a benchmark is
// not library code. go-deadlock's Opts are process-global: these
// benchmarks keep its defaults (DeadlockTimeout 30s, which no benchmark
// here comes near) and never write them.

import (
	"sync"
	"testing"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
	deadlock "github.com/sasha-s/go-deadlock"
)

// instrumented is one configuration of locks.Mutex under test.
type instrumented struct {
	name string // sub-benchmark name
	// newMutex returns a fresh Mutex. Mutexes from one call of setup share
	// one Detector, as the locks of one program do.
	setup func(b *testing.B) (newMutex func(name string) *locks.Mutex)
}

// configs lists the locks.Mutex configurations, in the order they appear
// between the sync baseline and go-deadlock.
func configs() []instrumented {
	bound := func(opts ...detector.Option) func(b *testing.B) func(string) *locks.Mutex {
		return func(b *testing.B) func(string) *locks.Mutex {
			d := detector.New(opts...)
			b.Cleanup(func() {
				if fs := d.Findings(); len(fs) != 0 {
					b.Errorf("benchmark drew findings: %v", fs)
				}
			})
			return func(name string) *locks.Mutex { return locks.NewMutex(name, locks.WithDetector(d)) }
		}
	}
	return []instrumented{
		{name: "off", setup: func(b *testing.B) func(string) *locks.Mutex {
			// Detection off: no Detector anywhere, so the zero value
			// stays unbound. Benchmarks run after every test has
			// finished, so this swap races with nothing.
			b.Cleanup(locks.SetDefaultDetector(nil))
			return func(string) *locks.Mutex { return new(locks.Mutex) }
		}},
		{name: "waitfor", setup: bound(detector.WithLockOrder(false))},
		{name: "full", setup: bound()},
		{name: "default", setup: func(b *testing.B) func(string) *locks.Mutex {
			d := detector.NewDefault(detector.WithOutput(nil))
			b.Cleanup(locks.SetDefaultDetector(d))
			b.Cleanup(func() {
				if fs := d.Findings(); len(fs) != 0 {
					b.Errorf("benchmark drew findings: %v", fs)
				}
			})
			return func(string) *locks.Mutex { return new(locks.Mutex) }
		}},
	}
}

// rwConfigs is configs for RWMutex.
func rwConfigs() []struct {
	name  string
	setup func(b *testing.B) *locks.RWMutex
} {
	bound := func(opts ...detector.Option) func(b *testing.B) *locks.RWMutex {
		return func(b *testing.B) *locks.RWMutex {
			d := detector.New(opts...)
			b.Cleanup(func() {
				if fs := d.Findings(); len(fs) != 0 {
					b.Errorf("benchmark drew findings: %v", fs)
				}
			})
			return locks.NewRWMutex("rw", locks.WithDetector(d))
		}
	}
	return []struct {
		name  string
		setup func(b *testing.B) *locks.RWMutex
	}{
		{"off", func(b *testing.B) *locks.RWMutex {
			b.Cleanup(locks.SetDefaultDetector(nil))
			return new(locks.RWMutex)
		}},
		{"waitfor", bound(detector.WithLockOrder(false))},
		{"full", bound()},
		{"default", func(b *testing.B) *locks.RWMutex {
			b.Cleanup(locks.SetDefaultDetector(detector.NewDefault(detector.WithOutput(nil))))
			return new(locks.RWMutex)
		}},
	}
}

// BenchmarkRWMutexRead is one goroutine read-locking and unlocking one
// RWMutex.
func BenchmarkRWMutexRead(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		var mu sync.RWMutex
		for range b.N {
			mu.RLock()
			mu.RUnlock() //nolint:staticcheck // an empty critical section is the point
		}
	})
	for _, c := range rwConfigs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			mu := c.setup(b)
			for range b.N {
				mu.RLock()
				mu.RUnlock()
			}
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		var mu deadlock.RWMutex
		for range b.N {
			mu.RLock()
			mu.RUnlock()
		}
	})
}

// BenchmarkRWMutexParallelRead is GOMAXPROCS readers read-locking one
// shared RWMutex: the read path under contention for its state word.
func BenchmarkRWMutexParallelRead(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		var mu sync.RWMutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.RLock()
				mu.RUnlock() //nolint:staticcheck // an empty critical section is the point
			}
		})
	})
	for _, c := range rwConfigs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			mu := c.setup(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.RLock()
					mu.RUnlock()
				}
			})
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		var mu deadlock.RWMutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.RLock()
				mu.RUnlock()
			}
		})
	})
}

// BenchmarkRWMutexWrite is one goroutine write-locking and unlocking one
// RWMutex.
func BenchmarkRWMutexWrite(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		var mu sync.RWMutex
		for range b.N {
			mu.Lock()
			mu.Unlock() //nolint:staticcheck // an empty critical section is the point
		}
	})
	for _, c := range rwConfigs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			mu := c.setup(b)
			for range b.N {
				mu.Lock()
				mu.Unlock()
			}
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		var mu deadlock.RWMutex
		for range b.N {
			mu.Lock()
			mu.Unlock()
		}
	})
}

// BenchmarkUncontended is one goroutine locking and unlocking one Mutex.
func BenchmarkUncontended(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		var mu sync.Mutex
		for range b.N {
			mu.Lock()
			mu.Unlock() //nolint:staticcheck // an empty critical section is the point
		}
	})
	for _, c := range configs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			mu := c.setup(b)("mu")
			for range b.N {
				mu.Lock()
				mu.Unlock()
			}
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		var mu deadlock.Mutex
		for range b.N {
			mu.Lock()
			mu.Unlock()
		}
	})
}

// BenchmarkNested is one goroutine taking A then B and releasing them in
// reverse: two Lock/Unlock pairs per op. The edge A -> B is known before
// the timer starts, so with lock-order on this is the fast path that only
// reads the copy-on-write successor list.
func BenchmarkNested(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		var x, y sync.Mutex
		for range b.N {
			x.Lock()
			y.Lock()
			y.Unlock()
			x.Unlock()
		}
	})
	for _, c := range configs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			newMutex := c.setup(b)
			x, y := newMutex("A"), newMutex("B")
			x.Lock() // learn the edge A -> B
			y.Lock()
			y.Unlock()
			x.Unlock()
			b.ResetTimer()
			for range b.N {
				x.Lock()
				y.Lock()
				y.Unlock()
				x.Unlock()
			}
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		var x, y deadlock.Mutex
		x.Lock()
		y.Lock()
		y.Unlock()
		x.Unlock()
		b.ResetTimer()
		for range b.N {
			x.Lock()
			y.Lock()
			y.Unlock()
			x.Unlock()
		}
	})
}

// BenchmarkParallelOwn is GOMAXPROCS goroutines, each locking and
// unlocking a Mutex of its own; the instrumented ones share one Detector.
// Nothing is contended, so ns/op falls as goroutines are added unless the
// fast path serializes on something global: compare -cpu=1,2.
func BenchmarkParallelOwn(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			var mu sync.Mutex
			for pb.Next() {
				mu.Lock()
				mu.Unlock() //nolint:staticcheck // an empty critical section is the point
			}
		})
	})
	for _, c := range configs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			newMutex := c.setup(b)
			b.RunParallel(func(pb *testing.PB) {
				mu := newMutex("mu")
				for pb.Next() {
					mu.Lock()
					mu.Unlock()
				}
			})
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			var mu deadlock.Mutex
			for pb.Next() {
				mu.Lock()
				mu.Unlock()
			}
		})
	})
}

// BenchmarkParallelShared is GOMAXPROCS goroutines locking and unlocking
// one shared Mutex. Blocked acquires take the slow path, which records the
// wait in the wait-for graph and checks it for a cycle.
func BenchmarkParallelShared(b *testing.B) {
	b.Run("impl=sync", func(b *testing.B) {
		var mu sync.Mutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				mu.Unlock() //nolint:staticcheck // an empty critical section is the point
			}
		})
	})
	for _, c := range configs() {
		b.Run("impl="+c.name, func(b *testing.B) {
			mu := c.setup(b)("mu")
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					mu.Unlock()
				}
			})
		})
	}
	b.Run("impl=godeadlock", func(b *testing.B) {
		var mu deadlock.Mutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				mu.Unlock()
			}
		})
	})
}
