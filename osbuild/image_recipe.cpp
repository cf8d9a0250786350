#include "osbuild/image_recipe.h"

#include "base/sha256.h"
#include "base/text.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::osbuild {
namespace {

using nlohmann::json;

using base::join;

std::optional<profiles::BuildVariant> variant_named(std::string_view name) {
  for (auto v : {profiles::BuildVariant::minbase, profiles::BuildVariant::important,
                 profiles::BuildVariant::standard}) {
    if (profiles::to_string(v) == name) {
      return v;
    }
  }
  return std::nullopt;
}

json inputs_json(const ImageInputs& inputs) {
  const profiles::ImageBuild& b = inputs.build;
  std::vector<std::string> packages = b.packages;
  std::sort(packages.begin(), packages.end());
  json j = {
      {"architecture", k_image_architecture},
      {"components", b.components},
      {"customize", b.customize},
      {"install_recommends", b.install_recommends},
      {"mirror", b.mirror},
      {"mmdebstrap", inputs.mmdebstrap_version},
      {"packages", packages},
      {"recipe", k_image_recipe_version},
      {"sources", b.sources},
      {"suite", b.suite},
      {"variant", profiles::to_string(b.variant)},
  };
  if (inputs.source_date_epoch) {
    j["source_date_epoch"] = *inputs.source_date_epoch;
  }
  return j;
}

std::expected<ImageInputs, std::string> inputs_from_json(const json& j) {
  ImageInputs inputs;
  profiles::ImageBuild& b = inputs.build;
  b.suite = j.at("suite").get<std::string>();
  b.mirror = j.at("mirror").get<std::string>();
  const auto variant = variant_named(j.at("variant").get<std::string>());
  if (!variant) {
    return std::unexpected(
        fmt::format("inputs.variant: unknown variant {}", j.at("variant").dump()));
  }
  b.variant = *variant;
  b.components = j.at("components").get<std::vector<std::string>>();
  b.packages = j.at("packages").get<std::vector<std::string>>();
  b.install_recommends = j.at("install_recommends").get<bool>();
  b.sources = j.at("sources").get<std::vector<std::string>>();
  b.customize = j.at("customize").get<std::vector<std::string>>();
  inputs.mmdebstrap_version = j.at("mmdebstrap").get<std::string>();
  if (j.contains("source_date_epoch")) {
    inputs.source_date_epoch = j.at("source_date_epoch").get<std::int64_t>();
  }
  return inputs;
}

bool is_snapshot(std::string_view uri) {
  return uri.find("://snapshot.debian.org/") != std::string_view::npos;
}

// One 512-byte POSIX ustar header for an entry without data.
std::string ustar_header(std::string_view name, unsigned mode, char type, std::string_view link,
                         std::int64_t mtime) {
  std::array<char, 512> h{};
  const auto put = [&](std::size_t offset, std::size_t width, std::string_view text) {
    std::memcpy(h.data() + offset, text.data(), std::min(width, text.size()));
  };
  const auto octal = [&](std::size_t offset, std::size_t width, std::uint64_t value) {
    put(offset, width, fmt::format("{:0{}o}", value, width - 1)); // NUL-terminated field
  };
  put(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0); // uid root
  octal(116, 8, 0); // gid root
  octal(124, 12, 0);
  octal(136, 12, static_cast<std::uint64_t>(mtime));
  h[156] = type;
  put(157, 100, link);
  put(257, 6, std::string_view("ustar\0", 6));
  put(263, 2, "00");
  // No user or group names: like mmdebstrap's own entries (--numeric-owner), owners are numeric.
  // The checksum is computed with its own field read as eight spaces.
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) {
    sum += static_cast<unsigned char>(c);
  }
  put(148, 8, fmt::format("{:06o}", sum));
  h[154] = '\0';
  h[155] = ' ';
  return std::string(h.data(), h.size());
}

using base::trim;

// The text between the first pair of single quotes after `prefix` in `line`.
std::optional<std::string> quoted_after(std::string_view line, std::string_view prefix) {
  const auto at = line.find(prefix);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const auto open = line.find('\'', at + prefix.size());
  const auto close = open == std::string_view::npos ? open : line.find('\'', open + 1);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(line.substr(open + 1, close - open - 1));
}

} // namespace

std::string canonical_inputs(const ImageInputs& inputs) {
  return inputs_json(inputs).dump();
}

std::string image_cache_key(const ImageInputs& inputs) {
  return base::sha256_hex(canonical_inputs(inputs)).substr(0, 32);
}

