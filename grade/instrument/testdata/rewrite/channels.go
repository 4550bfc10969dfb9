package sub

import (
	"fmt"
	"sync"
	"time"
)

type pool struct {
	jobs    chan int
	results chan<- string
	done    <-chan struct{}
	mu      sync.RWMutex
	cond    *sync.Cond
	once    sync.Once
}

var sem = make(chan struct{}, 1)

func (p *pool) work() {
	sem <- struct{}{}       // L21
	<-sem                   // L22
	for j := range p.jobs { // L23
		select { // L24
		case p.results <- fmt.Sprint(j): // L25
		case <-p.done: // L26
			return
		case v, ok := <-p.jobs: // L28
			_, _ = v, ok
		case <-time.After(time.Second): // L30
		default: // L31
		}
	}
	if len(p.jobs) == cap(p.jobs) { // L34
		close(p.jobs) // L35
	}
	p.mu.RLock()                          // L37
	defer p.mu.RUnlock()                  // L38
	p.once.Do(func() { p.cond.Signal() }) // L39
	var x int
	select { // L41
	case x = <-p.jobs: // L42
	}
	_ = x
	go fmt.Println("hi", 1, nil) // L45
	go p.work()                  // L46
	select {}                    // L47
}
