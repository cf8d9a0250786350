#include "cli/paper_settings.h"

#include "base/i18n.h"

#include <filesystem>

#include <fmt/format.h>

namespace atelier::cli {

std::optional<PaperSettings> paper_settings(CliContext& ctx, const PaperOptions& options,
                                            hwdb::Registry* registry, std::string_view without) {
  PaperSettings s;
  // `atelier --program F label ...` (the global option) counts as given, like `label --program F`.
  PaperOptions o = options;
  if (!o.program_given && ctx.program != workshop::default_program_file()) {
    o.program = ctx.program;
    o.program_given = true;
  }
  if (o.program_given || std::filesystem::exists(o.program)) {
    auto program = profiles::load_program(o.program);
    if (!program) {
      for (const auto& d : program.error()) {
        ctx.err << d.to_string() << '\n';
      }
      ctx.error(base::trf(ctx.lang(), "{file}: not a valid program file; nothing was printed",
                          {{"file", o.program}}));
      return std::nullopt;
    }
    s = {program->language, program->name, program->site, program->support_contact,
         program->support_url};
    ctx.program_language = program->language;
  } else {
    // `atelier db init --program` kept the program's name in the database.
    if (registry != nullptr) {
      if (auto name = registry->store().setting("program_name"); name && *name) {
        s.program_name = **name;
      }
    }
    // The note is in the messages' language, the paper in French unless --lang says otherwise.
    const base::Language m = ctx.lang();
    std::string lacks = ctx.lang_option ? "" : base::tr(m, "French text");
    if (!without.empty()) {
      lacks += fmt::format("{}{}", lacks.empty() ? "" : ", ", without);
    }
    if (!lacks.empty()) {
      ctx.err << "atelier: "
              << base::trf(m, "note: no program file at {file} (--program): {lacks}",
                           {{"file", o.program}, {"lacks", lacks}})
              << '\n';
    }
  }
  // --lang, given to this command or before it (cli.cpp's add_lang_options sets lang_option).
  if (ctx.lang_option) {
    s.language = *ctx.lang_option;
  }
  return s;
}

void add_paper_options(CLI::App* cmd, PaperOptions& o, const std::string& program_help) {
  cmd->add_option("--out", o.out, "the PDF file to write")->required();
  cmd->add_option("--program", o.program,
                  fmt::format("program file: {} (default: $ATELIER_PROGRAM, else "
                              "/etc/atelier/program.toml)",
                              program_help))
      ->each([&o](const std::string&) { o.program_given = true; });
  cmd->add_option("--lang", o.lang, "fr or en (default: the program file's language)")
      ->check(CLI::IsMember({"fr", "en"}));
}

} // namespace atelier::cli
