#include "symbolize/symbolizer.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <unordered_map>

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

// One frame an address stands for; inlined frames come first (leaf first).
struct SymbolFrame {
  std::string function, file;
  int64_t line = 0;
};

// A C++ or Rust linkage name demangled; anything else as it is.
std::string Demangle(const char* name) {
  if (name == nullptr) return "";
  if (name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) return name;
  std::string s(out);
  std::free(out);
  return s;
}

// "ns::f(int, char const*) const [clone .cold]" -> "ns::f": what a reader
// calls the function (pprof's simplified names), so overloads are one site.
std::string WithoutParameters(std::string name) {
  if (size_t clone = name.find(" [clone "); clone != std::string::npos) name.erase(clone);
  for (bool again = true; again;) {
    again = false;
    for (std::string_view q : {" const", " volatile", " &&", " &", " noexcept"}) {
      if (name.size() > q.size() && name.ends_with(q)) {
        name.erase(name.size() - q.size());
        again = true;
      }
    }
  }
  if (name.empty() || name.back() != ')') return name;
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    // The last pair is the parameters ("S::operator()(int)" -> "S::operator()").
    if (name[i] == '(' && --depth == 0) return i == 0 ? name : name.substr(0, i);
  }
  return name;
}

const char* StringAttribute(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attr;
  return dwarf_attr_integrate(die, name, &attr) != nullptr ? dwarf_formstring(&attr) : nullptr;
}

// The name of a subprogram or inlined subroutine DIE: its linkage name
// demangled (qualified), else its plain name.
std::string DieFunctionName(Dwarf_Die* die) {
  const char* linkage = StringAttribute(die, DW_AT_linkage_name);
  if (linkage == nullptr) linkage = StringAttribute(die, DW_AT_MIPS_linkage_name);
  if (linkage != nullptr) return WithoutParameters(Demangle(linkage));
  const char* name = StringAttribute(die, DW_AT_name);
  return name != nullptr ? name : "";
}

// One ELF file (and its debug information), opened by libdwfl.
class ElfFile {
 public:
  static std::unique_ptr<ElfFile> Open(const std::string& path, std::string* problem) {
    auto file = std::unique_ptr<ElfFile>(new ElfFile());
    file->dwfl_ = dwfl_begin(&kCallbacks);
    if (file->dwfl_ == nullptr) {
      *problem = dwfl_errmsg(-1);
      return nullptr;
    }
    dwfl_report_begin(file->dwfl_);
    // Base 0 plus the first segment's address: module addresses are the
    // file's own virtual addresses.
    file->module_ = dwfl_report_elf(file->dwfl_, path.c_str(), path.c_str(), -1, 0, true);
    dwfl_report_end(file->dwfl_, nullptr, nullptr);
    if (file->module_ == nullptr) {
      *problem = dwfl_errmsg(-1);
      return nullptr;
    }
    GElf_Addr bias = 0;
    Elf* elf = dwfl_module_getelf(file->module_, &bias);
    size_t phnum = 0;
    if (elf == nullptr || elf_getphdrnum(elf, &phnum) != 0) {
      *problem = "not an ELF file with program headers";
      return nullptr;
    }
    for (size_t i = 0; i < phnum; ++i) {
      GElf_Phdr phdr;
      if (gelf_getphdr(elf, static_cast<int>(i), &phdr) != nullptr && phdr.p_type == PT_LOAD)
        file->segments_.push_back({phdr.p_offset, phdr.p_filesz, phdr.p_vaddr + bias});
    }
    return file;
  }
  ~ElfFile() {
    if (dwfl_ != nullptr) dwfl_end(dwfl_);
  }

  // The frames at `offset` in the file; empty when nothing names it.
  std::vector<SymbolFrame> Lookup(uint64_t offset) {
    std::vector<SymbolFrame> frames;
    const Segment* segment = nullptr;
    for (const Segment& s : segments_)
      if (offset >= s.offset && offset < s.offset + s.size) segment = &s;
    if (segment == nullptr) return frames;
    const Dwarf_Addr address = offset - segment->offset + segment->address;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(module_, address, &bias);
    std::string file;
    int line = 0;
    if (Dwfl_Line* l = dwfl_module_getsrc(module_, address); l != nullptr) {
      const char* name = dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr);
      if (name != nullptr) file = name;
    }
    Dwarf_Die* scopes = nullptr;
    const int n = cu != nullptr ? dwarf_getscopes(cu, address - bias, &scopes) : 0;
    Dwarf_Files* files = nullptr;
    size_t num_files = 0;
    for (int i = 0; i < n; ++i) {
      Dwarf_Die* scope = &scopes[i];
      const int tag = dwarf_tag(scope);
      if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram && tag != DW_TAG_entry_point) continue;
      frames.push_back(SymbolFrame{DieFunctionName(scope), file, line});
      if (tag != DW_TAG_inlined_subroutine) break;
      // The caller's position is where this one was inlined.
      Dwarf_Attribute attr;
      Dwarf_Word call_file = 0, call_line = 0;
      if (dwarf_attr(scope, DW_AT_call_file, &attr) != nullptr) dwarf_formudata(&attr, &call_file);
      if (dwarf_attr(scope, DW_AT_call_line, &attr) != nullptr) dwarf_formudata(&attr, &call_line);
      if (files == nullptr && dwarf_getsrcfiles(cu, &files, &num_files) != 0) files = nullptr;
      const char* name = files != nullptr && call_file < num_files ? dwarf_filesrc(files, call_file, nullptr, nullptr)
                                                                  : nullptr;
      file = name != nullptr ? name : "";
      line = static_cast<int>(call_line);
    }
    std::free(scopes);
    if (frames.empty() || frames.back().function.empty()) {
      // No DWARF for it: the symbol table's name, without a line.
      const char* symbol = dwfl_module_addrname(module_, address);
      if (symbol != nullptr) {
        // The line table alone is no evidence for code no DWARF function holds.
        if (frames.empty()) frames.push_back(SymbolFrame{"", "", 0});
        frames.back().function = WithoutParameters(Demangle(symbol));
      }
    }
    while (!frames.empty() && frames.back().function.empty()) frames.pop_back();
    return frames;
  }

 private:
  struct Segment {
    uint64_t offset, size, address;
  };
  static char* debuginfo_path_;
  static const Dwfl_Callbacks kCallbacks;
  ElfFile() = default;
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  std::vector<Segment> segments_;
};

