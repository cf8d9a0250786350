// The pure part of `atelier image build` (docs/IMAGE-BUILD.md): what goes into the cache key, the
// mmdebstrap command line, the manifest, and reading what mmdebstrap and dpkg-query print. No I/O:
// osbuild/image_build.cpp runs the processes and touches the files.
#pragma once

#include "profiles/profile.h"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::osbuild {

// Bumped whenever the way Atelier drives mmdebstrap changes what lands in the archive (hooks,
// /dev handling, compression level): every cached image is then rebuilt once.
inline constexpr int k_image_recipe_version = 1;
inline constexpr int k_image_zstd_level = 9;
inline constexpr std::string_view k_image_architecture = "amd64";
inline constexpr std::string_view k_image_manifest_schema = "atelier.image-manifest/1";

// Everything that decides an image's contents, as far as Atelier can know it before building:
// the profile's [image.build], the mmdebstrap version and the recipe version. (The mirror's
// content is not: it changes under the same inputs, which is what --force is for.)
struct ImageInputs {
  profiles::ImageBuild build;
  std::string mmdebstrap_version;                // "1.3.5"
  std::optional<std::int64_t> source_date_epoch; // only when the caller set SOURCE_DATE_EPOCH
};

// The inputs as canonical JSON text (sorted keys, no spaces; package order is irrelevant to apt
// and is sorted; sources and customize commands keep their order, which matters).
std::string canonical_inputs(const ImageInputs&);
// The cache key: the first 32 hex digits of the SHA-256 of canonical_inputs.
std::string image_cache_key(const ImageInputs&);

struct InstalledPackage {
  std::string name;
  std::string version;
  std::string architecture;
  bool operator==(const InstalledPackage&) const = default;
};

// What the customize hook's `dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\n'` wrote.
// Sorted by name. A malformed line is an error naming its number.
std::expected<std::vector<InstalledPackage>, std::string> parse_package_list(std::string_view);

// Paths the mmdebstrap command line refers to.
struct MmdebstrapPaths {
  std::string mmdebstrap = "mmdebstrap";
  std::string package_list; // where the last customize hook writes the dpkg-query list
};

// The whole mmdebstrap argv: root mode, tar on stdout, no device nodes (Atelier prepends the /dev
// entries itself, see dev_tar_entries), the profile's commands, then Atelier's finishing hooks.
std::vector<std::string> mmdebstrap_arguments(const profiles::ImageBuild&, const MmdebstrapPaths&);

// Wraps a shell command so that `sh -c HOOK root` runs it inside the root with chroot.
std::string chroot_hook(std::string_view command);
// 'text' quoted for POSIX sh.
std::string shell_quote(std::string_view text);

// The /dev entries of the archive, as tar headers (POSIX ustar): the directories /dev, /dev/pts,
// /dev/shm and the /dev/fd, stdin, stdout, stderr symlinks, with mtime `mtime`. No device nodes:
// the booted system gets them from devtmpfs, and the deploy then never has to mknod. This is what
// mmdebstrap 1.4's --skip=output/mknod does; Debian 12 has 1.3.5.
std::string dev_tar_entries(std::int64_t mtime);

// The package apt could not find, from mmdebstrap's log: "Unable to locate package X", "Package
// 'X' has no installation candidate", "Version 'V' for 'X' was not found", "Release 'R' for 'X'
// was not found". The first one, or nullopt.
std::optional<std::string> missing_package_in_log(std::string_view log);

// The last `lines` lines of a log, for error messages.
std::string last_lines(std::string_view log, std::size_t lines);

// The Date: field of a Release file ("Sat, 10 May 2025 09:27:19 UTC") as seconds since 1970.
std::expected<std::int64_t, std::string> release_date(std::string_view release_file);

// The manifest written next to every built archive (FILE.tar.zst.manifest.json);
// docs/IMAGE-BUILD.md specifies it.
struct ImageManifest {
  std::string profile;
  std::string key;
  ImageInputs inputs;
  std::string built_at; // ISO 8601 UTC
  std::int64_t build_seconds = 0;
  std::int64_t source_date_epoch = 0; // what the build used (the mirror's Release date by default)
  std::string sha256;                 // of the .tar.zst file
  std::uint64_t size_bytes = 0;
  std::uint64_t content_bytes = 0; // the uncompressed tar stream: what the root filesystem needs
  std::vector<InstalledPackage> packages;
};

std::string manifest_to_json(const ImageManifest&);
std::expected<ImageManifest, std::string> manifest_from_json(std::string_view);

} // namespace atelier::osbuild
