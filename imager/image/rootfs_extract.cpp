#include "imager/image/rootfs_extract.h"

#include "base/text.h"
#include "base/unique_fd.h"
#include "imager/image/archive_feed.h"
#include "imager/image/image_util.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <thread>
#include <unistd.h>
#include <variant>
#include <vector>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using WriterPtr = std::unique_ptr<archive, decltype(&archive_write_free)>;

// libarchive's flags for restoring a root filesystem. Not SECURE_NOABSOLUTEPATHS: every path
// handed to libarchive is absolute because it was rewritten under the root here (absolute paths
// in the archive itself are refused before that). Not NO_OVERWRITE: libarchive then skips an
// existing file silently, so a duplicate entry would keep the first version without a word; tar's
// rule (the later entry wins) is kept and SECURE_SYMLINKS stops a later entry from replacing a
// directory by a symlink and writing through it. No user/group lookup is installed: owners are
// restored by the numeric ids of the archive, never by names looked up on the agent.
constexpr int k_extract_flags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
                                ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR |
                                ARCHIVE_EXTRACT_FFLAGS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                ARCHIVE_EXTRACT_SECURE_SYMLINKS;

// The reader copies data into recycled slabs (libarchive reuses its buffer after each call).
// Fixed slabs, not a vector per block: allocating and unmapping large blocks in a two-thread
// process costs page faults and TLB shootdowns that made the pipeline slower than no pipeline.
constexpr std::size_t k_slab_bytes = 256U << 10;
constexpr std::size_t k_slabs = 64; // 16 MiB in flight
using Slab = std::unique_ptr<std::byte[]>;
using SlabPool = BoundedQueue<Slab>;

// The reader's output, in archive order.
struct Header {
  EntryPtr entry;
};
struct Data {
  std::int64_t offset = 0;
  Slab owned;                       // pipelined: a copy, libarchive reuses its buffer
  std::span<const std::byte> bytes; // points into `owned` or, unpipelined, libarchive's buffer
};
struct End {};
using Item = std::variant<Header, Data, End>;

// Validates an archive path and returns it relative to the root ("" for the root itself), with
// "." components and duplicate slashes removed. The reason when refused.
std::expected<std::string, std::string> relative_path(std::string_view path) {
  if (path.starts_with('/')) {
    return std::unexpected("absolute path refused (entries must be relative to the root)");
  }
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    const auto part = path.substr(start, end - start);
    if (part == "..") {
      return std::unexpected("'..' in the path refused (it could leave the root)");
    }
    if (!part.empty() && part != ".") {
      if (!out.empty()) {
        out += '/';
      }
      out += part;
    }
    start = end + 1;
  }
  return out;
}

bool is_truncation(std::string_view message) {
  return message.find("runcated") != std::string_view::npos ||
         message.find("Premature end") != std::string_view::npos ||
         message.find("nexpected EOF") != std::string_view::npos ||
         message.find("end of file") != std::string_view::npos;
}

// The writer side: validates, rewrites under the root and restores each entry.
class Restorer {
public:
  Restorer(std::string root, const ImageStream& stream, const ExtractOptions& options)
      : m_root(std::move(root)), m_stream(stream), m_options(options),
        m_disk(archive_write_disk_new(), &archive_write_free) {}

  std::expected<void, ImageError> init() {
    if (!m_disk || archive_write_disk_set_options(m_disk.get(), k_extract_flags) != ARCHIVE_OK) {
      return image_error(ImageErrorKind::io, "libarchive could not create a disk writer");
    }
    return refresh_free_space();
  }

