// inspect's totals and flat/cum values must equal what `go tool pprof -top`
// prints for the same file. The reference numbers below were computed once
// with Go 1.19.8 (Debian golang-go) on the bundled captures:
//
//   go tool pprof -top -nodefraction=0 -unit=B testdata/sarama/dayN.pb.gz
//   go tool pprof -top -nodefraction=0 -sample_index=S [-unit=B] testdata/sarama/dayN.pb.gz
//     (S = inuse_objects, alloc_space, alloc_objects: the "N total" figure)
#include "output/inspect.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "input/load.h"
#include "input/profile_reader.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

struct PprofReference {
  int day;
  int64_t alloc_objects, alloc_space, inuse_objects, inuse_space;
  // flat of the top 8 functions (-top order), then cum of runtime.main.
  std::vector<std::pair<std::string, int64_t>> flat;
  int64_t runtime_main_cum;
};

const std::vector<PprofReference>& References() {
  static const std::vector<PprofReference> refs = {
      {1,
       72915,
       520554752,
       64548,
       205467028,
       {{"github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer", 150994960},
        {"main.buildCompactIndex", 25098232},
        {"main.recordSession", 13110400},
        {"github.com/Shopify/sarama.(*asyncProducer).newTopicProducer", 8388608},
        {"main.loadCache", 6297602},
        {"main.decodeRequest", 528394},
        {"runtime.malg", 524496},
        {"runtime.main", 524336}},
       45558964},
      {2,
       174621,
       989379611,
       113557,
       318725868,
       {{"github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer", 260046877},
        {"main.recordSession", 25696384},
        {"main.buildCompactIndex", 14501200},
        {"github.com/Shopify/sarama.(*asyncProducer).newTopicProducer", 8388608},
        {"main.loadCache", 6297602},
        {"main.decodeRequest", 2746365},
        {"runtime.malg", 524496},
        {"runtime.main", 524336}},
       49765887},
      {3,
       243622,
       1366777459,
       162634,
       358182046,
       {{"github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer", 293601313},
        {"main.recordSession", 38282368},
        {"main.buildCompactIndex", 9481554},
        {"github.com/Shopify/sarama.(*asyncProducer).newTopicProducer", 8388608},
        {"main.loadCache", 6297602},
        {"main.decodeRequest", 1081769},
        {"runtime.malg", 524496},
        {"runtime.main", 524336}},
       55667629},
  };
  return refs;
}

// Read both ways: decoded whole, and with the samples left on the wire (as
// the inspect command reads them).
TEST(InspectTest, TotalsAndFlatValuesEqualGoToolPprof) {
  for (const bool on_wire : {false, true})
    for (const auto& ref : References()) {
      SCOPED_TRACE("day" + std::to_string(ref.day) + (on_wire ? ", samples on the wire" : ""));
      LoadOptions options;
      options.samples_on_wire = on_wire;
      auto profile = LoadProfile(testing::SaramaDay(ref.day), options);
      ASSERT_TRUE(profile.ok()) << profile.status().message();
      ASSERT_EQ(profile->wire != nullptr, on_wire);
      InspectSummary s = Summarize(*profile, 10, /*node_fraction=*/0);  // as go tool pprof -top -nodefraction=0
      ASSERT_EQ(s.sample_types.size(), 4u);
      EXPECT_EQ(s.sample_types[s.default_index].type, "inuse_space");
      EXPECT_EQ(s.totals,
                (std::vector<int64_t>{ref.alloc_objects, ref.alloc_space, ref.inuse_objects, ref.inuse_space}));
      ASSERT_GE(s.top.size(), ref.flat.size());
      for (size_t i = 0; i < ref.flat.size(); ++i) {
        EXPECT_EQ(s.top[i].name, ref.flat[i].first) << "row " << i;
        EXPECT_EQ(s.top[i].flat, ref.flat[i].second) << "row " << i;
      }
      EXPECT_EQ(s.top[7].cum, ref.runtime_main_cum);
    }
}

TEST(InspectTest, RendersPprofStyleUnitsAndPercentages) {
  auto profile = LoadProfile(testing::SaramaDay(3), LoadOptions{});
  ASSERT_TRUE(profile.ok());
  std::string text = RenderInspect(Summarize(*profile, 10, /*node_fraction=*/0));
  // The same figures `go tool pprof -top -nodefraction=0 day3.pb.gz` prints (MB there is MiB).
  EXPECT_NE(text.find("  280MiB 81.97% 81.97%     280MiB 81.97%  github.com/Shopify/sarama.(*asyncProducer)."
                      "newPartitionProducer"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" 1.03MiB   0.3% 99.71%    1.03MiB   0.3%  main.decodeRequest"), std::string::npos) << text;
  EXPECT_NE(text.find(" 0.50MiB  0.15%   100%   53.09MiB 15.54%  runtime.main"), std::string::npos) << text;
  EXPECT_NE(text.find("inuse_space/bytes (default)"), std::string::npos);
  EXPECT_NE(text.find("captured      2022-02-15 02:00:00 UTC"), std::string::npos);
}

// A profile large enough to be summed in two halves on two threads (read on
// the wire, as the command line reads it): the totals, flat and cum equal a
// plain count of the same samples, recursion counted once towards cum.
TEST(InspectTest, LargeProfileSummedInSlicesEqualsAPlainCount) {
  std::mt19937 random(5);
  testing::ProfileSpec spec;
  constexpr int kFunctions = 40;
  std::vector<int64_t> totals(4, 0);
  std::map<std::string, std::pair<int64_t, int64_t>> expected;  // name -> flat, cum (inuse_space)
  for (int i = 0; i < 120000; ++i) {
    testing::TestSample sample;
    const int depth = 1 + static_cast<int>(random() % 8);
    for (int d = 0; d < depth; ++d)  // functions repeat: recursion
      sample.stack.push_back({"fn" + std::to_string(random() % kFunctions), "a.go", 1 + d});
    for (int t = 0; t < 4; ++t) sample.values.push_back(static_cast<int64_t>(random() % 100000) - 1000);
    for (int t = 0; t < 4; ++t) totals[static_cast<size_t>(t)] += sample.values[static_cast<size_t>(t)];
    const int64_t v = sample.values[3];
    expected[sample.stack.front().function].first += v;
    std::set<std::string> seen;
    for (const auto& frame : sample.stack)
      if (seen.insert(frame.function).second) expected[frame.function].second += v;
    spec.samples.push_back(std::move(sample));
  }
  auto profile = DecodePprofOnWire(testing::BuildProfile(spec), "large.pb");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  ASSERT_TRUE(profile->wire != nullptr);
  const InspectSummary s = Summarize(*profile, 1000, /*node_fraction=*/0);
  EXPECT_EQ(s.totals, totals);
  ASSERT_EQ(s.top.size(), expected.size());
  for (const FunctionTotals& f : s.top) {
    ASSERT_TRUE(expected.count(f.name)) << f.name;
    EXPECT_EQ(f.flat, expected[f.name].first) << f.name;
    EXPECT_EQ(f.cum, expected[f.name].second) << f.name;
  }
}

}  // namespace
}  // namespace pprof_trend
