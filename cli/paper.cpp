// `atelier label` and `atelier spec-sheet`: the paper a workshop prints (docs/PAPER.md).
#include "base/file_io.h"
#include "base/i18n.h"
#include "cli/context.h"
#include "cli/paper_settings.h"
#include "papers/label_pdf.h"
#include "papers/paper_text.h"
#include "papers/spec_sheet_pdf.h"
#include "profiles/file_kind.h"
#include "workshop/settings.h"

#include <filesystem>

#include <fmt/format.h>

namespace atelier::cli {
namespace {

bool write_pdf(CliContext& ctx, const std::string& path, const std::string& bytes) {
  if (auto w = base::write_file_atomically(path, bytes); !w) {
    ctx.error(w.error());
    return false;
  }
  return true;
}

// --- label --------------------------------------------------------------------------------------

struct LabelOptions {
  PaperOptions paper;
  std::vector<std::string> tags;
  std::string format = "l7160";
  int skip = 0;
  bool outline = false;
};

void labels(CliContext& ctx, const LabelOptions& o) {
  papers::LabelLayout layout{papers::find_label_format(o.format), o.skip, o.outline};
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto settings = paper_settings(ctx, o.paper, &*registry, "");
  if (!settings) {
    return;
  }
  // Every tag is checked before anything is written: a typo must not cost a sheet.
  std::vector<papers::LabelContent> contents;
  std::vector<std::string> problems;
  std::size_t without_inventory = 0;
  for (const std::string& text : o.tags) {
    auto unit = registry->find(text);
    if (!unit) {
      problems.push_back(error_text(ctx.lang(), unit.error()));
      continue;
    }
    auto paper = papers::read_unit_paper(registry->store(), *unit);
    if (!paper) {
      problems.push_back(paper.error());
      continue;
    }
    if (!paper->inventory) {
      ++without_inventory;
      ctx.err << "atelier: "
              << base::trf(ctx.lang(),
                           "note: {tag} has no inventory yet: its label carries the tag, the QR "
                           "code and \"{words}\"",
                           {{"tag", unit->tag.str()},
                            {"words", papers::not_inventoried_words(settings->language)}})
              << '\n';
    }
    contents.push_back(papers::label_content(*paper, settings->language, settings->program_name));
  }
  if (!problems.empty()) {
    for (const std::string& p : problems) {
      ctx.err << "atelier: " << p << '\n';
    }
    ctx.error(base::tr_n(ctx.lang(),
                         "{count} of {total} tags could not be printed; no PDF was written",
                         "{count} of {total} tags could not be printed; no PDF was written",
                         problems.size(), {{"count", problems.size()}, {"total", o.tags.size()}}));
    return;
  }
  auto bytes = papers::render_labels(contents, layout);
  if (!bytes) {
    ctx.error(bytes.error());
    return;
  }
  if (write_pdf(ctx, o.paper.out, *bytes)) {
    const int pages = (o.skip + static_cast<int>(contents.size()) + layout.format->per_page() - 1) /
                      layout.format->per_page();
    const base::Language l = ctx.lang();
    const std::string labels = base::tr_n(l, "{count} label", "{count} labels", contents.size(),
                                          {{"count", contents.size()}});
    const std::string on_pages = base::tr_n(l, "{count} page", "{count} pages",
                                            static_cast<std::uint64_t>(pages), {{"count", pages}});
    ctx.out << base::trf(l, "wrote {file}: {labels} on {pages} ({format})",
                         {{"file", o.paper.out},
                          {"labels", labels},
                          {"pages", on_pages},
                          {"format", layout.format->name}});
    if (without_inventory > 0) {
      ctx.out << base::tr_n(l, ", {count} without inventory", ", {count} without inventory",
                            static_cast<std::uint64_t>(without_inventory),
                            {{"count", without_inventory}});
    }
    ctx.out << '\n';
  }
}

// --- spec-sheet ---------------------------------------------------------------------------------

struct SheetOptions {
  PaperOptions paper;
  std::string tag;
  std::string profiles_dir = workshop::default_profiles_dir();
};

// The profile the unit was imaged with, from the profile directory; nullopt (with a note) when it
// is not there any more.
std::optional<profiles::Profile> imaged_profile(CliContext& ctx, const SheetOptions& o,
                                                const std::string& name) {
  std::error_code ec;
  if (std::filesystem::is_directory(o.profiles_dir, ec)) {
    if (auto all = profiles::load_profile_directory(o.profiles_dir); all) {
      for (profiles::Profile& p : *all) {
        if (p.name == name) {
          return std::move(p);
        }
      }
    }
  }
  ctx.err << "atelier: "
          << base::trf(ctx.lang(),
                       "note: profile '{profile}' is not in {dir} (--profiles): the sheet names "
                       "it and gives generic first-boot steps",
                       {{"profile", name}, {"dir", o.profiles_dir}})
          << '\n';
  return std::nullopt;
}

void spec_sheet(CliContext& ctx, const SheetOptions& o) {
  auto registry = open_registry(ctx);
  if (!registry) {
    return;
  }
  auto unit = registry->find(o.tag);
  if (!unit) {
    ctx.error(unit.error());
    return;
  }
  auto paper = papers::read_unit_paper(registry->store(), *unit);
  if (!paper) {
    ctx.error(paper.error());
    return;
  }
  if (const auto gaps = papers::spec_sheet_gaps(*paper); !gaps.empty()) {
    std::string list;
    for (const std::string& gap : gaps) {
      list += (list.empty() ? "" : "; ") + gap;
    }
    ctx.error(base::trf(ctx.lang(), "{tag} cannot have a spec sheet yet; it needs {missing}",
                        {{"tag", unit->tag.str()}, {"missing", list}}));
    return;
  }
  auto settings =
      paper_settings(ctx, o.paper, &*registry, base::tr(ctx.lang(), "no support contact"));
  if (!settings) {
    return;
  }
  papers::SpecSheetInput input{&*paper,
                               settings->language,
                               settings->program_name,
                               settings->site,
                               settings->support_contact,
                               settings->support_url,
                               imaged_profile(ctx, o, paper->imaging->profile)};
  auto bytes = papers::render_spec_sheet(input);
  if (!bytes) {
    ctx.error(bytes.error());
    return;
  }
  if (write_pdf(ctx, o.paper.out, *bytes)) {
    ctx.out << base::trf(ctx.lang(), "wrote {file}: spec sheet of {tag} ({lang})",
                         {{"file", o.paper.out},
                          {"tag", unit->tag.str()},
                          {"lang", profiles::to_string(settings->language)}})
            << '\n';
  }
}

} // namespace

void add_paper_commands(CLI::App& app, CliContext& ctx) {
  auto label_opt = std::make_shared<LabelOptions>();
  std::string formats = "label stock:";
  for (const papers::LabelFormat& f : papers::label_formats()) {
    formats += fmt::format("\n  {:<9} {}", f.name, f.description);
  }
  auto* label = app.add_subcommand(
      "label", "asset labels: tag, QR code and key specs, on a sheet or a label printer's roll");
  label->add_option("TAG", label_opt->tags, "asset tags, one label each, in this order")
      ->required();
  add_paper_options(label, label_opt->paper, "language and program name");
  label->add_option("--format", label_opt->format, formats)
      ->check(CLI::IsMember([] {
        std::vector<std::string> names;
        for (const papers::LabelFormat& f : papers::label_formats()) {
          names.emplace_back(f.name);
        }
        return names;
      }()))
      ->capture_default_str();
  label
      ->add_option("--skip", label_opt->skip,
                   "labels already used on the first sheet (counted left to right, top to bottom)")
      ->check(CLI::NonNegativeNumber);
  label->add_flag("--outline", label_opt->outline,
                  "frame each label in grey (test prints on plain paper)");
  label->callback([&ctx, label_opt] { labels(ctx, *label_opt); });

  auto sheet_opt = std::make_shared<SheetOptions>();
  auto* sheet = app.add_subcommand(
      "spec-sheet", "the household's one-page sheet: specs, grade, system, first boot, warranty, "
                    "support");
  sheet->add_option("TAG", sheet_opt->tag, "asset tag of a ready, assigned or delivered unit")
      ->required();
  add_paper_options(sheet, sheet_opt->paper, "language, name, site, support contact");
  sheet->add_option("--profiles", sheet_opt->profiles_dir,
                    "profile directory, for the installed system's description and first-boot "
                    "account (default: $ATELIER_PROFILES, else /etc/atelier/profiles)");
  sheet->callback([&ctx, sheet_opt] { spec_sheet(ctx, *sheet_opt); });
}

} // namespace atelier::cli
