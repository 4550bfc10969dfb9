package locks

import "sync"

// The rest of sync, so that importing this package under the name sync
// (import sync "github.com/locklab/locklab/locks") is a drop-in for code
// that also uses sync's non-blocking types. They are sync's own: nothing
// in them blocks on a lock the Detector could see.
type (
	// Locker is sync.Locker.
	Locker = sync.Locker
	// Map is sync.Map.
	Map = sync.Map
	// Pool is sync.Pool.
	Pool = sync.Pool
)

// OnceFunc is sync.OnceFunc.
func OnceFunc(f func()) func() { return sync.OnceFunc(f) }

// OnceValue is sync.OnceValue.
func OnceValue[T any](f func() T) func() T { return sync.OnceValue(f) }

// OnceValues is sync.OnceValues.
func OnceValues[T1, T2 any](f func() (T1, T2)) func() (T1, T2) { return sync.OnceValues(f) }
