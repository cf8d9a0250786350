#include "imager/deploy/deploy.h"

#include "base/time_text.h"
#include "imager/deploy/bootloader.h"
#include "imager/deploy/chroot.h"
#include "imager/deploy/make_filesystems.h"
#include "imager/deploy/partition_layout.h"
#include "imager/deploy/partitioner.h"
#include "imager/deploy/tailor.h"
#include "imager/deploy/target_root.h"
#include "imager/disk/device_safety.h"
#include "imager/image/image_source.h"
#include "imager/image/raw_image.h"
#include "imager/image/rootfs_extract.h"
#include "imager/sys/mounts.h"
#include "profiles/size.h"

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <unistd.h>
#include <zstd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::imager {
namespace {

using Result = std::expected<std::string, std::string>; // a step's detail, or why it failed

double seconds_since(const base::Clock& clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(clock.monotonic() - start).count();
}

// Smallest root filesystem each mkfs accepts, with a little room for a system to start.
std::uint64_t filesystem_floor(profiles::Filesystem fs) {
  switch (fs) {
  case profiles::Filesystem::ext4:
    return 64 * k_mib;
  case profiles::Filesystem::xfs:
    return 300 * k_mib;
  case profiles::Filesystem::btrfs:
    return 256 * k_mib;
  }
  return 64 * k_mib;
}

class Deployer {
public:
  Deployer(const DeployOptions& options, base::ProcessRunner& runner)
      : m_opt(options), m_runner(runner) {}

  records::ImagingRecord run() {
    const auto start = m_opt.clock->monotonic();
    m_record.started_at = base::format_rfc3339(m_opt.clock->wall());
    m_record.device = m_opt.device;
    m_record.asset_tag = m_opt.asset_tag;
    if (m_opt.profile == nullptr) {
      fail("check", "no profile given");
    } else {
      m_record.profile = m_opt.profile->name;
      m_record.image_format = profiles::to_string(m_opt.profile->image.format);
      const bool ok = step("check", [&] { return check(); }) &&
                      (raw() ? step("write", [&] { return write_raw(); }) : deploy_rootfs());
      if (ok) {
        m_record.result = records::ImagingResult::imaged;
      } else if (m_disk_touched) {
        make_unbootable();
      }
    }
    m_record.finished_at = base::format_rfc3339(m_opt.clock->wall());
    m_record.duration_seconds = seconds_since(*m_opt.clock, start);
    return std::move(m_record);
  }

private:
  bool raw() const { return m_opt.profile->image.format == profiles::ImageFormat::raw_disk; }

  // Runs one step, timing it into the record; false (and the record's failure set) on error.
  bool step(const char* name, const std::function<Result()>& body) {
    emit(name, "");
    const auto start = m_opt.clock->monotonic();
    Result result = body();
    records::ImagingStep s{name, seconds_since(*m_opt.clock, start), result.has_value(),
                           result ? *result : result.error()};
    m_record.steps.push_back(s);
    if (!result) {
      fail(name, result.error());
      return false;
    }
    return true;
  }

  void fail(std::string step, std::string reason) {
    if (m_record.failed_step.empty()) {
      m_record.failed_step = std::move(step);
      m_record.failure_reason = std::move(reason);
    }
  }

  void emit(const std::string& operation, const std::string& detail) {
    if (m_opt.progress) {
      Progress p;
      p.operation = operation;
      p.device = m_opt.device;
      p.detail = detail;
      m_opt.progress(p);
    }
  }

