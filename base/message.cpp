#include "base/message.h"

#include <algorithm>

namespace atelier::base {
namespace {

// The filler itself, for any way of finding a placeholder's value (`lookup` returns null for a
// name it does not know).
template <typename Lookup>
std::string fill(std::string_view pattern, const Lookup& lookup) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      out += c; // "{{" or "}}"
      i += 2;
      continue;
    }
    if (c == '{') {
      if (const std::size_t close = pattern.find('}', i + 1); close != std::string_view::npos) {
        if (const std::string* value = lookup(pattern.substr(i + 1, close - i - 1))) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

} // namespace

std::string format_message(std::string_view pattern, MessageArgs args) {
  return fill(pattern, [&](std::string_view name) -> const std::string* {
    const auto arg =
        std::find_if(args.begin(), args.end(), [&](const MessageArg& a) { return a.name == name; });
    return arg != args.end() ? &arg->value : nullptr;
  });
}

std::string format_message(std::string_view pattern, const MessageValues& values) {
  return fill(pattern, [&](std::string_view name) -> const std::string* {
    const auto value =
        std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
    return value != values.end() ? &value->second : nullptr;
  });
}

MessageValues message_values(MessageArgs args) {
  MessageValues values;
  values.reserve(args.size());
  for (const MessageArg& a : args) {
    values.emplace_back(std::string(a.name), a.value);
  }
  return values;
}

std::vector<std::string> message_placeholders(std::string_view pattern) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      i += 2;
      continue;
    }
    if (c == '{') {
      if (const std::size_t close = pattern.find('}', i + 1); close != std::string_view::npos) {
        names.emplace_back(pattern.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
    }
    ++i;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

} // namespace atelier::base
