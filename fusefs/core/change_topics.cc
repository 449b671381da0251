#include "core/change_topics.h"

#include <charconv>

#include "core/keys.h"

namespace settfs {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string ChangeTopic(std::string_view key) {
  switch (ClassifyKey(key)) {
    case KeyTag::kInode:
    case KeyTag::kTimes:
    case KeyTag::kXattr:
    case KeyTag::kBlock:
      return "i" + std::to_string(KeyIno(key));
    case KeyTag::kDirent: {
      std::string topic = "e" + std::to_string(KeyIno(key)) + ":";
      for (unsigned char c : KeyName(key)) {
        topic.push_back(kHex[c >> 4]);
        topic.push_back(kHex[c & 15]);
      }
      return topic;
    }
    default:
      return "";
  }
}

bool ParseChangeTopic(std::string_view topic, CacheChange* change) {
  if (topic.size() < 2 || (topic[0] != 'i' && topic[0] != 'e')) return false;
  change->entry = topic[0] == 'e';
  const char* end = topic.data() + topic.size();
  auto [rest, err] = std::from_chars(topic.data() + 1, end, change->ino);
  if (err != std::errc() || change->ino == 0) return false;
  change->name.clear();
  if (!change->entry) return rest == end;
  if (rest == end || *rest != ':') return false;
  std::string_view hex(rest + 1, static_cast<size_t>(end - rest - 1));
  if (hex.empty() || hex.size() % 2 != 0) return false;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    change->name.push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

}  // namespace settfs
