#include "osbuild/bootenv_modules.h"

#include "base/text.h"

#include <algorithm>
#include <cstdint>
#include <functional>

#include <fmt/format.h>

namespace atelier::osbuild {
namespace {

using base::trim;

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) {
      break;
    }
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != ',') {
      ++i;
    }
    if (i > start) {
      words.push_back(s.substr(start, i - start));
    }
  }
  return words;
}

void add_unique(std::vector<std::string>& list, std::string name) {
  if (!name.empty() && std::find(list.begin(), list.end(), name) == list.end()) {
    list.push_back(std::move(name));
  }
}

// Little-endian reads that fail instead of reading past the end of a truncated file.
std::optional<std::uint64_t> read_le(std::span<const std::byte> data, std::uint64_t offset,
                                     std::size_t width) {
  if (offset > data.size() || data.size() - offset < width) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = width; i-- > 0;) {
    value =
        (value << 8) | std::to_integer<std::uint64_t>(data[static_cast<std::size_t>(offset) + i]);
  }
  return value;
}

} // namespace

std::string canonical_module_name(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string module_name_from_path(std::string_view path) {
  const auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  // Compressed modules (.ko.xz, .ko.zst) carry the same name.
  if (const auto ko = base.find(".ko"); ko != std::string_view::npos) {
    base = base.substr(0, ko);
  }
  return canonical_module_name(base);
}

std::expected<ModuleGraph, std::string> parse_modules_dep(std::string_view text) {
  ModuleGraph graph;
  std::size_t line_no = 0;
  for (const auto raw : split_lines(text)) {
    ++line_no;
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return std::unexpected(fmt::format("modules.dep line {}: no ':' in \"{}\"", line_no, line));
    }
    ModuleNode node;
    node.path = std::string(trim(line.substr(0, colon)));
    if (node.path.empty()) {
      return std::unexpected(fmt::format("modules.dep line {}: empty module path", line_no));
    }
    for (const auto dep : split_words(line.substr(colon + 1))) {
      add_unique(node.depends, module_name_from_path(dep));
    }
    graph.modules[module_name_from_path(node.path)] = std::move(node);
  }
  return graph;
}

std::string format_modules_dep(const ModuleGraph& graph) {
  std::vector<const ModuleNode*> nodes;
  for (const auto& [name, node] : graph.modules) {
    nodes.push_back(&node);
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const ModuleNode* a, const ModuleNode* b) { return a->path < b->path; });
  std::string out;
  for (const ModuleNode* node : nodes) {
    out += node->path;
    out += ':';
    for (const auto& dep : node->depends) {
      if (auto it = graph.modules.find(dep); it != graph.modules.end()) {
        out += ' ';
        out += it->second.path;
      }
    }
    out += '\n';
  }
  return out;
}

std::set<std::string> parse_modules_builtin(std::string_view text) {
  std::set<std::string> names;
  for (const auto raw : split_lines(text)) {
    const auto line = trim(raw);
    if (!line.empty() && line.front() != '#') {
      names.insert(module_name_from_path(line));
    }
  }
  return names;
}

