#include "hardware-db/registry.h"

#include "hardware-db/event_phrases.h"

#include <fmt/format.h>

namespace atelier::hwdb {

namespace {
constexpr std::string_view k_prefix_setting = "asset_tag_prefix";
constexpr std::string_view k_default_prefix = "AT";
} // namespace

std::string_view to_string(IntakeOutcome o) {
  switch (o) {
  case IntakeOutcome::created:
    return "created";
  case IntakeOutcome::existing:
    return "existing";
  case IntakeOutcome::reintake:
    return "reintake";
  }
  return "created";
}

Registry::Registry(std::unique_ptr<Store> store, const base::Clock& clock)
    : m_store(std::move(store)), m_clock(clock) {}

Result<std::string> Registry::asset_tag_prefix() {
  auto value = m_store->setting(std::string(k_prefix_setting));
  if (!value) {
    return std::unexpected(value.error());
  }
  return value->value_or(std::string(k_default_prefix));
}

Result<void> Registry::set_asset_tag_prefix(const std::string& prefix) {
  if (!is_valid_prefix(prefix)) {
    return failf(ErrorCode::invalid_argument,
                 "asset tag prefix '{prefix}' must be 1 to 4 capital letters A-Z",
                 {{"prefix", prefix}});
  }
  return m_store->set_setting(std::string(k_prefix_setting), prefix);
}

Result<Unit> Registry::create_unit(NewUnit unit, std::string_view actor, std::string_view reason) {
  auto prefix = asset_tag_prefix();
  if (!prefix) {
    return std::unexpected(prefix.error());
  }
  auto number = m_store->reserve_tag_number(*prefix);
  if (!number) {
    return std::unexpected(number.error());
  }
  const AssetTag tag(*prefix, *number);
  auto id = m_store->insert_unit(tag, unit);
  if (!id) {
    return std::unexpected(id.error());
  }
  Event created{0, *id, unit.at, std::string(actor), std::nullopt, unit.state, std::string(reason)};
  if (auto e = m_store->append_event(created); !e) {
    return std::unexpected(e.error());
  }
  if (unit.identity.wired_mac) {
    if (auto n =
            m_store->upsert_interface(NetworkInterface{0, *id, *unit.identity.wired_mac, true, ""});
        !n) {
      return std::unexpected(n.error());
    }
  }
  // A machine that first shows up while a donation batch is open came with it (atelier intake).
  auto donations = m_store->list_donations();
  if (!donations) {
    return std::unexpected(donations.error());
  }
  for (const auto& d : *donations) {
    if (!d.closed_at) {
      if (auto r = m_store->link_donation_unit(d.id, DonationLink{*id, "boot", unit.at}); !r) {
        return std::unexpected(r.error());
      }
    }
  }
  auto stored = m_store->unit_by_id(*id);
  if (!stored) {
    return std::unexpected(stored.error());
  }
  return stored->value();
}

Result<IntakeResult> Registry::intake(const IntakeRequest& request) {
  Identity identity = request.identity;
  identity.vendor = trim_dmi_string(identity.vendor);
  identity.model = trim_dmi_string(identity.model);
  identity.serial = trim_dmi_string(identity.serial);
  identity.board_serial = trim_dmi_string(identity.board_serial);
  auto key = identity_key(identity);
  if (!key) {
    return std::unexpected(key.error());
  }
  IntakeResult result;
  const Timestamp now = m_clock.wall_seconds();
  auto done = m_store->transaction([&]() -> Result<void> {
    auto existing = m_store->latest_unit_by_key(*key);
    if (!existing) {
      return std::unexpected(existing.error());
    }
    // A machine first seen by its MAC (PXE detection) is the same unit once its serial is known.
    if (!*existing && key->kind != IdentityKind::mac && identity.wired_mac) {
      auto by_mac = m_store->latest_unit_by_mac(*identity.wired_mac);
      if (!by_mac) {
        return std::unexpected(by_mac.error());
      }
      if (*by_mac && (*by_mac)->key.kind == IdentityKind::mac) {
        *existing = std::move(*by_mac);
      }
    }
    NewUnit unit{UnitState::detected, identity,      *key, std::nullopt,
                 request.chassis,     request.notes, now};
    std::string reason = k_event_intake;
    if (*existing && !is_final((*existing)->state)) {
      const Unit& u = **existing;
      // What this intake did not say is kept from before: a manual entry without a MAC must not
      // erase the MAC the PXE service recorded.
      Identity merged = identity;
      const auto keep = [](std::string& field, const std::string& before) {
        if (field.empty()) {
          field = before;
        }
      };
      keep(merged.vendor, u.identity.vendor);
      keep(merged.model, u.identity.model);
      keep(merged.serial, u.identity.serial);
      keep(merged.board_serial, u.identity.board_serial);
      if (!merged.wired_mac) {
        merged.wired_mac = u.identity.wired_mac;
      }
      if (auto r = m_store->update_identity(u.id, merged, *key, now); !r) {
        return r;
      }
      if (identity.wired_mac) {
        if (auto r =
                m_store->upsert_interface(NetworkInterface{0, u.id, *identity.wired_mac, true, ""});
            !r) {
          return r;
        }
      }
      auto refreshed = m_store->unit_by_id(u.id);
      if (!refreshed) {
        return std::unexpected(refreshed.error());
      }
      result = IntakeResult{refreshed->value(), IntakeOutcome::existing};
      return {};
    }
    if (*existing) {
      unit.previous = (*existing)->id;
      reason = base::format_message(k_event_re_intake, {{"tag", (*existing)->tag.str()},
                                                        {"state", to_string((*existing)->state)}});
    }
    auto created = create_unit(std::move(unit), request.actor, reason);
    if (!created) {
      return std::unexpected(created.error());
    }
    result = IntakeResult{std::move(*created),
                          *existing ? IntakeOutcome::reintake : IntakeOutcome::created};
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return result;
}

Result<BootResult> Registry::record_boot(const BootRequest& request, std::string_view actor) {
  if (!request.mac.is_usable_identity()) {
    return failf(ErrorCode::invalid_argument,
                 "boot from MAC {mac} ignored: not a unicast hardware address",
                 {{"mac", request.mac.str()}});
  }
  BootResult result;
  const Timestamp now = m_clock.wall_seconds();
  auto done = m_store->transaction([&]() -> Result<void> {
    auto known = m_store->latest_unit_by_mac(request.mac);
    if (!known) {
      return std::unexpected(known.error());
    }
    if (*known && (*known)->do_not_boot) {
      result = BootResult{**known, false, true};
      return {};
    }
    if (!*known || is_final((*known)->state)) {
      Identity identity;
      identity.wired_mac = request.mac;
      NewUnit unit{UnitState::detected,
                   identity,
                   IdentityKey{IdentityKind::mac, request.mac.str()},
                   std::nullopt,
                   Chassis::unknown,
                   "",
                   now};
      std::string reason = k_event_first_boot;
      if (*known) {
        unit.previous = (*known)->id;
        reason = base::format_message(
            k_event_boot_after_leaving,
            {{"tag", (*known)->tag.str()}, {"state", to_string((*known)->state)}});
      }
      auto created = create_unit(std::move(unit), actor, reason);
      if (!created) {
        return std::unexpected(created.error());
      }
      result = BootResult{std::move(*created), true, false};
    } else {
      result = BootResult{**known, false, false};
    }
    BootSighting sighting{0,
                          result.unit.id,
                          request.mac,
                          request.arch,
                          request.firmware,
                          request.guid,
                          request.vendor_class,
                          now};
    auto added = m_store->add_sighting(sighting);
    if (!added) {
      return std::unexpected(added.error());
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return result;
}

Result<Unit> Registry::find(std::string_view tag_text) {
  auto tag = AssetTag::parse(tag_text);
  if (!tag) {
    return std::unexpected(tag.error());
  }
  auto unit = m_store->unit_by_tag(*tag);
  if (!unit) {
    return std::unexpected(unit.error());
  }
  if (!*unit) {
    return failf(ErrorCode::not_found, "no unit has the tag {tag}", {{"tag", tag->str()}});
  }
  return std::move(**unit);
}

Result<std::optional<Registry::DataRisk>> Registry::unerased_data(const Unit& unit) {
  auto events = m_store->events(unit.id);
  if (!events) {
    return std::unexpected(events.error());
  }
  // Server-side events, in order: the agent's clock (the records' times) plays no part.
  std::optional<DataRisk> risk = DataRisk{};
  for (const Event& e : *events) {
    if (e.to == UnitState::wiped) {
      risk.reset();
    } else if (e.to == UnitState::delivered) {
      risk = DataRisk{e.at};
    }
  }
  return risk;
}

Result<Unit> Registry::transition(const Unit& unit, UnitState to, std::string_view actor,
                                  std::string_view reason, Disposal disposal) {
  if (auto ok = check_transition(unit.state, to, reason); !ok) {
    return failf(ok.error().code, "{tag}: {error}", {{"tag", unit.tag.str()}}, ok.error());
  }
  std::string said(reason);
  if (to == UnitState::parts || to == UnitState::recycled) {
    if (disposal == Disposal::erased) {
      auto risk = unerased_data(unit);
      if (!risk) {
        return std::unexpected(risk.error());
      }
      if (*risk && (*risk)->delivered_at) {
        return failf(ErrorCode::refused,
                     "{tag} cannot go to '{state}': its disks were not wiped since it was "
                     "delivered on {date}, so they may hold someone's data. Boot it on the "
                     "workshop network to wipe it first, or take its disks out and say so "
                     "(--disks-removed)",
                     {{"tag", unit.tag.str()},
                      {"state", to_string(to)},
                      {"date", base::format_date(*(*risk)->delivered_at)}});
      }
      if (*risk) {
        return failf(ErrorCode::refused,
                     "{tag} cannot go to '{state}': its disks were never wiped since it was "
                     "taken in, so they may hold someone's data. Boot it on the workshop network "
                     "to wipe it first, or take its disks out and say so (--disks-removed)",
                     {{"tag", unit.tag.str()}, {"state", to_string(to)}});
      }
    } else {
      said += disposal == Disposal::disks_removed ? " (disks removed from the machine)"
                                                  : " (no disk to erase)";
    }
  }
  reason = said;
  const Timestamp now = m_clock.wall_seconds();
  auto done = m_store->transaction([&]() -> Result<void> {
    auto changed = m_store->update_state(unit.id, unit.state, to, now);
    if (!changed) {
      return std::unexpected(changed.error());
    }
    if (!*changed) {
      // Someone else (atelierd, another coordinator) moved it since it was read: decide again.
      return failf(ErrorCode::conflict,
                   "{tag} is no longer '{state}' (it changed meanwhile); look at it again",
                   {{"tag", unit.tag.str()}, {"state", to_string(unit.state)}});
    }
    auto e = m_store->append_event(
        Event{0, unit.id, now, std::string(actor), unit.state, to, std::string(reason)});
    if (!e) {
      return std::unexpected(e.error());
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  auto stored = m_store->unit_by_id(unit.id);
  if (!stored) {
    return std::unexpected(stored.error());
  }
  return stored->value();
}

Result<void> Registry::set_do_not_boot(const Unit& unit, bool value) {
  return m_store->set_do_not_boot(unit.id, value, m_clock.wall_seconds());
}

} // namespace atelier::hwdb
