package readerswriters

import "github.com/locklab/locklab/labs"

var keeper = labs.Variant{
	Name:    "keeper",
	Kind:    labs.Cooperative,
	Summary: "one keeper goroutine owns the document and serves reads and writes in the order they arrive",
	Lesson: "Nobody locks anything: the keeper alone touches the document, and readers and writers send it requests over one channel. " +
		"It serves them one at a time, first come first served, so a writer waits only for the requests that came before it, " +
		"however many readers come after: no starvation either way, and no half-written document, because a write is one request. " +
		"The price is that reads no longer run in parallel; that is what a reader/writer lock buys, and what it pays for with the starvation question.",
	File: "labs/readerswriters/keeper.go",
	Play: playKeeper,
}

// request is a message to the keeper: serve reader's read, or a write;
// reply when done.
type request struct {
	reader int // the reader to serve; -1 for a write
	reply  labs.Chan
}

func playKeeper(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lib := newLibrary(rt, cfg)
	requests := rt.Chan("requests", cfg.Workers)
	replies := make([]labs.Chan, cfg.Workers)
	for i := range replies {
		replies[i] = rt.Chan(name(cfg, i)+" reply", 1)
	}
	ask := func(i, reader int) {
		requests.Send(request{reader: reader, reply: replies[i]})
		replies[i].Recv()
	}
	read := func(_ labs.Worker, i int) { ask(i, i) }
	write := func(_ labs.Worker, i int) { lib.waitFor(i, func() { ask(i, -1) }) }
	lib.start(rt, cfg, read, write)
	rt.Go("keeper", func(w labs.Worker) {
		// Every worker makes cfg.Ops requests, one at a time.
		for range cfg.Workers * cfg.Ops {
			v, _ := requests.Recv()
			r := v.(request)
			if r.reader < 0 {
				lib.write(w) // only the keeper touches the document
			} else {
				lib.read(w, r.reader)
			}
			r.reply.Send(true) // never blocks: one reply per request, capacity 1
		}
	})
	return lib
}
