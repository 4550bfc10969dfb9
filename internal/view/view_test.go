package view

import (
	"testing"

	"github.com/locklab/locklab/labs"
)

func ev(worker, op, target, value string, holds ...string) labs.Event {
	return labs.Event{Worker: worker, Op: op, Target: target, Value: value, Holds: holds}
}

func TestLostWrites(t *testing.T) {
	events := []labs.Event{
		ev("w0", "read", "count", "5"),
		ev("w1", "read", "count", "5"),
		ev("w1", "write", "count", "6"),
		ev("w0", "write", "count", "6"), // overwrites w1's
		ev("w1", "read", "count", "6"),
		ev("w1", "write", "count", "7"), // its own read was fresh
	}
	got := LostWrites(events)
	if len(got) != 1 || got[3] != (Overwrite{By: "w0", Over: "w1", Value: "6"}) {
		t.Errorf("LostWrites = %+v; want only event 3, overwriting w1's 6", got)
	}
}

func TestHolds(t *testing.T) {
	events := []labs.Event{
		ev("w0", "lock", "a", ""),
		ev("w0", "lock", "b", "", "a"),
		ev("w0", "unlock", "b", "", "a"),
		ev("w1", "trylock fail", "a", ""),
	}
	got := Holds(events)
	if len(got) != 2 || got[0] != (Hold{Worker: "w0", Lock: "a", From: 0, To: 3, Open: true}) || got[1] != (Hold{Worker: "w0", Lock: "b", From: 1, To: 2}) {
		t.Errorf("Holds = %+v", got)
	}
}

func TestLockOrderFromEvents(t *testing.T) {
	events := []labs.Event{
		ev("w0", "lock", "a", ""), ev("w0", "lock", "b", "", "a", "b"),
		ev("w1", "lock", "b", ""), ev("w1", "blocked", "a", "", "b"),
		ev("w2", "lock", "c", ""), ev("w2", "lock", "d", "", "c", "d"),
	}
	got := orderFromEvents(events)
	want := []Edge{{From: "a", To: "b", Cycle: true}, {From: "b", To: "a", Cycle: true}, {From: "c", To: "d"}}
	if len(got) != len(want) {
		t.Fatalf("orderFromEvents = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i].From != want[i].From || got[i].To != want[i].To || got[i].Cycle != want[i].Cycle {
			t.Errorf("edge %d = %+v; want %+v", i, got[i], want[i])
		}
	}
}
