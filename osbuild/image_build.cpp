#include "osbuild/image_build.h"

#include "base/child_process.h"
#include "base/file_io.h"
#include "base/process_runner.h"
#include "base/text.h"
#include "base/time_text.h"
#include "osbuild/zstd_file.h"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

namespace atelier::osbuild {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view k_archive = "image.tar.zst";
constexpr std::string_view k_manifest = "manifest.json";
constexpr std::string_view k_log = "build.log";
constexpr std::size_t k_log_lines_in_errors = 15;

std::expected<WrittenFile, std::string> hash_file(const fs::path& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(fmt::format("{}: {}", path.string(), base::errno_text(errno)));
  }
  base::Sha256 hash;
  WrittenFile file;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(fmt::format("{}: {}", path.string(), base::errno_text(errno)));
    }
    if (n == 0) {
      break;
    }
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    file.size_bytes += static_cast<std::uint64_t>(n);
  }
  file.sha256 = hash.hex_digest();
  return file;
}

// An exclusive flock on CACHE/<key>.lock for the duration of one build: two builds of the same
// inputs would write the same directory.
class BuildLock {
public:
  static std::expected<BuildLock, std::string> take(const fs::path& path) {
    base::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid()) {
      return std::unexpected(fmt::format("{}: {}", path.string(), base::errno_text(errno)));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      return std::unexpected(fmt::format("another build of the same image is running (it holds "
                                         "{}); wait for it, it will leave the image in the cache",
                                         path.string()));
    }
    return BuildLock(std::move(fd));
  }

private:
  explicit BuildLock(base::UniqueFd fd) : m_fd(std::move(fd)) {}
  base::UniqueFd m_fd; // closing it releases the lock
};

// Removes a directory tree that a build left, unless something is still mounted under it.
std::expected<void, std::string> remove_build_dir(const fs::path& dir) {
  const auto mounts = mounts_under(dir);
  if (!mounts.empty()) {
    return std::unexpected(fmt::format(
        "{} is still mounted (a build was killed): unmount it (umount -R {}) and run again",
        mounts.front().string(), mounts.front().string()));
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: {}", dir.string(), ec.message()));
  }
  return {};
}

std::expected<std::string, std::string> mmdebstrap_version(const std::string& mmdebstrap) {
  auto result = base::run_process({mmdebstrap, "--version"}, {.merge_stderr = true});
  if (!result) {
    return std::unexpected(fmt::format("{} (install the mmdebstrap package; scripts/packages.d/"
                                       "image.list lists what image builds need)",
                                       result.error()));
  }
  // "mmdebstrap 1.3.5"
  const std::string& text = result->out;
  const auto space = text.find(' ');
  const auto end = text.find_first_of(" \n", space + 1);
  if (result->exit_code != 0 || space == std::string::npos) {
    return std::unexpected(
        fmt::format("`{} --version` printed \"{}\"", mmdebstrap, last_lines(text, 3)));
  }
  return text.substr(space + 1, end == std::string::npos ? std::string::npos : end - space - 1);
}

// SOURCE_DATE_EPOCH for a build: the main suite's Release date, so that two builds from the same
// mirror state give the same bytes. Fetching it also proves the mirror and suite are right
// before mmdebstrap starts.
std::expected<std::int64_t, std::string> mirror_date(const profiles::ImageBuild& build,
                                                     const fs::path& dir) {
  const std::string url = fmt::format(
      "{}/dists/{}/Release",
      build.mirror.ends_with('/') ? build.mirror.substr(0, build.mirror.size() - 1) : build.mirror,
      build.suite);
  const fs::path file = dir / "Release";
  auto fetched = base::run_process({"/usr/lib/apt/apt-helper", "download-file", url, file.string()},
                                   {.merge_stderr = true});
  if (!fetched || fetched->exit_code != 0) {
    return std::unexpected(fmt::format(
        "cannot fetch {}: {} (check image.build.mirror and image.build.suite, and the network)",
        url, fetched ? last_lines(fetched->out, 3) : fetched.error()));
  }
  auto text = base::read_file(file);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto date = release_date(*text);
  if (!date) {
    return std::unexpected(fmt::format("{}: {}", url, date.error()));
  }
  return *date;
}

