// `atelier image build` (docs/IMAGE-BUILD.md): builds a profile's rootfs archive with mmdebstrap
// from its [image.build] section, caches it by the hash of its inputs, and writes the archive and
// its manifest where the caller asks.
#pragma once

#include "base/clock.h"
#include "osbuild/image_recipe.h"
#include "profiles/profile.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace atelier::osbuild {

struct ImageBuildOptions {
  std::filesystem::path out; // the .tar.zst to write; its manifest goes to OUT.manifest.json
  std::filesystem::path cache_dir = "/var/cache/atelier/images";
  bool force = false;                    // rebuild even when the cache has these inputs
  std::string mmdebstrap = "mmdebstrap"; // the program (tests pass a stand-in)
  // SOURCE_DATE_EPOCH from the caller's environment; otherwise the mirror's Release date is used.
  std::optional<std::int64_t> source_date_epoch;
  int threads = 0; // compression threads; 0: one per hardware thread
  // The manifest's built_at and build_seconds. Never null.
  const base::Clock* clock = &base::system_clock();
};

struct ImageBuildResult {
  bool cached = false;                 // the inputs were built before: nothing was run
  std::filesystem::path cache_entry;   // CACHE/<key>/ with image.tar.zst, manifest.json, build.log
  std::filesystem::path archive;       // == options.out
  std::filesystem::path manifest_file; // OUT.manifest.json
  ImageManifest manifest;
};

using ImageProgress = std::function<void(const std::string&)>;

// The profile must have [image.build]. Errors name what failed and what to do: a package apt does
// not know is named; any other mmdebstrap failure quotes the last lines of its log and keeps the
// log (CACHE/<key>.failed.log). Needs root: mmdebstrap runs in root mode.
std::expected<ImageBuildResult, std::string> build_image(const profiles::Profile& profile,
                                                         const ImageBuildOptions& options,
                                                         const ImageProgress& progress);

// Resolves the profile's packages against its repositories without building anything (mmdebstrap
// --simulate: one apt update, some 30 s): a package apt does not know is named as by a build.
// Returns the number of packages listed. Needs root, like a build.
std::expected<int, std::string> check_image_packages(const profiles::Profile& profile,
                                                     const ImageBuildOptions& options,
                                                     const ImageProgress& progress);

// Mount points at or below `dir` (from /proc/self/mountinfo). A build killed hard can leave
// mmdebstrap's /proc and /sys mounts behind; nothing is deleted under a mount.
std::vector<std::filesystem::path> mounts_under(const std::filesystem::path& dir);

} // namespace atelier::osbuild
