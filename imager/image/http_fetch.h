// The agent's HTTP/1.1 client for images (internal to the imager library): one GET streamed into
// the caller's buffers, synchronous, every network step bounded by a timeout, resumed with a Range
// request after a dropped connection. The rules (ImageStream's contract) are in image_source.h;
// the wire details here.
//
// Resuming safely: the first response's strong ETag (or else its Last-Modified) goes into If-Range
// of every resumed request, so a server whose file changed answers 200 with the new file instead
// of 206, which is refused as source_changed; the Content-Range of a 206 must start at our offset
// and announce the same total. A server that offers neither validator is resumed only when the
// image's sha256 is pinned (`checksum_pinned`): the final check then catches a splice.
#pragma once

#include "imager/image/image_source.h"

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace atelier::imager {

struct HttpUrl {
  std::string host;   // without brackets for IPv6 literals
  std::string port;   // "80" when absent
  std::string target; // path and query, "/" when absent
};

// "http://host[:port][/path]"; "[v6]" literals allowed. No userinfo, no fragment.
std::expected<HttpUrl, ImageError> parse_http_url(std::string_view url);

// Sends the first request and reads its response header (following same-host redirects), so a
// 404 or an unreachable server fails here. The pauses between retries are waited on `clock`, which
// must outlive the source.
std::expected<std::unique_ptr<ByteSource>, ImageError>
open_http_source(std::string_view url, const HttpRetryPolicy& policy,
                 std::function<void(std::string_view)> log, bool checksum_pinned,
                 const base::Clock& clock = base::system_clock());

} // namespace atelier::imager
