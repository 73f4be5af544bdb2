#include "symbolize/symbolizer.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
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
    const unsigned char* id = nullptr;
    GElf_Addr id_address = 0;
    const int id_size = dwfl_module_build_id(file->module_, &id, &id_address);
    for (int i = 0; i < id_size; ++i) file->build_id_ += fmt::format("{:02x}", id[i]);
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
  const std::string& build_id() const { return build_id_; }  // hex; empty when the file has none

  // The frames at `offset` in the file; empty when nothing names it.
  std::vector<SymbolFrame> Lookup(uint64_t offset) {
    std::vector<SymbolFrame> frames;
    const Segment* segment = nullptr;
    for (const Segment& s : segments_)
      if (offset >= s.offset && offset < s.offset + s.size) segment = &s;
    if (segment == nullptr) return frames;
    const Dwarf_Addr address = offset - segment->offset + segment->address;
    std::string file;
    int line = 0;
    if (Dwfl_Line* l = dwfl_module_getsrc(module_, address); l != nullptr) {
      const char* name = dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr);
      if (name != nullptr) file = name;
    }
    Dwarf_Addr bias = 0;
    if (Dwarf_Die* cu = dwfl_module_addrdie(module_, address, &bias); cu != nullptr) {
      CompileUnit& unit = Unit(cu);
      int at = unit.Innermost(address - bias);
      while (at >= 0) {
        Dwarf_Die* die = &unit.dies[static_cast<size_t>(at)].die;
        const int tag = unit.dies[static_cast<size_t>(at)].tag;
        frames.push_back(SymbolFrame{DieFunctionName(die), file, line});
        if (tag != DW_TAG_inlined_subroutine) break;
        // The caller's position is where this one was inlined.
        Dwarf_Attribute attr;
        Dwarf_Word call_file = 0, call_line = 0;
        if (dwarf_attr(die, DW_AT_call_file, &attr) != nullptr) dwarf_formudata(&attr, &call_file);
        if (dwarf_attr(die, DW_AT_call_line, &attr) != nullptr) dwarf_formudata(&attr, &call_line);
        const char* name = unit.files != nullptr && call_file < unit.num_files
                               ? dwarf_filesrc(unit.files, call_file, nullptr, nullptr)
                               : nullptr;
        file = name != nullptr ? name : "";
        line = static_cast<int>(call_line);
        at = unit.dies[static_cast<size_t>(at)].parent;
      }
    }
    if (frames.empty() || frames.back().function.empty()) {
      // No DWARF for it: the symbol table's name, without a line (the line
      // table alone is no evidence for code no DWARF function holds).
      if (const std::string* symbol = Symbol(address)) {
        if (frames.empty()) frames.push_back(SymbolFrame{"", "", 0});
        frames.back().function = *symbol;
      }
    }
    while (!frames.empty() && frames.back().function.empty()) frames.pop_back();
    return frames;
  }

 private:
  struct Segment {
    uint64_t offset, size, address;
  };

  // The functions of one compile unit (subprograms and inlined
  // subroutines) with their address ranges, read once: walking the DIE
  // tree for every address (dwarf_getscopes) costs the unit's size each time.
  struct CompileUnit {
    struct DieInfo {
      Dwarf_Die die;
      int tag;
      int parent;  // the enclosing function's entry, -1 for none
    };
    struct Range {
      Dwarf_Addr low, high;
      int die;
    };
    std::vector<DieInfo> dies;
    std::vector<Range> ranges;  // by low address
    Dwarf_Files* files = nullptr;
    size_t num_files = 0;

    void Read(Dwarf_Die* cu) {
      if (dwarf_getsrcfiles(cu, &files, &num_files) != 0) files = nullptr;
      struct Pending {
        Dwarf_Die die;
        int parent;
      };
      std::vector<Pending> stack;
      Dwarf_Die child;
      if (dwarf_child(cu, &child) == 0) stack.push_back({child, -1});
      while (!stack.empty()) {
        Pending p = stack.back();
        stack.pop_back();
        Dwarf_Die sibling;
        if (dwarf_siblingof(&p.die, &sibling) == 0) stack.push_back({sibling, p.parent});
        const int tag = dwarf_tag(&p.die);
        int parent = p.parent;
        if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point) {
          const int index = static_cast<int>(dies.size());
          Dwarf_Addr base, low, high;
          bool any = false;
          for (ptrdiff_t off = 0; (off = dwarf_ranges(&p.die, off, &base, &low, &high)) > 0;) {
            if (high > low) ranges.push_back({low, high, index});
            any = true;
          }
          if (any) {
            dies.push_back({p.die, tag, p.parent});
            parent = index;
          } else if (tag != DW_TAG_inlined_subroutine) {
            continue;  // a declaration or an abstract definition: no code of its own
          }
        }
        if (dwarf_child(&p.die, &child) == 0) stack.push_back({child, parent});
      }
      std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.low < b.low; });
    }

    // The innermost function holding `address` (nested ranges: the one that
    // starts last among those holding it), or -1.
    int Innermost(Dwarf_Addr address) const {
      auto it = std::upper_bound(ranges.begin(), ranges.end(), address,
                                 [](Dwarf_Addr a, const Range& r) { return a < r.low; });
      while (it != ranges.begin()) {
        --it;
        if (address < it->high) return it->die;
      }
      return -1;
    }
  };

  CompileUnit& Unit(Dwarf_Die* cu) {
    auto [it, inserted] = units_.try_emplace(dwarf_dieoffset(cu));
    if (inserted) it->second.Read(cu);
    return it->second;
  }

  // The function symbol holding `address` (symbol tables sorted once:
  // dwfl_module_addrname searches every symbol each time).
  const std::string* Symbol(Dwarf_Addr address) {
    if (!symbols_read_) {
      symbols_read_ = true;
      const int n = dwfl_module_getsymtab(module_);
      for (int i = 1; i < n; ++i) {
        GElf_Sym sym;
        GElf_Addr value = 0;
        const char* name = dwfl_module_getsym_info(module_, i, &sym, &value, nullptr, nullptr, nullptr);
        const int type = GELF_ST_TYPE(sym.st_info);
        if (name == nullptr || *name == '\0' || (type != STT_FUNC && type != STT_GNU_IFUNC) ||
            sym.st_shndx == SHN_UNDEF)
          continue;
        symbols_.push_back({value, sym.st_size, name, {}});
      }
      std::sort(symbols_.begin(), symbols_.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
    }
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                               [](Dwarf_Addr a, const SymbolEntry& s) { return a < s.address; });
    if (it == symbols_.begin()) return nullptr;
    --it;
    if (it->size != 0 && address >= it->address + it->size) return nullptr;
    if (it->name.empty()) it->name = WithoutParameters(Demangle(it->raw));
    return &it->name;
  }
  struct SymbolEntry {
    Dwarf_Addr address;
    uint64_t size;
    const char* raw;   // libdwfl's, valid while the module is
    std::string name;  // demangled, on first use
  };
  std::map<Dwarf_Off, CompileUnit> units_;
  std::vector<SymbolEntry> symbols_;
  bool symbols_read_ = false;
  static char* debuginfo_path_;
  static const Dwfl_Callbacks kCallbacks;
  ElfFile() = default;
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  std::vector<Segment> segments_;
  std::string build_id_;
};

