// Every word Atelier prints on labels and spec sheets, in French and English (docs/PAPER.md). The
// language is the program file's `language`, or `--lang`. Strings with "{}" are fmt patterns; their
// arguments are named in the comment.
#pragma once

#include "profiles/program.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::papers {

struct PaperText {
  // Labels.
  std::string_view ram;             // "RAM" / "RAM"
  std::string_view grade;           // "Grade {}" (grade letter)
  std::string_view not_inventoried; // a unit the agent has not inventoried yet
  std::string_view unknown_machine; // no vendor/model known
  // Sizes: the unit after a number (decimal for disks, as disk makers print them).
  std::string_view megabytes, gigabytes, terabytes;

  // Spec sheet.
  std::string_view sheet_title; // "Your computer"
  std::string_view sheet_intro; // "{}, {}" (program, site) prefix line
  std::string_view specs_heading;
  std::string_view asset_tag;
  std::string_view model;
  std::string_view processor;
  std::string_view threads; // "{} threads" (count)
  std::string_view memory;
  std::string_view storage;
  std::string_view firmware;
  std::string_view secure_boot; // the row's label
  std::string_view secure_boot_on;
  std::string_view secure_boot_off;
  std::string_view secure_boot_setup_mode;
  std::string_view grade_label;
  std::string_view grade_meaning; // what A, B and C mean, one line
  std::string_view system_heading;
  std::string_view operating_system;
  std::string_view computer_name;
  std::string_view language_keyboard;
  std::string_view timezone;
  std::string_view erasure;      // "Previous data"
  std::string_view erasure_done; // "{} disk(s) erased..." (count)
  std::string_view first_boot_heading;
  std::string_view step_power;
  std::string_view step_oem_account;
  std::string_view step_preset_account; // "{}" (user name)
  std::string_view step_unknown_account;
  std::string_view step_network;
  std::string_view step_updates;
  std::string_view warranty_heading;
  std::string_view warranty_until;   // "{}" (date)
  std::string_view warranty_unknown; // not delivered yet, or no end recorded
  std::string_view support_heading;
  std::string_view support_fallback; // "{}" (site): no support contact in the program file
  std::string_view footer;           // "{} · {}" (tag, record) at the foot of the sheet
};

const PaperText& paper_text(profiles::Language);

// "8 GB" / "8 Go": memory in binary units rounded to a whole number (as sold: 8 GiB is "8 GB").
std::string format_memory(std::uint64_t bytes, profiles::Language);
// "256 GB" / "1.5 TB" / "1,5 To": disk capacity in decimal units, as disk makers print it.
std::string format_capacity(std::uint64_t bytes, profiles::Language);
// "2027-05-31" (en) / "31/05/2027" (fr).
std::string format_date(std::chrono::sys_seconds, profiles::Language);

// "fr" / "en" to a language; nullopt for anything else.
std::optional<profiles::Language> parse_language(std::string_view);

} // namespace atelier::papers
