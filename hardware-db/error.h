// Errors of the hardware database, as values (std::expected). Exceptions never cross this library's
// API.
//
// An error is an English sentence (`message`: logs, the REST API and atelierd use it as it is) and,
// when the database wrote it, the pattern it was made from and the values that filled it, so that a
// program that speaks to people (the `atelier` command) renders it in its reader's language
// (docs/TRANSLATING.md, "The hardware database's errors"). The patterns are marked failf(code,
// "...", args) (xgettext keyword failf:2); this library links no catalogue.
#pragma once

#include "base/message.h"

#include <expected>
#include <memory>
#include <string>
#include <utility>

namespace atelier::hwdb {

enum class ErrorCode {
  invalid_argument, // the caller's input is malformed (a mistyped tag, a bad MAC)
  not_found,        // a lookup by an identifier the user typed found nothing
  conflict,         // the record changed under us, or a uniqueness rule was hit
  refused,          // a business rule refused the operation (e.g. a lifecycle transition)
  storage,          // the backend failed (I/O, corruption, locked database)
  unsupported,      // e.g. a database written by a newer Atelier, or an unknown backend
};

struct Error {
  ErrorCode code = ErrorCode::storage;
  std::string message; // complete sentence for an operator; names the unit, field or file involved
  // The English pattern `message` was filled from, a string literal with named placeholders; null
  // when `message` has none (a backend's text, shown as written in every language).
  const char* pattern = nullptr;
  base::MessageValues values{}; // the placeholders' values, never translated
  // The value of the placeholder {error}, when it is another error (rendered in the same language).
  std::shared_ptr<const Error> cause = nullptr;
};

template <typename T>
using Result = std::expected<T, Error>;

// An error whose message is not a pattern (the backend's text, a message from elsewhere).
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{.code = code, .message = std::move(message)});
}

// An error made from `pattern` (a string literal, marked for translation: keyword failf:2) filled
// with `args`.
inline Error error_of(ErrorCode code, const char* pattern, base::MessageArgs args) {
  return Error{.code = code,
               .message = base::format_message(pattern, args),
               .pattern = pattern,
               .values = base::message_values(args)};
}
inline std::unexpected<Error> failf(ErrorCode code, const char* pattern, base::MessageArgs args) {
  return std::unexpected(error_of(code, pattern, args));
}
// The same with another error as the value of {error} (its English in `message`, itself kept for
// rendering in another language).
inline std::unexpected<Error> failf(ErrorCode code, const char* pattern, base::MessageArgs args,
                                    Error cause) {
  Error e = error_of(code, pattern, args);
  e.values.emplace_back("error", cause.message);
  e.message = base::format_message(pattern, e.values);
  e.cause = std::make_shared<const Error>(std::move(cause));
  return std::unexpected(std::move(e));
}

} // namespace atelier::hwdb
