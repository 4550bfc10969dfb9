package tiny

import (
	"fmt"
	"os"
	"strings"
)

// Count floods stdout and stderr, and is right.
func Count(workers, n int) int {
	line := strings.Repeat("x", 1000)
	for range 2000 {
		fmt.Println(line)
		fmt.Fprintln(os.Stderr, line)
	}
	return workers * n
}
