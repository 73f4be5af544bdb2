// inspect's totals and flat/cum values must equal what `go tool pprof -top`
// prints for the same file. The reference numbers below were computed once
// with Go 1.19.8 (Debian golang-go) on the bundled captures:
//
//   go tool pprof -top -nodefraction=0 -unit=B testdata/sarama/dayN.pb.gz
//   go tool pprof -top -nodefraction=0 -sample_index=S [-unit=B] testdata/sarama/dayN.pb.gz
//     (S = inuse_objects, alloc_space, alloc_objects: the "N total" figure)
#include "output/inspect.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <set>

#include "input/load.h"
#include "input/profile_reader.h"
#include "input/sample_check.h"
#include "output/streamed_sums.h"
#include "proto/profile.pb.h"
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
      InspectSummary s = Summarize(*profile, 10, /*node_fraction=*/0).value();  // as go tool pprof -top -nodefraction=0
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
  std::string text = RenderInspect(Summarize(*profile, 10, /*node_fraction=*/0).value());
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
  const InspectSummary s = Summarize(*profile, 1000, /*node_fraction=*/0).value();
  EXPECT_EQ(s.totals, totals);
  ASSERT_EQ(s.top.size(), expected.size());
  for (const FunctionTotals& f : s.top) {
    ASSERT_TRUE(expected.count(f.name)) << f.name;
    EXPECT_EQ(f.flat, expected[f.name].first) << f.name;
    EXPECT_EQ(f.cum, expected[f.name].second) << f.name;
  }
}

namespace pb = perftools::profiles;

// A profile whose locations hold inlined frames: runs of 1 to 7 functions
// (past the 4 the sum copies at once), a function sometimes twice in one
// run (recursion inside a location) and stacks of up to 10 locations, a few
// with none. Ids are Go's (1..n), so the samples stay on the wire.
pb::Profile InlinedProfile(int num_samples, uint32_t seed = 11) {
  std::mt19937 random(seed);
  pb::Profile p;
  for (const char* s : {"", "inuse_objects", "count", "inuse_space", "bytes"}) p.add_string_table(s);
  for (int t = 0; t < 2; ++t) {
    auto* type = p.add_sample_type();
    type->set_type(1 + 2 * t);
    type->set_unit(2 + 2 * t);
  }
  constexpr int kFunctions = 30, kLocations = 50;
  for (int f = 1; f <= kFunctions; ++f) {
    p.add_string_table("fn" + std::to_string(f));
    auto* function = p.add_function();
    function->set_id(static_cast<uint64_t>(f));
    function->set_name(p.string_table_size() - 1);
  }
  for (int l = 1; l <= kLocations; ++l) {
    auto* location = p.add_location();
    location->set_id(static_cast<uint64_t>(l));
    const int lines = 1 + static_cast<int>(random() % 7);
    for (int i = 0; i < lines; ++i) location->add_line()->set_function_id(1 + random() % kFunctions);
  }
  for (int i = 0; i < num_samples; ++i) {
    auto* sample = p.add_sample();
    const int depth = static_cast<int>(random() % 11);
    for (int d = 0; d < depth; ++d) sample->add_location_id(1 + random() % kLocations);
    sample->add_value(static_cast<int64_t>(random() % 100));
    sample->add_value(static_cast<int64_t>(random() % 100000) - 1000);
  }
  return p;
}

// The totals, and per function its flat and cum of the last sample type,
// counted plainly from the message.
struct PlainCount {
  std::vector<int64_t> totals = std::vector<int64_t>(2, 0);
  std::map<std::string, std::pair<int64_t, int64_t>> by_function;
};
PlainCount CountPlainly(const pb::Profile& p) {
  PlainCount count;
  for (const pb::Sample& sample : p.sample()) {
    for (int t = 0; t < 2; ++t) count.totals[static_cast<size_t>(t)] += sample.value(t);
    const int64_t v = sample.value(1);
    std::set<std::string> seen;
    for (int at = 0; at < sample.location_id_size(); ++at) {
      const pb::Location& location = p.location(static_cast<int>(sample.location_id(at)) - 1);
      for (int l = 0; l < location.line_size(); ++l) {
        const std::string& name =
            p.string_table(static_cast<int>(p.function(static_cast<int>(location.line(l).function_id()) - 1).name()));
        if (at == 0 && l == 0) count.by_function[name].first += v;
        if (seen.insert(name).second) count.by_function[name].second += v;
      }
    }
  }
  return count;
}

