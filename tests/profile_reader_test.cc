#include "input/profile_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "analysis/align.h"
#include "analysis/sample_resolver.h"
#include "input/load.h"
#include "input/sample_check.h"
#include "input/sample_reader.h"
#include "input/wire_format.h"
#include "output/inspect.h"
#include "proto/profile.pb.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace pb = perftools::profiles;

// A small valid profile: two sample types, one inlined location
// (inner() inlined into outer()), one plain location, two samples.
pb::Profile ValidProfile() {
  pb::Profile p;
  // The last string is referenced from a function, so no cut inside the
  // string table leaves a self-consistent profile.
  for (const char* s : {"", "inuse_objects", "count", "inuse_space", "bytes", "inner", "outer", "a.go", "note", "bytes",
                        "space", "/bin/x", "root"})
    p.add_string_table(s);
  auto add_type = [&](int64_t t, int64_t u) {
    auto* vt = p.add_sample_type();
    vt->set_type(t);
    vt->set_unit(u);
  };
  add_type(1, 2);
  add_type(3, 4);
  p.mutable_period_type()->set_type(10);
  p.mutable_period_type()->set_unit(4);
  p.set_period(524288);
  p.set_time_nanos(123);
  p.add_comment(8);
  auto* m = p.add_mapping();
  m->set_id(7);
  m->set_filename(11);
  int64_t names[] = {5, 6, 12};
  for (int i = 0; i < 3; ++i) {
    auto* f = p.add_function();
    f->set_id(static_cast<uint64_t>(10 + i));
    f->set_name(names[i]);
    f->set_system_name(names[i]);
    f->set_filename(7);
    f->set_start_line(3);
  }
  auto* inlined = p.add_location();
  inlined->set_id(100);
  inlined->set_mapping_id(7);
  inlined->set_address(0x1234);
  auto* l1 = inlined->add_line();
  l1->set_function_id(10);  // inner, innermost first
  l1->set_line(5);
  auto* l2 = inlined->add_line();
  l2->set_function_id(11);  // outer, the caller
  l2->set_line(9);
  auto* plain = p.add_location();
  plain->set_id(200);
  plain->set_address(0x5678);
  plain->add_line()->set_function_id(12);
  for (int i = 0; i < 2; ++i) {
    auto* s = p.add_sample();
    s->add_location_id(100);
    s->add_location_id(200);
    s->add_value(2 + i);
    s->add_value(512 * (2 + i));
    auto* label = s->add_label();
    label->set_key(9);
    label->set_num(512);
  }
  return p;
}

StatusOr<Profile> Decode(const pb::Profile& p) { return DecodePprof(p.SerializeAsString(), "t.pb"); }

// The series of one profile whose samples stayed on the wire, checked by
// the decoder or (`check_in_fold`) left unchecked and checked by the fold as
// it reads them; or the error of either.
// With `loader_checks`, the loader checks that many first (CheckMoreSamples,
// in slices of 1,000) and the fold the rest.
StatusOr<AlignedProfiles> FoldOnWire(const std::string& bytes, bool check_in_fold, const Limits& limits = {},
                                     size_t loader_checks = 0) {
  ASSIGN_OR_RETURN(Profile profile, DecodePprofOnWire(bytes, "t.pb", limits, 1, !check_in_fold));
  EXPECT_EQ(profile.SamplesChecked(), !check_in_fold || profile.num_samples() == 0);
  for (size_t done = 0; done < loader_checks; done += 1000)
    RETURN_IF_ERROR(CheckMoreSamples(profile, std::min<size_t>(1000, loader_checks - done)));
  Aligner aligner(AlignOptions{}, 1);
  RETURN_IF_ERROR(aligner.Add(0, profile));
  return std::move(aligner).Finish(false);
}

