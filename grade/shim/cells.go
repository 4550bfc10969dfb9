package shim

// Cell is an instrumented variable: the instrumented build reads and
// writes shared state through one, made by Ptr. It is a value; making
// one costs nothing.
type Cell[T any] struct {
	p    *T
	site int
}

// Ptr returns the Cell of the variable at p, read or written at the
// instrumented site numbered site.
func Ptr[T any](p *T, site int) Cell[T] { return Cell[T]{p: p, site: site} }

// Get reads the variable. Under the controlled scheduler the read is a
// scheduling point, and the value read is shown in traces.
func (c Cell[T]) Get() T {
	s := st()
	if e := s.exp; e != nil && e.Access(false, siteLabel(c.site), nil) {
		v := *c.p
		if e.Tracing() {
			e.Value(v)
		}
		return v
	}
	nativeYield()
	return *c.p
}

// Set writes v to the variable, after a scheduling point under the
// controlled scheduler.
func (c Cell[T]) Set(v T) {
	s := st()
	if e := s.exp; e != nil && e.Access(true, siteLabel(c.site), traced(e, v)) {
		*c.p = v
		return
	}
	nativeYield()
	*c.p = v
}

// traced returns v for a trace, or nil when nothing is traced.
func traced(e Explorer, v any) any {
	if e.Tracing() {
		return v
	}
	return nil
}

// MapCell is an instrumented map, made by Map: element reads and writes
// go through it.
type MapCell[K comparable, V any] struct {
	m    map[K]V
	site int
}

// Map returns the MapCell of m at the instrumented site numbered site.
func Map[K comparable, V any](m map[K]V, site int) MapCell[K, V] {
	return MapCell[K, V]{m: m, site: site}
}

func (c MapCell[K, V]) point(write bool, v any) {
	if e := st().exp; e != nil {
		e.Access(write, siteLabel(c.site), v)
		return
	}
	nativeYield()
}

// Get returns m[k].
func (c MapCell[K, V]) Get(k K) V {
	c.point(false, nil)
	v := c.m[k]
	if e := st().exp; e != nil && e.Tracing() {
		e.Value(v)
	}
	return v
}

// Get2 returns m[k] and whether k is present.
func (c MapCell[K, V]) Get2(k K) (V, bool) {
	c.point(false, nil)
	v, ok := c.m[k]
	if e := st().exp; e != nil && e.Tracing() {
		e.Value(v)
	}
	return v, ok
}

// Set sets m[k] = v.
func (c MapCell[K, V]) Set(k K, v V) {
	if e := st().exp; e != nil {
		e.Access(true, siteLabel(c.site), traced(e, v))
	} else {
		nativeYield()
	}
	c.m[k] = v
}

// Delete deletes m[k].
func (c MapCell[K, V]) Delete(k K) {
	c.point(true, nil)
	delete(c.m, k)
}
