// Reading an OS image (a root-filesystem archive or a raw disk image) as a byte stream, from a
// local file or over HTTP, with its sha256 computed over the bytes exactly as stored (compressed)
// while they stream by. Deploy reads an image once, front to back, and never buffers it whole.
//
// Contract of an ImageStream:
//  - read() returns the next bytes of the source; 0 means the end, and is returned only after every
//    byte was read and, when an expected sha256 was given, it matched. A mismatch is the error kind
//    checksum_mismatch, returned by the read that reached the end: the bytes before it were already
//    handed out, so a consumer that writes as it reads must treat that error as "what I wrote is
//    not the image" (see rootfs_extract.h and raw_image.h for what each consumer does about it).
//  - Over HTTP, a dropped connection or timeout is resumed with a Range request from the current
//    offset, bounded by HttpRetryPolicy. The resumed response must prove it is the same file
//    (If-Range with the strong ETag or Last-Modified of the first response, Content-Range total
//    equal to the first size); otherwise the error is source_changed, never a spliced file.
//  - Not thread-safe: one thread reads at a time (it may be a different thread from the opener).
// Errors name the path or URL and the byte offset.
#pragma once

#include "base/clock.h"
#include "imager/disk/progress.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace atelier::profiles {
struct Image;
}

namespace atelier::imager {

enum class ImageErrorKind {
  invalid_argument,  // a malformed URL or sha256, a target that is not a directory/device
  not_found,         // a local file that does not exist, HTTP 404/410
  io,                // a system call failed on the source or the target (names path and offset)
  network,           // connecting or reading failed and the retries were spent
  http_status,       // an HTTP answer we cannot use (403, 416, 5xx after the retries, a redirect
                     // to another host, too many redirects)
  source_changed,    // the file on the server changed between two attempts: not spliced
  checksum_mismatch, // the sha256 of the bytes as stored is not the expected one
  format,            // not a readable archive or zstd stream, or corrupt data inside it
  truncated,         // the archive or stream ends before its end marker or announced size
  unsafe_entry,      // an archive entry refused by the extraction rules (docs/IMAGES.md)
  no_space,          // the entry or image does not fit in the target's free space
  unsupported,       // e.g. https:// (the agent carries no TLS stack), a raw image in xz
};

struct ImageError {
  ImageErrorKind kind = ImageErrorKind::io;
  std::string message; // a complete sentence naming the path/URL, entry or offset involved
};

std::string_view to_string(ImageErrorKind);

// Bounds on an HTTP transfer. A connection that delivers bytes resets the count of consecutive
// failures; max_resumes bounds the whole transfer so a server dropping every few bytes cannot keep
// a machine busy for ever.
struct HttpRetryPolicy {
  int max_attempts = 6;  // consecutive attempts that delivered nothing (refused, reset, 5xx)
  int max_resumes = 100; // resumptions in one transfer, whatever they delivered
  std::chrono::milliseconds first_backoff{250}; // doubled after each failed attempt
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds io_timeout{30000}; // each read or write must progress within this
  int max_redirects = 5; // followed only to the same host (any port); other hosts are refused
};

struct ImageStreamOptions {
  std::optional<std::string> expected_sha256; // 64 hex digits; checked when the end is reached
  // operation "download" (HTTP) or "read" (file), source bytes; called on the thread that reads,
  // which inside a pipelined extract_rootfs/write_raw_image is their reader thread. Those two have
  // their own sinks ("extract", "write"), called on the caller's thread: usually pick one.
  ProgressSink progress;
  HttpRetryPolicy http;
  // One line per notable event an operator may want in the log (a resumed transfer, a retry);
  // called on the thread that reads, like `progress`.
  std::function<void(std::string_view)> log;
  // Paces `progress` and waits the HTTP retry pauses. Never null.
  const base::Clock* clock = &base::system_clock();
};

// Where an ImageStream gets its bytes: a local file or an HTTP transfer (or a test's fake).
class ByteSource {
public:
  virtual ~ByteSource() = default;
  // Up to buffer.size() bytes at the current offset; 0 only at the end of the source. A source
  // with a known size that ends early returns a `truncated` error, never 0.
  virtual std::expected<std::size_t, ImageError> read_some(std::span<std::byte> buffer) = 0;
  virtual std::optional<std::uint64_t> size() const = 0; // nullopt when the server did not say
  virtual const std::string& name() const = 0;           // the path or URL, for messages
};

class ImageStream {
public:
  ImageStream(std::unique_ptr<ByteSource> source, ImageStreamOptions options);
  ~ImageStream();
  ImageStream(const ImageStream&) = delete;
  ImageStream& operator=(const ImageStream&) = delete;

  // See the contract at the top of this file.
  std::expected<std::size_t, ImageError> read(std::span<std::byte> buffer);
  // Reads (and hashes) whatever is left, e.g. the zero padding after a tar end marker, so the
  // checksum covers the file exactly as stored. Returns the number of bytes skipped.
  std::expected<std::uint64_t, ImageError> drain();

  std::optional<std::uint64_t> total_size() const; // the source's size when known
  std::uint64_t bytes_read() const;
  bool at_end() const; // read() returned 0: every byte read and the checksum (if any) matched
  const std::string& name() const; // path or URL
  // Lower-case hex sha256 of every byte read; only complete once at_end().
  std::string sha256_hex() const;
  const std::optional<std::string>& expected_sha256() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Opens a local path or an http:// URL. Checks the expected sha256's syntax, opens the file (or
// sends the first request and reads the response header), so a missing image fails here and not
// halfway through a deploy. https:// is `unsupported`: the agent has no TLS stack; images come
// from atelierd on the workshop LAN and their integrity comes from the pinned sha256.
std::expected<std::unique_ptr<ImageStream>, ImageError> open_image(std::string_view path_or_url,
                                                                   ImageStreamOptions options = {});
// The profile's image: its URL or resolved path, its sha256 as the expected one (options'
// expected_sha256 is replaced).
std::expected<std::unique_ptr<ImageStream>, ImageError> open_image(const profiles::Image& image,
                                                                   ImageStreamOptions options = {});

} // namespace atelier::imager