char* ElfFile::debuginfo_path_ = nullptr;  // libdwfl's default: .debug, /usr/lib/debug and .build-id there
const Dwfl_Callbacks ElfFile::kCallbacks = {dwfl_build_id_find_elf, dwfl_standard_find_debuginfo,
                                            dwfl_offline_section_address, &ElfFile::debuginfo_path_};

}  // namespace

struct Symbolizer::Impl {
  // A mapped file as this run knows it: its ELF (null: cannot be read) and
  // the frames of each offset looked up so far.
  struct File {
    std::unique_ptr<ElfFile> elf;
    std::unordered_map<uint64_t, std::vector<SymbolFrame>> frames;
    bool wrong_build_noted = false;
  };
  SymbolizeOptions options;
  std::map<std::string, File> files;  // by mapped path
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

  // The file of `m`, opened on first use (a note when it cannot be); null
  // when its frames cannot be named from it.
  File* ForMapping(const Mapping& m, Diagnostics* notes) {
    const std::string mapped(m.filename);
    auto [it, inserted] = files.try_emplace(mapped);
    File& file = it->second;
    if (inserted) {
      const std::string path = Resolve(mapped);
      std::error_code ec;
      if (!fs::is_regular_file(path, ec)) {
        notes->push_back(Note(fmt::format(
            "{} is not on this machine: its frames stay named by file and offset (--symbols PATH gives it)", mapped)));
      } else {
        std::string problem;
        file.elf = ElfFile::Open(path, &problem);
        if (file.elf == nullptr) notes->push_back(Note(fmt::format("cannot read symbols from {}: {}", path, problem)));
      }
    }
    if (file.elf == nullptr) return nullptr;
    // A profile that says which build it ran (pprof protobuf mappings do)
    // is only symbolized with that build: another one names the wrong code.
    if (!m.build_id.empty() && !file.elf->build_id().empty() && m.build_id != file.elf->build_id()) {
      if (!file.wrong_build_noted)
        notes->push_back(
            Note(fmt::format("{} here is build {}, the profile's is {}: its frames stay named by file and offset "
                             "(--symbols PATH gives the right build)",
                             mapped, file.elf->build_id(), m.build_id)));
      file.wrong_build_noted = true;
      return nullptr;
    }
    return &file;
  }
};

