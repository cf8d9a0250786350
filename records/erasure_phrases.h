// The sentences atelier-imager writes into the free-text fields of an erasure record
// (`verified_by`, `hidden_areas.note`, `notes`), as patterns with named placeholders, so that each
// sentence exists once: the imager fills them (base::format_message) and whoever shows a record
// (the papers, `atelier cert show`) recognises them and renders them in the reader's language
// (papers/record_phrases.h). A record stays language-neutral: it always holds the English, as
// signed; a French certificate of it reads in French (docs/TRANSLATING.md, "Records").
//
// Contract:
// - The English here is what signed records hold: changing a pattern leaves older records
//   recognised no more (they are then shown as written). Add a new pattern rather than change one.
// - Placeholders are named, "{why}"; a placeholder's value may itself be one of these sentences
//   (a hidden-area note inside a longer one) and is rendered the same way.
// - record_phrase() (phrases.h) marks each pattern for xgettext (keyword record_phrase:1,
//   scripts/update-po): the pattern is also the message id of its translation. Pure: no I/O, no
//   translation here; filling and recognising are phrases.h's.
#pragma once

#include "records/phrases.h"

#include <array>

namespace atelier::records {

// `verified_by` of an overwrite and of a firmware purge.
inline constexpr const char* k_verified_full_read_back =
    record_phrase("atelier-imager full read-back");
inline constexpr const char* k_verified_sampled_read_back =
    record_phrase("atelier-imager sampled (NIST SP 800-88) read-back");
inline constexpr const char* k_verified_purge_samples =
    record_phrase("atelier-imager (sectors sampled before and after the erase)");

// `hidden_areas.note` (an overwrite also copies it into `notes` after a purge).
inline constexpr const char* k_hidden_not_checked_by_overwrite =
    record_phrase("hidden areas (HPA/DCO) not checked by the overwrite: only the capacity the OS "
                  "sees is erased");
inline constexpr const char* k_hidden_not_asked =
    record_phrase("hidden areas (HPA/DCO) could not be checked: {why}; only the capacity the OS "
                  "sees was overwritten");
inline constexpr const char* k_hidden_no_pass_through =
    record_phrase("no ATA pass-through on this device ({kind})");
inline constexpr const char* k_hidden_usb_bridge = record_phrase("the disk is behind a USB bridge");
inline constexpr const char* k_hidden_nvme_overwritten =
    record_phrase("NVMe drives have no HPA or DCO: nothing to ask; the whole namespace the OS sees "
                  "was overwritten");
inline constexpr const char* k_hidden_kernel_did_not_reread = record_phrase(
    "{note}; but the kernel still sees only {kernel_bytes} bytes of the {native_bytes} now "
    "visible (it did not re-read the capacity): the last {missing_bytes} bytes ({missing_size}) "
    "were NOT overwritten; power the machine off and on, then wipe again");
inline constexpr const char* k_hidden_not_checked_via =
    record_phrase("hidden areas could not be checked ({pass_through})");
inline constexpr const char* k_hidden_not_checked_because =
    record_phrase("hidden areas could not be checked: {reason}");
inline constexpr const char* k_hidden_nvme_none = record_phrase("NVMe drives have no HPA or DCO");
inline constexpr const char* k_hidden_none =
    record_phrase("no HPA or DCO: the whole disk is visible");
inline constexpr const char* k_hidden_both = record_phrase("HPA and DCO");
inline constexpr const char* k_hidden_removed =
    record_phrase("{what} hiding {sectors} sectors ({size}) removed before the erase");
inline constexpr const char* k_hidden_not_removed = record_phrase(
    "{what} hiding {sectors} sectors ({size}) could not be removed: those sectors were NOT erased");
inline constexpr const char* k_hidden_left_in_place =
    record_phrase("{what} hiding {sectors} sectors ({size}) left in place (profile: hidden_areas "
                  "= \"report\"): those sectors were NOT erased");

// `notes`.
inline constexpr const char* k_note_flash_overwrite =
    record_phrase("overwrite of flash media: NIST SP 800-88 Clear only; spare and remapped blocks "
                  "are not reached (use a firmware purge for Purge)");
inline constexpr const char* k_note_sampled_in_full =
    record_phrase("sampling asked, but the device is too small for 1000 subsections: read back "
                  "in full");

// Every pattern, the most specific first (a reader tries them in this order).
inline constexpr std::array k_erasure_phrases{k_verified_full_read_back,
                                              k_verified_sampled_read_back,
                                              k_verified_purge_samples,
                                              k_hidden_not_checked_by_overwrite,
                                              k_hidden_kernel_did_not_reread,
                                              k_hidden_not_asked,
                                              k_hidden_no_pass_through,
                                              k_hidden_usb_bridge,
                                              k_hidden_nvme_overwritten,
                                              k_hidden_not_checked_via,
                                              k_hidden_not_checked_because,
                                              k_hidden_nvme_none,
                                              k_hidden_none,
                                              k_hidden_both,
                                              k_hidden_removed,
                                              k_hidden_not_removed,
                                              k_hidden_left_in_place,
                                              k_note_flash_overwrite,
                                              k_note_sampled_in_full};

} // namespace atelier::records
