package boundedbuffer

import "github.com/locklab/locklab/labs"

var channel = labs.Variant{
	Name:    "channel",
	Kind:    labs.Cooperative,
	Summary: "a buffered channel is a bounded buffer: no lock, no condition variable",
	Lesson: "A Go channel with capacity N is exactly a bounded buffer of N: a send blocks while it is full, a receive while it is empty, " +
		"and the runtime wakes the right goroutine, once, with no condition to re-check and no lock to hold. " +
		"Everything the other variants get right or wrong by hand is built in: the waiting, the waking, the counting. " +
		"Reach for a Cond only when the condition is more than full or empty.",
	File: "labs/boundedbuffer/channel.go",
	Play: playChannel,
}

// chanBuffer is a buffered channel.
type chanBuffer struct{ ch labs.Chan }

func (b chanBuffer) Put(_ labs.Worker, item int) { b.ch.Send(item) }

func (b chanBuffer) Get(labs.Worker) int {
	v, _ := b.ch.Recv()
	return v.(int)
}

func playChannel(rt labs.Runtime, cfg labs.Config) labs.Instance {
	l := newLine(cfg)
	l.start(rt, cfg, chanBuffer{rt.Chan("buffer", capacity)})
	return l
}
