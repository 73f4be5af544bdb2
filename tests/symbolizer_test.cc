#include "symbolize/symbolizer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

// A function of this test binary, to be found by its address.
extern "C" __attribute__((noinline)) int PprofTrendSymbolizerTestTarget(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

std::string SelfPath() { return fs::read_symlink("/proc/self/exe").string(); }

// The executable mapping of this binary that holds `address`, from
// /proc/self/maps: start, limit, offset.
bool FindMapping(uint64_t address, uint64_t* start, uint64_t* limit, uint64_t* offset) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, off, dev, inode, path;
    in >> range >> perms >> off >> dev >> inode >> path;
    const size_t dash = range.find('-');
    const uint64_t s = std::stoull(range.substr(0, dash), nullptr, 16),
                   l = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (address >= s && address < l && perms.find('x') != std::string::npos) {
      *start = s;
      *limit = l;
      *offset = std::stoull(off, nullptr, 16);
      return true;
    }
  }
  return false;
}

// A profile with one location at `address`, in a mapping of `file`.
Profile OneAddress(uint64_t address, const std::string& file, uint64_t start, uint64_t limit, uint64_t offset) {
  Profile p;
  p.source = "test";
  std::string_view name = p.added_strings.emplace_back(file);
  p.mappings.push_back(Mapping{start, limit, offset, name, {}});
  Location loc;
  loc.address = address;
  loc.mapping = 0;
  p.locations.push_back(loc);
  return p;
}

uint64_t TargetAddress() {
  return reinterpret_cast<uint64_t>(reinterpret_cast<void*>(&PprofTrendSymbolizerTestTarget)) + 4;
}

TEST(SymbolizerTest, AnAddressGetsItsFunctionFileAndLine) {
  uint64_t start, limit, offset;
  ASSERT_TRUE(FindMapping(TargetAddress(), &start, &limit, &offset));
  Profile p = OneAddress(TargetAddress(), SelfPath(), start, limit, offset);
  Symbolizer symbolizer(SymbolizeOptions{});
  Diagnostics notes;
  symbolizer.Symbolize(p, &notes);
  EXPECT_TRUE(notes.empty()) << Labeled(notes.front());
  ASSERT_EQ(p.locations[0].num_lines, 1u);
  const Line& line = p.lines[p.locations[0].first_line];
  EXPECT_EQ(p.functions[line.function].name, "PprofTrendSymbolizerTestTarget");
  EXPECT_TRUE(p.functions[line.function].filename.ends_with("tests/symbolizer_test.cc"))
      << p.functions[line.function].filename;
  EXPECT_GT(line.line, 15);
  EXPECT_LT(line.line, 25);
  // The same file and offset again (another capture of the process) is not looked up again.
  Profile again = OneAddress(TargetAddress(), SelfPath(), start, limit, offset);
  symbolizer.Symbolize(again, &notes);
  EXPECT_EQ(symbolizer.lookups(), 1u);
  EXPECT_EQ(again.locations[0].num_lines, 1u);
}

// The same code at another address (a restart: ASLR) is the same offset in
// the file, so the same name.
TEST(SymbolizerTest, TheOffsetInTheFileDecidesNotTheAddress) {
  uint64_t start, limit, offset;
  ASSERT_TRUE(FindMapping(TargetAddress(), &start, &limit, &offset));
  const uint64_t moved = 0x10000000;
  Profile p = OneAddress(TargetAddress() - start + moved, SelfPath(), moved, moved + (limit - start), offset);
  Symbolizer symbolizer(SymbolizeOptions{});
  Diagnostics notes;
  symbolizer.Symbolize(p, &notes);
  ASSERT_EQ(p.locations[0].num_lines, 1u);
  EXPECT_EQ(p.functions[p.lines[p.locations[0].first_line].function].name, "PprofTrendSymbolizerTestTarget");
}

// A profile from another machine: the mapped path does not exist here;
// --symbols gives the binary, or a directory holding it.
TEST(SymbolizerTest, SymbolsPathStandsInForAMissingFile) {
  uint64_t start, limit, offset;
  ASSERT_TRUE(FindMapping(TargetAddress(), &start, &limit, &offset));
  const std::string elsewhere = "/nonexistent/build/" + fs::path(SelfPath()).filename().string();
  {
    Profile p = OneAddress(TargetAddress(), elsewhere, start, limit, offset);
    Symbolizer symbolizer(SymbolizeOptions{});
    Diagnostics notes;
    symbolizer.Symbolize(p, &notes);
    EXPECT_EQ(p.locations[0].num_lines, 0u);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(Labeled(notes[0]),
              "note: " + elsewhere +
                  " is not on this machine: its frames stay named by file and offset (--symbols PATH gives it)");
  }
  for (const std::string& given : {SelfPath(), fs::path(SelfPath()).parent_path().string()}) {
    Profile p = OneAddress(TargetAddress(), elsewhere, start, limit, offset);
    Symbolizer symbolizer(SymbolizeOptions{true, given});
    Diagnostics notes;
    symbolizer.Symbolize(p, &notes);
    ASSERT_EQ(p.locations[0].num_lines, 1u) << given;
    EXPECT_EQ(p.functions[p.lines[p.locations[0].first_line].function].name, "PprofTrendSymbolizerTestTarget");
  }
}

TEST(SymbolizerTest, NotAnElfFileIsNamedAndLeftAlone) {
  const fs::path junk = fs::temp_directory_path() / ("pprof-trend-symbolizer-junk-" + std::to_string(getpid()));
  std::ofstream(junk) << "not an ELF file";
  Profile p = OneAddress(0x401000, junk.string(), 0x400000, 0x500000, 0);
  Symbolizer symbolizer(SymbolizeOptions{});
  Diagnostics notes;
  symbolizer.Symbolize(p, &notes);
  fs::remove(junk);
  EXPECT_EQ(p.locations[0].num_lines, 0u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(Labeled(notes[0]).starts_with("note: cannot read symbols from " + junk.string())) << Labeled(notes[0]);
}

TEST(SymbolizerTest, DisabledLeavesAddresses) {
  uint64_t start, limit, offset;
  ASSERT_TRUE(FindMapping(TargetAddress(), &start, &limit, &offset));
  Profile p = OneAddress(TargetAddress(), SelfPath(), start, limit, offset);
  Symbolizer symbolizer(SymbolizeOptions{false, ""});
  Diagnostics notes;
  symbolizer.Symbolize(p, &notes);
  EXPECT_EQ(p.locations[0].num_lines, 0u);
}

// A protobuf profile names the build it ran: another build at the same path
// would give wrong names, so it is not used.
TEST(SymbolizerTest, AnotherBuildOfTheFileIsNotUsed) {
  uint64_t start, limit, offset;
  ASSERT_TRUE(FindMapping(TargetAddress(), &start, &limit, &offset));
  Profile p = OneAddress(TargetAddress(), SelfPath(), start, limit, offset);
  p.mappings[0].build_id = p.added_strings.emplace_back("00112233445566778899aabbccddeeff00112233");
  Symbolizer symbolizer(SymbolizeOptions{});
  Diagnostics notes;
  symbolizer.Symbolize(p, &notes);
  EXPECT_EQ(p.locations[0].num_lines, 0u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(Labeled(notes[0]).find("the profile's is 00112233445566778899aabbccddeeff00112233"), std::string::npos)
      << Labeled(notes[0]);
}

}  // namespace
}  // namespace pprof_trend
