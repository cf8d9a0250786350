#include "imager/deploy/tailor.h"

#include "base/text.h"
#include "imager/deploy/first_boot.h"

#include <algorithm>
#include <chrono>
#include <crypt.h>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    lines.emplace_back(
        text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
    if (nl == std::string_view::npos) {
      break;
    }
    at = nl + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    out += line;
    out += '\n';
  }
  return out;
}

using base::trim;

// A TOML basic string.
std::string toml_string(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Groups the Debian installer gives its first user, kept when the image has them.
constexpr std::string_view k_desktop_groups[] = {"cdrom",  "floppy",  "sudo",    "audio",
                                                 "dip",    "video",   "plugdev", "users",
                                                 "netdev", "lpadmin", "scanner", "bluetooth"};

class Tailor {
public:
  Tailor(TargetRoot& root, ChrootSession& chroot, base::ProcessRunner& runner,
         const TailorInput& input)
      : m_root(root), m_chroot(chroot), m_runner(runner), m_in(input),
        m_tailoring(input.profile->tailoring) {}

  std::expected<TailorReport, std::string> run() {
    using Step = std::expected<void, std::string> (Tailor::*)();
    // Extra files before the account: files under /etc/skel reach the new home directory.
    for (Step step : {&Tailor::identity, &Tailor::fstab, &Tailor::machine_id, &Tailor::ssh_keys,
                      &Tailor::locale, &Tailor::keyboard, &Tailor::timezone, &Tailor::extra_files,
                      &Tailor::account, &Tailor::unit_file}) {
      if (auto done = (this->*step)(); !done) {
        return std::unexpected(done.error());
      }
    }
    return m_report;
  }

private:
  std::expected<void, std::string> write(std::string_view path, std::string_view content,
                                         unsigned mode = 0644) {
    if (auto done = m_root.write(path, content, mode); !done) {
      return done;
    }
    m_report.written.emplace_back(path);
    return {};
  }

  std::expected<void, std::string> identity() {
    if (auto done = write("/etc/hostname", m_in.hostname + "\n"); !done) {
      return done;
    }
    const auto hosts = m_root.read("/etc/hosts");
    return write("/etc/hosts",
                 render_hosts(hosts ? std::optional<std::string_view>(*hosts) : std::nullopt,
                              m_in.hostname));
  }

  std::expected<void, std::string> fstab() { return write("/etc/fstab", render_fstab(m_in)); }

  // An empty /etc/machine-id makes systemd generate a new one at first boot, so no two units share
  // the image's; D-Bus's copy follows it through Debian's usual symbolic link.
  std::expected<void, std::string> machine_id() {
    if (auto done = write("/etc/machine-id", "", 0444); !done) {
      return done;
    }
    if (auto done = m_root.remove("/var/lib/dbus/machine-id"); !done) {
      return done;
    }
    if (m_root.is_directory("/var/lib/dbus")) {
      if (auto done = m_root.symlink("/etc/machine-id", "/var/lib/dbus/machine-id"); !done) {
        return done;
      }
      m_report.written.emplace_back("/var/lib/dbus/machine-id");
    }
    return {};
  }

  // Host keys copied from the image would be shared by every unit; each unit makes its own at first
  // boot. Debian's sshd does not generate missing keys itself, so a oneshot unit runs ssh-keygen
  // -A.
  std::expected<void, std::string> ssh_keys() {
    for (const auto& name : m_root.list("/etc/ssh")) {
      if (name.starts_with("ssh_host_")) {
        const std::string path = "/etc/ssh/" + name;
        if (auto done = m_root.remove(path); !done) {
          return done;
        }
        m_report.removed.push_back(path);
      }
    }
    if (!m_root.exists("/usr/bin/ssh-keygen")) {
      m_report.notes.emplace_back("no ssh-keygen in the image: no SSH host key unit installed");
      return {};
    }
    const std::string unit = "/etc/systemd/system/atelier-ssh-host-keys.service";
    if (auto done = write(unit, ssh_host_keys_unit()); !done) {
      return done;
    }
    for (const std::string wants : {"multi-user.target.wants", "ssh.service.wants"}) {
      const std::string link = "/etc/systemd/system/" + wants + "/atelier-ssh-host-keys.service";
      if (auto done = m_root.symlink(unit, link); !done) {
        return done;
      }
      m_report.written.push_back(link);
    }
    return {};
  }

  std::expected<void, std::string> locale() {
    const std::string& locale = m_tailoring.locale;
    if (auto done = write("/etc/default/locale", "LANG=" + locale + "\n"); !done) {
      return done;
    }
    if (locale == "C.UTF-8") {
      return {};
    }
    const bool has_locale_gen = m_root.exists("/usr/sbin/locale-gen");
    const auto existing = m_root.read("/etc/locale.gen");
    if (existing || has_locale_gen) {
      if (auto done = write("/etc/locale.gen", render_locale_gen(existing.value_or(""), locale));
          !done) {
        return done;
      }
    }
    if (!has_locale_gen) {
      m_report.notes.push_back(fmt::format(
          "no locale-gen in the image (package locales): {} was not generated", locale));
      return {};
    }
    auto generated = m_chroot.check({"locale-gen"}, 15min);
    return generated ? std::expected<void, std::string>() : std::unexpected(generated.error());
  }

  std::expected<void, std::string> keyboard() {
    const auto existing = m_root.read("/etc/default/keyboard");
    return write(
        "/etc/default/keyboard",
        render_keyboard(existing ? std::optional<std::string_view>(*existing) : std::nullopt,
                        m_tailoring.keyboard, m_tailoring.keyboard_variant));
  }

  std::expected<void, std::string> timezone() {
    const std::string& tz = m_tailoring.timezone;
    if (auto done = write("/etc/timezone", tz + "\n"); !done) {
      return done;
    }
    const std::string zone_file = "/usr/share/zoneinfo/" + tz;
    if (!m_root.exists(zone_file)) {
      m_report.notes.push_back(
          fmt::format("{} is not in the image (package tzdata): the clock shows UTC", zone_file));
    }
    if (auto done = m_root.symlink(zone_file, "/etc/localtime"); !done) {
      return done;
    }
    m_report.written.emplace_back("/etc/localtime");
    return {};
  }

  std::expected<void, std::string> account() {
    const auto& account = m_tailoring.account;
    if (account.mode == profiles::AccountMode::oem) {
      auto setup = install_first_boot(m_root, m_tailoring);
      if (!setup) {
        return std::unexpected(setup.error());
      }
      m_report.written.insert(m_report.written.end(), setup->written.begin(), setup->written.end());
      m_report.notes.push_back(setup->note);
      return {};
    }
    auto hash = hash_password(account.password);
    if (!hash) {
      return std::unexpected(hash.error());
    }
    const auto passwd = m_root.read("/etc/passwd").value_or("");
    const bool exists = std::ranges::any_of(split_lines(passwd), [&](const std::string& line) {
      return line.starts_with(account.username + ":");
    });
    std::vector<std::string> argv;
    if (exists) {
      argv = {"usermod", "-p", *hash, account.username};
      m_report.notes.push_back(fmt::format(
          "account: {} already exists in the image; its password was reset", account.username));
    } else {
      const std::string shell = m_root.exists("/bin/bash") ? "/bin/bash" : "/bin/sh";
      argv = {"useradd", "-m", "-s", shell, "-p", *hash};
      std::string groups;
      const auto group_file = m_root.read("/etc/group").value_or("");
      for (const auto& line : split_lines(group_file)) {
        const auto name = line.substr(0, line.find(':'));
        if (std::ranges::find(k_desktop_groups, name) != std::end(k_desktop_groups)) {
          groups += (groups.empty() ? "" : ",") + name;
        }
      }
      if (!groups.empty()) {
        argv.insert(argv.end(), {"-G", groups});
      }
      argv.push_back(account.username);
    }
    if (auto done = shadow_tool(argv); !done) {
      return done;
    }
    // Expired at once: the household must choose its own password at the first login.
    if (auto done = shadow_tool({"chage", "-d", "0", account.username}); !done) {
      return done;
    }
    m_report.written.emplace_back("/etc/shadow");
    return {};
  }

  // The image's own shadow tool in the chroot, or the boot environment's with --root (which
  // chroots itself and reads the image's login.defs) when the image has none.
  std::expected<void, std::string> shadow_tool(std::vector<std::string> argv) {
    if (m_root.exists("/usr/sbin/" + argv.front()) || m_root.exists("/usr/bin/" + argv.front())) {
      auto done = m_chroot.check(argv, 2min);
      return done ? std::expected<void, std::string>() : std::unexpected(done.error());
    }
    argv.insert(argv.begin() + 1, {"--root", m_root.host_path().string()});
    auto result = m_runner.run(argv, 2min);
    if (!result) {
      return std::unexpected(
          fmt::format("{} (the image has none either; package passwd)", result.error()));
    }
    if (result->exit_code != 0 || result->timed_out) {
      return std::unexpected(fmt::format("{} --root failed (exit {}): {}", argv.front(),
                                         result->exit_code, last_output_line(*result)));
    }
    return {};
  }

  std::expected<void, std::string> extra_files() {
    for (const auto& file : m_tailoring.files) {
      std::string content;
      if (file.content) {
        content = *file.content;
      } else if (file.source) {
        std::ifstream in(*file.source, std::ios::binary);
        if (!in) {
          return std::unexpected(
              fmt::format("tailoring.files: {}: cannot read {}", file.path, file.source->string()));
        }
        content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      if (auto done = write(file.path, content, file.mode); !done) {
        return std::unexpected(fmt::format("tailoring.files: {}", done.error()));
      }
    }
    return {};
  }

  std::expected<void, std::string> unit_file() {
    return write("/etc/atelier/unit.toml", render_unit_file(m_in));
  }

  TargetRoot& m_root;
  ChrootSession& m_chroot;
  base::ProcessRunner& m_runner;
  const TailorInput& m_in;
  const profiles::Tailoring& m_tailoring;
  TailorReport m_report;
};

} // namespace

std::expected<std::string, std::string> hostname_for(std::string_view pattern,
                                                     std::string_view asset_tag) {
  const std::string tag = asset_tag.empty() ? "untagged" : std::string(asset_tag);
  const std::string name = profiles::expand_hostname(pattern, tag);
  const bool valid_chars = std::ranges::all_of(
      name, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
  if (name.empty() || name.size() > 63 || !valid_chars || name.front() == '-' ||
      name.back() == '-') {
    return std::unexpected(
        fmt::format("--tag {}: gives the hostname \"{}\", which is not a valid hostname "
                    "(a-z, 0-9 and '-', at most 63 characters)",
                    asset_tag, name));
  }
  return name;
}

std::string render_fstab(const TailorInput& in) {
  std::string out = fmt::format("# /etc/fstab: written by atelier-imager deploy (profile {}).\n"
                                "# Filesystems are named by UUID: disk names (sda, nvme0n1) differ "
                                "between machines and boots.\n"
                                "# <file system>                           <mount point> <type> "
                                "<options>          <dump> <pass>\n",
                                in.profile != nullptr ? in.profile->name : "");
  const bool ext4 = in.root_fs == FsKind::ext4;
  out += fmt::format("UUID={} / {} {} 0 {}\n", in.root_uuid, to_string(in.root_fs),
                     ext4 ? "errors=remount-ro" : "defaults", ext4 ? 1 : 0);
  if (!in.esp_uuid.empty()) {
    out += fmt::format("UUID={} /boot/efi vfat umask=0077 0 1\n", in.esp_uuid);
  }
  if (!in.swap_uuid.empty()) {
    out += fmt::format("UUID={} none swap sw 0 0\n", in.swap_uuid);
  }
  return out;
}

std::string render_hosts(std::optional<std::string_view> existing, std::string_view hostname) {
  const std::string entry = fmt::format("127.0.1.1\t{}", hostname);
  if (!existing) {
    return fmt::format("127.0.0.1\tlocalhost\n{}\n\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                       "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
                       entry);
  }
  std::vector<std::string> lines;
  bool placed = false;
  for (auto& line : split_lines(*existing)) {
    if (trim(line).starts_with("127.0.1.1")) {
      continue;
    }
    lines.push_back(line);
    if (!placed && trim(line).starts_with("127.0.0.1")) {
      lines.push_back(entry);
      placed = true;
    }
  }
  if (!placed) {
    lines.insert(lines.begin(), entry);
  }
  return join_lines(lines);
}

std::string render_keyboard(std::optional<std::string_view> existing, std::string_view layout,
                            std::string_view variant) {
  const std::string layout_line = fmt::format("XKBLAYOUT=\"{}\"", layout);
  const std::string variant_line = fmt::format("XKBVARIANT=\"{}\"", variant);
  if (!existing) {
    return fmt::format("# KEYBOARD CONFIGURATION FILE (written by atelier-imager "
                       "deploy)\n\nXKBMODEL=\"pc105\"\n{}\n{}\n"
                       "XKBOPTIONS=\"\"\n\nBACKSPACE=\"guess\"\n",
                       layout_line, variant_line);
  }
  std::vector<std::string> lines = split_lines(*existing);
  bool has_layout = false;
  bool has_variant = false;
  for (auto& line : lines) {
    if (trim(line).starts_with("XKBLAYOUT=")) {
      line = layout_line;
      has_layout = true;
    } else if (trim(line).starts_with("XKBVARIANT=")) {
      line = variant_line;
      has_variant = true;
    }
  }
  if (!has_layout) {
    lines.push_back(layout_line);
  }
  if (!has_variant) {
    lines.push_back(variant_line);
  }
  return join_lines(lines);
}

std::string render_locale_gen(std::string_view existing, std::string_view locale) {
  // "fr_FR.UTF-8" -> "fr_FR.UTF-8 UTF-8", the format of Debian's /etc/locale.gen.
  const std::string wanted = fmt::format("{} UTF-8", locale);
  std::vector<std::string> lines = split_lines(existing);
  for (auto& line : lines) {
    std::string_view body = trim(line);
    if (body.starts_with('#')) {
      body = trim(body.substr(1));
    }
    if (body == wanted) {
      line = wanted;
      return join_lines(lines);
    }
  }
  lines.push_back(wanted);
  return join_lines(lines);
}

std::string render_unit_file(const TailorInput& in) {
  std::string out =
      "# This computer was refurbished by a workshop with Atelier (written at imaging time).\n";
  out += fmt::format("asset_tag = {}\n", toml_string(in.asset_tag));
  out += fmt::format("profile = {}\n", toml_string(in.profile != nullptr ? in.profile->name : ""));
  out += fmt::format("imaged_at = {}\n", toml_string(in.imaged_at));
  out += fmt::format("image_sha256 = {}\n", toml_string(in.image_sha256));
  if (!in.support_contact.empty()) {
    out += fmt::format("support_contact = {}\n", toml_string(in.support_contact));
  }
  return out;
}

std::string ssh_host_keys_unit() {
  return "# Written by atelier-imager deploy: every refurbished unit gets its own SSH host keys.\n"
         "[Unit]\n"
         "Description=Generate missing SSH host keys (first boot of a refurbished unit)\n"
         "ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key\n"
         "Before=ssh.service sshd.service\n"
         "\n"
         "[Service]\n"
         "Type=oneshot\n"
         "ExecStart=/usr/bin/ssh-keygen -A\n"
         "\n"
         "[Install]\n"
         "WantedBy=multi-user.target ssh.service\n";
}

std::expected<TailorReport, std::string> tailor(TargetRoot& root, ChrootSession& chroot,
                                                base::ProcessRunner& runner,
                                                const TailorInput& input) {
  if (input.profile == nullptr) {
    return std::unexpected(std::string("tailor: no profile"));
  }
  return Tailor(root, chroot, runner, input).run();
}

std::expected<std::string, std::string> hash_password(std::string_view password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$6$", 0, nullptr, 0, salt, sizeof salt) == nullptr) {
    return std::unexpected(std::string("cannot make a password salt (libcrypt)"));
  }
  crypt_data data{};
  const std::string text(password);
  const char* hash = crypt_r(text.c_str(), salt, &data);
  if (hash == nullptr || hash[0] == '*') {
    return std::unexpected(std::string("cannot hash the password (libcrypt)"));
  }
  return std::string(hash);
}

} // namespace atelier::imager
