// A wasm32 linear memory for running the SDK's allocator (proxy_wasm/detail/allocator.h)
// natively: one reserved buffer (so that grown memory never moves), a page count, a heap
// base and a cap on growth. Addresses are offsets into the buffer, as in wasm. Used by
// tests/sdk/allocator_test.cc and tests/fuzz/allocator_fuzz.cc.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "proxy_wasm/detail/allocator.h"

namespace proxy_wasm::testing_memory {

class FakeLinearMemory {
 public:
  static constexpr uint32_t kPage = 65536;

  // `max_pages` are reserved up front (zeroed lazily by the OS).
  explicit FakeLinearMemory(uint32_t max_pages = 1024, uint32_t initial_pages = 2, uint32_t heap_base = 65536 + 1000)
      : base_(static_cast<unsigned char*>(std::calloc(max_pages, kPage))),
        pages_(initial_pages),
        max_pages_(max_pages),
        heap_base_(heap_base) {
    if (!base_) std::abort();
  }
  // Over a buffer of `max_pages` pages the caller keeps (reused from heap to heap).
  FakeLinearMemory(unsigned char* buffer, uint32_t max_pages, uint32_t initial_pages, uint32_t heap_base)
      : base_(buffer), pages_(initial_pages), max_pages_(max_pages), heap_base_(heap_base), owned_(false) {}
  ~FakeLinearMemory() {
    if (owned_) std::free(base_);
  }
  FakeLinearMemory(const FakeLinearMemory&) = delete;
  FakeLinearMemory& operator=(const FakeLinearMemory&) = delete;

  // The Memory policy of detail::Heap.
  uint32_t heapBase() const { return heap_base_; }
  uint32_t pages() const { return pages_; }
  bool grow(uint32_t n) {
    ++grow_calls_;
    if (n > max_pages_ - pages_) return false;
    pages_ += n;
    return true;
  }
  unsigned char* at(uint32_t address) const { return base_ + address; }
  uint32_t address(const void* p) const { return static_cast<uint32_t>(static_cast<const unsigned char*>(p) - base_); }

  // For the tests.
  uint32_t growCalls() const { return grow_calls_; }
  uint32_t maxPages() const { return max_pages_; }
  // Another user of memory.grow (the heap must start a new region after it).
  void growBehindTheHeap(uint32_t n) { pages_ += n; }
  bool contains(const void* p, size_t n) const {
    const auto* b = static_cast<const unsigned char*>(p);
    return b >= base_ + heap_base_ && b + n <= base_ + uint64_t{pages_} * kPage;
  }

 private:
  unsigned char* base_;
  uint32_t pages_;
  uint32_t max_pages_;
  uint32_t heap_base_;
  uint32_t grow_calls_ = 0;
  bool owned_ = true;
};

using FakeHeap = detail::Heap<FakeLinearMemory>;

}  // namespace proxy_wasm::testing_memory
