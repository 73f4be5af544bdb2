#include "input/dumpheap.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <vector>

#include "base/units.h"
#include "input/model_builder.h"
#include "input/text_input.h"
#include "input/text_scan.h"

namespace pprof_trend {
namespace {

bool IsHeaderLine(std::string_view line) {
  std::string_view s = line;
  return NextWord(s) == "MT" && NextWord(s) == "Count" && NextWord(s) == "TotalSize" && NextWord(s) == "Class" &&
         NextWord(s) == "Name";
}

bool ParseMethodTable(std::string_view w) {
  if (w.starts_with("0x") || w.starts_with("0X")) w.remove_prefix(2);
  if (w.empty()) return false;
  for (char c : w)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '`') return false;
  return true;
}

// "Total 428516 objects", "Total 1,234 objects, 56,789 bytes" (managed SOS),
// "Total 1,234 objects, Total size: 56,789" (.NET 1.1).
bool ParseFooter(std::string_view line, int64_t* objects, std::optional<int64_t>* bytes) {
  std::string_view s = line;
  if (NextWord(s) != "Total" || !ParseGroupedCount(NextWord(s), objects)) return false;
  std::string_view word = NextWord(s);
  if (word != "objects" && word != "objects,") return false;
  s = Trim(s);
  if (s.empty()) return true;
  if (s.starts_with("Total size:")) {
    s.remove_prefix(11);
    int64_t b;
    if (ParseGroupedCount(Trim(s), &b)) *bytes = b;
    return true;
  }
  int64_t b;
  std::string_view count = NextWord(s);
  if (ParseGroupedCount(count, &b) && Trim(s) == "bytes") *bytes = b;
  return true;
}

// The command a table came from, when the paste shows it ("0:000> !dumpheap
// -stat", "> dumpheap -stat -type Foo", "!finalizequeue").
std::string_view CommandIn(std::string_view t) {
  for (std::string_view command :
       {"dumpheap", "finalizequeue", "gchandles", "DumpHeap", "FinalizeQueue", "GCHandles"}) {
    const size_t at = t.find(command);
    if (at == std::string_view::npos) continue;
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(t[at - 1])) && t[at - 1] != '!')) continue;
    return Trim(t.substr(at > 0 && t[at - 1] == '!' ? at - 1 : at));
  }
  return {};
}

// What a command shows when it is not the whole heap's statistics: empty for
// "dumpheap -stat" (and for a table whose command is not in the paste).
std::string FilterOf(std::string_view command) {
  if (command.empty()) return "";
  std::string lower(command);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("dumpheap") == std::string::npos) return std::string(command);  // finalizequeue, gchandles
  for (std::string_view flag : {"-type", "-mt", "-min", "-max", "-live", "-dead", "-gen", "-strings", "-segment"}) {
    const size_t at = lower.find(flag);
    if (at != std::string::npos && (at + flag.size() == lower.size() || lower[at + flag.size()] == ' '))
      return std::string(command);
  }
  return "";
}

struct Row {
  std::string_view name;
  int64_t count, size;
};

struct Table {
  size_t header_line = 0;
  std::string_view command;
  std::vector<Row> rows;
  size_t elided = 0;  // elision lines skipped
  size_t elision_line = 0;
  bool has_footer = false;
  int64_t footer_objects = 0;
  std::optional<int64_t> footer_bytes;
};

}  // namespace

bool IsDumpheapStat(std::string_view data) {
  // A table may follow a long session in the paste: look through the first
  // 20,000 lines (and no further: this runs on every input, binary ones too).
  return AnyOfFirstLines(data, 20000, IsHeaderLine);
}