  Result check() {
    const profiles::Profile& profile = *m_opt.profile;
    SafetyOptions safety;
    safety.in_boot_environment = m_opt.in_boot_environment;
    safety.confirm_serial = m_opt.confirm_serial;
    if (auto allowed = check_overwrite_allowed(m_opt.device, safety); !allowed) {
      return std::unexpected(allowed.error());
    }
    auto hostname = hostname_for(profile.tailoring.hostname, m_opt.asset_tag);
    if (!hostname) {
      return std::unexpected(hostname.error());
    }
    m_record.hostname = *hostname;
    auto geometry = probe_disk(m_opt.device);
    if (!geometry) {
      return std::unexpected(geometry.error());
    }
    m_record.disk_bytes = geometry->size_bytes;
    m_record.sector_size = geometry->logical_sector_size;
    if (geometry->size_bytes < profile.requirements.min_disk.bytes) {
      return std::unexpected(
          fmt::format("{}: the disk ({}) is smaller than the profile's requirements.min_disk ({})",
                      m_opt.device, profiles::format_size(geometry->size_bytes),
                      profiles::format_size(profile.requirements.min_disk)));
    }
    const std::string source = m_opt.image            ? *m_opt.image
                               : profile.image.is_url ? profile.image.source
                                                      : profile.image.path.string();
    m_record.image_source = source;
    ImageStreamOptions stream_options;
    stream_options.expected_sha256 = profile.image.sha256;
    stream_options.clock = m_opt.clock;
    // No progress sink on the stream: with the reader thread it would run concurrently with the
    // extract/write sink below (image_source.h); the extract and write steps report the progress.
    auto stream = open_image(source, stream_options);
    if (!stream) {
      return std::unexpected(stream.error().message);
    }
    m_stream = std::move(*stream);
    if (!profile.image.sha256) {
      m_record.notes.emplace_back("the profile gives no image.sha256: the image was not verified");
    }
    if (raw()) {
      return fmt::format("{} ({}), raw image {}", m_opt.device,
                         profiles::format_size(geometry->size_bytes), source);
    }
    auto firmware =
        choose_firmware(m_opt.firmware, profile.partitioning->scheme, m_opt.detected_firmware);
    if (!firmware) {
      return std::unexpected(firmware.error());
    }
    m_record.firmware = profiles::to_string(*firmware);
    LayoutRequest request;
    request.disk_bytes = geometry->size_bytes;
    request.sector_size = geometry->logical_sector_size;
    request.firmware = *firmware;
    request.swap_bytes = profile.partitioning->swap.bytes;
    request.min_root_bytes = min_root_bytes(
        m_opt.image || !profile.image.is_url ? zstd_content_size(source) : std::nullopt,
        profile.partitioning->filesystem);
    auto layout = plan_layout(request);
    if (!layout) {
      return std::unexpected(fmt::format("{}: {}", m_opt.device, layout.error()));
    }
    m_layout = std::move(*layout);
    m_record.partition_table = summary(m_layout);
    for (const auto& note : m_layout.notes) {
      m_record.notes.push_back(note);
    }
    for (const auto& p : m_layout.partitions) {
      records::RecordedPartition r;
      r.number = p.number;
      r.role = to_string(p.role);
      r.start_sector = p.start_sector;
      r.end_sector = p.end_sector;
      r.size_bytes = p.sectors() * m_layout.sector_size;
      m_record.partitions.push_back(r);
    }
    return fmt::format("{}: {}, for {}", m_opt.device, m_record.partition_table, m_record.firmware);
  }

  Result write_raw() {
    RawWriteOptions options;
    options.disk_known_zero = m_opt.wiped_zero;
    options.progress = m_opt.progress;
    options.clock = m_opt.clock;
    m_disk_touched = true;
    auto written = write_raw_image(*m_stream, m_opt.device, options);
    if (!written) {
      return std::unexpected(written.error().message);
    }
    m_record.image_sha256 = written->sha256;
    (void)m_runner.run({"partx", "-u", m_opt.device}, std::chrono::seconds(30));
    m_record.notes.emplace_back(
        "raw disk image: written as is, not tailored (hostname, fstab and accounts are the "
        "image's own) and no bootloader installed");
    return fmt::format("{} bytes written, {} zero bytes skipped", written->bytes_written,
                       written->bytes_skipped_zero);
  }

