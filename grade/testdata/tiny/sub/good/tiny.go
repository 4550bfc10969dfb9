package tiny

import "sync"

// Count adds n from each of workers goroutines.
func Count(workers, n int) int {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		total int
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}