  std::expected<void, ImageError> header(archive_entry* entry) {
    if (auto finished = finish_entry(); !finished) {
      return finished;
    }
    const char* raw = archive_entry_pathname(entry);
    m_current = raw != nullptr ? raw : "";
    if (raw == nullptr || *raw == '\0') {
      return refuse("an entry without a path (or one that cannot be decoded)");
    }
    auto rel = relative_path(m_current);
    if (!rel) {
      return refuse(rel.error());
    }
    const mode_t type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    if (rel->empty() && (type != AE_IFDIR || hardlink != nullptr)) {
      return refuse("the root of the archive must be a directory");
    }
    if (type == AE_IFCHR || type == AE_IFBLK) {
      if (!rel->starts_with("dev/")) {
        return refuse("device node outside /dev refused");
      }
    } else if (type == AE_IFSOCK) {
      return refuse("socket refused");
    }
    const std::string full = rel->empty() ? m_root : m_root + "/" + *rel;
    archive_entry_set_pathname(entry, full.c_str());
    if (hardlink != nullptr) {
      auto target = relative_path(hardlink);
      if (!target) {
        return refuse(fmt::format("hard link to '{}': {}", hardlink, target.error()));
      }
      if (target->empty()) {
        return refuse("hard link to the root directory refused");
      }
      const std::string full_target = m_root + "/" + *target;
      struct stat st {};
      if (archive_entry_size(entry) > 0 && ::lstat(full_target.c_str(), &st) == 0 &&
          S_ISLNK(st.st_mode)) {
        return refuse(fmt::format("hard link with data to the symbolic link '{}' refused (the data "
                                  "would be written where the link points)",
                                  hardlink));
      }
      archive_entry_set_hardlink(entry, full_target.c_str());
    } else if (type == AE_IFREG) {
      if (auto fits = check_space(archive_entry_size(entry)); !fits) {
        return fits;
      }
    }
    const int r = archive_write_header(m_disk.get(), entry);
    if (r != ARCHIVE_OK) {
      return libarchive_failure("cannot be created");
    }
    m_open = true;
    count(type, hardlink != nullptr);
    return {};
  }

  std::expected<void, ImageError> data(std::int64_t offset, std::span<const std::byte> bytes) {
    if (!m_open) {
      return {}; // data of an entry libarchive declined to write (e.g. a directory)
    }
    const auto written = archive_write_data_block(m_disk.get(), bytes.data(), bytes.size(), offset);
    if (written < 0) {
      return libarchive_failure("cannot be written");
    }
    m_stats.bytes += bytes.size();
    m_since_statvfs += bytes.size();
    return {};
  }

  // After the archive's end: finishes the last entry and applies the deferred directory metadata
  // (modes and times of directories are set last, so restrictive modes do not block extraction).
  std::expected<void, ImageError> close() {
    if (auto finished = finish_entry(); !finished) {
      return finished;
    }
    m_current = "(directory permissions and times, applied last)";
    if (archive_write_close(m_disk.get()) != ARCHIVE_OK) {
      return libarchive_failure("cannot be completed");
    }
    // Success means on the disk: a write-back error (a failing sector) shows up here, not after
    // the machine was declared ready.
    base::UniqueFd root(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid() || ::syncfs(root.get()) != 0) {
      return image_error(ImageErrorKind::io, "{}: flushing the extracted files failed: {}", m_root,
                         base::errno_text(errno));
    }
    return {};
  }

  ExtractStats& stats() { return m_stats; }
  const std::string& current() const { return m_current; }

private:
  std::expected<void, ImageError> finish_entry() {
    if (!m_open) {
      return {};
    }
    m_open = false;
    // A warning here is a lost owner, ACL, xattr (file capabilities!) or time: the installed
    // system would not be what the image says, so warnings are errors.
    if (archive_write_finish_entry(m_disk.get()) != ARCHIVE_OK) {
      return libarchive_failure("metadata cannot be restored");
    }
    return {};
  }

  void count(mode_t type, bool hardlink) {
    if (hardlink) {
      ++m_stats.hardlinks;
      return;
    }
    switch (type) {
    case AE_IFREG:
      ++m_stats.files;
      break;
    case AE_IFDIR:
      ++m_stats.directories;
      break;
    case AE_IFLNK:
      ++m_stats.symlinks;
      break;
    case AE_IFCHR:
    case AE_IFBLK:
      ++m_stats.device_nodes;
      break;
    case AE_IFIFO:
      ++m_stats.fifos;
      break;
    default:
      break;
    }
  }

  std::expected<void, ImageError> refresh_free_space() {
    struct statvfs vfs {};
    if (::statvfs(m_root.c_str(), &vfs) != 0) {
      return image_error(ImageErrorKind::io, "{}: cannot read the free space: {}", m_root,
                         base::errno_text(errno));
    }
    // f_bavail leaves the blocks reserved for root alone: the installed system needs them.
    const std::uint64_t free = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    m_free = free > m_options.reserve_bytes ? free - m_options.reserve_bytes : 0;
    m_since_statvfs = 0;
    return {};
  }

