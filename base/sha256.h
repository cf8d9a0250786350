// SHA-256 over data that arrives in pieces (OpenSSL's EVP interface, behind a small value type).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace atelier::base {

class Sha256 {
public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  void update(std::string_view data);
  // The digest as 64 lower-case hex digits; the object is spent afterwards.
  std::string hex_digest();

private:
  struct State;
  std::unique_ptr<State> m_state;
};

std::string sha256_hex(std::string_view data);

} // namespace atelier::base