// Two series are the same: captures' totals, sites' frames and values.
void ExpectSameSeries(const AlignedProfiles& a, const AlignedProfiles& b) {
  ASSERT_EQ(a.captures.size(), b.captures.size());
  for (size_t c = 0; c < a.captures.size(); ++c) {
    EXPECT_EQ(a.captures[c].type_totals, b.captures[c].type_totals);
    EXPECT_EQ(a.captures[c].total_value, b.captures[c].total_value);
    EXPECT_EQ(a.captures[c].total_alloc_value, b.captures[c].total_alloc_value);
  }
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (size_t f = 0; f < a.frames.size(); ++f) EXPECT_EQ(a.frames[f].function, b.frames[f].function);
  ASSERT_EQ(a.sites.size(), b.sites.size());
  for (size_t s = 0; s < a.sites.size(); ++s) {
    EXPECT_TRUE(std::equal(a.sites[s].frames.begin(), a.sites[s].frames.end(), b.sites[s].frames.begin(),
                           b.sites[s].frames.end()));
    EXPECT_EQ(a.sites[s].values.ToVector(), b.sites[s].values.ToVector());
    EXPECT_EQ(a.sites[s].objects.ToVector(), b.sites[s].objects.ToVector());
  }
}

TEST(ProfileReaderTest, DecodesEveryPartOfTheModel) {
  auto decoded = Decode(ValidProfile());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const Profile& p = *decoded;
  EXPECT_EQ(p.source, "t.pb");
  ASSERT_EQ(p.sample_types.size(), 2u);
  EXPECT_EQ(p.sample_types[1], (ValueType{"inuse_space", "bytes"}));
  EXPECT_EQ(p.default_sample_type, -1);
  EXPECT_EQ(p.period_type, (ValueType{"space", "bytes"}));
  EXPECT_EQ(p.period, 524288);
  EXPECT_EQ(p.time_nanos, 123);
  ASSERT_EQ(p.comments.size(), 1u);
  EXPECT_EQ(p.comments[0], "note");
  ASSERT_EQ(p.mappings.size(), 1u);
  EXPECT_EQ(p.mappings[0].filename, "/bin/x");
  ASSERT_EQ(p.functions.size(), 3u);
  EXPECT_EQ(p.functions[1].name, "outer");
  EXPECT_EQ(p.functions[1].filename, "a.go");
  EXPECT_EQ(p.functions[1].start_line, 3);
  ASSERT_EQ(p.locations.size(), 2u);
  auto lines = p.Lines(p.locations[0]);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(p.functions[lines[0].function].name, "inner");  // innermost first
  EXPECT_EQ(p.functions[lines[1].function].name, "outer");  // the caller last
  EXPECT_EQ(lines[1].line, 9);
  EXPECT_EQ(p.locations[0].mapping, 0u);
  EXPECT_EQ(p.locations[1].mapping, Location::kNoMapping);
  ASSERT_EQ(p.samples.size(), 2u);
  auto stack = p.Stack(p.samples[1]);
  ASSERT_EQ(stack.size(), 2u);
  EXPECT_EQ(stack[0], 0u);
  EXPECT_EQ(stack[1], 1u);
  EXPECT_EQ(p.Values(1)[0], 3);
  EXPECT_EQ(p.Values(1)[1], 1536);
  auto labels = p.Labels(p.samples[0]);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].key, "bytes");
  EXPECT_TRUE(labels[0].is_numeric);
  EXPECT_EQ(labels[0].num, 512);
}

TEST(ProfileReaderTest, StringViewsSurviveMovingTheProfile) {
  auto decoded = Decode(ValidProfile());
  ASSERT_TRUE(decoded.ok());
  Profile moved = std::move(decoded).value();
  Profile again = std::move(moved);
  EXPECT_EQ(again.functions[2].name, "root");
}

TEST(ProfileReaderTest, DefaultSampleTypeResolves) {
  auto p = ValidProfile();
  p.set_default_sample_type(1);
  auto decoded = Decode(p);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->default_sample_type, 0);
}

struct Defect {
  std::string name;
  std::function<void(pb::Profile&)> apply;
  std::string message;
};

void PrintTo(const Defect& d, std::ostream* os) { *os << d.name; }

class ProfileReaderDefectTest : public ::testing::TestWithParam<Defect> {};

