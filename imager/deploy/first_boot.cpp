#include "imager/deploy/first_boot.h"

#include <fmt/format.h>

namespace atelier::imager {
namespace {

// The script reads two paths from the environment so that tests can run it on a temporary tree
// (tests/imager/first_boot_test.cpp); systemd gives it neither.
constexpr std::string_view k_script = R"SH(#!/bin/sh
# Atelier's first-boot account step, written by atelier-imager deploy (docs/DEPLOY.md, "The
# household's account"). systemd runs it once on the console (atelier-first-boot.service), before
# any getty or display manager: the household chooses its user name and password, nobody at the
# workshop knows them. Until an account is created it asks again; then it removes its flag file and
# never runs again.
set -u
flag=${ATELIER_FIRST_BOOT_FLAG:-/var/lib/atelier/first-boot}
locale_file=${ATELIER_FIRST_BOOT_LOCALE:-/etc/default/locale}
[ -e "$flag" ] || exit 0
trap '' INT QUIT TSTP

LANG=C.UTF-8
if [ -r "$locale_file" ]; then
  . "$locale_file"
fi
case ${LANG:-} in
fr*)
  m_title="Bienvenue sur votre ordinateur !"
  m_intro="Créons le compte de votre foyer. Vous choisissez le nom et le mot de passe : personne à l'atelier ne les connaît."
  m_fullname="Votre nom (facultatif) : "
  m_user="Nom d'utilisateur (minuscules, par exemple famille) : "
  m_user_bad="« %s » ne convient pas : de 1 à 32 caractères parmi a-z, 0-9, - et _, en commençant par une lettre."
  m_user_taken="« %s » existe déjà sur cet ordinateur : choisissez un autre nom."
  m_pass="Mot de passe (il ne s'affiche pas) : "
  m_pass_again="Le même mot de passe, encore une fois : "
  m_pass_empty="Le mot de passe ne peut pas être vide."
  m_pass_differ="Les deux mots de passe diffèrent : recommençons."
  m_failed="Le compte n'a pas pu être créé (%s) : recommençons."
  m_done="Le compte « %s » est prêt. L'ordinateur continue de démarrer : connectez-vous avec ce nom et ce mot de passe."
  ;;
*)
  m_title="Welcome to your computer!"
  m_intro="Let's create your household's account. You choose the name and the password: nobody at the workshop knows them."
  m_fullname="Your name (optional): "
  m_user="User name (lower case, for example family): "
  m_user_bad="\"%s\" will not do: 1 to 32 of a-z, 0-9, - and _, starting with a letter."
  m_user_taken="\"%s\" already exists on this computer: choose another name."
  m_pass="Password (it is not shown): "
  m_pass_again="The same password again: "
  m_pass_empty="The password cannot be empty."
  m_pass_differ="The two passwords differ: let's start again."
  m_failed="The account could not be created (%s): let's start again."
  m_done="The account \"%s\" is ready. The computer goes on starting: log in with this name and password."
  ;;
esac

# One answer from the console; end of input counts as an empty answer (after a pause, so that a
# console that is gone does not spin).
ask() {
  printf '%s' "$1"
  if ! IFS= read -r answer; then
    answer=""
    sleep 1
  fi
}

ask_secret() {
  stty -echo 2>/dev/null
  ask "$1"
  stty echo 2>/dev/null
  printf '\n'
}

valid_user() {
  case $1 in
  "" | [!a-z_]* | *[!a-z0-9_-]*) return 1 ;;
  esac
  [ ${#1} -le 32 ]
}

groups=""
for g in cdrom floppy sudo audio dip video plugdev users netdev lpadmin scanner bluetooth; do
  if getent group "$g" >/dev/null 2>&1; then
    groups=${groups:+$groups,}$g
  fi
done
shell=/bin/sh
if [ -x /bin/bash ]; then
  shell=/bin/bash
fi

printf '\n[%s]\n%s\n%s\n\n' "$(cat /etc/hostname 2>/dev/null)" "$m_title" "$m_intro"
while :; do
  ask "$m_fullname"
  # useradd refuses these in the comment field.
  fullname=$(printf '%s' "$answer" | tr -d ':,=')
  while :; do
    ask "$m_user"
    user=$answer
    if ! valid_user "$user" || [ "$user" = root ]; then
      printf "$m_user_bad\n" "$user"
    elif getent passwd "$user" >/dev/null 2>&1; then
      printf "$m_user_taken\n" "$user"
    else
      break
    fi
  done
  while :; do
    ask_secret "$m_pass"
    pass=$answer
    if [ -z "$pass" ]; then
      printf '%s\n' "$m_pass_empty"
      continue
    fi
    ask_secret "$m_pass_again"
    if [ "$answer" = "$pass" ]; then
      break
    fi
    printf '%s\n' "$m_pass_differ"
  done
  if ! why=$(useradd -m -s "$shell" -c "$fullname" ${groups:+-G "$groups"} "$user" 2>&1); then
    printf "$m_failed\n" "useradd: $why"
    continue
  fi
  if ! why=$(printf '%s:%s\n' "$user" "$pass" | chpasswd 2>&1); then
    userdel -r "$user" >/dev/null 2>&1
    printf "$m_failed\n" "chpasswd: $why"
    continue
  fi
  break
done
rm -f "$flag"
printf "\n$m_done\n\n" "$user"
)SH";

