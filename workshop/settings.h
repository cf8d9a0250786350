// Where things are when the command line does not say: the documented defaults of docs/CLI.md.
#pragma once

#include <string>

namespace atelier::workshop {

// --db, else $ATELIER_DB, else /var/lib/atelier/atelier.db.
std::string default_database();
// --profiles, else $ATELIER_PROFILES, else /etc/atelier/profiles.
std::string default_profiles_dir();
// --program, else $ATELIER_PROGRAM, else /etc/atelier/program.toml (atelierd's pipeline.program).
std::string default_program_file();
// --key-dir, else $ATELIER_KEY_DIR, else /var/lib/atelier/keys: the workshop's signing key.
std::string default_key_dir();
// Who is acting, for the event log: --actor, else "cli:" + $SUDO_USER or $USER, else "cli".
std::string default_actor();
// The role the local CLI acts in, for the audit log: "admin" when run by root (it can read and
// write the database file anyway), else "local" (a user with access to the database file). The
// HTTP API's accounts bring their own roles.
std::string default_role();

} // namespace atelier::workshop
