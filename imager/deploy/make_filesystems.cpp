#include "imager/deploy/make_filesystems.h"

#include "base/text.h"

#include <chrono>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;

// mkfs on a multi-terabyte disk takes a while (ext4 initialises its inode tables lazily, XFS and
// btrfs are quick); half an hour means something is stuck.
constexpr auto k_mkfs_timeout = 30min;

std::string tool_failure(const std::vector<std::string>& argv, const base::ProcessResult& r) {
  if (r.timed_out) {
    return fmt::format("{} {}: timed out", argv.front(), argv.back());
  }
  std::string_view why = base::last_line(r.err);
  if (why.empty()) {
    why = base::last_line(r.out);
  }
  return fmt::format("{} {} failed (exit {}){}{}", argv.front(), argv.back(), r.exit_code,
                     why.empty() ? "" : ": ", why);
}

} // namespace

FsKind fs_kind(profiles::Filesystem fs) {
  switch (fs) {
  case profiles::Filesystem::ext4:
    return FsKind::ext4;
  case profiles::Filesystem::xfs:
    return FsKind::xfs;
  case profiles::Filesystem::btrfs:
    return FsKind::btrfs;
  }
  return FsKind::ext4;
}

std::string_view to_string(FsKind kind) {
  switch (kind) {
  case FsKind::ext4:
    return "ext4";
  case FsKind::xfs:
    return "xfs";
  case FsKind::btrfs:
    return "btrfs";
  case FsKind::vfat:
    return "vfat";
  case FsKind::swap:
    return "swap";
  }
  return "?";
}

std::vector<std::string> mkfs_command(const FilesystemSpec& spec) {
  switch (spec.kind) {
  case FsKind::ext4: {
    std::vector<std::string> argv{"mkfs.ext4", "-F", "-q", "-L", spec.label};
    if (spec.skip_discard) {
      argv.insert(argv.end(), {"-E", "nodiscard"});
    }
    argv.push_back(spec.device);
    return argv;
  }
  case FsKind::xfs: {
    std::vector<std::string> argv{"mkfs.xfs", "-f", "-q", "-L", spec.label};
    if (spec.skip_discard) {
      argv.push_back("-K");
    }
    argv.push_back(spec.device);
    return argv;
  }
  case FsKind::btrfs: {
    std::vector<std::string> argv{"mkfs.btrfs", "-f", "-q", "-L", spec.label};
    if (spec.skip_discard) {
      argv.push_back("-K");
    }
    argv.push_back(spec.device);
    return argv;
  }
  case FsKind::vfat:
    return {"mkfs.vfat", "-F", "32", "-n", spec.label, spec.device};
  case FsKind::swap:
    return {"mkswap", "-L", spec.label, spec.device};
  }
  return {};
}

std::expected<void, std::string> make_filesystem(const FilesystemSpec& spec,
                                                 base::ProcessRunner& runner) {
  const auto argv = mkfs_command(spec);
  auto result = runner.run(argv, k_mkfs_timeout);
  if (!result) {
    return std::unexpected(result.error());
  }
  if (result->exit_code != 0 || result->timed_out) {
    return std::unexpected(tool_failure(argv, *result));
  }
  return {};
}

BlockId parse_blkid_export(std::string_view text) {
  BlockId id;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const std::string_view key = line.substr(0, eq);
    std::string value;
    // blkid escapes special characters with a backslash in export mode.
    for (std::size_t i = eq + 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
      }
      value += line[i];
    }
    if (key == "UUID") {
      id.uuid = value;
    } else if (key == "TYPE") {
      id.type = value;
    } else if (key == "LABEL") {
      id.label = value;
    }
  }
  return id;
}

std::expected<BlockId, std::string> read_block_id(const std::string& device,
                                                  base::ProcessRunner& runner) {
  const std::vector<std::string> argv{"blkid", "-p", "-o", "export", device};
  auto result = runner.run(argv, 60s);
  if (!result) {
    return std::unexpected(result.error());
  }
  if (result->exit_code != 0 || result->timed_out) {
    return std::unexpected(tool_failure(argv, *result));
  }
  BlockId id = parse_blkid_export(result->out);
  if (id.uuid.empty()) {
    return std::unexpected(fmt::format("blkid {}: no filesystem UUID found", device));
  }
  return id;
}

} // namespace atelier::imager
