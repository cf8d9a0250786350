// `atelier db init`: create or upgrade the database, and take the program's settings.
#include "base/i18n.h"
#include "cli/context.h"
#include "hardware-db/migrations.h"
#include "profiles/program.h"

#include <filesystem>

#include <fmt/format.h>

namespace atelier::cli {
namespace {

struct InitOptions {
  std::string program;
};

void init(CliContext& ctx, const InitOptions& opt) {
  std::optional<profiles::Program> program;
  if (!opt.program.empty()) {
    auto loaded = profiles::load_program(opt.program);
    if (!loaded) {
      for (const auto& d : loaded.error()) {
        ctx.err << d.to_string() << '\n';
      }
      ctx.error(base::trf(ctx.lang(),
                          "{file}: not a valid program file; the database was not touched",
                          {{"file", opt.program}}));
      return;
    }
    ctx.program_language = loaded->language;
    program = std::move(*loaded);
  }
  // Create the directory of a new database (e.g. /var/lib/atelier) like a package would.
  const std::filesystem::path path(ctx.db);
  if (path.has_parent_path() && !ctx.db.starts_with("postgres")) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  if (program) {
    if (auto r = registry->set_asset_tag_prefix(program->asset_tag_prefix); !r) {
      ctx.error(r.error());
      return;
    }
    if (auto r = registry->store().set_setting("program_name", program->name); !r) {
      ctx.error(r.error());
      return;
    }
  }
  auto version = registry->store().schema_version();
  auto prefix = registry->asset_tag_prefix();
  if (!version || !prefix) {
    ctx.error(base::tr(ctx.lang(), "cannot read the database settings back"));
    return;
  }
  ctx.out << base::trf(ctx.lang(),
                       "database {db} ready (schema version {version}), asset tags {prefix}-NNNN-C",
                       {{"db", ctx.db}, {"version", *version}, {"prefix", *prefix}})
          << '\n';
}

} // namespace

void add_db_commands(CLI::App& app, CliContext& ctx) {
  auto* db = app.add_subcommand("db", "the database itself");
  db->require_subcommand(1);
  auto opt = std::make_shared<InitOptions>();
  auto* init_cmd = db->add_subcommand(
      "init", "create the database, or upgrade an older one in place (safe to run again)");
  init_cmd->add_option("--program", opt->program,
                       "program file whose site settings to take (asset tag prefix, name)");
  init_cmd->callback([&ctx, opt] { init(ctx, *opt); });
}

} // namespace atelier::cli
