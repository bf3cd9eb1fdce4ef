// The host model's header maps: ordered, multi-valued, lower-cased keys as Envoy keeps
// them, with the pairs wire format.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proxy_wasm::host {

using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

// Ordered, multi-valued header map with lower-cased keys, as Envoy keeps them.
class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(std::initializer_list<std::pair<std::string_view, std::string_view>> init);
  explicit HeaderList(const Headers& init);

  void add(std::string_view key, std::string_view value);
  void replace(std::string_view key, std::string_view value);  // first kept, others removed; add if absent
  void remove(std::string_view key);
  std::optional<std::string_view> get(std::string_view key) const;  // first value
  std::vector<std::string> getAll(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  size_t byteSize() const;  // Σ key + value lengths (Envoy's byteSize())
  const Headers& entries() const { return entries_; }
  void clear() { entries_.clear(); }
  std::string serialize() const;
  // Parses the pairs format like Envoy's host: any violation yields an empty map.
  static HeaderList parse(std::string_view bytes);

  friend bool operator==(const HeaderList& a, const HeaderList& b) { return a.entries_ == b.entries_; }

 private:
  Headers entries_;
};

std::string lowerCase(std::string_view s);

}  // namespace proxy_wasm::host