TEST_P(ProfileReaderDefectTest, IsRejectedWithAOneLineMessage) {
  auto p = ValidProfile();
  GetParam().apply(p);
  auto decoded = Decode(p);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), GetParam().message);
  EXPECT_EQ(decoded.status().message().find('\n'), std::string::npos);
  // Samples left on the wire are checked as they would be decoded: the same error.
  auto on_wire = DecodePprofOnWire(p.SerializeAsString(), "t.pb");
  ASSERT_FALSE(on_wire.ok());
  EXPECT_EQ(on_wire.status().message(), GetParam().message);
  // Left unchecked, the fold that reads them checks them: the same error.
  auto folded = FoldOnWire(p.SerializeAsString(), true);
  ASSERT_FALSE(folded.ok());
  EXPECT_EQ(folded.status().message(), GetParam().message);
  // Left unchecked, inspect's sum that reads them checks them: the same error.
  auto unchecked = DecodePprofOnWire(p.SerializeAsString(), "t.pb", Limits{}, 1, /*check_samples=*/false);
  StatusOr<InspectSummary> summary = unchecked.ok() ? Summarize(*unchecked, 10) : unchecked.status();
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Validation, ProfileReaderDefectTest,
    ::testing::Values(
        Defect{"StringTableZeroNotEmpty", [](pb::Profile& p) { p.set_string_table(0, "x"); },
               "t.pb: string_table[0] must be empty"},
        Defect{"NoStringTable", [](pb::Profile& p) { p.clear_string_table(); },
               "t.pb: string table is empty (string_table[0] must be \"\")"},
        Defect{"StringIndexOutOfRange", [](pb::Profile& p) { p.mutable_function(1)->set_name(99); },
               "t.pb: string index 99 in function is out of range (string table has 13 entries)"},
        Defect{"NegativeStringIndex", [](pb::Profile& p) { p.mutable_sample_type(0)->set_unit(-1); },
               "t.pb: string index -1 in sample_type is out of range (string table has 13 entries)"},
        Defect{"ValueCountMismatch", [](pb::Profile& p) { p.mutable_sample(1)->add_value(1); },
               "t.pb: sample 1 has 3 values but the profile has 2 sample types"},
        Defect{"SampleLocationMissing", [](pb::Profile& p) { p.mutable_sample(0)->set_location_id(1, 555); },
               "t.pb: sample 0 refers to location id 555, which does not exist"},
        Defect{"SampleLocationZero", [](pb::Profile& p) { p.mutable_sample(0)->set_location_id(0, 0); },
               "t.pb: sample 0 refers to location id 0, which does not exist"},
        Defect{"LineFunctionMissing",
               [](pb::Profile& p) { p.mutable_location(1)->mutable_line(0)->set_function_id(77); },
               "t.pb: location 200 refers to function id 77, which does not exist"},
        Defect{"LineFunctionZero", [](pb::Profile& p) { p.mutable_location(1)->mutable_line(0)->set_function_id(0); },
               "t.pb: location 200 refers to function id 0, which does not exist"},
        Defect{"LocationMappingMissing", [](pb::Profile& p) { p.mutable_location(0)->set_mapping_id(8); },
               "t.pb: location 100 refers to mapping id 8, which does not exist"},
        Defect{"DuplicateFunctionId", [](pb::Profile& p) { p.mutable_function(2)->set_id(10); },
               "t.pb: duplicate function id 10"},
        Defect{"DuplicateLocationId", [](pb::Profile& p) { p.mutable_location(1)->set_id(100); },
               "t.pb: duplicate location id 100"},
        Defect{"DuplicateMappingId", [](pb::Profile& p) { *p.add_mapping() = p.mapping(0); },
               "t.pb: duplicate mapping id 7"},
        Defect{"FunctionIdZero", [](pb::Profile& p) { p.mutable_function(0)->set_id(0); },
               "t.pb: function id 0 is not allowed"},
        Defect{"LocationIdZero", [](pb::Profile& p) { p.mutable_location(0)->set_id(0); },
               "t.pb: location id 0 is not allowed"},
        Defect{"NoSampleTypes", [](pb::Profile& p) { p.clear_sample_type(); },
               "t.pb: not a pprof profile (no sample types)"},
        Defect{"LabelStringOutOfRange", [](pb::Profile& p) { p.mutable_sample(1)->mutable_label(0)->set_num_unit(40); },
               "t.pb: string index 40 in label is out of range (string table has 13 entries)"},
        Defect{"StackTooDeep",
               [](pb::Profile& p) {
                 for (int i = 0; i < 1000000; ++i) p.mutable_sample(1)->add_location_id(200);
               },
               "t.pb: sample 1 has a stack of 1000003 frames, over the limit of 1000000 (--max-stack-depth "
               "raises it)"},
        Defect{"ValueTotalsOverflow",
               [](pb::Profile& p) {
                 p.mutable_sample(0)->set_value(1, int64_t{1} << 61);
                 p.mutable_sample(1)->set_value(1, -(int64_t{1} << 61) - 8);
               },
               "t.pb: sample values too large (their totals overflow 64 bits)"},
        Defect{"UnknownDefaultSampleType", [](pb::Profile& p) { p.set_default_sample_type(8); },
               "t.pb: default_sample_type \"note\" is not one of the sample types"}),
    [](const ::testing::TestParamInfo<Defect>& param_info) { return param_info.param.name; });

