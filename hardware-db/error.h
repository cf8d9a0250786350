// Errors of the hardware database, as values (std::expected). Exceptions never cross this library's
// API.
#pragma once

#include <expected>
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
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

} // namespace atelier::hwdb