// Inlined frames summed in two slices equal a plain count, whoever checked
// the samples: the decoder, the sum as it reads them (inspect's way), or
// the loader some and the sum the rest.
TEST(InspectTest, InlinedFramesSumToAPlainCountWhoeverChecksTheSamples) {
  const pb::Profile p = InlinedProfile(120000);
  const PlainCount expected = CountPlainly(p);
  const std::string bytes = p.SerializeAsString();
  for (size_t loader_checks : {size_t{0}, size_t{5000}, size_t{90000}})
    for (bool decoder_checks : {true, false}) {
      if (decoder_checks && loader_checks > 0) continue;
      SCOPED_TRACE(fmt::format("decoder checks: {}, loader checks: {}", decoder_checks, loader_checks));
      auto profile = DecodePprofOnWire(bytes, "inlined.pb", Limits{}, 1, decoder_checks);
      ASSERT_TRUE(profile.ok()) << profile.status().message();
      ASSERT_TRUE(profile->wire != nullptr);
      ASSERT_TRUE(CheckMoreSamples(*profile, loader_checks).ok());
      const auto s = Summarize(*profile, 1000, /*node_fraction=*/0);
      ASSERT_TRUE(s.ok()) << s.status().message();
      EXPECT_TRUE(profile->SamplesChecked());
      EXPECT_EQ(profile->TypeTotals(), expected.totals);
      EXPECT_EQ(s->totals, expected.totals);
      ASSERT_EQ(s->top.size(), expected.by_function.size());
      for (const FunctionTotals& f : s->top) {
        ASSERT_TRUE(expected.by_function.count(f.name)) << f.name;
        EXPECT_EQ(f.flat, expected.by_function.at(f.name).first) << f.name;
        EXPECT_EQ(f.cum, expected.by_function.at(f.name).second) << f.name;
      }
    }
}

// Code without symbols is one node per mapping's file, named as pprof names
// it ("[libfoo.so]"; "<unknown>" for no mapping or a nameless one); two
// mappings of one file name, or a function of that very name, are one node.
TEST(InspectTest, CodeWithoutSymbolsIsANodePerMappingFile) {
  pb::Profile p;
  for (const char* s : {"", "inuse_space", "bytes", "/usr/lib/libfoo.so", "/opt/libfoo.so", "/usr/lib/libbar.so",
                        "main.f", "[libbar.so]"})
    p.add_string_table(s);
  auto* type = p.add_sample_type();
  type->set_type(1);
  type->set_unit(2);
  for (int m = 1; m <= 4; ++m) {  // libfoo twice, libbar, a mapping without a file
    auto* mapping = p.add_mapping();
    mapping->set_id(static_cast<uint64_t>(m));
    mapping->set_filename(m <= 3 ? 2 + m : 0);
  }
  for (int f = 1; f <= 2; ++f) {
    auto* function = p.add_function();
    function->set_id(static_cast<uint64_t>(f));
    function->set_name(5 + f);  // main.f, and a function named [libbar.so]
  }
  // Locations 1-4 in mappings 1-4 without lines, 5 in none, 6-7 main.f and [libbar.so].
  for (int l = 1; l <= 7; ++l) {
    auto* location = p.add_location();
    location->set_id(static_cast<uint64_t>(l));
    if (l <= 4) location->set_mapping_id(static_cast<uint64_t>(l));
    if (l >= 6) location->add_line()->set_function_id(static_cast<uint64_t>(l - 5));
  }
  auto sample = [&](std::vector<uint64_t> stack, int64_t v) {
    auto* s = p.add_sample();
    for (uint64_t id : stack) s->add_location_id(id);
    s->add_value(v);
  };
  sample({1, 6}, 1);     // libfoo (first mapping) under main.f
  sample({2, 1, 6}, 2);  // libfoo (second mapping) twice: cum once
  sample({3, 7}, 4);     // libbar under the function named [libbar.so]: one node, cum once
  sample({4, 6}, 8);     // a mapping without a file
  sample({5}, 16);       // no mapping
  auto profile = DecodePprofOnWire(p.SerializeAsString(), "nosyms.pb");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  const auto s = Summarize(*profile, 100, /*node_fraction=*/0);
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::map<std::string, std::pair<int64_t, int64_t>> got;
  for (const FunctionTotals& f : s->top) got[f.name] = {f.flat, f.cum};
  const std::map<std::string, std::pair<int64_t, int64_t>> want = {
      {"[libfoo.so]", {3, 3}}, {"[libbar.so]", {4, 4}}, {"<unknown>", {24, 24}}, {"main.f", {0, 11}}};
  EXPECT_EQ(got, want);
}

