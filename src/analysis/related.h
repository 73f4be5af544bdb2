// A goroutine leak and a heap leak that are one leak: a goroutine stack and
// a heap site that grow at the same pace through the same function (each
// leaked goroutine holding what it allocated while it waits).
//
// Related: both grew; the function that names the goroutine stack (the code
// that waits) is on the heap site's call path; and over the captures the
// two series share (a heap capture and a goroutine capture at most half the
// smallest gap between heap captures apart), the heap site's objects (its
// bytes without an objects type) follow the goroutine count: Pearson's
// r >= 0.9 over three or more such captures.
#pragma once

#include <string>
#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

struct Relation {
  const TrendNode* goroutine_stack = nullptr;
  const TrendNode* heap_site = nullptr;
  std::string function;              // the shared function (the goroutine stack's name)
  double correlation = 0;            // Pearson's r of the two series at the shared captures
  double objects_per_goroutine = 0;  // heap objects grown per goroutine grown, first -> last shared capture
  double bytes_per_goroutine = 0;    // heap bytes grown per goroutine grown
  size_t shared_captures = 0;
};

// At most the first `max_each` growing nodes of each series are compared.
std::vector<Relation> RelateGoroutinesToHeap(const TrendResult& heap, const TrendResult& goroutines,
                                             size_t max_each = 20);

}  // namespace pprof_trend
