// LoadEach: files decoded on several threads, handed over in argument order,
// one at a time, and the first error in argument order wins.
#include "input/load.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "support/profile_builder.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

class LoadEachTest : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pprof-trend-load-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A small valid profile whose one sample holds `bytes`, so the consumer
  // can tell which file it was handed.
  std::string Good(int n) const {
    testing::ProfileSpec spec;
    spec.samples.push_back(testing::HeapSample({{"main.f"}}, 1, 1000 + n));
    return Write("good" + std::to_string(n) + ".pb.gz", testing::GzipCompress(testing::BuildProfile(spec)));
  }
  std::string Bad(int n) const { return Write("bad" + std::to_string(n) + ".pb.gz", "not a profile"); }
  std::string Write(const std::string& name, const std::string& data) const {
    testing::WriteFileOrDie((dir_ / name).string(), data);
    return (dir_ / name).string();
  }
  LoadOptions Options() const {
    LoadOptions options;
    options.threads = GetParam();
    return options;
  }

  fs::path dir_;
};

// (Each profile here holds one sample.)
int64_t InuseBytes(const Profile& p) { return p.TypeTotals()[static_cast<size_t>(p.FindSampleType("inuse_space"))]; }

TEST_P(LoadEachTest, HandsProfilesOverInArgumentOrderOneAtATime) {
  std::vector<std::string> paths;
  for (int n = 0; n < 9; ++n) paths.push_back(Good(n));
  std::vector<size_t> order;
  std::atomic<int> inside{0};
  bool overlapped = false;
  Status s = LoadEach(paths, Options(), [&](size_t i, Profile&& p) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(i % 3));  // let other threads finish decoding meanwhile
    EXPECT_EQ(p.source, paths[i]);
    EXPECT_EQ(InuseBytes(p), 1000 + static_cast<int64_t>(i));
    order.push_back(i);
    inside.fetch_sub(1);
    return Status();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_FALSE(overlapped);
}

