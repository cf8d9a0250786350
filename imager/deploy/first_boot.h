// The household's account in `oem` mode (issue 14, finding 4): nobody at the workshop creates it,
// so the installed system must ask for it the first time it starts, before anyone can log in.
//
// GNOME images bring their own graphical step (GDM starts gnome-initial-setup while no user
// exists). Every other image gets Atelier's: a small POSIX shell script that a systemd unit runs
// once on the console, ordered before systemd-user-sessions.service (and so before every getty and
// display manager). It asks for a name, a user name and a password twice, in the installed
// system's language (its /etc/default/locale: French for fr_*, English otherwise), creates the
// account with the image's own useradd and chpasswd, in the desktop groups the image has, and
// removes its flag file so that it never runs again. Until an account exists it asks again.
//
// An image that cannot run that step (no systemd, no useradd/chpasswd, a non-US keyboard layout
// without console-setup, which would make the password typed on the console differ from the one
// typed at the graphical login) fails the deploy: a machine nobody can log into is never READY.
#pragma once

#include "imager/deploy/target_root.h"
#include "profiles/profile.h"

#include <expected>
#include <string>
#include <vector>

namespace atelier::imager {

inline constexpr std::string_view k_first_boot_script = "/usr/local/sbin/atelier-first-boot";
inline constexpr std::string_view k_first_boot_unit =
    "/etc/systemd/system/atelier-first-boot.service";
// Present until the account exists (the unit's ConditionPathExists).
inline constexpr std::string_view k_first_boot_flag = "/var/lib/atelier/first-boot";

// What install_first_boot did, for the imaging record.
struct FirstBootSetup {
  std::string tool;                 // "gnome-initial-setup" or "atelier-first-boot"
  std::vector<std::string> written; // paths in the installed system
  std::string note;                 // one sentence for the record
};

// The first-boot step's script (POSIX sh; its messages in English and French).
std::string first_boot_script();
// Its systemd unit. `plymouth`: the image has /bin/plymouth, whose splash is quit first.
std::string first_boot_unit(bool plymouth);

// Puts the first-boot account step into the extracted system for `tailoring` (oem mode), or says
// why that system cannot have one, naming the package it lacks.
std::expected<FirstBootSetup, std::string> install_first_boot(TargetRoot& root,
                                                              const profiles::Tailoring& tailoring);

} // namespace atelier::imager
