// Extracting a root-filesystem archive (tar, tar.gz, tar.xz, tar.zst; libarchive detects which)
// from an ImageStream into a mounted, freshly made filesystem, preserving what a bootable system
// needs: owners (numeric ids from the archive, never looked up on the agent), permissions
// including setuid/setgid/sticky, ACLs, extended attributes (file capabilities live in
// security.capability), file flags, times, hard links, symlinks, FIFOs and device nodes under /dev.
//
// Security rules (docs/IMAGES.md lists each refused case). Every entry's path and hard-link target
// is validated and rewritten under target_root by this code before libarchive sees it; libarchive's
// own secure-extraction flags then check the resulting path again on disk:
//  - absolute paths and paths with a ".." component are refused (not stripped);
//  - nothing is written through a symbolic link (a symlink in the archive pointing anywhere, then a
//    file "through" it, is refused), and no hard link may name a path outside the root or carry
//    data into a symbolic link;
//  - character and block devices only under dev/; sockets never;
//  - an entry whose size (apparent size for sparse files) exceeds the target's free space is
//    refused before any of it is written, so a hostile or oversized archive cannot fill the disk.
//
// Contract: target_root is an existing directory, normally the root of a freshly made filesystem;
// it is never left, so nothing outside it is created, changed or followed. On success every file
// is on the disk (syncfs) and the stream's checksum matched. On any error the target
// holds a partial tree and the caller must not boot it (deploy re-formats or marks the disk
// unbootable). A checksum mismatch is the error kind checksum_mismatch, detected when the stream
// ends, i.e. after the whole tree was written: the caller must discard it like any other error.
// Runs on the calling thread plus, when pipelined, one reader thread owned by the call.
#pragma once

#include "imager/disk/progress.h"
#include "imager/image/image_source.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

namespace atelier::imager {

struct ExtractOptions {
  ProgressSink progress; // operation "extract"; done/total are source (compressed) bytes
  std::string device;    // named in progress events, e.g. "/dev/sda2"
  // Free space left untouched on the target (the installed system needs room to boot and log).
  std::uint64_t reserve_bytes = 0;
  // A reader thread reads, hashes, decompresses and parses while this thread writes files.
  bool pipelined = true;
  const base::Clock* clock = &base::system_clock(); // paces progress, times the stats; never null
};

struct ExtractStats {
  std::uint64_t files = 0; // regular files, hard links excluded
  std::uint64_t directories = 0;
  std::uint64_t symlinks = 0;
  std::uint64_t hardlinks = 0;
  std::uint64_t device_nodes = 0;
  std::uint64_t fifos = 0;
  std::uint64_t bytes = 0;        // file data written (sparse holes not counted)
  std::uint64_t source_bytes = 0; // bytes read from the image as stored
  std::string sha256;             // of the source bytes, lower-case hex
  double duration_seconds = 0;
};

std::expected<ExtractStats, ImageError> extract_rootfs(ImageStream& stream,
                                                       const std::filesystem::path& target_root,
                                                       const ExtractOptions& options = {});

} // namespace atelier::imager
