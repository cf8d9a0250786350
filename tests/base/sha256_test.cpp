// SHA-256 (base/sha256.h) against the standard's test vectors, whole and in pieces.
#include "base/sha256.h"

#include <string>

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

TEST(Sha256, MatchesTheStandardTestVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, InPiecesEqualsAtOnce) {
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256 pieces;
  for (const char c : text) {
    pieces.update(std::string(1, c));
  }
  EXPECT_EQ(pieces.hex_digest(), sha256_hex(text));
  EXPECT_EQ(sha256_hex(text), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

} // namespace
} // namespace atelier::base
