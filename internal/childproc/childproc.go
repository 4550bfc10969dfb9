package childproc

import (
	"bytes"
	"sync"
)

// HeadBuffer keeps the first Max bytes written to it and discards the
// rest, always reporting the whole write as done (a child writing past the
// cap is not stopped by an error). It is safe for concurrent use; its zero
// value keeps nothing.
type HeadBuffer struct {
	Max int

	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

// Write keeps what fits under Max of p.
func (b *HeadBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.Max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Bytes returns a copy of what was kept.
func (b *HeadBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// String returns what was kept.
func (b *HeadBuffer) String() string { return string(b.Bytes()) }