std::expected<ModInfo, std::string> parse_modinfo(std::span<const std::byte> elf) {
  static constexpr char k_magic[] = {'\x7f', 'E', 'L', 'F'};
  if (elf.size() < 64 ||
      !std::equal(std::begin(k_magic), std::end(k_magic), elf.begin(),
                  [](char c, std::byte b) { return static_cast<std::byte>(c) == b; })) {
    return std::unexpected("not an ELF file");
  }
  if (elf[4] != std::byte{2} || elf[5] != std::byte{1}) {
    return std::unexpected("not a 64-bit little-endian ELF file");
  }
  const auto shoff = read_le(elf, 0x28, 8);
  const auto shentsize = read_le(elf, 0x3A, 2);
  const auto shnum = read_le(elf, 0x3C, 2);
  const auto shstrndx = read_le(elf, 0x3E, 2);
  if (!shoff || !shentsize || !shnum || !shstrndx || *shentsize < 64 || *shstrndx >= *shnum) {
    return std::unexpected("damaged ELF header");
  }
  // The whole section header table must be there: a cut-off file is damaged, not a module.
  if (*shoff > elf.size() || (elf.size() - *shoff) / *shentsize < *shnum) {
    return std::unexpected("truncated ELF file");
  }
  struct Section {
    std::uint64_t name;
    std::uint64_t offset;
    std::uint64_t size;
  };
  auto section = [&](std::uint64_t index) -> std::optional<Section> {
    const std::uint64_t base = *shoff + index * *shentsize;
    const auto name = read_le(elf, base, 4);
    const auto offset = read_le(elf, base + 24, 8);
    const auto size = read_le(elf, base + 32, 8);
    if (!name || !offset || !size || *offset > elf.size() || elf.size() - *offset < *size) {
      return std::nullopt;
    }
    return Section{*name, *offset, *size};
  };
  const auto strtab = section(*shstrndx);
  if (!strtab) {
    return std::unexpected("damaged ELF section header string table");
  }
  auto section_name = [&](const Section& s) {
    std::string name;
    for (std::uint64_t i = strtab->offset + s.name; i < strtab->offset + strtab->size; ++i) {
      const char c = static_cast<char>(elf[static_cast<std::size_t>(i)]);
      if (c == '\0') {
        break;
      }
      name += c;
    }
    return name;
  };
  for (std::uint64_t i = 0; i < *shnum; ++i) {
    const auto s = section(i);
    if (!s) {
      return std::unexpected(fmt::format("damaged ELF section header {}", i));
    }
    if (section_name(*s) != ".modinfo") {
      continue;
    }
    ModInfo info;
    const auto* begin = reinterpret_cast<const char*>(elf.data()) + s->offset;
    const std::string_view body(begin, static_cast<std::size_t>(s->size));
    std::size_t pos = 0;
    while (pos < body.size()) {
      const auto end = std::min(body.find('\0', pos), body.size());
      const auto entry = body.substr(pos, end - pos);
      if (const auto eq = entry.find('='); eq != std::string_view::npos) {
        info.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
      }
      pos = end + 1;
    }
    return info;
  }
  return std::unexpected("no .modinfo section (not a kernel module?)");
}

ModuleNode node_from_modinfo(std::string path, const ModInfo& info) {
  ModuleNode node;
  node.path = std::move(path);
  for (const auto& [key, value] : info) {
    if (key == "depends") {
      for (const auto dep : split_words(value)) {
        add_unique(node.depends, canonical_module_name(dep));
      }
    } else if (key == "softdep") {
      // "pre: a b post: c": only "pre:" modules must be there before this one loads.
      bool pre = false;
      for (const auto word : split_words(value)) {
        if (word == "pre:" || word == "post:") {
          pre = word == "pre:";
        } else if (pre) {
          add_unique(node.soft, canonical_module_name(word));
        }
      }
    }
  }
  return node;
}

std::vector<std::string> parse_module_list(std::string_view text) {
  std::vector<std::string> names;
  for (const auto raw : split_lines(text)) {
    auto line = raw.substr(0, raw.find('#'));
    for (const auto word : split_words(line)) {
      add_unique(names, canonical_module_name(word));
    }
  }
  return names;
}

std::expected<ModuleClosure, std::string> resolve_modules(const ModuleGraph& graph,
                                                          const std::vector<std::string>& names) {
  ModuleClosure closure;
  std::set<std::string> done;
  std::set<std::string> visiting;
  std::string error;
  // Depth-first, dependencies before dependents; the order follows the list and each module's
  // own dependency order, so the same inputs give the same load order.
  std::function<bool(const std::string&, const std::string&)> visit =
      [&](const std::string& name, const std::string& needed_by) -> bool {
    if (done.contains(name) || graph.builtin.contains(name)) {
      return true;
    }
    const auto it = graph.modules.find(name);
    if (it == graph.modules.end()) {
      error =
          needed_by.empty()
              ? fmt::format("kernel module {} is neither in the kernel package nor built in", name)
              : fmt::format("kernel module {} (needed by {}) is not in the kernel package", name,
                            needed_by);
      return false;
    }
    if (!visiting.insert(name).second) {
      error = fmt::format("kernel modules depend on each other in a cycle through {}", name);
      return false;
    }
    for (const auto& soft : it->second.soft) {
      if (graph.modules.contains(soft) && !visit(soft, name)) {
        return false;
      }
    }
    for (const auto& dep : it->second.depends) {
      if (!visit(dep, name)) {
        return false;
      }
    }
    visiting.erase(name);
    done.insert(name);
    closure.load_order.push_back(it->second.path);
    return true;
  };
  for (const auto& raw : names) {
    const auto name = canonical_module_name(raw);
    if (graph.builtin.contains(name)) {
      closure.builtin.push_back(name);
      continue;
    }
    if (!visit(name, "")) {
      return std::unexpected(error);
    }
  }
  return closure;
}

} // namespace atelier::osbuild
