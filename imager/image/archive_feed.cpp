#include "imager/image/archive_feed.h"

#include "imager/image/image_util.h"

namespace atelier::imager {
namespace {
// The block handed to libarchive per read: large enough that the per-call overhead vanishes.
constexpr std::size_t k_block_bytes = 1U << 20;
} // namespace

ArchiveFeed::ArchiveFeed(ImageStream& stream)
    : m_stream(stream), m_archive(archive_read_new()), m_buffer(k_block_bytes) {}

ArchiveFeed::~ArchiveFeed() {
  if (m_archive != nullptr) {
    archive_read_free(m_archive);
  }
}

std::expected<std::unique_ptr<ArchiveFeed>, ImageError> ArchiveFeed::open_tar(ImageStream& stream) {
  std::unique_ptr<ArchiveFeed> feed(new ArchiveFeed(stream));
  archive* a = feed->m_archive;
  if (a == nullptr) {
    return image_error(ImageErrorKind::io, "libarchive could not allocate a reader");
  }
  // ARCHIVE_WARN from a filter means "only through an external program": not in the agent.
  if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
      archive_read_support_filter_xz(a) != ARCHIVE_OK ||
      archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
      archive_read_support_format_tar(a) != ARCHIVE_OK) {
    return image_error(ImageErrorKind::unsupported,
                       "this libarchive lacks built-in gzip, xz or zstd support: {}",
                       archive_error_string(a) != nullptr ? archive_error_string(a) : "?");
  }
  if (archive_read_open(a, feed.get(), nullptr, &ArchiveFeed::read_callback, nullptr) !=
      ARCHIVE_OK) {
    if (auto stashed = feed->take_error()) {
      return std::unexpected(std::move(*stashed));
    }
    const char* message = archive_error_string(a);
    return image_error(ImageErrorKind::format,
                       "{}: not a tar archive (tar, tar.gz, tar.xz or tar.zst expected): {}",
                       stream.name(), message != nullptr ? message : "unknown error");
  }
  return feed;
}

la_ssize_t ArchiveFeed::read_callback(archive* a, void* self, const void** block) {
  auto* feed = static_cast<ArchiveFeed*>(self);
  auto got = feed->m_stream.read(feed->m_buffer);
  if (!got) {
    archive_set_error(a, EIO, "%s", got.error().message.c_str());
    feed->m_error = std::move(got.error());
    return -1;
  }
  feed->m_position.fetch_add(*got, std::memory_order_relaxed);
  *block = feed->m_buffer.data();
  return static_cast<la_ssize_t>(*got);
}

std::optional<ImageError> ArchiveFeed::take_error() {
  return std::exchange(m_error, std::nullopt);
}

std::expected<void, ImageError> ArchiveFeed::drain() {
  // libarchive may swallow a failed read after the end marker (the gzip reader probes for another
  // member and takes a failure as the end): the stream's own error wins.
  if (auto stashed = take_error()) {
    return std::unexpected(std::move(*stashed));
  }
  if (m_stream.at_end()) {
    return {};
  }
  while (true) {
    auto got = m_stream.read(m_buffer);
    if (!got) {
      return std::unexpected(std::move(got.error()));
    }
    if (*got == 0) {
      return {};
    }
    m_position.fetch_add(*got, std::memory_order_relaxed);
  }
}

} // namespace atelier::imager
