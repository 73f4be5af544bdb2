// Goroutine leaks (issue 31): a series of Go goroutine profiles is ranked
// by its exact counts and named by the code that waits; a goroutine stack
// and a heap site that grow together are said to be related; and `watch
// --pid`'s probe of a process's memory and cgroup.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/allocator_frames.h"
#include "analysis/pipeline.h"
#include "analysis/related.h"
#include "capture/process_probe.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

TEST(GoroutineFramesTest, TheSchedulersFramesAreNotTheName) {
  for (const char* f : {"runtime.gopark", "runtime.chanrecv1", "runtime.selectgo", "sync.(*WaitGroup).Wait",
                        "sync.runtime_Semacquire", "internal/poll.runtime_pollWait", "time.Sleep", "syscall.Syscall"})
    EXPECT_TRUE(IsGoroutineWaitFrame(f)) << f;
  for (const char* f : {"main.waitForReply", "runtime.main", "runtime.gcBgMarkWorker", "net/http.(*conn).serve",
                        "runtime/pprof.writeGoroutine"})
    EXPECT_FALSE(IsGoroutineWaitFrame(f)) << f;
}

TEST(GoroutineFramesTest, TheWaitIsSaidInGosWords) {
  using Stack = std::vector<std::string_view>;
  auto reason = [](Stack s) { return std::string(GoroutineWaitReason(s)); };
  EXPECT_EQ(reason({"runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1", "main.f"}), "chan receive");
  EXPECT_EQ(reason({"runtime.gopark", "runtime.chansend", "runtime.chansend1", "main.f"}), "chan send");
  EXPECT_EQ(reason({"runtime.gopark", "runtime.selectgo", "main.f"}), "select");
  EXPECT_EQ(reason({"runtime.gopark", "runtime.block", "main.f"}), "select (no cases)");
  EXPECT_EQ(reason({"runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "sync.runtime_Semacquire",
                    "sync.(*WaitGroup).Wait", "main.f"}),
            "sync.WaitGroup.Wait");
  EXPECT_EQ(reason({"runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "sync.runtime_SemacquireMutex",
                    "sync.(*Mutex).lockSlow", "sync.(*Mutex).Lock", "main.f"}),
            "sync.Mutex.Lock");
  EXPECT_EQ(reason({"runtime.gopark", "runtime.netpollblock", "internal/poll.runtime_pollWait", "net.(*conn).Read"}),
            "IO wait");
  EXPECT_EQ(reason({"runtime.gopark", "time.Sleep", "main.f"}), "sleep");
  EXPECT_EQ(reason({"main.busy", "main.main"}), "");
}

TrendResult Trend(const std::string& kind, const std::string& sample_index = "") {
  PipelineOptions options;
  options.sample_index = sample_index;
  for (int i = 1; i <= 5; ++i)
    options.profiles.push_back(testing::SourcePath("testdata/goroutines/" + kind + "-" + std::to_string(i) + ".pb.gz"));
  auto analysis = Analyze(options);
  EXPECT_TRUE(analysis.ok()) << analysis.status().message();
  return std::move(analysis->trend);
}

// testdata/goroutines: a live Go service leaking 30 goroutines a second, each
// blocked in main.waitForReply holding a 1 KiB buffer (every allocation profiled).
TEST(GoroutineSeriesTest, TheLeakingStackIsFirstWithItsExactCount) {
  const TrendResult g = Trend("goroutine");
  ASSERT_TRUE(g.aligned.goroutines);
  ASSERT_FALSE(g.sites.empty());
  const TrendNode& top = g.sites.front();
  EXPECT_EQ(g.aligned.frames[top.name_frame].function, "main.waitForReply");
  EXPECT_EQ(top.stats.trend_class, TrendClass::kGrowing);
  // go tool pprof -top goroutine-5.pb.gz: main.waitForReply's cum is 162.
  EXPECT_EQ(top.stats.last, 162);
  EXPECT_FALSE(top.size.objects_estimated);
}

// pprof's habit, -sample_index=goroutine: the same series as without it.
TEST(GoroutineSeriesTest, NamingTheTypeIsTheSameSeries) {
  const TrendResult g = Trend("goroutine", "goroutine");
  ASSERT_TRUE(g.aligned.goroutines);
  EXPECT_EQ(g.aligned.frames[g.sites.front().name_frame].function, "main.waitForReply");
}

