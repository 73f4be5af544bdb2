// Writes testdata/bad/: one input per defect class the loaders must reject,
// each made from a valid profile by one change. Deterministic; the expected
// one-line errors are in testdata/bad/expected.txt, checked by
// tests/bad_inputs_test.cc. Run after changing the list:
//   build/tools/gen_bad_inputs testdata/bad
#include <functional>
#include <iostream>
#include <string>

#include "proto/profile.pb.h"
#include "support/profile_builder.h"

namespace pb = perftools::profiles;
using namespace pprof_trend::testing;

namespace {

pb::Profile Valid() {
  ProfileSpec spec;
  spec.time_nanos = 1644544800000000000;
  spec.samples = {HeapSample({{"main.leak", "main.go", 10}, {"main.main", "main.go", 3}}, 2, 2048, 1024),
                  HeapSample({{"main.keep", "main.go", 20}, {"main.main", "main.go", 4}}, 1, 512, 512)};
  pb::Profile p;
  p.ParseFromString(BuildProfile(spec));
  return p;
}

std::string With(const std::function<void(pb::Profile&)>& change) {
  pb::Profile p = Valid();
  change(p);
  return p.SerializeAsString();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gen_bad_inputs DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  auto write = [&](const std::string& name, const std::string& data) { WriteFileOrDie(dir + "/" + name, data); };
  const std::string valid = Valid().SerializeAsString();
  const std::string valid_gz = GzipCompress(valid);

  write("empty.pb.gz", "");
  write("one-byte.bin", "x");
  std::string random;
  uint32_t x = 2463534242u;
  for (int i = 0; i < 512; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    random.push_back(static_cast<char>(x));
  }
  write("random.bin", random);
  write("truncated.pb.gz", valid_gz.substr(0, valid_gz.size() / 2));
  write("gzip-of-garbage.gz", GzipCompress("this is not a protocol buffer \xff\xff\xff\xff"));
  write("trailing-garbage.pb.gz", valid_gz + "junk");
  std::string bad_crc = valid_gz;
  bad_crc[bad_crc.size() - 6] ^= 0x5a;
  write("corrupt-crc.pb.gz", bad_crc);
  write("string-table-zero.pb", With([](pb::Profile& p) { p.set_string_table(0, "x"); }));
  write("string-index-out-of-range.pb", With([](pb::Profile& p) { p.mutable_function(0)->set_name(1000); }));
  write("value-count-mismatch.pb", With([](pb::Profile& p) { p.mutable_sample(1)->add_value(7); }));
  write("missing-location.pb", With([](pb::Profile& p) { p.mutable_sample(0)->set_location_id(0, 99); }));
  write("location-id-zero.pb", With([](pb::Profile& p) { p.mutable_location(0)->set_id(0); }));
  write("missing-function.pb",
        With([](pb::Profile& p) { p.mutable_location(0)->mutable_line(0)->set_function_id(99); }));
  write("duplicate-function-id.pb", With([](pb::Profile& p) { p.mutable_function(1)->set_id(p.function(0).id()); }));
  write("duplicate-location-id.pb", With([](pb::Profile& p) { p.mutable_location(1)->set_id(p.location(0).id()); }));
  write("missing-mapping.pb", With([](pb::Profile& p) { p.mutable_location(0)->set_mapping_id(42); }));
  write("no-sample-types.pb", With([](pb::Profile& p) { p.clear_sample_type(); }));
  write("values-overflow.pb", With([](pb::Profile& p) {
          p.mutable_sample(0)->set_value(3, INT64_MAX);
          p.mutable_sample(1)->set_value(3, INT64_MAX);
        }));
  write("cpu-profile.pb", With([](pb::Profile& p) {
          p.clear_sample_type();
          auto* t = p.add_sample_type();
          t->set_type(p.string_table_size());
          p.add_string_table("samples");
          t->set_unit(p.string_table_size());
          p.add_string_table("count");
          for (auto& s : *p.mutable_sample()) {
            s.clear_value();
            s.add_value(1);
          }
        }));
  write("legacy-bad-header.heap.txt", "heap profile: lots of memory\n");
  write("legacy-bad-record.heap.txt",
        "heap profile: 1: 64 [1: 64] @ heap/1048576\n1: 64 [1: 64] @ 0x401001\n#\t0x401000\tmain.f+0x0\tmain.go:1\n\n"
        "1: sixty-four\n");
  write(
      "legacy-overflow.heap.txt",
      "heap profile: 1: 1 [1: 1] @ heap/9000000000000000000\n9000000000000000000: 9000000000000000000 [1: 1] @ 0x1\n");
  write("dumpheap-no-total.txt",
        "Statistics:\n              MT    Count    TotalSize Class Name\n00007ffa2c0f5f20  4 96 Timer\n");
  write("dumpheap-bad-row.txt",
        "Statistics:\n              MT    Count    TotalSize Class Name\n00007ffa2c0f5f20  four 96 Timer\nTotal 4 "
        "objects\n");
  // Rows pasted without the header line (from testdata/dumpheap-real and testdata/java).
  write("dumpheap-rows-without-header.txt",
        "00007f6c1eeefba8      576        59904 System.Reflection.RuntimeMethodInfo\n"
        "00007f6c1dc021c8     1749        95696 System.SByte[]\n"
        "00000000008c9db0     3847       116080      Free\n"
        "00007f6c1e784a18      175       128640 System.Char[]\n"
        "00007f6c1dbf5510      217       133504 System.Object[]\n"
        "00007f6c1dc014c0      467       416464 System.Byte[]\n"
        "00007f6c21625038        6      4063376 testwebapi.Controllers.Customer[]\n");
  write("histogram-rows-without-header.txt",
        "   1:         60000        1920000  Leak$Session\n"
        "   2:          7498         653128  [B (java.base@17.0.15)\n"
        "   3:           880         374976  [Ljava.lang.Object; (java.base@17.0.15)\n"
        "   4:          1426         175776  java.lang.Class (java.base@17.0.15)\n"
        "   5:          7116         170784  java.lang.String (java.base@17.0.15)\n");
  std::cout << "wrote " << dir << "\n";
  return 0;
}