// Samples the decoder left unchecked are refused by the sum that reads them
// with the decoder's own message: the first bad one's, in either slice,
// whatever the loader checked before.
TEST(InspectTest, SamplesLeftUncheckedGetTheDecodersError) {
  struct Fault {
    std::string name;
    std::vector<int> at;  // samples made bad
    std::function<void(pb::Sample&)> apply;
  };
  const std::vector<Fault> faults = {
      {"missing location, slice 0", {70}, [](pb::Sample& s) { s.add_location_id(999); }},
      {"missing location, slice 1", {100000}, [](pb::Sample& s) { s.add_location_id(999); }},
      {"too many values, both slices", {110000, 3000}, [](pb::Sample& s) { s.add_value(1); }},
      {"label string out of range", {65000}, [](pb::Sample& s) { s.add_label()->set_key(77); }},
      {"stack too deep",
       {80000},
       [](pb::Sample& s) {
         for (int i = 0; i < 300; ++i) s.add_location_id(1);
       }},
      {"totals overflow", {10, 90000}, [](pb::Sample& s) { s.set_value(1, int64_t{1} << 62); }},
  };
  Limits limits;
  limits.max_stack_depth = 200;  // over 10 locations of up to 7 frames, under 300 of at least 1
  for (const Fault& fault : faults) {
    pb::Profile p = InlinedProfile(120000);
    for (int at : fault.at) fault.apply(*p.mutable_sample(at));
    const std::string bytes = p.SerializeAsString();
    auto decoded = DecodePprofOnWire(bytes, "bad.pb", limits);
    ASSERT_FALSE(decoded.ok()) << fault.name;
    for (size_t loader_checks : {size_t{0}, size_t{5000}}) {
      SCOPED_TRACE(fmt::format("{}, loader checks: {}", fault.name, loader_checks));
      auto profile = DecodePprofOnWire(bytes, "bad.pb", limits, 1, /*check_samples=*/false);
      ASSERT_TRUE(profile.ok()) << profile.status().message();
      Status loader = CheckMoreSamples(*profile, loader_checks);
      StatusOr<InspectSummary> summary = loader.ok() ? Summarize(*profile, 10) : StatusOr<InspectSummary>(loader);
      ASSERT_FALSE(summary.ok());
      EXPECT_EQ(summary.status().message(), decoded.status().message());
      EXPECT_FALSE(profile->SamplesChecked());
    }
  }
}

// StreamedSums (output/streamed_sums.h): a profile in Go's order (each
// location, then its new functions, before the first sample that names it;
// the strings last), shown a piece at a time as it inflates, gives the sums
// Summarize makes once it is decoded; anything it cannot sum that way gives
// none, and Summarize then sums as before.

// A part of a profile, written by protobuf as a Profile of its own: the
// concatenation of such parts reads as one Profile, in the order written.
template <typename Fill>
void Append(std::string& out, Fill&& fill) {
  pb::Profile part;
  fill(part);
  out += part.SerializeAsString();
}

// Location `id` of `p`, then those of its functions not `written` yet (Go's order).
void AppendLocation(std::string& out, const pb::Profile& p, uint64_t id, std::set<uint64_t>& written) {
  const pb::Location& location = p.location(static_cast<int>(id) - 1);
  Append(out, [&](pb::Profile& part) { *part.add_location() = location; });
  for (const pb::Line& line : location.line())
    if (written.insert(line.function_id()).second)
      Append(out,
             [&](pb::Profile& part) { *part.add_function() = p.function(static_cast<int>(line.function_id()) - 1); });
}

void AppendTypes(std::string& out, const pb::Profile& p) {
  Append(out, [&](pb::Profile& part) { *part.mutable_sample_type() = p.sample_type(); });
}
void AppendSample(std::string& out, const pb::Sample& sample) {
  Append(out, [&](pb::Profile& part) { *part.add_sample() = sample; });
}
void AppendStrings(std::string& out, const pb::Profile& p) {
  Append(out, [&](pb::Profile& part) { *part.mutable_string_table() = p.string_table(); });
}

// `p` serialized the way Go's runtime/pprof writes it, or, with
// `samples_first`, the way protobuf (and pprof) do: every sample first.
std::string Serialize(const pb::Profile& p, bool samples_first = false) {
  if (samples_first) return p.SerializeAsString();
  std::string out;
  AppendTypes(out, p);
  std::set<uint64_t> locations, functions;
  for (const pb::Sample& sample : p.sample()) {
    for (uint64_t id : sample.location_id())
      if (locations.insert(id).second) AppendLocation(out, p, id, functions);
    AppendSample(out, sample);
  }
  AppendStrings(out, p);
  return out;
}

