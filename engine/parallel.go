package engine

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// batchTask scores examples [lo, hi) of one call. Implementations keep
// everything they need (inputs, outputs, model) in their own fields so that
// handing them to the workers allocates nothing.
type batchTask interface {
	run(lo, hi int) error
}

type job struct {
	task batchTask
	lo   int
	hi   int
	call *batchCall
}

// batchCall is the shared state of one parallelFor call.
type batchCall struct {
	wg  sync.WaitGroup
	err atomic.Pointer[error]
}

var (
	workersOnce sync.Once
	jobs        chan job
	callPool    = sync.Pool{New: func() any { return new(batchCall) }}
)

func startWorkers() {
	n := runtime.GOMAXPROCS(0)
	jobs = make(chan job, 4*n)
	for i := 0; i < n; i++ {
		go func() {
			for j := range jobs {
				if err := j.task.run(j.lo, j.hi); err != nil {
					e := err // only a failing job moves its error to the heap
					j.call.err.CompareAndSwap(nil, &e)
				}
				j.call.wg.Done()
			}
		}()
	}
}

// parallelFor runs task over [0, n) in chunks of at least grain examples,
// spread over the cores (a fixed pool of GOMAXPROCS workers), and returns
// the first error. Small batches run on the calling goroutine.
func parallelFor(ctx context.Context, n, grain int, task batchTask) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := runtime.GOMAXPROCS(0)
	if p == 1 || n < 2*grain {
		return task.run(0, n)
	}
	workersOnce.Do(startWorkers)
	chunks := min(p*4, n/grain)
	call := callPool.Get().(*batchCall)
	call.err.Store(nil)
	call.wg.Add(chunks)
	for c := 0; c < chunks; c++ {
		jobs <- job{task: task, lo: c * n / chunks, hi: (c + 1) * n / chunks, call: call}
	}
	call.wg.Wait()
	var err error
	if e := call.err.Load(); e != nil {
		err = *e
	}
	callPool.Put(call)
	return err
}
