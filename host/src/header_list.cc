// Header maps as Envoy keeps them, and the pairs wire format (header_list.h).
#include "proxy_wasm/host/header_list.h"

#include <algorithm>

namespace proxy_wasm::host {

namespace {

uint32_t loadU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 24);
}

void appendU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

HeaderList::HeaderList(std::initializer_list<std::pair<std::string_view, std::string_view>> init) {
  for (auto& [k, v] : init) add(k, v);
}

HeaderList::HeaderList(const Headers& init) {
  for (auto& [k, v] : init) add(k, v);
}

void HeaderList::add(std::string_view key, std::string_view value) {
  entries_.emplace_back(lowerCase(key), std::string(value));
}

void HeaderList::replace(std::string_view key, std::string_view value) {
  const std::string k = lowerCase(key);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Header& h) { return h.first == k; });
  if (it == entries_.end()) {
    entries_.emplace_back(k, std::string(value));
    return;
  }
  it->second = std::string(value);
  const size_t keep = size_t(it - entries_.begin());
  size_t i = 0;
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Header& h) { return i++ != keep && h.first == k; }),
                 entries_.end());
}

void HeaderList::remove(std::string_view key) {
  const std::string k = lowerCase(key);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Header& h) { return h.first == k; }),
                 entries_.end());
}

std::optional<std::string_view> HeaderList::get(std::string_view key) const {
  const std::string k = lowerCase(key);
  for (auto& [hk, hv] : entries_)
    if (hk == k) return std::string_view(hv);
  return std::nullopt;
}

std::vector<std::string> HeaderList::getAll(std::string_view key) const {
  const std::string k = lowerCase(key);
  std::vector<std::string> out;
  for (auto& [hk, hv] : entries_)
    if (hk == k) out.push_back(hv);
  return out;
}

size_t HeaderList::byteSize() const {
  size_t n = 0;
  for (auto& [k, v] : entries_) n += k.size() + v.size();
  return n;
}

std::string HeaderList::serialize() const {
  if (entries_.empty()) return {};  // hosts send an empty map as no bytes
  std::string out;
  appendU32(out, uint32_t(entries_.size()));
  for (auto& [k, v] : entries_) {
    appendU32(out, uint32_t(k.size()));
    appendU32(out, uint32_t(v.size()));
  }
  for (auto& [k, v] : entries_) {
    out.append(k);
    out.push_back('\0');
    out.append(v);
    out.push_back('\0');
  }
  return out;
}

HeaderList HeaderList::parse(std::string_view bytes) {
  HeaderList out;
  if (bytes.size() < 4) return out;
  const uint32_t n = loadU32(bytes.data());
  if (n > 1024 || bytes.size() > 1024 * 1024) return out;  // Envoy's host limits
  if (uint64_t(n) * 8 > bytes.size() - 4) return {};
  size_t pos = 4 + size_t(n) * 8;
  for (uint32_t i = 0; i < n; ++i) {
    const size_t kl = loadU32(bytes.data() + 4 + 8 * i), vl = loadU32(bytes.data() + 8 + 8 * i);
    if (pos + kl + 1 + vl + 1 > bytes.size()) return {};
    if (bytes[pos + kl] != '\0' || bytes[pos + kl + 1 + vl] != '\0') return {};
    // Keys as sent (the plugin's own maps are lower-cased by the operations that use them).
    out.entries_.emplace_back(std::string(bytes.substr(pos, kl)), std::string(bytes.substr(pos + kl + 1, vl)));
    pos += kl + vl + 2;
  }
  if (pos != bytes.size()) return {};
  return out;
}

}  // namespace proxy_wasm::host
