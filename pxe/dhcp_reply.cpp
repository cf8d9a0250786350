#include "pxe/dhcp_reply.h"

namespace atelier::pxe {

namespace {

constexpr std::size_t k_file_text_max = k_file_size - 1; // keep a NUL: some ROMs read up to one

// Fields every reply copies from its request (RFC 2131 table 3).
Packet reply_skeleton(const Packet& request, MessageType type, Ipv4Address server) {
  Packet reply;
  reply.op = k_boot_reply;
  reply.htype = request.htype;
  reply.hlen = request.hlen;
  reply.xid = request.xid;
  reply.flags = request.flags;
  reply.giaddr = request.giaddr;
  reply.chaddr = request.chaddr;
  // Option 53 first: not required by RFC 2131, but what every server does and some ROMs assume.
  reply.options.set_u8(opt::message_type, static_cast<std::uint8_t>(type));
  reply.options.set_ipv4(opt::server_id, server);
  return reply;
}

// Options the request carried that a reply must return: client identifier (RFC 6842 §3) and relay
// agent information (RFC 3046 §2.2).
void echo_identity_options(const Packet& request, Packet& reply) {
  for (std::uint8_t code : {opt::client_id, opt::relay_agent_info}) {
    if (const Bytes* value = request.options.find(code)) {
      reply.options.set(code, *value);
    }
  }
}

// The boot part shared by proxy offers, 4011 acks and standalone replies with a boot file.
void add_boot_options(const Packet& request, const ClientInfo& client, const BootChoice& boot,
                      const ReplyConfig& config, Packet& reply) {
  // EDK2 and iPXE compare the first 9 bytes of option 60 with "PXEClient"; EDK2 HTTP boot wants
  // "HTTPClient" (UEFI 2.x §24.7.2) or it ignores the offer.
  const bool http_boot = client.firmware == FirmwareFamily::uefi_http;
  reply.options.set_text(opt::vendor_class, http_boot ? "HTTPClient" : "PXEClient");
  if (const Bytes* uuid = request.options.find(opt::client_uuid)) {
    reply.options.set(opt::client_uuid,
                      *uuid); // PXE 2.1 §2.2.2: the server returns the client's GUID
  }
  const bool bios = client.firmware == FirmwareFamily::bios_pxe;
  const bool pxe_rom = bios || client.firmware == FirmwareFamily::uefi_pxe;
  if (bios || (pxe_rom && config.discovery_control_for_all)) {
    OptionMap sub;
    sub.set_u8(pxe_subopt::discovery_control, pxe_subopt::k_discovery_use_boot_file);
    reply.options.set(opt::vendor_specific,
                      *serialize_suboptions(sub, true) /* cannot fail: values are 1 and 4 bytes */);
  }
  reply.siaddr = config.server;
  reply.sname = config.server.str();
  if (boot.file.size() <= k_file_text_max) {
    reply.file = boot.file;
  } else {
    reply.options.set_text(opt::bootfile_name, boot.file); // RFC 2132 §9.5; RFC 3396 splits it
  }
}

void add_lease_options(const Lease& lease, Packet& reply) {
  reply.options.set_u32(opt::lease_time, lease.lease_seconds);
  reply.options.set_u32(opt::renewal_time, lease.lease_seconds / 2);
  reply.options.set_u32(opt::rebinding_time,
                        static_cast<std::uint32_t>(std::uint64_t{lease.lease_seconds} * 7 / 8));
  reply.options.set_ipv4(opt::subnet_mask, lease.subnet_mask);
  if (!lease.routers.empty()) {
    reply.options.set_ipv4_list(opt::routers, lease.routers);
  }
  if (!lease.dns_servers.empty()) {
    reply.options.set_ipv4_list(opt::dns_servers, lease.dns_servers);
  }
  if (!lease.domain_name.empty()) {
    reply.options.set_text(opt::domain_name, lease.domain_name);
  }
  if (lease.broadcast) {
    reply.options.set_ipv4(opt::broadcast_address, *lease.broadcast);
  }
}

Packet build_lease_reply(MessageType type, const Packet& request, const ClientInfo& client,
                         const Lease& lease, const std::optional<BootChoice>& boot,
                         const ReplyConfig& config) {
  Packet reply = reply_skeleton(request, type, config.server);
  if (type == MessageType::ack) {
    reply.ciaddr = request.ciaddr; // RFC 2131 table 3: 'ciaddr' from DHCPREQUEST or 0
  }
  reply.yiaddr = lease.address;
  add_lease_options(lease, reply);
  if (boot) {
    add_boot_options(request, client, *boot, config, reply);
  }
  echo_identity_options(request, reply);
  return reply;
}

} // namespace

Packet build_proxy_offer(const Packet& request, const ClientInfo& client, const BootChoice& boot,
                         const ReplyConfig& config) {
  Packet reply = reply_skeleton(request, MessageType::offer, config.server);
  add_boot_options(request, client, boot, config, reply);
  echo_identity_options(request, reply);
  return reply;
}

Packet build_proxy_ack(const Packet& request, const ClientInfo& client, const BootChoice& boot,
                       const ReplyConfig& config) {
  Packet reply = reply_skeleton(request, MessageType::ack, config.server);
  reply.ciaddr = request.ciaddr;
  add_boot_options(request, client, boot, config, reply);
  if (auto item = pxe_boot_item(request)) {
    // PXE 2.1 §2.2.4: the boot server names the item it answers for; the client checks it.
    OptionMap sub;
    if (const auto existing = pxe_suboptions(reply)) {
      sub = *existing;
    }
    Bytes value;
    append_be16(value, item->type);
    append_be16(value, item->layer);
    sub.set(pxe_subopt::boot_item, std::move(value));
    reply.options.set(opt::vendor_specific,
                      *serialize_suboptions(sub, true) /* cannot fail: values are 1 and 4 bytes */);
  }
  echo_identity_options(request, reply);
  return reply;
}

Packet build_offer(const Packet& request, const ClientInfo& client, const Lease& lease,
                   const std::optional<BootChoice>& boot, const ReplyConfig& config) {
  return build_lease_reply(MessageType::offer, request, client, lease, boot, config);
}

Packet build_ack(const Packet& request, const ClientInfo& client, const Lease& lease,
                 const std::optional<BootChoice>& boot, const ReplyConfig& config) {
  return build_lease_reply(MessageType::ack, request, client, lease, boot, config);
}

Packet build_nak(const Packet& request, const ReplyConfig& config, std::string_view message) {
  Packet reply = reply_skeleton(request, MessageType::nak, config.server);
  if (!message.empty()) {
    reply.options.set_text(opt::message, message);
  }
  if (!request.giaddr.is_zero()) {
    reply.flags |= k_broadcast_flag;
  }
  echo_identity_options(request, reply);
  return reply;
}

Destination reply_destination(const Packet& request, const Packet& reply) {
  constexpr Ipv4Address k_limited_broadcast{{255, 255, 255, 255}};
  if (!request.giaddr.is_zero()) {
    return Destination{request.giaddr, 67, false}; // through the relay agent
  }
  if (reply.message_type() == MessageType::nak) {
    return Destination{k_limited_broadcast, 68, false};
  }
  if (!request.ciaddr.is_zero()) {
    return Destination{request.ciaddr, 68, false};
  }
  if (request.broadcast() || reply.yiaddr.is_zero()) {
    return Destination{k_limited_broadcast, 68, false};
  }
  return Destination{reply.yiaddr, 68, true};
}

} // namespace atelier::pxe
