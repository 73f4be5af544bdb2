// Writes a deterministic series of heap profiles laid out the way Go's
// runtime/pprof writes them, for tools/bench.sh: a shape other than
// gen_profiles' (which protobuf's own serializer lays out field by field).
//
//   gen_go_profiles --out DIR [--captures 3] [--samples 100000] [--grow-to N]
//                   [--locations 40000] [--functions 12000] [--depth 24]
//                   [--interval 86400] [--seed 1]
//
// What makes it Go-shaped (runtime/pprof/proto.go, writeHeapProto):
//   - the message is written in Go's order: period type, period, the four
//     sample types; then each sample preceded by the locations it reaches
//     first and each location by nothing but followed by the functions it
//     names first (interleaved, ids numbered in order of first use in each
//     profile, so ids differ between captures); then time, duration, the
//     mappings, and the string table last, strings numbered in order of
//     first use;
//   - four sample types whose values are scaled like Go's (scaleHeapSample:
//     counts divided by 1 - exp(-size/rate)), a numeric `bytes` label on
//     every sample, about 20% of locations holding inlined frames, two
//     mappings (the binary and [vdso]), module-path function names and
//     module-cache file names, runtime allocation functions at the leaves;
//   - buckets are never dropped (the runtime keeps them): with --grow-to the
//     number of samples grows linearly from --samples to N over the captures
//     as new call paths appear.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/splitmix.h"
#include "base/write_file.h"
#include "input/gzip.h"

namespace {

struct Options {
  std::string out;
  int captures = 3;
  int64_t samples = 100000;
  int64_t grow_to = 0;  // 0: as many samples in every capture
  int64_t functions = 12000;
  int64_t locations = 40000;
  int depth = 24;
  int64_t interval = 86400;  // seconds between captures
  uint64_t seed = 1;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    int64_t n = std::atoll(value.c_str());
    if (flag == "--out")
      o->out = value;
    else if (flag == "--captures")
      o->captures = static_cast<int>(n);
    else if (flag == "--samples")
      o->samples = n;
    else if (flag == "--grow-to")
      o->grow_to = n;
    else if (flag == "--functions")
      o->functions = n;
    else if (flag == "--locations")
      o->locations = n;
    else if (flag == "--depth")
      o->depth = static_cast<int>(n);
    else if (flag == "--interval")
      o->interval = n;
    else if (flag == "--seed")
      o->seed = std::strtoull(value.c_str(), nullptr, 10);
    else
      return false;
  }
  return !o->out.empty() && argc % 2 == 1 && o->captures > 0 && o->samples > 0 && o->functions > 0 &&
         o->locations > 0 && o->depth > 1 && o->interval > 0;
}

// The protobuf wire format, as Go's profileBuilder writes it (zero fields left out).
void Varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void IntField(std::string& out, int field, uint64_t v) {
  if (v == 0) return;
  Varint(out, static_cast<uint64_t>(field) << 3);
  Varint(out, v);
}
void BytesField(std::string& out, int field, const std::string& bytes) {
  Varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  Varint(out, bytes.size());
  out += bytes;
}
void PackedField(std::string& out, int field, const std::vector<uint64_t>& values) {
  std::string packed;
  for (uint64_t v : values) Varint(packed, v);
  BytesField(out, field, packed);
}

// The program: functions with realistic names, locations (some inlined), and
// a call tree whose sampled paths are stacks.
struct Program {
  struct Func {
    std::string name, file;
    int64_t start_line;
  };
  struct Loc {
    uint64_t address;
    std::vector<std::pair<int64_t, int64_t>> lines;  // (function index, line), callee first
  };
  std::vector<Func> funcs;
  std::vector<Loc> locs;
};

