package shim

import (
	"reflect"
	"unsafe"
)

// Track records the values that the package-level variables at ptrs have
// now (the instrumented build calls it once, after the package's own
// initialization) and registers a reset that gives them back a deep copy
// of those values before every run. So each run starts as a fresh program
// would: a map or slice filled during one run, a channel left holding a
// token, a lock left held by an aborted run, none of it reaches the next.
// Functions are kept as they are; aliasing between the variables (two
// pointing to one value) is kept.
func Track(ptrs ...any) bool {
	type saved struct {
		dst  reflect.Value // the variable
		orig reflect.Value // a copy of its initial value
	}
	// A pointer to one of the variables stays a pointer to it (a Cond
	// made with &mu must keep using mu): the variables are their own
	// copies.
	own := func() map[uintptr]reflect.Value {
		seen := map[uintptr]reflect.Value{}
		for _, p := range ptrs {
			seen[reflect.ValueOf(p).Pointer()] = reflect.ValueOf(p)
		}
		return seen
	}
	var vars []saved
	seen := own()
	for _, p := range ptrs {
		v := reflect.ValueOf(p).Elem()
		vars = append(vars, saved{dst: v, orig: deepCopy(v, seen)})
	}
	RegisterReset(func() {
		seen := own()
		for _, s := range vars {
			s.dst.Set(deepCopy(s.orig, seen))
		}
	})
	return true
}

// settable returns v made settable (v must be addressable): reads and
// writes of unexported fields go through unsafe, which is how a copy can
// reach a mirror lock's internals.
func settable(v reflect.Value) reflect.Value {
	if v.CanSet() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// deepCopy returns a copy of v that shares no mutable memory with it:
// maps, slices, arrays, structs and what pointers point to are copied,
// channels are remade with the same capacity and buffered values.
// seen maps an original pointer, map, slice array or channel to its copy.
func deepCopy(v reflect.Value, seen map[uintptr]reflect.Value) reflect.Value {
	t := v.Type()
	out := reflect.New(t).Elem()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return out
		}
		if c, ok := seen[v.Pointer()]; ok {
			return c
		}
		c := reflect.New(t.Elem())
		seen[v.Pointer()] = c
		settable(c.Elem()).Set(deepCopy(v.Elem(), seen))
		return c
	case reflect.Map:
		if v.IsNil() {
			return out
		}
		if c, ok := seen[v.Pointer()]; ok {
			return c
		}
		c := reflect.MakeMapWithSize(t, v.Len())
		seen[v.Pointer()] = c
		it := v.MapRange()
		for it.Next() {
			c.SetMapIndex(deepCopy(it.Key(), seen), deepCopy(it.Value(), seen))
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return out
		}
		c := reflect.MakeSlice(t, v.Len(), v.Cap())
		for i := range v.Len() {
			settable(c.Index(i)).Set(deepCopy(v.Index(i), seen))
		}
		return c
	case reflect.Array:
		for i := range v.Len() {
			settable(out.Index(i)).Set(deepCopy(v.Index(i), seen))
		}
		return out
	case reflect.Struct:
		src := v
		if !v.CanAddr() {
			src = reflect.New(t).Elem()
			src.Set(v)
		}
		for i := range t.NumField() {
			settable(out.Field(i)).Set(deepCopy(settable(src.Field(i)), seen))
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return out
		}
		out.Set(deepCopy(v.Elem(), seen))
		return out
	case reflect.Chan:
		if v.IsNil() {
			return out
		}
		if c, ok := seen[v.Pointer()]; ok {
			return c
		}
		c := reflect.MakeChan(t, v.Cap())
		seen[v.Pointer()] = c
		// Take what the channel holds and put it back, copying it into c.
		if t.ChanDir()&reflect.RecvDir == 0 {
			return c // send-only: its buffer cannot be read
		}
		var held []reflect.Value
		closed := false
		for {
			x, ok := v.TryRecv()
			if !ok {
				closed = x.IsValid()
				break
			}
			held = append(held, x)
		}
		for _, x := range held {
			c.TrySend(deepCopy(x, seen))
		}
		if !closed {
			for _, x := range held {
				v.TrySend(x)
			}
		}
		if closed {
			c.Close()
		}
		return c
	}
	out.Set(v) // basic kinds, functions, unsafe pointers
	return out
}
