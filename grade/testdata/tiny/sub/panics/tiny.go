package tiny

// Count panics.
func Count(workers, n int) int {
	panic("boom")
}
