package detector

// FindCycle looks for a path from start back to start in a wait-for graph
// given by waitsFor, which returns the nodes a node waits for and whether
// it waits at all (a node that runs is in no cycle). It returns the nodes
// of the first cycle found by depth-first search, start first, or nil.
// Both the Detector's wait-for graph and the controlled scheduler of
// labs/explore use it, so their deadlock findings cannot drift apart.
func FindCycle[N comparable](start N, waitsFor func(N) ([]N, bool)) []N {
	visited := map[N]bool{}
	var path []N
	var dfs func(n N) bool
	dfs = func(n N) bool {
		next, waiting := waitsFor(n)
		if !waiting {
			return false
		}
		visited[n] = true
		path = append(path, n)
		for _, m := range next {
			if m == start {
				return true
			}
			if !visited[m] && dfs(m) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if dfs(start) {
		return path
	}
	return nil
}
