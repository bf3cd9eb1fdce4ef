// HostBuffer: owns bytes the host wrote into plugin memory through the allocator export.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_wasm/config.h"

namespace proxy_wasm {

/// Move-only owner of a block the host allocated with `proxy_on_memory_allocate` (which is
/// `malloc`). Freed on destruction. Users see it as bytes: `view()`, or implicitly as a
/// `std::string_view`, valid while the HostBuffer lives.
class HostBuffer {
 public:
  HostBuffer() = default;
  /// Adopts `data` (malloc'ed, may be null when size is 0).
  HostBuffer(char* data, size_t size) : data_(data), size_(data ? size : 0) {}
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  /// Takes the block of `other`, which is left empty.
  HostBuffer(HostBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  /// Frees this buffer's block and takes the block of `other`, which is left empty.
  HostBuffer& operator=(HostBuffer&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~HostBuffer() {
    if (data_) std::free(data_);  // moved-from buffers (the common case in results) cost no call
  }

  /// The first byte; null when the buffer is empty.
  const char* data() const { return data_; }
  /// The number of bytes.
  size_t size() const { return size_; }
  /// True when the host sent no bytes.
  bool empty() const { return size_ == 0; }
  /// The bytes, valid while this buffer lives.
  std::string_view view() const { return {data_, size_}; }
  /// The bytes (same as view()).
  operator std::string_view() const { return view(); }  // NOLINT: a buffer is its bytes
  /// A copy of the bytes, to keep beyond this buffer.
  std::string str() const { return std::string(view()); }

  /// Gives up ownership; the caller must free() the result.
  char* release() {
    size_ = 0;
    return std::exchange(data_, nullptr);
  }

  friend bool operator==(const HostBuffer& a, std::string_view b) { return a.view() == b; }
  friend bool operator!=(const HostBuffer& a, std::string_view b) { return a.view() != b; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

/// The text form of a host string (a header value, a property, a configuration).
using HostString = HostBuffer;

}  // namespace proxy_wasm
