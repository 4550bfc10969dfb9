//go:build race

package native

import "runtime/metrics"

// raceEnabled reports whether the binary was built with -race.
const raceEnabled = true

var createdSample = []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}

// nextRaceGoroutine predicts the number the race detector will give the
// next goroutine created. ThreadSanitizer numbers goroutines itself, in
// creation order, without reuse, the main goroutine being 1: the next one
// is the count of goroutines created so far plus 2. This held on go1.26
// for any number of earlier goroutines; labs/race checks it against real
// reports, so a toolchain that changes it fails a test rather than
// misnaming workers. Call it just before the go statement, from the one
// goroutine that starts workers.
func nextRaceGoroutine() int64 {
	metrics.Read(createdSample)
	if createdSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(createdSample[0].Value.Uint64()) + 2
}