Program MakeProgram(const Options& o) {
  // Module, version, package within it.
  static const char* kModules[][3] = {
      {"github.com/IBM/sarama", "v1.43.0", ""},
      {"google.golang.org/grpc", "v1.62.1", "/internal/transport"},
      {"google.golang.org/protobuf", "v1.33.0", "/internal/impl"},
      {"github.com/prometheus/client_golang", "v1.19.0", "/prometheus"},
      {"go.opentelemetry.io/otel/sdk", "v1.24.0", "/trace"},
      {"github.com/jackc/pgx/v5", "v5.5.5", "/pgconn"},
      {"k8s.io/client-go", "v0.29.3", "/tools/cache"},
      {"github.com/acme/orders-service", "v0.0.0-20240301120000-abcdef012345", "/internal/store"},
      {"github.com/acme/orders-service", "v0.0.0-20240301120000-abcdef012345", "/internal/api"},
      {"github.com/acme/orders-service", "v0.0.0-20240301120000-abcdef012345", "/internal/billing/ledger"},
  };
  static const char* kStd[] = {"net/http",   "encoding/json", "bufio", "bytes",   "compress/gzip",
                               "crypto/tls", "context",       "sync",  "reflect", "strings"};
  static const char* kAlloc[] = {"runtime.makeslice", "runtime.newobject",        "runtime.makemap",
                                 "runtime.growslice", "runtime.makechan",         "runtime.malg",
                                 "runtime.mapassign", "runtime.slicebytetostring"};
  Program p;
  for (int64_t f = 0; f < o.functions; ++f) {
    uint64_t h = pprof_trend::SplitMix64(o.seed * 1000003 + static_cast<uint64_t>(f));
    Program::Func fn;
    if (f < 8) {
      fn.name = kAlloc[f];
      fn.file = "/usr/local/go/src/runtime/" + std::string(f == 5 ? "proc.go" : "malloc.go");
    } else if (h % 5 == 0) {
      std::string pkg = kStd[(h >> 8) % 10];
      fn.name = pkg + ".(*" + "T" + std::to_string((h >> 16) % 40) + ").Method" + std::to_string(f);
      fn.file = "/usr/local/go/src/" + pkg + "/file" + std::to_string((h >> 24) % 12) + ".go";
    } else {
      const auto& mod = kModules[(h >> 8) % 10];
      std::string pkg = std::string(mod[0]) + mod[2];
      std::string recv = (h >> 32) % 3 == 0 ? "" : "(*handler" + std::to_string((h >> 16) % 60) + ").";
      std::string closure = (h >> 40) % 7 == 0 ? ".func" + std::to_string(1 + (h >> 44) % 3) : "";
      fn.name = pkg + "." + recv + "Process" + std::to_string(f) + closure;
      fn.file = "/home/build/go/pkg/mod/" + std::string(mod[0]) + "@" + mod[1] + mod[2] + "/component" +
                std::to_string((h >> 24) % 30) + ".go";
    }
    fn.start_line = static_cast<int64_t>(10 + (h >> 48) % 2000);
    p.funcs.push_back(std::move(fn));
  }
  for (int64_t l = 0; l < o.locations; ++l) {
    uint64_t h = pprof_trend::SplitMix64(o.seed * 7919 + static_cast<uint64_t>(l) * 31);
    Program::Loc loc;
    loc.address = 0x401000 + static_cast<uint64_t>(l) * 0x53;
    if (l < 8) {  // the runtime's allocation functions, one location each
      loc.lines.push_back({l, static_cast<int64_t>(900 + l * 40)});
      p.locs.push_back(std::move(loc));
      continue;
    }
    int lines = h % 5 == 0 ? 2 + static_cast<int>((h >> 8) % 3) : 1;  // ~20% hold inlined frames
    for (int k = 0; k < lines; ++k)
      loc.lines.push_back(
          {8 + static_cast<int64_t>(pprof_trend::SplitMix64(h + static_cast<uint64_t>(k)) % (o.functions - 8)),
           static_cast<int64_t>(20 + (h >> (12 + k)) % 3000)});
    p.locs.push_back(std::move(loc));
  }
  return p;
}

// Sample s's stack (location indices, leaf first) and object size.
struct Site {
  std::vector<uint32_t> stack;
  uint64_t size;
};

