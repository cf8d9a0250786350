#include "osbuild/zstd_file.h"

#include "base/text.h"
#include "base/unique_fd.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <vector>
#include <zstd.h>

#include <fmt/format.h>

namespace atelier::osbuild {

struct ZstdFileWriter::State {
  std::string path;
  base::UniqueFd fd;
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx{ZSTD_createCCtx(), &ZSTD_freeCCtx};
  std::vector<char> out = std::vector<char>(ZSTD_CStreamOutSize());
  base::Sha256 hash;
  std::uint64_t size = 0;
  std::uint64_t content = 0;
};

ZstdFileWriter::ZstdFileWriter(std::unique_ptr<State> state) : m_state(std::move(state)) {}
ZstdFileWriter::ZstdFileWriter(ZstdFileWriter&&) noexcept = default;
ZstdFileWriter& ZstdFileWriter::operator=(ZstdFileWriter&&) noexcept = default;
ZstdFileWriter::~ZstdFileWriter() = default;

std::expected<ZstdFileWriter, std::string> ZstdFileWriter::create(const std::filesystem::path& path,
                                                                  int level, int threads) {
  auto state = std::make_unique<State>();
  state->path = path.string();
  state->fd = base::UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!state->fd.valid()) {
    return std::unexpected(fmt::format("{}: {}", state->path, base::errno_text(errno)));
  }
  if (!state->cctx) {
    return std::unexpected("zstd: cannot create a compression context");
  }
  ZSTD_CCtx* c = state->cctx.get();
  for (const auto& [param, value] :
       {std::pair{ZSTD_c_compressionLevel, level}, std::pair{ZSTD_c_checksumFlag, 1},
        std::pair{ZSTD_c_nbWorkers, threads}}) {
    if (const size_t rc = ZSTD_CCtx_setParameter(c, param, value); ZSTD_isError(rc)) {
      // nbWorkers fails on a libzstd built without threads: single-threaded is still correct.
      if (param != ZSTD_c_nbWorkers) {
        return std::unexpected(fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
      }
    }
  }
  return ZstdFileWriter(std::move(state));
}

std::expected<void, std::string> ZstdFileWriter::compress(std::string_view data, bool end) {
  State& s = *m_state;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer out{s.out.data(), s.out.size(), 0};
    const size_t remaining = ZSTD_compressStream2(s.cctx.get(), &out, &in, mode);
    if (ZSTD_isError(remaining)) {
      return std::unexpected(fmt::format("zstd: {}", ZSTD_getErrorName(remaining)));
    }
    for (size_t done = 0; done < out.pos;) {
      const ssize_t n = ::write(s.fd.get(), s.out.data() + done, out.pos - done);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return std::unexpected(fmt::format("{}: {}", s.path, base::errno_text(errno)));
      }
      done += static_cast<size_t>(n);
    }
    s.hash.update(std::string_view(s.out.data(), out.pos));
    s.size += out.pos;
    const bool finished = end ? remaining == 0 : in.pos == in.size;
    if (finished) {
      return {};
    }
  }
}

std::expected<void, std::string> ZstdFileWriter::write(std::string_view data) {
  m_state->content += data.size();
  return compress(data, false);
}

std::expected<WrittenFile, std::string> ZstdFileWriter::finish() {
  if (auto r = compress({}, true); !r) {
    return std::unexpected(r.error());
  }
  if (::fsync(m_state->fd.get()) != 0) {
    return std::unexpected(fmt::format("{}: {}", m_state->path, base::errno_text(errno)));
  }
  m_state->fd.reset();
  return WrittenFile{m_state->hash.hex_digest(), m_state->size, m_state->content};
}

} // namespace atelier::osbuild
