#include "base/json_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// One row of WriteLargeDocument's: strings, numbers, nesting.
void WriteRow(JsonWriter& w, int i) {
  w.BeginObject();
  w.Key("name");
  w.String("pkg.(*T).f\"<" + std::to_string(i));
  w.Key("values");
  w.DoubleArray({i * 0.5, -1.0 * i, 1e300});
  w.EndObject();
}

// Writes a document of well over kFlushBytes: strings, numbers, nesting.
void WriteLargeDocument(JsonWriter& w) {
  w.BeginObject();
  w.Key("rows");
  w.BeginArray();
  for (int i = 0; i < 5000; ++i) WriteRow(w, i);
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

// Rows written into fragments apart (blocks of 7, as threads would) and
// appended in order give the document writing them in turn gives, into a
// string or streamed to a sink; an empty fragment adds nothing.
TEST(JsonWriterTest, FragmentsAppendedInOrderWriteTheSameDocument) {
  JsonWriter whole;
  WriteLargeDocument(whole);
  for (bool to_sink : {false, true}) {
    std::ostringstream sink;
    JsonWriter w(2, to_sink ? &sink : nullptr);
    w.BeginObject();
    w.Key("rows");
    w.BeginArray();
    w.AppendFragment(w.Fragment(false));  // empty: nothing, and the next item is still the first
    const JsonWriter first = w.Fragment(false), after = w.Fragment(true);
    for (int begin = 0; begin < 5000; begin += 7) {
      JsonWriter block = begin == 0 ? first : after;
      for (int i = begin; i < std::min(5000, begin + 7); ++i) WriteRow(block, i);
      w.AppendFragment(block);
    }
    w.EndArray();
    w.EndObject();
    w.Flush();
    EXPECT_EQ(to_sink ? sink.str() : w.str(), whole.str()) << (to_sink ? "streamed" : "in a string");
  }
}

}  // namespace
}  // namespace pprof_trend
