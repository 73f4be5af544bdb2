// A Node.js program that leaks 50,000 small objects (from leakSessions) per
// capture, beside churn and a stable array, and writes a heap profile after
// each with @datadog/pprof (V8's sampling heap profiler, 64 KiB on average).
// The first capture is taken while the program's first (synchronous) turn
// runs: V8 then names Node's bootstrap frame "(anonymous:L#1:C#1)", and
// "(anonymous)" in the later captures.
//   node --expose-gc leak.js OUT_DIR CAPTURES
const pprof = require('@datadog/pprof');
const fs = require('fs');
const out = process.argv[2] || '.';
const captures = Number(process.argv[3] || 3);
pprof.heap.start(64 * 1024, 64);  // a sample per 64 KiB on average: enough to see each step
const leaked = [];
function leakSessions(n) {
  for (let i = 0; i < n; i++) leaked.push({ id: i, name: 'session-' + i, payload: new Array(16).fill(i) });
}
function churn() {
  let s = 0;
  for (let i = 0; i < 20000; i++) { const o = { a: i, b: [i, i] }; s += o.b.length; }
  return s;
}
const stable = new Array(100000).fill(0).map((_, i) => ({ i }));
async function main() {
  for (let c = 1; c <= captures; c++) {
    leakSessions(50000);
    churn();
    if (global.gc) global.gc();
    const profile = pprof.heap.profile();
    const buf = await pprof.encode(profile);
    fs.writeFileSync(`${out}/node-heap-${c}.pb.gz`, buf);
    await new Promise(r => setTimeout(r, 200));
  }
  console.log('leaked', leaked.length, 'stable', stable.length);
}
main();