  bool deploy_rootfs() {
    std::vector<std::string> nodes;
    if (!step("partition", [&]() -> Result {
          m_disk_touched = true;
          auto applied = apply_layout(m_opt.device, m_layout, m_runner, *m_opt.clock);
          if (!applied) {
            return std::unexpected(applied.error());
          }
          nodes = std::move(*applied);
          for (std::size_t i = 0; i < nodes.size(); ++i) {
            m_record.partitions[i].device = nodes[i];
          }
          return m_record.partition_table;
        })) {
      return false;
    }
    if (!step("mkfs", [&] { return make_filesystems(nodes); })) {
      return false;
    }
    // Everything mounted lives in this scope, so it is undone before a failure zaps the disk.
    std::optional<PrivateDir> dir;
    std::optional<Mount> root_mount;
    std::optional<TargetRoot> target;
    std::optional<ChrootSession> chroot;
    const auto* root_part = m_layout.find(PartitionRole::root);
    const std::string root_node = nodes[static_cast<std::size_t>(root_part->number - 1)];
    if (!step("extract", [&]() -> Result {
          auto made = PrivateDir::create("atelier-deploy");
          if (!made) {
            return std::unexpected(made.error());
          }
          dir.emplace(std::move(*made));
          auto mounted =
              Mount::filesystem(root_node, dir->path(), std::string(to_string(m_root_fs)));
          if (!mounted) {
            return std::unexpected(mounted.error());
          }
          root_mount.emplace(std::move(*mounted));
          ExtractOptions options;
          options.progress = m_opt.progress;
          options.device = root_node;
          options.reserve_bytes = 16 * k_mib;
          options.clock = m_opt.clock;
          auto extracted = extract_rootfs(*m_stream, dir->path(), options);
          if (!extracted) {
            return std::unexpected(extracted.error().message);
          }
          m_record.image_sha256 = extracted->sha256;
          return fmt::format("{} files, {} directories, {} links, {} hard links, {} bytes",
                             extracted->files, extracted->directories, extracted->symlinks,
                             extracted->hardlinks, extracted->bytes);
        })) {
      return false;
    }
    if (!step("tailor", [&]() -> Result {
          auto opened = TargetRoot::open(dir->path());
          if (!opened) {
            return std::unexpected(opened.error());
          }
          target.emplace(std::move(*opened));
          ChrootDevices devices;
          devices.disk = m_opt.device;
          devices.partitions = nodes;
          for (const auto& p : m_record.partitions) {
            if (!p.uuid.empty()) {
              devices.by_uuid.emplace_back(p.uuid, p.device);
            }
          }
          auto session = ChrootSession::open(*target, devices, m_runner);
          if (!session) {
            return std::unexpected(session.error());
          }
          chroot.emplace(std::move(*session));
          auto report = tailor(*target, *chroot, m_runner, tailor_input());
          if (!report) {
            return std::unexpected(report.error());
          }
          for (auto& note : report->notes) {
            m_record.notes.push_back(std::move(note));
          }
          return fmt::format("wrote {}; removed {}", fmt::join(report->written, ", "),
                             report->removed.empty()
                                 ? "nothing"
                                 : fmt::format("{}", fmt::join(report->removed, ", ")));
        })) {
      return false;
    }
    if (m_opt.install_bootloader) {
      if (!step("bootloader", [&]() -> Result {
            BootloaderInput input;
            input.firmware = m_layout.firmware;
            input.disk = m_opt.device;
            input.root_uuid = uuid_of(PartitionRole::root);
            input.device_paths = nodes;
            input.device_paths.push_back(m_opt.device);
            if (const auto* esp = m_layout.find(PartitionRole::esp)) {
              input.esp_device = nodes[static_cast<std::size_t>(esp->number - 1)];
            }
            auto report = install_bootloader(*target, *chroot, m_runner, input);
            if (!report) {
              return std::unexpected(report.error());
            }
            for (auto& note : report->notes) {
              m_record.notes.push_back(std::move(note));
            }
            m_record.bootloader_installed = true;
            return m_layout.firmware == profiles::Firmware::uefi
                       ? std::string(
                             "GRUB x86_64-efi in \\EFI\\debian and \\EFI\\BOOT\\BOOTX64.EFI")
                       : fmt::format("GRUB i386-pc on {}", m_opt.device);
          })) {
        return false;
      }
    } else {
      m_record.notes.emplace_back(
          "--no-bootloader: GRUB was not installed, the disk does not boot by itself");
    }
    return step("finish", [&]() -> Result {
      if (auto closed = chroot->close(); !closed) {
        return std::unexpected(closed.error());
      }
      target.reset();
      ::sync();
      if (auto unmounted = root_mount->unmount(); !unmounted) {
        return std::unexpected(unmounted.error());
      }
      return std::string("unmounted");
    });
  }

