// `atelier accounts ...`: the coordinator API's accounts (docs/CLI.md, docs/API.md). Only the
// local administrator (root, or sudo) manages them here; over the API an admin account does.
// Passwords are read from a file or stdin, never from the command line (argv is visible to every
// user of the machine in /proc and lands in shell histories).
#include "workshop/accounts.h"

#include "base/i18n.h"
#include "cli/context.h"
#include "cli/table.h"

#include <fstream>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {
namespace {

struct AccountOptions {
  std::string name;
  std::string role;
  std::string password_file = "-";
  bool undo = false;
  bool json = false;
};

bool require_local_admin(CliContext& ctx) {
  if (::geteuid() != 0) {
    ctx.error(base::tr(ctx.lang(), "managing accounts needs the local administrator: run it as "
                                   "root (sudo atelier accounts ...), or use the API with an admin "
                                   "account"));
    return false;
  }
  return true;
}

// The first line of the file ("-": stdin), without its line ending.
std::optional<std::string> read_password(CliContext& ctx, const std::string& file) {
  std::string line;
  if (file == "-") {
    if (::isatty(STDIN_FILENO) != 0) {
      ctx.err << base::tr(ctx.lang(), "password: ") << std::flush;
    }
    std::getline(std::cin, line);
  } else {
    std::ifstream in(file);
    if (!in) {
      ctx.error(base::trf(ctx.lang(), "--password-file: cannot read {file}", {{"file", file}}));
      return std::nullopt;
    }
    std::getline(in, line);
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  if (auto ok = workshop::check_password_rules(line); !ok) {
    ctx.error(ok.error());
    return std::nullopt;
  }
  return line;
}

std::optional<workshop::Role> role_argument(CliContext& ctx, const std::string& text) {
  auto role = workshop::parse_role(text);
  if (!role) {
    ctx.error(base::trf(ctx.lang(),
                        "role '{role}': expected volunteer, technician, coordinator or admin",
                        {{"role", text}}));
  }
  return role;
}

// Runs `fn` with the account service over the --db database.
void with_accounts(CliContext& ctx, const std::function<void(workshop::Accounts&)>& fn) {
  if (!require_local_admin(ctx)) {
    return;
  }
  static const base::SystemClock clock;
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  workshop::Accounts accounts(registry->store(), clock);
  fn(accounts);
}

// What changed, as a whole sentence (`said` words it from the account's name and role).
enum class Change { created, password, disabled, enabled, role };

void report(CliContext& ctx, const hwdb::Result<workshop::AccountView>& result, Change change) {
  if (!result) {
    ctx.error(result.error());
    return;
  }
  const base::Language l = ctx.lang();
  const base::MessageArgs args = {{"name", result->name}, {"role", to_string(result->role)}};
  switch (change) {
  case Change::created:
    ctx.out << base::trf(l, "account {name} ({role}) created", args);
    break;
  case Change::password:
    ctx.out << base::trf(
        l, "account {name} ({role}) has a new password; its API sessions were ended", args);
    break;
  case Change::disabled:
    ctx.out << base::trf(l, "account {name} ({role}) disabled; its API sessions were ended", args);
    break;
  case Change::enabled:
    ctx.out << base::trf(l, "account {name} ({role}) enabled", args);
    break;
  case Change::role:
    ctx.out << base::trf(l, "account {name} ({role}) now has this role", args);
    break;
  }
  ctx.out << '\n';
}

void add(CliContext& ctx, const AccountOptions& opt) {
  const auto role = role_argument(ctx, opt.role);
  if (!role) {
    return;
  }
  with_accounts(ctx, [&](workshop::Accounts& accounts) {
    const auto password = read_password(ctx, opt.password_file);
    if (password) {
      report(ctx, accounts.create(opt.name, *role, *password, ctx.who()), Change::created);
    }
  });
}

void list(CliContext& ctx, const AccountOptions& opt) {
  with_accounts(ctx, [&](workshop::Accounts& accounts) {
    auto all = accounts.list();
    if (!all) {
      ctx.error(all.error());
      return;
    }
    if (opt.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& a : *all) {
        out.push_back({{"name", a.name},
                       {"role", to_string(a.role)},
                       {"disabled", a.disabled},
                       {"created_at", base::format_rfc3339(a.created_at)},
                       {"updated_at", base::format_rfc3339(a.updated_at)}});
      }
      ctx.out << out.dump(2) << '\n';
      return;
    }
    if (all->empty()) {
      ctx.out << base::tr(ctx.lang(),
                          "no accounts (create one: atelier accounts add NAME --role coordinator)")
              << '\n';
      return;
    }
    Table table({base::tr_ctx(ctx.lang(), "column", "NAME"),
                 base::tr_ctx(ctx.lang(), "column", "ROLE"),
                 base::tr_ctx(ctx.lang(), "column", "STATUS"),
                 base::tr_ctx(ctx.lang(), "column", "UPDATED")});
    for (const auto& a : *all) {
      table.add({a.name, std::string(to_string(a.role)),
                 a.disabled ? base::tr_ctx(ctx.lang(), "account", "disabled")
                            : base::tr_ctx(ctx.lang(), "account", "active"),
                 base::format_rfc3339(a.updated_at)});
    }
    table.print(ctx.out);
  });
}

void passwd(CliContext& ctx, const AccountOptions& opt) {
  with_accounts(ctx, [&](workshop::Accounts& accounts) {
    const auto password = read_password(ctx, opt.password_file);
    if (password) {
      report(ctx, accounts.set_password(opt.name, *password, ctx.who()), Change::password);
    }
  });
}

void disable(CliContext& ctx, const AccountOptions& opt, bool disabled) {
  with_accounts(ctx, [&](workshop::Accounts& accounts) {
    report(ctx, accounts.set_disabled(opt.name, disabled, ctx.who()),
           disabled ? Change::disabled : Change::enabled);
  });
}

void set_role(CliContext& ctx, const AccountOptions& opt) {
  const auto role = role_argument(ctx, opt.role);
  if (!role) {
    return;
  }
  with_accounts(ctx, [&](workshop::Accounts& accounts) {
    report(ctx, accounts.set_role(opt.name, *role, ctx.who()), Change::role);
  });
}

} // namespace

