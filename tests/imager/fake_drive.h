// A fake ATA or NVMe drive for the purge tests: it answers IDENTIFY from a real capture (patched to
// its current state), keeps SECURITY and SANITIZE state as ACS-3 describes, erases a sparse fake
// media, and can be told to be frozen, locked, slow (erases take simulated time on a FakeClock) or
// failing (a given command aborts). Every command is logged for assertions.
#pragma once

#include "imager/purge/ata_commands.h"
#include "imager/purge/nvme_commands.h"
#include "imager/purge/purge_device.h"
#include "purge_fixtures.h"
#include "support/fake_clock.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace atelier::imager::test {

using namespace std::chrono_literals;

// Purge tests time with the one FakeClock: sleeps and simulated erases move it, starting at
// 2026-11-23T10:00:00Z.
using FakeClock = atelier::testing::FakeClock;

// Sparse media: written sectors plus a background that stands for every other sector.
class FakeMedia final : public SectorWriter {
public:
  enum class Background { old_data, zeros, pattern, scrambled };
  FakeMedia(std::uint64_t sectors, std::uint32_t sector_bytes)
      : m_sectors(sectors), m_sector_bytes(sector_bytes) {}

  std::uint64_t size_bytes() const override { return m_sectors * m_sector_bytes; }
  std::uint32_t sector_bytes() const override { return m_sector_bytes; }
  std::expected<void, std::string> read_at(std::uint64_t offset,
                                           std::span<std::uint8_t> out) override {
    for (std::size_t done = 0; done < out.size(); done += m_sector_bytes) {
      const std::uint64_t sector = (offset + done) / m_sector_bytes;
      if (sector >= m_sectors) {
        return std::unexpected("read past the end");
      }
      fill(sector, out.subspan(done, m_sector_bytes));
    }
    return {};
  }
  std::expected<void, std::string> write_at(std::uint64_t offset,
                                            std::span<const std::uint8_t> data) override {
    if (read_only) {
      return std::unexpected("write: Read-only file system (EROFS)");
    }
    if (ignores_writes) {
      return {}; // acknowledged, never stored
    }
    for (std::size_t done = 0; done < data.size(); done += m_sector_bytes) {
      const auto part = data.subspan(done, m_sector_bytes);
      m_written[(offset + done) / m_sector_bytes].assign(part.begin(), part.end());
    }
    return {};
  }
  std::expected<void, std::string> flush() override { return {}; }

  void erase_to(Background b, std::uint8_t pattern_byte = 0) {
    m_written.clear();
    background = b;
    m_pattern = pattern_byte;
    ++m_generation;
  }

  Background background = Background::old_data;
  bool read_only = false;
  bool ignores_writes = false; // writes succeed but nothing changes (a disk that drops them)

private:
  void fill(std::uint64_t sector, std::span<std::uint8_t> out) const {
    if (auto it = m_written.find(sector); it != m_written.end()) {
      std::copy(it->second.begin(), it->second.end(), out.begin());
      return;
    }
    std::uint64_t x = sector * 0x9E3779B97F4A7C15ULL + m_generation + 1;
    for (auto& b : out) {
      switch (background) {
      case Background::zeros:
        b = 0;
        break;
      case Background::pattern:
        b = m_pattern;
        break;
      case Background::old_data:
      case Background::scrambled:
        x ^= x << 13U;
        x ^= x >> 7U;
        x ^= x << 17U;
        b = static_cast<std::uint8_t>(x);
        break;
      }
    }
  }

  std::uint64_t m_sectors;
  std::uint32_t m_sector_bytes;
  std::map<std::uint64_t, std::vector<std::uint8_t>> m_written;
  std::uint64_t m_generation = 0;
  std::uint8_t m_pattern = 0;
};

class FakeDrive final : public FirmwareEraseDevice {
public:
  enum class Type { ata_ssd, ata_hdd, nvme };
  static constexpr std::uint64_t k_sectors =
      1U << 21U; // 1 GiB of 512-byte sectors (NVMe: 4096-byte blocks)

