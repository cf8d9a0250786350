// [image.build]: how `atelier image build` makes the profile's image with mmdebstrap. The schema,
// key by key, is in docs/PROFILES.md; the checks here are shape checks (a typo in a package name is
// caught by apt at build time, where the builder names it), but everything that would make
// mmdebstrap misread its command line is refused here, with the line and column.
#include "profiles/detail/loaders.h"
#include "profiles/detail/toml_reader.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::profiles::detail {
namespace {

bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool only(std::string_view s, bool (*allowed)(char)) {
  return std::all_of(s.begin(), s.end(), allowed);
}

// Debian suite and codename: "bookworm", "stable", "bookworm-backports".
std::optional<std::string> check_suite(std::string_view suite) {
  const bool ok = !suite.empty() && suite.size() <= 64 && is_lower_or_digit(suite.front()) &&
                  only(suite, [](char c) { return is_lower_or_digit(c) || c == '-' || c == '.'; });
  if (!ok) {
    return fmt::format("\"{}\" is not a suite name such as \"bookworm\" or \"stable\"", suite);
  }
  return std::nullopt;
}

// A repository URI as apt and mmdebstrap take it: http(s)://host/..., or file:///absolute/path.
std::optional<std::string> check_repository_uri(std::string_view uri) {
  if (uri.empty()) {
    return "must not be empty";
  }
  if (std::any_of(uri.begin(), uri.end(), [](char c) { return c == ' ' || c == '\t'; })) {
    return fmt::format("\"{}\": a URI has no spaces", uri);
  }
  const std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    return fmt::format("\"{}\" is not a URI such as \"http://deb.debian.org/debian\"", uri);
  }
  const std::string_view scheme = uri.substr(0, scheme_end);
  const std::string_view rest = uri.substr(scheme_end + 3);
  if (scheme == "file") {
    if (!rest.starts_with('/')) {
      return fmt::format("\"{}\": write a local repository as file:///absolute/path", uri);
    }
    return std::nullopt;
  }
  if (scheme != "http" && scheme != "https") {
    return fmt::format("unsupported URI scheme '{}' (use http, https or file)", scheme);
  }
  if (rest.empty() || rest.front() == '/') {
    return fmt::format("\"{}\": the URI has no host", uri);
  }
  return std::nullopt;
}

std::optional<std::string> check_component(std::string_view component) {
  const bool ok = !component.empty() && is_lower_or_digit(component.front()) &&
                  only(component, [](char c) { return is_lower_or_digit(c) || c == '-'; });
  if (!ok) {
    return fmt::format("\"{}\" is not an archive component such as \"main\" or "
                       "\"non-free-firmware\"",
                       component);
  }
  return std::nullopt;
}

// The package name of an apt request: "vim" of "vim=2:9.0", "linux-image-amd64/bookworm-backports".
std::string_view package_name(std::string_view request) {
  return request.substr(0, request.find_first_of("=/"));
}