// Go-like: InlinedProfile's (inlined frames, recursion, samples without a
// stack) with a `bytes` label on every sample.
pb::Profile GoLike(int num_samples, uint32_t seed) {
  pb::Profile p = InlinedProfile(num_samples, seed);
  std::mt19937 random(seed);
  for (pb::Sample& sample : *p.mutable_sample()) {
    auto* label = sample.add_label();
    label->set_key(4);  // "bytes"
    label->set_num(static_cast<int64_t>(random() % 4096));
  }
  return p;
}

// `bytes` shown to `sums` in pieces of random sizes (cut anywhere, a record
// across several), then ended.
void ShowInPieces(StreamedSums& sums, const std::string& bytes, uint32_t seed, size_t most) {
  std::mt19937 random(seed);
  size_t shown = 0;
  while (shown < bytes.size()) {
    shown = std::min(bytes.size(), shown + 1 + random() % most);
    sums.Grew(std::string_view(bytes.data(), shown));
  }
  sums.Ended();
}

// The profile the decoder makes of `bytes`, its samples left to check.
Profile Decoded(const std::string& bytes) {
  auto profile = DecodePprofOnWire(bytes, "go.pb", Limits{}, 1, /*check_samples=*/false);
  EXPECT_TRUE(profile.ok()) << profile.status().message();
  return std::move(profile).value();
}

void ExpectSameSummary(const InspectSummary& a, const InspectSummary& b) {
  EXPECT_EQ(a.totals, b.totals);
  EXPECT_EQ(a.pprof_totals, b.pprof_totals);
  ASSERT_EQ(a.top.size(), b.top.size());
  for (size_t i = 0; i < a.top.size(); ++i) {
    EXPECT_EQ(a.top[i].name, b.top[i].name) << i;
    EXPECT_EQ(a.top[i].flat, b.top[i].flat) << a.top[i].name;
    EXPECT_EQ(a.top[i].cum, b.top[i].cum) << a.top[i].name;
  }
  EXPECT_EQ(a.dropped_nodes, b.dropped_nodes);
  EXPECT_EQ(RenderInspect(a), RenderInspect(b));
}

TEST(StreamedSumsTest, GoOrderedSamplesSumAsTheyInflateToWhatSummarizeMakes) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const std::string bytes = Serialize(GoLike(3000, seed));
    for (size_t most : {size_t{7}, size_t{4096}, bytes.size()}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << ", pieces up to " << most << " bytes");
      StreamedSums streamed;
      ShowInPieces(streamed, bytes, seed, most);
      Profile with = Decoded(bytes), without = Decoded(bytes);
      auto a = Summarize(with, 1000, 0, &streamed);
      auto b = Summarize(without, 1000, 0);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_TRUE(a->summed_while_inflating);
      EXPECT_FALSE(b->summed_while_inflating);
      ExpectSameSummary(*a, *b);
      // The check is complete either way: the profile is as one the decoder checked.
      EXPECT_TRUE(with.SamplesChecked());
      EXPECT_EQ(with.TypeTotals(), without.TypeTotals());
    }
  }
}

TEST(StreamedSumsTest, WhatItCannotSumGivesNoneAndSummarizeSumsAsBefore) {
  auto not_streamed = [](const std::string& bytes, const char* what) {
    SCOPED_TRACE(what);
    StreamedSums streamed;
    ShowInPieces(streamed, bytes, 5, 1000);
    Profile with = Decoded(bytes), without = Decoded(bytes);
    auto a = Summarize(with, 1000, 0, &streamed);
    auto b = Summarize(without, 1000, 0);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_FALSE(a->summed_while_inflating);
    ExpectSameSummary(*a, *b);
  };
  const pb::Profile go = GoLike(500, 9);
  not_streamed(Serialize(go, /*samples_first=*/true), "samples before their locations (pprof's order)");
  pb::Profile same_name = go;
  same_name.mutable_function(1)->set_name(same_name.function(0).name());
  not_streamed(Serialize(same_name), "two functions of one name");
  pb::Profile no_lines = go;
  no_lines.mutable_location(0)->clear_line();
  not_streamed(Serialize(no_lines), "code without symbols");
  pb::Profile default_type = go;
  std::string with_default = Serialize(default_type);
  Append(with_default, [](pb::Profile& part) { part.set_default_sample_type(1); });  // "inuse_objects", not the last
  not_streamed(with_default, "a default type other than the last");
}

