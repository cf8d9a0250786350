// A zstd-compressed file written as a stream, with the SHA-256 and size of the compressed bytes
// computed on the way (what the profile's image.sha256 and the deploy verify).
#pragma once

#include "base/sha256.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace atelier::osbuild {

struct WrittenFile {
  std::string sha256; // of the file's bytes
  std::uint64_t size_bytes = 0;
  std::uint64_t content_bytes = 0; // what was compressed (the tar stream's size)
};

class ZstdFileWriter {
public:
  // Creates (truncates) `path`. threads > 0 compresses in that many worker threads; the output
  // is the same for any number of workers.
  static std::expected<ZstdFileWriter, std::string> create(const std::filesystem::path& path,
                                                           int level, int threads);
  ZstdFileWriter(ZstdFileWriter&&) noexcept;
  ZstdFileWriter& operator=(ZstdFileWriter&&) noexcept;
  ~ZstdFileWriter();

  std::expected<void, std::string> write(std::string_view data);
  // Ends the zstd frame, flushes and fsyncs the file. Nothing may be written afterwards.
  std::expected<WrittenFile, std::string> finish();

private:
  struct State;
  explicit ZstdFileWriter(std::unique_ptr<State>);
  std::expected<void, std::string> compress(std::string_view data, bool end);
  std::unique_ptr<State> m_state;
};

} // namespace atelier::osbuild