void add_accounts_commands(CLI::App& app, CliContext& ctx) {
  auto* accounts =
      app.add_subcommand("accounts", "accounts of the coordinator API (local administrator only)");
  accounts->require_subcommand(1);
  const char* password_help =
      "read the password from the first line of this file ('-': standard input, the default)";

  auto add_opt = std::make_shared<AccountOptions>();
  auto* add_cmd = accounts->add_subcommand("add", "create an account");
  add_cmd->add_option("NAME", add_opt->name, "login name, e.g. alice")->required();
  add_cmd->add_option("--role", add_opt->role, "volunteer, technician, coordinator or admin")
      ->required();
  add_cmd->add_option("--password-file", add_opt->password_file, password_help);
  add_cmd->callback([&ctx, add_opt] { add(ctx, *add_opt); });

  auto list_opt = std::make_shared<AccountOptions>();
  auto* list_cmd = accounts->add_subcommand("list", "list accounts and their roles");
  list_cmd->add_flag("--json", list_opt->json, "print JSON");
  list_cmd->callback([&ctx, list_opt] { list(ctx, *list_opt); });

  auto pw_opt = std::make_shared<AccountOptions>();
  auto* pw_cmd = accounts->add_subcommand("passwd", "set a new password (ends its API sessions)");
  pw_cmd->add_option("NAME", pw_opt->name, "login name")->required();
  pw_cmd->add_option("--password-file", pw_opt->password_file, password_help);
  pw_cmd->callback([&ctx, pw_opt] { passwd(ctx, *pw_opt); });

  auto dis_opt = std::make_shared<AccountOptions>();
  auto* dis_cmd =
      accounts->add_subcommand("disable", "stop an account from logging in (ends its sessions)");
  dis_cmd->add_option("NAME", dis_opt->name, "login name")->required();
  dis_cmd->add_flag("--undo", dis_opt->undo, "enable the account again");
  dis_cmd->callback([&ctx, dis_opt] { disable(ctx, *dis_opt, !dis_opt->undo); });

  auto role_opt = std::make_shared<AccountOptions>();
  auto* role_cmd = accounts->add_subcommand("role", "change an account's role");
  role_cmd->add_option("NAME", role_opt->name, "login name")->required();
  role_cmd->add_option("ROLE", role_opt->role, "volunteer, technician, coordinator or admin")
      ->required();
  role_cmd->callback([&ctx, role_opt] { set_role(ctx, *role_opt); });
}

} // namespace atelier::cli
