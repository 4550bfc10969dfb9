package sub

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/exercises"
)

var (
	mu    sync.Mutex
	total int
	hits  = map[string]int{}
	errX  = errors.New("x")
)

type Counter = exercises.Counter

type box struct {
	n    int
	next *box
	arr  [3]int
	s    []int
}

func Inc(c *Counter) { // L29
	n := c.N                      // L30
	c.N = n + 1                   // L31
	c.N++                         // L32
	c.N += 2                      // L33
	mu.Lock()                     // L34
	total++                       // L35
	hits["a"]++                   // L36
	hits["b"] = hits["a"] + total // L37
	v, ok := hits["c"]            // L38
	_, _ = v, ok                  // L39
	delete(hits, "a")             // L40
	mu.Unlock()                   // L41
	var k int64
	atomic.AddInt64(&k, 1)       // L43
	time.Sleep(time.Millisecond) // L44
	runtime.Gosched()            // L45
}

func boxes(b *box, i int) int {
	b.n = b.next.n + b.arr[i] + b.s[i] // L49
	b.arr[i] = len(b.s)                // L50
	p := &b.n
	*p = *p + 1          // L52
	for j := range b.s { // L53
		b.s[j], b.n = b.n, b.s[j] // L54
	}
	return b.n
}

func closure() int {
	x := 0
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(d int) { // L64
			defer wg.Done()
			x += d // L66
		}(i) // L67
	}
	go closure() // L69
	wg.Wait()
	return x
}