  FakeDrive(FakeClock& clock, Type type)
      : disk(type == Type::nvme ? k_sectors / 8 : k_sectors, type == Type::nvme ? 4096 : 512),
        m_clock(clock), m_type(type) {
    native_sectors = visible_sectors = factory_sectors = k_sectors;
  }

  // --- knobs ---------------------------------------------------------------------------------
  std::string bus_name = "sata";
  PassThrough transport() const {
    return m_type == Type::nvme ? PassThrough::nvme : PassThrough::ata;
  }
  // ATA security
  bool security_supported = true, enhanced_supported = true, frozen = false, locked = false,
       enabled = false;
  bool count_expired = false;
  std::string password;
  std::uint16_t normal_estimate_word = 0x0002, enhanced_estimate_word = 0x0004; // 4 and 8 minutes
  std::chrono::milliseconds erase_duration = 3min;
  bool lock_after_failed_erase = false;
  // ATA sanitize
  bool sanitize_supported = false, sanitize_crypto = false, sanitize_block = false,
       sanitize_overwrite = false;
  bool sanitize_frozen = false;
  std::chrono::milliseconds sanitize_duration = 2min;
  bool crypto_changes_nothing =
      false; // a drive that claims a crypto erase but keeps the data readable
  // Hidden areas (sectors)
  std::uint64_t visible_sectors, native_sectors, factory_sectors;
  bool dco_supported = true;
  bool hpa_set_nonvolatile = false;
  // NVMe
  std::uint32_t sanicap = 0x3; // crypto + block
  std::uint8_t fna = 0x04;     // crypto erase in Format NVM
  std::optional<std::uint32_t> crypto_estimate_s, block_estimate_s;
  std::chrono::milliseconds format_duration = 20s;
  // Failures: commands (by ata_command_name / nvme_command_name) that abort.
  std::set<std::string> failing;

  // --- observations ---------------------------------------------------------------------------
  std::vector<std::string> log;
  std::map<std::string, std::chrono::milliseconds> timeouts;
  bool last_erase_enhanced = false;
  int rescans = 0;
  FakeMedia disk; // the media the erase commands act on; also the SectorWriter of the tests

  std::size_t count(const std::string& command) const {
    return static_cast<std::size_t>(std::count(log.begin(), log.end(), command));
  }

  // --- FirmwareEraseDevice -------------------------------------------------------------------
  const std::string& path() const override { return m_path; }
  PassThrough pass_through() const override { return transport(); }
  std::string kind() const override { return m_type == Type::nvme ? "NVMe namespace" : "ATA disk"; }
  std::string bus() const override { return m_type == Type::nvme ? "nvme" : bus_name; }
  std::string media() const override {
    return m_type == Type::nvme      ? "nvme"
           : bus_name == "usb"       ? "usb"
           : m_type == Type::ata_ssd ? "ssd"
                                     : "hdd";
  }
  std::uint32_t nvme_namespace() const override { return m_type == Type::nvme ? 1 : 0; }
  std::expected<void, std::string> rescan_capacity() override {
    ++rescans;
    return {};
  }

