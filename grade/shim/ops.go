package shim

// The operators of assignments such as x += d, each a read and then a
// write of the variable (two scheduling points under the controlled
// scheduler, with nothing between them natively either), as the
// statement is.

type integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

type number interface {
	integer | ~float32 | ~float64 | ~complex64 | ~complex128
}

type addable interface {
	number | ~string
}

// Add does x += d on the variable of c.
func Add[T addable](c Cell[T], d T) {
	v := c.Get()
	c.Set(v + d)
}

// MapAdd does m[k] += d on the map of c.
func MapAdd[K comparable, V addable](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v+d)
}

// Sub does x -= d on the variable of c.
func Sub[T number](c Cell[T], d T) {
	v := c.Get()
	c.Set(v - d)
}

// MapSub does m[k] -= d on the map of c.
func MapSub[K comparable, V number](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v-d)
}

// Mul does x *= d on the variable of c.
func Mul[T number](c Cell[T], d T) {
	v := c.Get()
	c.Set(v * d)
}

// MapMul does m[k] *= d on the map of c.
func MapMul[K comparable, V number](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v*d)
}

// Quo does x /= d on the variable of c.
func Quo[T number](c Cell[T], d T) {
	v := c.Get()
	c.Set(v / d)
}

// MapQuo does m[k] /= d on the map of c.
func MapQuo[K comparable, V number](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v/d)
}

// Rem does x %= d on the variable of c.
func Rem[T integer](c Cell[T], d T) {
	v := c.Get()
	c.Set(v % d)
}

// MapRem does m[k] %= d on the map of c.
func MapRem[K comparable, V integer](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v%d)
}

// And does x &= d on the variable of c.
func And[T integer](c Cell[T], d T) {
	v := c.Get()
	c.Set(v & d)
}

// MapAnd does m[k] &= d on the map of c.
func MapAnd[K comparable, V integer](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v&d)
}

// Or does x |= d on the variable of c.
func Or[T integer](c Cell[T], d T) {
	v := c.Get()
	c.Set(v | d)
}

// MapOr does m[k] |= d on the map of c.
func MapOr[K comparable, V integer](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v|d)
}

// Xor does x ^= d on the variable of c.
func Xor[T integer](c Cell[T], d T) {
	v := c.Get()
	c.Set(v ^ d)
}

// MapXor does m[k] ^= d on the map of c.
func MapXor[K comparable, V integer](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v^d)
}

// AndNot does x &^= d on the variable of c.
func AndNot[T integer](c Cell[T], d T) {
	v := c.Get()
	c.Set(v &^ d)
}

// MapAndNot does m[k] &^= d on the map of c.
func MapAndNot[K comparable, V integer](c MapCell[K, V], k K, d V) {
	v := c.Get(k)
	c.Set(k, v&^d)
}

// Shl does x <<= n on the variable of c.
func Shl[T integer, N integer](c Cell[T], n N) {
	v := c.Get()
	c.Set(v << n)
}

// MapShl does m[k] <<= n on the map of c.
func MapShl[K comparable, V integer, N integer](c MapCell[K, V], k K, n N) {
	v := c.Get(k)
	c.Set(k, v<<n)
}

// Shr does x >>= n on the variable of c.
func Shr[T integer, N integer](c Cell[T], n N) {
	v := c.Get()
	c.Set(v >> n)
}

// MapShr does m[k] >>= n on the map of c.
func MapShr[K comparable, V integer, N integer](c MapCell[K, V], k K, n N) {
	v := c.Get(k)
	c.Set(k, v>>n)
}
