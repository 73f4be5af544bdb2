// Writes a deterministic series of large, realistic Go-style heap profiles
// for benchmarks (tools/bench.sh): day01.pb.gz, day02.pb.gz, ...
//
//   gen_profiles --out DIR [--captures 3] [--samples 300000] [--functions 20000]
//                [--locations 60000] [--depth 30] [--seed 1]
//
// Stacks share root-side prefixes like a real call tree; about 10% of the
// locations hold inlined frames; every sample carries a `bytes` label. Across
// the captures a few subtrees grow (leaks), some shrink, a few appear, some
// churn, and most stay flat. Capture times are one day apart.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/splitmix.h"
#include "base/write_file.h"
#include "input/gzip.h"
#include "proto/profile.pb.h"

namespace pb = perftools::profiles;

namespace {

struct Options {
  std::string out;
  int captures = 3;
  int64_t samples = 300000;
  int64_t functions = 20000;
  int64_t locations = 60000;
  int depth = 30;
  uint64_t seed = 1;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--out")
      o->out = value;
    else if (flag == "--captures")
      o->captures = std::atoi(value.c_str());
    else if (flag == "--samples")
      o->samples = std::atoll(value.c_str());
    else if (flag == "--functions")
      o->functions = std::atoll(value.c_str());
    else if (flag == "--locations")
      o->locations = std::atoll(value.c_str());
    else if (flag == "--depth")
      o->depth = std::atoi(value.c_str());
    else if (flag == "--seed")
      o->seed = std::strtoull(value.c_str(), nullptr, 10);
    else
      return false;
  }
  return !o->out.empty() && argc % 2 == 1 && o->captures > 0 && o->samples > 0 && o->functions > 0 &&
         o->locations > 0 && o->depth > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: gen_profiles --out DIR [--captures N] [--samples N] [--functions N] [--locations N] "
                 "[--depth N] [--seed N]\n");
    return 2;
  }
  // The program: functions, locations (some with inlined frames), and stacks.
  pb::Profile base;
  std::vector<std::string> strings = {""};
  auto str = [&](std::string s) {
    strings.push_back(std::move(s));
    return static_cast<int64_t>(strings.size() - 1);
  };
  const char* types[][2] = {
      {"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}};
  for (auto& t : types) {
    auto* vt = base.add_sample_type();
    vt->set_type(str(t[0]));
    vt->set_unit(str(t[1]));
  }
  base.mutable_period_type()->set_type(str("space"));
  base.mutable_period_type()->set_unit(str("bytes"));
  base.set_period(524288);
  auto* mapping = base.add_mapping();
  mapping->set_id(1);
  mapping->set_memory_start(0x400000);
  mapping->set_memory_limit(0x4000000);
  mapping->set_filename(str("/usr/local/bin/service"));
  for (int64_t f = 0; f < o.functions; ++f) {
    uint64_t h = pprof_trend::SplitMix64(o.seed * 1000003 + static_cast<uint64_t>(f));
    auto* fn = base.add_function();
    fn->set_id(static_cast<uint64_t>(f + 1));
    std::string pkg = "github.com/acme/service/internal/pkg" + std::to_string(h % 400);
    std::string name = pkg + ".(*Type" + std::to_string((h >> 10) % 50) + ").Method" + std::to_string(f);
    fn->set_name(str(name));
    fn->set_system_name(fn->name());
    fn->set_filename(str(pkg + "/file" + std::to_string((h >> 20) % 20) + ".go"));
    fn->set_start_line(static_cast<int64_t>(10 + (h >> 30) % 2000));
  }
  for (int64_t l = 0; l < o.locations; ++l) {
    uint64_t h = pprof_trend::SplitMix64(o.seed * 7919 + static_cast<uint64_t>(l) * 31);
    auto* loc = base.add_location();
    loc->set_id(static_cast<uint64_t>(l + 1));
    loc->set_mapping_id(1);
    loc->set_address(0x401000 + static_cast<uint64_t>(l) * 0x40);
    int lines = h % 10 == 0 ? 2 + static_cast<int>((h >> 8) % 2) : 1;  // ~10% hold inlined frames
    for (int k = 0; k < lines; ++k) {
      auto* line = loc->add_line();
      line->set_function_id(1 +
                            pprof_trend::SplitMix64(h + static_cast<uint64_t>(k)) % static_cast<uint64_t>(o.functions));
      line->set_line(static_cast<int64_t>(20 + (h >> (12 + k)) % 3000));
    }
  }
  for (auto& s : strings) base.add_string_table(s);
  const int64_t bytes_key = static_cast<int64_t>(strings.size());
  base.add_string_table("bytes");

  // Stacks: a random walk down a call tree whose fan-out grows with depth, so
  // samples share prefixes near the root. Leaf first in the profile.
  const uint64_t sizes[] = {16, 32, 48, 64, 96, 128, 256, 512, 1024, 4096, 32768, 1 << 20};
  std::vector<std::vector<uint64_t>> stacks(static_cast<size_t>(o.samples));
  std::vector<uint64_t> object_size(static_cast<size_t>(o.samples));
  // Like the Go runtime, number locations in the order stacks first reach them.
  std::vector<uint64_t> id_of(static_cast<size_t>(o.locations) + 1, 0);
  uint64_t next_id = 1;
  for (int64_t s = 0; s < o.samples; ++s) {
    uint64_t h = pprof_trend::SplitMix64(o.seed ^ (static_cast<uint64_t>(s) * 0x9e37ull));
    int d = o.depth / 2 + static_cast<int>(h % static_cast<uint64_t>(o.depth));
    std::vector<uint64_t> root_first;
    uint64_t node = o.seed;
    for (int k = 0; k < d; ++k) {
      uint64_t fanout = 2 + static_cast<uint64_t>(k) * 3;
      node = pprof_trend::SplitMix64(node * 131 + pprof_trend::SplitMix64(h + static_cast<uint64_t>(k)) % fanout);
      uint64_t& id = id_of[1 + node % static_cast<uint64_t>(o.locations)];
      if (id == 0) id = next_id++;
      root_first.push_back(id);
    }
    stacks[static_cast<size_t>(s)].assign(root_first.rbegin(), root_first.rend());
    object_size[static_cast<size_t>(s)] = sizes[(h >> 40) % (sizeof(sizes) / sizeof(sizes[0]))];
  }

  for (auto& id : id_of)
    if (id == 0) id = next_id++;
  for (int64_t l = 0; l < o.locations; ++l)
    base.mutable_location(static_cast<int>(l))->set_id(id_of[static_cast<size_t>(l) + 1]);

  for (int c = 0; c < o.captures; ++c) {
    pb::Profile p = base;
    p.set_time_nanos(1700000000LL * 1000000000LL + static_cast<int64_t>(c) * 86400LL * 1000000000LL);
    p.set_duration_nanos(0);
    for (int64_t s = 0; s < o.samples; ++s) {
      uint64_t h = pprof_trend::SplitMix64(o.seed * 31 + static_cast<uint64_t>(s));
      uint64_t kind = h % 1000;
      uint64_t base_objects = 1 + (h >> 16) % 200;
      uint64_t objects = base_objects;
      if (kind < 15)
        objects = base_objects * static_cast<uint64_t>(1 + c);  // growing: leaks
      else if (kind < 40)
        objects = base_objects * 2 / static_cast<uint64_t>(2 + c);  // shrinking
      else if (kind < 50)
        objects = c >= o.captures / 2 ? base_objects : 0;  // appears later
      else if (kind < 120)
        objects = pprof_trend::SplitMix64(h + static_cast<uint64_t>(c)) % (2 * base_objects);  // churn
      auto* sample = p.add_sample();
      for (uint64_t loc : stacks[static_cast<size_t>(s)]) sample->add_location_id(loc);
      uint64_t size = object_size[static_cast<size_t>(s)];
      int64_t inuse_objects = static_cast<int64_t>(objects), inuse_bytes = static_cast<int64_t>(objects * size);
      sample->add_value(inuse_objects * 3 + 1);
      sample->add_value(inuse_bytes * 3 + static_cast<int64_t>(size));
      sample->add_value(inuse_objects);
      sample->add_value(inuse_bytes);
      auto* label = sample->add_label();
      label->set_key(bytes_key);
      label->set_num(static_cast<int64_t>(size));
    }
    std::string raw = p.SerializeAsString();
    char name[64];
    std::snprintf(name, sizeof name, "/day%02d.pb.gz", c + 1);
    std::string path = o.out + name;
    const std::string gz = pprof_trend::Gzip(raw);
    if (pprof_trend::Status written = pprof_trend::WriteFileAtomically(path, gz); !written.ok()) {
      std::fprintf(stderr, "%s\n", written.message().c_str());
      return 1;
    }
    std::printf("%s: %zu bytes raw, %zu gzipped\n", path.c_str(), raw.size(), gz.size());
  }
  return 0;
}
