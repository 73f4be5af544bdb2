#include "support/profile_builder.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include "input/gzip.h"
#include "proto/profile.pb.h"

namespace pprof_trend::testing {

namespace pb = perftools::profiles;

namespace {

class Strings {
 public:
  explicit Strings(pb::Profile* p) : p_(p) { Index(""); }
  int64_t Index(const std::string& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<int64_t>(ids_.size()));
    if (inserted) p_->add_string_table(s);
    return it->second;
  }

 private:
  pb::Profile* p_;
  std::map<std::string, int64_t> ids_;
};

}  // namespace

TestSample HeapSample(std::vector<TestFrame> stack, int64_t objects, int64_t bytes, int64_t size_label) {
  return TestSample{std::move(stack), {objects, bytes, objects, bytes}, size_label};
}

std::string BuildProfile(const ProfileSpec& spec) {
  pb::Profile p;
  Strings strings(&p);
  for (const auto& [type, unit] : spec.sample_types) {
    auto* vt = p.add_sample_type();
    vt->set_type(strings.Index(type));
    vt->set_unit(strings.Index(unit));
  }
  p.mutable_period_type()->set_type(strings.Index("space"));
  p.mutable_period_type()->set_unit(strings.Index("bytes"));
  p.set_period(spec.period);
  p.set_time_nanos(spec.time_nanos);
  auto* mapping = p.add_mapping();
  mapping->set_id(1);
  mapping->set_memory_start(spec.mapping_start);
  mapping->set_memory_limit(spec.mapping_start + 0x400000);
  mapping->set_filename(strings.Index("/bin/service"));
  if (!spec.build_id.empty()) mapping->set_build_id(strings.Index(spec.build_id));
  std::map<std::string, uint64_t> function_ids;
  std::map<std::tuple<std::string, std::string, int64_t>, uint64_t> location_ids;
  for (const auto& s : spec.samples) {
    auto* sample = p.add_sample();
    for (const auto& f : s.stack) {
      auto fkey = f.function + '\0' + f.file;
      auto [fit, fnew] = function_ids.try_emplace(fkey, function_ids.size() + 1);
      if (fnew) {
        auto* fn = p.add_function();
        fn->set_id(fit->second);
        fn->set_name(strings.Index(f.function));
        fn->set_system_name(strings.Index(f.function));
        fn->set_filename(strings.Index(f.file));
      }
      auto [lit, lnew] = location_ids.try_emplace({f.function, f.file, f.line}, location_ids.size() + 1);
      if (lnew) {
        auto* loc = p.add_location();
        loc->set_id(lit->second);
        loc->set_mapping_id(1);
        loc->set_address(spec.mapping_start + 0x1000 + lit->second * 16);
        auto* line = loc->add_line();
        line->set_function_id(fit->second);
        line->set_line(f.line);
      }
      sample->add_location_id(lit->second);
    }
    for (int64_t v : s.values) sample->add_value(v);
    if (s.size_label != 0) {
      auto* label = sample->add_label();
      label->set_key(strings.Index("bytes"));
      label->set_num(s.size_label);
    }
  }
  return p.SerializeAsString();
}

std::string GzipCompress(const std::string& raw) { return Gzip(raw); }

