// Driver of bench/image/run.sh (not installed): runs extract_rootfs or write_raw_image once and
// prints its statistics as one JSON line, or the error and its kind on stderr (exit 1).
//
//   image_bench extract SOURCE TARGET_DIR [--sha256 HEX] [--no-pipeline]
//   image_bench write-raw SOURCE DEVICE [--sha256 HEX] [--zeroed] [--no-pipeline] [--no-direct]
//
// SOURCE is a path or an http:// URL.
#include "imager/image/image_source.h"
#include "imager/image/raw_image.h"
#include "imager/image/rootfs_extract.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace {

int usage() {
  std::fputs("usage: image_bench extract SOURCE TARGET_DIR [--sha256 HEX] [--no-pipeline]\n"
             "       image_bench write-raw SOURCE DEVICE [--sha256 HEX] [--zeroed] [--no-pipeline] "
             "[--no-direct]\n",
             stderr);
  return 2;
}

int fail(const atelier::imager::ImageError& error) {
  fmt::print(stderr, "error ({}): {}\n", atelier::imager::to_string(error.kind), error.message);
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  using namespace atelier::imager;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.size() < 3) {
    return usage();
  }
  ImageStreamOptions stream_options;
  stream_options.log = [](std::string_view line) {
    fmt::print(stderr, "{}\n", line);
  };
  bool pipelined = true;
  bool zeroed = false;
  bool direct = true;
  for (std::size_t i = 3; i < args.size(); ++i) {
    if (args[i] == "--sha256" && i + 1 < args.size()) {
      stream_options.expected_sha256 = std::string(args[++i]);
    } else if (args[i] == "--no-pipeline") {
      pipelined = false;
    } else if (args[i] == "--zeroed") {
      zeroed = true;
    } else if (args[i] == "--no-direct") {
      direct = false;
    } else {
      return usage();
    }
  }
  auto stream = open_image(args[1], stream_options);
  if (!stream) {
    return fail(stream.error());
  }
  nlohmann::json out;
  if (args[0] == "extract") {
    ExtractOptions options;
    options.pipelined = pipelined;
    auto stats = extract_rootfs(**stream, std::string(args[2]), options);
    if (!stats) {
      return fail(stats.error());
    }
    out = {{"files", stats->files},
           {"directories", stats->directories},
           {"symlinks", stats->symlinks},
           {"hardlinks", stats->hardlinks},
           {"device_nodes", stats->device_nodes},
           {"fifos", stats->fifos},
           {"bytes", stats->bytes},
           {"source_bytes", stats->source_bytes},
           {"sha256", stats->sha256},
           {"seconds", stats->duration_seconds}};
  } else if (args[0] == "write-raw") {
    RawWriteOptions options;
    options.pipelined = pipelined;
    options.disk_known_zero = zeroed;
    options.direct_io = direct;
    auto stats = write_raw_image(**stream, std::string(args[2]), options);
    if (!stats) {
      return fail(stats.error());
    }
    out = {{"bytes_in", stats->bytes_in},
           {"image_bytes", stats->image_bytes},
           {"bytes_written", stats->bytes_written},
           {"bytes_skipped_zero", stats->bytes_skipped_zero},
           {"compressed", stats->compressed},
           {"direct_io", stats->direct_io},
           {"sha256", stats->sha256},
           {"seconds", stats->duration_seconds}};
  } else {
    return usage();
  }
  fmt::print("{}\n", out.dump());
  return 0;
}
