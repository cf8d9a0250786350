// Recognising the filler text firmware vendors leave in identity fields, so a machine is never
// identified by "To Be Filled By O.E.M." (see /work/shared notes: many boards carry these).
#pragma once

#include <string_view>

namespace atelier::imager {

// True for empty strings, known filler phrases (case-insensitive), and strings made only of one
// repeated character such as "0000000000", "FFFFFFFF", "xxxxxxxx" or "........".
bool is_placeholder(std::string_view value);

} // namespace atelier::imager
