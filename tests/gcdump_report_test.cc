// dotnet-gcdump report tables (input/gcdump_report): counts exact, bytes
// exact only for types of one size, size buckets folded into their type,
// the machine's culture in numbers, cut pastes found by the summary.
#include "input/gcdump_report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "test_paths.h"

namespace pprof_trend {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(testing::SourcePath(path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Row {
  int64_t objects, bytes;
  std::optional<int64_t> size;
};

std::map<std::string, Row> Rows(const Profile& p) {
  std::map<std::string, Row> rows;
  for (size_t i = 0; i < p.samples.size(); ++i) {
    const Location& loc = p.locations[p.Stack(p.samples[i])[0]];
    const std::string name(p.functions[p.lines[loc.first_line].function].name);
    auto v = p.Values(i);
    std::optional<int64_t> size;
    for (const Label& l : p.Labels(p.samples[i]))
      if (l.key == "bytes") size = l.num;
    rows[name] = Row{v[0], v[1], size};
  }
  return rows;
}

TEST(GcdumpReportTest, CountsAreExactAndBytesOnlyForTypesOfOneSize) {
  const std::string text = Read("testdata/dotnet-gcdump/kafka-day1.txt");
  ASSERT_TRUE(IsGcdumpReport(text));
  auto p = ParseGcdumpReport(text, "day1.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto rows = Rows(*p);
  ASSERT_EQ(rows.size(), 9u);  // ten rows, the 100K bucket folded into System.Byte[]
  EXPECT_EQ(rows["Kafka.Client.Common.NoOpTimer"].objects, 400000);
  EXPECT_EQ(rows["Kafka.Client.Common.NoOpTimer"].bytes, 24 * 400000);
  EXPECT_EQ(rows["Kafka.Client.Common.NoOpTimer"].size, 24);
  const Row& bytes = rows["System.Byte[]"];
  EXPECT_EQ(bytes.objects, 3005 + 4);
  EXPECT_EQ(bytes.bytes, 1048 * 3005 + 131096 * 4);
  EXPECT_FALSE(bytes.size.has_value());  // one object's size, not every object's
  EXPECT_FALSE(rows["System.String"].size.has_value());
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_EQ(p->warnings[0],
            "2 array and string types: \"dotnet-gcdump report\" prints one object's size per type, so their bytes are "
            "that size times the count (estimates; the counts are exact); the rows add up to 51,383,616 bytes, the "
            "heap holds 54,529,344");
  EXPECT_EQ(p->coverage, 1);  // 17 objects of unnamed types are never listed
}

TEST(GcdumpReportTest, AGermanMachinesNumbersReadTheSame) {
  auto en = ParseGcdumpReport(Read("testdata/dotnet-gcdump/kafka-day3.txt"), "en.txt");
  auto de = ParseGcdumpReport(Read("testdata/dotnet-gcdump/de/kafka-day3.txt"), "de.txt");
  ASSERT_TRUE(en.ok() && de.ok());
  auto a = Rows(*en), b = Rows(*de);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, row] : a) {
    EXPECT_EQ(row.objects, b[name].objects) << name;
    EXPECT_EQ(row.bytes, b[name].bytes) << name;
  }
}

TEST(GcdumpReportTest, ACutPasteIsPartial) {
  // The header and the five largest rows of day 1 only: the summary says how
  // much of the heap they hold.
  std::string text = Read("testdata/dotnet-gcdump/kafka-day1.txt");
  std::istringstream in(text);
  std::string line, cut;
  for (int i = 0; i < 10 && std::getline(in, line); ++i) cut += line + "\n";
  auto p = ParseGcdumpReport(cut, "cut.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_LT(p->coverage, 0.99);
  EXPECT_NEAR(p->coverage, (4 + 3005 + 1500 + 900 + 20007) / 1425433.0, 1e-9);
  ASSERT_EQ(p->warnings.size(), 2u);
  EXPECT_EQ(p->warnings[1], "the rows hold 25,416 of the 1,425,433 GC heap objects (1.8%); the rest are not listed");
}

TEST(GcdumpReportTest, AnElisionLineIsSkippedAndTheShortfallSaid) {
  // The five largest rows of day 1, "...", and the last row: read, partial.
  std::string text = Read("testdata/dotnet-gcdump/kafka-day1.txt");
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string cut;
  for (int i = 0; i < 10; ++i) cut += lines[static_cast<size_t>(i)] + "\n";
  cut += "   ...\n" + lines.back() + "\n";
  auto p = ParseGcdumpReport(cut, "cut.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_LT(p->coverage, 0.99);
  EXPECT_EQ(Rows(*p).size(), 5u);  // the two System.Byte[] rows are one type
  EXPECT_EQ(Rows(*p).count("Kafka.Client.Common.KafkaTimer"), 1u);
  // Only an elision line, the rows adding up to the heap: said, not partial.
  std::string whole;
  for (size_t i = 0; i < lines.size(); ++i) whole += (i == 8 ? "<snip>\n" : "") + lines[i] + "\n";
  p = ParseGcdumpReport(whole, "whole.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->coverage, 1);
  EXPECT_EQ(p->warnings.back(), "1 elision line skipped");
}

TEST(GcdumpReportTest, MalformedRowsNameTheirLine) {
  const std::string head =
      "      1,000  GC Heap bytes\n         10  GC Heap objects\n\n   Object Bytes     Count  Type\n";
  auto p = ParseGcdumpReport(head + "             24  ten  Foo  [Foo.dll]\n", "bad.txt");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "bad.txt:5: expected a row \"OBJECT-BYTES COUNT TYPE\", got \"24  ten  Foo  [Foo.dll]\"");
  p = ParseGcdumpReport(head, "empty.txt");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "empty.txt: a \"dotnet-gcdump report\" table without rows");
  EXPECT_FALSE(IsGcdumpReport("Object Bytes and more\n"));
}

}  // namespace
}  // namespace pprof_trend
