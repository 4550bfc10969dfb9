// Package buffer waits on one condition for both kinds of waiter, and
// wakes them all with Broadcast: correct, if wasteful.
package buffer

import "github.com/locklab/locklab/exercises"

// Buffer is a bounded buffer.
type Buffer = exercises.Buffer

// Put waits for room, adds item and wakes everyone.
func Put(b *Buffer, item int) {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) >= b.Cap {
		b.NotEmpty.Wait()
	}
	b.Items = append(b.Items, item)
	b.NotEmpty.Broadcast()
}

// Get waits for an item, takes it and wakes everyone.
func Get(b *Buffer) int {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) == 0 {
		b.NotEmpty.Wait()
	}
	item := b.Items[0]
	b.Items = b.Items[1:]
	b.NotEmpty.Broadcast()
	return item
}
