#include "osbuild/bootenv_build.h"

#include "base/file_io.h"
#include "base/process_runner.h"
#include "base/text.h"
#include "osbuild/bootenv_cpio.h"
#include "osbuild/bootenv_modules.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <set>
#include <span>
#include <tuple>

#include <fmt/format.h>

namespace atelier::osbuild {
namespace fs = std::filesystem;
namespace {

using base::read_file;
using base::trim;
using base::write_file_atomically;

struct Package {
  std::string name;
  std::string version;
  fs::path root; // where its contents were extracted
};

// apt-get download names files NAME_VERSION_ARCH.deb with ':' written as "%3a".
std::string deb_file_name(const std::string& name, const std::string& version,
                          const std::string& arch) {
  std::string v;
  for (const char c : version) {
    v += c == ':' ? std::string("%3a") : std::string(1, c);
  }
  return fmt::format("{}_{}_{}.deb", name, v, arch);
}

std::expected<std::map<std::string, std::string>, std::string> candidate(const std::string& name) {
  auto shown = base::run_checked({"apt-cache", "show", "--no-all-versions", name});
  if (!shown) {
    return std::unexpected(fmt::format("{} (run `apt-get update`?)", shown.error()));
  }
  auto fields = parse_control_fields(*shown);
  if (!fields.contains("Version")) {
    return std::unexpected(fmt::format("apt-cache knows no version of {}", name));
  }
  return fields;
}

// Downloads the candidate version of `name` into the cache unless it is there, and extracts it
// once (a ".complete" stamp marks a finished extraction, so an interrupted one is redone).
std::expected<Package, std::string> fetch_package(const fs::path& cache, const std::string& name,
                                                  const Progress& progress) {
  auto fields = candidate(name);
  if (!fields) {
    return std::unexpected(fields.error());
  }
  Package pkg{name, (*fields)["Version"], {}};
  const std::string arch = fields->contains("Architecture") ? (*fields)["Architecture"] : "amd64";
  const std::string file = deb_file_name(name, pkg.version, arch);
  const fs::path deb = cache / "debs" / file;
  std::error_code ec;
  fs::create_directories(deb.parent_path(), ec);
  if (!fs::exists(deb)) {
    progress(fmt::format("downloading {} {}", name, pkg.version));
    if (auto r = base::run_checked({"apt-get", "download", fmt::format("{}={}", name, pkg.version)},
                                   {.cwd = deb.parent_path().string()});
        !r) {
      return std::unexpected(r.error());
    }
    if (!fs::exists(deb)) {
      return std::unexpected(fmt::format("apt-get download did not leave {}", deb.string()));
    }
  }
  pkg.root = cache / "extracted" / file.substr(0, file.size() - 4);
  if (!fs::exists(pkg.root / ".complete")) {
    progress(fmt::format("extracting {}", file));
    fs::remove_all(pkg.root, ec);
    fs::create_directories(pkg.root, ec);
    if (auto r = base::run_checked({"dpkg-deb", "-x", deb.string(), pkg.root.string()}); !r) {
      return std::unexpected(r.error());
    }
    std::ofstream(pkg.root / ".complete") << pkg.version << '\n';
  }
  return pkg;
}

// The one directory under lib/modules/ of an extracted kernel package.
std::expected<std::string, std::string> kernel_version_in(const fs::path& root) {
  std::vector<std::string> versions;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root / "lib/modules", ec)) {
    if (e.is_directory()) {
      versions.push_back(e.path().filename().string());
    }
  }
  if (versions.size() != 1) {
    return std::unexpected(fmt::format("{}: expected one kernel under lib/modules, found {}",
                                       root.string(), versions.size()));
  }
  return versions.front();
}

