#include "pxe/boot_script.h"

#include "pxe/boot_tokens.h"

#include <fmt/format.h>

namespace atelier::pxe {

namespace {

// Why a value would need quoting in iPXE or on the kernel command line, or nullopt if it is safe.
// `$` would start an iPXE ${setting} expansion, `#` a comment, whitespace a new argument; quotes
// and backslashes mean different things to iPXE and to the kernel's parser.
std::optional<std::string> unsafe_reason(std::string_view value) {
  if (value.empty()) {
    return "is empty";
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      return fmt::format("contains byte 0x{:02x} (space, control or non-ASCII)", u);
    }
    if (c == '"' || c == '\'' || c == '\\' || c == '$' || c == '#' || c == '{' || c == '}' ||
        c == '`' || c == ';' || c == '|' || c == '&') {
      return fmt::format("contains '{}'", c);
    }
  }
  return std::nullopt;
}

std::expected<void, std::string> check(std::string_view what, std::string_view value) {
  if (auto reason = unsafe_reason(value)) {
    return std::unexpected(
        fmt::format("{} \"{}\": {}; values are never quoted", what, value, *reason));
  }
  return {};
}

bool is_http_url(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

} // namespace

std::expected<std::string, std::string> boot_kernel_command_line(const BootScriptConfig& config,
                                                                 const base::MacAddress& mac,
                                                                 std::string_view token) {
  if (!is_token_syntax(token)) {
    // Not echoed: a malformed value here is a programming error, and it might still be a secret.
    return std::unexpected(std::string("boot token is not 32 lower-case hex digits"));
  }
  if (!is_http_url(config.server_url)) {
    return std::unexpected(
        fmt::format("server URL \"{}\" is not http:// or https://", config.server_url));
  }
  for (const auto& [what, value] :
       {std::pair<std::string_view, std::string_view>{"server URL", config.server_url},
        {"initrd name", config.initrd_name}}) {
    if (auto ok = check(what, value); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (config.initrd_name.find('/') != std::string::npos) {
    return std::unexpected(
        fmt::format("initrd name \"{}\" must be a file name, not a path", config.initrd_name));
  }
  std::string line = fmt::format("initrd={} atelier.server={} atelier.token={} atelier.mac={}",
                                 config.initrd_name, config.server_url, token, mac.str(':'));
  if (!config.language.empty()) {
    const bool letters =
        config.language.size() <= 8 &&
        config.language.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
    if (!letters || config.language.size() < 2) {
      return std::unexpected(fmt::format(
          "language \"{}\" is not a language code (2 to 8 lower-case letters)", config.language));
    }
    line += " atelier.lang=" + config.language;
  }
  for (const auto* list : {&config.console_args, &config.extra_args}) {
    for (const auto& arg : *list) {
      if (auto ok =
              check(list == &config.console_args ? "console argument" : "extra argument", arg);
          !ok) {
        return std::unexpected(ok.error());
      }
      line += ' ';
      line += arg;
    }
  }
  return line;
}

std::expected<std::string, std::string> make_boot_script(const BootScriptConfig& config,
                                                         const base::MacAddress& mac,
                                                         std::string_view token) {
  auto command_line = boot_kernel_command_line(config, mac, token);
  if (!command_line) {
    return command_line;
  }
  if (!is_http_url(config.files_url)) {
    return std::unexpected(
        fmt::format("files URL \"{}\" is not http:// or https://", config.files_url));
  }
  if (auto ok = check("files URL", config.files_url); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = check("kernel name", config.kernel_name); !ok) {
    return std::unexpected(ok.error());
  }
  if (config.files_url.ends_with('/')) {
    return std::unexpected(fmt::format("files URL \"{}\" must not end with '/'", config.files_url));
  }
  const bool reboot = config.on_failure == BootFailureAction::reboot;
  const std::string_view action = reboot ? "reboot" : "exit";
  const std::string_view next =
      reboot ? "Restarting the network boot" : "Returning to the firmware boot order";
  // The message is for the volunteer at the machine: what happened and what happens next.
  return fmt::format("#!ipxe\n"
                     "# Atelier boot script for {mac}\n"
                     "kernel {files}/{kernel} {cmdline} || goto failed\n"
                     "initrd {files}/{initrd} || goto failed\n"
                     "boot || goto failed\n"
                     ":failed\n"
                     "echo Atelier: could not download or start the boot environment for {mac}.\n"
                     "echo Check the network cable and that the Atelier server is running.\n"
                     "echo {next} in {pause} seconds.\n"
                     "sleep {pause}\n"
                     "{action}\n",
                     fmt::arg("mac", mac.str(':')), fmt::arg("files", config.files_url),
                     fmt::arg("kernel", config.kernel_name), fmt::arg("cmdline", *command_line),
                     fmt::arg("initrd", config.initrd_name), fmt::arg("action", action),
                     fmt::arg("next", next), fmt::arg("pause", config.failure_pause_seconds));
}

} // namespace atelier::pxe