TEST(StreamedSumsTest, ABadSampleGetsTheDecodersErrorAsBefore) {
  pb::Profile bad = GoLike(200, 4);
  bad.mutable_sample(150)->add_value(7);  // three values for two types
  const std::string bytes = Serialize(bad);
  StreamedSums streamed;
  ShowInPieces(streamed, bytes, 6, 300);
  Profile with = Decoded(bytes), without = Decoded(bytes);
  auto a = Summarize(with, 1000, 0, &streamed);
  auto b = Summarize(without, 1000, 0);
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.status().message(), b.status().message());
}

// A sample type after a sample (the decoder refuses the profile: its
// first samples have a value short) is not read past: the sums' arrays were
// sized by the types before it (the sanitizer build would see a write past
// them).
TEST(StreamedSumsTest, ASampleTypeAfterASampleStopsTheReading) {
  pb::Profile go = GoLike(1, 12);
  go.mutable_sample(0)->add_location_id(1);  // a stack, whatever the seed gave
  std::string bytes;
  AppendTypes(bytes, go);
  std::set<uint64_t> functions;
  for (uint64_t id : std::set<uint64_t>(go.sample(0).location_id().begin(), go.sample(0).location_id().end()))
    AppendLocation(bytes, go, id, functions);
  AppendSample(bytes, go.sample(0));  // two values
  Append(bytes, [](pb::Profile& part) {
    auto* late = part.add_sample_type();
    late->set_type(3);
    late->set_unit(4);
  });
  pb::Sample three = go.sample(0);
  three.add_value(1);
  AppendSample(bytes, three);  // three values
  AppendStrings(bytes, go);
  StreamedSums streamed;
  ShowInPieces(streamed, bytes, 1, 64);
  auto profile = DecodePprofOnWire(bytes, "late.pb", Limits{}, 1, false);
  ASSERT_TRUE(profile.ok()) << profile.status().message();  // the samples are checked by the sum
  auto s = Summarize(*profile, 100, 0, &streamed);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("late.pb: "), std::string::npos) << s.status().message();
}

// Damaged bytes (bytes changed, cut short), shown in pieces: the reading
// never goes out of bounds (the sanitizer build runs this), and what inspect
// says is what it says without it, sums or error.
TEST(StreamedSumsTest, DamagedBytesSayWhatTheySayWithout) {
  const std::string good = Serialize(GoLike(300, 21));
  std::mt19937 random(77);
  int summed_as_inflated = 0;
  for (int round = 0; round < 300; ++round) {
    std::string bytes = good;
    const int changes = static_cast<int>(random() % 4);
    for (int c = 0; c < changes; ++c) bytes[random() % bytes.size()] = static_cast<char>(random());
    if (random() % 4 == 0) bytes.resize(random() % bytes.size());
    StreamedSums streamed;
    ShowInPieces(streamed, bytes, round, 1 + random() % 2000);
    auto with = DecodePprofOnWire(bytes, "x.pb", Limits{}, 1, false);
    auto without = DecodePprofOnWire(bytes, "x.pb", Limits{}, 1, false);
    ASSERT_EQ(with.ok(), without.ok());
    if (!with.ok() || !with->wire) continue;
    auto a = Summarize(*with, 1000, 0, &streamed);
    auto b = Summarize(*without, 1000, 0);
    ASSERT_EQ(a.ok(), b.ok()) << "round " << round;
    if (!a.ok()) {
      EXPECT_EQ(a.status().message(), b.status().message()) << "round " << round;
      continue;
    }
    summed_as_inflated += a->summed_while_inflating ? 1 : 0;
    EXPECT_EQ(RenderInspect(*a), RenderInspect(*b)) << "round " << round;
  }
  EXPECT_GT(summed_as_inflated, 0);  // some rounds changed only what it does not read
}

TEST(StreamedSumsTest, AbandonedOrNeverEndedBytesGiveNone) {
  const std::string bytes = Serialize(GoLike(2000, 8));
  Profile profile = Decoded(bytes);
  {
    StreamedSums streamed;
    streamed.Grew(std::string_view(bytes.data(), bytes.size() / 2));
    streamed.Abandon();
    EXPECT_FALSE(streamed.For(profile, 1).has_value());
  }
  {
    StreamedSums streamed;  // shown all, but the inflate did not end (the file went the other way)
    streamed.Grew(bytes);
    EXPECT_FALSE(streamed.For(profile, 1).has_value());
  }
  {
    StreamedSums streamed;  // the whole, ended: sums, but only of the last type
    ShowInPieces(streamed, bytes, 3, 5000);
    EXPECT_FALSE(streamed.For(profile, 0).has_value());
    EXPECT_TRUE(streamed.For(profile, 1).has_value());
  }
}

}  // namespace
}  // namespace pprof_trend
