// What the volunteer at the machine reads on its screen: the asset tag in letters a few metres
// away can read, the stage, progress with ETA, and at the end the verdict and what to do. Plain
// text on the console (the boot environment has no graphics), redrawn whole on every change.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

// The text in 5-row block letters (A-Z, 0-9, '-', ' ', '.'; other characters as '?'). Pure.
std::vector<std::string> big_text(std::string_view text);

struct ScreenState {
  std::string tag;                // "AT-0042-7", empty before registration
  std::string stage;              // "WIPING DISKS", "INSTALLING", ...
  std::string detail;             // one line: device, pass, rate
  std::optional<double> fraction; // 0..1 when known
  std::optional<double> eta_seconds;
  std::string verdict; // "READY", "FAILED", "PARTS" at the end
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
