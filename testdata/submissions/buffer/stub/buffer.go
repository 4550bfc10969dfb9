// Package buffer is the bounded buffer exercise: write a Put that waits
// for room and a Get that waits for an item. See README.md.
package buffer

import "github.com/locklab/locklab/exercises"

// Buffer is a bounded buffer: b.Items holds at most b.Cap items, oldest
// first, guarded by b.Mu; b.NotFull and b.NotEmpty are condition
// variables on b.Mu.
type Buffer = exercises.Buffer

// Put adds item to the buffer, waiting while it is full. Many producers
// call it at once.
//
// TODO: this version neither locks nor waits: a data race, and a full
// buffer drops the item. Fix it.
func Put(b *Buffer, item int) {
	if len(b.Items) < b.Cap {
		b.Items = append(b.Items, item)
	}
}

// Get removes and returns the oldest item, waiting while the buffer is
// empty. Many consumers call it at once.
//
// TODO: this version neither locks nor waits: a data race, and an empty
// buffer gives -1. Fix it.
func Get(b *Buffer) int {
	if len(b.Items) == 0 {
		return -1
	}
	item := b.Items[0]
	b.Items = b.Items[1:]
	return item
}
