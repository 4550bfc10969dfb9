// Package atomic is the grader's mirror of the standard library's
// sync/atomic: the same functions and types, which the instrumented build
// of a submission imports instead. Natively each operation is the
// standard one; under the controlled scheduler each is also a scheduling
// point, so the explorer can interleave atomic steps (an atomic load and
// a later atomic store of the same value is still a lost update).
package atomic

import (
	"sync/atomic"
	"unsafe"

	"github.com/locklab/locklab/grade/shim"
)

func read()  { shim.Point(false, "atomic") }
func write() { shim.Point(true, "atomic") }

// AddInt32 atomically adds delta to *addr and returns the new value.
func AddInt32(addr *int32, delta int32) (new int32) {
	write()
	return atomic.AddInt32(addr, delta)
}

// AndInt32 atomically ands mask into *addr and returns the old value.
func AndInt32(addr *int32, mask int32) (old int32) {
	write()
	return atomic.AndInt32(addr, mask)
}

// OrInt32 atomically ors mask into *addr and returns the old value.
func OrInt32(addr *int32, mask int32) (old int32) {
	write()
	return atomic.OrInt32(addr, mask)
}

// CompareAndSwapInt32 executes the compare-and-swap operation for a int32 value.
func CompareAndSwapInt32(addr *int32, old, new int32) (swapped bool) {
	write()
	return atomic.CompareAndSwapInt32(addr, old, new)
}

// LoadInt32 atomically loads *addr.
func LoadInt32(addr *int32) (val int32) {
	read()
	return atomic.LoadInt32(addr)
}

// StoreInt32 atomically stores val into *addr.
func StoreInt32(addr *int32, val int32) {
	write()
	atomic.StoreInt32(addr, val)
}

// SwapInt32 atomically stores new into *addr and returns the previous value.
func SwapInt32(addr *int32, new int32) (old int32) {
	write()
	return atomic.SwapInt32(addr, new)
}

// Int32 is sync/atomic's Int32.
type Int32 struct {
	v atomic.Int32
}

// Load atomically loads and returns the value.
func (x *Int32) Load() int32 {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Int32) Store(val int32) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Int32) Swap(new int32) (old int32) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Int32) CompareAndSwap(old, new int32) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Add atomically adds delta and returns the new value.
func (x *Int32) Add(delta int32) (new int32) {
	write()
	return x.v.Add(delta)
}

// And atomically ands mask in and returns the old value.
func (x *Int32) And(mask int32) (old int32) {
	write()
	return x.v.And(mask)
}

// Or atomically ors mask in and returns the old value.
func (x *Int32) Or(mask int32) (old int32) {
	write()
	return x.v.Or(mask)
}

// AddInt64 atomically adds delta to *addr and returns the new value.
func AddInt64(addr *int64, delta int64) (new int64) {
	write()
	return atomic.AddInt64(addr, delta)
}

// AndInt64 atomically ands mask into *addr and returns the old value.
func AndInt64(addr *int64, mask int64) (old int64) {
	write()
	return atomic.AndInt64(addr, mask)
}

// OrInt64 atomically ors mask into *addr and returns the old value.
func OrInt64(addr *int64, mask int64) (old int64) {
	write()
	return atomic.OrInt64(addr, mask)
}

// CompareAndSwapInt64 executes the compare-and-swap operation for a int64 value.
func CompareAndSwapInt64(addr *int64, old, new int64) (swapped bool) {
	write()
	return atomic.CompareAndSwapInt64(addr, old, new)
}

// LoadInt64 atomically loads *addr.
func LoadInt64(addr *int64) (val int64) {
	read()
	return atomic.LoadInt64(addr)
}

// StoreInt64 atomically stores val into *addr.
func StoreInt64(addr *int64, val int64) {
	write()
	atomic.StoreInt64(addr, val)
}

// SwapInt64 atomically stores new into *addr and returns the previous value.
func SwapInt64(addr *int64, new int64) (old int64) {
	write()
	return atomic.SwapInt64(addr, new)
}

// Int64 is sync/atomic's Int64.
type Int64 struct {
	v atomic.Int64
}

// Load atomically loads and returns the value.
func (x *Int64) Load() int64 {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Int64) Store(val int64) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Int64) Swap(new int64) (old int64) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Int64) CompareAndSwap(old, new int64) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Add atomically adds delta and returns the new value.
func (x *Int64) Add(delta int64) (new int64) {
	write()
	return x.v.Add(delta)
}

// And atomically ands mask in and returns the old value.
func (x *Int64) And(mask int64) (old int64) {
	write()
	return x.v.And(mask)
}

