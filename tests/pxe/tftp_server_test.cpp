// Specification of the TFTP server (pxe/tftp_server.h), on loopback with real clients (curl,
// busybox, tftp-hpa, atftp) and a codec-built client for what those cannot be told to do.
#include "pxe/tftp_server.h"
#include "tftp_test_support.h"

#include <atomic>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using test::fetch;
using test::FetchOptions;
using test::run_command;
using test::ServerThread;

namespace fs = std::filesystem;

// A served root with one file of `size` bytes called "boot.bin", and an output directory.
struct Served {
  test::ScratchDir scratch;
  fs::path root = scratch.path() / "root";
  fs::path out = scratch.path() / "out";
  Bytes content;

  explicit Served(std::size_t size) {
    fs::create_directories(root);
    fs::create_directories(out);
    content = test::write_file(root / "boot.bin", size);
  }

  TftpServerConfig config() const {
    TftpServerConfig config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    config.root = root;
    config.initial_timeout = std::chrono::milliseconds(200);
    config.max_timeout = std::chrono::milliseconds(800);
    return config;
  }
};

std::string port_text(const ServerThread& server) {
  return std::to_string(server.port());
}

bool completed(const ServerThread& server, std::uint64_t n) {
  return test::wait_for([&] { return server.counters().transfers_completed == n; });
}

// The everyday case: curl with the block size EDK2 and iPXE use; the bytes arrive unchanged.
TEST(TftpServer, CurlFetchesFileByteForByte) {
  Served served(300'000);
  ServerThread server(served.config());
  ASSERT_EQ(run_command("curl -sS --tftp-blksize 1468 -o " + (served.out / "f").string() +
                        " tftp://127.0.0.1:" + port_text(server) + "/boot.bin"),
            0);
  EXPECT_EQ(test::read_file(served.out / "f"), served.content);
  ASSERT_TRUE(completed(server, 1));
  EXPECT_EQ(server.counters().transfers_failed, 0U);
  EXPECT_TRUE(server.log_contains("TFTP: sent \"boot.bin\" to 127.0.0.1:"));
}

// RFC 1350 §6: a file that is a multiple of the block size ends with an empty DATA block.
TEST(TftpServer, MultipleOfBlockSizeEndsWithEmptyBlock) {
  Served served(512 * 40);
  ServerThread server(served.config());
  ASSERT_EQ(run_command("curl -sS -o " + (served.out / "f").string() +
                        " tftp://127.0.0.1:" + port_text(server) + "/boot.bin"),
            0);
  EXPECT_EQ(test::read_file(served.out / "f"), served.content);
  const auto result = fetch(server.port(), "boot.bin");
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.data_datagrams, 41U);
  EXPECT_EQ(result.data, served.content);
}

// Generated files (the signed chain's GRUB entries, made with a fresh token per request): served
// like any other, refused with the generator's reason in the log, and names it does not make fall
// through to the jail.
TEST(TftpServer, GeneratedFilesComeBeforeTheTableAndTheJail) {
  Served served(1000);
  TftpServerConfig config = served.config();
  std::atomic<int> asked{0}; // the generator runs on the server's thread
  config.generated = [&asked](std::string_view name, const std::string& client_ip)
      -> std::optional<std::expected<std::string, std::string>> {
    ++asked;
    if (name == "grub/made.cfg") {
      return std::string("made for ") + client_ip + "\n";
    }
    if (name == "grub/refused.cfg") {
      return std::unexpected(std::string("52:54:00:a7:e1:01 is ready: boots from its disk"));
    }
    return std::nullopt;
  };
  ServerThread server(config);
  const auto made = fetch(server.port(), "grub/made.cfg");
  ASSERT_TRUE(made.complete);
  const std::string text = "made for 127.0.0.1\n";
  EXPECT_EQ(made.data, Bytes(text.begin(), text.end()));
  const auto refused = fetch(server.port(), "grub/refused.cfg");
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->code, tftp::ErrorCode::file_not_found);
  EXPECT_EQ(refused.error->message, "file not found"); // the reason stays in the log
  EXPECT_TRUE(server.log_contains("52:54:00:a7:e1:01 is ready: boots from its disk"));
  const auto jailed = fetch(server.port(), "boot.bin");
  EXPECT_TRUE(jailed.complete);
  EXPECT_EQ(jailed.data, served.content);
  EXPECT_EQ(asked.load(), 3);
}