std::expected<std::vector<InstalledPackage>, std::string>
parse_package_list(std::string_view text) {
  std::vector<InstalledPackage> packages;
  int number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (line.empty()) {
      continue;
    }
    const auto tab1 = line.find('\t');
    const auto tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos || tab1 == 0 || tab2 == tab1 + 1 ||
        tab2 + 1 == line.size()) {
      return std::unexpected(fmt::format(
          "package list line {}: expected NAME<TAB>VERSION<TAB>ARCH, found \"{}\"", number, line));
    }
    packages.push_back({std::string(line.substr(0, tab1)),
                        std::string(line.substr(tab1 + 1, tab2 - tab1 - 1)),
                        std::string(line.substr(tab2 + 1))});
  }
  std::sort(packages.begin(), packages.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return packages;
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string chroot_hook(std::string_view command) {
  return "chroot \"$1\" /bin/sh -c " + shell_quote(command);
}

std::vector<std::string> mmdebstrap_arguments(const profiles::ImageBuild& build,
                                              const MmdebstrapPaths& paths) {
  std::vector<std::string> args = {
      paths.mmdebstrap,
      "--mode=root",
      "--format=tar",
      fmt::format("--variant={}", profiles::to_string(build.variant)),
      fmt::format("--architectures={}", k_image_architecture),
      fmt::format("--components={}", join(build.components, ",")),
      fmt::format("--include={}", join(build.packages, ",")),
      // ./dev is written by Atelier without device nodes (dev_tar_entries).
      "--skip=output/dev",
  };
  // mmdebstrap installs without Recommends unless told; a desktop task relies on them.
  if (build.install_recommends) {
    args.emplace_back("--aptopt=APT::Install-Recommends \"true\"");
  }
  // Snapshot Release files are past their Valid-Until by design.
  const bool snapshot = is_snapshot(build.mirror) ||
                        std::any_of(build.sources.begin(), build.sources.end(), is_snapshot);
  if (snapshot) {
    args.emplace_back("--aptopt=Acquire::Check-Valid-Until \"false\"");
  }
  for (const auto& command : build.customize) {
    args.push_back("--customize-hook=" + chroot_hook(command));
  }
  // The build options above are for the build only: the delivered machine keeps apt's defaults
  // (and its replay protection). The build host's resolver and name have no business in the image;
  // the deploy writes the machine's own hostname.
  args.emplace_back("--customize-hook=rm -f \"$1/etc/apt/apt.conf.d/99mmdebstrap\" "
                    "\"$1/etc/resolv.conf\" && echo localhost > \"$1/etc/hostname\"");
  // Last, so that packages installed by the profile's commands are listed too.
  args.push_back("--customize-hook=dpkg-query --admindir=\"$1/var/lib/dpkg\" -W "
                 "-f='${Package}\\t${Version}\\t${Architecture}\\n' > " +
                 shell_quote(paths.package_list));
  args.emplace_back("--");
  args.push_back(build.suite);
  args.emplace_back("-"); // the tar stream on stdout
  args.push_back(build.mirror);
  args.insert(args.end(), build.sources.begin(), build.sources.end());
  return args;
}

std::string dev_tar_entries(std::int64_t mtime) {
  std::string out;
  out += ustar_header("./dev/", 0755, '5', "", mtime);
  out += ustar_header("./dev/fd", 0777, '2', "/proc/self/fd", mtime);
  out += ustar_header("./dev/pts/", 0755, '5', "", mtime);
  out += ustar_header("./dev/shm/", 01777, '5', "", mtime);
  out += ustar_header("./dev/stderr", 0777, '2', "/proc/self/fd/2", mtime);
  out += ustar_header("./dev/stdin", 0777, '2', "/proc/self/fd/0", mtime);
  out += ustar_header("./dev/stdout", 0777, '2', "/proc/self/fd/1", mtime);
  return out;
}

std::optional<std::string> missing_package_in_log(std::string_view log) {
  while (!log.empty()) {
    const auto nl = log.find('\n');
    const std::string_view line = log.substr(0, nl);
    log.remove_prefix(nl == std::string_view::npos ? log.size() : nl + 1);
    if (!line.starts_with("E: ")) {
      continue;
    }
    static constexpr std::string_view k_locate = "E: Unable to locate package ";
    if (line.starts_with(k_locate)) {
      return std::string(trim(line.substr(k_locate.size())));
    }
    if (auto name = quoted_after(line, "E: Package ");
        name && line.find("has no installation candidate") != std::string_view::npos) {
      return name;
    }
    // "E: Version '1.2' for 'vim' was not found", "E: Release 'x' for 'vim' was not found"
    if ((line.starts_with("E: Version '") || line.starts_with("E: Release '")) &&
        line.ends_with("was not found")) {
      if (auto name = quoted_after(line, "' for ")) {
        return name;
      }
    }
  }
  return std::nullopt;
}

std::string last_lines(std::string_view log, std::size_t lines) {
  while (log.ends_with('\n')) {
    log.remove_suffix(1);
  }
  std::size_t start = log.size();
  for (std::size_t n = 0; n < lines; ++n) {
    const auto nl = start == 0 ? std::string_view::npos : log.rfind('\n', start - 1);
    if (nl == std::string_view::npos) {
      return std::string(log);
    }
    start = nl;
  }
  return std::string(log.substr(start + 1));
}

std::expected<std::int64_t, std::string> release_date(std::string_view release) {
  std::string_view date;
  while (!release.empty()) {
    const auto nl = release.find('\n');
    const std::string_view line = release.substr(0, nl);
    release.remove_prefix(nl == std::string_view::npos ? release.size() : nl + 1);
    if (line.starts_with("Date:")) {
      date = trim(line.substr(5));
      break;
    }
  }
  if (date.empty()) {
    return std::unexpected("the Release file has no Date: field");
  }
  // RFC 2822 as apt writes it: "Sat, 10 May 2025 09:27:19 UTC" (the weekday is optional).
  const std::string text(date);
  std::string_view rest = text;
  if (const auto comma = rest.find(','); comma != std::string_view::npos) {
    rest.remove_prefix(comma + 1);
  }
  static constexpr std::array<std::string_view, 12> k_months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned day = 0;
  int year = 0;
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  char month_name[4] = {};
  char zone[8] = {};
  const std::string fields(trim(rest));
  if (std::sscanf(fields.c_str(), "%u %3s %d %u:%u:%u %7s", &day, month_name, &year, &hour, &minute,
                  &second, zone) != 7 ||
      (std::string_view(zone) != "UTC" && std::string_view(zone) != "GMT" &&
       std::string_view(zone) != "+0000")) {
    return std::unexpected(
        fmt::format("the Release file's Date \"{}\" is not in UTC RFC 2822 form", date));
  }
  const auto month = std::find(k_months.begin(), k_months.end(), std::string_view(month_name));
  const std::chrono::year_month_day ymd{
      std::chrono::year{year},
      std::chrono::month{static_cast<unsigned>(month - k_months.begin() + 1)},
      std::chrono::day{day}};
  if (month == k_months.end() || !ymd.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::unexpected(fmt::format("the Release file's Date \"{}\" is not a valid date", date));
  }
  const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + hour * 3600 + minute * 60 + second;
}

std::string manifest_to_json(const ImageManifest& m) {
  json packages = json::array();
  for (const auto& p : m.packages) {
    packages.push_back(
        {{"name", p.name}, {"version", p.version}, {"architecture", p.architecture}});
  }
  const json j = {
      {"schema", k_image_manifest_schema},
      {"profile", m.profile},
      {"key", m.key},
      {"inputs", inputs_json(m.inputs)},
      {"built_at", m.built_at},
      {"build_seconds", m.build_seconds},
      {"source_date_epoch", m.source_date_epoch},
      {"archive",
       {{"format", "tar"},
        {"compression", "zstd"},
        {"sha256", m.sha256},
        {"size_bytes", m.size_bytes},
        {"content_bytes", m.content_bytes}}},
      {"packages", packages},
  };
  return j.dump(2) + "\n";
}

std::expected<ImageManifest, std::string> manifest_from_json(std::string_view text) {
  try {
    const json j = json::parse(text);
    if (j.at("schema") != k_image_manifest_schema) {
      return std::unexpected(
          fmt::format("schema {} is not {}", j.at("schema").dump(), k_image_manifest_schema));
    }
    ImageManifest m;
    m.profile = j.at("profile").get<std::string>();
    m.key = j.at("key").get<std::string>();
    auto inputs = inputs_from_json(j.at("inputs"));
    if (!inputs) {
      return std::unexpected(inputs.error());
    }
    m.inputs = std::move(*inputs);
    m.built_at = j.at("built_at").get<std::string>();
    m.build_seconds = j.at("build_seconds").get<std::int64_t>();
    m.source_date_epoch = j.at("source_date_epoch").get<std::int64_t>();
    m.sha256 = j.at("archive").at("sha256").get<std::string>();
    m.size_bytes = j.at("archive").at("size_bytes").get<std::uint64_t>();
    m.content_bytes = j.at("archive").at("content_bytes").get<std::uint64_t>();
    for (const auto& p : j.at("packages")) {
      m.packages.push_back({p.at("name").get<std::string>(), p.at("version").get<std::string>(),
                            p.at("architecture").get<std::string>()});
    }
    return m;
  } catch (const json::exception& e) {
    return std::unexpected(fmt::format("not an image manifest: {}", e.what()));
  }
}

} // namespace atelier::osbuild
