// jit: one leak that V8's optimizing compiler moves from one stack to
// another. openSession() allocates the objects that serveRequests() keeps;
// while the code is cold V8's sampling heap profiler sees them under
// openSession; once TurboFan inlines openSession into serveRequests, they are
// sampled under serveRequests alone (the profiler walks frames, not the
// functions inlined into them).
//   node --expose-gc jit.js OUT_DIR CAPTURES
const pprof = require('@datadog/pprof');
const fs = require('fs');
const out = process.argv[2] || '.';
const captures = Number(process.argv[3] || 6);
pprof.heap.start(16 * 1024, 64);
const sessions = [];
function openSession(i) {
  return { id: i, user: 'user-' + i, started: i * 2, tags: [i, i + 1, i + 2] };
}
function serveRequests(n) {
  for (let i = 0; i < n; i++) sessions.push(openSession(i));
}
async function main() {
  for (let c = 1; c <= captures; c++) {
    // Few calls per capture at first (interpreted), then many: hot enough to inline.
    for (let k = 0; k < 200; k++) serveRequests(c <= 2 ? 20 : 2000);
    if (global.gc) global.gc();
    const buf = await pprof.encode(pprof.heap.profile());
    fs.writeFileSync(`${out}/jit-${c}.pb.gz`, buf);
    await new Promise(r => setTimeout(r, 100));
  }
}
main();
