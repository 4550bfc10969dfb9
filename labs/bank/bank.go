package bank

import (
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is the bank: every variant, in curriculum order, with the
// package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "bank",
	Title:   "Bank transfers",
	Doc:     labs.PackageDoc(docGo),
	Workers: "clerk",
	Ops:     "transfer",
	Defaults: labs.Config{
		Workers: 4,
		Ops:     50,
		Seed:    42,
		// A short pause at each yield point holds a clerk inside its
		// window (between two locks, or between a check and the act) long
		// enough for the others to step in, as the buggy variants need.
		Yield: 50 * time.Microsecond,
	},
	Variants: []labs.Variant{
		fromThenTo,
		checkThenAct,
		global,
		ordered,
		tryBackoff,
		teller,
	},
}

// The bank's size. There are as many accounts as clerks: few enough that
// clerks keep meeting on the same accounts, which is what the bugs need.
const (
	initialBalance = 100 // in every account at the start
	maxAmount      = 60  // a transfer moves 1 to maxAmount
)

// clerk returns the name of clerk i.
func clerk(i int) string { return "clerk " + strconv.Itoa(i) }

// account is one account. Who may touch balance and lowest, and when, is
// what each variant decides.
type account struct {
	id      int
	mu      labs.Mutex // the account's own lock, in variants that lock per account
	balance int
	lowest  int // the lowest balance ever: below zero means an overdraft
}

func (a *account) withdraw(amount int) {
	a.balance -= amount
	a.lowest = min(a.lowest, a.balance)
}

func (a *account) deposit(amount int) {
	a.balance += amount
}

// bank is the Instance every variant returns: the accounts, and per clerk
// how many transfers it made and how many were refused for lack of funds.
type bank struct {
	accounts []account
	made     []int // per clerk, written only by that clerk
	refused  []int // per clerk, written only by that clerk
}

// newBank returns a bank for cfg: one account per clerk, each holding
// initialBalance.
func newBank(cfg labs.Config) *bank {
	b := &bank{
		accounts: make([]account, cfg.Workers),
		made:     make([]int, cfg.Workers),
		refused:  make([]int, cfg.Workers),
	}
	for i := range b.accounts {
		b.accounts[i] = account{id: i, balance: initialBalance, lowest: initialBalance}
	}
	return b
}

// lockEach gives every account its own Mutex, named "account N".
func (b *bank) lockEach(rt labs.Runtime) *bank {
	for i := range b.accounts {
		b.accounts[i].mu = rt.Mutex("account " + strconv.Itoa(i))
	}
	return b
}

// A transferFunc moves amount from one account to another, or refuses
// and returns false when from cannot cover it. w is the clerk doing it.
type transferFunc func(w labs.Worker, from, to *account, amount int) (ok bool)

// hire starts cfg.Workers clerks that each make cfg.Ops transfers with
// transfer.
func (b *bank) hire(rt labs.Runtime, cfg labs.Config, transfer transferFunc) {
	for i := range cfg.Workers {
		rt.Go(clerk(i), func(w labs.Worker) { b.work(w, i, cfg.Ops, transfer) })
	}
}

// work is clerk i's shift: ops transfers of random amounts between random
// distinct accounts.
func (b *bank) work(w labs.Worker, i, ops int, transfer transferFunc) {
	r := w.Rand()
	n := len(b.accounts)
	for range ops {
		from := r.IntN(n)
		to := r.IntN(n - 1)
		if to >= from {
			to++
		}
		amount := 1 + r.IntN(maxAmount)
		labs.Say(w, "transfer %d from account %d to account %d", amount, from, to)
		if transfer(w, &b.accounts[from], &b.accounts[to], amount) {
			b.made[i]++
		} else {
			b.refused[i]++
		}
		w.Progress()
	}
}

// Check reports the bank's invariants (money is neither made nor lost; no
// balance ever went below zero) and counts the transfers.
func (b *bank) Check() labs.Report {
	total, low := 0, 0
	for i, a := range b.accounts {
		total += a.balance
		if a.lowest < b.accounts[low].lowest {
			low = i
		}
	}
	made, refused := 0, 0
	for i := range b.made {
		made += b.made[i]
		refused += b.refused[i]
	}
	want := len(b.accounts) * initialBalance
	lowest := b.accounts[low].lowest
	overdraft := fmt.Sprintf("lowest balance %d", lowest)
	if lowest < 0 {
		overdraft = fmt.Sprintf("account %d went down to %d", low, lowest)
	}
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "money is conserved",
				Expected: fmt.Sprintf("total %d", want),
				Actual:   fmt.Sprintf("total %d", total),
				OK:       total == want,
			},
			{
				Name:     "no overdraft",
				Expected: "no balance below 0",
				Actual:   overdraft,
				OK:       lowest >= 0,
			},
		},
		Metrics: []labs.Metric{
			{Name: "transfers made", Value: strconv.Itoa(made)},
			{Name: "transfers refused (insufficient funds)", Value: strconv.Itoa(refused)},
		},
	}
}