TEST(ProfileReaderTest, SparseIdsResolve) {
  auto p = ValidProfile();
  p.mutable_location(0)->set_id(0xdeadbeef00ull);
  p.mutable_sample(0)->set_location_id(0, 0xdeadbeef00ull);
  p.mutable_sample(1)->set_location_id(0, 0xdeadbeef00ull);
  auto decoded = Decode(p);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->Stack(decoded->samples[0])[0], 0u);
}

// What the fold reads of a profile whose samples stay on the wire equals what
// it reads of the decoded one: every sample's stack, values and object size,
// the tables, and the values' totals and signs.
void ExpectSameSamples(const Profile& decoded, const Profile& on_wire) {
  ASSERT_EQ(decoded.wire, nullptr);
  ASSERT_NE(on_wire.wire, nullptr);
  EXPECT_TRUE(on_wire.samples.empty() && on_wire.values.empty() && on_wire.stack_locations.empty());
  ASSERT_EQ(on_wire.num_samples(), decoded.num_samples());
  EXPECT_EQ(on_wire.locations.size(), decoded.locations.size());
  EXPECT_EQ(on_wire.functions.size(), decoded.functions.size());
  EXPECT_EQ(on_wire.TypeTotals(), decoded.TypeTotals());
  for (size_t t = 0; t < decoded.sample_types.size(); ++t) EXPECT_EQ(on_wire.AnyNegative(t), decoded.AnyNegative(t));
  WireSampleReader reader(*on_wire.wire);
  bool any_without_stack = false;
  for (size_t i = 0; i < decoded.num_samples(); ++i) {
    reader.Read(i);
    const Sample& s = decoded.samples[i];
    const auto stack = decoded.Stack(s);
    ASSERT_EQ(std::vector<uint32_t>(reader.locations().begin(), reader.locations().end()),
              std::vector<uint32_t>(stack.begin(), stack.end()))
        << "sample " << i;
    const auto values = decoded.Values(i);
    ASSERT_EQ(std::vector<int64_t>(reader.values().begin(), reader.values().end()),
              std::vector<int64_t>(values.begin(), values.end()));
    std::optional<int64_t> size;
    for (const Label& label : decoded.Labels(s))
      if (label.is_numeric && label.key == "bytes") {
        size = label.num;
        break;
      }
    ASSERT_EQ(reader.size(), size) << "sample " << i;
    const auto labels = decoded.Labels(s);
    const auto wire_labels = reader.labels();
    ASSERT_EQ(wire_labels.size(), labels.size()) << "sample " << i;
    for (size_t l = 0; l < labels.size(); ++l) {
      EXPECT_EQ(wire_labels[l].key, labels[l].key);
      EXPECT_EQ(wire_labels[l].str, labels[l].str);
      EXPECT_EQ(wire_labels[l].num, labels[l].num);
      EXPECT_EQ(wire_labels[l].num_unit, labels[l].num_unit);
      EXPECT_EQ(wire_labels[l].is_numeric, labels[l].is_numeric);
    }
    any_without_stack = any_without_stack || stack.empty();
  }
  EXPECT_EQ(on_wire.wire->any_without_stack, any_without_stack);
}