// Builds the part of the module graph the requested names reach, reading .modinfo from each
// module file on the way. Debian's package has no modules.dep (depmod runs at install time); if a
// tree has one, it is used as is.
std::expected<ModuleGraph, std::string> load_module_graph(const fs::path& moddir,
                                                          const std::vector<std::string>& wanted) {
  ModuleGraph graph;
  if (auto builtin = read_file(moddir / "modules.builtin")) {
    graph.builtin = parse_modules_builtin(*builtin);
  }
  if (fs::exists(moddir / "modules.dep")) {
    auto text = read_file(moddir / "modules.dep");
    if (!text) {
      return std::unexpected(text.error());
    }
    auto parsed = parse_modules_dep(*text);
    if (!parsed) {
      return std::unexpected(parsed.error());
    }
    parsed->builtin = std::move(graph.builtin);
    return parsed;
  }
  // name -> path, in sorted path order so a duplicated name always resolves the same way.
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(moddir / "kernel", ec)) {
    if (e.is_regular_file() && e.path().filename().string().find(".ko") != std::string::npos) {
      paths.push_back(fs::relative(e.path(), moddir).string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::map<std::string, std::string> by_name;
  for (const auto& p : paths) {
    by_name.try_emplace(module_name_from_path(p), p);
  }
  std::deque<std::string> queue(wanted.begin(), wanted.end());
  while (!queue.empty()) {
    const std::string name = canonical_module_name(queue.front());
    queue.pop_front();
    const auto it = by_name.find(name);
    if (graph.modules.contains(name) || it == by_name.end()) {
      continue; // unknown names are reported by resolve_modules with context
    }
    if (!it->second.ends_with(".ko")) {
      return std::unexpected(fmt::format(
          "{}: compressed modules are not supported yet (busybox insmod loads plain .ko)",
          it->second));
    }
    auto bytes = read_file(moddir / it->second);
    if (!bytes) {
      return std::unexpected(bytes.error());
    }
    auto info = parse_modinfo(std::as_bytes(std::span(bytes->data(), bytes->size())));
    if (!info) {
      return std::unexpected(fmt::format("{}: {}", it->second, info.error()));
    }
    ModuleNode node = node_from_modinfo(it->second, *info);
    queue.insert(queue.end(), node.depends.begin(), node.depends.end());
    queue.insert(queue.end(), node.soft.begin(), node.soft.end());
    graph.modules.emplace(name, std::move(node));
  }
  return graph;
}

// Adds a host binary and every library it loads, each at the path the dynamic loader will look
// for it. Symlinks (libstdc++.so.6 -> libstdc++.so.6.0.30) become plain files: the image needs
// only the name the loader asks for.
std::expected<void, std::string> add_with_libraries(InitramfsImage& image, const fs::path& binary,
                                                    const std::string& image_path,
                                                    std::set<std::string>& libraries) {
  auto contents = read_file(binary);
  if (!contents) {
    return std::unexpected(contents.error());
  }
  image.add_file(image_path, std::move(*contents), 0755);
  auto ldd = base::run_process({"ldd", binary.string()}, {.merge_stderr = true});
  if (!ldd) {
    return std::unexpected(ldd.error());
  }
  auto libs = parse_ldd_output(ldd->out);
  if (!libs) {
    return std::unexpected(fmt::format("{}: {}", binary.string(), libs.error()));
  }
  for (const auto& lib : *libs) {
    if (libraries.insert(lib).second) {
      auto bytes = read_file(lib);
      if (!bytes) {
        return std::unexpected(bytes.error());
      }
      image.add_file(lib, std::move(*bytes), 0755);
    }
  }
  return {};
}

// The small files of the image that are no package's business.
void add_skeleton(InitramfsImage& image) {
  for (const char* dir : {"proc", "sys", "dev", "run", "root", "mnt", "var/log"}) {
    image.add_directory(dir, 0755);
  }
  image.add_directory("tmp", 01777);
  // The kernel opens /dev/console for init before anything is mounted: without this node the
  // volunteer sees nothing until devtmpfs is up.
  image.add_char_device("dev/console", 5, 1, 0600);
  image.add_char_device("dev/null", 1, 3, 0666);
  image.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  image.add_file("etc/group", "root:x:0:\n");
  image.add_file("etc/hostname", "atelier\n");
}

} // namespace

std::expected<std::vector<std::string>, std::string> add_catalogues(InitramfsImage& image,
                                                                    const fs::path& locale_dir) {
  std::vector<std::string> added;
  std::error_code ec;
  std::vector<fs::path> languages;
  if (!locale_dir.empty()) {
    for (const auto& entry : fs::directory_iterator(locale_dir, ec)) {
      languages.push_back(entry.path());
    }
  }
  std::sort(languages.begin(), languages.end());
  for (const fs::path& language : languages) {
    const fs::path mo = language / "LC_MESSAGES" / "atelier.mo";
    if (!fs::is_regular_file(mo, ec)) {
      continue;
    }
    auto bytes = read_file(mo);
    if (!bytes) {
      return std::unexpected(bytes.error());
    }
    const std::string path = fmt::format("{}/{}/LC_MESSAGES/atelier.mo", k_bootenv_locale_dir,
                                         language.filename().string());
    image.add_file(path, std::move(*bytes));
    added.push_back(path);
  }
  if (added.empty()) {
    return std::unexpected(fmt::format(
        "no translation catalogue in '{}' (<code>/LC_MESSAGES/atelier.mo): build the target "
        "atelier_catalogues, or install atelier; without it the machines' screen is English",
        locale_dir.string()));
  }
  return added;
}

std::expected<std::vector<std::string>, std::string> parse_ldd_output(std::string_view text) {
  std::vector<std::string> libs;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) {
      continue;
    }
    std::string_view path = line;
    if (const auto arrow = line.find("=>"); arrow != std::string_view::npos) {
      path = trim(line.substr(arrow + 2));
      if (path.starts_with("not found")) {
        return std::unexpected(fmt::format("library {} not found", trim(line.substr(0, arrow))));
      }
    }
    path = path.substr(0, path.find(" ("));
    if (path.starts_with('/')) {
      libs.emplace_back(path);
    }
  }
  return libs;
}

