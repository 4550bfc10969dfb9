package sync

import (
	gosync "sync"

	"github.com/locklab/locklab/grade/shim"
)

// Map is sync.Map. Under the controlled scheduler each operation is one
// scheduling point.
type Map struct {
	m gosync.Map
}

// Load returns the value stored for key, if any.
func (m *Map) Load(key any) (value any, ok bool) {
	shim.Point(false, "sync.Map")
	return m.m.Load(key)
}

// Store sets the value for key.
func (m *Map) Store(key, value any) {
	shim.Point(true, "sync.Map")
	m.m.Store(key, value)
}

// Clear deletes every entry.
func (m *Map) Clear() {
	shim.Point(true, "sync.Map")
	m.m.Clear()
}

// LoadOrStore returns the existing value for key if present; otherwise
// it stores and returns value. loaded is true if the value was loaded.
func (m *Map) LoadOrStore(key, value any) (actual any, loaded bool) {
	shim.Point(true, "sync.Map")
	return m.m.LoadOrStore(key, value)
}

// LoadAndDelete deletes the value for key, returning the previous value
// if any.
func (m *Map) LoadAndDelete(key any) (value any, loaded bool) {
	shim.Point(true, "sync.Map")
	return m.m.LoadAndDelete(key)
}

// Delete deletes the value for key.
func (m *Map) Delete(key any) {
	shim.Point(true, "sync.Map")
	m.m.Delete(key)
}

// Swap swaps the value for key and returns the previous value if any.
func (m *Map) Swap(key, value any) (previous any, loaded bool) {
	shim.Point(true, "sync.Map")
	return m.m.Swap(key, value)
}

// CompareAndSwap swaps the old and new values for key if the value
// stored is equal to old.
func (m *Map) CompareAndSwap(key, old, new any) (swapped bool) {
	shim.Point(true, "sync.Map")
	return m.m.CompareAndSwap(key, old, new)
}

// CompareAndDelete deletes the entry for key if its value is equal to
// old.
func (m *Map) CompareAndDelete(key, old any) (deleted bool) {
	shim.Point(true, "sync.Map")
	return m.m.CompareAndDelete(key, old)
}

// Range calls f for each key and value, as sync.Map.Range.
func (m *Map) Range(f func(key, value any) bool) {
	shim.Point(false, "sync.Map")
	m.m.Range(f)
}

// Pool is sync.Pool.
type Pool struct {
	// New optionally returns a value when Get would otherwise return nil.
	New func() any

	p gosync.Pool
}

// Put adds x to the pool.
func (p *Pool) Put(x any) {
	shim.Point(true, "sync.Pool")
	p.p.Put(x)
}

// Get takes an item from the pool, or returns the result of New.
func (p *Pool) Get() any {
	shim.Point(true, "sync.Pool")
	if x := p.p.Get(); x != nil {
		return x
	}
	if p.New != nil {
		return p.New()
	}
	return nil
}
