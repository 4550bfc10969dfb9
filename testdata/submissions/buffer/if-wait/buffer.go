// Package buffer waits with if instead of for: a woken consumer takes
// from a buffer another woken consumer has just emptied.
package buffer

import "github.com/locklab/locklab/exercises"

// Buffer is a bounded buffer.
type Buffer = exercises.Buffer

// Put trusts a wakeup to mean there is room.
func Put(b *Buffer, item int) {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	if len(b.Items) >= b.Cap {
		b.NotFull.Wait()
	}
	b.Items = append(b.Items, item)
	b.NotEmpty.Broadcast()
}

// Get trusts a wakeup to mean there is an item.
func Get(b *Buffer) int {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	if len(b.Items) == 0 {
		b.NotEmpty.Wait()
	}
	if len(b.Items) == 0 {
		return -1 // stolen: nothing left
	}
	item := b.Items[0]
	b.Items = b.Items[1:]
	b.NotFull.Broadcast()
	return item
}
