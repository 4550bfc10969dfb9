package shim

import (
	"iter"
	"reflect"
	"unsafe"

	"github.com/locklab/locklab/labs"
)

// Chan is an instrumented channel, made by C, CS or CR from a channel of
// any direction: sends, receives, close, len, cap and range over the
// channel go through it. Under the controlled scheduler the channel's
// state is the scheduler's (found by the channel's address, so that the
// same channel seen with any direction is one channel); natively the
// operations are the channel's own, and a blocked one gives control back
// when the run is aborted.
type Chan[T any] struct {
	ch   chan T // nil for a nil channel
	site int
}

// C returns the Chan of a bidirectional channel.
func C[T any](ch chan T, site int) Chan[T] { return Chan[T]{ch: ch, site: site} }

// CS returns the Chan of a send-only channel.
func CS[T any](ch chan<- T, site int) Chan[T] {
	return Chan[T]{ch: *(*chan T)(unsafe.Pointer(&ch)), site: site}
}

// CR returns the Chan of a receive-only channel.
func CR[T any](ch <-chan T, site int) Chan[T] {
	return Chan[T]{ch: *(*chan T)(unsafe.Pointer(&ch)), site: site}
}

// explored returns the scheduler's channel for c, or nil when not
// exploring, or when c is a nil channel (ok then tells them apart).
func (c Chan[T]) explored() (labs.Chan, bool) {
	if !Exploring() {
		return nil, false
	}
	if c.ch == nil {
		return nil, true
	}
	o, fresh := explored(c.ch, "channel", func(rt labs.Runtime, name string) any {
		return rt.Chan(name, cap(c.ch))
	})
	ec := o.(labs.Chan)
	if fresh {
		// What the channel held when the schedule first met it (values
		// sent before the run, a close) becomes the scheduler's.
		for {
			select {
			case v, ok := <-c.ch:
				if !ok {
					ec.Close()
					return ec, true
				}
				ec.Send(v)
				continue
			default:
			}
			break
		}
	}
	return ec, true
}

func as[T any](v any) T {
	t, _ := v.(T)
	return t
}

// blockForever is a send or receive on a nil channel.
func blockForever() {
	if e := st().exp; e != nil && e.Current() != nil {
		e.Select()
	}
	<-Abort()
	Aborted()
}

// Send sends v, as ch <- v.
func (c Chan[T]) Send(v T) {
	if ec, ok := c.explored(); ok {
		if ec == nil {
			blockForever()
		}
		ec.Send(v)
		return
	}
	select {
	case c.ch <- v:
	case <-Abort():
		Aborted()
	}
}

// Recv receives, as <-ch.
func (c Chan[T]) Recv() T {
	v, _ := c.Recv2()
	return v
}

// Recv2 receives, as v, ok := <-ch.
func (c Chan[T]) Recv2() (T, bool) {
	if ec, ok := c.explored(); ok {
		if ec == nil {
			blockForever()
		}
		v, ok := ec.Recv()
		c.afterTimer()
		return as[T](v), ok
	}
	select {
	case v, ok := <-c.ch:
		return v, ok
	case <-Abort():
		Aborted()
	}
	panic("unreachable")
}

// afterTimer makes a receive from a timer's channel a spin of the worker.
func (c Chan[T]) afterTimer() {
	if c.ch != nil && st().timers[addr(c.ch)] {
		yieldPoint()
	}
}

// Close closes the channel, as close(ch).
func (c Chan[T]) Close() {
	if ec, ok := c.explored(); ok && ec != nil {
		ec.Close()
		return
	}
	close(c.ch)
}

// Len returns the number of buffered values, as len(ch).
func (c Chan[T]) Len() int {
	if ec, ok := c.explored(); ok && ec != nil {
		if l, ok := ec.(interface{ Len() int }); ok {
			return l.Len()
		}
	}
	return len(c.ch)
}

// Cap returns the buffer's capacity, as cap(ch).
func (c Chan[T]) Cap() int { return cap(c.ch) }

// Range returns the values received until the channel is closed, as
// for v := range ch.
func (c Chan[T]) Range() iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, ok := c.Recv2()
			if !ok || !yield(v) {
				return
			}
		}
	}
}

// Case is one case of Select, made by a Chan's SendCase or RecvCase.
type Case interface {
	native() reflect.SelectCase
	explored() (labs.SelectCase, bool)
	received(v any, ok bool)
}

// SendCase is a select case that sends.
type SendCase[T any] struct {
	c Chan[T]
	v T
}

// SendCase returns the case "case ch <- v".
func (c Chan[T]) SendCase(v T) *SendCase[T] { return &SendCase[T]{c: c, v: v} }

func (s *SendCase[T]) native() reflect.SelectCase {
	return reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(s.c.ch), Send: reflect.ValueOf(&s.v).Elem()}
}

func (s *SendCase[T]) explored() (labs.SelectCase, bool) {
	ec, ok := s.c.explored()
	return labs.SelectCase{Dir: labs.SelectSend, Chan: ec, Send: s.v}, ok
}

func (s *SendCase[T]) received(any, bool) {}

// RecvCase is a select case that receives; after Select chose it, V and
// OK hold what was received.
type RecvCase[T any] struct {
	c  Chan[T]
	V  T
	OK bool
}

// RecvCase returns the case "case v, ok := <-ch".
func (c Chan[T]) RecvCase() *RecvCase[T] { return &RecvCase[T]{c: c} }

func (r *RecvCase[T]) native() reflect.SelectCase {
	return reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.c.ch)}
}

func (r *RecvCase[T]) explored() (labs.SelectCase, bool) {
	ec, ok := r.c.explored()
	return labs.SelectCase{Dir: labs.SelectRecv, Chan: ec}, ok
}

func (r *RecvCase[T]) received(v any, ok bool) { r.V, r.OK = as[T](v), ok }

func (r *RecvCase[T]) afterTimer() { r.c.afterTimer() }

// Select does a select statement over cases, with a default case when
// hasDefault, and returns the index of the case that proceeded, or -1 for
// the default.
func Select(hasDefault bool, cases ...Case) int {
	if Exploring() {
		lc := make([]labs.SelectCase, 0, len(cases)+1)
		for _, c := range cases {
			x, _ := c.explored()
			lc = append(lc, x)
		}
		if hasDefault {
			lc = append(lc, labs.SelectCase{Dir: labs.SelectDefault})
		}
		i, v, ok := st().exp.Select(lc...)
		if i >= len(cases) {
			return -1
		}
		cases[i].received(v, ok)
		if r, isRecv := cases[i].(interface{ afterTimer() }); isRecv {
			r.afterTimer()
		}
		return i
	}
	rc := make([]reflect.SelectCase, 0, len(cases)+2)
	for _, c := range cases {
		rc = append(rc, c.native())
	}
	abort := len(rc)
	rc = append(rc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(Abort())})
	if hasDefault {
		rc = append(rc, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	i, v, ok := reflect.Select(rc)
	switch {
	case i == abort:
		Aborted()
	case i > abort:
		return -1
	}
	if ok {
		cases[i].received(v.Interface(), true)
	} else {
		cases[i].received(nil, false)
	}
	return i
}