TEST(ProfileReaderTest, SamplesOnTheWireReadAsDecoded) {
  auto p = ValidProfile();
  // A sample without a stack, a string label keyed "bytes" (not a size) before
  // the numeric one, a negative value.
  auto* s = p.add_sample();
  s->add_value(-1);
  s->add_value(64);
  s->add_label()->set_key(4);
  s->mutable_label(0)->set_str(5);
  s->add_label()->set_key(4);
  s->mutable_label(1)->set_num(64);
  const std::string bytes = p.SerializeAsString();
  auto decoded = DecodePprof(bytes, "t.pb");
  auto on_wire = DecodePprofOnWire(bytes, "t.pb");
  ASSERT_TRUE(decoded.ok() && on_wire.ok());
  ExpectSameSamples(*decoded, *on_wire);
  EXPECT_TRUE(on_wire->AnyNegative(0));
  EXPECT_FALSE(on_wire->AnyNegative(1));
  EXPECT_EQ(on_wire->TypeTotals(), (std::vector<int64_t>{2 + 3 - 1, 512 * 5 + 64}));
}

TEST(ProfileReaderTest, RealProfilesOnTheWireReadAsDecoded) {
  size_t files = 0;
  for (const char* dir :
       {"testdata/sarama", "testdata/real", "testdata/goroutines", "testdata/node-jit", "testdata/restarts"}) {
    for (const auto& entry : std::filesystem::directory_iterator(testing::SourcePath(dir))) {
      const std::string path = entry.path().string();
      if (!path.ends_with(".pb.gz")) continue;
      LoadOptions options;
      options.samples_on_wire = false;
      auto decoded = LoadProfile(path, options);
      options.samples_on_wire = true;
      auto on_wire = LoadProfile(path, options);
      ASSERT_TRUE(decoded.ok() && on_wire.ok()) << path;
      SCOPED_TRACE(path);
      ExpectSameSamples(*decoded, *on_wire);
      ++files;
    }
  }
  EXPECT_GE(files, 10u);
}

// ValidProfile and kLargeSamples samples more, each edited by `edit(i, s)`:
// over the decoder's threshold for two threads, and many chunks of a fold.
constexpr int kLargeSamples = 70000;
using SampleEdit = std::function<void(int, pb::Sample*)>;
std::string LargeProfile(const SampleEdit& edit) {
  auto p = ValidProfile();
  for (int i = 0; i < kLargeSamples; ++i) {
    auto* s = p.add_sample();
    s->add_location_id(100);
    s->add_value(1);
    s->add_value(8);
    edit(i, s);
  }
  return p.SerializeAsString();
}

// Large profiles with bad samples or totals, placed so that two slices (or
// chunks) each see a part.
std::vector<std::pair<std::string, SampleEdit>> BadLargeProfiles() {
  return {
      {"errors in both slices: the first one's",
       [](int i, pb::Sample* s) {
         if (i == 10) s->add_value(3);
         if (i == 50000) s->set_location_id(0, 999);
       }},
      {"an error in the second slice only",
       [](int i, pb::Sample* s) {
         if (i == 50000) s->set_location_id(0, 999);
         if (i == 60000) s->add_label()->set_key(99);
       }},
      {"a bad label string in the first slice",
       [](int i, pb::Sample* s) {
         if (i == 7) s->add_label()->set_key(99);
       }},
      {"totals that fit in each slice, not in all",
       [](int i, pb::Sample* s) {
         if (i == 5 || i == 50000) s->set_value(1, int64_t{1} << 61);
       }},
  };
}

// A large profile's samples are checked in two slices on two threads: what
// the check keeps (totals, negatives, a sample without a stack) and the
// error it gives (the first bad sample's, the totals' overflow after every
// sample is good) are those of one thread, wherever the samples are.
TEST(ProfileReaderTest, SamplesCheckedOnTwoThreadsAsOnOne) {
  auto both = [](const std::string& bytes) {
    return std::pair{DecodePprofOnWire(bytes, "t.pb", {}, 1), DecodePprofOnWire(bytes, "t.pb", {}, 2)};
  };
  {
    SCOPED_TRACE("good: a negative value and a sample without a stack, late");
    auto [one, two] = both(LargeProfile([](int i, pb::Sample* s) {
      if (i == 60000) s->set_value(0, -5);
      if (i == 60001) s->clear_location_id();
    }));
    ASSERT_TRUE(one.ok() && two.ok());
    EXPECT_EQ(two->TypeTotals(), one->TypeTotals());
    EXPECT_EQ(two->TypeTotals()[0], 2 + 3 + kLargeSamples - 1 - 5);
    EXPECT_TRUE(two->AnyNegative(0));
    EXPECT_FALSE(two->AnyNegative(1));
    EXPECT_TRUE(two->wire->any_without_stack);
  }
  for (const auto& [what, edit] : BadLargeProfiles()) {
    SCOPED_TRACE(what);
    auto [one, two] = both(LargeProfile(edit));
    ASSERT_FALSE(one.ok());
    ASSERT_FALSE(two.ok());
    EXPECT_EQ(two.status().message(), one.status().message());
  }
}