// Keeps mmdebstrap's messages (and copies them to `log` when given) and forwards its status lines
// ("I: downloading packages with apt...") as progress.
class LogSink {
public:
  LogSink(std::ofstream* log, const ImageProgress& progress) : m_log(log), m_progress(progress) {}
  void operator()(std::string_view chunk) {
    if (m_log != nullptr) {
      m_log->write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      m_log->flush();
    }
    m_text.append(chunk);
    m_pending.append(chunk);
    for (auto nl = m_pending.find('\n'); nl != std::string::npos; nl = m_pending.find('\n')) {
      const std::string line = m_pending.substr(0, nl);
      m_pending.erase(0, nl + 1);
      if (line.starts_with("I: ") || line.starts_with("W: ")) {
        m_progress("mmdebstrap: " + line.substr(3));
      }
    }
  }
  const std::string& text() const { return m_text; }

private:
  std::ofstream* m_log;
  const ImageProgress& m_progress;
  std::string m_text;
  std::string m_pending;
};

std::string describe_repositories(const profiles::ImageBuild& build) {
  std::string where = fmt::format("{} {} ({})", build.mirror, build.suite,
                                  fmt::format("{}", fmt::join(build.components, " ")));
  if (!build.sources.empty()) {
    where += fmt::format(" or the {} extra source{}", build.sources.size(),
                         build.sources.size() == 1 ? "" : "s");
  }
  return where;
}

// Why mmdebstrap failed, in the volunteer's terms: the package apt could not find, or the end of
// the log.
std::string explain_failure(int status, const std::string& log, const profiles::ImageBuild& build) {
  if (auto missing = missing_package_in_log(log)) {
    return fmt::format("package '{}' was not found in {}: check image.build.packages", *missing,
                       describe_repositories(build));
  }
  return fmt::format("mmdebstrap failed (exit status {}); its last lines:\n{}", status,
                     last_lines(log, k_log_lines_in_errors));
}

struct BuildPaths {
  fs::path entry;    // CACHE/<key>/
  fs::path building; // CACHE/<key>.building/
  fs::path failed_log;
};

std::expected<ImageManifest, std::string> run_build(const profiles::Profile& profile,
                                                    const ImageInputs& inputs,
                                                    const std::string& key, const BuildPaths& paths,
                                                    const ImageBuildOptions& options,
                                                    const ImageProgress& progress) {
  const profiles::ImageBuild& build = inputs.build;
  if (::geteuid() != 0) {
    return std::unexpected("image builds run mmdebstrap in root mode: run atelier image build as "
                           "root");
  }
  if (auto r = remove_build_dir(paths.building); !r) {
    return std::unexpected(r.error());
  }
  std::error_code ec;
  // mmdebstrap assembles the system in TMPDIR: here, on the cache's disk, not in a /tmp that may
  // be a small tmpfs.
  fs::create_directories(paths.building / "tmp", ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: {}", paths.building.string(), ec.message()));
  }
  const auto started = options.clock->monotonic();
  std::int64_t epoch = 0;
  if (options.source_date_epoch) {
    epoch = *options.source_date_epoch;
  } else {
    auto date = mirror_date(build, paths.building);
    if (!date) {
      return std::unexpected(date.error());
    }
    epoch = *date;
  }

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  auto writer = ZstdFileWriter::create(paths.building / k_archive, k_image_zstd_level, threads);
  if (!writer) {
    return std::unexpected(writer.error());
  }
  // The /dev entries come first: mmdebstrap's tar stream then follows, as one archive.
  if (auto r = writer->write(dev_tar_entries(epoch)); !r) {
    return std::unexpected(r.error());
  }
  const fs::path package_list = paths.building / "packages.tsv";
  const auto argv = mmdebstrap_arguments(build, {options.mmdebstrap, package_list.string()});
  std::ofstream log(paths.building / k_log, std::ios::binary | std::ios::trunc);
  progress(fmt::format("building with mmdebstrap {}: {} {}, {} packages from {} (log: {})",
                       inputs.mmdebstrap_version, build.suite, profiles::to_string(build.variant),
                       build.packages.size(), build.mirror, (paths.building / k_log).string()));
  // C.UTF-8: apt's messages are parsed (missing_package_in_log), and maintainer scripts in the
  // chroot find the locale they run under.
  auto child = base::ChildProcess::start(
      argv, {.environment = {fmt::format("TMPDIR={}", (paths.building / "tmp").string()),
                             fmt::format("SOURCE_DATE_EPOCH={}", epoch), "LC_ALL=C.UTF-8"}});
  if (!child) {
    return std::unexpected(child.error());
  }
  LogSink sink(&log, progress);
  auto status = child->pump([&](std::string_view chunk) { return writer->write(chunk); },
                            [&](std::string_view chunk) { sink(chunk); });
  log.close();
  if (!status || status->exit_code != 0) {
    fs::copy_file(paths.building / k_log, paths.failed_log, fs::copy_options::overwrite_existing,
                  ec);
    const std::string log_note = ec ? "" : fmt::format("\nfull log: {}", paths.failed_log.string());
    const std::string why = status ? explain_failure(status->exit_code, sink.text(), build)
                                   : fmt::format("writing the image failed: {}", status.error());
    (void)remove_build_dir(paths.building); // the failure is what the user must see
    return std::unexpected(why + log_note);
  }
  auto written = writer->finish();
  if (!written) {
    return std::unexpected(written.error());
  }
  auto list_text = base::read_file(package_list);
  if (!list_text) {
    return std::unexpected(
        fmt::format("mmdebstrap succeeded but wrote no package list: {}", list_text.error()));
  }
  auto packages = parse_package_list(*list_text);
  if (!packages) {
    return std::unexpected(packages.error());
  }
  ImageManifest manifest;
  manifest.profile = profile.name;
  manifest.key = key;
  manifest.inputs = inputs;
  manifest.built_at = base::format_rfc3339(options.clock->wall());
  manifest.build_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(options.clock->monotonic() - started)
          .count();
  manifest.source_date_epoch = epoch;
  manifest.sha256 = written->sha256;
  manifest.size_bytes = written->size_bytes;
  manifest.content_bytes = written->content_bytes;
  manifest.packages = std::move(*packages);
  if (auto r = base::write_file_atomically(paths.building / k_manifest, manifest_to_json(manifest));
      !r) {
    return std::unexpected(r.error());
  }
  // mmdebstrap has removed its chroot from tmp/ and unmounted everything; checked all the same.
  if (auto r = remove_build_dir(paths.building / "tmp"); !r) {
    return std::unexpected(r.error());
  }
  fs::remove(paths.building / "Release", ec);
  fs::remove(paths.building / "packages.tsv", ec);
  // Publish: the entry appears complete or not at all.
  if (auto r = remove_build_dir(paths.entry); !r) {
    return std::unexpected(r.error());
  }
  fs::rename(paths.building, paths.entry, ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: {}", paths.entry.string(), ec.message()));
  }
  return manifest;
}

