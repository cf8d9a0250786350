// libFuzzer target for the SMBIOS decoder (imager/inventory/smbios.h). Input: one length byte N,
// then N bytes of entry point, then the structure table. Each part is copied into its own
// exactly-sized buffer, so AddressSanitizer sees any read past either. Whatever decodes must also
// go through the report writer (firmware strings are arbitrary bytes) and come out as JSON that
// parses back.
#include "imager/inventory/inventory.h"
#include "imager/inventory/report.h"
#include "imager/inventory/smbios.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::imager;
  if (size < 1) {
    return 0;
  }
  const std::size_t entry_size = std::min<std::size_t>(data[0], size - 1);
  const std::vector<std::uint8_t> entry_bytes(data + 1, data + 1 + entry_size);
  const std::vector<std::uint8_t> table_bytes(data + 1 + entry_size, data + size);

  const auto entry = smbios::parse_entry_point(entry_bytes);
  const auto table = smbios::parse_table(table_bytes, entry ? &*entry : nullptr);
  if (!table) {
    if (!table_bytes.empty()) {
      std::abort(); // only an empty table is an error; damage is a warning
    }
    return 0;
  }
  // Every decoded structure was walked: the decoded lists cannot outnumber the structures.
  const std::size_t decoded =
      table->processors.size() + table->memory_devices.size() + table->batteries.size();
  if (decoded > table->structure_count) {
    std::abort();
  }
  Inventory inventory;
  apply_smbios(*table, inventory);
  const auto text = to_json_text(inventory);
  if (nlohmann::json::parse(text, nullptr, false).is_discarded()) {
    std::abort(); // the writer must always produce valid JSON (invalid UTF-8 replaced)
  }
  return 0;
}
