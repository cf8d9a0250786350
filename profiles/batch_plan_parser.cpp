#include "base/mac_address.h"
#include "profiles/batch_plan.h"
#include "profiles/detail/text.h"
#include "profiles/detail/toml_reader.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::profiles {
namespace {

using detail::Need;
using detail::TableReader;

// Lower-case with ':' (how the hardware database and the pipeline print a MAC), so "listed twice"
// catches the same machine written twice in two spellings; empty when not a MAC address.
std::string normalise_mac(std::string_view text) {
  const auto mac = base::MacAddress::parse(text);
  return mac ? mac->str() : std::string();
}

} // namespace

std::expected<BatchPlan, Diagnostics> parse_batch_plan(std::string_view toml_text,
                                                       std::string_view file_name) {
  detail::Reporter reporter{std::string(file_name)};
  const std::optional<toml::table> document = detail::parse_toml(toml_text, reporter);
  if (!document) {
    return std::unexpected(reporter.take());
  }
  const TableReader root(reporter, *document, "", {"batch"});
  BatchPlan plan;
  if (const toml::table* table = root.subtable("batch", Need::required)) {
    const TableReader t(reporter, *table, "batch",
                        {"name", "profile", "count", "macs", "timeout_minutes"});
    if (auto name = t.string("name", Need::required)) {
      if (name->empty()) {
        t.error("name", "must not be empty: the summary and the log name the batch by it");
      }
      plan.name = std::move(*name);
    }
    if (auto profile = t.string("profile", Need::optional)) {
      plan.profile = std::move(*profile);
    }
    if (auto count = t.integer("count", Need::optional, 1, 1000)) {
      plan.count = static_cast<int>(*count);
    }
    if (const toml::array* macs = t.array("macs", Need::optional)) {
      for (std::size_t i = 0; i < macs->size(); ++i) {
        const std::string path = fmt::format("batch.macs[{}]", i);
        if (auto text = detail::read_string(reporter, (*macs)[i], path)) {
          const std::string mac = normalise_mac(*text);
          if (mac.empty()) {
            reporter.error(
                (*macs)[i].source(), path,
                fmt::format("\"{}\" is not a MAC address (e.g. \"52:54:00:12:34:56\")", *text));
          } else if (std::find(plan.macs.begin(), plan.macs.end(), mac) != plan.macs.end()) {
            reporter.error((*macs)[i].source(), path, fmt::format("{} is listed twice", mac));
          } else {
            plan.macs.push_back(mac);
          }
        }
      }
      if (macs->empty()) {
        t.error("macs", "is empty: list the machines, or use count");
      }
    }
    if (auto minutes = t.integer("timeout_minutes", Need::optional, 1, 7 * 24 * 60)) {
      plan.timeout_minutes = static_cast<int>(*minutes);
    }
    if (t.has("count") && t.has("macs")) {
      t.error("macs", "give either count (the next N machines) or macs (these machines), not both");
    } else if (!t.has("count") && !t.has("macs")) {
      t.missing("count", "say which machines: count = N (the next N that boot) or macs = [...]");
    }
  }
  if (reporter.has_errors()) {
    return std::unexpected(reporter.take());
  }
  plan.warnings = reporter.take();
  return plan;
}

std::expected<BatchPlan, Diagnostics> load_batch_plan(const std::filesystem::path& file) {
  auto text = detail::read_text_file(file);
  if (!text) {
    return std::unexpected(Diagnostics{Diagnostic{file.string(), 0, 0, "", text.error()}});
  }
  return parse_batch_plan(*text, file.string());
}

} // namespace atelier::profiles
