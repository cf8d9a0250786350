// Mapping a TFTP file name onto the served directory without letting it out. Path traversal is the
// classic TFTP hole (PXE-NOTES): the server is read-only and serves only what lies under its root.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace atelier::pxe::tftp {

enum class PathRefusal : std::uint8_t {
  empty,                 // nothing left after removing "." and empty components
  nul_byte,              // a NUL inside the name (C APIs would cut it short)
  parent_reference,      // a ".." component, with / or \ as separator
  absolute_outside_root, // an absolute name that is not under the root
  escapes_root,          // on disk: a symlink (or ..) resolves outside the root
  not_found,             // on disk: the file does not exist
  io_error,              // on disk: resolving failed otherwise
};

struct PathError {
  PathRefusal refusal = PathRefusal::empty;
  std::string message; // for the log line: "\"../etc/passwd\": \"..\" component refused"
};

// Pure, lexical: no filesystem access. Rules:
//  - NUL bytes are refused.
//  - "\" counts as a separator like "/": boot files configured on Windows servers are requested as
//    "boot\x64\wdsnbp.com", and "..\x" must not slip past the ".." rule.
//  - any ".." component is refused, even one that would stay inside the root ("a/../b").
//  - an absolute name is accepted only when it lies under `root` (then taken relative to it);
//    any other absolute name ("/etc/passwd") is refused.
//  - "." and empty components ("a//b", "./a") are dropped.
// `root` should be absolute and lexically normal. The result is root / the remaining components.
std::expected<std::filesystem::path, PathError>
resolve_request_path(const std::filesystem::path& root, std::string_view requested);

// Touches the filesystem (unlike everything else in the pxe codecs): resolves symlinks in both
// `root` and `path` (std::filesystem::canonical) and refuses a path that ends up outside the root,
// e.g. a symlink under the root pointing at /etc. Returns the canonical path to open. Contract:
// this is a check at one moment; a directory writable by others could change between the check and
// the open. The root must not be writable by anyone but its owner, and the server should open the
// returned path with O_NOFOLLOW.
std::expected<std::filesystem::path, PathError> confine_to_root(const std::filesystem::path& root,
                                                                const std::filesystem::path& path);

} // namespace atelier::pxe::tftp
