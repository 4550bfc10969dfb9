package race

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

// What the race detector's verdict means, by bug class, for a buggy
// variant it is rightly silent on.
const (
	// dataRaceVsRaceCondition is the distinction every silent buggy
	// variant's note ends on.
	dataRaceVsRaceCondition = "A data race is two accesses to the same memory, at least one a write, " +
		"that nothing orders: no lock, channel or atomic operation between them. " +
		"A race condition is a result that depends on the timing of the workers, " +
		"and it can happen under correct locking. "

	noteAtomicity = "The race detector is silent here by design: every read and write of shared state " +
		"happens under a lock, so there is no data race to report. " + dataRaceVsRaceCondition +
		"This bug is a race condition without a data race, an atomicity violation: the check and the act " +
		"are each locked, but not together, so another worker can act in between. " +
		"Locking every access does not make a sequence of accesses atomic; " +
		"the scenario's invariants (or the explorer, trying interleavings) catch it."

	noteLostUpdate = "The race detector is silent here by design: every access to the shared state is " +
		"ordered by a lock or a channel, so there is no data race to report. " + dataRaceVsRaceCondition +
		"Here a read and the write that depends on it are not one atomic step, so updates are lost: " +
		"a race condition without a data race, which the scenario's invariants catch."

	noteCooperative = "The race detector is silent here by design: only one worker runs at a time, and each " +
		"handoff of control from the scheduler is a synchronization, so every access is ordered and there " +
		"is no data race to report. " + dataRaceVsRaceCondition +
		"Here a worker reads, yields (like an await), and writes back a stale value: updates are lost " +
		"although nothing ever runs in parallel, a race condition without a data race."

	noteDeadlock = "The race detector is silent here, as it should be: a deadlock is not a data race. " +
		"The workers wait for each other's locks, and the locks order every access they make. " +
		"The wait-for graph of locklab run reports the cycle."

	noteLivelock = "The race detector is silent here, as it should be: a livelock is not a data race. " +
		"The workers keep taking and giving back locks, and the locks order every access they make. " +
		"The watchdog of locklab run sees that nobody gets anything done."

	noteStarvation = "The race detector is silent here, as it should be: starvation is not a data race. " +
		"Every access is ordered by a lock; some workers just get it far less often than others."

	noteOtherBug = "The race detector is silent here, as it should be: every access to shared state is " +
		"ordered, so there is no data race. The bug is of another kind; see the lesson."

	noteUnexpected = "The catalog says this variant has no data race, yet the race detector reported one. " +
		"That is a bug in the variant, or in its declaration: please report it."
)

// note returns what the race detector's verdict on o means for v.
func note(v *labs.Variant, o *Observation) string {
	switch {
	case o.Expected && !o.Raced():
		runs := fmt.Sprintf("none of the %d runs", o.Runs)
		if o.Runs == 1 {
			runs = "the one run"
		}
		return fmt.Sprintf("The catalog says this variant races, but %s drew no report. "+
			"The race detector sees only accesses that really happen in a run, without anything ordering them; "+
			"try more runs (--runs).", runs)
	case o.Expected && !o.Agrees:
		return fmt.Sprintf("The race detector reported races, but none in %s, where the catalog says the variant races. "+
			"That is a bug in the variant, or in its declaration: please report it.", v.File)
	case o.Expected:
		return ""
	case o.Raced():
		return noteUnexpected
	case v.Kind != labs.Buggy:
		return ""
	}
	if v.Controlled && v.Bug == labs.LostUpdate {
		return noteCooperative
	}
	switch v.Bug {
	case labs.AtomicityViolation:
		return noteAtomicity
	case labs.LostUpdate:
		return noteLostUpdate
	case labs.CircularWait:
		return noteDeadlock
	case labs.Livelock:
		return noteLivelock
	case labs.Starvation:
		return noteStarvation
	}
	return noteOtherBug
}
