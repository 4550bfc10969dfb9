package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// statusDelay is how long a wait lasts before its status line shows:
// a quick command writes nothing to stderr, a slow one says what it is
// waiting for.
const statusDelay = time.Second

// statusEvery is how often a shown status line is rewritten.
const statusEvery = 250 * time.Millisecond

// statusLine is a line on a terminal's stderr that says what locklab is
// waiting for, and for how long, rewritten in place until stopped, then
// erased. It shows only once the wait has lasted Deps.StatusDelay. A nil
// *statusLine does nothing, so that callers need not ask whether stderr
// is a terminal.
type statusLine struct {
	w     io.Writer
	start time.Time
	stop  chan struct{}
	done  chan struct{}

	mu    sync.Mutex // protects text and shown, and serializes writes
	text  func() string
	shown bool
}

// status starts a status line on d.ErrOut when it is a terminal (see
// Deps.Interactive), saying text until Set changes it.
func (d *Deps) status(text string) *statusLine {
	if !d.Interactive {
		return nil
	}
	delay := statusDelay
	if d.StatusDelay > 0 {
		delay = d.StatusDelay
	}
	s := &statusLine{w: d.ErrOut, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{}),
		text: func() string { return text }}
	go s.loop(delay)
	return s
}

func (s *statusLine) loop(delay time.Duration) {
	defer close(s.done)
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.draw()
			t.Reset(statusEvery)
		}
	}
}

func (s *statusLine) draw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	el := time.Since(s.start).Truncate(time.Second)
	line := s.text()
	if el >= time.Second {
		line += fmt.Sprintf(" (%v)", el)
	}
	fmt.Fprintf(s.w, "\r\x1b[K%s", line)
	s.shown = true
}

// Set changes what the line says; text is called at every rewrite, from
// the line's own goroutine, so it must be safe for that.
func (s *statusLine) Set(text func() string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.text = text
	s.mu.Unlock()
}

// Say sets a fixed text.
func (s *statusLine) Say(text string) { s.Set(func() string { return text }) }

// Stop erases the line, if it was shown, and ends its goroutine.
func (s *statusLine) Stop() {
	if s == nil {
		return
	}
	select {
	case <-s.stop:
		return // stopped already
	default:
	}
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shown {
		fmt.Fprint(s.w, "\r\x1b[K")
	}
}

// bar draws a progress bar of width cells, done of total.
func bar(done, total, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat(" ", width) + "]"
	}
	n := min(width, done*width/total)
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}
