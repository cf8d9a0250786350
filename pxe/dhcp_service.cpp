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

} // namespace atelier::pxe