std::map<std::string, std::string> parse_control_fields(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::string last;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (trim(line).empty()) {
      if (!fields.empty()) {
        break; // only the first stanza
      }
      continue;
    }
    if ((line.front() == ' ' || line.front() == '\t') && !last.empty()) {
      fields[last] += "\n" + std::string(trim(line));
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      last = std::string(line.substr(0, colon));
      fields[last] = std::string(trim(line.substr(colon + 1)));
    }
  }
  return fields;
}

std::string dependency_with_prefix(std::string_view depends, std::string_view prefix) {
  while (!depends.empty()) {
    const auto comma = depends.find_first_of(",|");
    auto item = trim(depends.substr(0, comma));
    depends.remove_prefix(comma == std::string_view::npos ? depends.size() : comma + 1);
    item = item.substr(0, item.find_first_of(" ("));
    if (item.starts_with(prefix)) {
      return std::string(item);
    }
  }
  return {};
}

std::expected<BootenvReport, std::string> build_bootenv(const BootenvOptions& options,
                                                        const Progress& progress) {
  BootenvReport report;
  for (const char* name : {"init", "udhcpc.script", "words.sh", "modules.list"}) {
    if (!fs::exists(options.data_dir / name)) {
      return std::unexpected(
          fmt::format("{}: missing (pass --data with the osbuild/bootenv folder)",
                      (options.data_dir / name).string()));
    }
  }
  if (!fs::exists(options.imager)) {
    return std::unexpected(fmt::format("{}: no atelier-imager there (build it, or pass --imager)",
                                       options.imager.string()));
  }
  if (InitramfsImage probe; !add_catalogues(probe, options.locale_dir)) { // before any download
    return std::unexpected(add_catalogues(probe, options.locale_dir).error());
  }

  // The kernel: the versioned package the meta package currently points at.
  auto meta = candidate(options.kernel_meta_package);
  if (!meta) {
    return std::unexpected(meta.error());
  }
  const std::string kernel_name = dependency_with_prefix((*meta)["Depends"], "linux-image-");
  if (kernel_name.empty()) {
    return std::unexpected(
        fmt::format("{} depends on no linux-image-* package", options.kernel_meta_package));
  }
  auto kernel = fetch_package(options.cache, kernel_name, progress);
  if (!kernel) {
    return std::unexpected(kernel.error());
  }
  auto busybox = fetch_package(options.cache, options.busybox_package, progress);
  if (!busybox) {
    return std::unexpected(busybox.error());
  }
  auto version = kernel_version_in(kernel->root);
  if (!version) {
    return std::unexpected(version.error());
  }
  report.kernel_package = kernel->name + " " + kernel->version;
  report.kernel_version = *version;
  report.busybox_package = busybox->name + " " + busybox->version;

  InitramfsImage image;
  add_skeleton(image);

  // Drivers, dependencies first; init loads them in the order of etc/atelier/modules.load.
  progress("resolving kernel modules");
  auto list_text = read_file(options.data_dir / "modules.list");
  if (!list_text) {
    return std::unexpected(list_text.error());
  }
  const auto wanted = parse_module_list(*list_text);
  const fs::path moddir = kernel->root / "lib/modules" / *version;
  auto graph = load_module_graph(moddir, wanted);
  if (!graph) {
    return std::unexpected(graph.error());
  }
  auto closure = resolve_modules(*graph, wanted);
  if (!closure) {
    return std::unexpected(closure.error() + " (check osbuild/bootenv/modules.list)");
  }
  const std::string image_moddir = "lib/modules/" + *version;
  ModuleGraph shipped;
  std::string load_list;
  for (const auto& path : closure->load_order) {
    auto bytes = read_file(moddir / path);
    if (!bytes) {
      return std::unexpected(bytes.error());
    }
    image.add_file(image_moddir + "/" + path, std::move(*bytes));
    shipped.modules[module_name_from_path(path)] = graph->modules.at(module_name_from_path(path));
    load_list += path + "\n";
  }
  // busybox modprobe reads modules.dep: handy from the debug shell.
  image.add_file(image_moddir + "/modules.dep", format_modules_dep(shipped));
  if (auto builtin = read_file(moddir / "modules.builtin")) {
    image.add_file(image_moddir + "/modules.builtin", std::move(*builtin));
  }
  image.add_file("etc/atelier/modules.load", load_list);
  report.modules = closure->load_order;
  report.builtin = closure->builtin;

  // busybox and its applets, at the paths busybox itself names.
  auto bb = read_file(busybox->root / "bin/busybox");
  if (!bb) {
    return std::unexpected(bb.error());
  }
  image.add_file("bin/busybox", std::move(*bb), 0755);
  auto applets = base::run_checked({(busybox->root / "bin/busybox").string(), "--list-full"});
  if (!applets) {
    return std::unexpected(applets.error());
  }
  for (std::string_view rest = *applets; !rest.empty();) {
    const auto nl = rest.find('\n');
    const auto applet = trim(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!applet.empty() && applet != "bin/busybox" && !image.contains(std::string(applet))) {
      image.add_symlink(std::string(applet), "/bin/busybox");
    }
  }

  // The agent and the tools it runs, with the libraries they load.
  progress("adding atelier-imager and the disk tools");
  std::set<std::string> libraries;
  fs::path imager = options.imager;
  if (options.strip_imager) {
    const fs::path stripped = options.cache / "atelier-imager.stripped";
    if (auto r =
            base::run_checked({"strip", "--strip-debug", "-o", stripped.string(), imager.string()});
        !r) {
      return std::unexpected(r.error());
    }
    imager = stripped;
  }
  if (auto r = add_with_libraries(image, imager, "usr/bin/atelier-imager", libraries); !r) {
    return std::unexpected(r.error());
  }
  for (const auto& tool : options.host_tools) {
    if (!fs::exists(tool)) {
      return std::unexpected(fmt::format(
          "{}: not on this host; install scripts/packages.d/bootenv.list", tool.string()));
    }
    if (auto r = add_with_libraries(image, tool, tool.string(), libraries); !r) {
      return std::unexpected(r.error());
    }
  }
  report.libraries.assign(libraries.begin(), libraries.end());
  // The agent's words for the machine's screen (it links Boost.Locale, whose libraries ldd found).
  auto catalogues = add_catalogues(image, options.locale_dir);
  if (!catalogues) {
    return std::unexpected(catalogues.error());
  }
  report.catalogues = std::move(*catalogues);

  for (const auto& [name, path, mode] :
       {std::tuple{"init", "init", 0755U},
        std::tuple{"udhcpc.script", "usr/share/udhcpc/default.script", 0755U},
        std::tuple{"words.sh", "etc/atelier/words.sh", 0644U}}) {
    auto text = read_file(options.data_dir / name);
    if (!text) {
      return std::unexpected(text.error());
    }
    image.add_file(path, std::move(*text), mode);
  }
  // Sourced by /init: values are quoted, since a package is "name version" (Debian versions hold
  // no single quote).
  image.add_file("etc/atelier/bootenv",
                 fmt::format("kernel='{}'\nkernel_package='{}'\nbusybox_package='{}'\n", *version,
                             report.kernel_package, report.busybox_package));

  progress("writing the initramfs");
  std::error_code ec;
  fs::create_directories(options.out, ec);
  if (auto r = image.write(options.out / "initrd.img", CpioOptions{options.mtime, options.gzip});
      !r) {
    return std::unexpected(r.error());
  }
  auto vmlinuz = read_file(kernel->root / "boot" / ("vmlinuz-" + *version));
  if (!vmlinuz) {
    return std::unexpected(vmlinuz.error());
  }
  report.kernel_bytes = vmlinuz->size();
  if (auto r = write_file_atomically(options.out / "vmlinuz", *vmlinuz); !r) {
    return std::unexpected(r.error());
  }
  // The signed chain for UEFI machines: the files as Debian signed them, under the names shim and
  // the firmware ask for.
  if (!options.shim_package.empty() && !options.grub_package.empty()) {
    for (const auto& [package_name, from, to, field] :
         {std::tuple{options.shim_package, "usr/lib/shim/shimx64.efi.signed", "shimx64.efi",
                     &report.shim_package},
          std::tuple{options.grub_package, "usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed",
                     "grubx64.efi", &report.grub_package}}) {
      auto package = fetch_package(options.cache, package_name, progress);
      if (!package) {
        return std::unexpected(package.error());
      }
      auto binary = read_file(package->root / from);
      if (!binary) {
        return std::unexpected(
            fmt::format("{} {}: {}", package->name, package->version, binary.error()));
      }
      if (auto r = write_file_atomically(options.out / to, *binary); !r) {
        return std::unexpected(r.error());
      }
      *field = package->name + " " + package->version;
    }
  }
  report.entries = image.size();
  report.content_bytes = image.content_bytes();
  report.initrd_bytes = fs::file_size(options.out / "initrd.img", ec);
  return report;
}

} // namespace atelier::osbuild
