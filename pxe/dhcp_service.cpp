#include "pxe/dhcp_service.h"

#include <fmt/format.h>

namespace atelier::pxe {

std::expected<Outgoing, Silence> DhcpService::silence(Silence::Kind kind, std::string reason) {
  switch (kind) {
  case Silence::Kind::malformed:
    ++m_counters.malformed;
    break;
  case Silence::Kind::not_for_us:
    ++m_counters.not_for_us;
    break;
  case Silence::Kind::refused:
    ++m_counters.refused;
    break;
  }
  return std::unexpected(Silence{kind, std::move(reason)});
}

std::expected<Outgoing, Silence> DhcpService::handle(ByteView datagram, Channel channel) {
  ++m_counters.received;
  auto decoded = parse_packet(datagram);
  if (!decoded) {
    return silence(Silence::Kind::malformed, "malformed DHCP packet: " + decoded.error().message);
  }
  const Packet& request = decoded->packet;
  if (request.op != 1) {
    return silence(Silence::Kind::not_for_us, "a BOOTREPLY (another server's answer)");
  }
  const ClientInfo client = classify(request, decoded->quirks);
  for (Quirk q : client.quirks.list()) {
    ++m_counters.quirks[static_cast<std::size_t>(q)];
  }
  const std::string mac = client.mac ? client.mac->str() : std::string("(no MAC)");
  if (m_config.mode == DhcpMode::standalone && channel == Channel::dhcp) {
    if (!client.mac) {
      return silence(Silence::Kind::malformed, "request without an Ethernet hardware address");
    }
    return standalone(request, client);
  }
  if (client.firmware == FirmwareFamily::not_pxe) {
    return silence(Silence::Kind::not_for_us, fmt::format("{} is not a PXE client", mac));
  }
  if (!client.mac) {
    return silence(Silence::Kind::malformed, "PXE request without an Ethernet hardware address");
  }
  const auto type = client.message_type;
  const bool discover = channel == Channel::dhcp && type == MessageType::discover;
  const bool boot_server_request = channel == Channel::boot_server &&
                                   (type == MessageType::request || type == MessageType::inform);
  if (!discover && !boot_server_request) {
    return silence(
        Silence::Kind::not_for_us,
        fmt::format("{} from {} on port {}: handled by the site's DHCP server",
                    type ? message_type_name(*type) : "untyped message", mac,
                    channel == Channel::dhcp ? k_dhcp_server_port : k_pxe_boot_server_port));
  }
  const Admission admission = m_admission.admit(client, discover);
  if (!admission.answer) {
    return silence(Silence::Kind::refused,
                   fmt::format("{}: not answered: {}", mac, admission.reason));
  }
  auto boot = choose_boot(client, m_config.boot);
  if (!boot) {
    return silence(Silence::Kind::refused, fmt::format("{}: {}", mac, boot.error().reason));
  }
  Packet reply = discover ? build_proxy_offer(request, client, *boot, m_config.reply)
                          : build_proxy_ack(request, client, *boot, m_config.reply);
  auto bytes = serialize_packet(reply, EncodeOptions{max_reply_size(request), true});
  if (!bytes) {
    return silence(Silence::Kind::refused,
                   fmt::format("{}: cannot encode the reply: {}", mac, bytes.error().message));
  }
  Outgoing out;
  out.payload = std::move(*bytes);
  if (discover) {
    ++m_counters.offers;
    out.destination = reply_destination(request, reply);
  } else {
    ++m_counters.acks;
    // PXE 2.1 §2.2.4: the boot server answers to the address and port the request came from; the
    // caller substitutes the source address (it is not in the DHCP payload).
    out.destination = Destination{request.ciaddr, k_pxe_boot_server_port, false};
  }
  out.summary = fmt::format(
      "{} (proxy) to {}{} {}{}: {} [{}]", discover ? "DHCPOFFER" : "DHCPACK", mac,
      admission.unit.empty() ? "" : " " + admission.unit, firmware_family_name(client.firmware),
      client.arch ? fmt::format(" arch {}", *client.arch) : "", boot->file, boot->rule);
  return out;
}

std::expected<Outgoing, Silence> DhcpService::encode(const Packet& request, const Packet& reply,
                                                     std::string summary) {
  auto bytes = serialize_packet(reply, EncodeOptions{max_reply_size(request), true});
  if (!bytes) {
    return silence(Silence::Kind::refused,
                   fmt::format("cannot encode the reply: {}", bytes.error().message));
  }
  return Outgoing{std::move(*bytes), reply_destination(request, reply), std::move(summary)};
}

std::expected<Outgoing, Silence> DhcpService::standalone(const Packet& request,
                                                         const ClientInfo& client) {
  const base::MacAddress mac = *client.mac;
  const auto now = LeasePool::Clock::now();
  const auto type = client.message_type;
  if (m_pool == nullptr) {
    return silence(Silence::Kind::refused, "standalone mode without an address pool");
  }
  // Boot information rides along for admitted PXE clients; everyone else just gets an address.
  const auto boot_for =
      [&](bool first_contact) -> std::pair<std::optional<BootChoice>, std::string> {
    if (client.firmware == FirmwareFamily::not_pxe) {
      return {std::nullopt, ""};
    }
    const Admission admission = m_admission.admit(client, first_contact);
    if (!admission.answer) {
      return {std::nullopt, " (no boot: " + admission.reason + ")"};
    }
    auto boot = choose_boot(client, m_config.boot);
    if (!boot) {
      return {std::nullopt, " (no boot: " + boot.error().reason + ")"};
    }
    return {*boot, fmt::format(" {}: {}", admission.unit, boot->file)};
  };
  const auto lease_for = [&](Ipv4Address address) {
    Lease lease;
    lease.address = address;
    lease.subnet_mask = m_config.network.subnet_mask;
    lease.routers = m_config.network.routers;
    lease.dns_servers = m_config.network.dns_servers;
    lease.lease_seconds = static_cast<std::uint32_t>(m_pool->config().lease_time.count());
    return lease;
  };

  if (type == MessageType::discover) {
    const auto address = m_pool->offer(mac, now);
    if (!address) {
      return silence(Silence::Kind::refused,
                     fmt::format("{}: address pool exhausted, no offer", mac.str()));
    }
    auto [boot, note] = boot_for(true);
    ++m_counters.offers;
    return encode(request, build_offer(request, client, lease_for(*address), boot, m_config.reply),
                  fmt::format("DHCPOFFER {} to {} {}{}", address->str(), mac.str(),
                              firmware_family_name(client.firmware), note));
  }
  if (type == MessageType::request) {
    // A REQUEST naming another server means the client took that server's offer (RFC 2131 §4.3.2).
    if (const auto sid = request.server_id(); sid && *sid != m_config.reply.server) {
      return silence(Silence::Kind::not_for_us,
                     fmt::format("{} chose server {}", mac.str(), sid->str()));
    }
    const Ipv4Address wanted = request.requested_address().value_or(request.ciaddr);
    auto granted = m_pool->commit(mac, wanted, now);
    if (!granted) {
      ++m_counters.naks;
      return encode(request, build_nak(request, m_config.reply, granted.error()),
                    fmt::format("DHCPNAK to {}: {}", mac.str(), granted.error()));
    }
    auto [boot, note] = boot_for(false);
    ++m_counters.acks;
    return encode(request, build_ack(request, client, lease_for(wanted), boot, m_config.reply),
                  fmt::format("DHCPACK {} to {} {}{}", wanted.str(), mac.str(),
                              firmware_family_name(client.firmware), note));
  }
  if (type == MessageType::release || type == MessageType::decline) {
    m_pool->release(mac, type == MessageType::release
                             ? request.ciaddr
                             : request.requested_address().value_or(Ipv4Address{}));
    ++m_counters.releases;
    return silence(Silence::Kind::not_for_us, fmt::format("{} released its address", mac.str()));
  }
  return silence(Silence::Kind::not_for_us,
                 fmt::format("{} from {}: not handled",
                             type ? message_type_name(*type) : "untyped message", mac.str()));
}

} // namespace atelier::pxe