  // The entry's size is its apparent size: a sparse file larger than the free space is refused
  // too (a 1 TiB "sparse" file is either a bomb or a file no copy of this system could hold).
  // statvfs is asked again only when the estimate says the entry might not fit.
  std::expected<void, ImageError> check_space(la_int64_t size) {
    const auto need = static_cast<std::uint64_t>(std::max<la_int64_t>(size, 0));
    const std::uint64_t estimate = m_free > m_since_statvfs ? m_free - m_since_statvfs : 0;
    if (need <= estimate / 2) {
      return {};
    }
    if (auto ok = refresh_free_space(); !ok) {
      return ok;
    }
    if (need > m_free) {
      return image_error(ImageErrorKind::no_space,
                         "{}: entry '{}' is {} bytes, more than the {} bytes free on {}{}: refused "
                         "before writing any of it",
                         m_stream.name(), m_current, need, m_free, m_root,
                         m_options.reserve_bytes > 0 ? " (after the reserve)" : "");
    }
    return {};
  }

  std::unexpected<ImageError> refuse(std::string_view why) {
    return image_error(ImageErrorKind::unsafe_entry, "{}: entry '{}': {}", m_stream.name(),
                       m_current, why);
  }

  std::unexpected<ImageError> libarchive_failure(std::string_view what) {
    const int err = archive_errno(m_disk.get());
    const char* message = archive_error_string(m_disk.get());
    const std::string text = message != nullptr ? message : "unknown error";
    ImageErrorKind kind = ImageErrorKind::io;
    if (err == ENOSPC || err == EDQUOT) {
      kind = ImageErrorKind::no_space;
    } else if (text.find("symlink") != std::string::npos ||
               text.find("absolute") != std::string::npos ||
               text.find("'..'") != std::string::npos) {
      kind = ImageErrorKind::unsafe_entry; // libarchive's own secure-extraction checks
    }
    return image_error(kind, "{}: entry '{}' {} under {}: {}", m_stream.name(), m_current, what,
                       m_root, text);
  }

  std::string m_root;
  const ImageStream& m_stream;
  const ExtractOptions& m_options;
  WriterPtr m_disk;
  std::string m_current;
  bool m_open = false;
  ExtractStats m_stats;
  std::uint64_t m_free = 0;
  std::uint64_t m_since_statvfs = 0;
};

// The reader side: parses the archive and hands out items; `emit` returns false to stop.
template <typename Emit>
std::expected<void, ImageError> read_archive(ArchiveFeed& feed, SlabPool* slabs, Emit&& emit) {
  archive* a = feed.get();
  std::string last = "(none: the archive is empty or not an archive)";
  const auto failure = [&](std::string_view where) -> std::unexpected<ImageError> {
    if (auto stashed = feed.take_error()) {
      stashed->message += fmt::format(" (last entry read: '{}')", last);
      return std::unexpected(std::move(*stashed));
    }
    const char* message = archive_error_string(a);
    const std::string text = message != nullptr ? message : "unknown error";
    return image_error(is_truncation(text) ? ImageErrorKind::truncated : ImageErrorKind::format,
                       "{}: {} (last entry read: '{}', {} bytes into the source): {}",
                       feed.stream().name(), where, last, feed.position(), text);
  };
  while (true) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) {
      break;
    }
    if (r != ARCHIVE_OK) {
      // ARCHIVE_WARN included: libarchive warns about a damaged header it skipped, or a name it
      // could not decode (it would then have no name at all).
      return failure("the header after the last entry read cannot be read");
    }
    const char* name = archive_entry_pathname(entry);
    last = name != nullptr ? name : "?";
    if (!emit(Item{Header{EntryPtr(archive_entry_clone(entry), &archive_entry_free)}})) {
      return {};
    }
    while (true) {
      const void* block = nullptr;
      std::size_t size = 0;
      la_int64_t offset = 0;
      const int d = archive_read_data_block(a, &block, &size, &offset);
      if (d == ARCHIVE_EOF) {
        break;
      }
      if (d != ARCHIVE_OK) {
        return failure("the data of an entry cannot be read");
      }
      const auto* bytes = static_cast<const std::byte*>(block);
      if (slabs == nullptr) {
        if (!emit(Item{Data{offset, nullptr, {bytes, size}}})) {
          return {};
        }
        continue;
      }
      for (std::size_t done = 0; done < size;) {
        auto slab = slabs->pop();
        if (!slab) {
          return {}; // the writer stopped
        }
        const std::size_t n = std::min(k_slab_bytes, size - done);
        std::memcpy(slab->get(), bytes + done, n);
        Data item{offset + static_cast<std::int64_t>(done), std::move(*slab), {}};
        item.bytes = {item.owned.get(), n};
        if (!emit(Item{std::move(item)})) {
          return {};
        }
        done += n;
      }
    }
  }
  // After the end marker: the rest of the file (tar's zero padding) belongs to the checksum.
  if (auto drained = feed.drain(); !drained) {
    return std::unexpected(std::move(drained.error()));
  }
  emit(Item{End{}});
  return {};
}

