//go:build !race

package detector

// raceBuild is whether the binary was built with -race.
const raceBuild = false

// stickySlots is whether goroutines keep their lock-order slot while they
// hold nothing (see slotTable).
const stickySlots = true
