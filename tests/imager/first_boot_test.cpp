// The household's first-boot account step (imager/deploy/first_boot.h): what the deploy writes into
// an extracted tree, what it refuses, and the script itself run by the real /bin/sh with the
// answers on its standard input and stand-ins for useradd, chpasswd and getent that record what
// they got. The VM test tests/vm/deploy_boot_test.sh runs it for real over a serial console.
#include "imager/deploy/first_boot.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void touch(const fs::path& path, std::string_view content = "", fs::perms mode = fs::perms(0755)) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
  fs::permissions(path, mode);
}

profiles::Tailoring tailoring(std::string keyboard) {
  profiles::Tailoring t;
  t.locale = "fr_FR.UTF-8";
  t.keyboard = std::move(keyboard);
  t.timezone = "Europe/Paris";
  return t;
}

class FirstBootInstall : public ::testing::Test {
protected:
  // A Debian system as far as the step cares: systemd as init and the passwd tools.
  void debian_with_systemd() {
    touch(root() / "lib/systemd/systemd");
    touch(root() / "usr/sbin/useradd");
    touch(root() / "usr/sbin/chpasswd");
  }
  fs::path root() const { return m_dir.path() / "root"; }
  std::expected<FirstBootSetup, std::string> install(const profiles::Tailoring& t) {
    fs::create_directories(root());
    auto target = TargetRoot::open(root());
    if (!target) {
      return std::unexpected(target.error());
    }
    return install_first_boot(*target, t);
  }

  testing::TempDir m_dir;
};

TEST_F(FirstBootInstall, WritesTheScriptTheUnitItsFlagAndEnablesIt) {
  debian_with_systemd();
  auto setup = install(tailoring("us"));
  ASSERT_TRUE(setup) << setup.error();
  EXPECT_EQ(setup->tool, "atelier-first-boot");
  EXPECT_THAT(setup->note, HasSubstr("atelier-first-boot.service"));
  const fs::path script = root() / "usr/local/sbin/atelier-first-boot";
  EXPECT_EQ(slurp(script), first_boot_script());
  EXPECT_EQ(fs::status(script).permissions() & fs::perms::all, fs::perms(0755));
  const std::string unit = slurp(root() / "etc/systemd/system/atelier-first-boot.service");
  EXPECT_THAT(unit, HasSubstr("ConditionPathExists=/var/lib/atelier/first-boot"));
  EXPECT_THAT(unit, HasSubstr("Before=systemd-user-sessions.service"));
  EXPECT_THAT(unit, HasSubstr("TTYPath=/dev/console"));
  EXPECT_THAT(unit, Not(HasSubstr("plymouth")));
  EXPECT_TRUE(fs::exists(root() / "var/lib/atelier/first-boot"));
  const fs::path wants =
      root() / "etc/systemd/system/multi-user.target.wants/atelier-first-boot.service";
  ASSERT_TRUE(fs::is_symlink(wants));
  EXPECT_EQ(fs::read_symlink(wants), "/etc/systemd/system/atelier-first-boot.service");
  EXPECT_EQ(setup->written.size(), 4U);
}

TEST_F(FirstBootInstall, QuitsPlymouthFirstWhenTheImageHasIt) {
  debian_with_systemd();
  touch(root() / "bin/plymouth");
  auto setup = install(tailoring("us"));
  ASSERT_TRUE(setup) << setup.error();
  EXPECT_THAT(slurp(root() / "etc/systemd/system/atelier-first-boot.service"),
              HasSubstr("ExecStartPre=-/bin/plymouth quit"));
}

TEST_F(FirstBootInstall, GnomeImagesKeepTheirOwnInitialSetup) {
  debian_with_systemd();
  touch(root() / "usr/libexec/gnome-initial-setup");
  touch(root() / "usr/sbin/gdm3");
  auto setup = install(tailoring("fr"));
  ASSERT_TRUE(setup) << setup.error();
  EXPECT_EQ(setup->tool, "gnome-initial-setup");
  EXPECT_TRUE(setup->written.empty());
  EXPECT_FALSE(fs::exists(root() / "etc/systemd/system/atelier-first-boot.service"));
}

TEST_F(FirstBootInstall, AnImageWithoutSystemdFailsTheDeployNamingThePackage) {
  touch(root() / "usr/sbin/useradd");
  touch(root() / "usr/sbin/chpasswd");
  auto setup = install(tailoring("us"));
  ASSERT_FALSE(setup);
  EXPECT_THAT(setup.error(), HasSubstr("systemd-sysv"));
  EXPECT_THAT(setup.error(), HasSubstr("nobody could log in"));
  EXPECT_FALSE(fs::exists(root() / "var/lib/atelier/first-boot"));
}

TEST_F(FirstBootInstall, AnImageWithoutUseraddFailsTheDeploy) {
  touch(root() / "lib/systemd/systemd");
  auto setup = install(tailoring("us"));
  ASSERT_FALSE(setup);
  EXPECT_THAT(setup.error(), HasSubstr("package passwd"));
}

TEST_F(FirstBootInstall, AFrenchLayoutNeedsConsoleSetup) {
  debian_with_systemd();
  auto refused = install(tailoring("fr"));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error(), HasSubstr("console-setup"));
  touch(root() / "bin/setupcon");
  auto setup = install(tailoring("fr"));
  EXPECT_TRUE(setup) << setup.error();
}

