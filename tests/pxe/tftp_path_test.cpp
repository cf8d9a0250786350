// Specification of the TFTP path jail (pxe/tftp_path.h): nothing outside the root is ever served.
#include "pxe/tftp_path.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace atelier::pxe::tftp {
namespace {

const std::filesystem::path k_root = "/srv/tftp";

PathRefusal refusal_of(std::string_view requested) {
  const auto resolved = resolve_request_path(k_root, requested);
  EXPECT_FALSE(resolved) << requested << " resolved to " << (resolved ? resolved->string() : "");
  return resolved ? PathRefusal::empty : resolved.error().refusal;
}

// The classic attacks, each refused for the right reason.
TEST(ResolveRequestPath, RefusesTraversal) {
  EXPECT_EQ(refusal_of("../etc/passwd"), PathRefusal::parent_reference);
  EXPECT_EQ(refusal_of("a/../../b"), PathRefusal::parent_reference);
  EXPECT_EQ(refusal_of("a/.."), PathRefusal::parent_reference);
  EXPECT_EQ(refusal_of("..\\x"), PathRefusal::parent_reference);
  EXPECT_EQ(refusal_of("boot\\..\\..\\etc\\shadow"), PathRefusal::parent_reference);
  EXPECT_EQ(refusal_of("/etc/passwd"), PathRefusal::absolute_outside_root);
  EXPECT_EQ(refusal_of("\\etc\\passwd"), PathRefusal::absolute_outside_root);
  EXPECT_EQ(refusal_of("/srv/tftpother/x"),
            PathRefusal::absolute_outside_root); // prefix, not parent
  EXPECT_EQ(refusal_of("/srv/tftp/../x"), PathRefusal::parent_reference);
}

// ".." inside the root would be harmless, but one rule without exceptions is easier to trust.
TEST(ResolveRequestPath, RefusesParentEvenWhenItStaysInside) {
  EXPECT_EQ(refusal_of("efi/../undionly.kpxe"), PathRefusal::parent_reference);
}

// A NUL would cut the name short in C APIs and hide the rest of it.
TEST(ResolveRequestPath, RefusesNulBytes) {
  EXPECT_EQ(refusal_of(std::string_view("ipxe.efi\0../../etc/passwd", 25)), PathRefusal::nul_byte);
}

// Nothing to serve: "", "/", "./".
TEST(ResolveRequestPath, RefusesEmptyNames) {
  EXPECT_EQ(refusal_of(""), PathRefusal::empty);
  EXPECT_EQ(refusal_of("./"), PathRefusal::empty);
  EXPECT_EQ(refusal_of("/srv/tftp"), PathRefusal::empty);
}

// Ordinary names, messy but harmless ones, Windows-style separators and root-prefixed names work.
TEST(ResolveRequestPath, AcceptsNamesUnderTheRoot) {
  EXPECT_EQ(resolve_request_path(k_root, "undionly.kpxe"), k_root / "undionly.kpxe");
  EXPECT_EQ(resolve_request_path(k_root, "efi//./ipxe.efi"), k_root / "efi" / "ipxe.efi");
  EXPECT_EQ(resolve_request_path(k_root, "boot\\x64\\wdsnbp.com"),
            k_root / "boot" / "x64" / "wdsnbp.com");
  EXPECT_EQ(resolve_request_path(k_root, "/srv/tftp/undionly.kpxe"), k_root / "undionly.kpxe");
  EXPECT_EQ(resolve_request_path("/srv/tftp/", "/srv/tftp/a"),
            std::filesystem::path("/srv/tftp/") / "a");
  EXPECT_EQ(resolve_request_path(k_root, "..."), k_root / "..."); // a file name, not a parent
}

// The refusal message names the request so the log line is useful.
TEST(ResolveRequestPath, RefusalMessageNamesTheRequest) {
  const auto refused = resolve_request_path(k_root, "../etc/passwd");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "\"../etc/passwd\": \"..\" component refused");
}

// A real directory jail in a temp dir: symlinks inside are fine, symlinks out are refused.
class ConfineToRoot : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "atelier-tftp-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_base = pattern;
    m_root = m_base / "root";
    std::filesystem::create_directories(m_root / "efi");
    std::ofstream(m_root / "efi" / "ipxe.efi") << "efi";
    std::ofstream(m_base / "secret") << "secret";
    std::filesystem::create_symlink("efi/ipxe.efi", m_root / "inside-link");
    std::filesystem::create_symlink(m_base / "secret", m_root / "outside-link");
    std::filesystem::create_directory_symlink(m_base, m_root / "outside-dir");
  }
  void TearDown() override { std::filesystem::remove_all(m_base); }

  std::filesystem::path m_base;
  std::filesystem::path m_root;
};

// Regular files and links that stay inside are served (canonical path returned).
TEST_F(ConfineToRoot, AcceptsFilesAndLinksInside) {
  const auto root = std::filesystem::canonical(m_root);
  EXPECT_EQ(confine_to_root(m_root, m_root / "efi" / "ipxe.efi"), root / "efi" / "ipxe.efi");
  EXPECT_EQ(confine_to_root(m_root, m_root / "inside-link"), root / "efi" / "ipxe.efi");
}

// The symlink escape that a lexical check cannot see.
TEST_F(ConfineToRoot, RefusesSymlinkOutOfTheJail) {
  const auto file = confine_to_root(m_root, *resolve_request_path(m_root, "outside-link"));
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().refusal, PathRefusal::escapes_root);
  const auto via_dir = confine_to_root(m_root, *resolve_request_path(m_root, "outside-dir/secret"));
  ASSERT_FALSE(via_dir);
  EXPECT_EQ(via_dir.error().refusal, PathRefusal::escapes_root);
}

// Missing files are "not found", distinct from refusals (TFTP error 1 vs 2).
TEST_F(ConfineToRoot, MissingFileIsNotFound) {
  const auto missing = confine_to_root(m_root, m_root / "nope.efi");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().refusal, PathRefusal::not_found);
}

} // namespace
} // namespace atelier::pxe::tftp
