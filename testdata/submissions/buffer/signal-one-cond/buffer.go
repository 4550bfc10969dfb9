// Package buffer waits in for loops, but producers and consumers share
// one condition, and Signal wakes one waiter, maybe of the wrong kind:
// then everyone can end up asleep.
package buffer

import "github.com/locklab/locklab/exercises"

// Buffer is a bounded buffer.
type Buffer = exercises.Buffer

// Put waits for room on the shared condition.
func Put(b *Buffer, item int) {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) >= b.Cap {
		b.NotEmpty.Wait()
	}
	b.Items = append(b.Items, item)
	b.NotEmpty.Signal()
}

// Get waits for an item on the shared condition.
func Get(b *Buffer) int {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) == 0 {
		b.NotEmpty.Wait()
	}
	item := b.Items[0]
	b.Items = b.Items[1:]
	b.NotEmpty.Signal()
	return item
}
