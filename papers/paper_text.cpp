#include "papers/paper_text.h"

#include <cmath>

#include <fmt/format.h>

namespace atelier::papers {
namespace {

constexpr PaperText k_english{
    .ram = "RAM",
    .grade = "Grade {}",
    .not_inventoried = "Not inventoried yet",
    .unknown_machine = "Unknown model",
    .megabytes = "MB",
    .gigabytes = "GB",
    .terabytes = "TB",
    .sheet_title = "Your computer",
    .sheet_intro = "{}, {}",
    .specs_heading = "What is inside",
    .asset_tag = "Asset tag",
    .model = "Model",
    .processor = "Processor",
    .threads = "{} threads",
    .memory = "Memory (RAM)",
    .storage = "Storage",
    .firmware = "Firmware",
    .secure_boot = "Secure Boot",
    .secure_boot_on = "on: the computer starts only systems signed by a trusted publisher",
    .secure_boot_off = "off",
    .secure_boot_setup_mode = "not configured (setup mode)",
    .grade_label = "Grade",
    .grade_meaning = "A is the best-equipped, C the most basic; every grade was tested and works",
    .system_heading = "Installed system",
    .operating_system = "System",
    .computer_name = "Computer name",
    .language_keyboard = "Language and keyboard",
    .timezone = "Time zone",
    .erasure = "Previous data",
    .erasure_done = "{} disk(s) erased before installation; the signed erasure certificate is "
                    "available from the workshop.",
    .first_boot_heading = "The first time you start it",
    .step_power =
        "Connect the power cable (and the screen, keyboard and mouse for a desktop), then "
        "press the power button.",
    .step_oem_account = "The computer asks you to create your own account: your name, a user name "
                        "and a password. Write the password down and keep it safe: nobody at the "
                        "workshop knows it.",
    .step_preset_account = "Log in as \u201c{}\u201d with the password given to you with the "
                           "computer; you are then asked to choose your own password.",
    .step_unknown_account = "Follow the questions on the screen to create your account and "
                            "choose a password; keep the password safe.",
    .step_network = "Connect to the internet: click the network icon next to the clock to choose "
                    "your Wi-Fi, or plug in a network cable.",
    .step_updates = "When the computer offers updates, accept them: they keep it safe.",
    .warranty_heading = "Warranty",
    .warranty_until = "Until {}. Keep this sheet: the asset tag identifies your computer.",
    .warranty_unknown = "The warranty starts when the computer is handed over to you; ask the "
                        "workshop for its end date. Keep this sheet: the asset tag identifies your "
                        "computer.",
    .support_heading = "Help and repairs",
    .support_fallback = "Ask at {}.",
    .footer = "{} \u00b7 unit record {}",
};

constexpr PaperText k_french{
    .ram = "RAM",
    .grade = "Classe {}",
    .not_inventoried = "Inventaire \u00e0 faire",
    .unknown_machine = "Mod\u00e8le inconnu",
    .megabytes = "Mo",
    .gigabytes = "Go",
    .terabytes = "To",
    .sheet_title = "Votre ordinateur",
    .sheet_intro = "{}, {}",
    .specs_heading = "Ce qu'il contient",
    .asset_tag = "Num\u00e9ro d'inventaire",
    .model = "Mod\u00e8le",
    .processor = "Processeur",
    .threads = "{} threads",
    .memory = "M\u00e9moire vive (RAM)",
    .storage = "Stockage",
    .firmware = "Micrologiciel",
    .secure_boot = "D\u00e9marrage s\u00e9curis\u00e9 (Secure Boot)",
    .secure_boot_on = "activ\u00e9 : l'ordinateur ne d\u00e9marre que des syst\u00e8mes "
                      "sign\u00e9s par un \u00e9diteur de confiance",
    .secure_boot_off = "d\u00e9sactiv\u00e9",
    .secure_boot_setup_mode = "non configur\u00e9 (mode installation)",
    .grade_label = "Classe",
    .grade_meaning = "A est la mieux \u00e9quip\u00e9e, C la plus simple ; chaque classe a "
                     "\u00e9t\u00e9 test\u00e9e et fonctionne",
    .system_heading = "Syst\u00e8me install\u00e9",
    .operating_system = "Syst\u00e8me",
    .computer_name = "Nom de l'ordinateur",
    .language_keyboard = "Langue et clavier",
    .timezone = "Fuseau horaire",
    .erasure = "Donn\u00e9es pr\u00e9c\u00e9dentes",
    .erasure_done = "{} disque(s) effac\u00e9(s) avant l'installation ; le certificat "
                    "d'effacement sign\u00e9 est disponible aupr\u00e8s de l'atelier.",
    .first_boot_heading = "Au premier d\u00e9marrage",
    .step_power = "Branchez le c\u00e2ble d'alimentation (et l'\u00e9cran, le clavier et la "
                  "souris pour un ordinateur de bureau), puis appuyez sur le bouton de mise en "
                  "marche.",
    .step_oem_account =
        "L'ordinateur vous demande de cr\u00e9er votre propre compte : votre nom, "
        "un nom d'utilisateur et un mot de passe. Notez le mot de passe et "
        "gardez-le en lieu s\u00fbr : personne \u00e0 l'atelier ne le conna\u00eet.",
    .step_preset_account = "Connectez-vous avec le compte \u00ab\u00a0{}\u00a0\u00bb et le mot de "
                           "passe remis avec l'ordinateur ; il vous est ensuite demand\u00e9 de "
                           "choisir votre propre mot de passe.",
    .step_unknown_account = "Suivez les questions \u00e0 l'\u00e9cran pour cr\u00e9er votre "
                            "compte et choisir un mot de passe ; gardez-le en lieu s\u00fbr.",
    .step_network = "Connectez-vous \u00e0 Internet : cliquez sur l'ic\u00f4ne r\u00e9seau \u00e0 "
                    "c\u00f4t\u00e9 de l'horloge pour choisir votre Wi-Fi, ou branchez un "
                    "c\u00e2ble r\u00e9seau.",
    .step_updates = "Quand l'ordinateur propose des mises \u00e0 jour, acceptez-les : elles le "
                    "prot\u00e8gent.",
    .warranty_heading = "Garantie",
    .warranty_until = "Jusqu'au {}. Gardez cette fiche : le num\u00e9ro d'inventaire "
                      "identifie votre ordinateur.",
    .warranty_unknown = "La garantie commence \u00e0 la remise de l'ordinateur ; demandez sa date "
                        "de fin \u00e0 l'atelier. Gardez cette fiche : le num\u00e9ro "
                        "d'inventaire identifie votre ordinateur.",
    .support_heading = "Aide et r\u00e9parations",
    .support_fallback = "Adressez-vous \u00e0 {}.",
    .footer = "{} \u00b7 fiche n\u00b0 {}",
};

// French writes a decimal comma.
std::string decimal(double value, profiles::Language language) {
  std::string text = std::abs(value - std::round(value)) < 0.05
                         ? fmt::format("{:.0f}", std::round(value))
                         : fmt::format("{:.1f}", value);
  if (language == profiles::Language::fr) {
    if (auto dot = text.find('.'); dot != std::string::npos) {
      text[dot] = ',';
    }
  }
  return text;
}

} // namespace

const PaperText& paper_text(profiles::Language language) {
  return language == profiles::Language::fr ? k_french : k_english;
}

std::string format_memory(std::uint64_t bytes, profiles::Language language) {
  const PaperText& t = paper_text(language);
  constexpr double k_gib = 1024.0 * 1024 * 1024;
  const double gib = static_cast<double>(bytes) / k_gib;
  if (gib < 1) {
    return fmt::format("{:.0f} {}", static_cast<double>(bytes) / (1024.0 * 1024), t.megabytes);
  }
  return fmt::format("{} {}", decimal(gib, language), t.gigabytes);
}

std::string format_capacity(std::uint64_t bytes, profiles::Language language) {
  const PaperText& t = paper_text(language);
  const double gb = static_cast<double>(bytes) / 1e9;
  if (gb >= 1000) {
    return fmt::format("{} {}", decimal(gb / 1000, language), t.terabytes);
  }
  return fmt::format("{:.0f} {}", gb, t.gigabytes);
}

std::string format_date(std::chrono::sys_seconds at, profiles::Language language) {
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(at)};
  const int y = static_cast<int>(d.year());
  const unsigned m = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  return language == profiles::Language::fr ? fmt::format("{:02}/{:02}/{}", day, m, y)
                                            : fmt::format("{}-{:02}-{:02}", y, m, day);
}

std::optional<profiles::Language> parse_language(std::string_view text) {
  if (text == "fr") {
    return profiles::Language::fr;
  }
  if (text == "en") {
    return profiles::Language::en;
  }
  return std::nullopt;
}

} // namespace atelier::papers
