// Profile files: TOML to a validated Profile. The schema, key by key, is docs/PROFILES.md; keep the
// two in step (the known-key lists below are the schema's table of contents).
#include "profiles/detail/checks.h"
#include "profiles/detail/loaders.h"
#include "profiles/detail/text.h"
#include "profiles/detail/toml_reader.h"
#include "profiles/profile.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::profiles {
namespace detail {
namespace {

constexpr std::int64_t k_max_priority = 1000;

struct Context {
  Reporter& reporter;
  std::filesystem::path base_dir; // relative paths in the file are relative to it
  const FileExists* file_exists;  // null: do not look at the file system
};

std::filesystem::path resolve(const Context& context, const std::string& path) {
  const std::filesystem::path p(path);
  return (p.is_absolute() ? p : context.base_dir / p).lexically_normal();
}

void read_header(const TableReader& root, Profile& profile) {
  const toml::table* table = root.subtable("profile", Need::required);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "profile", {"name", "description", "priority"});
  if (auto name = t.string("name", Need::required)) {
    if (auto why = check_profile_name(*name)) {
      t.error("name", std::move(*why));
    }
    profile.name = std::move(*name);
    profile.name_location = root.reporter().location(t.where("name"));
  }
  if (auto description = t.string("description", Need::required)) {
    if (description->empty()) {
      t.error("description", "must not be empty: volunteers choose profiles by it");
    }
    profile.description = std::move(*description);
  }
  if (auto priority = t.integer("priority", Need::optional, 0, k_max_priority)) {
    profile.priority = static_cast<int>(*priority);
  }
}

void read_image(const Context& context, const TableReader& root, Image& image) {
  const toml::table* table = root.subtable("image", Need::required);
  if (table == nullptr) {
    return;
  }
  const TableReader t(context.reporter, *table, "image", {"source", "format", "sha256", "build"});
  if (auto source = t.string("source", Need::required)) {
    const std::size_t scheme_end = source->find("://");
    if (source->empty()) {
      t.error("source", "must not be empty");
    } else if (scheme_end != std::string::npos) {
      const std::string_view scheme = std::string_view(*source).substr(0, scheme_end);
      if (scheme != "http" && scheme != "https") {
        t.error("source",
                fmt::format("unsupported URL scheme '{}' (use http or https, or a path)", scheme));
      } else if (source->size() == scheme_end + 3) {
        t.error("source", "the URL has no host");
      }
      image.is_url = true;
    } else {
      image.path = resolve(context, *source);
    }
    image.source = std::move(*source);
  }
  if (auto format = t.choice("format", Need::required, k_image_formats)) {
    image.format = *format;
  }
  read_image_build(t, image, image.build);
  if (auto digest = t.string("sha256", Need::optional)) {
    if (auto why = check_sha256(*digest)) {
      t.error("sha256", std::move(*why));
    }
    std::transform(digest->begin(), digest->end(), digest->begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    image.sha256 = std::move(*digest);
  } else if (!t.has("sha256")) {
    t.warning("sha256", "no checksum: the image cannot be verified before it is written; set "
                        "sha256 once the image is built");
  }
}

void read_partitioning(const TableReader& root, const Image& image, Profile& profile) {
  const toml::table* table = root.subtable("partitioning", Need::optional);
  if (image.format == ImageFormat::raw_disk) {
    if (table != nullptr) {
      root.error("partitioning", "does not apply to raw-disk images, which carry their own "
                                 "partition table (remove [partitioning] or use format = "
                                 "\"rootfs-archive\")");
    }
    return;
  }
  Partitioning& partitioning = profile.partitioning.emplace();
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "partitioning", {"scheme", "swap", "filesystem"});
  if (auto scheme = t.choice("scheme", Need::optional, k_partition_schemes)) {
    partitioning.scheme = *scheme;
  }
  if (const toml::node* swap = t.node("swap")) {
    const auto* text = swap->as_string();
    if (text != nullptr && text->get() == "none") {
      partitioning.swap = ByteSize{};
    } else if (auto size = read_size(root.reporter(), *swap, t.key_path("swap"))) {
      partitioning.swap = *size;
    }
  }
  if (auto filesystem = t.choice("filesystem", Need::optional, k_filesystems)) {
    partitioning.filesystem = *filesystem;
  }
}

void read_account(const TableReader& tailoring, Account& account) {
  const toml::table* table = tailoring.subtable("account", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(tailoring.reporter(), *table, "tailoring.account",
                      {"mode", "username", "password"});
  if (auto mode = t.choice("mode", Need::optional, k_account_modes)) {
    account.mode = *mode;
  } else if (t.has("mode")) {
    return; // reported; whether username belongs here is unknown
  }
  if (account.mode == AccountMode::oem) {
    for (std::string_view key : {"username", "password"}) {
      if (t.has(key)) {
        t.error(key, "only applies to mode = \"preset\" (in oem mode the household creates its "
                     "own account at first boot)");
      }
    }
    return;
  }
  if (auto username = t.string("username", Need::required)) {
    if (auto why = check_username(*username)) {
      t.error("username", std::move(*why));
    }
    account.username = std::move(*username);
  }
  if (auto password = t.string("password", Need::required)) {
    if (password->empty()) {
      t.error("password", "must not be empty");
    }
    account.password = std::move(*password);
  }
}

void read_extra_file(const Context& context, const toml::node& node, const std::string& path,
                     std::vector<ExtraFile>& files) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    type_error(context.reporter, node, path, "a table", "write [[tailoring.files]] sections");
    return;
  }
  const TableReader t(context.reporter, *table, path, {"path", "source", "content", "mode"});
  ExtraFile file;
  if (auto target = t.string("path", Need::required)) {
    if (auto why = check_target_path(*target)) {
      t.error("path", std::move(*why));
    } else if (std::any_of(files.begin(), files.end(),
                           [&](const ExtraFile& f) { return f.path == *target; })) {
      t.error("path", fmt::format("\"{}\" is already written by an earlier entry", *target));
    }
    file.path = std::move(*target);
  }
  if (t.has("source") && t.has("content")) {
    t.error("content", "give either source or content, not both");
  } else if (!t.has("source") && !t.has("content")) {
    context.reporter.error(t.where(), path,
                           "needs source (a file next to the profile) or "
                           "content (the text itself)");
  }
  if (auto source = t.string("source", Need::optional)) {
    if (source->empty()) {
      t.error("source", "must not be empty");
    } else {
      file.source = resolve(context, *source);
      if (context.file_exists != nullptr && !(*context.file_exists)(*file.source)) {
        t.error("source", fmt::format("file not found: {}", file.source->string()));
      }
    }
  }
  if (auto content = t.string("content", Need::optional)) {
    file.content = std::move(*content);
  }
  if (const toml::node* mode = t.node("mode")) {
    if (const auto* text = mode->as_string()) {
      if (auto why = check_file_mode(text->get(), file.mode)) {
        t.error("mode", std::move(*why));
      }
    } else {
      type_error(context.reporter, *mode, t.key_path("mode"), "a string",
                 "write the mode as a quoted octal number such as \"0644\"");
    }
  }
  files.push_back(std::move(file));
}

