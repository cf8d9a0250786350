// Canonical JSON: the one byte sequence a JSON value is signed as (docs/ERASURE-RECORD.md,
// "Canonical form"). It follows RFC 8785 (JSON Canonicalization Scheme) restricted to what a signed
// record may hold: objects, arrays, strings, integers, booleans and null. Floating-point numbers
// are refused rather than rendered, because their shortest round-trip spelling differs between
// libraries; durations and rates are integers (milliseconds, bytes per second) in the record.
//
// The rules, all of RFC 8785 that applies to that subset:
// - no whitespace outside strings;
// - object members sorted by their names compared as UTF-16 code units (as RFC 8785 §3.2.3 says;
//   for ASCII names this is plain byte order), duplicate names impossible (the parser keeps one);
// - strings UTF-8, escaped exactly as ECMAScript JSON.stringify: \" \\ \b \f \n \r \t, other
//   control characters as \u00xx (lowercase hex), everything else verbatim (no \u for non-ASCII,
//   no escaped '/');
// - integers in plain decimal, '-' for negatives, no '+', no leading zeros, no exponent.
// Pure: bytes in, bytes out.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace atelier::records {

// The canonical bytes of `value`, or an error naming the first offending place by its path
// ("record.duration_seconds: floating-point numbers are not allowed in a signed document",
// "record.serial: not valid UTF-8").
std::expected<std::string, std::string> canonical_json(const nlohmann::json& value,
                                                       std::string_view path = "");

bool is_valid_utf8(std::string_view text);
// `text` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD: firmware
// strings (serials, models) are not always UTF-8, and a record must be representable as JSON.
std::string to_valid_utf8(std::string_view text);

} // namespace atelier::records