// Or atomically ors mask in and returns the old value.
func (x *Int64) Or(mask int64) (old int64) {
	write()
	return x.v.Or(mask)
}

// AddUint32 atomically adds delta to *addr and returns the new value.
func AddUint32(addr *uint32, delta uint32) (new uint32) {
	write()
	return atomic.AddUint32(addr, delta)
}

// AndUint32 atomically ands mask into *addr and returns the old value.
func AndUint32(addr *uint32, mask uint32) (old uint32) {
	write()
	return atomic.AndUint32(addr, mask)
}

// OrUint32 atomically ors mask into *addr and returns the old value.
func OrUint32(addr *uint32, mask uint32) (old uint32) {
	write()
	return atomic.OrUint32(addr, mask)
}

// CompareAndSwapUint32 executes the compare-and-swap operation for a uint32 value.
func CompareAndSwapUint32(addr *uint32, old, new uint32) (swapped bool) {
	write()
	return atomic.CompareAndSwapUint32(addr, old, new)
}

// LoadUint32 atomically loads *addr.
func LoadUint32(addr *uint32) (val uint32) {
	read()
	return atomic.LoadUint32(addr)
}

// StoreUint32 atomically stores val into *addr.
func StoreUint32(addr *uint32, val uint32) {
	write()
	atomic.StoreUint32(addr, val)
}

// SwapUint32 atomically stores new into *addr and returns the previous value.
func SwapUint32(addr *uint32, new uint32) (old uint32) {
	write()
	return atomic.SwapUint32(addr, new)
}

// Uint32 is sync/atomic's Uint32.
type Uint32 struct {
	v atomic.Uint32
}

// Load atomically loads and returns the value.
func (x *Uint32) Load() uint32 {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Uint32) Store(val uint32) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Uint32) Swap(new uint32) (old uint32) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Uint32) CompareAndSwap(old, new uint32) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Add atomically adds delta and returns the new value.
func (x *Uint32) Add(delta uint32) (new uint32) {
	write()
	return x.v.Add(delta)
}

// And atomically ands mask in and returns the old value.
func (x *Uint32) And(mask uint32) (old uint32) {
	write()
	return x.v.And(mask)
}

// Or atomically ors mask in and returns the old value.
func (x *Uint32) Or(mask uint32) (old uint32) {
	write()
	return x.v.Or(mask)
}

// AddUint64 atomically adds delta to *addr and returns the new value.
func AddUint64(addr *uint64, delta uint64) (new uint64) {
	write()
	return atomic.AddUint64(addr, delta)
}

// AndUint64 atomically ands mask into *addr and returns the old value.
func AndUint64(addr *uint64, mask uint64) (old uint64) {
	write()
	return atomic.AndUint64(addr, mask)
}

// OrUint64 atomically ors mask into *addr and returns the old value.
func OrUint64(addr *uint64, mask uint64) (old uint64) {
	write()
	return atomic.OrUint64(addr, mask)
}

// CompareAndSwapUint64 executes the compare-and-swap operation for a uint64 value.
func CompareAndSwapUint64(addr *uint64, old, new uint64) (swapped bool) {
	write()
	return atomic.CompareAndSwapUint64(addr, old, new)
}

// LoadUint64 atomically loads *addr.
func LoadUint64(addr *uint64) (val uint64) {
	read()
	return atomic.LoadUint64(addr)
}

// StoreUint64 atomically stores val into *addr.
func StoreUint64(addr *uint64, val uint64) {
	write()
	atomic.StoreUint64(addr, val)
}

// SwapUint64 atomically stores new into *addr and returns the previous value.
func SwapUint64(addr *uint64, new uint64) (old uint64) {
	write()
	return atomic.SwapUint64(addr, new)
}

// Uint64 is sync/atomic's Uint64.
type Uint64 struct {
	v atomic.Uint64
}

// Load atomically loads and returns the value.
func (x *Uint64) Load() uint64 {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Uint64) Store(val uint64) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Uint64) Swap(new uint64) (old uint64) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Uint64) CompareAndSwap(old, new uint64) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Add atomically adds delta and returns the new value.
func (x *Uint64) Add(delta uint64) (new uint64) {
	write()
	return x.v.Add(delta)
}

// And atomically ands mask in and returns the old value.
func (x *Uint64) And(mask uint64) (old uint64) {
	write()
	return x.v.And(mask)
}

// Or atomically ors mask in and returns the old value.
func (x *Uint64) Or(mask uint64) (old uint64) {
	write()
	return x.v.Or(mask)
}

