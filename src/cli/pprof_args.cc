#include "cli/pprof_args.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/closest_name.h"
#include "base/url.h"

namespace pprof_trend {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// pprof options that mean what one of ours means: pprof name -> ours.
struct Alias {
  const char* pprof;
  const char* ours;
  const char* value;  // a fixed value for ours (pprof's -inuse_space is --sample-index inuse_space); null: pprof's
};
constexpr Alias kAliases[] = {
    {"sample_index", "sample-index", nullptr},
    {"nodecount", "nodecount", nullptr},
    {"nodefraction", "nodefraction", nullptr},
    {"focus", "focus", nullptr},
    {"ignore", "ignore", nullptr},
    {"output", "output", nullptr},
    {"inuse_space", "sample-index", "inuse_space"},
    {"inuse_objects", "sample-index", "inuse_objects"},
    {"alloc_space", "sample-index", "alloc_space"},
    {"alloc_objects", "sample-index", "alloc_objects"},
    {"functions", "granularity", "functions"},
    {"lines", "granularity", "lines"},
    {"files", "granularity", "files"},
};

// pprof options with no equivalent here, and what to do instead.
struct Advice {
  const char* pprof;
  const char* advice;
};
constexpr Advice kAdvice[] = {
    {"http", "pprof-trend serves no web UI; write a report with --html report.html and open it in a browser"},
    {"web", "pprof-trend draws no graph; write a report with --html report.html and open it in a browser"},
    {"svg", "write a report with --html report.html (its charts and flame graph are SVG)"},
    {"png", "write a report with --html report.html"},
    {"pdf", "write a report with --html report.html"},
    {"dot", "write a report with --html report.html"},
    {"gv", "write a report with --html report.html"},
    {"tree",
     "the text output shows the call paths of the top sites; --html report.html has the growth as a flame graph"},
    {"traces", "the text output shows the call paths of the top sites; --format json has every site's stack"},
    {"list", "pprof-trend shows source lines with --granularity lines"},
    {"peek", "the text output shows the call paths of the top sites"},
    {"proto", "pprof-trend export -o growth.pb.gz PROFILES... writes the growth as a pprof profile"},
    {"raw", "--format json has every number pprof-trend computed"},
    {"diff_base", "pprof-trend compares every capture in order; give the base first: pprof-trend BASE LATER..."},
    {"base", "pprof-trend compares every capture in order; give the base first: pprof-trend BASE LATER..."},
    {"hide", "use --ignore REGEX (samples with a matching frame are dropped)"},
    {"show", "use --focus REGEX (only samples with a matching frame are kept)"},
    {"tagfocus", "pprof-trend does not filter by tags; use --focus REGEX on frames"},
    {"tagignore", "pprof-trend does not filter by tags; use --ignore REGEX on frames"},
    {"seconds", "pprof-trend reads saved captures: fetch each with curl -o heap-N.pb.gz URL"},
    {"cum", "sites are ranked by their growth; --format json has every site's numbers"},
    {"flat", "sites are ranked by their growth; --format json has every site's numbers"},
};

// "--name=value" or "-name=value" -> name and value.
void SplitOption(const std::string& body, std::string* name, std::string* value, bool* has_value) {
  size_t eq = body.find('=');
  *has_value = eq != std::string::npos;
  *name = body.substr(0, eq);
  *value = *has_value ? body.substr(eq + 1) : "";
}

// The long options of `c` (but help, which only -h and --help ask for).
std::vector<std::string> LongNames(const CommandOptions& c) {
  std::vector<std::string> names = c.flags;
  names.insert(names.end(), c.valued.begin(), c.valued.end());
  std::erase(names, "help");
  return names;
}

}  // namespace

