// `atelier-imager deploy DEVICE --profile FILE`: the command's logic (the main only parses
// arguments). Loads the profile, detects the booted firmware, runs deploy() and prints the imaging
// record. Usage and output: docs/DEPLOY.md.
//
// Exit codes: 0 imaged; 1 the deploy failed after writing began (the disk was left unbootable);
// 2 usage error, invalid profile, or refused before anything was written (safety checks, a disk too
// small, an image that cannot be opened).
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace atelier::imager {

struct DeployCommandArgs {
  std::string device;
  std::string profile_file;
  std::optional<std::string> image;          // --image PATH|URL
  std::optional<std::string> firmware;       // --firmware bios|uefi
  std::string asset_tag;                     // --tag
  bool wiped_zero = false;                   // --wiped-zero
  bool json = false;                         // --json: the imaging record on stdout
  std::string progress = "none";             // --progress none|text|json, on stderr
  std::optional<std::string> confirm_serial; // --confirm-serial
  std::string contact;                       // --contact: support contact written to the unit file
  bool no_bootloader = false;                // --no-bootloader (tests: images without a kernel)
};

int run_deploy_command(const DeployCommandArgs& args, std::FILE* out, std::FILE* err);

} // namespace atelier::imager
