// Writing a raw disk image (`.img`, or `.img.zst` decompressed with libzstd while streaming; the
// format is recognised by its magic number, not its name) onto a whole disk.
//
// Contract:
//  - The image must fit: a zstd frame that declares its content size larger than the device fails
//    before the first write; otherwise writing past the end fails with no_space.
//  - Writes use O_DIRECT with aligned buffers when the target accepts it (block devices do), so
//    the agent's page cache is not churned; the last partial block goes through the page cache.
//    The call ends with fdatasync: on success, every byte is on the device.
//  - disk_known_zero = true lets the writer skip all-zero blocks of the image, which is only
//    correct when every byte of the device already reads as zero, i.e. right after a verified
//    zero wipe. Never set it otherwise: skipped blocks would keep the old data.
//  - The image's first MiB (partition table, boot code) is written last, after the checksum
//    matched. Bytes cannot be un-written, so on any error after writing began (checksum mismatch,
//    truncated stream, I/O error) the writer zeroes the first MiB and the last MiB it wrote (where
//    a GPT keeps its backup header), best effort, so the half-written disk does not boot; the
//    error says so, and the caller must still treat the disk as unusable (re-image or wipe).
// Runs on the calling thread plus, when pipelined, one reader thread owned by the call.
#pragma once

#include "imager/disk/progress.h"
#include "imager/image/image_source.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

namespace atelier::imager {

struct RawWriteOptions {
  bool disk_known_zero = false; // see the contract above: only right after a zero wipe
  ProgressSink progress;        // operation "write"; done/total are source (compressed) bytes
  bool direct_io = true;        // O_DIRECT when the target accepts it
  // A reader thread reads, hashes and decompresses while this thread writes.
  bool pipelined = true;
  const base::Clock* clock = &base::system_clock(); // paces progress, times the stats; never null
};

struct RawWriteStats {
  std::uint64_t bytes_in = 0;           // bytes read from the image as stored
  std::uint64_t image_bytes = 0;        // bytes of the (decompressed) image
  std::uint64_t bytes_written = 0;      // bytes written to the device
  std::uint64_t bytes_skipped_zero = 0; // all-zero blocks not written (disk_known_zero only)
  bool compressed = false;              // zstd
  bool direct_io = false;               // O_DIRECT was used
  std::string sha256;                   // of the source bytes as stored, lower-case hex
  double duration_seconds = 0;
};

// `device` is a block device or (tests, benches) a regular file, which is extended to the image
// size when zero blocks at its end were skipped.
std::expected<RawWriteStats, ImageError> write_raw_image(ImageStream& stream,
                                                         const std::filesystem::path& device,
                                                         const RawWriteOptions& options = {});

} // namespace atelier::imager
