// Kernel modules of the boot environment: which .ko files a list of driver names needs, in the
// order they must be loaded. Pure: text and bytes in, values out, no file access (the builder in
// bootenv_build.cpp reads the files and hands their contents in).
#pragma once

#include <cstddef>
#include <expected>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::osbuild {

// The kernel treats '-' and '_' in module names as the same character (usb-storage.ko is the
// module usb_storage); everything here compares names in this canonical form.
std::string canonical_module_name(std::string_view name);

// The name of a module from its path: "kernel/drivers/usb/storage/usb-storage.ko" -> "usb_storage".
std::string module_name_from_path(std::string_view path);

struct ModuleNode {
  std::string path;                 // relative to /lib/modules/<version>/
  std::vector<std::string> depends; // canonical names of hard dependencies (must exist)
  std::vector<std::string> soft;    // canonical names of "softdep pre:" modules (optional)
};

// Everything known about one kernel's modules: what exists as a file, what is built in.
struct ModuleGraph {
  std::map<std::string, ModuleNode> modules; // canonical name -> node
  std::set<std::string> builtin;             // canonical names of modules.builtin
};

// modules.dep lines are "path: dep-path dep-path ..." (depmod's format). Blank lines and lines
// starting with '#' are ignored; a line without ':' is an error naming its line number.
std::expected<ModuleGraph, std::string> parse_modules_dep(std::string_view text);

// modules.dep text for a graph: one line per module, sorted by path, so the output is stable.
std::string format_modules_dep(const ModuleGraph& graph);

// modules.builtin: one path per line ("kernel/net/packet/af_packet.ko").
std::set<std::string> parse_modules_builtin(std::string_view text);

// The key=value strings of a module's .modinfo ELF section (ELF64 little-endian only, which is
// what x86-64 kernels use). Keys may repeat (alias=), so this is a list.
using ModInfo = std::vector<std::pair<std::string, std::string>>;
std::expected<ModInfo, std::string> parse_modinfo(std::span<const std::byte> elf);

// A module's node from its .modinfo: "depends=" (hard dependencies found by modpost) and the
// "pre:" names of "softdep=" (e.g. crc32c for libcrc32c), canonical, without duplicates. Debian's
// kernel package ships no modules.dep (depmod runs at install time), so this is how the builder
// learns the graph without running depmod.
ModuleNode node_from_modinfo(std::string path, const ModInfo& info);

// A module list file (osbuild/bootenv/modules.list): one name per line, '#' starts a comment.
std::vector<std::string> parse_module_list(std::string_view text);

struct ModuleClosure {
  std::vector<std::string> load_order; // paths, every module after all it depends on
  std::vector<std::string> builtin;    // requested names that are built into the kernel
};

// The requested modules and all they depend on, dependencies first; requested names that are
// built in need no file. A name that is neither a module nor built in is an error naming it (a
// typo in the list must not silently leave machines without a driver). Soft dependencies that are
// absent are skipped: the kernel treats them as optional too.
std::expected<ModuleClosure, std::string> resolve_modules(const ModuleGraph& graph,
                                                          const std::vector<std::string>& names);

} // namespace atelier::osbuild
