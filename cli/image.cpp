// `atelier image build`: a profile's rootfs archive from its [image.build] section
// (docs/IMAGE-BUILD.md).
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/image_device.h"
#include "osbuild/image_build.h"
#include "profiles/profile.h"
#include "profiles/profile_edit.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

namespace atelier::cli {
namespace {
namespace fs = std::filesystem;

struct ImageArgs {
  std::string profile;
  std::string out;
  std::string cache_dir = "/var/cache/atelier/images";
  std::string mmdebstrap = "mmdebstrap";
  bool force = false;
  bool update_profile = false;
  bool check = false;
};

std::string mib(std::uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

// Writes image.sha256 into the profile file, keeping the rest of it as it was; the result must
// still load as the same profile.
bool update_profile(CliContext& ctx, const fs::path& file, const std::string& sha256) {
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto edited = profiles::set_image_sha256(text, sha256);
  if (!edited) {
    ctx.error(fmt::format("{}: cannot update image.sha256: {}", file.string(), edited.error()));
    return false;
  }
  auto reparsed = profiles::parse_profile(*edited, file.string());
  if (!reparsed || reparsed->image.sha256 != sha256) {
    ctx.error(fmt::format("{}: the edited profile would not load; set sha256 = \"{}\" by hand",
                          file.string(), sha256));
    return false;
  }
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << *edited;
    if (!out.flush()) {
      ctx.error(fmt::format("{}: cannot be written", tmp.string()));
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    ctx.error(fmt::format("{}: {}", file.string(), ec.message()));
    return false;
  }
  return true;
}

void build(CliContext& ctx, const ImageArgs& args) {
  auto profile = profiles::load_profile(args.profile);
  if (!profile) {
    for (const auto& diagnostic : profile.error()) {
      ctx.err << diagnostic.to_string() << '\n';
    }
    ctx.error(fmt::format("{}: the profile has errors; fix them first", args.profile));
    return;
  }
  if (!profile->image.build) {
    ctx.error(fmt::format("{}: no [image.build] section: add one to say how the image is built "
                          "(suite, variant, packages; docs/PROFILES.md)",
                          args.profile));
    return;
  }
  osbuild::ImageBuildOptions options;
  if (!args.out.empty()) {
    options.out = args.out;
  } else if (!profile->image.is_url) {
    options.out = profile->image.path; // where the profile expects its image
  } else {
    ctx.error(fmt::format("{}: image.source is a URL ({}): pass --out FILE.tar.zst, then upload "
                          "the file there",
                          args.profile, profile->image.source));
    return;
  }
  options.cache_dir = args.cache_dir;
  options.force = args.force;
  options.mmdebstrap = args.mmdebstrap;
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    const long long value = std::strtoll(epoch, &end, 10);
    if (*end != '\0' || value < 0) {
      ctx.error(fmt::format("SOURCE_DATE_EPOCH={} is not a number of seconds", epoch));
      return;
    }
    options.source_date_epoch = value;
  }

  const auto progress = [&ctx](const std::string& step) {
    ctx.err << step << '\n';
    ctx.err.flush();
  };
  if (args.check) {
    auto checked = osbuild::check_image_packages(*profile, options, progress);
    if (!checked) {
      ctx.error(fmt::format("image check for {}: {}", profile->name, checked.error()));
      return;
    }
    ctx.out << fmt::format("check: the {} packages of {} resolve in {} from {} (no image built)\n",
                           *checked, args.profile, profile->image.build->suite,
                           profile->image.build->mirror);
    return;
  }
  auto result = osbuild::build_image(*profile, options, progress);
  if (!result) {
    ctx.error(fmt::format("image build for {}: {}", profile->name, result.error()));
    return;
  }
  const osbuild::ImageManifest& m = result->manifest;
  if (result->cached) {
    ctx.out << fmt::format("cached: built {} from the same inputs (key {}); --force rebuilds "
                           "with the mirror's current packages\n",
                           m.built_at, m.key);
  } else {
    ctx.out << fmt::format("built in {} s (key {})\n", m.build_seconds, m.key);
  }
  ctx.out << fmt::format("image     {}  {}, {} packages\n", result->archive.string(),
                         mib(m.size_bytes), m.packages.size());
  ctx.out << fmt::format("sha256    {}\n", m.sha256);
  ctx.out << fmt::format("manifest  {}\n", result->manifest_file.string());
  if (profile->image.sha256 == m.sha256) {
    ctx.out << fmt::format("profile   {}: image.sha256 already matches\n", args.profile);
  } else if (args.update_profile) {
    if (update_profile(ctx, args.profile, m.sha256)) {
      ctx.out << fmt::format("profile   {}: image.sha256 updated\n", args.profile);
    }
  } else {
    ctx.out << fmt::format("next: set sha256 = \"{}\" in [image] of {} (or run again with "
                           "--update-profile)\n",
                           m.sha256, args.profile);
  }
}

} // namespace

void add_image_commands(CLI::App& app, CliContext& ctx) {
  auto* image = app.add_subcommand(
      "image",
      "the system images profiles install; with --device, wipe and image a disk in a dock");
  image->require_subcommand(0, 1);
  auto device_args = std::make_shared<ImageDeviceArgs>();
  add_image_device_options(*image, *device_args);
  auto args = std::make_shared<ImageArgs>();
  auto* build_cmd = image->add_subcommand(
      "build", "build a profile's image with mmdebstrap from its [image.build] section (as root)");
  build_cmd->add_option("profile", args->profile, "the profile file (.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  build_cmd->add_option("--out", args->out,
                        "the .tar.zst to write (default: the profile's image.source path); the "
                        "manifest goes to OUT.manifest.json");
  build_cmd->add_option("--cache-dir", args->cache_dir, "built images, by the hash of their inputs")
      ->capture_default_str();
  build_cmd->add_flag("--force", args->force,
                      "rebuild even if the cache holds these inputs (picks up package updates)");
  build_cmd->add_flag("--update-profile", args->update_profile,
                      "write the new image's sha256 into the profile's [image] table");
  build_cmd->add_flag("--check", args->check,
                      "only resolve the package list against the mirror (mmdebstrap --simulate, "
                      "about 30 s); build nothing");
  build_cmd->add_option("--mmdebstrap", args->mmdebstrap, "the mmdebstrap program to run")
      ->capture_default_str();
  build_cmd->callback([&ctx, args, device_args] {
    if (!device_args->device.empty()) {
      ctx.err << "atelier image: --device and build do not go together\n";
      ctx.status = k_exit_usage;
      return;
    }
    build(ctx, *args);
  });
  // `atelier image --device ...` is the command itself; `atelier image build` a subcommand.
  image->callback([&ctx, image, build_cmd, device_args] {
    if (build_cmd->parsed()) {
      return;
    }
    if (device_args->device.empty()) {
      ctx.err << "atelier image: give --device DEV (wipe and image a disk) or a subcommand "
                 "(build)\n"
              << image->help();
      ctx.status = k_exit_usage;
      return;
    }
    std::vector<std::string> missing;
    for (const auto& [name, value] :
         {std::pair{"--profile", device_args->profile}, std::pair{"--tag", device_args->tag}}) {
      if (value.empty()) {
        missing.emplace_back(name);
      }
    }
    if (!missing.empty()) {
      ctx.err << fmt::format("atelier image --device: {} missing\n", fmt::join(missing, " and "));
      ctx.status = k_exit_usage;
      return;
    }
    image_device(ctx, *device_args);
  });
}

} // namespace atelier::cli
