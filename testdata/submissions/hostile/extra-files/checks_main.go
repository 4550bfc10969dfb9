// A submission's own "checks program", hoping to replace the grader's:
// the grader copies only counter.go, so this file is never built.
package main

import "fmt"

func main() { fmt.Println("all checks passed") }
