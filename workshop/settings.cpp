#include "workshop/settings.h"

#include <cstdlib>
#include <unistd.h>

namespace atelier::workshop {
namespace {
std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? value : fallback;
}
} // namespace

std::string default_database() {
  return env_or("ATELIER_DB", "/var/lib/atelier/atelier.db");
}
std::string default_profiles_dir() {
  return env_or("ATELIER_PROFILES", "/etc/atelier/profiles");
}
std::string default_program_file() {
  return env_or("ATELIER_PROGRAM", "/etc/atelier/program.toml");
}
std::string default_key_dir() {
  return env_or("ATELIER_KEY_DIR", "/var/lib/atelier/keys");
}

std::string default_actor() {
  const std::string sudo_user = env_or("SUDO_USER", "");
  const std::string user = sudo_user.empty() ? env_or("USER", "") : sudo_user;
  return user.empty() ? "cli" : "cli:" + user;
}

std::string default_role() {
  return ::geteuid() == 0 ? "admin" : "local";
}

} // namespace atelier::workshop