// AddUintptr atomically adds delta to *addr and returns the new value.
func AddUintptr(addr *uintptr, delta uintptr) (new uintptr) {
	write()
	return atomic.AddUintptr(addr, delta)
}

// AndUintptr atomically ands mask into *addr and returns the old value.
func AndUintptr(addr *uintptr, mask uintptr) (old uintptr) {
	write()
	return atomic.AndUintptr(addr, mask)
}

// OrUintptr atomically ors mask into *addr and returns the old value.
func OrUintptr(addr *uintptr, mask uintptr) (old uintptr) {
	write()
	return atomic.OrUintptr(addr, mask)
}

// CompareAndSwapUintptr executes the compare-and-swap operation for a uintptr value.
func CompareAndSwapUintptr(addr *uintptr, old, new uintptr) (swapped bool) {
	write()
	return atomic.CompareAndSwapUintptr(addr, old, new)
}

// LoadUintptr atomically loads *addr.
func LoadUintptr(addr *uintptr) (val uintptr) {
	read()
	return atomic.LoadUintptr(addr)
}

// StoreUintptr atomically stores val into *addr.
func StoreUintptr(addr *uintptr, val uintptr) {
	write()
	atomic.StoreUintptr(addr, val)
}

// SwapUintptr atomically stores new into *addr and returns the previous value.
func SwapUintptr(addr *uintptr, new uintptr) (old uintptr) {
	write()
	return atomic.SwapUintptr(addr, new)
}

// Uintptr is sync/atomic's Uintptr.
type Uintptr struct {
	v atomic.Uintptr
}

// Load atomically loads and returns the value.
func (x *Uintptr) Load() uintptr {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Uintptr) Store(val uintptr) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Uintptr) Swap(new uintptr) (old uintptr) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Uintptr) CompareAndSwap(old, new uintptr) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Add atomically adds delta and returns the new value.
func (x *Uintptr) Add(delta uintptr) (new uintptr) {
	write()
	return x.v.Add(delta)
}

// And atomically ands mask in and returns the old value.
func (x *Uintptr) And(mask uintptr) (old uintptr) {
	write()
	return x.v.And(mask)
}

// Or atomically ors mask in and returns the old value.
func (x *Uintptr) Or(mask uintptr) (old uintptr) {
	write()
	return x.v.Or(mask)
}

// CompareAndSwapPointer executes the compare-and-swap operation for an unsafe.Pointer value.
func CompareAndSwapPointer(addr *unsafe.Pointer, old, new unsafe.Pointer) (swapped bool) {
	write()
	return atomic.CompareAndSwapPointer(addr, old, new)
}

// LoadPointer atomically loads *addr.
func LoadPointer(addr *unsafe.Pointer) (val unsafe.Pointer) {
	read()
	return atomic.LoadPointer(addr)
}

// StorePointer atomically stores val into *addr.
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer) {
	write()
	atomic.StorePointer(addr, val)
}

// SwapPointer atomically stores new into *addr and returns the previous value.
func SwapPointer(addr *unsafe.Pointer, new unsafe.Pointer) (old unsafe.Pointer) {
	write()
	return atomic.SwapPointer(addr, new)
}

// Bool is sync/atomic's Bool.
type Bool struct {
	v atomic.Bool
}

// Load atomically loads and returns the value.
func (x *Bool) Load() bool {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Bool) Store(val bool) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Bool) Swap(new bool) (old bool) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Bool) CompareAndSwap(old, new bool) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Pointer is sync/atomic's Pointer[T].
type Pointer[T any] struct {
	v atomic.Pointer[T]
}

// Load atomically loads and returns the value.
func (x *Pointer[T]) Load() *T {
	read()
	return x.v.Load()
}

// Store atomically stores val.
func (x *Pointer[T]) Store(val *T) {
	write()
	x.v.Store(val)
}

// Swap atomically stores new and returns the previous value.
func (x *Pointer[T]) Swap(new *T) (old *T) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Pointer[T]) CompareAndSwap(old, new *T) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}

// Value is sync/atomic's Value.
type Value struct {
	v atomic.Value
}

// Load returns the value set by the most recent Store, or nil.
func (x *Value) Load() (val any) {
	read()
	return x.v.Load()
}

// Store sets the value to val.
func (x *Value) Store(val any) {
	write()
	x.v.Store(val)
}

// Swap stores new and returns the previous value.
func (x *Value) Swap(new any) (old any) {
	write()
	return x.v.Swap(new)
}

// CompareAndSwap executes the compare-and-swap operation.
func (x *Value) CompareAndSwap(old, new any) (swapped bool) {
	write()
	return x.v.CompareAndSwap(old, new)
}