// A new call path: most share a long prefix with an earlier site (the same
// request path down to a different helper, as in a real call tree), the
// rest are a fresh random walk from the root.
Site MakeSite(const Options& o, const std::vector<Site>& earlier) {
  static const uint64_t kSizes[] = {16, 24, 32, 48, 64, 96, 128, 208, 256, 512, 1024, 4096, 8192, 32768};
  const uint64_t s = earlier.size();
  uint64_t h = pprof_trend::SplitMix64(o.seed ^ (s * 0x9e37ull));
  const uint64_t inner = static_cast<uint64_t>(o.locations) - 8;  // the first 8 are the runtime's
  std::vector<uint32_t> root_first;
  if (s > 0 && h % 8 != 0) {
    const Site& parent = earlier[pprof_trend::SplitMix64(h) % s];
    const size_t frames = parent.stack.size() - 1;  // without its allocation function
    const size_t keep = frames - std::min<size_t>(frames - 1, 1 + (h >> 8) % 4);
    root_first.assign(parent.stack.rbegin(), parent.stack.rbegin() + static_cast<ptrdiff_t>(keep));
  }
  const size_t depth = o.depth / 2 + static_cast<size_t>((h >> 12) % static_cast<uint64_t>(o.depth));
  uint64_t node = root_first.empty() ? o.seed : root_first.back();
  const size_t frames = std::max<size_t>(depth, root_first.size() + 1 + (h >> 20) % 4);
  for (size_t k = root_first.size(); k < frames; ++k) {
    node = pprof_trend::SplitMix64(node * 131 + pprof_trend::SplitMix64(h + k) % (2 + k / 2));
    root_first.push_back(static_cast<uint32_t>(8 + node % inner));
  }
  Site site;
  site.stack.push_back(static_cast<uint32_t>((h >> 36) % 8));  // the allocation function
  site.stack.insert(site.stack.end(), root_first.rbegin(), root_first.rend());
  site.size = kSizes[(h >> 40) % (sizeof(kSizes) / sizeof(kSizes[0]))];
  if ((h >> 50) % 500 == 0) site.size = 1 << 20;  // a few large buffers
  return site;
}

