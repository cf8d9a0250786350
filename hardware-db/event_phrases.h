// The sentences the hardware database writes as the reason of a unit's events (intake, boot,
// assignment, delivery, return), as patterns with named placeholders: the events keep the English
// as written, and a reader renders them in its language (`atelier units history`, `atelier watch`:
// papers/record_phrases.h; docs/TRANSLATING.md, "Records"). Like records/erasure_phrases.h:
// changing a pattern leaves older events recognised no more; add a new one. event_phrase() marks
// each for the catalogue (xgettext keyword event_phrase:1). Pure; this library links no catalogue.
#pragma once

#include <array>

namespace atelier::hwdb {

constexpr const char* event_phrase(const char* english) {
  return english;
}

inline constexpr const char* k_event_intake = event_phrase("intake");
inline constexpr const char* k_event_re_intake = event_phrase("re-intake of {tag} (was {state})");
inline constexpr const char* k_event_first_boot = event_phrase("first PXE boot");
inline constexpr const char* k_event_boot_after_leaving =
    event_phrase("PXE boot of {tag} after it left the program (was {state})");
inline constexpr const char* k_event_assigned = event_phrase("assigned to {household}");
inline constexpr const char* k_event_assignment_cancelled = event_phrase("assignment cancelled");
inline constexpr const char* k_event_delivered = event_phrase("delivered to {household}");
inline constexpr const char* k_event_delivered_deleted =
    event_phrase("delivered to a deleted household");
inline constexpr const char* k_event_back_after_return =
    event_phrase("back into the pipeline after its return: wiped and imaged again before it is "
                 "ready");

// Every pattern, the most specific first (a reader tries them in this order).
inline constexpr std::array k_event_phrases{k_event_intake,
                                            k_event_re_intake,
                                            k_event_first_boot,
                                            k_event_boot_after_leaving,
                                            k_event_assignment_cancelled,
                                            k_event_delivered_deleted,
                                            k_event_assigned,
                                            k_event_delivered,
                                            k_event_back_after_return};

} // namespace atelier::hwdb
