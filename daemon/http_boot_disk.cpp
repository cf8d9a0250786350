#include "daemon/http_boot_disk.h"

#include "base/file_io.h"
#include "base/process_runner.h"
#include "base/text.h"
#include "pxe/grub_config.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace atelier::daemon {

namespace {

constexpr std::uint64_t k_mib = 1024 * 1024;
// FAT's tables, directories and cluster rounding, with room to spare.
constexpr std::uint64_t k_slack = 1 * k_mib;
constexpr auto k_tool_timeout = std::chrono::seconds(30);

// A directory of our own under $TMPDIR, removed with everything in it when this goes.
class TemporaryDirectory {
public:
  static std::expected<TemporaryDirectory, std::string> create() {
    std::string pattern = (std::filesystem::temp_directory_path() / "atelier-http-disk-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      return std::unexpected(fmt::format("cannot create a temporary directory {}: {}", pattern,
                                         base::errno_text(errno)));
    }
    return TemporaryDirectory(pattern);
  }
  TemporaryDirectory(TemporaryDirectory&& other) noexcept : m_path(std::move(other.m_path)) {
    other.m_path.clear();
  }
  TemporaryDirectory& operator=(TemporaryDirectory&&) = delete;
  ~TemporaryDirectory() {
    if (!m_path.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(m_path, ignored);
    }
  }
  const std::filesystem::path& path() const { return m_path; }

private:
  explicit TemporaryDirectory(std::filesystem::path path) : m_path(std::move(path)) {}
  std::filesystem::path m_path;
};

std::expected<void, std::string> run_mtools(std::vector<std::string> argv) {
  // MTOOLS_SKIP_CHECK: mtools otherwise refuses a geometry that no floppy drive has.
  auto ran =
      base::run_checked(argv, {.timeout = k_tool_timeout, .environment = {"MTOOLS_SKIP_CHECK=1"}});
  if (!ran) {
    return std::unexpected(ran.error());
  }
  return {};
}

} // namespace

std::filesystem::path HttpBootDisk::path() const {
  return fmt::format("/proc/self/fd/{}", fd.get());
}

std::expected<HttpBootDisk, std::string>
make_http_boot_disk(const std::filesystem::path& bootenv_dir, std::string_view server) {
  const std::filesystem::path shim = bootenv_dir / pxe::k_shim_file;
  const std::filesystem::path grub = bootenv_dir / pxe::k_grub_file;
  std::uint64_t content = 0;
  for (const auto& file : {shim, grub}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error) {
      return std::unexpected(fmt::format("{}: {} (build the boot environment again with `atelier "
                                         "bootenv build --out {}`)",
                                         file.string(), error.message(), bootenv_dir.string()));
    }
    content += size;
  }
  auto dir = TemporaryDirectory::create();
  if (!dir) {
    return std::unexpected(dir.error());
  }
  const std::string config_file = dir->path() / "grub.cfg";
  const std::string image = dir->path() / "disk.img";
  if (auto written = base::write_file_atomically(config_file, pxe::grub_http_disk_config(server));
      !written) {
    return std::unexpected(written.error());
  }
  const std::uint64_t size = (content + k_slack + k_mib - 1) / k_mib * k_mib;
  if (base::UniqueFd created(::open(image.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
      created.get() < 0 || ::ftruncate(created.get(), static_cast<off_t>(size)) != 0) {
    return std::unexpected(fmt::format("{}: {}", image, base::errno_text(errno)));
  }
  const auto sectors = std::to_string(size / 512);
  // 64 heads × 32 sectors: 1 MiB cylinders, the geometry mformat expects for a size in MiB. No
  // partition table: the firmware's RAM disk takes a bare FAT volume (a "superfloppy").
  const std::vector<std::vector<std::string>> steps = {
      {"mformat", "-i", image, "-v", "ATELIER", "-T", sectors, "-h", "64", "-s", "32", "::"},
      {"mmd", "-i", image, "::/EFI", "::/EFI/BOOT", "::/grub"},
      {"mcopy", "-i", image, shim.string(), "::/EFI/BOOT/BOOTX64.EFI"},
      {"mcopy", "-i", image, grub.string(), "::/EFI/BOOT/" + std::string(pxe::k_grub_file)},
      {"mcopy", "-i", image, config_file, "::/grub/grub.cfg"},
  };
  for (const auto& step : steps) {
    if (auto ran = run_mtools(step); !ran) {
      return std::unexpected(fmt::format("cannot make the UEFI HTTP boot disk: {}", ran.error()));
    }
  }
  auto bytes = base::read_file(image);
  if (!bytes) {
    return std::unexpected(bytes.error());
  }
  auto fd = base::memory_file("atelier-uefi-http-disk", *bytes);
  if (!fd) {
    return std::unexpected(
        fmt::format("keeping the UEFI HTTP boot disk in memory: {}", fd.error()));
  }
  HttpBootDisk disk;
  disk.fd = std::move(*fd);
  disk.size = bytes->size();
  return disk;
}

} // namespace atelier::daemon
