// Package buffer is the reference solution: for loops around Wait, and a
// condition for each kind of waiter.
package buffer

import "github.com/locklab/locklab/exercises"

// Buffer is a bounded buffer.
type Buffer = exercises.Buffer

// Put waits for room, adds item, and wakes a consumer.
func Put(b *Buffer, item int) {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) >= b.Cap {
		b.NotFull.Wait()
	}
	b.Items = append(b.Items, item)
	b.NotEmpty.Signal()
}

// Get waits for an item, takes the oldest, and wakes a producer.
func Get(b *Buffer) int {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) == 0 {
		b.NotEmpty.Wait()
	}
	item := b.Items[0]
	b.Items = b.Items[1:]
	b.NotFull.Signal()
	return item
}
