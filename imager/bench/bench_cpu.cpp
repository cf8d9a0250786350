#include "imager/bench/bench_cpu.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <thread>
#include <unistd.h>

namespace atelier::imager {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fixed by its seed on
// every platform, unlike std::uniform_int_distribution.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

constexpr std::array<std::uint32_t, 64> k_sha256_k{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// The SHA-256 compression function (FIPS 180-4, 6.2.2) over every 64-byte block of the input, with
// no padding: the standard kernel, not a digest anyone should compare with sha256sum.
std::array<std::uint32_t, 8> sha256_blocks(const std::vector<std::uint8_t>& in) {
  std::array<std::uint32_t, 8> h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint32_t, 64> w{};
  for (std::size_t block = 0; block + 64 <= in.size(); block += 64) {
    for (std::size_t i = 0; i < 16; ++i) {
      const std::size_t p = block + 4 * i;
      w[i] = (std::uint32_t{in[p]} << 24U) | (std::uint32_t{in[p + 1]} << 16U) |
             (std::uint32_t{in[p + 2]} << 8U) | std::uint32_t{in[p + 3]};
    }
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 =
          std::rotr(w[i - 15], 7) ^ std::rotr(w[i - 15], 18) ^ (w[i - 15] >> 3U);
      const std::uint32_t s1 =
          std::rotr(w[i - 2], 17) ^ std::rotr(w[i - 2], 19) ^ (w[i - 2] >> 10U);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, hh] = h;
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t s1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = hh + s1 + ch + k_sha256_k[i] + w[i];
      const std::uint32_t s0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = s0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  return h;
}

// FNV-1a style fold of one token into the running checksum.
std::uint64_t fold(std::uint64_t h, std::uint64_t token) {
  return (h ^ token) * 0x100000001B3ULL;
}

// Greedy LZ77 over the input as deflate would start it: 3-byte hash, one candidate per bucket,
// 32 KiB window, matches of 3..258 bytes. Returns the fold of the token stream.
std::uint64_t lz77_tokens(const std::vector<std::uint8_t>& in) {
  constexpr std::size_t k_bits = 12;
  constexpr std::size_t k_window = 32 * 1024;
  constexpr std::size_t k_max_match = 258;
  std::array<std::uint32_t, std::size_t{1} << k_bits> head{};
  head.fill(UINT32_MAX);
  std::uint64_t h = 0xCBF29CE484222325ULL;
  const std::size_t n = in.size();
  std::size_t pos = 0;
  while (pos + 3 <= n) {
    const std::uint32_t key3 = (std::uint32_t{in[pos]} << 16U) |
                               (std::uint32_t{in[pos + 1]} << 8U) | std::uint32_t{in[pos + 2]};
    const std::size_t bucket = (key3 * 2654435761U) >> (32U - k_bits);
    const std::uint32_t candidate = head[bucket];
    head[bucket] = static_cast<std::uint32_t>(pos);
    std::size_t len = 0;
    if (candidate != UINT32_MAX && pos - candidate <= k_window) {
      while (pos + len < n && len < k_max_match && in[candidate + len] == in[pos + len]) {
        ++len;
      }
    }
    if (len >= 3) {
      h = fold(h, ((pos - candidate) << 16U) | len);
      pos += len;
    } else {
      h = fold(h, in[pos]);
      ++pos;
    }
  }
  for (; pos < n; ++pos) {
    h = fold(h, in[pos]);
  }
  return h;
}

} // namespace

CpuWorkload::CpuWorkload() {
  // Text-like input: short literal runs from a 16-letter alphabet and copies of earlier stretches,
  // so the LZ stage finds matches the way it would in real files.
  std::uint64_t state = 0x41544C4945520001ULL; // "ATLIER" + version
  m_input.reserve(k_input_bytes);
  while (m_input.size() < k_input_bytes) {
    const std::uint64_t r = splitmix64(state);
    if ((r & 1U) == 0 || m_input.size() < 64) {
      const std::size_t run = 1 + ((r >> 1U) & 7U);
      for (std::size_t i = 0; i < run; ++i) {
        m_input.push_back(static_cast<std::uint8_t>('a' + ((r >> (8U + 4U * i)) & 15U)));
      }
    } else {
      const std::size_t back = 1 + ((r >> 8U) % std::min<std::size_t>(m_input.size(), 4096));
      const std::size_t len = 4 + ((r >> 24U) % 37U);
      const std::size_t from = m_input.size() - back;
      for (std::size_t i = 0; i < len; ++i) {
        m_input.push_back(m_input[from + i]); // may overlap, like LZ77 itself
      }
    }
  }
  m_input.resize(k_input_bytes);
}

std::uint64_t CpuWorkload::run_once() const {
  const auto digest = sha256_blocks(m_input);
  std::uint64_t h = lz77_tokens(m_input);
  for (const std::uint32_t word : digest) {
    h = fold(std::rotl(h, 17), word);
  }
  return h;
}

CpuRun measure_cpu(const CpuWorkload& workload, const base::Clock& clock, unsigned threads,
                   std::chrono::nanoseconds slice, unsigned slices) {
  CpuRun run;
  threads = std::max(threads, 1U);
  const std::chrono::nanoseconds stage_start = clock.monotonic().time_since_epoch();
  for (unsigned s = 0; s < slices; ++s) {
    std::atomic<std::uint64_t> ops{0};
    std::atomic<std::uint64_t> wrong{0};
    const std::chrono::nanoseconds start = clock.monotonic().time_since_epoch();
    const std::chrono::nanoseconds deadline = start + slice;
    const auto worker = [&] {
      std::uint64_t my_ops = 0;
      std::uint64_t my_wrong = 0;
      do {
        if (workload.run_once() != CpuWorkload::k_expected_checksum) {
          ++my_wrong;
        }
        ++my_ops;
      } while (clock.monotonic().time_since_epoch() < deadline);
      ops += my_ops;
      wrong += my_wrong;
    };
    if (threads == 1) {
      worker();
    } else {
      std::vector<std::jthread> pool;
      pool.reserve(threads);
      for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back(worker);
      }
    } // jthreads join here
    const std::chrono::nanoseconds elapsed = clock.monotonic().time_since_epoch() - start;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    run.samples_ops_per_s.push_back(seconds > 0 ? static_cast<double>(ops.load()) / seconds : 0.0);
    run.ops += ops.load();
    run.wrong_results += wrong.load();
  }
  run.elapsed = clock.monotonic().time_since_epoch() - stage_start;
  return run;
}

unsigned online_cpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1U;
}

} // namespace atelier::imager
