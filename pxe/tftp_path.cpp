#include "pxe/tftp_path.h"

#include <system_error>
#include <vector>

namespace atelier::pxe::tftp {

namespace {

std::unexpected<PathError> refuse(PathRefusal refusal, std::string_view requested,
                                  std::string_view why) {
  return std::unexpected(
      PathError{refusal, "\"" + std::string(requested) + "\": " + std::string(why)});
}

// True when `path` equals `root` or lies below it, comparing whole components.
bool is_within(const std::filesystem::path& root, const std::filesystem::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty() && std::next(r) == root.end()) {
      return true; // root given with a trailing slash ends in an empty component
    }
    if (p == path.end() || *r != *p) {
      return false;
    }
  }
  return true;
}

} // namespace

std::expected<std::filesystem::path, PathError>
resolve_request_path(const std::filesystem::path& root, std::string_view requested) {
  if (requested.find('\0') != std::string_view::npos) {
    return refuse(PathRefusal::nul_byte, requested, "NUL byte in file name");
  }
  std::string name(requested);
  for (char& c : name) {
    if (c == '\\') {
      c = '/';
    }
  }
  std::string_view rest = name;
  if (!rest.empty() && rest.front() == '/') {
    const std::string root_text = root.lexically_normal().generic_string();
    std::string_view root_view = root_text;
    while (root_view.size() > 1 && root_view.back() == '/') {
      root_view.remove_suffix(1);
    }
    const bool under_root = root_view == "/" || rest == root_view ||
                            (rest.starts_with(root_view) && rest.size() > root_view.size() &&
                             rest[root_view.size()] == '/');
    if (!under_root) {
      return refuse(PathRefusal::absolute_outside_root, requested,
                    "absolute path outside the TFTP root");
    }
    rest.remove_prefix(root_view == "/" ? 0 : root_view.size());
  }
  std::vector<std::string_view> components;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view component = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (component.empty() || component == ".") {
      continue;
    }
    if (component == "..") {
      return refuse(PathRefusal::parent_reference, requested, "\"..\" component refused");
    }
    components.push_back(component);
  }
  if (components.empty()) {
    return refuse(PathRefusal::empty, requested, "no file name");
  }
  std::filesystem::path out = root;
  for (const auto component : components) {
    out /= component;
  }
  return out;
}

std::expected<std::filesystem::path, PathError> confine_to_root(const std::filesystem::path& root,
                                                                const std::filesystem::path& path) {
  std::error_code ec;
  const auto real_root = std::filesystem::canonical(root, ec);
  if (ec) {
    return refuse(PathRefusal::io_error, root.string(),
                  "TFTP root cannot be resolved: " + ec.message());
  }
  const auto real_path = std::filesystem::canonical(path, ec);
  if (ec) {
    const bool missing =
        ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory;
    return refuse(missing ? PathRefusal::not_found : PathRefusal::io_error, path.string(),
                  missing ? "no such file" : "cannot be resolved: " + ec.message());
  }
  if (!is_within(real_root, real_path)) {
    return refuse(PathRefusal::escapes_root, path.string(),
                  "resolves to " + real_path.string() + ", outside the TFTP root " +
                      real_root.string());
  }
  return real_path;
}

} // namespace atelier::pxe::tftp