// A cache entry is used only when its manifest is for these inputs and its archive still has the
// recorded checksum; anything else is rebuilt.
std::optional<ImageManifest> usable_entry(const fs::path& entry, const std::string& key,
                                          const ImageProgress& progress) {
  if (!fs::exists(entry / k_manifest)) {
    return std::nullopt;
  }
  auto text = base::read_file(entry / k_manifest);
  auto manifest = text ? manifest_from_json(*text)
                       : std::expected<ImageManifest, std::string>(std::unexpect, text.error());
  if (!manifest || manifest->key != key) {
    progress(fmt::format("cache entry {} has no valid manifest: rebuilding", entry.string()));
    return std::nullopt;
  }
  auto file = hash_file(entry / k_archive);
  if (!file || file->sha256 != manifest->sha256) {
    progress(fmt::format("cache entry {} is damaged ({}): rebuilding", entry.string(),
                         file ? "checksum mismatch" : file.error()));
    return std::nullopt;
  }
  return std::move(*manifest);
}

// Copies the cached archive to `out` (unless it is already there) and writes the manifest beside.
std::expected<void, std::string> publish(const fs::path& entry, const ImageManifest& manifest,
                                         const fs::path& out, const fs::path& manifest_file) {
  std::error_code ec;
  if (!out.parent_path().empty()) {
    fs::create_directories(out.parent_path(), ec);
  }
  bool same = false;
  if (fs::exists(out) && fs::file_size(out, ec) == manifest.size_bytes) {
    auto existing = hash_file(out);
    same = existing && existing->sha256 == manifest.sha256;
  }
  if (!same) {
    const fs::path tmp = out.string() + ".tmp";
    fs::copy_file(entry / k_archive, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) {
      fs::rename(tmp, out, ec);
    }
    if (ec) {
      fs::remove(tmp);
      return std::unexpected(fmt::format("{}: {}", out.string(), ec.message()));
    }
  }
  return base::write_file_atomically(manifest_file, manifest_to_json(manifest));
}

