#include "base/text.h"
#include "base/unique_fd.h"
#include "imager/image/http_fetch.h"
#include "imager/image/image_source.h"
#include "imager/image/image_util.h"
#include "profiles/profile.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {

std::string_view to_string(ImageErrorKind kind) {
  switch (kind) {
  case ImageErrorKind::invalid_argument:
    return "invalid_argument";
  case ImageErrorKind::not_found:
    return "not_found";
  case ImageErrorKind::io:
    return "io";
  case ImageErrorKind::network:
    return "network";
  case ImageErrorKind::http_status:
    return "http_status";
  case ImageErrorKind::source_changed:
    return "source_changed";
  case ImageErrorKind::checksum_mismatch:
    return "checksum_mismatch";
  case ImageErrorKind::format:
    return "format";
  case ImageErrorKind::truncated:
    return "truncated";
  case ImageErrorKind::unsafe_entry:
    return "unsafe_entry";
  case ImageErrorKind::no_space:
    return "no_space";
  case ImageErrorKind::unsupported:
    return "unsupported";
  }
  return "unknown";
}

namespace {

// A local image file, read sequentially.
class FileSource final : public ByteSource {
public:
  FileSource(base::UniqueFd fd, std::string name, std::uint64_t size)
      : m_fd(std::move(fd)), m_name(std::move(name)), m_size(size) {}