  std::expected<AtaRegisters, DeviceError> ata(const AtaCommand& c, std::span<std::uint8_t> data,
                                               std::chrono::milliseconds timeout) override {
    const std::string name = ata_command_name(c);
    log.push_back(name);
    timeouts[name] = timeout;
    const bool after_read_native = m_read_native;
    m_read_native = false;
    if (m_type == Type::nvme) {
      return std::unexpected(DeviceError{"no ATA pass-through", false, true, {}, {}});
    }
    if (failing.contains(name)) {
      if (c.command == 0xF4) {
        m_clock.advance(erase_duration / 2);
        locked = lock_after_failed_erase;
      }
      return abort();
    }
    update_sanitize();
    switch (c.command) {
    case 0xEC: {
      const auto id = identify();
      std::copy(id.begin(), id.end(), data.begin());
      return AtaRegisters{0, 0x50, 0x40, 0, 0, false};
    }
    case 0xF1:
      if (!security_supported || frozen || locked) {
        return abort();
      }
      password = password_in(data);
      enabled = true;
      return ok();
    case 0xF2:
      if (!locked) {
        return ok();
      }
      if (password_in(data) != password) {
        return wrong_password();
      }
      locked = false;
      return ok();
    case 0xF3:
      if (frozen || !enabled) {
        return abort();
      }
      m_prepared = true;
      return ok();
    case 0xF4: {
      const bool enhanced = (data[0] & 0x02U) != 0;
      if (!std::exchange(m_prepared, false) || frozen || !enabled ||
          (enhanced && !enhanced_supported)) {
        return abort();
      }
      if (password_in(data) != password) {
        return wrong_password();
      }
      if (erase_duration > timeout) {
        m_clock.advance(timeout);
        return std::unexpected(DeviceError{"SECURITY ERASE UNIT: timed out", true, false, {}, {}});
      }
      m_clock.advance(erase_duration);
      disk.erase_to(FakeMedia::Background::zeros);
      last_erase_enhanced = enhanced;
      enabled = false;
      password.clear();
      return ok();
    }
    case 0xF6:
      if (locked || !enabled) {
        return abort();
      }
      if (password_in(data) != password) {
        return wrong_password();
      }
      enabled = false;
      password.clear();
      return ok();
    case 0xB4:
      return sanitize(c);
    case 0x27:
    case 0xF8: {
      m_read_native = true;
      AtaRegisters r{0, 0x50, 0x40, 0, native_sectors - 1, false};
      if (c.command == 0xF8) {
        r.lba = (native_sectors - 1) & 0xFFFFFFU;
        r.device = static_cast<std::uint8_t>(0x40U | (((native_sectors - 1) >> 24U) & 0x0FU));
      }
      return r;
    }
    case 0x37:
      if (!after_read_native || c.lba + 1 > native_sectors) {
        return abort();
      }
      visible_sectors = c.lba + 1;
      hpa_set_nonvolatile = (c.count & 1U) != 0;
      return ok();
    case 0xB1:
      if (!dco_supported) {
        return abort();
      }
      if (c.feature == 0xC2) {
        std::fill(data.begin(), data.end(), 0);
        put(data, 0, 0x0002);
        put(data, 3, static_cast<std::uint16_t>((factory_sectors - 1) & 0xFFFFU));
        put(data, 4, static_cast<std::uint16_t>(((factory_sectors - 1) >> 16U) & 0xFFFFU));
        put(data, 5, static_cast<std::uint16_t>(((factory_sectors - 1) >> 32U) & 0xFFFFU));
        checksum(data);
        return ok();
      }
      if (c.feature == 0xC0) {
        if (visible_sectors < native_sectors) {
          return abort(); // DCO RESTORE is refused while an HPA is set
        }
        native_sectors = visible_sectors = factory_sectors;
        return ok();
      }
      return abort();
    default:
      return abort();
    }
  }