void read_tailoring(const Context& context, const TableReader& root, Tailoring& tailoring) {
  const toml::table* table = root.subtable("tailoring", Need::required);
  if (table == nullptr) {
    return;
  }
  const TableReader t(
      context.reporter, *table, "tailoring",
      {"hostname", "locale", "keyboard", "keyboard_variant", "timezone", "account", "files"});
  if (auto hostname = t.string("hostname", Need::optional)) {
    if (auto why = check_hostname_pattern(*hostname)) {
      t.error("hostname", std::move(*why));
    }
    tailoring.hostname = std::move(*hostname);
  }
  const auto checked = [&](std::string_view key, Need need, auto check, std::string& out) {
    if (auto value = t.string(key, need)) {
      if (auto why = check(*value)) {
        t.error(key, std::move(*why));
      }
      out = std::move(*value);
    }
  };
  checked("locale", Need::required, check_locale, tailoring.locale);
  checked("keyboard", Need::required, check_keyboard_layout, tailoring.keyboard);
  checked("keyboard_variant", Need::optional, check_keyboard_variant, tailoring.keyboard_variant);
  checked("timezone", Need::required, check_timezone, tailoring.timezone);
  read_account(t, tailoring.account);
  if (const toml::array* files = t.array("files", Need::optional)) {
    for (std::size_t i = 0; i < files->size(); ++i) {
      read_extra_file(context, (*files)[i], fmt::format("tailoring.files[{}]", i), tailoring.files);
    }
  }
}

