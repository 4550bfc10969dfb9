// Package counter uses reflect and unsafe to reach memory it was not
// given.
package counter

import (
	"reflect"
	"unsafe"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc pokes at the lock's internals, then increments without it.
func Inc(c *Counter) {
	v := reflect.ValueOf(&c.Mu).Elem()
	_ = unsafe.Pointer(v.UnsafeAddr())
	c.N++
}
