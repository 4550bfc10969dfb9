//go:build race

package detector

// raceBuild is whether the binary was built with -race.
const raceBuild = true

// stickySlots is whether goroutines keep their lock-order slot while they
// hold nothing. Race builds give it back at once: reclaiming a slot reads
// what an exited goroutine wrote, which the race detector cannot know is
// safe.
const stickySlots = false
