#include "base/file_io.h"

#include "base/text.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

namespace atelier::base {

std::expected<std::string, std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(fmt::format("{}: cannot be read", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::expected<void, std::string> write_file_atomically(const std::string& path,
                                                       const std::string& bytes) {
  const std::string temp = path + ".tmp";
  std::error_code ec;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.flush();
    if (!out) {
      std::filesystem::remove(temp, ec);
      return std::unexpected(fmt::format("{}: cannot be written", path));
    }
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return std::unexpected(fmt::format("{}: {}", path, ec.message()));
  }
  return {};
}

std::expected<UniqueFd, std::string> memory_file(const std::string& name, std::string_view bytes) {
  UniqueFd fd(::memfd_create(name.c_str(), MFD_CLOEXEC));
  if (fd.get() < 0) {
    return std::unexpected(errno_text(errno));
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(errno_text(errno));
    }
    if (n == 0) {
      return std::unexpected(std::string("short write"));
    }
    written += static_cast<std::size_t>(n);
  }
  return fd;
}

} // namespace atelier::base
