// The header-map ("pairs") wire codec: a pure component, no host calls.
//
//   u32 N | N x {u32 key_len, u32 value_len} | N x {key bytes, 0x00, value bytes, 0x00}
//
// All integers little-endian; lengths exclude the NUL. Keys and values may hold any
// byte, including NUL. The parser never trusts the host: every length is checked
// against the buffer before it is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_wasm/buffer.h"

namespace proxy_wasm {

/// A header (or metadata, or tag) as a key and a value, viewing bytes owned elsewhere.
using HeaderPair = std::pair<std::string_view, std::string_view>;

namespace detail {
inline uint32_t loadU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 24);
}
inline void storeU32(char* p, uint32_t v) {
  p[0] = char(v & 0xff);
  p[1] = char((v >> 8) & 0xff);
  p[2] = char((v >> 16) & 0xff);
  p[3] = char((v >> 24) & 0xff);
}
}  // namespace detail

/// A validated, non-owning view of a serialized map. Iterating yields HeaderPair
/// (key, value) in wire order, without allocating.
class PairsView {
 public:
  /// Walks the pairs in wire order; each step yields a HeaderPair viewing the map's bytes.
  class iterator {
   public:
    /// A forward iterator.
    using iterator_category = std::forward_iterator_tag;
    /// A (key, value) pair.
    using value_type = HeaderPair;
    /// For std::iterator_traits.
    using difference_type = std::ptrdiff_t;
    /// For std::iterator_traits (operator* yields by value).
    using pointer = const HeaderPair*;
    /// Yielded by value: a pair of views.
    using reference = HeaderPair;

    /// A singular iterator (compare only with itself).
    iterator() = default;
    /// The current (key, value); the views live as long as the map's bytes.
    HeaderPair operator*() const {
      const uint32_t key_len = detail::loadU32(lengths_);
      const uint32_t value_len = detail::loadU32(lengths_ + 4);
      return {std::string_view(data_, key_len), std::string_view(data_ + key_len + 1, value_len)};
    }
    /// Moves to the next pair.
    iterator& operator++() {
      data_ += size_t(detail::loadU32(lengths_)) + detail::loadU32(lengths_ + 4) + 2;
      lengths_ += 8;
      return *this;
    }
    /// Moves to the next pair; returns the position before.
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    /// True at the same pair of the same map.
    friend bool operator==(const iterator& a, const iterator& b) { return a.lengths_ == b.lengths_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return a.lengths_ != b.lengths_; }

   private:
    friend class PairsView;
    iterator(const char* lengths, const char* data) : lengths_(lengths), data_(data) {}
    const char* lengths_ = nullptr;
    const char* data_ = nullptr;
  };

  /// An empty map.
  PairsView() = default;

  /// Validates `bytes`. Every empty form a host may send (no bytes, fewer than 4 bytes,
  /// a zero count) is an empty map. Returns nullopt when the bytes are malformed: a count
  /// or length that runs past the end, a missing NUL terminator, or trailing bytes.
  static std::optional<PairsView> parse(std::string_view bytes) {
    if (bytes.size() < 4) return PairsView();
    const uint32_t count = detail::loadU32(bytes.data());
    const size_t available = bytes.size() - 4;
    if (count > available / 8) return std::nullopt;  // also bounds the loop below
    const char* lengths = bytes.data() + 4;
    const char* data = lengths + size_t(count) * 8;
    size_t remaining = available - size_t(count) * 8;
    size_t offset = 0;
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t key_len = detail::loadU32(lengths + 8 * i);
      const uint64_t value_len = detail::loadU32(lengths + 8 * i + 4);
      const uint64_t need = key_len + value_len + 2;
      if (need > remaining) return std::nullopt;
      if (data[offset + key_len] != '\0' || data[offset + key_len + 1 + value_len] != '\0') return std::nullopt;
      offset += size_t(need);
      remaining -= size_t(need);
    }
    if (remaining != 0) return std::nullopt;
    PairsView view;
    view.count_ = count;
    view.lengths_ = lengths;
    view.data_ = data;
    return view;
  }

  /// The number of pairs (duplicates count).
  size_t size() const { return count_; }
  /// True when the map has no pair.
  bool empty() const { return count_ == 0; }
  /// The first pair.
  iterator begin() const { return {lengths_, data_}; }
  /// Past the last pair.
  iterator end() const { return {lengths_ + size_t(count_) * 8, nullptr}; }

  /// The first value stored under `key` (exact, case-sensitive match: hosts lower-case keys).
  std::optional<std::string_view> find(std::string_view key) const {
    for (auto [k, v] : *this) {
      if (k == key) return v;
    }
    return std::nullopt;
  }

 private:
  uint32_t count_ = 0;
  const char* lengths_ = nullptr;
  const char* data_ = nullptr;
};

/// A map received from the host: owns the bytes, iterates like PairsView.
class HeaderMap {
 public:
  /// An empty map.
  HeaderMap() = default;
  /// Takes the host's `bytes` and the `view` that parse() validated over them.
  HeaderMap(HostBuffer bytes, PairsView view) : bytes_(std::move(bytes)), view_(view) {}

  /// The number of pairs (duplicates count).
  size_t size() const { return view_.size(); }
  /// True when the map has no pair.
  bool empty() const { return view_.empty(); }
  /// The first pair, viewing bytes this map owns.
  PairsView::iterator begin() const { return view_.begin(); }
  /// Past the last pair.
  PairsView::iterator end() const { return view_.end(); }
  /// The first value under `key` (exact match; hosts send lower-case keys); nullopt when absent.
  /// The view lives as long as this map.
  std::optional<std::string_view> find(std::string_view key) const { return view_.find(key); }
  /// The non-owning view, valid while this map lives.
  const PairsView& view() const { return view_; }

 private:
  HostBuffer bytes_;
  PairsView view_;
};

/// Serialized size of `pairs`.
template <class Range>
size_t serializedPairsSize(const Range& pairs) {
  size_t size = 4;
  for (const auto& p : pairs) size += 10 + std::string_view(p.first).size() + std::string_view(p.second).size();
  return size;
}

/// Serializes any range of pair-likes whose members convert to std::string_view.
template <class Range>
std::string serializePairs(const Range& pairs) {
  std::string out(serializedPairsSize(pairs), '\0');
  char* lengths = out.data() + 4;
  uint32_t count = 0;
  for (const auto& p : pairs) {
    detail::storeU32(lengths, uint32_t(std::string_view(p.first).size()));
    detail::storeU32(lengths + 4, uint32_t(std::string_view(p.second).size()));
    lengths += 8;
    ++count;
  }
  detail::storeU32(out.data(), count);
  char* data = lengths;
  for (const auto& p : pairs) {
    const std::string_view k(p.first), v(p.second);
    if (!k.empty()) std::memcpy(data, k.data(), k.size());
    data += k.size() + 1;  // NUL already there
    if (!v.empty()) std::memcpy(data, v.data(), v.size());
    data += v.size() + 1;
  }
  return out;
}

/// Serializes a braced list: `serializePairs({{":method", "GET"}})`.
inline std::string serializePairs(std::initializer_list<HeaderPair> pairs) {
  return serializePairs<std::initializer_list<HeaderPair>>(pairs);
}

}  // namespace proxy_wasm
