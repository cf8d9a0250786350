// `atelier bootenv build`: the kernel and initramfs donated PCs boot into (docs/BOOTENV.md).
#include "base/i18n.h"
#include "cli/context.h"
#include "osbuild/bootenv_build.h"

#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace atelier::cli {
namespace {
namespace fs = std::filesystem;

struct BuildArgs {
  std::string out;
  std::string cache = "/var/cache/atelier/bootenv";
  std::string imager;
  std::string data;
  bool no_gzip = false;
  bool no_strip = false;
};

fs::path self_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path(ec) : exe.parent_path();
}

// The atelier-imager built or installed with this atelier: next to it (installed), or in the
// build tree's imager/ beside daemon/.
fs::path default_imager() {
  const fs::path dir = self_dir();
  for (const auto& candidate :
       {dir / "atelier-imager", dir.parent_path() / "imager/atelier-imager"}) {
    if (fs::exists(candidate)) {
      return candidate;
    }
  }
  return dir / "atelier-imager";
}

// osbuild/bootenv: $ATELIER_BOOTENV_DATA, an installed share/atelier/bootenv, or the source tree
// found by walking up from the binary (build directories live inside it).
fs::path default_data_dir() {
  if (const char* env = std::getenv("ATELIER_BOOTENV_DATA"); env != nullptr && *env != '\0') {
    return env;
  }
  const fs::path dir = self_dir();
  if (fs::exists(dir.parent_path() / "share/atelier/bootenv/init")) {
    return dir.parent_path() / "share/atelier/bootenv";
  }
  for (fs::path p = dir; !p.empty() && p != p.root_path(); p = p.parent_path()) {
    if (fs::exists(p / "osbuild/bootenv/init")) {
      return p / "osbuild/bootenv";
    }
  }
  return dir.parent_path() / "share/atelier/bootenv";
}

std::string mib(std::uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

void build(CliContext& ctx, const BuildArgs& args) {
  osbuild::BootenvOptions options;
  options.out = args.out;
  options.cache = args.cache;
  options.imager = args.imager.empty() ? default_imager() : fs::path(args.imager);
  options.data_dir = args.data.empty() ? default_data_dir() : fs::path(args.data);
  // The catalogues this atelier reads itself (docs/TRANSLATING.md) go to the machines' screen.
  options.locale_dir = base::catalogues().dir();
  options.gzip = !args.no_gzip;
  options.strip_imager = !args.no_strip;
  // Reproducible-builds convention: one timestamp for everything when the caller sets it.
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    const long long value = std::strtoll(epoch, &end, 10);
    if (*end != '\0' || value < 0) {
      ctx.error(fmt::format("SOURCE_DATE_EPOCH={} is not a number of seconds", epoch));
      return;
    }
    options.mtime = value;
  }
  auto report =
      osbuild::build_bootenv(options, [&ctx](const std::string& step) { ctx.err << step << '\n'; });
  if (!report) {
    ctx.error(fmt::format("bootenv build: {}", report.error()));
    return;
  }
  ctx.out << fmt::format("kernel      {} ({})\n", report->kernel_version, report->kernel_package);
  ctx.out << fmt::format("busybox     {}\n", report->busybox_package);
  if (!report->shim_package.empty()) {
    ctx.out << fmt::format("uefi chain  {}, {} (shimx64.efi, grubx64.efi)\n", report->shim_package,
                           report->grub_package);
  }
  ctx.out << fmt::format("modules     {} files ({} requested ones built in)\n",
                         report->modules.size(), report->builtin.size());
  ctx.out << fmt::format("libraries   {}\n", report->libraries.size());
  ctx.out << fmt::format("catalogues  {}\n", fmt::join(report->catalogues, ", "));
  ctx.out << fmt::format("{}  {}\n", (fs::path(args.out) / "vmlinuz").string(),
                         mib(report->kernel_bytes));
  ctx.out << fmt::format("{}  {} ({} entries, {} uncompressed)\n",
                         (fs::path(args.out) / "initrd.img").string(), mib(report->initrd_bytes),
                         report->entries, mib(report->content_bytes));
}

} // namespace

void add_bootenv_commands(CLI::App& app, CliContext& ctx) {
  auto* bootenv = app.add_subcommand("bootenv", "the Linux environment donated PCs boot into");
  bootenv->require_subcommand(1);
  auto args = std::make_shared<BuildArgs>();
  auto* build_cmd = bootenv->add_subcommand(
      "build", "assemble vmlinuz and a reproducible initrd.img from Debian packages");
  build_cmd->add_option("--out", args->out, "directory for vmlinuz and initrd.img")->required();
  build_cmd->add_option("--cache", args->cache, "downloaded and extracted packages")
      ->capture_default_str();
  build_cmd->add_option("--imager", args->imager,
                        "atelier-imager binary (default: the one built or installed with atelier)");
  build_cmd->add_option("--data", args->data,
                        "folder with init, udhcpc.script, modules.list (default: osbuild/bootenv)");
  build_cmd->add_flag("--no-gzip", args->no_gzip, "write the cpio archive uncompressed");
  build_cmd->add_flag("--no-strip", args->no_strip,
                      "ship atelier-imager with its debug information");
  build_cmd->callback([&ctx, args] { build(ctx, *args); });
}

} // namespace atelier::cli
