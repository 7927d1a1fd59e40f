// bench --instructions reads callgrind's dumps (bench/lib/callgrind.mjs): the total, and V8's
// background JIT compiles counted apart. A misread dump would put a wrong figure in the table.
import t from 'tap'
import { parseDump } from '../../bench/lib/callgrind.mjs'

// The shape callgrind 3.19 writes: compressed names, a call's inclusive cost on the line after `calls=`.
const dump = `# callgrind format
version: 1
positions: line
events: Ir
summary: 1000

fn=(1) node::(anonymous namespace)::PlatformWorkerThread(void*)
0 10
cfn=(2) v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal()
calls=3 0
0 300
cfn=(3) v8::internal::ConcurrentMarking::RunMajor()
calls=1 0
0 50

fn=(2)
0 100
cfn=(4) v8::internal::compiler::PipelineImpl::OptimizeGraph()
calls=2 0
0 200
cfn=(2)
calls=1 0
0 40

fn=(5) v8::internal::maglev::MaglevConcurrentDispatcher::JobTask::Run(v8::JobDelegate*)
0 5
fn=(6) main
0 600
cfn=(5)
calls=1 0
0 25
cfn=(3)
calls=1 0
0 5

totals: 1005
`

t.test('a complete dump: its totals, and the inclusive cost of background compiles, each call counted once', async (t) => {
  // 300 (Turbofan, its nested self-call inside) + 25 (Maglev); marking and the main thread stay in.
  t.same(parseDump(dump), { total: 1005, compile: 325 })
})

t.test('a dump still being written (no totals line yet) is not read', async (t) => {
  t.equal(parseDump(dump.slice(0, dump.indexOf('totals:'))), undefined)
})
