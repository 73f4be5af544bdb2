// Symbolization: addresses of native profiles (gperftools, jemalloc, Rust's
// jemalloc_pprof, stripped Go binaries) -> function, file and line, inlined
// frames expanded, from the ELF symbol table and DWARF of the mapped file.
//
// An address is turned into an offset in the file its mapping names
// (address - start + offset), then into the file's own virtual address
// through its PT_LOAD segments, so the same code gets the same name in
// every process whatever ASLR did. The file is the mapping's path, or the
// one `--symbols PATH` gives (the binary itself, or a directory holding it
// by base name or by full path); its debug information may be a separate
// file found by build id (/usr/lib/debug/.build-id/). elfutils' libdw reads
// both (the only file that includes it). A return address is looked up one
// byte back (the call), as pprof does; the parsers store it that way.
//
// Addresses that cannot be symbolized keep no name: alignment names them
// file+0xOFFSET. Each file is read once per Symbolizer and each offset
// looked up once, so a series of captures of one binary costs one lookup
// per distinct address.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "model/profile.h"

namespace pprof_trend {

struct SymbolizeOptions {
  bool enabled = true;
  std::string symbols;  // --symbols: a binary or a directory; empty: the mappings' paths
};

class Symbolizer {
 public:
  explicit Symbolizer(SymbolizeOptions options);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Gives the locations of `profile` that have an address but no lines
  // their functions and lines. Files that cannot be read are named in
  // `notes` (once per Symbolizer).
  void Symbolize(Profile& profile, Diagnostics* notes);

  // Addresses looked up and symbolized so far (for tests and timing).
  size_t lookups() const;
  size_t symbolized() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pprof_trend
