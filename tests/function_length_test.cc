// The ratchet on function length: no function in src/ is longer than 120
// lines (signature to closing brace). Long algorithms are written as named
// steps (see src/README.md); a function over the limit fails here with its
// file, line and length.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/regex.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxLines = 120;

// The source with comments, string and character literals blanked (their
// newlines kept), so braces inside "{}" format strings do not count.
std::string Code(const std::string& s) {
  std::string out = s;
  for (size_t i = 0; i < s.size(); ++i) {
    auto blank = [&](size_t from, size_t to) {
      for (size_t k = from; k < to && k < s.size(); ++k)
        if (out[k] != '\n') out[k] = ' ';
    };
    if (s.compare(i, 2, "//") == 0) {
      const size_t end = s.find('\n', i);
      blank(i, end);
      i = end == std::string::npos ? s.size() : end;
    } else if (s.compare(i, 2, "/*") == 0) {
      const size_t end = s.find("*/", i + 2);
      blank(i, end + 2);
      i = end == std::string::npos ? s.size() : end + 1;
    } else if (s.compare(i, 2, "R\"") == 0) {  // R"delim( ... )delim"
      const size_t open = s.find('(', i);
      const std::string close = ")" + s.substr(i + 2, open - i - 2) + "\"";
      const size_t end = s.find(close, open);
      blank(i, end + close.size());
      i = end + close.size() - 1;
    } else if (s[i] == '"' || (s[i] == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(s[i - 1]))))) {
      const char quote = s[i];
      size_t k = i + 1;
      while (k < s.size() && s[k] != quote) k += s[k] == '\\' ? 2 : 1;
      blank(i, k + 1);
      i = k;
    }
  }
  return out;
}

struct LongFunction {
  std::string where;
  size_t lines;
};

// Function bodies: a '{' at namespace or class level whose statement ends
// with ')' and qualifiers (or a constructor's initializer list), not a
// control statement. Lambdas and blocks inside a function count toward it.
std::vector<LongFunction> LongFunctions(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string code = Code(buffer.str());
  // RE2 (base/regex.h), as the product's regexes: std::regex made this
  // file 13 s of the sanitizer build.
  static const Regex kSignature =
      Regex::Compile(
          R"(\)\s*(const\s*|override\s*|noexcept\s*|final\s*|&&\s*|&\s*|->\s*[\w:<>,\s*&]+)*$|\)\s*:\s*[\s\S]*\)\s*$)",
          "signature")
          .value();
  static const Regex kControl = Regex::Compile(R"((^|[^\w])(if|for|while|switch|catch|do)\s*\()", "control").value();
  struct Open {
    bool function;
    size_t line;
  };
  std::vector<Open> stack;
  std::vector<LongFunction> out;
  size_t line = 1, statement_start = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '\n') ++line;
    if (c == ';' || c == '}' || c == '{') {
      const bool in_function = std::any_of(stack.begin(), stack.end(), [](const Open& o) { return o.function; });
      if (c == '{') {
        const std::string statement = code.substr(statement_start, i - statement_start);
        const bool function = !in_function && kSignature.Matches(statement) && !kControl.Matches(statement) &&
                              statement.find('=') == std::string::npos;
        // The line of the statement's first character.
        const size_t first = statement.find_first_not_of(" \t\n");
        const size_t start_line =
            line -
            static_cast<size_t>(std::count(
                statement.begin() + static_cast<std::ptrdiff_t>(first == std::string::npos ? statement.size() : first),
                statement.end(), '\n'));
        stack.push_back({function, start_line});
      } else if (c == '}' && !stack.empty()) {
        const Open open = stack.back();
        stack.pop_back();
        const size_t length = line - open.line + 1;
        if (open.function && length > kMaxLines)
          out.push_back(
              {fs::relative(file, PPROF_TREND_SOURCE_DIR).string() + ":" + std::to_string(open.line), length});
      }
      statement_start = i + 1;
    }
  }
  return out;
}

TEST(FunctionLengthTest, NoFunctionInSrcIsLongerThan120Lines) {
  size_t files = 0;
  std::string report;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(PPROF_TREND_SOURCE_DIR) / "src")) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".cc" && ext != ".h") continue;
    ++files;
    for (const LongFunction& f : LongFunctions(entry.path()))
      report += "  " + f.where + ": " + std::to_string(f.lines) + " lines\n";
  }
  EXPECT_GT(files, 50u);
  EXPECT_EQ(report, "") << "functions over " << kMaxLines << " lines:\n" << report;
}

// The check itself finds a long function, and ignores braces in strings.
TEST(FunctionLengthTest, TheCheckSeesALongFunction) {
  const fs::path file = fs::temp_directory_path() / "pprof_trend_long_function.cc";
  std::ofstream out(file);
  out << "namespace x {\nint F(int a) const {\n  auto s = \"{{{\";\n";
  for (int i = 0; i < 130; ++i) out << "  a += 1;  // }\n";
  out << "  return a;\n}\nint G() { return 1; }\n}  // namespace x\n";
  out.close();
  const auto found = LongFunctions(file);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].lines, 134u);
  fs::remove(file);
}

}  // namespace
}  // namespace pprof_trend