  std::expected<std::size_t, ImageError> read_some(std::span<std::byte> buffer) override {
    ssize_t got = -1;
    do {
      got = ::read(m_fd.get(), buffer.data(), buffer.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      return image_error(ImageErrorKind::io, "{}: read failed at byte {}: {}", m_name, m_offset,
                         base::errno_text(errno));
    }
    if (got == 0 && m_offset < m_size && !buffer.empty()) {
      return image_error(ImageErrorKind::truncated,
                         "{}: the file ended at byte {} although it had {} bytes when opened "
                         "(changed while being read?)",
                         m_name, m_offset, m_size);
    }
    m_offset += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }
  std::optional<std::uint64_t> size() const override { return m_size; }
  const std::string& name() const override { return m_name; }

private:
  base::UniqueFd m_fd;
  std::string m_name;
  std::uint64_t m_size = 0;
  std::uint64_t m_offset = 0;
};

std::expected<std::unique_ptr<ByteSource>, ImageError> open_file_source(const std::string& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    return image_error(err == ENOENT ? ImageErrorKind::not_found : ImageErrorKind::io,
                       "{}: cannot open the image: {}", path, base::errno_text(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return image_error(ImageErrorKind::io, "{}: cannot stat the image: {}", path,
                       base::errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return image_error(ImageErrorKind::invalid_argument, "{}: the image is not a regular file",
                       path);
  }
  // Read once, front to back: let the kernel read ahead generously.
  (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_unique<FileSource>(std::move(fd), path, static_cast<std::uint64_t>(st.st_size));
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string lower(std::string_view text) {
  return base::to_lower(text);
}

} // namespace

struct ImageStream::Impl {
  std::unique_ptr<ByteSource> source;
  ImageStreamOptions options;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> hash{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  std::uint64_t bytes_read = 0;
  bool at_end = false;
  std::string digest_hex;
  std::optional<ImageError> failed; // sticky: a stream that failed never reads again
  TransferProgress meter;

  Impl(std::unique_ptr<ByteSource> src, ImageStreamOptions opts)
      : source(std::move(src)), options(std::move(opts)),
        meter(options.progress, source->name().starts_with("http://") ? "download" : "read", "",
              *options.clock) {
    if (!hash || EVP_DigestInit_ex(hash.get(), EVP_sha256(), nullptr) != 1) {
      failed = ImageError{ImageErrorKind::io, "sha256: OpenSSL could not initialise a digest"};
    }
  }

  std::expected<std::size_t, ImageError> finish() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(hash.get(), digest, &length) != 1) {
      return fail({ImageErrorKind::io, "sha256: OpenSSL could not finish the digest"});
    }
    digest_hex.clear();
    for (unsigned int i = 0; i < length; ++i) {
      digest_hex += fmt::format("{:02x}", digest[i]);
    }
    meter.finish(bytes_read, source->size().value_or(bytes_read));
    if (options.expected_sha256 && *options.expected_sha256 != digest_hex) {
      return fail({ImageErrorKind::checksum_mismatch,
                   fmt::format("{}: sha256 mismatch: expected {}, the {} bytes read have {}",
                               source->name(), *options.expected_sha256, bytes_read, digest_hex)});
    }
    at_end = true; // only a verified end is an end
    return 0;
  }

  std::unexpected<ImageError> fail(ImageError error) {
    failed = error;
    return std::unexpected(std::move(error));
  }
};

ImageStream::ImageStream(std::unique_ptr<ByteSource> source, ImageStreamOptions options)
    : m_impl(std::make_unique<Impl>(std::move(source), std::move(options))) {}

ImageStream::~ImageStream() = default;

std::expected<std::size_t, ImageError> ImageStream::read(std::span<std::byte> buffer) {
  Impl& impl = *m_impl;
  if (impl.failed) {
    return std::unexpected(*impl.failed);
  }
  if (impl.at_end || buffer.empty()) {
    return 0;
  }
  auto got = impl.source->read_some(buffer);
  if (!got) {
    return impl.fail(std::move(got.error()));
  }
  if (*got == 0) {
    return impl.finish();
  }
  if (EVP_DigestUpdate(impl.hash.get(), buffer.data(), *got) != 1) {
    return impl.fail({ImageErrorKind::io, "sha256: OpenSSL could not update the digest"});
  }
  impl.bytes_read += *got;
  impl.meter.update(impl.bytes_read, impl.source->size().value_or(0));
  return got;
}

std::expected<std::uint64_t, ImageError> ImageStream::drain() {
  std::uint64_t skipped = 0;
  std::vector<std::byte> buffer(256 * 1024);
  while (true) {
    auto got = read(buffer);
    if (!got) {
      return std::unexpected(std::move(got.error()));
    }
    if (*got == 0) {
      return skipped;
    }
    skipped += *got;
  }
}

std::optional<std::uint64_t> ImageStream::total_size() const {
  return m_impl->source->size();
}
std::uint64_t ImageStream::bytes_read() const {
  return m_impl->bytes_read;
}
bool ImageStream::at_end() const {
  return m_impl->at_end;
}
const std::string& ImageStream::name() const {
  return m_impl->source->name();
}
std::string ImageStream::sha256_hex() const {
  return m_impl->digest_hex;
}
const std::optional<std::string>& ImageStream::expected_sha256() const {
  return m_impl->options.expected_sha256;
}

std::expected<std::unique_ptr<ImageStream>, ImageError> open_image(std::string_view path_or_url,
                                                                   ImageStreamOptions options) {
  if (options.expected_sha256) {
    if (!is_sha256_hex(*options.expected_sha256)) {
      return image_error(ImageErrorKind::invalid_argument,
                         "{}: the expected sha256 '{}' is not 64 hexadecimal digits", path_or_url,
                         *options.expected_sha256);
    }
    options.expected_sha256 = lower(*options.expected_sha256);
  }
  if (path_or_url.empty()) {
    return image_error(ImageErrorKind::invalid_argument, "no image path or URL given");
  }
  std::expected<std::unique_ptr<ByteSource>, ImageError> source;
  const auto scheme_end = path_or_url.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string scheme = lower(path_or_url.substr(0, scheme_end));
    if (scheme == "https") {
      return image_error(ImageErrorKind::unsupported,
                         "{}: https is not supported by the agent (it carries no TLS stack); serve "
                         "the image over http from atelierd, its sha256 guarantees its integrity",
                         path_or_url);
    }
    if (scheme != "http") {
      return image_error(ImageErrorKind::unsupported, "{}: unsupported URL scheme '{}'",
                         path_or_url, scheme);
    }
    source = open_http_source(path_or_url, options.http, options.log,
                              options.expected_sha256.has_value(), *options.clock);
  } else {
    source = open_file_source(std::string(path_or_url));
  }
  if (!source) {
    return std::unexpected(std::move(source.error()));
  }
  return std::make_unique<ImageStream>(std::move(*source), std::move(options));
}

std::expected<std::unique_ptr<ImageStream>, ImageError> open_image(const profiles::Image& image,
                                                                   ImageStreamOptions options) {
  options.expected_sha256 = image.sha256;
  return open_image(image.is_url ? image.source : image.path.string(), std::move(options));
}

} // namespace atelier::imager