// One capture, in Go's layout.
std::string WriteCapture(const Options& o, const Program& prog, const std::vector<Site>& sites, int c) {
  std::vector<std::string> strings = {""};
  std::unordered_map<std::string, uint64_t> string_ids = {{"", 0}};
  auto str = [&](const std::string& s) {
    auto [it, added] = string_ids.emplace(s, strings.size());
    if (added) strings.push_back(s);
    return it->second;
  };
  std::string out;
  const int64_t rate = 512 * 1024;
  {
    std::string m;
    IntField(m, 1, str("space"));
    IntField(m, 2, str("bytes"));
    BytesField(out, 11, m);
  }
  IntField(out, 12, rate);
  for (auto [type, unit] : {std::pair{"alloc_objects", "count"},
                            {"alloc_space", "bytes"},
                            {"inuse_objects", "count"},
                            {"inuse_space", "bytes"}}) {
    std::string m;
    IntField(m, 1, str(type));
    IntField(m, 2, str(unit));
    BytesField(out, 1, m);
  }
  std::vector<uint64_t> loc_id(prog.locs.size(), 0), func_id(prog.funcs.size(), 0);
  uint64_t next_loc = 1, next_func = 1;
  const uint64_t bytes_key = str("bytes");
  for (size_t s = 0; s < sites.size(); ++s) {
    const Site& site = sites[s];
    std::vector<uint64_t> ids;
    for (uint32_t l : site.stack) {
      if (loc_id[l] == 0) {
        loc_id[l] = next_loc++;
        const Program::Loc& loc = prog.locs[l];
        std::vector<int64_t> new_funcs;
        std::string m;
        IntField(m, 1, loc_id[l]);
        IntField(m, 2, 1);  // mapping id: the binary
        IntField(m, 3, loc.address);
        for (auto [f, line] : loc.lines) {
          if (func_id[f] == 0) {
            func_id[f] = next_func++;
            new_funcs.push_back(f);
          }
          std::string lm;
          IntField(lm, 1, func_id[f]);
          IntField(lm, 2, static_cast<uint64_t>(line));
          BytesField(m, 4, lm);
        }
        BytesField(out, 4, m);
        for (int64_t f : new_funcs) {
          const Program::Func& fn = prog.funcs[f];
          std::string fm;
          IntField(fm, 1, func_id[f]);
          IntField(fm, 2, str(fn.name));
          IntField(fm, 3, str(fn.name));
          IntField(fm, 4, str(fn.file));
          IntField(fm, 5, static_cast<uint64_t>(fn.start_line));
          BytesField(out, 5, fm);
        }
      }
      ids.push_back(loc_id[l]);
    }
    // The counts of this bucket at capture c: most flat, some growing
    // (leaks), some shrinking, some churning; allocations only grow.
    uint64_t h = pprof_trend::SplitMix64(o.seed * 31 + s);
    uint64_t kind = h % 1000, base = 1 + (h >> 16) % 3;
    uint64_t inuse = base;
    if (kind >= 250)
      inuse = 0;  // most buckets only record allocations: their objects were freed
    else if (kind < 15)
      inuse = base * static_cast<uint64_t>(1 + c);
    else if (kind < 40)
      inuse = base * 2 / static_cast<uint64_t>(2 + c);
    else if (kind < 120)
      inuse = pprof_trend::SplitMix64(h + static_cast<uint64_t>(c)) % (2 * base);
    // Cumulative: never falls within the process (the in-use part falls by at most 2 x base a capture).
    uint64_t allocs = inuse + base * static_cast<uint64_t>(1 + c) * (3 + (h >> 24) % 5);
    const double scale = 1 / (1 - std::exp(-static_cast<double>(site.size) / rate));
    auto scaled = [&](uint64_t n, uint64_t size) {
      return static_cast<uint64_t>(static_cast<double>(n * size) * scale);
    };
    std::string m;
    PackedField(m, 1, ids);
    PackedField(m, 2, {scaled(allocs, 1), scaled(allocs, site.size), scaled(inuse, 1), scaled(inuse, site.size)});
    std::string label;
    IntField(label, 1, bytes_key);
    IntField(label, 3, site.size);
    BytesField(m, 3, label);
    BytesField(out, 2, m);
  }
  const int64_t start = 1700000000LL * 1000000000LL + static_cast<int64_t>(c) * o.interval * 1000000000LL;
  IntField(out, 9, static_cast<uint64_t>(start));
  IntField(out, 10, 1000000);
  for (auto [id, lo, hi, file] :
       {std::tuple{1, 0x400000ull, 0x4000000ull, "/app/orders-service"}, {2, 0x7ffd5000ull, 0x7ffd7000ull, "[vdso]"}}) {
    std::string m;
    IntField(m, 1, static_cast<uint64_t>(id));
    IntField(m, 2, lo);
    IntField(m, 3, hi);
    IntField(m, 5, str(file));
    if (id == 1) {
      IntField(m, 7, 1);  // has_functions
      IntField(m, 8, 1);  // has_filenames
      IntField(m, 9, 1);  // has_line_numbers
    }
    BytesField(out, 3, m);
  }
  for (const std::string& s : strings) BytesField(out, 6, s);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: gen_go_profiles --out DIR [--captures N] [--samples N] [--grow-to N] [--functions N] "
                 "[--locations N] [--depth N] [--interval SECONDS] [--seed N]\n");
    return 2;
  }
  const Program prog = MakeProgram(o);
  std::vector<Site> sites;
  const int digits = static_cast<int>(std::to_string(o.captures).size());
  for (int c = 0; c < o.captures; ++c) {
    int64_t n = o.samples;
    if (o.grow_to > 0 && o.captures > 1) n = o.samples + (o.grow_to - o.samples) * c / (o.captures - 1);
    while (static_cast<int64_t>(sites.size()) < n) sites.push_back(MakeSite(o, sites));
    std::string raw = WriteCapture(o, prog, sites, c);
    char name[64];
    std::snprintf(name, sizeof name, "/capture%0*d.pb.gz", std::max(digits, 2), c + 1);
    const std::string path = o.out + name, gz = pprof_trend::Gzip(raw);
    if (pprof_trend::Status written = pprof_trend::WriteFileAtomically(path, gz); !written.ok()) {
      std::fprintf(stderr, "%s\n", written.message().c_str());
      return 1;
    }
    if (o.captures <= 10 || c == 0 || c + 1 == o.captures)
      std::printf("%s: %zu samples, %zu bytes raw, %zu gzipped\n", path.c_str(), sites.size(), raw.size(), gz.size());
  }
  return 0;
}
