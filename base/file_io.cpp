#include "base/file_io.h"

#include <filesystem>
#include <fstream>
#include <sstream>

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

} // namespace atelier::base