// A fold that checks the samples it reads (the decoder left them unchecked)
// checks them chunk by chunk, on two threads: the series it makes is the one
// of the checked profile ("(no stack)" site and totals included), and its
// error the decoder's: the first bad sample's, wherever the chunks end, the
// totals' overflow only when every sample is good, a negative in-use value
// refused as a difference of profiles after the fold.
TEST(ProfileReaderTest, SamplesCheckedInTheFoldAsByTheDecoder) {
  {
    SCOPED_TRACE("good: a negative object count and a sample without a stack, late");
    const std::string bytes = LargeProfile([](int i, pb::Sample* s) {
      if (i == 60000) s->set_value(0, -5);
      if (i == 60001) s->clear_location_id();
    });
    auto checked = FoldOnWire(bytes, false), in_fold = FoldOnWire(bytes, true);
    ASSERT_TRUE(checked.ok()) << checked.status().message();
    ASSERT_TRUE(in_fold.ok()) << in_fold.status().message();
    ExpectSameSeries(*checked, *in_fold);
    EXPECT_EQ(in_fold->captures[0].type_totals,
              (std::vector<int64_t>{2 + 3 + kLargeSamples - 1 - 5, 512 * 5 + 8 * kLargeSamples}));
    EXPECT_TRUE(std::any_of(in_fold->frames.begin(), in_fold->frames.end(),
                            [](const AlignedFrame& f) { return f.function == kNoStackName; }));
  }
  auto bad = BadLargeProfiles();
  bad.emplace_back("a negative in-use value: a difference of profiles", [](int i, pb::Sample* s) {
    if (i == 30000) s->set_value(1, -8);
  });
  bad.emplace_back("totals that overflow, then a bad sample: the sample's error", [](int i, pb::Sample* s) {
    if (i == 5 || i == 10000) s->set_value(1, int64_t{1} << 61);
    if (i == 60000) s->add_value(3);
  });
  for (const auto& [what, edit] : bad) {
    SCOPED_TRACE(what);
    const std::string bytes = LargeProfile(edit);
    auto checked = FoldOnWire(bytes, false), in_fold = FoldOnWire(bytes, true);
    ASSERT_FALSE(checked.ok());
    ASSERT_FALSE(in_fold.ok());
    EXPECT_EQ(in_fold.status().message(), checked.status().message());
  }
}

// The loader checks what it can while it waits for its turn and the fold
// the rest: wherever the line falls (none, inside a chunk, on its end, all),
// the series and the error are the decoder's.
TEST(ProfileReaderTest, SamplesCheckedPartlyByTheLoaderThenByTheFold) {
  const std::string good = LargeProfile([](int i, pb::Sample* s) {
    if (i == 3000) s->clear_location_id();
  });
  auto checked = FoldOnWire(good, false);
  ASSERT_TRUE(checked.ok());
  auto bad = BadLargeProfiles();
  for (const size_t loader_checks :
       {size_t{0}, size_t{1}, size_t{2500}, size_t{4096}, size_t{50001}, size_t{kLargeSamples + 2}}) {
    SCOPED_TRACE(loader_checks);
    auto split = FoldOnWire(good, true, {}, loader_checks);
    ASSERT_TRUE(split.ok()) << split.status().message();
    ExpectSameSeries(*checked, *split);
    for (const auto& [what, edit] : bad) {
      SCOPED_TRACE(what);
      const std::string bytes = LargeProfile(edit);
      auto by_decoder = FoldOnWire(bytes, false), by_both = FoldOnWire(bytes, true, {}, loader_checks);
      ASSERT_FALSE(by_decoder.ok());
      ASSERT_FALSE(by_both.ok());
      EXPECT_EQ(by_both.status().message(), by_decoder.status().message());
    }
  }
}