// An option that is neither ours nor an alias of ours: pprof's options that
// mean nothing here are skipped or translated; any other is an error that
// says what to use instead, or the closest of ours.
Status ForeignOption(const std::string& name, const std::string& value, bool has_value, bool double_dash,
                     const CommandOptions& command, std::vector<std::string>& out) {
  if (name == "top" || name == "text") {  // pprof's text listing: what pprof-trend prints by default
    if (command.name.empty() || command.name == "inspect") return Status();
  }
  if (name == "symbolize" && Contains(LongNames(command), "no-symbolize")) {
    // pprof's -symbolize=MODE: none is ours; local (and fastlocal) is what
    // pprof-trend does anyway; remote and the others it cannot do.
    if (value == "none") {
      out.push_back("--no-symbolize");
      return Status();
    }
    if (value == "local" || value == "fastlocal") return Status();
    return Status::UsageError(fmt::format(
        "{}symbolize{}: pprof-trend symbolizes from local files only (the mapped paths, or --symbols PATH); "
        "-symbolize=none turns it off",
        double_dash ? "--" : "-", has_value ? "=" + value : ""));
  }
  const std::string dashes = double_dash ? "--" : "-";
  for (const Advice& a : kAdvice)
    if (name == a.pprof) return Status::UsageError(fmt::format("{}{}: {}", dashes, name, a.advice));
  if (name == "output" && command.name.empty())
    return Status::UsageError(
        fmt::format("{}{}: pprof-trend prints to standard output (redirect it: > FILE); --html FILE writes a report",
                    dashes, name));
  std::string suggestion = ClosestMatch(name, LongNames(command));  // (ours were handled before)
  if (suggestion.empty()) {
    for (const Alias& a : kAliases)
      if (ClosestMatch(name, {a.pprof}) == a.pprof && Contains(LongNames(command), a.ours)) suggestion = a.ours;
  }
  std::string where = command.name.empty() ? "" : " for " + command.name;
  if (!suggestion.empty())
    return Status::UsageError(
        fmt::format("{}{}: unknown option{}; did you mean --{}? (--help lists them)", dashes, name, where, suggestion));
  return Status::UsageError(fmt::format("{}{}: unknown option{} (--help lists them)", dashes, name, where));
}

StatusOr<std::vector<std::string>> TranslatePprofArgs(const std::vector<std::string>& args,
                                                      const std::vector<CommandOptions>& commands) {
  std::vector<std::string> out;
  const CommandOptions* command = &commands.front();
  bool options_ended = false;    // after "--" everything is a file
  bool expect_value = false;     // the previous argument takes this one as its value
  bool positional_seen = false;  // a command name counts only before any file
  for (const std::string& given : args) {
    if (expect_value) {
      expect_value = false;
      out.push_back(given);
      continue;
    }
    // pprof reads "host:6060/debug/pprof/heap" as a URL when no file has
    // that name; so does pprof-trend.
    std::error_code ec;
    const std::string arg =
        IsHostPortWithoutScheme(given) && !std::filesystem::exists(given, ec) ? "http://" + given : given;
    if (IsUrl(arg)) {  // a capture fetched now (capture/http.h)
      positional_seen = true;
      out.push_back(arg);
      continue;
    }
    if (options_ended) {
      out.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      out.push_back(arg);
      continue;
    }
    if (!arg.starts_with("-") && !positional_seen && command == &commands.front()) {
      auto named =
          std::find_if(commands.begin() + 1, commands.end(), [&](const CommandOptions& c) { return c.name == arg; });
      if (named != commands.end()) {
        command = &*named;
        out.push_back(arg);
        continue;
      }
    }
    if (!arg.starts_with("-") || arg == "-") positional_seen = true;
    if (arg == "-" || !arg.starts_with("-") || arg == "-h" || arg == "--help" || arg == "--version") {
      out.push_back(arg);
      continue;
    }
    if (arg.size() == 2) {  // a short option: ours, or the parser's error
      out.push_back(arg);
      expect_value = Contains(command->short_valued, arg.substr(1));
      continue;
    }
    const bool double_dash = arg.starts_with("--");
    std::string name, value;
    bool has_value = false;
    SplitOption(arg.substr(double_dash ? 2 : 1), &name, &value, &has_value);
    if (!double_dash && name.size() == 1 && has_value) {  // "-o=file"
      out.push_back("-" + name);
      out.push_back(value);
      continue;
    }
    // Ours, or ours written with underscores (--sample_index).
    std::string ours = name;
    std::replace(ours.begin(), ours.end(), '_', '-');
    const char* fixed_value = nullptr;
    if (!Contains(LongNames(*command), ours)) {
      ours.clear();
      for (const Alias& a : kAliases)
        if (name == a.pprof) {
          ours = a.ours;
          fixed_value = a.value;
        }
      if (!ours.empty() && !Contains(LongNames(*command), ours)) ours.clear();
    }
    if (!ours.empty()) {
      if (fixed_value != nullptr) {
        if (has_value)
          return Status::UsageError(fmt::format("{}: takes no value (it is pprof's --{} {})", arg, ours, fixed_value));
        out.push_back("--" + ours);
        out.push_back(fixed_value);
      } else if (Contains(command->valued, ours)) {
        out.push_back("--" + ours);
        if (has_value) {
          out.push_back(value);
        } else {
          expect_value = true;
        }
      } else {
        if (has_value) return Status::UsageError(fmt::format("{}: --{} takes no value", arg, ours));
        out.push_back("--" + ours);
      }
      continue;
    }
    RETURN_IF_ERROR(ForeignOption(name, value, has_value, double_dash, *command, out));
  }
  if (expect_value) {
    const std::string& option = out.back();
    if (option == "--html") return Status::UsageError("--html: needs a file name: --html report.html");
    return Status::UsageError(fmt::format("{}: needs a value", option));
  }
  return out;
}

}  // namespace pprof_trend