  std::expected<std::uint32_t, DeviceError> nvme_admin(const NvmeAdminCommand& c,
                                                       std::span<std::uint8_t> data,
                                                       std::chrono::milliseconds timeout) override {
    const std::string name = nvme_command_name(c);
    log.push_back(name);
    timeouts[name] = timeout;
    if (m_type != Type::nvme) {
      return std::unexpected(DeviceError{"no NVMe pass-through", false, true, {}, {}});
    }
    if (failing.contains(name)) {
      return std::unexpected(
          DeviceError{name + ": the drive refused it", false, false, {}, 0x0006});
    }
    update_sanitize();
    switch (c.opcode) {
    case 0x06: {
      auto bytes = c.cdw10 == 1 ? controller() : namespace_data();
      std::copy(bytes.begin(), bytes.end(), data.begin());
      return 0U;
    }
    case 0x02: {
      std::fill(data.begin(), data.end(), 0);
      const auto progress =
          static_cast<std::uint16_t>(m_sanitizing ? sanitize_fraction() * 65535.0 : 0xFFFF);
      put_le(data, 0, progress, 2);
      put_le(data, 2, m_sanitize_state | (m_sanitize_state == 1 ? 0x100U : 0U), 2);
      put_le(data, 4, m_sanitize_cdw10, 4);
      put_le(data, 8, 0xFFFFFFFFU, 4);
      put_le(data, 12, block_estimate_s.value_or(0xFFFFFFFFU), 4);
      put_le(data, 16, crypto_estimate_s.value_or(0xFFFFFFFFU), 4);
      return 0U;
    }
    case 0x84: {
      const unsigned action = c.cdw10 & 0x7U;
      const bool supported = (action == 4 && (sanicap & 1U)) || (action == 2 && (sanicap & 2U)) ||
                             (action == 3 && (sanicap & 4U));
      if (!supported || m_sanitizing) {
        return std::unexpected(DeviceError{name + ": refused", false, false, {}, 0x0002});
      }
      start_sanitize(c.cdw10);
      m_sanitize_state = 2;
      return 0U;
    }
    case 0x80: {
      const unsigned ses = (c.cdw10 >> 9U) & 0x7U;
      if (ses == 2 && !(fna & 0x04U)) {
        return std::unexpected(DeviceError{name + ": refused", false, false, {}, 0x010A});
      }
      if (format_duration > timeout) {
        m_clock.advance(timeout);
        return std::unexpected(DeviceError{name + ": timed out", true, false, {}, {}});
      }
      m_clock.advance(format_duration);
      erase(ses == 2 ? 4 : 2);
      return 0U;
    }
    default:
      return std::unexpected(DeviceError{name + ": invalid opcode", false, false, {}, 0x0001});
    }
  }

private:
  static std::expected<AtaRegisters, DeviceError> ok() {
    return AtaRegisters{0, 0x50, 0x40, 0, 0, false};
  }
  static std::expected<AtaRegisters, DeviceError> abort(std::uint64_t lba = 0) {
    AtaRegisters r{0x04, 0x51, 0x40, 0, lba, false};
    return std::unexpected(DeviceError{"command aborted", false, false, r, {}});
  }
  std::expected<AtaRegisters, DeviceError> wrong_password() {
    if (++m_attempts >= 5) {
      count_expired = true;
    }
    return abort();
  }
  static std::string password_in(std::span<const std::uint8_t> data) {
    std::string p(reinterpret_cast<const char*>(data.data() + 2), 32);
    return p.substr(0, p.find('\0'));
  }
  static void put(std::span<std::uint8_t> d, std::size_t word, std::uint16_t v) {
    d[2 * word] = static_cast<std::uint8_t>(v & 0xFFU);
    d[2 * word + 1] = static_cast<std::uint8_t>(v >> 8U);
  }
  static void put_le(std::span<std::uint8_t> d, std::size_t offset, std::uint64_t v,
                     std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) {
      d[offset + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
  }
  static void checksum(std::span<std::uint8_t> d) {
    d[510] = 0xA5;
    unsigned sum = 0;
    for (std::size_t i = 0; i < 511; ++i) {
      sum += d[i];
    }
    d[511] = static_cast<std::uint8_t>((256U - (sum & 0xFFU)) & 0xFFU);
  }

  std::vector<std::uint8_t> identify() const {
    auto d = load_purge_fixture(m_type == Type::ata_hdd ? "seagate_st3160023as.ata.txt"
                                                        : "samsung_870_qvo_4tb.ata.txt");
    const std::span<std::uint8_t> s(d);
    put(s, 59,
        static_cast<std::uint16_t>(
            0x0101U | (sanitize_supported ? 0x1000U : 0U) | (sanitize_crypto ? 0x2000U : 0U) |
            (sanitize_overwrite ? 0x4000U : 0U) | (sanitize_block ? 0x8000U : 0U)));
    put(s, 60,
        static_cast<std::uint16_t>(std::min<std::uint64_t>(visible_sectors, 0x0FFFFFFF) & 0xFFFFU));
    put(s, 61,
        static_cast<std::uint16_t>(std::min<std::uint64_t>(visible_sectors, 0x0FFFFFFF) >> 16U));
    for (std::size_t i = 0; i < 4; ++i) {
      put(s, 100 + i, static_cast<std::uint16_t>((visible_sectors >> (16 * i)) & 0xFFFFU));
    }
    std::uint16_t w83 = static_cast<std::uint16_t>(d[166] | (d[167] << 8U));
    w83 = static_cast<std::uint16_t>(dco_supported ? (w83 | 0x0800U) : (w83 & ~0x0800U));
    put(s, 83, w83);
    std::uint16_t w82 = static_cast<std::uint16_t>(d[164] | (d[165] << 8U));
    w82 = static_cast<std::uint16_t>(security_supported ? (w82 | 0x0002U) : (w82 & ~0x0002U));
    put(s, 82, w82);
    put(s, 89, normal_estimate_word);
    put(s, 90, enhanced_estimate_word);
    put(s, 128,
        static_cast<std::uint16_t>((security_supported ? 0x01U : 0U) | (enabled ? 0x02U : 0U) |
                                   (locked ? 0x04U : 0U) | (frozen ? 0x08U : 0U) |
                                   (count_expired ? 0x10U : 0U) |
                                   (enhanced_supported ? 0x20U : 0U)));
    put(s, 217, m_type == Type::ata_ssd ? 0x0001 : 7200);
    checksum(s);
    return d;
  }

  std::vector<std::uint8_t> controller() const {
    auto d = load_purge_fixture("samsung_pm1733.id-ctrl.txt");
    put_le(d, 328, sanicap, 4);
    d[524] = fna;
    return d;
  }
  std::vector<std::uint8_t> namespace_data() const {
    auto d = load_purge_fixture("samsung_nvme.id-ns.txt");
    put_le(d, 0, k_sectors / 8, 8);
    put_le(d, 8, k_sectors / 8, 8);
    return d;
  }

  std::expected<AtaRegisters, DeviceError> sanitize(const AtaCommand& c) {
    if (c.feature == 0x0000) {
      AtaRegisters r{0, 0x50, 0x40, 0, 0, false};
      if (m_sanitizing) {
        r.count |= 0x4000U;
        r.lba = static_cast<std::uint64_t>(sanitize_fraction() * 65535.0);
      } else if (m_sanitize_state == 1) {
        r.count |= 0x8000U;
      }
      if (sanitize_frozen) {
        r.count |= 0x2000U;
      }
      return r;
    }
    const bool supported = sanitize_supported &&
                           ((c.feature == 0x11 && sanitize_crypto && c.lba == 0x43727970U) ||
                            (c.feature == 0x12 && sanitize_block && c.lba == 0x426B4572U) ||
                            (c.feature == 0x14 && sanitize_overwrite && (c.lba >> 32U) == 0x4F57U));
    if (!supported) {
      return abort(0x02);
    }
    if (sanitize_frozen) {
      return abort(0x03);
    }
    start_sanitize(c.feature == 0x11 ? 4U : c.feature == 0x12 ? 2U : 3U);
    return ok();
  }

  void start_sanitize(std::uint32_t cdw10) {
    m_sanitizing = true;
    m_sanitize_started = elapsed_ms();
    m_sanitize_cdw10 = cdw10;
  }
  double sanitize_fraction() const {
    return std::min(1.0,
                    static_cast<double>((elapsed_ms() - m_sanitize_started).count()) /
                        static_cast<double>(std::max<std::int64_t>(1, sanitize_duration.count())));
  }
  void update_sanitize() {
    if (m_sanitizing && elapsed_ms() - m_sanitize_started >= sanitize_duration) {
      m_sanitizing = false;
      m_sanitize_state = 1;
      erase(m_sanitize_cdw10 & 0x7U);
    }
  }
  void erase(std::uint32_t action) {
    if (action == 4) {
      if (!crypto_changes_nothing) {
        disk.erase_to(FakeMedia::Background::scrambled);
      }
    } else if (action == 3) {
      disk.erase_to(FakeMedia::Background::pattern, 0x00);
    } else {
      disk.erase_to(FakeMedia::Background::zeros);
    }
  }

  FakeClock& m_clock;
  Type m_type;
  std::string m_path = "/dev/fake0";
  bool m_prepared = false;
  bool m_read_native = false;
  int m_attempts = 0;
  bool m_sanitizing = false;
  std::chrono::milliseconds elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.elapsed());
  }
  std::chrono::milliseconds m_sanitize_started{0};
  std::uint32_t m_sanitize_cdw10 = 0;
  unsigned m_sanitize_state = 0; // NVMe SSTAT bits 2:0 / ATA: 1 = completed without error
};

} // namespace atelier::imager::test