// mmdebstrap's version, or why it cannot run; and the root check every real run needs.
std::expected<std::string, std::string> ready_to_run(const profiles::Profile& profile,
                                                     const ImageBuildOptions& options) {
  if (!profile.image.build) {
    return std::unexpected(fmt::format("profile {} has no [image.build] section: add one to say "
                                       "how its image is built (docs/PROFILES.md)",
                                       profile.name));
  }
  return mmdebstrap_version(options.mmdebstrap);
}

} // namespace

std::expected<int, std::string> check_image_packages(const profiles::Profile& profile,
                                                     const ImageBuildOptions& options,
                                                     const ImageProgress& progress) {
  auto version = ready_to_run(profile, options);
  if (!version) {
    return std::unexpected(version.error());
  }
  if (::geteuid() != 0) {
    return std::unexpected("mmdebstrap runs in root mode: run atelier image build as root");
  }
  const profiles::ImageBuild& build = *profile.image.build;
  // --simulate: apt resolves everything against the mirror; nothing is downloaded or installed
  // and no hook runs, so the package list path is never written.
  auto argv = mmdebstrap_arguments(build, {options.mmdebstrap, "/dev/null"});
  argv.insert(argv.begin() + 1, "--simulate");
  progress(fmt::format("resolving {} packages with mmdebstrap {} --simulate", build.packages.size(),
                       *version));
  auto child = base::ChildProcess::start(argv, {.environment = {"LC_ALL=C.UTF-8"}});
  if (!child) {
    return std::unexpected(child.error());
  }
  LogSink sink(nullptr, progress);
  auto status = child->pump([](std::string_view) { return std::expected<void, std::string>{}; },
                            [&](std::string_view chunk) { sink(chunk); });
  if (!status) {
    return std::unexpected(status.error());
  }
  if (status->exit_code != 0) {
    return std::unexpected(explain_failure(status->exit_code, sink.text(), build));
  }
  return static_cast<int>(build.packages.size());
}

std::vector<fs::path> mounts_under(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(dir, ec);
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT ...; spaces in paths are written as \040.
    std::size_t at = 0;
    for (int field = 0; field < 4 && at != std::string::npos; ++field) {
      at = line.find(' ', at);
      at = at == std::string::npos ? at : at + 1;
    }
    if (at == std::string::npos) {
      continue;
    }
    std::string escaped = line.substr(at, line.find(' ', at) - at);
    std::string point;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
      if (escaped[i] == '\\' && i + 3 < escaped.size()) {
        point += static_cast<char>(std::stoi(escaped.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        point += escaped[i];
      }
    }
    const std::string prefix = base.string();
    if (point == prefix || point.starts_with(prefix + "/")) {
      found.emplace_back(point);
    }
  }
  return found;
}

std::expected<ImageBuildResult, std::string> build_image(const profiles::Profile& profile,
                                                         const ImageBuildOptions& options,
                                                         const ImageProgress& progress) {
  auto version = ready_to_run(profile, options);
  if (!version) {
    return std::unexpected(version.error());
  }
  const ImageInputs inputs{*profile.image.build, *version, options.source_date_epoch};
  const std::string key = image_cache_key(inputs);
  const BuildPaths paths{options.cache_dir / key, options.cache_dir / (key + ".building"),
                         options.cache_dir / (key + ".failed.log")};
  std::error_code ec;
  fs::create_directories(options.cache_dir, ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: {}", options.cache_dir.string(), ec.message()));
  }
  auto lock = BuildLock::take(options.cache_dir / (key + ".lock"));
  if (!lock) {
    return std::unexpected(lock.error());
  }

  ImageBuildResult result;
  result.cache_entry = paths.entry;
  result.archive = options.out;
  result.manifest_file = options.out.string() + ".manifest.json";
  std::optional<ImageManifest> manifest;
  if (!options.force) {
    manifest = usable_entry(paths.entry, key, progress);
  }
  if (manifest) {
    result.cached = true;
  } else {
    auto built = run_build(profile, inputs, key, paths, options, progress);
    if (!built) {
      return std::unexpected(built.error());
    }
    manifest = std::move(*built);
    fs::remove(paths.failed_log, ec);
  }
  manifest->profile = profile.name; // an entry may be shared by profiles with the same recipe
  if (auto r = publish(paths.entry, *manifest, options.out, result.manifest_file); !r) {
    return std::unexpected(r.error());
  }
  result.manifest = std::move(*manifest);
  return result;
}

} // namespace atelier::osbuild
