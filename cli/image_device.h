// `atelier image --device DEV --profile NAME --tag TAG --confirm-serial SERIAL`: wipe and image a
// disk attached to this computer (cli_image_device.cpp; docs/CLI.md). Internal to the CLI.
#pragma once

#include "cli/context.h"

#include <string>

namespace atelier::cli {

struct ImageDeviceArgs {
  std::string device;
  std::string profile;        // a name from the profiles directory, or a .toml file
  std::string tag;            // the unit the disk belongs to
  std::string confirm_serial; // required outside the boot environment (device_safety)
  std::string firmware;       // bios | uefi: the machine the disk goes into
  std::string config;         // the server configuration; optional when it is the default path
  std::string profiles_dir;   // default: $ATELIER_PROFILES, else pipeline.profiles_dir
  std::string images_dir;     // default: pipeline.images_dir
  std::string key_dir;        // default: $ATELIER_KEY_DIR, else pipeline.keys_dir
  std::string image;          // overrides where the image is read from (its sha256 still applies)
  std::string operator_name;
  std::string site;
  std::string contact;
  std::string cert_out; // also write the signed certificate here
  bool json = false;
  bool no_bootloader = false; // tests: images without a kernel
};

// Adds the options above to the `image` command.
void add_image_device_options(CLI::App& image, ImageDeviceArgs& args);
// Runs the whole job; sets ctx.status to 0, 1 (failed after writing began) or 2 (refused before).
void image_device(CliContext& ctx, const ImageDeviceArgs& args);

} // namespace atelier::cli
