// The household's spec sheet (docs/PAPER.md): one A4 page with what is inside the computer, its
// grade, the installed system, what to do at first boot (per the profile's account mode), the
// warranty and whom to ask for help, in the program's language.
#pragma once

#include "papers/unit_paper.h"
#include "profiles/profile.h"
#include "profiles/program.h"

#include <expected>
#include <optional>
#include <string>

namespace atelier::papers {

struct SpecSheetInput {
  const UnitPaper* paper = nullptr; // must pass spec_sheet_gaps() with no gap
  profiles::Language language = profiles::Language::fr;
  std::string program_name;
  std::string site;
  std::string support_contact;
  std::string support_url;
  // The imaging record's profile, when its file was found: the system's description, locale,
  // keyboard, time zone and account mode. Without it the sheet names the profile and gives
  // generic first-boot steps.
  std::optional<profiles::Profile> profile;
};

std::expected<std::string, std::string> render_spec_sheet(const SpecSheetInput& input);

} // namespace atelier::papers
