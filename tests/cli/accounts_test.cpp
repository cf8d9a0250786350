// `atelier accounts ...` in-process (run_cli) on a real database: passwords come from a file, the
// commands are the local administrator's, and an account made here logs in over the API.
#include "cli/cli.h"
#include "support/api_fixture.h"

#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace atelier::cli {
namespace {

using nlohmann::json;

class CliAccountsTest : public ::testing::Test {
protected:
  void SetUp() override { m_db = (m_dir / "atelier.db").string(); }

  int run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", m_db});
    m_out.str("");
    m_err.str("");
    return run_cli(args, m_out, m_err);
  }

  std::string password_file(const std::string& name, const std::string& content) {
    const auto path = (m_dir / name).string();
    std::ofstream(path) << content;
    return path;
  }

  testing::TempDir m_dir;
  std::string m_db;
  std::ostringstream m_out;
  std::ostringstream m_err;
};

// Create, list, change role, disable: each visible in `accounts list --json`.
TEST_F(CliAccountsTest, AddListRoleDisable) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "accounts commands are the local root's; run the tests as root";
  }
  const auto pw = password_file("pw", "a long enough passphrase\n");
  ASSERT_EQ(run({"accounts", "add", "alice", "--role", "coordinator", "--password-file", pw}), 0)
      << m_err.str();
  EXPECT_NE(m_out.str().find("account alice (coordinator) created"), std::string::npos);
  ASSERT_EQ(run({"accounts", "add", "bob", "--role", "volunteer", "--password-file", pw}), 0);
  ASSERT_EQ(run({"accounts", "role", "bob", "technician"}), 0) << m_err.str();
  ASSERT_EQ(run({"accounts", "disable", "alice"}), 0) << m_err.str();
  ASSERT_EQ(run({"accounts", "list", "--json"}), 0);
  const auto list = json::parse(m_out.str());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "alice");
  EXPECT_EQ(list[0]["disabled"], true);
  EXPECT_EQ(list[1]["role"], "technician");
  EXPECT_EQ(m_out.str().find("argon2"), std::string::npos);
  ASSERT_EQ(run({"accounts", "disable", "alice", "--undo"}), 0);
  EXPECT_NE(m_out.str().find("enabled"), std::string::npos);
}

// Bad input is named and changes nothing.
TEST_F(CliAccountsTest, RefusesBadRolesShortPasswordsAndUnknownAccounts) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "accounts commands are the local root's; run the tests as root";
  }
  const auto short_pw = password_file("short", "short\n");
  EXPECT_EQ(run({"accounts", "add", "alice", "--role", "coordinator", "--password-file", short_pw}),
            1);
  EXPECT_NE(m_err.str().find("at least 10"), std::string::npos);
  const auto pw = password_file("pw", "a long enough passphrase\n");
  EXPECT_EQ(run({"accounts", "add", "alice", "--role", "boss", "--password-file", pw}), 1);
  EXPECT_NE(m_err.str().find("role 'boss'"), std::string::npos);
  EXPECT_EQ(run({"accounts", "passwd", "nobody", "--password-file", pw}), 1);
  EXPECT_NE(m_err.str().find("no account named 'nobody'"), std::string::npos);
  EXPECT_EQ(run({"accounts", "add", "alice", "--role", "admin", "--password-file",
                 (m_dir / "missing").string()}),
            1);
  ASSERT_EQ(run({"accounts", "list"}), 0);
  EXPECT_NE(m_out.str().find("no accounts"), std::string::npos);
  // There is no way to pass a password on the command line.
  EXPECT_EQ(run({"accounts", "add", "alice", "--role", "admin", "--password", "x"}), 2);
}

// Only the local root manages accounts: another user is refused (checked in a child process that
// drops to nobody, so the test process keeps its rights).
TEST_F(CliAccountsTest, OtherUsersAreRefused) {
  if (::geteuid() != 0) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(run_cli({"--db", m_db, "accounts", "list"}, out, err), 1);
    return;
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(99);
    }
    std::ostringstream out;
    std::ostringstream err;
    const int code = run_cli({"--db", m_db, "accounts", "list"}, out, err);
    const bool named = err.str().find("run it as root") != std::string::npos;
    ::_exit(code == 1 && named ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The CLI and the API share the database: an account made here logs in there.
class CliThenApiTest : public testing::ApiFixture {};

TEST_F(CliThenApiTest, AccountCreatedByTheCliLogsInOverHttp) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "accounts commands are the local root's; run the tests as root";
  }
  const auto pw = (m_dir / "pw").string();
  std::ofstream(pw) << "a long enough passphrase\n";
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(run_cli({"--db", m_db, "accounts", "add", "alice", "--role", "coordinator",
                     "--password-file", pw},
                    out, err),
            0)
      << err.str();
  start();
  const std::string token = login("alice", "a long enough passphrase");
  const auto me = testing::http_call(m_port, "GET", "/api/v1/session", "", token);
  EXPECT_EQ(me.json()["role"], "coordinator");
}

} // namespace
} // namespace atelier::cli
