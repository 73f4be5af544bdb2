// "Did you mean": the name a mistyped word meant.
#include "base/closest_name.h"

#include <gtest/gtest.h>

namespace pprof_trend {
namespace {

TEST(ClosestNameTest, EditsCountASwapOfNeighboursAsOne) {
  EXPECT_EQ(EditDistance("foucs", "focus"), 1u);
  EXPECT_EQ(EditDistance("foucs", "force"), 2u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(ClosestNameTest, AWordIsFoundInsideALongerName) {
  EXPECT_EQ(SubstringDistance("openSession", "main.openSession"), 0u);
  EXPECT_EQ(SubstringDistance("openSesion", "main.openSession"), 1u);
  EXPECT_EQ(SubstringDistance("opneSession", "main.openSession"), 1u);
  EXPECT_EQ(SubstringDistance("xyz", "ab"), 3u);  // nothing in common: every character an edit
}

TEST(ClosestNameTest, TheClosestNameWithinAQuarterOfTheWord) {
  const std::vector<std::string_view> names{"main.openSession", "main.closeSession", "runtime.malg"};
  EXPECT_EQ(ClosestContaining("openSesion", names), "main.openSession");
  EXPECT_EQ(ClosestContaining("clseSession", names), "main.closeSession");
  EXPECT_EQ(ClosestContaining("openSession", names), "");       // it matches: nothing to suggest
  EXPECT_EQ(ClosestContaining("zzqqxxyy", names), "");          // nothing close
  EXPECT_EQ(ClosestContaining("malh", names), "runtime.malg");  // one edit is always allowed
  // Ties go to the shorter name.
  EXPECT_EQ(ClosestContaining("Sesion", {"a.openSession", "b.Session"}), "b.Session");
}

}  // namespace
}  // namespace pprof_trend
