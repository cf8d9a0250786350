// Specification of HTTP boot routing (pxe/http_routes.h): only the script route and exact table
// keys are ever served, and byte ranges follow RFC 9110.
#include "pxe/http_routes.h"

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

const HttpFileTable k_files = {{"/boot/vmlinuz", "/srv/atelier/vmlinuz"},
                               {"/boot/initrd.img", "/srv/atelier/initrd.img"},
                               {"/ipxe/ipxe.efi", "/usr/lib/ipxe/ipxe.efi"}};

bool is_not_found(std::string_view target) {
  return std::holds_alternative<NotFoundRoute>(route_http_request(target, k_files));
}

// Both spellings iPXE produces (${mac} and ${mac:hexhyp}), either case.
TEST(HttpRoutes, ParsesMacWithColonsOrHyphens) {
  const base::MacAddress expected{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};
  EXPECT_EQ(parse_mac_address("52:54:00:a7:e1:01"), expected);
  EXPECT_EQ(parse_mac_address("52-54-00-A7-E1-01"), expected);
  EXPECT_FALSE(parse_mac_address("52:54-00:a7:e1:01"));
  EXPECT_FALSE(parse_mac_address("52:54:00:a7:e1"));
  EXPECT_FALSE(parse_mac_address("52:54:00:a7:e1:0g"));
  EXPECT_FALSE(parse_mac_address("525400a7e101"));
}

// The per-machine script, including a MAC whose colons were percent-escaped on the way.
TEST(HttpRoutes, RoutesScriptRequestsByMac) {
  for (const auto* target :
       {"/boot/52:54:00:a7:e1:01.ipxe", "/boot/52-54-00-a7-e1-01.ipxe",
        "/boot/52%3A54%3A00%3Aa7%3Ae1%3A01.ipxe", "/boot/52:54:00:a7:e1:01.ipxe?retry=1"}) {
    const auto route = route_http_request(target, k_files);
    const auto* script = std::get_if<ScriptRoute>(&route);
    ASSERT_NE(script, nullptr) << target;
    EXPECT_EQ(script->mac.str(), "52:54:00:a7:e1:01");
  }
}

// A malformed MAC is not a machine: 404, not a script with garbage in it.
TEST(HttpRoutes, MalformedMacIsNotFound) {
  EXPECT_TRUE(is_not_found("/boot/zz:54:00:a7:e1:01.ipxe"));
  EXPECT_TRUE(is_not_found("/boot/.ipxe"));
  EXPECT_TRUE(is_not_found("/boot/../52:54:00:a7:e1:01.ipxe"));
}

// Files come only from the table, by exact key.
TEST(HttpRoutes, RoutesExactTableKeysOnly) {
  const auto route = route_http_request("/boot/vmlinuz", k_files);
  const auto* file = std::get_if<FileRoute>(&route);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->file_path, "/srv/atelier/vmlinuz");
  EXPECT_TRUE(is_not_found("/boot/vmlinuz/"));
  EXPECT_TRUE(is_not_found("/boot//vmlinuz"));
  EXPECT_TRUE(is_not_found("/boot/./vmlinuz"));
  EXPECT_TRUE(is_not_found("/BOOT/vmlinuz"));
}

// The classic traversals never reach the filesystem: they are simply not table keys.
TEST(HttpRoutes, AnEfiBinaryIsSaidSoAndAnythingElseIsOpaque) {
  EXPECT_EQ(http_content_type("/ipxe/ipxe.efi"), "application/efi");
  EXPECT_EQ(http_content_type("/boot/initrd.img"), "application/octet-stream");
  EXPECT_EQ(http_content_type("/boot/vmlinuz"), "application/octet-stream");
}

TEST(HttpRoutes, TraversalIsNotFound) {
  EXPECT_TRUE(is_not_found("/boot/../etc/passwd"));
  EXPECT_TRUE(is_not_found("/etc/passwd"));
  EXPECT_TRUE(is_not_found("/boot/%2e%2e/etc/passwd"));
  EXPECT_TRUE(is_not_found("/boot/vmlinuz%00"));
  EXPECT_TRUE(is_not_found("/boot/vmlinuz%"));
  EXPECT_TRUE(is_not_found("/"));
  EXPECT_TRUE(is_not_found(""));
}

// One range, the three RFC spellings; clamped to the file.
TEST(HttpRoutes, DecidesSingleByteRanges) {
  auto d = decide_byte_range("bytes=0-99", 1000);
  EXPECT_EQ(d.outcome, RangeOutcome::partial);
  EXPECT_EQ(d.range, (ByteRange{0, 99}));
  d = decide_byte_range("bytes=900-", 1000);
  EXPECT_EQ(d.range, (ByteRange{900, 999}));
  d = decide_byte_range("bytes=-10", 1000);
  EXPECT_EQ(d.range, (ByteRange{990, 999}));
  d = decide_byte_range("bytes=990-5000", 1000);
  EXPECT_EQ(d.range, (ByteRange{990, 999}));
  d = decide_byte_range("bytes=-5000", 1000);
  EXPECT_EQ(d.range, (ByteRange{0, 999}));
}

// Past the end is 416; anything we do not understand falls back to the whole file, as the RFC
// allows, rather than failing a boot.
TEST(HttpRoutes, UnsatisfiableOrIgnoredRanges) {
  EXPECT_EQ(decide_byte_range("bytes=1000-", 1000).outcome, RangeOutcome::unsatisfiable);
  EXPECT_EQ(decide_byte_range("bytes=-0", 1000).outcome, RangeOutcome::unsatisfiable);
  EXPECT_EQ(decide_byte_range("bytes=0-1,5-6", 1000).outcome, RangeOutcome::whole_file);
  EXPECT_EQ(decide_byte_range("items=0-1", 1000).outcome, RangeOutcome::whole_file);
  EXPECT_EQ(decide_byte_range("bytes=5-1", 1000).outcome, RangeOutcome::whole_file);
  EXPECT_EQ(decide_byte_range("bytes=x-1", 1000).outcome, RangeOutcome::whole_file);
  EXPECT_EQ(decide_byte_range("bytes=-", 1000).outcome, RangeOutcome::whole_file);
}

// Resumed image downloads: the validators change with the file, and If-Range holding an old
// validator (or a weak ETag) turns the Range off, so two versions are never spliced.
TEST(HttpRoutes, IfRangeAllowsTheRangeOnlyForTheCurrentVersion) {
  const auto etag = file_etag(0x1234, 1000, 1'700'000'000'123'456'789);
  EXPECT_EQ(etag, "\"1234-3e8-17979cfe3d85cd15\"");
  EXPECT_NE(file_etag(0x1234, 1000, 1'700'000'000'123'456'790), etag);
  EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  const auto date = http_date(1'700'000'000);
  EXPECT_TRUE(if_range_allows("", etag, date));
  EXPECT_TRUE(if_range_allows(etag, etag, date));
  EXPECT_TRUE(if_range_allows(date, etag, date));
  EXPECT_FALSE(if_range_allows("\"old\"", etag, date));
  EXPECT_FALSE(if_range_allows("W/" + etag, etag, date));
  EXPECT_FALSE(if_range_allows(http_date(1'600'000'000), etag, date));
}

} // namespace
} // namespace atelier::pxe
