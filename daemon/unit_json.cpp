#include "daemon/unit_json.h"

namespace atelier::daemon {

using nlohmann::json;

json to_json(const hwdb::Unit& u) {
  json j = {
      {"tag", u.tag.str()},
      {"state", hwdb::to_string(u.state)},
      {"vendor", u.identity.vendor},
      {"model", u.identity.model},
      {"serial", u.identity.serial},
      {"board_serial", u.identity.board_serial},
      {"mac", u.identity.wired_mac ? json(u.identity.wired_mac->str()) : json(nullptr)},
      {"identity", {{"kind", hwdb::to_string(u.key.kind)}, {"value", u.key.value}}},
      {"chassis", hwdb::to_string(u.chassis)},
      {"notes", u.notes},
      {"do_not_boot", u.do_not_boot},
      {"created_at", hwdb::format_timestamp(u.created_at)},
      {"updated_at", hwdb::format_timestamp(u.updated_at)},
  };
  return j;
}

json to_json(const hwdb::Event& e) {
  return {
      {"at", hwdb::format_timestamp(e.at)},
      {"actor", e.actor},
      {"from", e.from ? json(hwdb::to_string(*e.from)) : json(nullptr)},
      {"to", hwdb::to_string(e.to)},
      {"reason", e.reason},
  };
}

json to_json(const hwdb::BootSighting& b) {
  return {
      {"mac", b.mac.str()},
      {"arch", b.arch ? json(*b.arch) : json(nullptr)},
      {"firmware", b.firmware},
      {"guid", b.guid},
      {"vendor_class", b.vendor_class},
      {"seen_at", hwdb::format_timestamp(b.seen_at)},
  };
}

} // namespace atelier::daemon
