package reentrant

import "github.com/locklab/locklab/labs"

var storekeeper = labs.Variant{
	Name:    "storekeeper",
	Kind:    labs.Cooperative,
	Summary: "one storekeeper goroutine owns the shelves; shoppers send it orders over a channel",
	Lesson: "Only the storekeeper reads or writes the shelves, so there is no lock, and nothing to take twice: " +
		"while it handles an order it may call its helpers in any order and as often as it likes. " +
		"Shoppers send orders over a channel and wait for the answer; the storekeeper handles one order at a time. " +
		"A shopper holds nothing while it waits, and the storekeeper never waits for a shopper, so no wait can be circular.",
	File: "labs/reentrant/storekeeper.go",
	Play: playStorekeeper,
}

// order is a shopper's request to the storekeeper: n units of item, the
// answer on reply. A nil reply says the shopper is done.
type order struct {
	item, n int
	reply   labs.Chan
}

// available and reserve are the storekeeper's helpers: only it calls them,
// one order at a time.
func (s *shelves) available(item int) int { return s.stock[item] }

func (s *shelves) reserve(w labs.Worker, item, n int) bool {
	if s.available(item) < n { // a helper calling a helper: nothing to lock
		return false
	}
	return s.reserveLocked(w, item, n)
}

func playStorekeeper(rt labs.Runtime, cfg labs.Config) labs.Instance {
	sh := newShop(cfg)
	orders := rt.Chan("orders", cfg.Workers)
	for i := range cfg.Workers {
		rt.Go(shopper(i), func(w labs.Worker) {
			reply := rt.Chan(shopper(i)+" reply", 1)
			r := w.Rand()
			for range cfg.Ops {
				orders.Send(order{item: r.IntN(items), n: 1 + r.IntN(maxOrder), reply: reply})
				if ok, _ := reply.Recv(); ok.(bool) {
					sh.granted[i]++
				}
				sh.placed[i]++
				w.Progress()
			}
			orders.Send(order{}) // done shopping
		})
	}
	rt.Go("storekeeper", func(w labs.Worker) {
		for open := cfg.Workers; open > 0; {
			v, _ := orders.Recv()
			o := v.(order)
			if o.reply == nil {
				open--
				continue
			}
			o.reply.Send(sh.shelves.reserve(w, o.item, o.n))
		}
	})
	return sh
}
