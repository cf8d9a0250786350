#include "cli/cli.h"

#include "base/version.h"
#include "cli/context.h"
#include "cli/usage_error.h"
#include "workshop/settings.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

namespace atelier::cli {
namespace {

// `--lang fr|en` on every command and group (before the command or after it). A command whose
// own --lang chooses a paper's language (label, spec-sheet, cert pdf, cert show) keeps its option:
// it then names the messages' language too.
void add_lang_options(CLI::App& cmd, CliContext& ctx) {
  const auto set = [&ctx](const std::string& code) {
    ctx.lang_option = base::parse_language(code);
  };
  if (CLI::Option* own = cmd.get_option_no_throw("--lang"); own != nullptr) {
    own->each(set);
  } else {
    cmd.add_option("--lang", "fr or en: the language of the messages (default: the locale)")
        ->check(CLI::IsMember({"fr", "en"}))
        ->each(set);
  }
  for (CLI::App* sub : cmd.get_subcommands([](CLI::App*) { return true; })) {
    add_lang_options(*sub, ctx);
  }
}

} // namespace

std::optional<hwdb::Registry> open_registry(CliContext& ctx) {
  static const base::SystemClock clock;
  auto store = hwdb::open_store(ctx.db);
  if (!store) {
    ctx.error(store.error());
    return std::nullopt;
  }
  return std::optional<hwdb::Registry>(std::in_place, std::move(*store), clock);
}

std::string error_text(base::Language language, const hwdb::Error& e) {
  if (e.pattern == nullptr || language == base::Language::en) {
    return e.message;
  }
  base::MessageValues values = e.values;
  if (e.cause) {
    for (auto& [name, value] : values) {
      if (name == "error") {
        value = error_text(language, *e.cause);
      }
    }
  }
  return base::format_message(base::tr(language, e.pattern), values);
}

void CliContext::error(const hwdb::Error& e) {
  error(error_text(lang(), e));
}

hwdb::Actor CliContext::who() const {
  return hwdb::Actor{actor, workshop::default_role()};
}

std::optional<profiles::Program> load_program_file(CliContext& ctx) {
  auto program = profiles::load_program(ctx.program);
  if (!program) {
    for (const auto& d : program.error()) {
      ctx.err << d.to_string() << '\n';
    }
    ctx.error(base::trf(ctx.lang(),
                        "{file}: cannot use this program file (give another with --program)",
                        {{"file", ctx.program}}));
    return std::nullopt;
  }
  ctx.program_language = program->language;
  return std::move(*program);
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_cli(args, out, err, [](const char* name) { return std::getenv(name); });
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            const std::function<const char*(const char*)>& getenv) {
  CliContext ctx{out, err, workshop::default_database(), workshop::default_actor(),
                 workshop::default_program_file()};
  ctx.locale_language = base::language_from_environment(getenv);
  CLI::App app{"atelier: the hardware database and pipeline of a donated-PC refurbishing workshop",
               "atelier"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("atelier ") + std::string(base::version()));
  app.add_option("--db", ctx.db,
                 "database file (default: $ATELIER_DB, else /var/lib/atelier/atelier.db)");
  app.add_option("--actor", ctx.actor, "who is acting, for the event log (default: cli:$USER)");
  app.add_option("--program", ctx.program,
                 "program file (default: $ATELIER_PROGRAM, else /etc/atelier/program.toml)");

  add_db_commands(app, ctx);
  add_units_commands(app, ctx);
  add_profile_commands(app, ctx);
  add_bootenv_commands(app, ctx);
  add_image_commands(app, ctx);
  add_cert_commands(app, ctx);
  add_watch_command(app, ctx);
  add_batch_commands(app, ctx);
  add_households_commands(app, ctx);
  add_handover_commands(app, ctx);
  add_intake_commands(app, ctx);
  add_report_commands(app, ctx);
  add_paper_commands(app, ctx);
  add_accounts_commands(app, ctx);
  add_lang_options(app, ctx);
  // Usage errors in the messages' language (as far as --lang was read when parsing stopped).
  app.failure_message([&ctx](const CLI::App* failed, const CLI::Error& e) {
    return usage_error_text(ctx.lang(), failed, e);
  });

  // CLI11 consumes arguments from the back of the vector.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }
  return ctx.status;
}

} // namespace atelier::cli
