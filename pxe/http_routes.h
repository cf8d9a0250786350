// Pure request routing for the HTTP boot server: request target in, route out. No sockets, no
// filesystem. Path traversal is impossible by construction: a target is either a per-machine
// script (a validated MAC) or an exact key of the configured file table; anything else is
// not_found, so "/boot/../etc/passwd" and "/etc/passwd" never reach the filesystem at all.
#pragma once

#include "base/mac_address.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace atelier::pxe {

// URL path (exact, e.g. "/boot/vmlinuz") → file on disk.
using HttpFileTable = std::map<std::string, std::filesystem::path, std::less<>>;

// "52:54:00:a7:e1:01" or "52-54-00-a7-e1-01" (iPXE's ${mac} and ${mac:hexhyp}); upper or lower
// case hex; exactly two digits per octet and one separator style throughout. nullopt otherwise.
std::optional<base::MacAddress> parse_mac_address(std::string_view text);

// Decodes %XX escapes once. nullopt for a malformed escape or an encoded NUL. iPXE may escape the
// colons of ${mac} in a URL path, so routing looks at the decoded path.
std::optional<std::string> percent_decode(std::string_view text);

struct ScriptRoute {
  base::MacAddress mac;
};
struct FileRoute {
  std::string url_path;            // the table key that matched
  std::filesystem::path file_path; // the table value
};
struct NotFoundRoute {
  std::string reason; // for the log line: "not in the file table", "malformed MAC \"zz\""
};
using HttpRoute = std::variant<ScriptRoute, FileRoute, NotFoundRoute>;

// `target` is the request-target as received ("/boot/52:54:00:a7:e1:01.ipxe?x=1"); the query
// string is ignored. Scripts live at /boot/<mac>.ipxe (the BootConfig default URL template).
HttpRoute route_http_request(std::string_view target, const HttpFileTable& files);

// The Content-Type of a served file without one set in HttpBootConfig::content_types:
// "application/efi" for an EFI binary, "application/octet-stream" for anything else. UEFI HTTP
// boot decides by the type what it downloaded (UEFI 2.x §24.7.4, EDK2's HttpBootCheckImageType):
// "application/efi" is run, "application/vnd.efi-img" (set for the signed chain's disk, not
// guessed from ".img": initrd.img is no disk) becomes a RAM disk whose removable-path loader runs.
std::string_view http_content_type(std::string_view url_path);

// One satisfiable byte range of a file (RFC 9110 §14.1.2), inclusive `first`..`last`.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome : std::uint8_t {
  whole_file,    // no Range header, or one we ignore (multiple ranges, other units): 200
  partial,       // one satisfiable range: 206
  unsatisfiable, // syntactically fine but outside the file: 416
};

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::whole_file;
  ByteRange range;
};

// Understands one "bytes=a-b", "bytes=a-" or "bytes=-n" range. Multiple ranges are answered with
// the whole file (allowed by RFC 9110, and no boot client asks for them). A malformed header is
// ignored, as the RFC says, rather than refused.
RangeDecision decide_byte_range(std::string_view range_header, std::uint64_t file_size);

// Validators of a served file, so a client resuming a download (the agent fetching an image) can
// tell the file did not change between its attempts (RFC 9110 §8.8, §13.1.5). The ETag is strong
// and changes with the inode, size or modification time: "\"<ino>-<size>-<mtime ns>\"" in hex.
std::string file_etag(std::uint64_t inode, std::uint64_t size, std::int64_t mtime_ns);
// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::int64_t unix_seconds);
// If-Range: the Range applies only when the validator the client holds is the current one (an
// ETag compared strongly, or exactly the Last-Modified date we send); otherwise the whole file
// goes out with 200. An absent If-Range (empty) always allows the Range.
bool if_range_allows(std::string_view if_range, std::string_view etag,
                     std::string_view last_modified);

} // namespace atelier::pxe