  Result make_filesystems(const std::vector<std::string>& nodes) {
    m_root_fs = fs_kind(m_opt.profile->partitioning->filesystem);
    for (std::size_t i = 0; i < m_layout.partitions.size(); ++i) {
      const auto role = m_layout.partitions[i].role;
      if (role == PartitionRole::bios_boot) {
        continue;
      }
      FilesystemSpec spec;
      spec.device = nodes[i];
      spec.skip_discard = m_opt.wiped_zero;
      spec.kind = role == PartitionRole::esp    ? FsKind::vfat
                  : role == PartitionRole::swap ? FsKind::swap
                                                : m_root_fs;
      spec.label = std::string(role == PartitionRole::esp    ? k_esp_label
                               : role == PartitionRole::swap ? k_swap_label
                                                             : k_root_label);
      emit("mkfs", fmt::format("{} on {}", to_string(spec.kind), spec.device));
      if (auto made = make_filesystem(spec, m_runner); !made) {
        return std::unexpected(made.error());
      }
      auto id = read_block_id(spec.device, m_runner);
      if (!id) {
        return std::unexpected(id.error());
      }
      m_record.partitions[i].filesystem = std::string(to_string(spec.kind));
      m_record.partitions[i].uuid = id->uuid;
    }
    return fmt::format("root {} UUID={}", to_string(m_root_fs), uuid_of(PartitionRole::root));
  }

  std::string uuid_of(PartitionRole role) const {
    for (const auto& p : m_record.partitions) {
      if (p.role == to_string(role)) {
        return p.uuid;
      }
    }
    return "";
  }

  TailorInput tailor_input() const {
    TailorInput in;
    in.profile = m_opt.profile;
    in.asset_tag = m_opt.asset_tag;
    in.hostname = m_record.hostname;
    in.root_uuid = uuid_of(PartitionRole::root);
    in.root_fs = m_root_fs;
    in.esp_uuid = uuid_of(PartitionRole::esp);
    in.swap_uuid = uuid_of(PartitionRole::swap);
    in.imaged_at = m_opt.imaged_at.empty() ? m_record.started_at : m_opt.imaged_at;
    in.image_sha256 = m_record.image_sha256;
    in.support_contact = m_opt.support_contact;
    return in;
  }

  void make_unbootable() {
    emit("zap", "leaving the disk without a bootable system");
    auto zapped = zap_disk(m_opt.device, m_runner);
    m_record.disk_left_unbootable = zapped.has_value();
    m_record.notes.push_back(
        zapped ? fmt::format("after the failure, the partition table and the first and last MiB "
                             "of {} were zeroed: the disk does not boot",
                             m_opt.device)
               : "after the failure, the disk could not be zapped: " + zapped.error() +
                     " (wipe or re-image it before it leaves the workshop)");
  }

  const DeployOptions& m_opt;
  base::ProcessRunner& m_runner;
  records::ImagingRecord m_record;
  std::unique_ptr<ImageStream> m_stream;
  PartitionLayout m_layout;
  FsKind m_root_fs = FsKind::ext4;
  bool m_disk_touched = false;
};

} // namespace

std::uint64_t min_root_bytes(std::optional<std::uint64_t> uncompressed_bytes,
                             profiles::Filesystem fs) {
  const std::uint64_t floor = filesystem_floor(fs);
  if (!uncompressed_bytes) {
    return floor;
  }
  return std::max(floor, *uncompressed_bytes + *uncompressed_bytes / 10 + 256 * k_mib);
}

std::optional<std::uint64_t> zstd_content_size(const std::string& path) {
  if (path.starts_with("http://") || path.starts_with("https://")) {
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  char header[18] = {}; // ZSTD_FRAMEHEADERSIZE_MAX (only in the static-linking API)
  in.read(header, sizeof header);
  const auto got = static_cast<std::size_t>(in.gcount());
  const unsigned long long size = ZSTD_getFrameContentSize(header, got);
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(size);
}

records::ImagingRecord deploy(const DeployOptions& options, base::ProcessRunner& runner) {
  return Deployer(options, runner).run();
}

} // namespace atelier::imager