// The script as systemd runs it, with stand-ins that log their arguments and input.
class FirstBootScript : public ::testing::Test {
protected:
  void SetUp() override {
    const fs::path bin = m_dir.path() / "bin";
    const std::string log = (m_dir.path() / "log").string();
    touch(bin / "useradd",
          "#!/bin/sh\nfor a; do printf '[%s]' \"$a\"; done >>'" + log + "'\necho >>'" + log +
              "'\n" + "[ -e '" + (m_dir.path() / "useradd-fails").string() +
              "' ] && { echo 'useradd: cannot lock /etc/passwd' >&2; exit 1; }\n" + "exit 0\n");
    touch(bin / "chpasswd", "#!/bin/sh\nprintf 'chpasswd ' >>'" + log + "'\ncat >>'" + log +
                                "'\n[ -e '" + (m_dir.path() / "chpasswd-fails").string() +
                                "' ] && { rm '" + (m_dir.path() / "chpasswd-fails").string() +
                                "'; echo 'chpasswd: PAM failure' >&2; exit 1; }\nexit 0\n");
    touch(bin / "userdel", "#!/bin/sh\necho \"userdel $*\" >>'" + log + "'\n");
    // getent: the groups sudo and audio exist, and the user "taken".
    touch(bin / "getent", "#!/bin/sh\ncase \"$1 $2\" in\n'group sudo'|'group audio'|'passwd "
                          "taken') echo \"$2:x:27:\" ;;\n*) exit 2 ;;\nesac\n");
    touch(m_dir.path() / "script", first_boot_script());
    touch(flag(), "pending\n", fs::perms(0600));
  }

  fs::path flag() const { return m_dir.path() / "first-boot"; }
  std::string log() const { return slurp(m_dir.path() / "log"); }

  // Runs the script with `answers` on its standard input; its standard output.
  std::string run(const std::string& answers, const std::string& lang) {
    std::ofstream(m_dir.path() / "answers") << answers;
    std::ofstream(m_dir.path() / "locale") << "LANG=" << lang << "\n";
    const std::string d = m_dir.path().string();
    return test::must_run("cd '" + d + "' && env -i PATH='" + d +
                          "/bin:/usr/bin:/bin' ATELIER_FIRST_BOOT_FLAG='" + flag().string() +
                          "' ATELIER_FIRST_BOOT_LOCALE='" + d +
                          "/locale' /bin/sh ./script <answers");
  }

  testing::TempDir m_dir;
};

TEST_F(FirstBootScript, AsksInFrenchRefusesBadAnswersAndCreatesTheAccountOnce) {
  const std::string out = run("Jeanne: Dupont\n"
                              "Bad User\n"
                              "taken\n"
                              "root\n"
                              "famille\n"
                              "\n"              // empty password
                              "s3cret\nother\n" // confirmation differs
                              "s3cret\ns3cret\n",
                              "fr_FR.UTF-8");
  EXPECT_THAT(out, HasSubstr("Bienvenue sur votre ordinateur"));
  EXPECT_THAT(out, HasSubstr("« Bad User » ne convient pas"));
  EXPECT_THAT(out, HasSubstr("« taken » existe déjà"));
  EXPECT_THAT(out, HasSubstr("« root » ne convient pas"));
  EXPECT_THAT(out, HasSubstr("Le mot de passe ne peut pas être vide"));
  EXPECT_THAT(out, HasSubstr("Les deux mots de passe diffèrent"));
  EXPECT_THAT(out, HasSubstr("Le compte « famille » est prêt"));
  // The name without the characters useradd refuses; only the groups the system has.
  EXPECT_THAT(log(), HasSubstr("[-m][-s]["));
  EXPECT_THAT(log(), HasSubstr("][-c][Jeanne Dupont][-G][sudo,audio][famille]\n"));
  EXPECT_THAT(log(), HasSubstr("chpasswd famille:s3cret\n"));
  EXPECT_FALSE(fs::exists(flag()));
  // A second start does nothing.
  const std::string again = run("", "fr_FR.UTF-8");
  EXPECT_EQ(again, "");
}

TEST_F(FirstBootScript, SpeaksEnglishOtherwiseAndStartsAgainWhenThePasswordCannotBeSet) {
  std::ofstream(m_dir.path() / "chpasswd-fails") << "";
  const std::string out = run("\nfamily\npw\npw\n\nfamily\npw2\npw2\n", "C.UTF-8");
  EXPECT_THAT(out, HasSubstr("Welcome to your computer!"));
  EXPECT_THAT(out, HasSubstr("could not be created (chpasswd: chpasswd: PAM failure)"));
  EXPECT_THAT(out, HasSubstr("The account \"family\" is ready"));
  // The half-made account is removed before asking again.
  EXPECT_THAT(log(), HasSubstr("userdel -r family\n"));
  EXPECT_THAT(log(), HasSubstr("chpasswd family:pw2\n"));
  EXPECT_FALSE(fs::exists(flag()));
}

TEST_F(FirstBootScript, UntilAnAccountExistsTheFlagStays) {
  std::ofstream(m_dir.path() / "useradd-fails") << "";
  // The answers run out while useradd keeps failing: the script is stopped by the test's timeout
  // wrapper, and the flag is still there for the next start.
  const std::string d = m_dir.path().string();
  std::ofstream(m_dir.path() / "answers") << "\nfamily\npw\npw\n";
  std::ofstream(m_dir.path() / "locale") << "LANG=C.UTF-8\n";
  const auto result = test::run_command("cd '" + d + "' && env -i PATH='" + d +
                                        "/bin:/usr/bin:/bin' ATELIER_FIRST_BOOT_FLAG='" +
                                        flag().string() + "' ATELIER_FIRST_BOOT_LOCALE='" + d +
                                        "/locale' timeout 2 /bin/sh ./script <answers");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("could not be created (useradd: useradd: cannot lock"));
  EXPECT_TRUE(fs::exists(flag()));
}

} // namespace
} // namespace atelier::imager
