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

// stageTask is a task of n stages that must all run at the same time
// (pipeline stages that wait on each other).
type stageTask interface {
	runStage(s int)
}

// stageHelper is a goroutine that runs one stage at a time. Each stage of
// a stageTask gets a helper of its own: the shared workers of parallelFor
// may run two jobs one after the other, which would deadlock stages that
// wait on each other.
type stageHelper struct {
	jobs chan stageJob
}

type stageJob struct {
	task stageTask
	s    int
	wg   *sync.WaitGroup
}

// idleHelpers holds the helpers not running a stage; helpers beyond its
// capacity exit when their stage is done.
var idleHelpers = make(chan *stageHelper, 64)

func (h *stageHelper) loop() {
	for j := range h.jobs {
		j.task.runStage(j.s)
		// Back among the idle helpers before the caller learns that the
		// stage is done, so that its next call finds the helper there
		// rather than starting another goroutine.
		select {
		case idleHelpers <- h:
			j.wg.Done()
		default:
			j.wg.Done()
			return
		}
	}
}

// runStages runs stages 1..n-1 of task on helper goroutines and stage 0
// on the calling goroutine, all at once, and returns when every stage has
// returned. It allocates nothing once enough helpers exist.
func runStages(task stageTask, n int, wg *sync.WaitGroup) {
	wg.Add(n - 1)
	for s := 1; s < n; s++ {
		var h *stageHelper
		select {
		case h = <-idleHelpers:
		default:
			h = &stageHelper{jobs: make(chan stageJob)}
			go h.loop()
		}
		h.jobs <- stageJob{task: task, s: s, wg: wg}
	}
	task.runStage(0)
	wg.Wait()
}