namespace {

// Step 1: every table of the paste, its rows, elisions and footer.
StatusOr<std::vector<Table>> ReadTables(std::string_view data, const std::string& source, const Limits& limits) {
  std::vector<Table> tables;
  Table* table = nullptr;  // the one being read
  std::string_view command;
  size_t rows_total = 0;
  TextInput input(data, source, limits);
  std::string_view line;
  while (input.Next(&line)) {
    const size_t line_number = input.line_number();
    auto error = [&](std::string_view what) { return input.Error(what); };
    std::string_view trimmed = Trim(line);
    if (IsHeaderLine(trimmed)) {
      tables.emplace_back();
      table = &tables.back();
      table->header_line = line_number;
      table->command = command;
      continue;
    }
    // A command line (a prompt with dumpheap, finalizequeue ...), not a row
    // whose type name happens to hold such a word.
    std::string_view first_words = trimmed;
    const bool row_like = ParseMethodTable(NextWord(first_words)) && !NextWord(first_words).empty();
    if (std::string_view c = CommandIn(trimmed); !c.empty() && !row_like) {
      command = c;
      if (table != nullptr && !table->has_footer) table = nullptr;  // the table ended without its footer
      continue;
    }
    if (table == nullptr || table->has_footer) continue;
    if (trimmed.empty()) continue;
    if (trimmed.starts_with("Total ")) {
      if (!ParseFooter(trimmed, &table->footer_objects, &table->footer_bytes))
        return error(fmt::format("expected a footer \"Total N objects\", got \"{}\"",
                                 trimmed.substr(0, std::min<size_t>(trimmed.size(), 60))));
      table->has_footer = true;
      continue;
    }
    if (IsElision(trimmed)) {
      if (table->elided++ == 0) table->elision_line = line_number;
      continue;
    }
    std::string_view rest = trimmed;
    std::string_view mt = NextWord(rest), count_word = NextWord(rest), size_word = NextWord(rest);
    std::string_view name = Trim(rest);
    int64_t count = 0, size = 0;
    if (!ParseMethodTable(mt) || !ParseGroupedCount(count_word, &count) || !ParseGroupedCount(size_word, &size) ||
        name.empty())
      return error(fmt::format("expected a row \"MT Count TotalSize Class Name\", got \"{}\"",
                               trimmed.substr(0, std::min<size_t>(trimmed.size(), 60))));
    RETURN_IF_ERROR(input.CheckName(name, "type name"));
    RETURN_IF_ERROR(input.CheckCount(++rows_total, "rows"));
    table->rows.push_back(Row{name, count, size});
  }
  return tables;
}

// Step 2: the table a trend reads, with a warning when there were several.
StatusOr<const Table*> ChooseTable(const std::vector<Table>& tables, const std::string& source,
                                   std::vector<std::string>& warnings) {
  if (tables.empty())
    return Status::InputError(fmt::format("{}: no \"MT Count TotalSize Class Name\" header found", source));

  // Several tables of these columns (finalizequeue, gchandles, dumpheap
  // -type/-min/-live print them too): the whole heap's statistics are the
  // last "dumpheap -stat" without a filter; else, the largest.
  const Table* chosen = nullptr;
  for (const Table& t : tables)
    if (FilterOf(t.command).empty()) chosen = &t;
  const bool whole_heap = chosen != nullptr;
  if (chosen == nullptr) {
    auto objects = [](const Table& t) {
      int64_t n = 0;
      for (const Row& r : t.rows) n += r.count;
      return t.has_footer ? std::max(n, t.footer_objects) : n;
    };
    chosen = &tables.front();
    for (const Table& t : tables)
      if (objects(t) > objects(*chosen)) chosen = &t;
  }
  if (tables.size() > 1) {
    std::string shown = chosen->command.empty() ? "" : fmt::format(" (\"{}\")", chosen->command);
    warnings.push_back(fmt::format("{} tables of heap statistics; read the one at line {}{}{}", tables.size(),
                                   chosen->header_line, shown,
                                   whole_heap ? ", the whole heap's" : ", the largest: none is the whole heap's"));
  }
  if (!chosen->has_footer)
    return Status::InputError(
        fmt::format("{}: truncated heap statistics: no \"Total N objects\" line after the table at line {}", source,
                    chosen->header_line));
  return chosen;
}

// Step 3: the chosen table as a profile: a site per type.
StatusOr<Profile> BuildProfile(const Table& t, const std::string& source, std::vector<std::string> warnings) {
  ModelBuilder model(source);
  model.ReserveFrames(t.rows.size());
  model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  int64_t row_objects = 0, row_bytes = 0, free_gaps = 0, free_bytes = 0;  // free: overflow checked with the rows
  for (const Row& r : t.rows) {
    if (__builtin_add_overflow(row_objects, r.count, &row_objects) ||
        __builtin_add_overflow(row_bytes, r.size, &row_bytes))
      return Status::InputError(fmt::format("{}: counts or sizes too large (their totals overflow 64 bits)", source));
    // SOS's "Free": the gaps between objects, which the footer counts too.
    // No type and no allocation site: its growth is fragmentation, not a
    // leak, so it is said apart instead of ranked among the types.
    if (r.name == "Free") {
      free_gaps += r.count;
      free_bytes += r.size;
      continue;
    }
    uint32_t location = model.FrameLocation(r.name, "", 0);
    std::optional<int64_t> each;
    if (r.count > 0 && r.size % r.count == 0) each = r.size / r.count;
    model.AddSample({location}, {r.count, r.size}, each);
  }
  // The footer counts the whole table: rows left out when it was pasted
  // ("header plus the last rows", an author's "...") show as a shortfall.
  if (row_objects > t.footer_objects)
    return Status::InputError(
        fmt::format("{}: the table's rows hold {} objects, more than its footer's \"Total {} objects\": not one table",
                    source, FormatGrouped(row_objects), FormatGrouped(t.footer_objects)));
  double coverage = 1;
  if (row_objects < t.footer_objects) {
    coverage = t.footer_objects > 0 ? static_cast<double>(row_objects) / static_cast<double>(t.footer_objects) : 0;
    std::string bytes;
    if (t.footer_bytes && *t.footer_bytes > 0)
      bytes = fmt::format(" and {:.1f}% of its bytes",
                          100.0 * static_cast<double>(row_bytes) / static_cast<double>(*t.footer_bytes));
    warnings.push_back(fmt::format(
        "a partial table: its rows hold {} of the {} objects its footer counts ({:.1f}%{}){}; the types left out "
        "are missing from the series",
        FormatGrouped(row_objects), FormatGrouped(t.footer_objects), 100 * coverage, bytes,
        t.elided > 0 ? fmt::format(" (rows elided at line {})", t.elision_line) : ""));
  } else if (t.elided > 0) {
    warnings.push_back(
        fmt::format("an elision line at line {} skipped (the rows add up to the footer's total)", t.elision_line));
  }
  Profile profile = std::move(model).Finish();
  profile.runtime = ".NET";
  if (free_gaps > 0) profile.free_bytes = free_bytes;
  profile.warnings = std::move(warnings);
  profile.coverage = coverage;
  if (t.has_footer && t.footer_bytes) profile.stated_bytes = *t.footer_bytes;
  profile.view_filter = FilterOf(t.command);
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: counts or sizes too large (their totals overflow 64 bits)", source));
  return profile;
}

}  // namespace