TEST_P(LoadEachTest, TheFirstBadFileInArgumentOrderStopsTheLoad) {
  // Files 3 and 6 are bad; 3's error is reported, and only 0-2 are consumed.
  std::vector<std::string> paths;
  for (int n = 0; n < 9; ++n) paths.push_back(n == 3 || n == 6 ? Bad(n) : Good(n));
  std::vector<size_t> consumed;
  Status s = LoadEach(paths, Options(), [&](size_t i, Profile&&) {
    consumed.push_back(i);
    return Status();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.message().starts_with(paths[3] + ": ")) << s.message();
  EXPECT_EQ(consumed, (std::vector<size_t>{0, 1, 2}));
}

TEST_P(LoadEachTest, AnErrorFromTheConsumerStopsTheLoad) {
  std::vector<std::string> paths;
  for (int n = 0; n < 9; ++n) paths.push_back(Good(n));
  std::vector<size_t> consumed;
  Status s = LoadEach(paths, Options(), [&](size_t i, Profile&&) {
    consumed.push_back(i);
    return i == 4 ? Status::InputError("stop at 4") : Status();
  });
  EXPECT_EQ(s.message(), "stop at 4");
  EXPECT_EQ(consumed, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

// With check_samples_in_fold, a thread whose profile waits for its turn
// checks its samples meanwhile, but only a profile of at most
// check_while_waiting_up_to samples (a larger one's fold checks them).
TEST_P(LoadEachTest, OnlySmallProfilesAreCheckedWhileTheyWait) {
  std::vector<std::string> paths;
  for (int n = 0; n < 16; ++n) {
    testing::ProfileSpec spec;
    const int samples = n % 2 == 0 ? 3 : 9;
    for (int k = 0; k < samples; ++k)
      spec.samples.push_back(testing::HeapSample({{"main.f" + std::to_string(k)}}, 1, 8));
    paths.push_back(Write("p" + std::to_string(n) + ".pb.gz", testing::GzipCompress(testing::BuildProfile(spec))));
  }
  LoadOptions options = Options();
  options.check_samples_in_fold = true;
  options.check_while_waiting_up_to = 5;
  size_t small_checked = 0;
  Status s = LoadEach(paths, options, [&](size_t i, Profile&& p) {
    EXPECT_EQ(p.num_samples(), i % 2 == 0 ? 3u : 9u);
    if (p.num_samples() > 5) {
      EXPECT_EQ(p.wire->checked, 0u) << paths[i];
    } else if (p.SamplesChecked()) {
      ++small_checked;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the next profiles wait meanwhile
    return Status();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  // One thread reads and consumes each file in turn: none waits.
  if (GetParam() > 1) {
    EXPECT_GT(small_checked, 0u);
  }
}

// A series tells copies of one file apart by their content's hash; inspect,
// which compares none, does not compute it (LoadOptions::hash_content).
TEST_P(LoadEachTest, TheContentIsHashedOnlyWhenAsked) {
  const std::vector<std::string> paths = {Good(1), Good(2), Good(1)};
  for (bool hash : {true, false}) {
    LoadOptions options = Options();
    options.hash_content = hash;
    std::vector<uint64_t> hashes;
    Status s = LoadEach(paths, options, [&](size_t, Profile&& p) {
      hashes.push_back(p.content_hash);
      return Status();
    });
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(hashes.size(), 3u);
    if (hash) {
      EXPECT_NE(hashes[0], 0u);
      EXPECT_NE(hashes[0], hashes[1]);
      EXPECT_EQ(hashes[0], hashes[2]);
    } else {
      EXPECT_EQ(hashes, (std::vector<uint64_t>{0, 0, 0}));
    }
  }
}

// ReadInflated: a regular gzip file inflated as it is read, or, when it is
// not the common case, read whole as ReadInput reads it.
class ReadInflatedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pprof-trend-read-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& data) const {
    testing::WriteFileOrDie((dir_ / name).string(), data);
    return (dir_ / name).string();
  }
  // A profile large enough to take several of the read's pieces.
  static std::string Raw() {
    testing::ProfileSpec spec;
    for (int i = 0; i < 40000; ++i)
      spec.samples.push_back(testing::HeapSample({{"main.f" + std::to_string(i)}, {"main.main"}}, 1, 1000 + i * 7919));
    return testing::BuildProfile(spec);
  }

  fs::path dir_;
};

TEST_F(ReadInflatedTest, AGzipFileIsInflatedAsReadAndHashedAsIfReadWhole) {
  const std::string raw = Raw(), gz = testing::GzipCompress(raw);
  ASSERT_GT(gz.size(), size_t{256} << 10) << "the file should take several pieces";
  const std::string path = Write("a.pb.gz", gz);
  auto read = ReadInflated(path, LoadOptions());
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_TRUE(read->inflated);
  EXPECT_EQ(read->data, raw);
  EXPECT_NE(read->mtime_nanos, 0);
  // The hash DecodeInput gives the same bytes read whole (and the capture's
  // id in ClickHouse): std::hash of the compressed file.
  EXPECT_EQ(read->content_hash, std::hash<std::string_view>{}(gz));
  auto whole = DecodeInput(InputBytes{gz, 0}, "a.pb.gz", LoadOptions());
  auto streamed = DecodeInput(std::move(read).value(), "a.pb.gz", LoadOptions());
  ASSERT_TRUE(whole.ok() && streamed.ok());
  EXPECT_EQ(streamed->content_hash, whole->content_hash);
  EXPECT_EQ(streamed->TypeTotals(), whole->TypeTotals());

  LoadOptions no_hash;
  no_hash.hash_content = false;
  auto unhashed = ReadInflated(path, no_hash);
  ASSERT_TRUE(unhashed.ok());
  EXPECT_TRUE(unhashed->inflated);
  EXPECT_EQ(unhashed->content_hash, 0u);
}

TEST_F(ReadInflatedTest, AnythingButTheCommonCaseIsReadWholeFromItsStart) {
  const std::string raw = Raw(), gz = testing::GzipCompress(raw);
  std::string lying_trailer = gz;
  lying_trailer[gz.size() - 4] ^= 1;
  std::string bad_crc = gz;
  bad_crc[gz.size() - 8] ^= 1;
  const std::string cut = raw.substr(0, raw.size() / 3);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"two members", testing::GzipCompress(cut) + testing::GzipCompress(raw.substr(cut.size()))},
      {"a trailer that lies", lying_trailer},
      {"a wrong CRC", bad_crc},
      {"bytes after the member", gz + "garbage"},
      {"truncated", gz.substr(0, gz.size() - 9)},
      {"not gzip", raw},
  };
  for (const auto& [what, bytes] : cases) {
    const std::string path = Write("case.pb.gz", bytes);
    auto read = ReadInflated(path, LoadOptions());
    ASSERT_TRUE(read.ok()) << what << ": " << read.status().message();
    EXPECT_FALSE(read->inflated) << what;
    EXPECT_EQ(read->data, bytes) << what;
  }
  // Too large to be trusted by the limits: read whole, and the limits' own
  // error follows from the stream's inflate.
  LoadOptions small;
  small.limits.max_decompressed_bytes = raw.size() - 1;
  auto over = ReadInflated(Write("over.pb.gz", gz), small);
  ASSERT_TRUE(over.ok());
  EXPECT_FALSE(over->inflated);
}

INSTANTIATE_TEST_SUITE_P(Threads, LoadEachTest, ::testing::Values(1u, 2u, 4u),
                         [](const ::testing::TestParamInfo<unsigned>& param) {
                           return std::to_string(param.param) + "Threads";
                         });

}  // namespace
}  // namespace pprof_trend