// A record that does not parse, after good ones: corrupt, in the fold too.
TEST(ProfileReaderTest, CorruptSampleRecordIsCorruptInTheFold) {
  // A Sample (field 2) whose packed location ids say 5 bytes and hold 1.
  const std::string bytes = ValidProfile().SerializeAsString() + std::string("\x12\x03\x0a\x05\x01", 5);
  auto checked = FoldOnWire(bytes, false), in_fold = FoldOnWire(bytes, true);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().message(), "t.pb: not a pprof profile (corrupt or truncated protobuf)");
  ASSERT_FALSE(in_fold.ok());
  EXPECT_EQ(in_fold.status().message(), checked.status().message());
}

// A stack over --max-stack-depth made of long runs (a location of many
// inlined frames, named again and again) is refused before its frames are
// written: a hostile record of a few bytes a location would otherwise ask
// for billions.
TEST(ProfileReaderTest, DeepStackOfLongRunsRefusedBeforeItsFramesAreWritten) {
  auto p = ValidProfile();
  auto* deep = p.mutable_location(1);
  for (int i = 0; i < 999; ++i) deep->add_line()->set_function_id(12);  // 1,000 frames
  for (int i = 0; i < 5000; ++i) p.mutable_sample(0)->add_location_id(200);
  const std::string bytes = p.SerializeAsString();
  Limits limits;
  limits.max_stack_depth = 100000;
  const std::string said =
      "t.pb: sample 0 has a stack of 5001002 frames, over the limit of 100000 (--max-stack-depth "
      "raises it)";
  auto checked = FoldOnWire(bytes, false, limits), in_fold = FoldOnWire(bytes, true, limits);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().message(), said);
  ASSERT_FALSE(in_fold.ok());
  EXPECT_EQ(in_fold.status().message(), said);
  // The resolver stopped at the limit: its buffers hold no more than it.
  auto profile = DecodePprofOnWire(bytes, "t.pb", limits, 1, false);
  ASSERT_TRUE(profile.ok());
  const SampleResolver resolver(
      *profile, Granularity::kFunctions, [](std::string_view, std::string_view, int64_t) { return FrameId{0}; },
      [](std::span<const FrameId>, std::span<uint32_t> lines) { std::fill(lines.begin(), lines.end(), 0); },
      ValueIndices{1, 0, -1, -1});
  ResolvedChunk chunk;
  resolver.Resolve(0, FrameFilters{}, chunk);
  EXPECT_FALSE(chunk.check.error.ok());
  EXPECT_TRUE(chunk.samples.empty());
  EXPECT_LE(chunk.frames.size(), 2 * limits.max_stack_depth);
}

// Ids that are no dense 1..n table (addresses as ids) are decoded whole.
TEST(ProfileReaderTest, SparseIdsOnTheWireAreDecodedWhole) {
  auto p = ValidProfile();
  p.mutable_location(0)->set_id(0xdeadbeef00ull);
  p.mutable_sample(0)->set_location_id(0, 0xdeadbeef00ull);
  p.mutable_sample(1)->set_location_id(0, 0xdeadbeef00ull);
  auto decoded = DecodePprofOnWire(p.SerializeAsString(), "t.pb");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->wire, nullptr);
  EXPECT_EQ(decoded->Stack(decoded->samples[0])[0], 0u);
}

// A profile smaller than a string's inline buffer: the records still point
// into the bytes the profile keeps.
TEST(ProfileReaderTest, TinyProfileOnTheWireKeepsItsRecords) {
  pb::Profile p;
  p.add_string_table("");
  p.add_string_table("n");
  p.add_sample_type()->set_type(1);
  p.add_sample()->add_value(5);
  const std::string bytes = p.SerializeAsString();
  ASSERT_LT(bytes.size(), 15u);
  auto on_wire = DecodePprofOnWire(bytes, "t.pb");
  ASSERT_TRUE(on_wire.ok()) << on_wire.status().message();
  ASSERT_NE(on_wire->wire, nullptr);
  WireSampleReader reader(*on_wire->wire);
  reader.Read(0);
  ASSERT_EQ(reader.values().size(), 1u);
  EXPECT_EQ(reader.values()[0], 5);
  EXPECT_TRUE(on_wire->wire->any_without_stack);
}