std::expected<void, ImageError> apply(Restorer& restorer, Item& item) {
  if (auto* h = std::get_if<Header>(&item)) {
    return restorer.header(h->entry.get());
  }
  if (auto* d = std::get_if<Data>(&item)) {
    return restorer.data(d->offset, d->bytes);
  }
  return restorer.close();
}

} // namespace

std::expected<ExtractStats, ImageError> extract_rootfs(ImageStream& stream,
                                                       const std::filesystem::path& target_root,
                                                       const ExtractOptions& options) {
  const ScopedUtf8Ctype utf8; // before libarchive is first used on this thread
  TransferProgress meter(options.progress, "extract", options.device, *options.clock);
  std::error_code ec;
  // Canonical: libarchive's symlink check looks at every component of the absolute paths it is
  // given, so the root's own components must not be symlinks (and "." or ".." must not hide "/").
  const auto root = std::filesystem::canonical(target_root, ec);
  if (ec || !std::filesystem::is_directory(root, ec)) {
    return image_error(ImageErrorKind::invalid_argument,
                       "{}: the extraction target is not an existing directory",
                       target_root.string());
  }
  if (root == root.root_path()) {
    return image_error(ImageErrorKind::invalid_argument,
                       "{}: refusing to extract an image over the running system's /",
                       target_root.string());
  }
  auto feed = ArchiveFeed::open_tar(stream);
  if (!feed) {
    return std::unexpected(std::move(feed.error()));
  }
  Restorer restorer(root.string(), stream, options);
  if (auto ok = restorer.init(); !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  const std::uint64_t total = stream.total_size().value_or(0);
  const auto report = [&] {
    meter.update((*feed)->position(), total, restorer.current());
  };

  if (!options.pipelined) {
    std::optional<ImageError> failed;
    auto read = read_archive(**feed, nullptr, [&](Item item) {
      if (auto ok = apply(restorer, item); !ok) {
        failed = std::move(ok.error());
        return false;
      }
      report();
      return true;
    });
    if (failed) {
      return std::unexpected(std::move(*failed));
    }
    if (!read) {
      return std::unexpected(std::move(read.error()));
    }
  } else {
    // Items cost 1; the slabs bound the bytes in flight, this bounds the headers.
    BoundedQueue<Item> queue(4096);
    SlabPool slabs(k_slabs);
    for (std::size_t i = 0; i < k_slabs; ++i) {
      slabs.push(std::make_unique_for_overwrite<std::byte[]>(k_slab_bytes), 1);
    }
    std::optional<ImageError> read_error;
    std::thread reader([&] {
      const ScopedUtf8Ctype reader_utf8;
      auto read =
          read_archive(**feed, &slabs, [&](Item item) { return queue.push(std::move(item), 1); });
      if (!read) {
        read_error = std::move(read.error());
      }
      queue.close();
    });
    std::optional<ImageError> write_error;
    bool ended = false;
    while (auto item = queue.pop()) {
      ended = std::holds_alternative<End>(*item);
      if (auto ok = apply(restorer, *item); !ok) {
        write_error = std::move(ok.error());
        queue.close(); // the reader's next push fails and it stops
        slabs.close();
        break;
      }
      if (auto* data = std::get_if<Data>(&*item); data != nullptr && data->owned) {
        slabs.push(std::move(data->owned), 1);
      }
      report();
    }
    reader.join();
    if (write_error) {
      return std::unexpected(std::move(*write_error));
    }
    if (read_error) {
      return std::unexpected(std::move(*read_error));
    }
    if (!ended) {
      return image_error(ImageErrorKind::io, "{}: the archive reader stopped early", stream.name());
    }
  }
  if (!stream.at_end()) {
    // Defence in depth: success is only ever reported for a stream read to a verified end.
    return image_error(ImageErrorKind::io, "{}: the archive ended before the stream did",
                       stream.name());
  }
  auto& stats = restorer.stats();
  stats.source_bytes = stream.bytes_read();
  stats.sha256 = stream.sha256_hex();
  stats.duration_seconds = meter.elapsed_seconds();
  meter.finish(stats.source_bytes, total,
               fmt::format("{} files, {} directories", stats.files, stats.directories));
  return stats;
}

} // namespace atelier::imager
