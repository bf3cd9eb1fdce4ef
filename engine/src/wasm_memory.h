// The module's linear memory as the ABI adapters see it: u32 offsets, every (ptr, len)
// bounds-checked, integers written little-endian.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "wabt/interp/interp.h"

namespace proxy_wasm::engine {

class WasmMemory {
 public:
  using Ptr = uint32_t;

  explicit WasmMemory(wabt::interp::Memory* memory) : memory_(memory) {}

  // The data pointer is fetched on every access: the allocator may grow the memory.
  uint64_t size() const { return memory_ ? memory_->ByteSize() : 0; }
  bool inBounds(uint64_t p, uint64_t n) const { return p + n <= size(); }

  // Address 0 with a non-zero size is in bounds, as in Envoy's host.
  std::optional<std::string_view> read(Ptr p, Ptr n) const {
    if (!inBounds(p, n)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(memory_->UnsafeData()) + p, n);
  }
  bool write(Ptr p, std::string_view bytes) {
    if (!inBounds(p, bytes.size())) return false;
    if (!bytes.empty()) std::memcpy(memory_->UnsafeData() + p, bytes.data(), bytes.size());
    return true;
  }
  bool writeU32(Ptr p, uint32_t v) {
    unsigned char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    return write(p, std::string_view(reinterpret_cast<const char*>(b), 4));
  }
  bool writeU64(Ptr p, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    return write(p, std::string_view(reinterpret_cast<const char*>(b), 8));
  }
  // Pointer- and size-sized slots are 32-bit in wasm32.
  bool writeWord(Ptr p, uint64_t v) { return writeU32(p, static_cast<uint32_t>(v)); }

  std::optional<uint32_t> readU32(Ptr p) const {
    auto bytes = read(p, 4);
    if (!bytes) return std::nullopt;
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>((*bytes)[i]);
    return v;
  }
  bool fill(Ptr p, Ptr n, unsigned char value = 0) {
    if (!inBounds(p, n)) return false;
    if (n) std::memset(memory_->UnsafeData() + p, value, n);
    return true;
  }

 private:
  wabt::interp::Memory* memory_;
};

}  // namespace proxy_wasm::engine
