package tiny

import "sync"

// Count adds n from each of workers goroutines, without a lock.
func Count(workers, n int) int {
	var (
		wg    sync.WaitGroup
		total int
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			total += n
		}()
	}
	wg.Wait()
	return total
}
