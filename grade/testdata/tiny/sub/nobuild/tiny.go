package tiny

// Count does not compile.
func Count(workers, n int) int {
	return "many"
}
