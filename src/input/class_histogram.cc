#include "input/class_histogram.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "base/units.h"
#include "input/model_builder.h"
#include "input/text_input.h"
#include "input/text_scan.h"

namespace pprof_trend {
namespace {

// A unified GC log line's "[0.123s][info][gc,classhisto] GC(3) " prefix,
// removed.
std::string_view WithoutLogPrefix(std::string_view line) {
  std::string_view t = Trim(line);
  while (t.starts_with('[')) {
    const size_t close = t.find(']');
    if (close == std::string_view::npos) break;
    t = Trim(t.substr(close + 1));
  }
  if (t.starts_with("GC(")) {
    const size_t close = t.find(')');
    if (close != std::string_view::npos && close > 3 &&
        t.substr(3, close - 3).find_first_not_of("0123456789") == std::string_view::npos)
      t = Trim(t.substr(close + 1));
  }
  return t;
}

// The "GC(3)" id of a unified GC log line; empty when it has none.
std::string_view GcId(std::string_view line) {
  const size_t at = line.find("] GC(");
  if (at == std::string_view::npos) return {};
  const size_t close = line.find(')', at);
  return close == std::string_view::npos ? std::string_view() : line.substr(at + 2, close - at - 1);
}

// The wall-clock time a GC log line starts with: unified logging's
// "[2026-12-05T23:47:41.540+0000]" decoration, or JDK 8's
// "2016-01-01T06:54:06.773+0100: ". 0 when there is none.
int64_t LineTime(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.starts_with('[')) t.remove_prefix(1);
  if (t.size() < 19 || t[4] != '-' || t[10] != 'T') return 0;
  std::string text(t.substr(0, 19));  // to the second
  size_t i = 19;
  int64_t fraction_nanos = 0;
  if (i < t.size() && t[i] == '.') {
    int64_t scale = 100000000;
    for (++i; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, scale /= 10)
      fraction_nanos += (t[i] - '0') * scale;
  }
  if (i + 5 <= t.size() && (t[i] == '+' || t[i] == '-')) text += std::string(t.substr(i, 5));
  const std::optional<int64_t> seconds = ParseTime(text);
  return seconds ? *seconds + fraction_nanos : 0;
}

enum class Layout { kNone, kHotSpot, kOpenJ9 };

Layout HeaderLayout(std::string_view line) {
  std::string_view s = WithoutLogPrefix(line);
  std::vector<std::string_view> words;
  for (std::string_view w = NextWord(s); !w.empty() && words.size() < 8; w = NextWord(s)) words.push_back(w);
  auto is = [&](std::initializer_list<std::string_view> expected) {
    if (words.size() < expected.size()) return false;
    size_t i = 0;
    for (std::string_view e : expected)
      if (words[i++] != e) return false;
    return true;
  };
  if (is({"num", "#instances", "#bytes", "class", "name"})) return Layout::kHotSpot;
  if (is({"num", "object", "count", "total", "size", "class", "name"})) return Layout::kOpenJ9;
  return Layout::kNone;
}

bool ParseNumber(std::string_view w, int64_t* v) {
  auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), *v);
  return ec == std::errc() && ptr == w.data() + w.size() && *v >= 0;
}

struct Row {
  std::string_view name, module;
  int64_t instances, bytes;
};

struct Histogram {
  size_t header_line = 0;
  int64_t time_nanos = 0;  // from the GC log line that introduces it; 0: none
  std::string_view gc_id;  // unified GC log: "GC(3)"; JDK 8 logs say "before full gc" instead
  bool before_gc = false;
  Layout layout = Layout::kNone;
  std::vector<Row> rows;
  bool has_footer = false;
  int64_t footer_instances = 0, footer_bytes = 0;
  size_t elided = 0;  // "..." lines
};

}  // namespace

bool IsClassHistogram(std::string_view data) {
  return AnyOfFirstLines(data, 20000, [](std::string_view line) { return HeaderLayout(line) != Layout::kNone; });
}

