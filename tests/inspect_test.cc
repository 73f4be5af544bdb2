// inspect's totals and flat/cum values must equal what `go tool pprof -top`
// prints for the same file. The reference numbers below were computed once
// with Go 1.19.8 (Debian golang-go) on the bundled captures:
//
//   go tool pprof -top -nodefraction=0 -unit=B testdata/sarama/dayN.pb.gz
//   go tool pprof -top -nodefraction=0 -sample_index=S [-unit=B] testdata/sarama/dayN.pb.gz
//     (S = inuse_objects, alloc_space, alloc_objects: the "N total" figure)
#include "output/inspect.h"

#include <gtest/gtest.h>

#include "input/load.h"
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

}  // namespace
}  // namespace pprof_trend