// The account mode against the packages the image is built from (issue 14, finding 4). In oem mode
// the household creates its account at the first start: with GNOME's gnome-initial-setup, or with
// Atelier's own first-boot step, a systemd unit on the console (docs/DEPLOY.md). That step needs
// systemd as init, and when the layout is not US, console-setup: without it the password is typed
// on the console in US layout and at the login screen in the profile's, and never matches.
// Profiles without [image.build] (an image made elsewhere) are checked at deploy time instead.
void check_account_packages(const TableReader& root, const Profile& profile) {
  const auto& build = profile.image.build;
  if (!build || profile.tailoring.account.mode != AccountMode::oem) {
    return;
  }
  const auto listed = [&](std::string_view name) {
    return std::ranges::any_of(build->packages, [&](const std::string& request) {
      return std::string_view(request).substr(0, request.find_first_of("=/")) == name;
    });
  };
  const toml::node* packages = root.table().at_path("image.build.packages").node();
  const auto& where = packages != nullptr ? packages->source() : root.where();
  for (std::string_view other_init : {"sysvinit-core", "runit-init", "openrc"}) {
    if (listed(other_init)) {
      root.reporter().error(
          where, "image.build.packages",
          fmt::format("\"{}\" replaces systemd as init, but [tailoring.account] mode = \"oem\" "
                      "needs systemd: the household's account is asked for at the first start by "
                      "a systemd unit (docs/DEPLOY.md); keep systemd or use mode = \"preset\"",
                      other_init));
    }
  }
  if (profile.tailoring.keyboard != "us" && !listed("console-setup")) {
    root.reporter().error(
        where, "image.build.packages",
        fmt::format("add \"console-setup\": in oem mode the household types its new password on "
                    "the console at the first start, which without console-setup uses the US "
                    "layout while the login screen uses \"{}\", so the password would not match",
                    profile.tailoring.keyboard));
  }
}

void read_wipe_list(const TableReader& t, std::string_view key, DiskMedia media,
                    std::vector<WipeMethod>& methods) {
  auto list = t.choice_list(key, Need::optional, k_wipe_methods);
  if (!list) {
    return;
  }
  const toml::array& nodes = *t.array(key, Need::optional);
  bool ok = true;
  std::optional<WipeMethod> overwrite_before;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const WipeMethod method = (*list)[i];
    const std::string path = fmt::format("{}[{}]", t.key_path(key), i);
    if (!method_applies(method, media)) {
      t.reporter().error(nodes[i].source(), path,
                         fmt::format("\"{}\" does not apply to {} disks ({} takes {})",
                                     to_string(method), to_string(media), to_string(media),
                                     media == DiskMedia::nvme  ? "nvme-* methods and overwrites"
                                     : media == DiskMedia::usb ? "overwrites only"
                                                               : "ata-* methods and overwrites"));
      ok = false;
    } else if (overwrite_before) {
      t.reporter().error(nodes[i].source(), path,
                         fmt::format("\"{}\" would never be tried: \"{}\" before it works on every "
                                     "disk",
                                     to_string(method), to_string(*overwrite_before)));
      ok = false;
    }
    if (is_overwrite(method) && !overwrite_before) {
      overwrite_before = method;
    }
  }
  if (ok) {
    methods = std::move(*list);
  }
}

void read_wipe(const TableReader& root, WipePolicy& wipe) {
  const toml::table* table = root.subtable("wipe", Need::required);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "wipe",
                      {"hdd", "ssd", "nvme", "usb", "verify", "hidden_areas", "removable"});
  read_wipe_list(t, "hdd", DiskMedia::hdd, wipe.hdd);
  read_wipe_list(t, "ssd", DiskMedia::ssd, wipe.ssd);
  read_wipe_list(t, "nvme", DiskMedia::nvme, wipe.nvme);
  read_wipe_list(t, "usb", DiskMedia::usb, wipe.usb);
  if (auto verify = t.choice("verify", Need::optional, k_verifications)) {
    wipe.verify = *verify;
  }
  if (auto hidden = t.choice("hidden_areas", Need::optional, k_hidden_areas)) {
    wipe.hidden_areas = *hidden;
  }
  if (auto removable = t.choice("removable", Need::optional, k_removable_media)) {
    wipe.removable = *removable;
  }
}

