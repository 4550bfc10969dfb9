//go:build !race

package native

// raceEnabled reports whether the binary was built with -race.
const raceEnabled = false

// nextRaceGoroutine is only meaningful under -race.
func nextRaceGoroutine() int64 { return 0 }
