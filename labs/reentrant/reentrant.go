package reentrant

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is the store: every variant, in curriculum order, with the
// package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "reentrant",
	Title:   "Re-entrant calls: a method that holds the lock calls one that takes it",
	Doc:     labs.PackageDoc(docGo),
	Workers: "shopper",
	Ops:     "order",
	Defaults: labs.Config{
		Workers: 3,
		Ops:     20,
		Seed:    42,
		Yield:   20 * time.Microsecond,
	},
	Variants: []labs.Variant{
		doubleLock,
		lockedHelper,
		storekeeper,
	},
}

// The store's size: few items, so that shoppers keep ordering the same
// ones, and stock that runs out before the orders do.
const (
	items        = 3
	initialStock = 20 // units of every item at opening
	maxOrder     = 3  // an order reserves 1 to maxOrder units
)

// shopper returns the name of shopper i.
func shopper(i int) string { return "shopper " + strconv.Itoa(i) }

// shelves is the store's state: how many units of each item are left and
// how many have been reserved. Who may touch it, and when, is what each
// variant decides.
type shelves struct {
	stock    [items]int
	reserved [items]int
}

func newShelves() *shelves {
	s := &shelves{}
	for i := range s.stock {
		s.stock[i] = initialStock
	}
	return s
}

// reserveLocked reserves n units of item if that many are left. The
// caller makes sure nobody else touches the shelves meanwhile.
func (s *shelves) reserveLocked(w labs.Worker, item, n int) bool {
	if s.stock[item] < n {
		return false
	}
	w.Yield() // others may run here, but none can touch the shelves
	s.stock[item] -= n
	s.reserved[item] += n
	return true
}

// An orderFunc places one order: n units of item.
type orderFunc func(w labs.Worker, item, n int) (ok bool)

// shop is the Instance every variant returns: the shelves and, per
// shopper, how many orders it placed and how many were reserved.
type shop struct {
	shelves *shelves
	placed  []int // per shopper, written only by that shopper
	granted []int // per shopper, written only by that shopper
}

func newShop(cfg labs.Config) *shop {
	return &shop{shelves: newShelves(), placed: make([]int, cfg.Workers), granted: make([]int, cfg.Workers)}
}

// open starts cfg.Workers shoppers that each place cfg.Ops orders of
// random items and sizes with order.
func (sh *shop) open(rt labs.Runtime, cfg labs.Config, order orderFunc) {
	for i := range cfg.Workers {
		rt.Go(shopper(i), func(w labs.Worker) {
			r := w.Rand()
			for range cfg.Ops {
				if order(w, r.IntN(items), 1+r.IntN(maxOrder)) {
					sh.granted[i]++
				}
				sh.placed[i]++
				w.Progress()
			}
		})
	}
}

// Check reports the invariants (no item reserved beyond its stock; stock
// and reservations add up to the opening stock; every order placed) and
// the orders granted.
func (sh *shop) Check() labs.Report {
	s := sh.shelves
	low, sums := 0, true
	var left []string
	for i := range s.stock {
		low = min(low, s.stock[i])
		sums = sums && s.stock[i]+s.reserved[i] == initialStock
		left = append(left, strconv.Itoa(s.stock[i]))
	}
	placed, granted := 0, 0
	for i := range sh.placed {
		placed += sh.placed[i]
		granted += sh.granted[i]
	}
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "no item reserved beyond its stock",
				Expected: "stock >= 0",
				Actual:   fmt.Sprintf("lowest stock %d", low),
				OK:       low >= 0,
			},
			{
				Name:     "stock and reservations add up",
				Expected: fmt.Sprintf("%d of every item", initialStock),
				Actual:   fmt.Sprintf("add up: %v", sums),
				OK:       sums,
			},
		},
		Metrics: []labs.Metric{
			{Name: "orders placed", Value: strconv.Itoa(placed)},
			{Name: "orders granted", Value: strconv.Itoa(granted)},
			{Name: "stock left", Value: strings.Join(left, " ")},
		},
	}
}
