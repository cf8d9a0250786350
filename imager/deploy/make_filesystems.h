// Making the deployed disk's filesystems (mkfs.ext4/xfs/btrfs for root, FAT32 for the EFI system
// partition, mkswap) and reading their UUIDs back, through ProcessRunner.
//
// The command lines are pure functions so their options are tested without a disk; running them is
// one ProcessRunner call each, and a tool that fails becomes an error quoting its last output line.
#pragma once

#include "base/process_runner.h"
#include "profiles/profile.h"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

enum class FsKind { ext4, xfs, btrfs, vfat, swap };

struct FilesystemSpec {
  std::string device; // e.g. "/dev/loop0p2"
  FsKind kind = FsKind::ext4;
  std::string label;         // short: FAT takes 11 characters, XFS 12; see the k_*_label constants
  bool skip_discard = false; // the disk was just zeroed: discarding it again only costs time
};

inline constexpr std::string_view k_root_label = "atelier-root";
inline constexpr std::string_view k_esp_label = "EFI";
inline constexpr std::string_view k_swap_label = "swap";

FsKind fs_kind(profiles::Filesystem);
std::string_view to_string(FsKind); // "ext4", "xfs", "btrfs", "vfat", "swap": the fstab type

// argv of the mkfs for a spec (pure): forced (the disk was just partitioned), quiet, labelled.
std::vector<std::string> mkfs_command(const FilesystemSpec&);
std::expected<void, std::string> make_filesystem(const FilesystemSpec&, base::ProcessRunner&);

struct BlockId {
  std::string uuid; // filesystem UUID; FAT's is "1BD9-28EF"
  std::string type; // "ext4", "vfat", "swap", ...
  std::string label;
};

// Parses `blkid -o export` output (KEY=value lines; values may be quoted with backslash escapes).
BlockId parse_blkid_export(std::string_view text);
// Probes the device itself (`blkid -p`, bypassing the cache) and requires a UUID.
std::expected<BlockId, std::string> read_block_id(const std::string& device, base::ProcessRunner&);

} // namespace atelier::imager