TEST(TftpServer, BusyboxFetchesWithBlksize) {
  Served served(100'001);
  ServerThread server(served.config());
  ASSERT_EQ(run_command("busybox tftp -g -r boot.bin -l " + (served.out / "f").string() +
                        " -b 1468 127.0.0.1 " + port_text(server)),
            0);
  EXPECT_EQ(test::read_file(served.out / "f"), served.content);
}

// tftp-hpa sends a plain RFC 1350 request (no options): lock-step, 512-byte blocks, no OACK.
TEST(TftpServer, TftpHpaFetchesWithoutOptions) {
  Served served(70'000);
  ServerThread server(served.config());
  run_command("tftp -m binary 127.0.0.1 " + port_text(server) + " -c get boot.bin " +
              (served.out / "f").string());
  EXPECT_EQ(test::read_file(served.out / "f"), served.content);
}

// RFC 7440 from a packaged client: atftp negotiates windowsize (and tsize, blksize).
TEST(TftpServer, AtftpFetchesWithWindowsize) {
  Served served(500'000);
  ServerThread server(served.config());
  ASSERT_EQ(run_command("atftp --option 'windowsize 8' --option 'tsize 0' --option 'blksize 1024'"
                        " -g -r boot.bin -l " +
                        (served.out / "f").string() + " 127.0.0.1 " + port_text(server)),
            0);
  EXPECT_EQ(test::read_file(served.out / "f"), served.content);
  ASSERT_TRUE(completed(server, 1));
  EXPECT_TRUE(server.log_contains("windowsize=8"));
}

// RFC 1350 §5: modes are case-insensitive ("OCTET" is "octet").
TEST(TftpServer, ModeIsCaseInsensitive) {
  Served served(2000);
  ServerThread server(served.config());
  FetchOptions options;
  options.mode = "OCTET";
  const auto result = fetch(server.port(), "boot.bin", options);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.data, served.content);
}

// Past block 65535 the wire number wraps to 0: 8-byte blocks make that 600 KB, not 33.5 MB.
TEST(TftpServer, BlockNumbersWrapAround) {
  Served served(600'000); // 75001 blocks of 8 bytes
  ServerThread server(served.config());
  FetchOptions options;
  options.options = {{"blksize", "8"}, {"windowsize", "16"}};
  const auto result = fetch(server.port(), "boot.bin", options);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.data, served.content);
  ASSERT_TRUE(completed(server, 1));
}

// Lost datagrams in both directions (every 7th) are recovered by retransmission; curl is the
// client, on the other side of the relay. curl asks for an RFC 2349 timeout derived from its
// connect timeout (6 s by default), which the server honours: --connect-timeout 3 makes it 1 s,
// and a small file keeps the number of losses (each costing a timeout) at about three.
TEST(TftpServer, CurlThroughLossyLinkGetsIdenticalBytes) {
  Served served(5000);
  auto config = served.config();
  config.max_retries = 10;
  ServerThread server(config);
  test::LossyRelay relay(server.port(), 7);
  ASSERT_EQ(run_command("curl -sS --connect-timeout 3 --tftp-blksize 512 -o " +
                        (served.out / "f").string() +
                        " tftp://127.0.0.1:" + std::to_string(relay.port()) + "/boot.bin"),
            0);
  EXPECT_EQ(test::read_file(served.out / "f"), served.content);
  EXPECT_GT(relay.dropped(), 0U);
  EXPECT_GT(server.counters().retransmissions, 0U);
}

// The same with windows: resending starts after the last acknowledged block (RFC 7440 §4).
TEST(TftpServer, WindowedTransferThroughLossyLinkGetsIdenticalBytes) {
  Served served(200'000);
  auto config = served.config();
  config.initial_timeout = std::chrono::milliseconds(50);
  config.max_timeout = std::chrono::milliseconds(200);
  config.max_retries = 10;
  ServerThread server(config);
  test::LossyRelay relay(server.port(), 7);
  FetchOptions options;
  options.options = {{"blksize", "512"}, {"windowsize", "4"}};
  options.timeout = std::chrono::milliseconds(300);
  const auto result = fetch(relay.port(), "boot.bin", options);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.data, served.content);
  EXPECT_GT(server.counters().retransmissions, 0U);
}

// RFC 1123 §4.2.3.1: a duplicate ACK is never answered with DATA, or every later block would be
// sent twice (Sorcerer's Apprentice). With no loss, exactly the file's bytes go out.
TEST(TftpServer, DuplicateAcksDoNotDuplicateData) {
  Served served(100'000);
  auto config = served.config();
  config.initial_timeout = std::chrono::seconds(5); // no timer retransmission on a slow machine
  ServerThread server(config);
  FetchOptions options;
  options.duplicate_acks = true;
  const auto result = fetch(server.port(), "boot.bin", options);
  EXPECT_EQ(result.data, served.content);
  ASSERT_TRUE(completed(server, 1));
  EXPECT_EQ(server.counters().bytes_sent, served.content.size());
  EXPECT_EQ(server.counters().retransmissions, 0U);
}

// No ACK ever: DATA 1 is resent max_retries times with backoff, then ERROR 0 and a failure line.
TEST(TftpServer, GivesUpAfterMaxRetries) {
  Served served(5000);
  auto config = served.config();
  config.initial_timeout = std::chrono::milliseconds(10);
  config.max_timeout = std::chrono::milliseconds(40);
  config.max_retries = 3;
  ServerThread server(config);
  FetchOptions options;
  options.silent = true;
  options.timeout = std::chrono::seconds(5); // only a bound: the ERROR ends the wait
  options.max_timeouts = 0;
  const auto result = fetch(server.port(), "boot.bin", options);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, tftp::ErrorCode::not_defined);
  EXPECT_EQ(result.data_datagrams, 4U);
  ASSERT_TRUE(test::wait_for([&] { return server.counters().transfers_failed == 1; }));
  EXPECT_EQ(server.counters().retransmissions, 3U);
  EXPECT_TRUE(server.log_contains("failed: no ACK after 3 retransmissions"));
}

// The EDK2 tsize probe: OACK with the size, then ERROR 8. Counted, not a failure; the real
// request that follows completes.
TEST(TftpServer, Edk2TsizeProbeIsCountedNotFailed) {
  Served served(12'345);
  ServerThread server(served.config());
  FetchOptions probe;
  probe.options = {{"tsize", "0"}, {"blksize", "1468"}};
  probe.refuse_oack = true;
  const auto answer = fetch(server.port(), "boot.bin", probe);
  ASSERT_TRUE(answer.oack);
  const tftp::OptionAck expected{{{"tsize", "12345"}, {"blksize", "1468"}}};
  EXPECT_EQ(*answer.oack, expected);
  ASSERT_TRUE(test::wait_for([&] { return server.counters().tsize_probes == 1; }));

  FetchOptions real;
  real.options = {{"blksize", "1468"}, {"windowsize", "4"}};
  const auto result = fetch(server.port(), "boot.bin", real);
  EXPECT_EQ(result.data, served.content);
  ASSERT_TRUE(completed(server, 1));
  EXPECT_EQ(server.counters().transfers_failed, 0U);
  EXPECT_FALSE(server.log_contains("failed"));
}

// Path traversal, the classic TFTP hole: "..", absolute paths outside the root and symlinks out
// of it are refused with ERROR 2 and a log line naming the client and the name; nothing is sent.
TEST(TftpServer, RefusesTraversalAbsolutePathsAndSymlinksOut) {
  Served served(100);
  fs::create_symlink("/etc/passwd", served.root / "passwd-link");
  fs::create_symlink("/etc", served.root / "etc-link");
  ServerThread server(served.config());
  for (const std::string name :
       {"../etc/passwd", "/etc/passwd", "passwd-link", "etc-link/passwd", "..\\..\\etc\\passwd"}) {
    const auto result = fetch(server.port(), name);
    ASSERT_TRUE(result.error) << name;
    EXPECT_EQ(result.error->code, tftp::ErrorCode::access_violation) << name;
    EXPECT_TRUE(result.data.empty()) << name;
    EXPECT_TRUE(server.log_contains("TFTP: refused 127.0.0.1:")) << name;
    EXPECT_TRUE(server.log_contains("\"" + name + "\"")) << name;
  }
  // A real client too: curl's request for the symlink gets no bytes.
  EXPECT_NE(run_command("curl -sS -o " + (served.out / "f").string() +
                        " tftp://127.0.0.1:" + port_text(server) + "/passwd-link"),
            0);
  EXPECT_TRUE(!fs::exists(served.out / "f") || fs::file_size(served.out / "f") == 0);
  EXPECT_EQ(server.counters().refused_path, 6U);
  EXPECT_EQ(server.counters().transfers_started, 0U);
  EXPECT_EQ(server.counters().bytes_sent, 0U);
}

// An absolute name that lies under the root is that file (tftp_path.h).
TEST(TftpServer, AbsolutePathUnderRootIsServed) {
  Served served(3000);
  ServerThread server(served.config());
  const auto result = fetch(server.port(), (served.root / "boot.bin").string());
  EXPECT_EQ(result.data, served.content);
}

// Read-only: a write request gets ERROR 2 and a log line.
TEST(TftpServer, RefusesWriteRequests) {
  Served served(10);
  ServerThread server(served.config());
  test::write_file(served.out / "upload", 1000);
  EXPECT_NE(run_command("curl -sS -T " + (served.out / "upload").string() +
                        " tftp://127.0.0.1:" + port_text(server) + "/upload"),
            0);
  EXPECT_FALSE(fs::exists(served.root / "upload"));
  EXPECT_EQ(server.counters().refused_write, 1U);
  EXPECT_TRUE(server.log_contains("read-only server"));
}

TEST(TftpServer, UnknownFileIsError1) {
  Served served(10);
  ServerThread server(served.config());
  const auto result = fetch(server.port(), "missing.efi");
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, tftp::ErrorCode::file_not_found);
  EXPECT_EQ(server.counters().not_found, 1U);
}

// The fixed table maps a name to any file, checked before the jail.
TEST(TftpServer, ServesFromFixedTable) {
  Served served(10);
  const auto elsewhere = served.scratch.path() / "ipxe.efi";
  const Bytes content = test::write_file(elsewhere, 4321, 7);
  auto config = served.config();
  config.files.emplace("ipxe.efi", elsewhere);
  ServerThread server(config);
  const auto result = fetch(server.port(), "ipxe.efi");
  EXPECT_EQ(result.data, content);
}

// max_transfers: a transfer beyond the cap gets "server busy" and one log line; the transfer in
// progress is not disturbed.
TEST(TftpServer, RefusesTransfersBeyondTheCap) {
  Served served(20'000);
  auto config = served.config();
  config.max_transfers = 1;
  config.initial_timeout = std::chrono::seconds(5); // the first transfer keeps its slot meanwhile
  ServerThread server(config);
  FetchOptions stall;
  stall.stop_after_data = true; // takes DATA 1 and goes quiet: the transfer stays in progress
  const auto first = fetch(server.port(), "boot.bin", stall);
  ASSERT_EQ(first.data_datagrams, 1U);
  const auto refused = fetch(server.port(), "boot.bin");
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->message, "server busy, try again");
  EXPECT_EQ(server.counters().refused_busy, 1U);
  EXPECT_EQ(server.counters().transfers_started, 1U);
  EXPECT_TRUE(
      server.log_contains("TFTP: 1 transfers in progress (max_transfers), refusing 127.0.0.1:"));
  EXPECT_TRUE(server.log_contains("\"boot.bin\""));
}

} // namespace
} // namespace atelier::pxe