// Varints are read by two paths: with 10 bytes or more left (no bounds check
// per byte) and near the end of a message. Both give every length's value,
// stop where the varint ends, and refuse one of more than 64 bits.
TEST(WireReaderTest, VarintsOfEveryLengthInBothPaths) {
  auto encode = [](uint64_t v) {
    std::string out;
    do {
      out += static_cast<char>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
      v >>= 7;
    } while (v != 0);
    return out;
  };
  std::vector<uint64_t> values = {0, 1, 127, 128, 300, UINT64_MAX, uint64_t{1} << 63};
  for (int bits = 7; bits < 64; bits += 7) values.push_back((uint64_t{1} << bits) - 1);
  for (int bits = 7; bits < 64; bits += 7) values.push_back(uint64_t{1} << bits);
  for (const size_t padding : {size_t{0}, size_t{12}}) {
    for (const uint64_t v : values) {
      const std::string bytes = encode(v) + std::string(padding, '\x01');
      wire::WireReader r(bytes);
      uint64_t out = 0;
      ASSERT_TRUE(r.Varint(&out)) << v;
      EXPECT_EQ(out, v);
      for (size_t i = 0; i < padding; ++i) ASSERT_TRUE(r.Varint(&out) && out == 1);
      EXPECT_TRUE(r.done()) << v << " with " << padding << " bytes after it";
    }
    // A 10th byte over 1, and 11 bytes of continuation: more than 64 bits.
    for (const std::string& bad : {std::string(9, '\xff') + '\x02', std::string(11, '\xff')}) {
      const std::string bytes = bad + std::string(padding, '\x01');
      wire::WireReader r(bytes);
      uint64_t out = 0;
      EXPECT_FALSE(r.Varint(&out)) << bad.size() << " bytes with " << padding << " after";
    }
    // Cut short: a continuation bit on the last byte.
    const std::string cut = encode(uint64_t{1} << 40).substr(0, 3);
    wire::WireReader r(cut);
    uint64_t out = 0;
    EXPECT_FALSE(r.Varint(&out));
  }
}

TEST(ProfileReaderTest, GarbageIsNotAProfile) {
  auto decoded = DecodePprof(std::string("\xff\xff\xff\xff\xff\xff", 6), "r.bin");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "r.bin: not a pprof profile (corrupt or truncated protobuf)");
}

TEST(ProfileReaderTest, TruncatedMessageIsRejected) {
  const pb::Profile full = ValidProfile();
  const std::string bytes = full.SerializeAsString();
  // Fields serialize in field-number order; a cut that only drops fields
  // after the string table (period, time, comments...) leaves a message that
  // protobuf cannot tell from a complete one. Every earlier cut must fail.
  pb::Profile head = full;
  head.clear_drop_frames();
  head.clear_keep_frames();
  head.clear_time_nanos();
  head.clear_duration_nanos();
  head.clear_period_type();
  head.clear_period();
  head.clear_comment();
  const size_t string_table_end = head.ByteSizeLong();
  ASSERT_LT(string_table_end, bytes.size());
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    auto decoded = DecodePprof(bytes.substr(0, cut), "cut.pb");
    if (decoded.ok()) {
      EXPECT_GE(cut, string_table_end) << "a profile cut at " << cut << " of " << bytes.size() << " was accepted";
    } else {
      EXPECT_TRUE(decoded.status().message().starts_with("cut.pb: ")) << decoded.status().message();
    }
  }
}

// Two profiles concatenated in one file (cat a.pb b.pb): a protobuf reader
// merges them silently (mapping id 7 twice was the message); pprof says
// "concatenated profiles detected", and so does this reader, with the fix.
TEST(ProfileReaderTest, ConcatenatedProfilesAreSaidAsSuch) {
  const std::string one = ValidProfile().SerializeAsString();
  auto decoded = DecodePprof(one + one, "two.pb");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            "two.pb: two or more profiles concatenated in one file (time_nanos occurs twice; pprof says "
            "\"concatenated profiles detected\"): give each capture as its own file");
  // Without a capture time, the sampling period tells it.
  pb::Profile untimed = ValidProfile();
  untimed.clear_time_nanos();
  const std::string bytes = untimed.SerializeAsString();
  decoded = DecodePprof(bytes + bytes, "two.pb");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("(period_type occurs twice"), std::string::npos)
      << decoded.status().message();
}

}  // namespace
}  // namespace pprof_trend
