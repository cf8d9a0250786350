// Messages with named placeholders ("Disk {index} of {count}"), filled without translating: the one
// filler of the project. base/i18n.h translates the pattern first (tr, trf) and then fills it with
// these; the libraries that link no catalogue (the hardware database, records, atelierd) fill their
// English here and keep the pattern and the values so that a reader can render them in its language
// (docs/TRANSLATING.md).
//
// Contract: pure (no I/O, no locale, no translation), thread-safe. A value is never re-read: braces
// in it come out as written. "{{" and "}}" are literal braces.
#pragma once

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::base {

// One value for a named placeholder: text, or an integer written in decimal digits.
struct MessageArg {
  MessageArg(std::string_view arg_name, std::string_view text) : name(arg_name), value(text) {}
  MessageArg(std::string_view arg_name, const std::string& text) : name(arg_name), value(text) {}
  MessageArg(std::string_view arg_name, const char* text) : name(arg_name), value(text) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>)
      MessageArg(std::string_view arg_name, T number)
      : name(arg_name), value(std::to_string(number)) {}

  std::string_view name;
  std::string value;
};
using MessageArgs = std::initializer_list<MessageArg>;

// Values kept with a message (an error, a record's phrase): name, value; owning.
using MessageValues = std::vector<std::pair<std::string, std::string>>;

// `pattern` with each "{name}" replaced by the argument of that name, "{{" and "}}" by single
// braces. A placeholder no argument names is left as written (visible, never a crash: the
// catalogue check keeps the sources and the translations agreeing on names).
std::string format_message(std::string_view pattern, MessageArgs args);
std::string format_message(std::string_view pattern, const MessageValues& values);

// The arguments as values to keep (MessageArg refers to its name, MessageValues owns it).
MessageValues message_values(MessageArgs args);

// The placeholder names in `pattern`, sorted, each once ("{{x}}" is no placeholder).
std::vector<std::string> message_placeholders(std::string_view pattern);

} // namespace atelier::base