// The household's desktop brings its own account step: GDM runs gnome-initial-setup while the
// system has no user.
bool has_gnome_initial_setup(const TargetRoot& root) {
  return root.exists("/usr/libexec/gnome-initial-setup") && root.exists("/usr/sbin/gdm3");
}

bool has_any(const TargetRoot& root, std::initializer_list<std::string_view> paths) {
  for (std::string_view path : paths) {
    if (root.exists(path)) {
      return true;
    }
  }
  return false;
}

// Why the image cannot run Atelier's step, naming the package; empty when it can.
std::string missing_for_first_boot(const TargetRoot& root, const profiles::Tailoring& tailoring) {
  if (!has_any(root, {"/lib/systemd/systemd", "/usr/lib/systemd/systemd"})) {
    return "no systemd (package systemd-sysv) to run it";
  }
  if (!has_any(root, {"/usr/sbin/useradd", "/sbin/useradd"}) ||
      !has_any(root, {"/usr/sbin/chpasswd", "/sbin/chpasswd"})) {
    return "no useradd or chpasswd (package passwd) to create the account";
  }
  if (tailoring.keyboard != "us" && !has_any(root, {"/bin/setupcon", "/usr/bin/setupcon"})) {
    return fmt::format(
        "no console-setup: the password would be typed on the console with the US layout and at "
        "the login screen with \"{}\", so it would not match; add \"console-setup\" to the "
        "profile's [image.build] packages and build the image again",
        tailoring.keyboard);
  }
  return "";
}

} // namespace

std::string first_boot_script() {
  return std::string(k_script);
}

std::string first_boot_unit(bool plymouth) {
  return fmt::format(R"([Unit]
Description=Atelier first-boot account setup (the household chooses its account)
Documentation=file:{script}
ConditionPathExists={flag}
# Before every login: gettys and display managers start after systemd-user-sessions.service.
Before=systemd-user-sessions.service getty-pre.target display-manager.service
# The console speaks the household's keyboard layout before a password is typed.
After=keyboard-setup.service console-setup.service systemd-vconsole-setup.service

[Service]
Type=oneshot
{plymouth}ExecStart={script}
StandardInput=tty
StandardOutput=tty
TTYPath=/dev/console
TTYReset=yes
TTYVHangup=yes
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
)",
                     fmt::arg("script", k_first_boot_script), fmt::arg("flag", k_first_boot_flag),
                     fmt::arg("plymouth", plymouth ? "ExecStartPre=-/bin/plymouth quit\n" : ""));
}

std::expected<FirstBootSetup, std::string>
install_first_boot(TargetRoot& root, const profiles::Tailoring& tailoring) {
  FirstBootSetup setup;
  if (has_gnome_initial_setup(root)) {
    setup.tool = "gnome-initial-setup";
    setup.note = "account: oem, the household creates it at first boot with gnome-initial-setup "
                 "(GDM starts it while the system has no user)";
    return setup;
  }
  if (const std::string missing = missing_for_first_boot(root, tailoring); !missing.empty()) {
    return std::unexpected(fmt::format(
        "account: oem, but the image cannot ask the household for its account at first boot: "
        "{}; nobody could log in, so the machine is not imaged",
        missing));
  }
  const auto write = [&](std::string_view path, std::string_view content,
                         unsigned mode) -> std::expected<void, std::string> {
    if (auto done = root.write(path, content, mode); !done) {
      return std::unexpected(fmt::format("first-boot account step: {}", done.error()));
    }
    setup.written.emplace_back(path);
    return {};
  };
  const std::string wants =
      "/etc/systemd/system/multi-user.target.wants/atelier-first-boot.service";
  if (auto done = write(k_first_boot_script, first_boot_script(), 0755); !done) {
    return std::unexpected(done.error());
  }
  if (auto done = write(
          k_first_boot_unit,
          first_boot_unit(root.exists("/bin/plymouth") || root.exists("/usr/bin/plymouth")), 0644);
      !done) {
    return std::unexpected(done.error());
  }
  if (auto done = write(k_first_boot_flag,
                        "The household's account is created at the next start "
                        "(atelier-first-boot.service); this file goes away then.\n",
                        0600);
      !done) {
    return std::unexpected(done.error());
  }
  if (auto done = root.symlink(k_first_boot_unit, wants); !done) {
    return std::unexpected(fmt::format("first-boot account step: {}", done.error()));
  }
  setup.written.push_back(wants);
  setup.tool = "atelier-first-boot";
  setup.note = "account: oem, the household creates it at first boot with Atelier's first-boot "
               "step (atelier-first-boot.service, on the console)";
  return setup;
}

} // namespace atelier::imager