std::string RewriteAsRebuild(const std::string& raw, uint32_t seed) {
  pb::Profile in;
  if (!in.ParseFromString(raw)) throw std::runtime_error("RewriteAsRebuild: not a profile");
  std::mt19937 rng(seed);

  // A permuted string table: index 0 stays "", the rest move.
  const int n = in.string_table_size();
  std::vector<int64_t> new_index(static_cast<size_t>(n));
  std::vector<int64_t> order(static_cast<size_t>(n - 1));
  std::iota(order.begin(), order.end(), 1);
  std::shuffle(order.begin(), order.end(), rng);
  pb::Profile out;
  out.add_string_table("");
  for (size_t i = 0; i < order.size(); ++i) {
    new_index[static_cast<size_t>(order[i])] = static_cast<int64_t>(i + 1);
    out.add_string_table(in.string_table(static_cast<int>(order[i])));
  }
  auto s = [&](int64_t old) { return new_index[static_cast<size_t>(old)]; };

  // New, sparse, shuffled ids for functions, locations and mappings.
  auto renumber = [&](int count) {
    std::vector<uint64_t> ids(static_cast<size_t>(count));
    for (auto& id : ids) id = 1000 + (rng() % 1000000) * 7;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    while (ids.size() < static_cast<size_t>(count)) ids.push_back(ids.empty() ? 1 : ids.back() + 3);
    std::shuffle(ids.begin(), ids.end(), rng);
    return ids;
  };
  std::map<uint64_t, uint64_t> fmap, lmap, mmap;
  auto fids = renumber(in.function_size());
  auto lids = renumber(in.location_size());
  auto mids = renumber(in.mapping_size());
  // One rebuilt binary: every capture of its process maps it at one place.
  const uint64_t shift = 0x100000 * 23;
  for (int i = 0; i < in.mapping_size(); ++i) mmap[in.mapping(i).id()] = mids[static_cast<size_t>(i)];
  for (int i = 0; i < in.function_size(); ++i) fmap[in.function(i).id()] = fids[static_cast<size_t>(i)];
  for (int i = 0; i < in.location_size(); ++i) lmap[in.location(i).id()] = lids[static_cast<size_t>(i)];

  for (const auto& vt : in.sample_type()) {
    auto* o = out.add_sample_type();
    o->set_type(s(vt.type()));
    o->set_unit(s(vt.unit()));
  }
  out.mutable_period_type()->set_type(s(in.period_type().type()));
  out.mutable_period_type()->set_unit(s(in.period_type().unit()));
  out.set_period(in.period());
  out.set_time_nanos(in.time_nanos());
  out.set_duration_nanos(in.duration_nanos());
  out.set_default_sample_type(s(in.default_sample_type()));
  for (int64_t c : in.comment()) out.add_comment(s(c));
  // Mappings, functions and locations in reverse order, with new ids.
  for (int i = in.mapping_size() - 1; i >= 0; --i) {
    const auto& m = in.mapping(i);
    auto* o = out.add_mapping();
    *o = m;
    o->set_id(mmap[m.id()]);
    o->set_memory_start(m.memory_start() + shift);
    o->set_memory_limit(m.memory_limit() + shift);
    o->set_filename(s(m.filename()));
    o->set_build_id(s(m.build_id()));
  }
  for (int i = in.function_size() - 1; i >= 0; --i) {
    const auto& f = in.function(i);
    auto* o = out.add_function();
    o->set_id(fmap[f.id()]);
    o->set_name(s(f.name()));
    o->set_system_name(s(f.system_name()));
    o->set_filename(s(f.filename()));
    o->set_start_line(f.start_line() + 3);  // an edit above the function moves it
  }
  for (int i = in.location_size() - 1; i >= 0; --i) {
    const auto& l = in.location(i);
    auto* o = out.add_location();
    o->set_id(lmap[l.id()]);
    if (l.mapping_id() != 0) o->set_mapping_id(mmap[l.mapping_id()]);
    o->set_address(l.address() + shift);
    for (const auto& line : l.line()) {
      auto* ol = o->add_line();
      ol->set_function_id(fmap[line.function_id()]);
      ol->set_line(line.line());
    }
  }
  std::vector<int> sample_order(static_cast<size_t>(in.sample_size()));
  std::iota(sample_order.begin(), sample_order.end(), 0);
  std::shuffle(sample_order.begin(), sample_order.end(), rng);
  for (int i : sample_order) {
    const auto& smp = in.sample(i);
    auto* o = out.add_sample();
    for (uint64_t id : smp.location_id()) o->add_location_id(lmap[id]);
    for (int64_t v : smp.value()) o->add_value(v);
    for (const auto& label : smp.label()) {
      auto* ol = o->add_label();
      ol->set_key(s(label.key()));
      ol->set_str(s(label.str()));
      ol->set_num(label.num());
      ol->set_num_unit(s(label.num_unit()));
    }
  }
  return out.SerializeAsString();
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileOrDie(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace pprof_trend::testing