char* ElfFile::debuginfo_path_ = nullptr;  // libdwfl's default: .debug, /usr/lib/debug and .build-id there
const Dwfl_Callbacks ElfFile::kCallbacks = {
    dwfl_build_id_find_elf, dwfl_standard_find_debuginfo, dwfl_offline_section_address, &ElfFile::debuginfo_path_};

}  // namespace

struct Symbolizer::Impl {
  SymbolizeOptions options;
  std::map<std::string, std::unique_ptr<ElfFile>> files;  // by mapped path; null: cannot be read
  std::unordered_map<std::string, std::unordered_map<uint64_t, std::vector<SymbolFrame>>> cache;
  size_t lookups = 0, symbolized = 0;

  // The file to read for a mapping's path.
  std::string Resolve(const std::string& mapped) const {
    if (options.symbols.empty()) return mapped;
    std::error_code ec;
    const fs::path given(options.symbols), base = fs::path(mapped).filename();
    if (fs::is_directory(given, ec)) {
      for (const fs::path& candidate : {given / base, given / fs::path(mapped).relative_path()})
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
      return mapped;
    }
    return given.filename() == base ? given.string() : mapped;
  }

  ElfFile* File(const std::string& mapped, std::vector<std::string>* notes) {
    auto [it, inserted] = files.try_emplace(mapped);
    if (!inserted) return it->second.get();
    const std::string path = Resolve(mapped);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      notes->push_back(fmt::format(
          "note: {} is not on this machine: its frames stay named by file and offset (--symbols PATH gives it)",
          mapped));
      return nullptr;
    }
    std::string problem;
    it->second = ElfFile::Open(path, &problem);
    if (it->second == nullptr)
      notes->push_back(fmt::format("note: cannot read symbols from {}: {}", path, problem));
    return it->second.get();
  }
};

Symbolizer::Symbolizer(SymbolizeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  elf_version(EV_CURRENT);
}

Symbolizer::~Symbolizer() = default;
size_t Symbolizer::lookups() const { return impl_->lookups; }
size_t Symbolizer::symbolized() const { return impl_->symbolized; }

void Symbolizer::Symbolize(Profile& profile, std::vector<std::string>* notes) {
  if (!impl_->options.enabled) return;
  std::map<std::pair<std::string, std::string>, uint32_t> function_ids;  // added functions by (name, file)
  for (Location& loc : profile.locations) {
    if (loc.num_lines != 0 || loc.mapping == Location::kNoMapping || loc.mapping >= profile.mappings.size()) continue;
    const Mapping& m = profile.mappings[loc.mapping];
    if (m.filename.empty() || loc.address < m.memory_start) continue;
    const std::string mapped(m.filename);
    ElfFile* file = impl_->File(mapped, notes);
    if (file == nullptr) continue;
    const uint64_t offset = loc.address - m.memory_start + m.file_offset;
    auto& by_offset = impl_->cache[mapped];
    auto [it, inserted] = by_offset.try_emplace(offset);
    if (inserted) {
      ++impl_->lookups;
      it->second = file->Lookup(offset);
      if (!it->second.empty()) ++impl_->symbolized;
    }
    const std::vector<SymbolFrame>& frames = it->second;
    if (frames.empty()) continue;
    loc.first_line = static_cast<uint32_t>(profile.lines.size());
    loc.num_lines = static_cast<uint32_t>(frames.size());
    for (const SymbolFrame& f : frames) {
      auto [fit, fnew] = function_ids.try_emplace({f.function, f.file}, static_cast<uint32_t>(profile.functions.size()));
      if (fnew) {
        std::string_view name = profile.added_strings.emplace_back(f.function);
        std::string_view source = profile.added_strings.emplace_back(f.file);
        profile.functions.push_back(Function{name, name, source, 0});
      }
      profile.lines.push_back(Line{fit->second, f.line});
    }
  }
}

}  // namespace pprof_trend
