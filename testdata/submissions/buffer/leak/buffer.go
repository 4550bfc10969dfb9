// Package buffer is correct, but every Put starts a goroutine that waits
// to report the item to nobody: one leaked goroutine per item.
package buffer

import "github.com/locklab/locklab/exercises"

// Buffer is a bounded buffer.
type Buffer = exercises.Buffer

// Put is the reference Put plus a reporter nobody listens to.
func Put(b *Buffer, item int) {
	b.Mu.Lock()
	defer b.Mu.Unlock()
	for len(b.Items) >= b.Cap {
		b.NotFull.Wait()
	}
	b.Items = append(b.Items, item)
	b.NotEmpty.Signal()
	report := make(chan int)
	go func() { report <- item }() // nobody ever receives
}

// Get is the reference Get.
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
