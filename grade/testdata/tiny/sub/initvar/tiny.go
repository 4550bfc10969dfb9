package tiny

import "fmt"

var greeting = fmt.Sprint("hi")

func init() {}

// Count is right, but the file is flagged.
func Count(workers, n int) int { return workers * n }
