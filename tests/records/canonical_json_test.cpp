#include "records/canonical_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::records {
namespace {

using Json = nlohmann::json;

std::string canonical(const Json& j) {
  auto bytes = canonical_json(j);
  EXPECT_TRUE(bytes.has_value()) << bytes.error();
  return bytes.value_or("");
}

TEST(CanonicalJson, SortsMembersAndDropsWhitespace) {
  // Why: the signature covers bytes; the same value must always give the same bytes.
  EXPECT_EQ(
      canonical(Json::parse(R"({ "b": 1, "a": [true, false, null], "c": {"z": "x", "y": -3} })")),
      R"({"a":[true,false,null],"b":1,"c":{"y":-3,"z":"x"}})");
}

TEST(CanonicalJson, KeyOrderOfTheInputDoesNotMatter) {
  // Why: a record re-serialized by another tool (jq, Python) must verify the same.
  const Json one = Json::parse(R"({"serial":"S1","model":"M","nested":{"b":2,"a":1}})");
  const Json two = Json::parse("{\n  \"nested\": {\"a\": 1, \"b\": 2},\n  \"model\": \"M\",\n"
                               "  \"serial\": \"S1\"\n}");
  EXPECT_EQ(canonical(one), canonical(two));
}

TEST(CanonicalJson, EscapesLikeJsonStringify) {
  // Why: RFC 8785 §3.2.2.2: short escapes, \u00xx lowercase for other controls, UTF-8 verbatim.
  const Json j = std::string("q\" b\\ \b\f\n\r\t \x01\x1f / é €");
  EXPECT_EQ(canonical(j), "\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f / é €\"");
}

TEST(CanonicalJson, OrdersNamesByUtf16CodeUnits) {
  // Why: RFC 8785 §3.2.3 example: U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16,
  // although its UTF-8 bytes (F0 ...) sort after (EF ...).
  const Json j = {{"\xef\xac\xb3", 1}, {"\xf0\x9f\x98\x80", 2}, {"a", 3}};
  EXPECT_EQ(canonical(j), "{\"a\":3,\"\xf0\x9f\x98\x80\":2,\"\xef\xac\xb3\":1}");
}

TEST(CanonicalJson, IntegersArePlainDecimal) {
  // Why: 64-bit byte counts must survive exactly; no exponent, no sign for positives.
  EXPECT_EQ(canonical(Json(18446744073709551615ULL)), "18446744073709551615");
  EXPECT_EQ(canonical(Json(-9223372036854775807LL - 1)), "-9223372036854775808");
  EXPECT_EQ(canonical(Json(0)), "0");
}

TEST(CanonicalJson, FloatsAreRefusedWithTheirPath) {
  // Why: float spelling differs between libraries; the signed form holds integers only.
  const Json j = {{"record", {{"rates", {1, 2.5}}}}};
  EXPECT_EQ(canonical_json(j).error(),
            "record.rates[1]: floating-point numbers are not allowed in a signed document");
}

TEST(CanonicalJson, InvalidUtf8IsRefusedWithItsPath) {
  // Why: the canonical form is UTF-8; bytes that are not cannot be signed unambiguously.
  const Json j = {{"serial", std::string("A\xc3(")}};
  EXPECT_EQ(canonical_json(j).error(), "serial: not valid UTF-8");
}

TEST(CanonicalJson, Utf8Validation) {
  // Why: overlong forms and surrogates are not UTF-8 (RFC 3629).
  EXPECT_TRUE(is_valid_utf8("plain ASCII, é, €, \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));     // surrogate D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));         // truncated
  EXPECT_EQ(to_valid_utf8("a\xffz\xe2\x82"), "a\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD");
}

} // namespace
} // namespace atelier::records
