// What the volunteer at the machine reads on its screen: the asset tag in letters a few metres
// away can read, the stage, progress with ETA, and at the end the verdict and what to do. Plain
// text on the console (the boot environment has no graphics), redrawn whole on every change.
#pragma once

#include "base/language.h"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

// The text (UTF-8) in 5-row block letters (A-Z, 0-9, '-', ' ', '.', '?'; a no-break space as a
// space, the accented Latin letters of French as their base letter: "É" as "E"; other characters
// as '?'). Pure.
std::vector<std::string> big_text(std::string_view text);

// Every text is already in the screen's language (screen_text.h); `language` only words the
// progress bar's ETA.
struct ScreenState {
  base::Language language = base::Language::en;
  std::string tag;                // "AT-0042-7", empty before registration
  std::string stage;              // "WIPING", "EFFACEMENT", ...
  std::string detail;             // one line: device, pass, rate
  std::optional<double> fraction; // 0..1 when known
  std::optional<double> eta_seconds;
  std::string verdict; // "READY", "FAILED", "PARTS" (or "PRÊT", ...) at the end
  std::string message; // what to do, at the end
};

// Pure: the full screen as text (ANSI clear-screen first). width: columns of the console.
std::string render_screen(const ScreenState& state, int width = 80);

class ConsoleDisplay {
public:
  explicit ConsoleDisplay(std::ostream& out) : m_out(out) {}
  void show(const ScreenState& state);

private:
  std::ostream& m_out;
  std::string m_last;
};

} // namespace atelier::imager
