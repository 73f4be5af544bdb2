#include "base/json_writer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace pprof_trend {
namespace {

TEST(JsonWriterTest, EscapesEverythingThatCouldBreakTheDocument) {
  EXPECT_EQ(JsonWriter::Escape("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonWriter::Escape("x\n\t\x01"), R"("x\n\t\u0001")");
  EXPECT_EQ(JsonWriter::Escape("</script>"), R"("\u003c/script>")");
  EXPECT_EQ(JsonWriter::Escape("caf\xc3\xa9"), "\"caf\xc3\xa9\"");           // valid UTF-8 kept
  EXPECT_EQ(JsonWriter::Escape("bad\xff\xc3"), R"("bad\ufffd\ufffd")");      // invalid bytes replaced
  EXPECT_EQ(JsonWriter::Escape("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a UTF-16 surrogate is not UTF-8
}

TEST(JsonWriterTest, WritesNestedStructures) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(1);
  w.Key("b");
  w.DoubleArray({1.5, 2, -0.25});
  w.Key("c");
  w.BeginArray();
  w.BeginObject();
  w.Key("d");
  w.Null();
  w.EndObject();
  w.EndArray();
  w.Key("e");
  w.Double(8388608.9);
  w.EndObject();
  EXPECT_EQ(w.str(),
            "{\n  \"a\": 1,\n  \"b\": [1.5, 2, -0.25],\n  \"c\": [\n    {\n      \"d\": null\n    }\n  ],\n"
            "  \"e\": 8388608.9\n}\n");
}

// Writes a document of well over kFlushBytes: strings, numbers, nesting.
void WriteLargeDocument(JsonWriter& w) {
  w.BeginObject();
  w.Key("rows");
  w.BeginArray();
  for (int i = 0; i < 5000; ++i) {
    w.BeginObject();
    w.Key("name");
    w.String("pkg.(*T).f\"<" + std::to_string(i));
    w.Key("values");
    w.DoubleArray({i * 0.5, -1.0 * i, 1e300});
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

TEST(JsonWriterTest, StreamingToASinkWritesTheSameDocumentInPieces) {
  JsonWriter whole;
  WriteLargeDocument(whole);
  ASSERT_GT(whole.str().size(), 4 * JsonWriter::kFlushBytes);

  std::ostringstream sink;
  JsonWriter streamed(2, &sink);
  WriteLargeDocument(streamed);
  // Pieces went out while writing; only the tail is still buffered.
  EXPECT_GT(sink.str().size(), 3 * JsonWriter::kFlushBytes);
  EXPECT_LT(streamed.str().size(), 2 * JsonWriter::kFlushBytes);
  streamed.Flush();
  EXPECT_TRUE(streamed.str().empty());
  EXPECT_EQ(sink.str(), whole.str());
}

}  // namespace
}  // namespace pprof_trend