Symbolizer::Symbolizer(SymbolizeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  elf_version(EV_CURRENT);
}

Symbolizer::~Symbolizer() = default;
size_t Symbolizer::lookups() const { return impl_->lookups; }
size_t Symbolizer::symbolized() const { return impl_->symbolized; }

void Symbolizer::Symbolize(Profile& profile, Diagnostics* notes) {
  if (!impl_->options.enabled) return;
  std::map<std::pair<std::string, std::string>, uint32_t> function_ids;  // added functions by (name, file)
  // Each mapping's file, resolved when a location first needs it.
  std::vector<Impl::File*> files(profile.mappings.size(), nullptr);
  std::vector<char> resolved(profile.mappings.size(), 0);
  for (Location& loc : profile.locations) {
    if (loc.num_lines != 0 || loc.mapping == Location::kNoMapping || loc.mapping >= profile.mappings.size()) continue;
    const Mapping& m = profile.mappings[loc.mapping];
    if (m.filename.empty() || loc.address < m.memory_start) continue;
    if (!resolved[loc.mapping]) {
      files[loc.mapping] = impl_->ForMapping(m, notes);
      resolved[loc.mapping] = 1;
    }
    Impl::File* file = files[loc.mapping];
    if (file == nullptr) continue;
    const uint64_t offset = loc.address - m.memory_start + m.file_offset;
    auto [it, inserted] = file->frames.try_emplace(offset);
    if (inserted) {
      ++impl_->lookups;
      it->second = file->elf->Lookup(offset);
      if (!it->second.empty()) ++impl_->symbolized;
    }
    const std::vector<SymbolFrame>& frames = it->second;
    if (frames.empty()) continue;
    loc.first_line = static_cast<uint32_t>(profile.lines.size());
    loc.num_lines = static_cast<uint32_t>(frames.size());
    for (const SymbolFrame& f : frames) {
      auto [fit, fnew] =
          function_ids.try_emplace({f.function, f.file}, static_cast<uint32_t>(profile.functions.size()));
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
