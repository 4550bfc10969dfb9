//go:build !unix

package grade

// lockFile does nothing where there are no file locks: one grader
// process at a time fills a cache.
func lockFile(string) (func(), error) { return func() {}, nil }