namespace {

// Step 1: every histogram of the file, its rows and footer, and when it was
// taken where a GC log says.
StatusOr<std::vector<Histogram>> ReadHistograms(std::string_view data, const std::string& source,
                                                const Limits& limits) {
  std::vector<Histogram> histograms;
  Histogram* h = nullptr;  // the one being read
  size_t rows_total = 0;
  TextInput input(data, source, limits);
  std::string_view line;
  int64_t recent_time = 0;  // of the last line that started with a time, within the last 3 lines
  size_t recent_time_line = 0;
  bool recent_before = false;
  while (input.Next(&line)) {
    const size_t line_number = input.line_number();
    auto error = [&](std::string_view what) { return input.Error(what); };
    if (const int64_t t = LineTime(line); t != 0) {
      recent_time = t;
      recent_time_line = line_number;
      recent_before = line.find("(before full gc)") != std::string_view::npos;
    }
    if (Layout layout = HeaderLayout(line); layout != Layout::kNone) {
      histograms.emplace_back();
      h = &histograms.back();
      h->header_line = line_number;
      h->layout = layout;
      if (recent_time != 0 && line_number - recent_time_line <= 3) {
        h->time_nanos = recent_time;
        h->before_gc = recent_before;
      }
      h->gc_id = GcId(line);
      continue;
    }
    if (h == nullptr || h->has_footer) continue;
    std::string_view t = WithoutLogPrefix(line);
    if (t.empty() || t.find_first_not_of('-') == std::string_view::npos) continue;  // the rule under the header
    if (IsElision(t)) {                                                             // rows left out
      ++h->elided;
      continue;
    }
    std::string_view rest = t;
    std::string_view first = NextWord(rest);
    if (first == "Total") {
      if (!ParseNumber(NextWord(rest), &h->footer_instances) || !ParseNumber(NextWord(rest), &h->footer_bytes))
        return error(
            fmt::format("expected a footer \"Total N M\", got \"{}\"", t.substr(0, std::min<size_t>(t.size(), 60))));
      h->has_footer = true;
      continue;
    }
    // "   1:  60000  1920000  Leak$Session" (HotSpot) or "    1  60000  1920000    Leak$Session" (OpenJ9)
    if (first.ends_with(':')) first.remove_suffix(1);
    int64_t rank = 0, instances = 0, bytes = 0;
    const std::string_view instances_word = NextWord(rest), bytes_word = NextWord(rest);
    std::string_view name = Trim(rest);
    if (!ParseNumber(first, &rank) || !ParseNumber(instances_word, &instances) || !ParseNumber(bytes_word, &bytes) ||
        name.empty()) {
      if (h->rows.empty())
        return error(fmt::format("expected a row \"num: #instances #bytes class name\", got \"{}\"",
                                 t.substr(0, std::min<size_t>(t.size(), 60))));
      h = nullptr;  // the histogram ended (a GC log goes on): no footer
      continue;
    }
    std::string_view module;
    if (name.ends_with(')')) {  // "[B (java.base@17.0.15)": the module, without its version
      const size_t open = name.rfind(" (");
      if (open != std::string_view::npos) {
        module = name.substr(open + 2, name.size() - open - 3);
        module = module.substr(0, module.find('@'));
        name = Trim(name.substr(0, open));
      }
    }
    RETURN_IF_ERROR(input.CheckName(name, "class name"));
    RETURN_IF_ERROR(input.CheckCount(++rows_total, "rows"));
    h->rows.push_back(Row{name, module, instances, bytes});
  }
  if (histograms.empty())
    return Status::InputError(fmt::format("{}: no \"num #instances #bytes class name\" header found", source));
  return histograms;
}

// Step 2: one histogram as a profile: a site per class.
StatusOr<Profile> BuildProfile(const Histogram& chosen, const std::string& source, std::vector<std::string> warnings) {
  ModelBuilder model(source);
  model.ReserveFrames(chosen.rows.size());
  model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  int64_t instances = 0, bytes = 0;
  for (const Row& r : chosen.rows) {
    // One shallow size for every instance of a class that is no array.
    std::optional<int64_t> each;
    if (!r.name.starts_with('[') && r.instances > 0 && r.bytes % r.instances == 0) each = r.bytes / r.instances;
    model.AddSample({model.FrameLocation(r.name, r.module, 0)}, {r.instances, r.bytes}, each);
    if (__builtin_add_overflow(instances, r.instances, &instances) || __builtin_add_overflow(bytes, r.bytes, &bytes))
      return Status::InputError(fmt::format("{}: counts or sizes too large (their totals overflow 64 bits)", source));
  }
  double coverage = 1;
  if (chosen.has_footer) {
    if (instances > chosen.footer_instances)
      return Status::InputError(
          fmt::format("{}: the histogram's rows hold {} instances, more than its footer's {}: "
                      "not one histogram",
                      source, FormatGrouped(instances), FormatGrouped(chosen.footer_instances)));
    if (instances < chosen.footer_instances) {
      coverage = chosen.footer_instances > 0
                     ? static_cast<double>(instances) / static_cast<double>(chosen.footer_instances)
                     : 0;
      warnings.push_back(fmt::format(
          "a partial histogram: its rows hold {} of the {} instances its footer counts ({:.1f}%); the classes left "
          "out are missing from the series",
          FormatGrouped(instances), FormatGrouped(chosen.footer_instances), 100 * coverage));
    }
  } else if (chosen.layout == Layout::kHotSpot) {
    warnings.push_back(
        "no \"Total\" line: the histogram may have been cut (piped through head?); its rows are read "
        "as they are");
  }
  if (chosen.elided > 0 && coverage == 1)
    warnings.push_back(fmt::format("{} elision line{} skipped", chosen.elided, chosen.elided == 1 ? "" : "s"));
  Profile profile = std::move(model).Finish();
  profile.runtime = "Java";
  profile.warnings = std::move(warnings);
  profile.coverage = coverage;
  if (chosen.has_footer) profile.stated_bytes = chosen.footer_bytes;
  profile.time_nanos = chosen.time_nanos;
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: counts or sizes too large (their totals overflow 64 bits)", source));
  return profile;
}

// The histograms of a GC log that hold the heap after a full GC (what is
// live): of those a GC printed before and after, the after; JDK 8's
// "(before full gc)" ones left out. Only whole ones (with their footer).
std::vector<const Histogram*> LiveHistograms(const std::vector<Histogram>& histograms) {
  std::vector<const Histogram*> out;
  for (size_t i = 0; i < histograms.size(); ++i) {
    const Histogram& h = histograms[i];
    if (!h.has_footer || h.before_gc) continue;
    if (!h.gc_id.empty() && i + 1 < histograms.size() && histograms[i + 1].gc_id == h.gc_id) continue;
    out.push_back(&h);
  }
  return out;
}

// The warning when a file holds several histograms and one is read: the last.
std::vector<std::string> LastOfSeveral(const std::vector<Histogram>& histograms) {
  if (histograms.size() < 2) return {};
  return {fmt::format("{} class histograms (a GC log?); read the last, at line {}", histograms.size(),
                      histograms.back().header_line)};
}

}  // namespace