// The firmware a partition scheme can boot; a raw-disk image is trusted to boot on both.
std::vector<Firmware> bootable_firmware(const std::optional<Partitioning>& partitioning) {
  if (partitioning && partitioning->scheme == PartitionScheme::bios_mbr) {
    return {Firmware::bios};
  }
  if (partitioning && partitioning->scheme == PartitionScheme::uefi_gpt) {
    return {Firmware::uefi};
  }
  return {Firmware::bios, Firmware::uefi};
}

void read_requirements(const TableReader& root, Profile& profile) {
  Requirements& requirements = profile.requirements;
  requirements.firmware = bootable_firmware(profile.partitioning);
  const toml::table* table = root.subtable("requirements", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "requirements",
                      {"min_ram", "min_disk", "cpu_level", "firmware", "chassis"});
  if (auto size = t.size("min_ram", Need::optional)) {
    requirements.min_ram = *size;
  }
  if (auto size = t.size("min_disk", Need::optional)) {
    requirements.min_disk = *size;
    if (profile.partitioning && size->bytes > 0 &&
        profile.partitioning->swap.bytes >= size->bytes) {
      root.reporter().error(t.where("min_disk"), t.key_path("min_disk"),
                            fmt::format("{} leaves no room for the system next to {} of swap "
                                        "(partitioning.swap)",
                                        format_size(*size),
                                        format_size(profile.partitioning->swap)));
    }
  }
  if (auto level = t.cpu_level("cpu_level", Need::optional)) {
    requirements.cpu_level = *level;
  }
  if (auto firmware = t.choice_list("firmware", Need::optional, k_firmware)) {
    const std::vector<Firmware> bootable = bootable_firmware(profile.partitioning);
    for (Firmware f : *firmware) {
      if (std::find(bootable.begin(), bootable.end(), f) == bootable.end()) {
        t.error("firmware",
                fmt::format("partitioning.scheme \"{}\" cannot boot a {} machine (remove \"{}\" "
                            "or use scheme = \"auto\")",
                            to_string(profile.partitioning->scheme),
                            f == Firmware::bios ? "BIOS" : "UEFI", to_string(f)));
      }
    }
    requirements.firmware = std::move(*firmware);
  }
  if (auto chassis = t.choice_list("chassis", Need::optional, k_chassis)) {
    requirements.chassis = std::move(*chassis);
  }
}

} // namespace

std::expected<Profile, Diagnostics> parse_profile_with(std::string_view toml_text,
                                                       std::string_view file_name,
                                                       const FileExists* file_exists) {
  Reporter reporter{std::string(file_name)};
  const std::optional<toml::table> document = parse_toml(toml_text, reporter);
  if (!document) {
    return std::unexpected(reporter.take());
  }
  const Context context{reporter, std::filesystem::path(file_name).parent_path(), file_exists};
  const TableReader root(reporter, *document, "",
                         {"profile", "image", "partitioning", "tailoring", "wipe", "requirements"});
  Profile profile;
  read_header(root, profile);
  read_image(context, root, profile.image);
  read_partitioning(root, profile.image, profile);
  read_tailoring(context, root, profile.tailoring);
  check_account_packages(root, profile);
  read_wipe(root, profile.wipe);
  read_requirements(root, profile);
  if (reporter.has_errors()) {
    return std::unexpected(reporter.take());
  }
  profile.warnings = reporter.take();
  return profile;
}

} // namespace detail

std::expected<Profile, Diagnostics> parse_profile(std::string_view toml_text,
                                                  std::string_view file_name) {
  return detail::parse_profile_with(toml_text, file_name, nullptr);
}

std::expected<Profile, Diagnostics> load_profile(const std::filesystem::path& file) {
  auto text = detail::read_text_file(file);
  if (!text) {
    return std::unexpected(Diagnostics{Diagnostic{file.string(), 0, 0, "", text.error()}});
  }
  const detail::FileExists exists = [](const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
  };
  return detail::parse_profile_with(*text, file.string(), &exists);
}

} // namespace atelier::profiles