StatusOr<Profile> ParseDumpheapStat(std::string_view data, const std::string& source, const Limits& limits) {
  ASSIGN_OR_RETURN(const std::vector<Table> tables, ReadTables(data, source, limits));
  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(const Table* chosen, ChooseTable(tables, source, warnings));
  return BuildProfile(*chosen, source, std::move(warnings));
}

namespace {

std::vector<const Table*> WholeHeapTables(const std::vector<Table>& tables) {
  std::vector<const Table*> whole;
  for (const Table& t : tables)
    if (FilterOf(t.command).empty() && t.has_footer) whole.push_back(&t);
  return whole;
}

}  // namespace

size_t CountDumpheapCaptures(std::string_view data, const std::string& source, const Limits& limits) {
  auto tables = ReadTables(data, source, limits);
  return tables.ok() ? std::max<size_t>(1, WholeHeapTables(*tables).size()) : 1;
}

StatusOr<std::vector<Profile>> ParseDumpheapSeries(std::string_view data, const std::string& source,
                                                   const Limits& limits) {
  ASSIGN_OR_RETURN(const std::vector<Table> tables, ReadTables(data, source, limits));
  const std::vector<const Table*> whole = WholeHeapTables(tables);
  std::vector<Profile> out;
  if (whole.size() < 2) {
    std::vector<std::string> warnings;
    ASSIGN_OR_RETURN(const Table* chosen, ChooseTable(tables, source, warnings));
    ASSIGN_OR_RETURN(Profile one, BuildProfile(*chosen, source, std::move(warnings)));
    out.push_back(std::move(one));
    return out;
  }
  for (size_t k = 0; k < whole.size(); ++k) {
    ASSIGN_OR_RETURN(Profile p, BuildProfile(*whole[k], fmt::format("{}#{}", source, k + 1), {}));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace pprof_trend
