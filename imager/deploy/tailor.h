// Tailoring the freshly extracted system for its unit and its household: hostname, fstab by UUID,
// an empty machine-id, no SSH host keys, locale, keyboard, timezone, the first-boot account, the
// profile's extra files and the unit file. docs/DEPLOY.md lists every file written.
//
// The render_* functions are pure (existing content in, new content out) and tested on their own;
// tailor() applies them through TargetRoot (paths resolved inside the tree) and runs the image's
// own tools through the ChrootSession when the image has them (locale-gen, useradd, chage).
#pragma once

#include "imager/deploy/chroot.h"
#include "imager/deploy/make_filesystems.h"
#include "imager/deploy/target_root.h"
#include "profiles/profile.h"

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

struct TailorInput {
  const profiles::Profile* profile = nullptr;
  std::string asset_tag; // e.g. "AT-0042-7"; empty when the unit has none yet
  std::string hostname;  // already expanded (hostname_for)
  std::string root_uuid;
  FsKind root_fs = FsKind::ext4;
  std::string esp_uuid;  // empty: no EFI system partition
  std::string swap_uuid; // empty: no swap
  std::string imaged_at; // RFC 3339 UTC
  std::string image_sha256;
  std::string support_contact; // empty: not written
};

struct TailorReport {
  std::vector<std::string> written; // paths in the installed system, in the order written
  std::vector<std::string> removed;
  std::vector<std::string> notes; // what was skipped and why, in plain words
};

// The hostname for a unit: the profile's pattern with the asset tag, checked to be a valid DNS
// label (an asset tag with odd characters is refused, naming --tag). Without a tag, "untagged".
std::expected<std::string, std::string> hostname_for(std::string_view pattern,
                                                     std::string_view asset_tag);

std::string render_fstab(const TailorInput&);
// /etc/hosts with "127.0.1.1 <hostname>" replacing any previous 127.0.1.1 line (after 127.0.0.1).
std::string render_hosts(std::optional<std::string_view> existing, std::string_view hostname);
// /etc/default/keyboard with XKBLAYOUT/XKBVARIANT set and the other lines kept.
std::string render_keyboard(std::optional<std::string_view> existing, std::string_view layout,
                            std::string_view variant);
// /etc/locale.gen with the locale's line enabled (uncommented, or appended).
std::string render_locale_gen(std::string_view existing, std::string_view locale);
// /etc/atelier/unit.toml: asset tag, profile, imaged-at, image checksum, support contact.
std::string render_unit_file(const TailorInput&);
// The systemd unit that regenerates SSH host keys on first boot (Debian's openssh-server does not).
std::string ssh_host_keys_unit();

std::expected<TailorReport, std::string> tailor(TargetRoot& root, ChrootSession& chroot,
                                                base::ProcessRunner& runner,
                                                const TailorInput& input);

// SHA-512 crypt hash ("$6$salt$...") of a password, with a fresh random salt.
std::expected<std::string, std::string> hash_password(std::string_view password);

} // namespace atelier::imager
