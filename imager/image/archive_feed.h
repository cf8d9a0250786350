// libarchive's reading side fed from an ImageStream (internal to the imager library): the archive
// reads through ImageStream::read, so the stream's sha256 covers the bytes exactly as stored
// (compressed), and nothing is ever skipped without being read and hashed (no skip callback).
//
// Thread model: the feed and its archive are used by one thread at a time; position() may be read
// from any thread (it is how the writer thread reports progress).
#pragma once

#include "imager/image/image_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <atomic>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <vector>

namespace atelier::imager {

using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

class ArchiveFeed {
public:
  // A tar archive, uncompressed or compressed with gzip, xz or zstd (libarchive's built-in
  // decoders only: never an external program). Reads the first block to recognise the format, so
  // "not an archive" fails here.
  static std::expected<std::unique_ptr<ArchiveFeed>, ImageError> open_tar(ImageStream& stream);

  ~ArchiveFeed();
  ArchiveFeed(const ArchiveFeed&) = delete;
  ArchiveFeed& operator=(const ArchiveFeed&) = delete;

  archive* get() { return m_archive; }
  ImageStream& stream() { return m_stream; }
  // Source bytes read so far (compressed).
  std::uint64_t position() const { return m_position.load(std::memory_order_relaxed); }
  // The stream's own error (network, checksum, truncation) when the last libarchive call failed
  // because a read failed; libarchive only knows that the read callback returned -1.
  std::optional<ImageError> take_error();
  // Reads and hashes the rest of the stream after the archive's end marker (zero padding).
  std::expected<void, ImageError> drain();

private:
  explicit ArchiveFeed(ImageStream& stream);
  static la_ssize_t read_callback(archive* a, void* self, const void** block);

  ImageStream& m_stream;
  archive* m_archive = nullptr;
  std::vector<std::byte> m_buffer;
  std::optional<ImageError> m_error;
  std::atomic<std::uint64_t> m_position{0};
};

} // namespace atelier::imager