StatusOr<Profile> ParseClassHistogram(std::string_view data, const std::string& source, const Limits& limits) {
  ASSIGN_OR_RETURN(const std::vector<Histogram> histograms, ReadHistograms(data, source, limits));
  return BuildProfile(histograms.back(), source, LastOfSeveral(histograms));
}

size_t CountClassHistogramCaptures(std::string_view data, const std::string& source, const Limits& limits) {
  auto histograms = ReadHistograms(data, source, limits);
  return histograms.ok() ? std::max<size_t>(1, LiveHistograms(*histograms).size()) : 1;
}

StatusOr<std::vector<Profile>> ParseClassHistogramSeries(std::string_view data, const std::string& source,
                                                         const Limits& limits) {
  ASSIGN_OR_RETURN(const std::vector<Histogram> histograms, ReadHistograms(data, source, limits));
  const std::vector<const Histogram*> live = LiveHistograms(histograms);
  std::vector<Profile> out;
  if (live.size() < 2) {  // the one profile ParseClassHistogram makes
    ASSIGN_OR_RETURN(Profile one, BuildProfile(histograms.back(), source, LastOfSeveral(histograms)));
    out.push_back(std::move(one));
    return out;
  }
  for (size_t k = 0; k < live.size(); ++k) {
    ASSIGN_OR_RETURN(Profile p, BuildProfile(*live[k], fmt::format("{}#{}", source, k + 1), {}));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace pprof_trend