TEST(RelatedTest, AGoroutineLeakAndTheHeapItHoldsAreOneLeak) {
  const TrendResult heap = Trend("heap"), g = Trend("goroutine");
  const std::vector<Relation> relations = RelateGoroutinesToHeap(heap, g);
  ASSERT_EQ(relations.size(), 1u);
  const Relation& r = relations.front();
  EXPECT_EQ(r.function, "main.waitForReply");
  EXPECT_EQ(heap.aligned.frames[r.heap_site->name_frame].function, "main.waitForReply");
  EXPECT_EQ(r.shared_captures, 5u);
  EXPECT_GT(r.correlation, 0.99);
  // Each goroutine holds its 1 KiB buffer and, while it waits on the
  // channel, a 96 B sudog (Go reuses some sudogs through its per-P caches):
  // go tool pprof -traces heap-5.pb.gz: 162 x 1kB and 137 x 96B in
  // main.waitForReply. Between 1 and 2 objects, 1,024 to 1,120 B a goroutine
  // (each heap capture is taken just before its goroutine capture).
  EXPECT_GT(r.objects_per_goroutine, 1.5);
  EXPECT_LT(r.objects_per_goroutine, 2.05);
  EXPECT_GT(r.bytes_per_goroutine, 1024 * 0.95);
  EXPECT_LT(r.bytes_per_goroutine, 1120 * 1.05);
  // Nothing relates a heap series to itself, or a goroutine stack to an unrelated site.
  EXPECT_TRUE(RelateGoroutinesToHeap(heap, heap).empty());
}

// A directory that mirrors /proc and /sys for ProbeProcess.
class ProcessProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("probe_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& path, const std::string& text) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << text;
  }
  fs::path root_;
};

TEST_F(ProcessProbeTest, CgroupV2UsageAndTheSmallestLimitAbove) {
  Write("proc/42/status", "Name:\tsvc\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t8\n");
  Write("proc/42/cgroup", "0::/kubepods/pod1/svc\n");
  Write("sys/fs/cgroup/kubepods/pod1/svc/memory.current", "104857600\n");
  Write("sys/fs/cgroup/kubepods/pod1/svc/memory.max", "max\n");
  Write("sys/fs/cgroup/kubepods/pod1/memory.max", "536870912\n");
  Write("sys/fs/cgroup/kubepods/memory.max", "1073741824\n");
  auto p = ProbeProcess(42, root_.string());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->rss, 123456 * 1024);
  EXPECT_EQ(p->cgroup, "/kubepods/pod1/svc");
  EXPECT_EQ(p->cgroup_current, 104857600);
  EXPECT_EQ(p->cgroup_max, 536870912);
}

TEST_F(ProcessProbeTest, CgroupV1AndNoLimit) {
  Write("proc/7/status", "VmRSS:\t  2048 kB\n");
  Write("proc/7/cgroup", "9:name=systemd:/\n4:memory:/app\n0::/\n");
  Write("sys/fs/cgroup/memory/app/memory.usage_in_bytes", "4096\n");
  Write("sys/fs/cgroup/memory/app/memory.limit_in_bytes", "9223372036854771712\n");
  auto p = ProbeProcess(7, root_.string());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rss, 2048 * 1024);
  EXPECT_EQ(p->cgroup, "/app");
  EXPECT_EQ(p->cgroup_current, 4096);
  EXPECT_EQ(p->cgroup_max, -1);  // the page counter's maximum: no limit
}

TEST_F(ProcessProbeTest, AProcessThatIsGoneIsAnError) {
  auto p = ProbeProcess(99, root_.string());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("--pid 99: no such process"), std::string::npos);
  Write("proc/5/status", "VmRSS:\t  1 kB\n");  // no cgroup file: the cgroup is unknown, not an error
  auto q = ProbeProcess(5, root_.string());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->cgroup_current, -1);
  EXPECT_EQ(q->cgroup_max, -1);
}

TEST(ProcessProbeLiveTest, ThisProcess) {
  auto p = ProbeProcess(::getpid());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_GT(p->rss, 0);
}

}  // namespace
}  // namespace pprof_trend
