package tiny

// Count is right but leaves a goroutine behind.
func Count(workers, n int) int {
	go func() { select {} }()
	return workers * n
}