// Debian policy 5.6.1: lower-case letters, digits, '+', '-', '.', at least two characters,
// starting with a letter or digit. Then optionally "=VERSION" or "/RELEASE" (apt's syntax).
std::optional<std::string> check_package(std::string_view request) {
  if (request.find_first_of(" \t,") != std::string_view::npos) {
    return fmt::format("\"{}\": one package per string, e.g. [\"linux-image-amd64\", "
                       "\"grub2-common\"]",
                       request);
  }
  const std::string_view name = package_name(request);
  const bool name_ok =
      name.size() >= 2 && is_lower_or_digit(name.front()) &&
      only(name, [](char c) { return is_lower_or_digit(c) || c == '+' || c == '-' || c == '.'; });
  if (!name_ok) {
    const bool upper =
        std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    return fmt::format("\"{}\" is not a Debian package name{}", request,
                       upper ? " (package names are lower case)"
                             : " (a-z, 0-9, '+', '-', '.', at least two characters)");
  }
  if (name.size() == request.size()) {
    return std::nullopt;
  }
  const char separator = request[name.size()];
  const std::string_view qualifier = request.substr(name.size() + 1);
  if (separator == '=') {
    const bool ok = !qualifier.empty() && only(qualifier, [](char c) {
      return is_lower_or_digit(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '~' ||
             c == ':' || c == '-';
    });
    if (!ok) {
      return fmt::format("\"{}\": \"{}\" is not a package version", request, qualifier);
    }
  } else if (auto why = check_suite(qualifier)) {
    return fmt::format("\"{}\": after '/' comes a release: {}", request, *why);
  }
  return std::nullopt;
}

// One-line-style apt source: "deb [options] URI SUITE [COMPONENT...]". A suite ending in '/' is a
// flat repository and takes no components; any other suite needs at least one.
std::optional<std::string> check_source_line(std::string_view line) {
  std::vector<std::string_view> words;
  for (std::size_t at = 0; at < line.size();) {
    at = line.find_first_not_of(" \t", at);
    if (at == std::string_view::npos) {
      break;
    }
    // Options are one word even with spaces inside: "[arch=amd64 signed-by=/usr/share/...]".
    const std::size_t end = line[at] == '[' ? line.find(']', at) : line.find_first_of(" \t", at);
    if (line[at] == '[' && end == std::string_view::npos) {
      return "the options' '[' has no ']'";
    }
    const std::size_t stop = line[at] == '[' ? end + 1 : end;
    words.push_back(line.substr(at, stop == std::string_view::npos ? line.size() - at : stop - at));
    at = stop == std::string_view::npos ? line.size() : stop;
  }
  constexpr std::string_view k_shape = "write \"deb URI SUITE COMPONENT...\", e.g. \"deb "
                                       "http://security.debian.org/debian-security "
                                       "bookworm-security main\"";
  if (words.empty() || words.front() != "deb") {
    if (!words.empty() && words.front() == "deb-src") {
      return "deb-src lines fetch source packages, which an image does not install; use deb";
    }
    return fmt::format("must start with \"deb\": {}", k_shape);
  }
  std::size_t next = 1;
  if (next < words.size() && words[next].starts_with('[')) {
    ++next;
  }
  if (words.size() < next + 2) {
    return fmt::format("needs a URI and a suite: {}", k_shape);
  }
  if (auto why = check_repository_uri(words[next])) {
    return why;
  }
  const std::string_view suite = words[next + 1];
  const std::size_t components = words.size() - next - 2;
  if (suite.ends_with('/')) {
    if (components > 0) {
      return fmt::format("\"{}\" is a flat repository (it ends in '/'), which takes no components",
                         suite);
    }
    return std::nullopt;
  }
  if (auto why = check_suite(suite)) {
    return why;
  }
  if (components == 0) {
    return fmt::format("names no component after \"{}\": {}", suite, k_shape);
  }
  for (std::size_t i = next + 2; i < words.size(); ++i) {
    if (auto why = check_component(words[i])) {
      return why;
    }
  }
  return std::nullopt;
}

using Check = std::optional<std::string> (*)(std::string_view);

// A non-empty array of strings, each passing `check`; `distinct` compares with `key_of`.
// nullopt when absent or when any element is wrong (every wrong element is reported).
std::optional<std::vector<std::string>>
string_list(const TableReader& t, std::string_view key, Need need, Check check, bool distinct,
            std::string_view (*key_of)(std::string_view) = nullptr) {
  const toml::array* items = t.array(key, need);
  if (items == nullptr) {
    return std::nullopt;
  }
  if (items->empty()) {
    t.error(key, "must not be empty (leave the key out to get the default)");
    return std::nullopt;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const toml::node& node = (*items)[i];
    const std::string path = fmt::format("{}[{}]", t.key_path(key), i);
    auto value = read_string(t.reporter(), node, path);
    if (!value) {
      ok = false;
      continue;
    }
    if (auto why = check(*value)) {
      t.reporter().error(node.source(), path, std::move(*why));
      ok = false;
      continue;
    }
    if (distinct) {
      const std::string_view id = key_of != nullptr ? key_of(*value) : std::string_view(*value);
      const auto earlier = std::find_if(values.begin(), values.end(), [&](const std::string& v) {
        return (key_of != nullptr ? key_of(v) : std::string_view(v)) == id;
      });
      if (earlier != values.end()) {
        t.reporter().error(node.source(), path,
                           fmt::format("\"{}\" is listed twice (also {}[{}])", id, t.key_path(key),
                                       earlier - values.begin()));
        ok = false;
        continue;
      }
    }
    values.push_back(std::move(*value));
  }
  return ok ? std::optional(std::move(values)) : std::nullopt;
}

std::optional<std::string> check_command(std::string_view command) {
  if (command.find_first_not_of(" \t\n") == std::string_view::npos) {
    return "an empty command: remove it";
  }
  return std::nullopt;
}

} // namespace

void read_image_build(const TableReader& image_table, const Image& image,
                      std::optional<ImageBuild>& out) {
  const toml::table* table = image_table.subtable("build", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(image_table.reporter(), *table, "image.build",
                      {"suite", "mirror", "variant", "components", "packages", "install_recommends",
                       "sources", "customize"});
  if (image.format == ImageFormat::raw_disk) {
    image_table.error("build", "builds rootfs archives with mmdebstrap; a raw-disk image is made "
                               "elsewhere (remove [image.build] or use format = "
                               "\"rootfs-archive\")");
    return;
  }
  ImageBuild build;
  if (auto suite = t.string("suite", Need::optional)) {
    if (auto why = check_suite(*suite)) {
      t.error("suite", std::move(*why));
    }
    build.suite = std::move(*suite);
  }
  if (auto mirror = t.string("mirror", Need::optional)) {
    if (auto why = check_repository_uri(*mirror)) {
      t.error("mirror", std::move(*why));
    }
    build.mirror = std::move(*mirror);
  }
  if (auto variant = t.choice("variant", Need::optional, k_build_variants)) {
    build.variant = *variant;
  }
  if (auto components = string_list(t, "components", Need::optional, check_component, true)) {
    build.components = std::move(*components);
  }
  if (auto packages =
          string_list(t, "packages", Need::required, check_package, true, package_name)) {
    const bool kernel = std::any_of(packages->begin(), packages->end(), [](const std::string& p) {
      return package_name(p).starts_with("linux-image-");
    });
    if (!kernel) {
      t.warning("packages", "no kernel package (linux-image-amd64 or another linux-image-*): "
                            "machines will not boot this image");
    }
    build.packages = std::move(*packages);
  }
  if (auto recommends = t.boolean("install_recommends", Need::optional)) {
    build.install_recommends = *recommends;
  }
  if (auto sources = string_list(t, "sources", Need::optional, check_source_line, true)) {
    build.sources = std::move(*sources);
  }
  if (auto customize = string_list(t, "customize", Need::optional, check_command, false)) {
    build.customize = std::move(*customize);
  }
  out = std::move(build);
}

} // namespace atelier::profiles::detail
